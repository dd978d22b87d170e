"""Settings: defaults < TOML file < MOCKINT_* environment < command-line flags, with provenance.

One model, validated: every number has a range, errors name the key, the bad value and where it came from, unknown
MOCKINT_* names are warned about. Other parts never copy these defaults: the TUI's Setup choices and a drill are
overrides applied with `with_overrides`, and a resumed round lays its saved plan over the settings the same way.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import MockintError

APP = "mockint"
DEFAULT_CLAUDE_MODEL = "claude-haiku-5-5"
ENV_PREFIX = "MOCKINT_"
# MOCKINT_* names that are not settings: the test scripts' private PulseAudio
NOT_SETTINGS = {"MOCKINT_PULSE_DIR", "MOCKINT_TEST_PULSE"}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=True,
                              allow_inf_nan=False)


def _blank_is_none(v: object) -> object:
    return None if isinstance(v, str) and not v.strip() else v


class AudioSettings(_Section):
    input_device: str | None = None
    """Microphone: a device index or part of its name (see `mockint devices`); empty = system default."""
    output_device: str | None = None
    """Speakers: a device index or part of its name; empty = system default."""
    sample_rate: Annotated[int, Field(ge=8000, le=192000)] = 16000
    """Recording sample rate in Hz (8000-192000); Whisper works at 16000."""
    stall_seconds: Annotated[float, Field(gt=0, le=60)] = 1.5
    """A microphone that delivers no audio for this long is reported as lost (checked every 0.1 s)."""

    _blank = field_validator("input_device", "output_device", mode="before")(_blank_is_none)


class SttSettings(_Section):
    model: Annotated[str, Field(min_length=1)] = "tiny.en"
    """Whisper model: a folder with a CTranslate2 model, or a faster-whisper name (tiny.en, base.en, small.en...)."""
    cpu_threads: Annotated[int, Field(ge=0, le=256)] = 0
    """Threads for decoding; 0 = one per CPU core."""
    beam_size: Annotated[int, Field(ge=1, le=20)] = 5
    """Beam width (1-20); 5 keeps words that greedy decoding (1) loses when the prompt derails it (issue 10)."""
    no_speech_threshold: Annotated[float, Field(ge=0, le=1)] = 0.6
    """A segment whose no-speech probability is above this is re-decoded; it is dropped only if no voice is heard."""
    domain_prompt: bool = True
    """Bias recognition with the question's glossary and a disfluent lead-in (keeps 'um'/'uh')."""


class TtsSettings(_Section):
    enabled: bool = True
    """Speak questions aloud; when off (or when synthesis fails) they are only shown."""
    engine: Literal["auto", "piper", "espeak"] = "auto"
    """Interviewer voice: piper (neural, the optional `mockint[voice]` extra), espeak (espeak-ng, built in), or
    auto (piper when installed, else espeak)."""
    voice: str | None = None
    """Voice id or name for the chosen engine (see `mockint say --list-voices`); empty = the engine's default."""
    rate: Annotated[int, Field(ge=50, le=600)] = 175
    """Speaking rate in words per minute (50-600)."""

    _blank = field_validator("voice", mode="before")(_blank_is_none)


class InterviewerSettings(_Section):
    backend: Literal["auto", "claude", "offline"] = "auto"
    """Who asks follow-ups and scores: claude (needs ANTHROPIC_API_KEY), offline, or auto (claude when a key is set)."""
    model: Annotated[str, Field(min_length=1)] = DEFAULT_CLAUDE_MODEL
    """Claude model for follow-ups and scoring."""
    max_tokens: Annotated[int, Field(ge=16, le=64000)] = 300
    """Token limit for one follow-up (thinking is off for follow-ups: all of it goes to the question)."""
    score_max_tokens: Annotated[int, Field(ge=64, le=64000)] = 4000
    """Token limit for one score; thinking (adaptive, effort low) counts toward it."""
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 8.0
    """Longest wait for the Claude API to connect or send the next bytes of a follow-up."""
    max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    """Retries after a rate limit, overload, server or connection error, only while the deadline allows."""
    turn_deadline_seconds: Annotated[float, Field(gt=0, le=600)] = 15.0
    """Hard limit for one follow-up, retries included; then the offline interviewer takes over."""
    score_deadline_seconds: Annotated[float, Field(gt=0, le=3600)] = 60.0
    """Hard limit for one background score, retries included; then the score is left pending (`mockint rescore`)."""
    max_follow_ups: Annotated[int, Field(ge=0, le=5)] = 2
    """Follow-up questions per main question (0-5; 0 = none)."""


class RoundSettings(_Section):
    questions: Annotated[int, Field(ge=1, le=50)] = 5
    """Main questions per round (1-50)."""
    topics: list[str] = []
    """Topic ids to draw from; empty = all topics."""
    order: Literal["shuffled", "weakest", "drill"] = "shuffled"
    """shuffled, weakest (weakest topics from your history first) or drill (your lowest-scored questions)."""
    answer_seconds: Annotated[int | None, Field(ge=10, le=1800)] = None
    """Answer time budget in seconds (10-1800); empty = each question's own budget."""
    round_minutes: Annotated[float, Field(ge=1, le=480)] = 30.0
    """Whole-round time limit in minutes (1-480)."""
    warn_seconds: Annotated[int, Field(ge=0, le=300)] = 15
    """Warn this many seconds before an answer's budget runs out (0-300)."""
    end_on_silence_seconds: Annotated[float, Field(ge=0, le=60)] = 0.0
    """End an answer after this many seconds of silence (0-60); 0 = push-to-talk only."""
    answers: Literal["spoken", "typed"] = "spoken"
    """Answer out loud (microphone) or by typing."""

    _blank = field_validator("answer_seconds", mode="before")(_blank_is_none)

    @field_validator("topics", mode="before")
    @classmethod
    def _topics(cls, v: object) -> object:
        if isinstance(v, str):  # "caching, databases" from a flag or the environment
            return [t.strip() for t in v.split(",") if t.strip()]
        return v

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip() for t in v if t.strip()))


class Settings(BaseSettings):
    """Everything a user can configure."""

    model_config = SettingsConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    sessions_dir: Path | None = None
    """Where sessions are kept; empty = ./sessions in a checkout, else the platform data folder."""
    bank_dir: Path | None = None
    """Question bank folder; empty = ./question_bank in a checkout, else the bundled bank."""
    cache_dir: Path | None = None
    """Where the bank's sentence vectors and parsed topic files are cached; empty = the platform cache folder (safe
    to delete)."""
    audio: AudioSettings = AudioSettings()
    stt: SttSettings = SttSettings()
    tts: TtsSettings = TtsSettings()
    interviewer: InterviewerSettings = InterviewerSettings()
    round: RoundSettings = RoundSettings()

    _blank = field_validator("sessions_dir", "bank_dir", mode="before")(_blank_is_none)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *_: Any, **__: Any):
        # load_settings merges file, environment and flags itself so it can report provenance
        return (init_settings,)


SECTIONS = {name: f.annotation for name, f in Settings.model_fields.items()
            if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)}


def config_file_candidates() -> list[Path]:
    from platformdirs import user_config_path

    return [Path("mockint.toml"), user_config_path(APP) / "mockint.toml"]


def _deep_merge(base: dict, over: Mapping) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def _flatten(d: Mapping, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list or any(get_origin(a) is list for a in get_args(annotation))


def env_names() -> dict[str, str]:
    """MOCKINT_* variable name -> settings key ("MOCKINT_ROUND__ANSWER_SECONDS" -> "round.answer_seconds")."""
    names: dict[str, str] = {}
    for name in Settings.model_fields:
        if name in SECTIONS:
            for sub in SECTIONS[name].model_fields:
                names[f"{ENV_PREFIX}{name}__{sub}".upper()] = f"{name}.{sub}"
        else:
            names[f"{ENV_PREFIX}{name}".upper()] = name
    return names


def _field(key: str) -> Any:
    parts = key.split(".")
    model: Any = Settings
    for part in parts[:-1]:
        model = SECTIONS[part]
    return model.model_fields[parts[-1]]


def read_environment(environ: Mapping[str, str]) -> tuple[dict, dict[str, str], list[str]]:
    """The MOCKINT_* layer: nested data, origin per key, and warnings (unknown names, blank values)."""
    known = env_names()
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    warnings: list[str] = []
    for var in sorted(environ):
        up = var.upper()
        if not up.startswith(ENV_PREFIX) or up in NOT_SETTINGS:
            continue
        key = known.get(up)
        if key is None:
            close = difflib.get_close_matches(up, list(known), n=1)
            warnings.append(f"{var} is not a mockint setting and is ignored"
                            + (f" (did you mean {close[0]}?)" if close else " (see `mockint config`)"))
            continue
        raw = environ[var]
        f = _field(key)
        value: Any = raw
        if _is_list(f.annotation):
            if raw.strip().startswith("["):
                try:
                    value = json.loads(raw)
                except json.JSONDecodeError as e:
                    raise MockintError(f"{var}: not a JSON list ({e.msg}); use comma-separated values, "
                                       f"e.g. {var}=caching,databases") from None
            else:
                value = [x.strip() for x in raw.split(",") if x.strip()]
        elif not raw.strip():
            if f.default is None:
                value = None  # an empty variable means "not set" (e.g. MOCKINT_SESSIONS_DIR=)
            else:
                warnings.append(f"{var} is empty and is ignored")
                continue
        section, _, name = key.rpartition(".")
        (data.setdefault(section, {}) if section else data)[name] = value
        origin[key] = f"env {up}"
    return data, origin, warnings


class LoadedSettings:
    """Effective settings plus where each value came from, and warnings about the configuration."""

    def __init__(self, settings: Settings, origin: dict[str, str], config_file: Path | None,
                 warnings: list[str] | None = None):
        self.settings = settings
        self.origin = origin
        self.config_file = config_file
        self.warnings = warnings or []

    def explicit(self, source: str = "flag") -> set[str]:
        """Keys whose value came from `source` (e.g. the flags of this command line)."""
        return {k for k, v in self.origin.items() if v.startswith(source)}


def validate_layers(layers: list[tuple[Mapping, dict[str, str]]]) -> Settings:
    """Merge layers (lowest first, each with its origin per key) into Settings, or a MockintError naming every bad
    key with its value and origin."""
    merged: dict = {}
    origin: dict[str, str] = {}
    for data, where in layers:
        merged = _deep_merge(merged, data)
        origin.update(where)
    try:
        return Settings(**merged)
    except ValidationError as e:
        lines = []
        for err in e.errors(include_url=False):
            parts = [str(p) for p in err["loc"]]
            key = ".".join(parts)
            src = next((origin[k] for k in (".".join(parts[:i]) for i in range(len(parts), 0, -1)) if k in origin),
                       "default")
            value = err.get("input")
            shown = "" if isinstance(value, (dict, BaseModel)) or value is None else f" = {_short(value)}"
            msg = err["msg"]
            if err["type"] == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
                msg = "must be a finite number"
            lines.append(f"{key}{shown}: {msg} (from {src})")
        raise MockintError("invalid settings:\n  " + "\n  ".join(lines)) from None


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def load_settings(flags: dict[str, Any] | None = None, config_file: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> LoadedSettings:
    """Merge the layers; raise MockintError naming the bad value and where it came from."""
    path = config_file
    if path is not None and not path.is_file():
        raise MockintError(f"config file {path} does not exist")
    if path is None:
        path = next((p for p in config_file_candidates() if p.is_file()), None)
    file_data: dict = {}
    if path is not None:
        try:
            file_data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise MockintError(f"config file {path}: invalid TOML: {e}") from None
        except OSError as e:
            raise MockintError(f"config file {path}: cannot read: {e.strerror or e}") from None
    env_data, env_origin, warnings = read_environment(os.environ if environ is None else environ)
    flag_data = flags or {}
    file_origin = {k: f"file {path}" for k in _flatten(file_data)}
    flag_origin = {k: "flag" for k in _flatten(flag_data)}
    settings = validate_layers([(file_data, file_origin), (env_data, env_origin), (flag_data, flag_origin)])
    origin = {k: "default" for k in _flatten(settings.model_dump())}
    origin.update(file_origin)
    origin.update(env_origin)
    origin.update(flag_origin)
    return LoadedSettings(settings, origin, path, warnings)


def with_overrides(settings: Settings, overrides: Mapping[str, Any], origin: str = "setup") -> Settings:
    """`settings` with some keys changed (nested dict, e.g. {"round": {"questions": 3}}), validated by the same
    model: the Setup screen's choices, a drill, a resumed round's saved plan."""
    return validate_layers([(settings.model_dump(), {}), (overrides, {k: origin for k in _flatten(overrides)})])


def _checkout_root() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    return root if (root / "question_bank").is_dir() else None


def resolve_bank_dir(s: Settings) -> Path:
    if s.bank_dir is not None:
        return s.bank_dir.expanduser()
    if Path("question_bank").is_dir():
        return Path("question_bank")
    root = _checkout_root()
    if root is not None:
        return root / "question_bank"
    from platformdirs import user_data_path

    return user_data_path(APP) / "question_bank"


def resolve_sessions_dir(s: Settings) -> Path:
    if s.sessions_dir is not None:
        return s.sessions_dir.expanduser()
    if Path("sessions").is_dir() or Path("question_bank").is_dir():
        return Path("sessions")
    from platformdirs import user_data_path

    return user_data_path(APP) / "sessions"


def resolve_cache_dir(s: Settings) -> Path | None:
    if s.cache_dir is not None:
        return s.cache_dir.expanduser()
    try:
        from platformdirs import user_cache_path

        return user_cache_path(APP) / "vectors"
    except Exception:  # no home folder: vectors are recomputed each run, nothing breaks
        return None


def anthropic_key_present() -> bool:
    return bool(os.environ.get("ANTHROPIC_API_KEY"))


def effective_backend(s: Settings) -> str:
    b = s.interviewer.backend
    if b == "auto":
        return "claude" if anthropic_key_present() else "offline"
    return b


def state_file() -> Path:
    """Where the TUI remembers the last round set-up between runs."""
    from platformdirs import user_state_path

    return user_state_path(APP) / "last_setup.json"

"""Settings: defaults < TOML file < MOCKINT_* environment < command-line flags, with provenance."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from .errors import MockintError

APP = "mockint"
DEFAULT_CLAUDE_MODEL = "claude-haiku-5-5"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=True)


class AudioSettings(_Section):
    input_device: str | None = None
    """Microphone: a device index or part of its name (see `mockint devices`); empty = system default."""
    output_device: str | None = None
    """Speakers: a device index or part of its name; empty = system default."""
    sample_rate: int = 16000
    """Recording sample rate in Hz; Whisper works at 16000."""
    stall_seconds: float = 1.5
    """A microphone that delivers no audio for this long is reported as lost (checked every 0.1 s)."""


class SttSettings(_Section):
    model: str = "tiny.en"
    """Whisper model: a folder with a CTranslate2 model, or a faster-whisper name (tiny.en, base.en, small.en...)."""
    cpu_threads: int = 0
    """Threads for decoding; 0 = one per CPU core."""
    beam_size: int = Field(5, ge=1, le=10)
    """Beam width (1-10); 5 keeps words that greedy decoding (1) loses when the prompt derails it."""
    no_speech_threshold: float = Field(0.6, ge=0.0, le=1.0)
    """A segment whose no-speech probability is above this is re-decoded; it is dropped only if there is no voice."""
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
    rate: int = Field(175, ge=80, le=400)
    """Speaking rate in words per minute (80-400)."""


class InterviewerSettings(_Section):
    backend: Literal["auto", "claude", "offline"] = "auto"
    """Who asks follow-ups and scores: claude (needs ANTHROPIC_API_KEY), offline, or auto (claude when a key is set)."""
    model: str = DEFAULT_CLAUDE_MODEL
    """Claude model for follow-ups and scoring."""
    max_tokens: int = 300
    """Token limit for one follow-up."""
    score_max_tokens: int = 1500
    """Token limit for one score."""
    timeout_seconds: float = 8.0
    """Timeout of one HTTP request to the Claude API."""
    max_retries: int = 2
    """Retries the Claude SDK makes on its own (429, 5xx, connection errors), inside the turn deadline."""
    turn_deadline_seconds: float = 15.0
    """Hard limit for one follow-up or score, retries included; then the offline interviewer takes over."""
    max_follow_ups: int = 2
    """Follow-up questions per main question (0 = none)."""


class RoundSettings(_Section):
    questions: int = 5
    """Main questions per round."""
    topics: list[str] = []
    """Topic ids to draw from; empty = all topics."""
    order: Literal["shuffled", "weakest", "drill"] = "shuffled"
    """shuffled, weakest (weakest topics from your history first) or drill (your lowest-scored questions)."""
    answer_seconds: int | None = None
    """Answer time budget in seconds; empty = each question's own budget."""
    round_minutes: float = 30.0
    """Whole-round time limit in minutes."""
    warn_seconds: int = 15
    """Warn this many seconds before an answer's budget runs out."""
    end_on_silence_seconds: float = 0.0
    """End an answer after this many seconds of silence; 0 = push-to-talk only."""
    answers: Literal["spoken", "typed"] = "spoken"
    """Answer out loud (microphone) or by typing."""


class Settings(BaseSettings):
    """Everything a user can configure."""

    model_config = SettingsConfigDict(extra="forbid", use_attribute_docstrings=True)

    sessions_dir: Path | None = None
    """Where sessions are kept; empty = ./sessions in a checkout, else the platform data folder."""
    bank_dir: Path | None = None
    """Question bank folder; empty = ./question_bank in a checkout, else the bundled bank."""
    cache_dir: Path | None = None
    """Where the sentence vectors of the bank are cached; empty = the platform cache folder (safe to delete)."""
    audio: AudioSettings = AudioSettings()
    stt: SttSettings = SttSettings()
    tts: TtsSettings = TtsSettings()
    interviewer: InterviewerSettings = InterviewerSettings()
    round: RoundSettings = RoundSettings()

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *_: Any, **__: Any):
        # load_settings merges file, environment and flags itself so it can report provenance
        return (init_settings,)


def config_file_candidates() -> list[Path]:
    from platformdirs import user_config_path

    return [Path("mockint.toml"), user_config_path(APP) / "mockint.toml"]


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


class LoadedSettings:
    """Effective settings plus where each value came from."""

    def __init__(self, settings: Settings, origin: dict[str, str], config_file: Path | None):
        self.settings = settings
        self.origin = origin
        self.config_file = config_file


def load_settings(flags: dict[str, Any] | None = None, config_file: Path | None = None) -> LoadedSettings:
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
    try:
        env_data = EnvSettingsSource(Settings, env_prefix="MOCKINT_", env_nested_delimiter="__",
                                     case_sensitive=False)()
    except Exception as e:  # a malformed MOCKINT_* value (e.g. bad JSON list)
        raise MockintError(f"environment: cannot read a MOCKINT_* variable: {e}") from None
    flag_data = flags or {}
    merged = _deep_merge(_deep_merge(file_data, env_data), flag_data)
    try:
        settings = Settings(**merged)
    except ValidationError as e:
        origin = {**{k: f"file {path}" for k in _flatten(file_data)},
                  **{k: "environment" for k in _flatten(env_data)},
                  **{k: "flag" for k in _flatten(flag_data)}}
        lines = []
        for err in e.errors():
            key = ".".join(str(p) for p in err["loc"])
            lines.append(f"{key}: {err['msg']} (from {origin.get(key, 'default')})")
        raise MockintError("invalid settings:\n  " + "\n  ".join(lines)) from None
    origin = {k: "default" for k in _flatten(settings.model_dump())}
    origin.update({k: f"file {path}" for k in _flatten(file_data)})
    origin.update({k: "env MOCKINT_" + k.replace(".", "__").upper() for k in _flatten(env_data)})
    origin.update({k: "flag" for k in _flatten(flag_data)})
    return LoadedSettings(settings, origin, path)


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

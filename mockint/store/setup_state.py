"""The last round set-up chosen in the TUI, remembered between runs: overrides on the settings (a small JSON file
in the state folder), never a copy of them. A file that no longer validates is ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from ..config import Settings, with_overrides
from ..errors import MockintError
from .sessions import write_atomic

# the settings the Setup screen asks for (section -> keys); nothing else is remembered
SETUP_KEYS: dict[str, tuple[str, ...]] = {
    "round": ("topics", "questions", "answer_seconds", "round_minutes", "order", "answers"),
    "interviewer": ("max_follow_ups",),
    "tts": ("voice",),
}


def only_setup_keys(overrides: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section, keys in SETUP_KEYS.items():
        part = overrides.get(section)
        if isinstance(part, Mapping):
            kept = {k: part[k] for k in keys if k in part}
            if kept:
                out[section] = kept
    return out


def setup_values(settings: Settings) -> dict[str, dict[str, Any]]:
    """The current value of every Setup key in `settings`."""
    dump = settings.model_dump(mode="json")
    return {section: {k: dump[section][k] for k in keys} for section, keys in SETUP_KEYS.items()}


def load_choices(path: Path, settings: Settings) -> dict[str, dict[str, Any]]:
    """The remembered overrides, if they still validate on top of `settings`; else none."""
    try:
        saved = only_setup_keys(json.loads(path.read_text(encoding="utf-8")))
        with_overrides(settings, saved)
    except (OSError, ValueError, ValidationError, MockintError, AttributeError):
        return {}  # first run, or a file from an older version: start from the settings
    return saved


def save_choices(path: Path, overrides: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, json.dumps(only_setup_keys(overrides), indent=2))

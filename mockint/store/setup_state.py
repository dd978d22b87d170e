"""The last round set-up chosen in the TUI, remembered between runs (a small JSON file in the state folder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from .sessions import write_atomic


class SetupChoices(BaseModel):
    """What the Setup screen asks."""

    topics: list[str] = []
    questions: int = 5
    answer_seconds: int | None = None
    round_minutes: float = 30.0
    follow_ups: int = 2
    order: Literal["shuffled", "weakest", "drill"] = "shuffled"
    answers: Literal["spoken", "typed"] = "spoken"
    voice: str | None = None


def load_choices(path: Path, default: SetupChoices) -> SetupChoices:
    try:
        return SetupChoices.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return default  # first run, or a file from an older version: start from the settings


def save_choices(path: Path, choices: SetupChoices) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, choices.model_dump_json(indent=2))

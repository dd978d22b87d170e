"""Sub-command handlers; `Context` builds the shared services lazily so each command pays only for what it uses."""

from __future__ import annotations

import argparse
from functools import cached_property
from pathlib import Path
from typing import Any

from ..bank import Bank, load_bank
from ..config import LoadedSettings, Settings, load_settings, resolve_bank_dir, resolve_cache_dir, resolve_sessions_dir
from ..errors import MockintError
from ..store.sessions import SessionStore


class Context:
    """Settings plus the bank and session store, built on first use."""

    def __init__(self, loaded: LoadedSettings):
        self.loaded = loaded

    @classmethod
    def from_args(cls, a: argparse.Namespace, flags: dict[str, Any]) -> "Context":
        return cls(load_settings(flags, getattr(a, "config", None)))

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @cached_property
    def bank_dir(self) -> Path:
        return resolve_bank_dir(self.settings)

    @cached_property
    def bank(self) -> Bank:
        d = self.bank_dir
        if not d.exists():
            raise MockintError(f"question bank folder {d} does not exist",
                               hint="set --bank DIR, MOCKINT_BANK_DIR or bank_dir in mockint.toml")
        return load_bank(d, cache=resolve_cache_dir(self.settings))

    def bank_or_none(self) -> Bank | None:
        try:
            return self.bank
        except MockintError:
            return None

    @cached_property
    def store(self) -> SessionStore:
        return SessionStore(resolve_sessions_dir(self.settings))

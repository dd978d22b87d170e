"""Open the TUI (imported only when the app is launched)."""

from __future__ import annotations

import argparse

from . import Context


def run_tui(ctx: Context, round_args: argparse.Namespace | None = None) -> int:
    from ..tui.app import MockintApp

    app = MockintApp(ctx, round_args=round_args)
    app.run()
    return app.return_code or 0

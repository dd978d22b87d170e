"""Open the TUI (imported only when the app is launched)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from . import Context


def run_tui(ctx: Context, round_args: argparse.Namespace | None = None) -> int:
    from ..errors import MockintError

    if round_args is not None and getattr(round_args, "answers_file", None):
        raise MockintError("--answers-file drives a scripted round: add --headless --text")
    _ = ctx.bank  # load it now: a broken bank is a clear error before the screen opens
    from ..tui.app import MockintApp

    app = MockintApp(ctx, round_args=round_args)
    with _terminal_protected():
        app.run()
    code = app.return_code or 0
    from .round_cmd import exit_promptly

    exit_promptly(code)  # a turn abandoned on quit may still be transcribing: do not wait for it
    return code


@contextlib.contextmanager
def _terminal_protected():
    """C libraries (ALSA, PortAudio, espeak) print to fd 2, which Textual draws on: send them to a log file."""
    if not os.isatty(2):
        yield
        return
    from ..config import APP

    from platformdirs import user_state_path

    log_dir = user_state_path(APP)
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tty_fd = os.dup(2)
    log_fd = os.open(log_dir / "mockint.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    saved = sys.__stderr__
    tty = os.fdopen(tty_fd, "w", encoding="utf-8", errors="replace", closefd=False)
    # typeshed marks sys.__stderr__ Final; Textual writes its output there, so it must keep the terminal
    sys.__stderr__ = tty  # type: ignore[misc]
    os.dup2(log_fd, 2)
    try:
        yield
    finally:
        os.dup2(tty_fd, 2)
        sys.__stderr__ = saved  # type: ignore[misc]
        os.close(log_fd)
        os.close(tty_fd)

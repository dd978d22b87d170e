"""The one error type the CLI turns into a clear message and a non-zero exit."""

from __future__ import annotations


class MockintError(Exception):
    """A problem the user can fix; `message` is shown as is, `exit_code` is the process status."""

    def __init__(self, message: str, exit_code: int = 2, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint


class BankError(MockintError):
    """A question bank that does not load; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems), exit_code=2)


class DeviceError(MockintError):
    """An audio device problem; the round can carry on with typed answers."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message, exit_code=3, hint=hint)

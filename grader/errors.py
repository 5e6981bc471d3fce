"""Errors that reach the user as a message and an exit code, never a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class DlgradeError(Exception):
    """A problem the user can fix: printed as-is, exit code 2."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None, fix: str | None = None):
        self.message = message
        self.file = file
        self.place = place
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file and self.place:
            where = f"{self.file}: {self.place}: "
        elif self.file:
            where = f"{self.file}: "
        text = f"{where}{self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class CourseError(DlgradeError):
    """curriculum.yaml (or a file it names) is invalid."""


class UsageError(DlgradeError):
    """The command line asks for something that cannot be done."""

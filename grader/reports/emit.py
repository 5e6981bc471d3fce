"""The one way a report leaves dlgrade: rendered in the format asked for, written to a file or shown, and added to
the GitHub job summary when ``GITHUB_STEP_SUMMARY`` is set. Used by ``check``, ``quiz``, ``grade`` and ``watch``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.reports.formats import Format


def _renderers(report: Any) -> dict[Format, Callable[[Any], str]]:
    from grader.engine.results import LessonResult

    if isinstance(report, LessonResult):
        from grader.reports import lesson

        return lesson.RENDERERS
    from grader.reports import quiz  # a quiz result: anything else with a quiz view

    return quiz.RENDERERS


def render(report: Any, fmt: Format | str) -> str:
    """``report`` (a ``LessonResult`` or a ``QuizResult``) in format ``fmt``."""
    return _renderers(report)[Format(fmt)](report)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def emit(report: Any, fmt: Format | str, output: Path | None = None, *, quiet: bool = False) -> None:
    """Show or write a report. With ``-o``, the file gets ``fmt`` and the terminal a text summary (unless quiet);
    without, ``text`` goes to the terminal (through rich) and any other format to standard output as it is.

    A file that cannot be written is a usage error, raised after the report was shown, so no result is lost.
    """
    fmt = Format(fmt)
    text = render(report, fmt)
    if output is None:
        if fmt is Format.text:
            show_text(text, quiet)
        else:
            sys.stdout.write(text)
    else:
        if fmt is not Format.text and not quiet:
            show_text(render(report, Format.text), quiet)
        try:
            write_atomically(output, text)
        except OSError as exc:
            if fmt is not Format.text or quiet:
                sys.stdout.write(text)
            raise UsageError(
                f"cannot write the report to {output}: {exc.strerror or exc}",
                fix="choose a path in a folder you can write to (the report was printed above)",
            ) from None
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(render(report, Format.markdown))
        except OSError:
            pass


def show_text(text: str, quiet: bool, console: Any = None) -> None:
    """A text report on the terminal (or on ``console``); ``quiet`` keeps failures and the summary only."""
    from rich.console import Console

    if quiet:
        text = "\n".join(ln for ln in text.splitlines() if "✔" not in ln) + "\n"
    (console or Console(highlight=False, soft_wrap=True)).print(text, end="")

"""What every command group shares: the context object (``ctx.obj``), option types, and small resolvers.

Nothing here imports torch or a heavy module at import time: ``--help`` and ``list`` stay instant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader.errors import UsageError
from grader.reports.formats import Format

if TYPE_CHECKING:
    from rich.console import Console

    from grader.course.curriculum import Course

__all__ = ["AppContext", "CourseOpt", "Device", "Format", "Sandbox", "WorkspaceOpt", "console"]


@dataclass
class AppContext:
    """Options given before the command (``dlgrade --quiet check ...``), handed to every command as ``ctx.obj``."""

    quiet: bool = False


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    return obj if obj is not None else AppContext()


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


class Sandbox(str, Enum):
    portable = "portable"
    strict = "strict"


DeviceOpt = Annotated[Device, typer.Option(help="Where to run: cpu, cuda or auto.")]
SandboxOpt = Annotated[
    Sandbox, typer.Option(help="portable (separate process, limits) or strict (plus every isolation layer here).")
]
BudgetOpt = Annotated[
    float | None,
    typer.Option(
        "--budget",
        min=1,
        help="Seconds a lesson's checks of one submission may take in all, whatever the code does "
        "(default: the course's lesson_budget_s, 60 s; an exercise may set its own budget_s).",
        show_default=False,
    ),
]
CourseOpt = Annotated[
    Path | None, typer.Option("--course", help="The course folder (holds curriculum.yaml).", show_default=False)
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Your workspace (default: the one you are in, else the course's exercises/).",
        show_default=False,
    ),
]


def load_course(course_dir: Path | None) -> Course:
    from grader.course.curriculum import load

    return load(course_dir)


def resolve_device(device: Device) -> str:
    if device is Device.cpu:
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device is Device.auto:
        return "cpu"
    raise UsageError("--device cuda was asked for, but no CUDA GPU is available here", fix="use --device cpu or auto")


def default_workspace(course: Course) -> Path:
    from grader.course.paths import find_workspace

    ws = find_workspace()
    return ws if ws is not None else course.exercises_dir


def workspace_of(course: Course, workspace: Path | None) -> Path:
    """``--workspace`` (checked), else the workspace around the working folder, else the course's stubs."""
    if workspace is None:
        return default_workspace(course)
    ws = workspace.expanduser().resolve()
    if not ws.is_dir():
        raise UsageError(f"workspace {ws} is not a folder", fix="pass --workspace DIR with your lesson folders")
    return ws


def _complete_ids(ctx: typer.Context, incomplete: str, exercises: bool) -> list[str]:
    given = ctx.params.get("course_dir")  # while completing, some Typer versions hand over the raw text
    try:
        course = load_course(Path(given) if given is not None else None)
    except Exception:
        return []
    names = [r.qualified_id for r in course.all_exercises()] if exercises else [les.id for les in course.lessons]
    return [n for n in names if n.startswith(incomplete)]


def complete_exercise(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_ids(ctx, incomplete, exercises=True)


def complete_lesson(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_ids(ctx, incomplete, exercises=False)


@contextmanager
def progress_bar(total: int, what: str) -> Iterator[Callable[[str, str], None] | None]:
    """On a terminal: a bar on stderr that says what is being graded and how far along; piped: nothing at all.

    Yields the callback a ``Grader`` calls with (run id, exercise id) as each (run, exercise) begins.
    """
    import sys

    if not sys.stderr.isatty() or total <= 1:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console(stderr=True), transient=True,
    )  # fmt: skip
    with bar:
        task = bar.add_task(what, total=total)

        def advance(run: str, exercise: str) -> None:
            who = run.rsplit(":", 1)[-1] if run.startswith("mutant:") else run
            label = (
                f"{exercise} ({'mutant ' + who if run.startswith('mutant:') else who})" if what != "check" else exercise
            )
            bar.update(task, advance=1, description=f"{what}: {label}")

        yield advance

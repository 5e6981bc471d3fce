"""Learner commands: ``init``, ``reset``, ``progress``, ``solution``, ``watch``. Registered on the main app at import.

Kept light at import (no watchfiles, no torch): each command imports what it needs when it runs.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader.cli import STATE, CourseOpt, Device, app, console, default_workspace, load_course, resolve_device
from grader.errors import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from grader.curriculum import Course

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Your workspace (default: the one you are in, else the course's exercises/).",
        show_default=False,
    ),
]


def _complete_ids(ctx: typer.Context, incomplete: str, exercises: bool) -> list[str]:
    try:
        from grader.curriculum import load

        course = load(ctx.params.get("course_dir"))
    except Exception:
        return []
    names = [les.id for les in course.lessons]
    if exercises:
        names = [r.qualified_id for r in course.all_exercises()]
    return [n for n in names if n.startswith(incomplete)]


def _complete_exercise(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_ids(ctx, incomplete, exercises=True)


def _complete_lesson(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_ids(ctx, incomplete, exercises=False)


def _workspace(course: Course, workspace: Path | None) -> Path:
    if workspace is None:
        return default_workspace(course)
    ws = workspace.expanduser().resolve()
    if not ws.is_dir():
        raise UsageError(f"workspace {ws} is not a folder", fix="pass --workspace DIR with your lesson folders")
    return ws


# ---------------------------------------------------------------------- init


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The folder to create (or to update, if it is a workspace).")],
    course_dir: CourseOpt = None,
) -> None:
    """Make a workspace of your own: a copy of every stub and lesson README, which course updates never overwrite.

    Inside it, [bold]check[/bold], [bold]watch[/bold], [bold]list[/bold] and [bold]progress[/bold] find it (and
    the course) by themselves. Running init again in a workspace adds only the files that are missing.

    Examples: [bold]dlgrade init ~/dl-work[/bold] then [bold]cd ~/dl-work && dlgrade list[/bold] ·
    [bold]dlgrade init ~/dl-work --course ~/src/dlgrade[/bold]
    """
    from grader.workspace import init_workspace

    course = load_course(course_dir)
    report = init_workspace(course, directory)
    out = console()
    n = len(report.created)
    if report.new:
        out.print(f"made a workspace in [bold]{report.workspace}[/bold] ({n} files from {course.root})")
        out.print(f"next: [bold]cd {report.workspace}[/bold] then [bold]dlgrade list[/bold]")
    elif n:
        out.print(f"added {n} new file{'s' if n != 1 else ''} to {report.workspace}; yours were left alone:")
        if not STATE["quiet"]:
            for rel in report.created:
                out.print(f"  + {rel.as_posix()}")
    else:
        out.print(f"{report.workspace} is up to date: no file was missing (yours were left alone)")


# ---------------------------------------------------------------------- reset


@app.command()
def reset(
    exercise: Annotated[
        str, typer.Argument(help="lesson7.softmax_ce (or softmax_ce when unique)", autocompletion=_complete_exercise)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Put a fresh copy of an exercise's stub in your workspace; your file is kept in .dlgrade/backup/.

    Asks first (unless --yes). Your progress is kept.

    Examples: [bold]dlgrade reset lesson7.softmax_ce[/bold] · [bold]dlgrade reset softmax_ce --yes[/bold]
    """
    from grader.workspace import plan_reset, reset_exercise

    course = load_course(course_dir)
    ref = course.find_exercise(exercise)
    ws = _workspace(course, workspace)
    plan = plan_reset(ref, ws)
    out = console()
    if plan.unchanged:
        out.print(f"{ref.filename} is already the stub; nothing to do")
        raise typer.Exit(EXIT_OK)
    if plan.exists and not yes:
        try:
            ok = typer.confirm(
                f"Replace {plan.target} with a fresh stub? (your version goes to .dlgrade/backup/)", default=False
            )
        except typer.Abort:
            ok = False
        if not ok:
            out.print("nothing changed")
            raise typer.Exit(EXIT_FAILED)
    backup = reset_exercise(ref, ws)
    if backup is not None:
        out.print(f"restored the stub of {ref.qualified_id} in {plan.target}; your version: {backup}")
    else:
        out.print(f"restored the stub of {ref.qualified_id} in {plan.target}")


# ---------------------------------------------------------------------- progress


class ProgressFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def progress(
    lesson: Annotated[
        str | None,
        typer.Argument(
            help="lesson7 or 7: one row per exercise; every lesson when omitted", autocompletion=_complete_lesson
        ),
    ] = None,
    fmt: Annotated[ProgressFormat, typer.Option("--format", "-f", help="text (a table) or json.")] = (
        ProgressFormat.text
    ),
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Your progress per lesson: exercises passed, points, best quiz score, flashcards due.

    Examples: [bold]dlgrade progress[/bold] · [bold]dlgrade progress lesson7[/bold] (with each exercise's tries and
    first pass) · [bold]dlgrade progress --format json[/bold]
    """
    from grader.listing import progress_data, show_progress

    course = load_course(course_dir)
    ws = _workspace(course, workspace)
    lessons = [course.lesson(lesson)] if lesson else None
    data = progress_data(course, ws, lessons)
    if fmt is ProgressFormat.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        show_progress(data, console(), detail=lesson is not None)


# ---------------------------------------------------------------------- solution


@app.command()
def solution(
    exercise: Annotated[
        str, typer.Argument(help="lesson7.softmax_ce (or softmax_ce when unique)", autocompletion=_complete_exercise)
    ],
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Show the reference solution of an exercise, once yours has passed.

    Exit code 1 (and no solution) while the exercise has not passed yet.

    Example: [bold]dlgrade solution lesson7.softmax_ce[/bold]
    """
    from grader.listing import read_progress

    course = load_course(course_dir)
    ref = course.find_exercise(exercise)
    ws = _workspace(course, workspace)
    s = read_progress(ws).exercises.get(ref.qualified_id)
    if not (s and s["passed"]):
        err = console(stderr=True)
        why = (
            "you have not checked it yet"
            if s is None
            else f"it has not passed yet ({s['attempts']} {'try' if s['attempts'] == 1 else 'tries'})"
        )
        err.print(f"the solution of {ref.qualified_id} opens once your exercise passes: {why}")
        err.print(
            f"pass it first: [bold]dlgrade check {ref.qualified_id}[/bold] (stuck? dlgrade hint {ref.qualified_id})"
        )
        raise typer.Exit(EXIT_FAILED)
    try:
        code = ref.solution_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read the solution of {ref.qualified_id}: {exc.strerror}", file=str(ref.solution_path)
        ) from None
    from rich.syntax import Syntax

    console(stderr=True).print(f"[bold]{ref.qualified_id}[/bold] — reference solution ({ref.solution_path.name})")
    out = console()
    if out.is_terminal:
        out.print(Syntax(code, "python", theme="ansi_dark", background_color="default", word_wrap=True))
    else:
        sys.stdout.write(code)


# ---------------------------------------------------------------------- watch


@app.command()
def watch(
    lesson: Annotated[
        str | None, typer.Argument(help="lesson7 or 7; every lesson when omitted", autocompletion=_complete_lesson)
    ] = None,
    poll: Annotated[
        bool | None,
        typer.Option(
            "--poll/--no-poll",
            help="Poll for changes instead of waiting for file events (for network, VM and container-shared "
            "folders). Default: poll where the folder's file system needs it.",
            show_default=False,
        ),
    ] = None,
    device: Annotated[Device, typer.Option(help="Where to run: cpu, cuda or auto.")] = Device.cpu,
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Re-check an exercise each time you save its file, with the next hint after repeated failures.

    Keys: [bold]h[/bold] hint · [bold]n[/bold] next exercise · [bold]l[/bold] list · [bold]c[/bold] check again ·
    [bold]q[/bold] quit. It never moves on by itself.

    Examples: [bold]dlgrade watch lesson7[/bold] · [bold]dlgrade watch 7 --poll[/bold] (in a shared folder)
    """
    from grader.watch import Watcher

    course = load_course(course_dir)
    ws = _workspace(course, workspace)
    lessons = [course.lesson(lesson)] if lesson else course.lessons
    watcher = Watcher(
        course, ws, lessons, console(), device=resolve_device(device), poll=poll, quiet=bool(STATE["quiet"])
    )
    raise typer.Exit(watcher.run())

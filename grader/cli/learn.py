"""Learner commands around the exercises: ``list``, ``hint``, ``init``, ``reset``, ``progress``, ``solution``.

Kept light at import (no torch): each command imports what it needs when it runs.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from grader.cli.context import (
    CourseOpt,
    WorkspaceOpt,
    app_context,
    complete_exercise,
    complete_lesson,
    console,
    default_workspace,
    load_course,
    workspace_of,
)
from grader.errors import EXIT_FAILED, EXIT_OK, UsageError

app = typer.Typer()


@app.command("list")
def list_cmd(course_dir: CourseOpt = None) -> None:
    """List lessons and exercises with your status.

    Example: [bold]dlgrade list[/bold]
    """
    from grader.progress.listing import show_list

    course = load_course(course_dir)
    show_list(course, default_workspace(course), console())


@app.command()
def hint(
    exercise: Annotated[str, typer.Argument(help="lesson7.softmax_ce (or softmax_ce when unique)")],
    level: Annotated[int, typer.Option("--level", "-l", min=1, help="1 is a nudge; the last is near the answer.")] = 1,
    course_dir: CourseOpt = None,
) -> None:
    """Show a hint for an exercise, from a nudge (level 1) to near the solution.

    Example: [bold]dlgrade hint lesson7.softmax_ce --level 2[/bold]
    """
    course = load_course(course_dir)
    ref = course.find_exercise(exercise)
    hints = ref.ex.hints
    n = min(level, len(hints))
    out = console()
    from rich.markup import escape

    out.print(f"[bold]{ref.qualified_id}[/bold] — hint {n} of {len(hints)}")
    out.print(escape(hints[n - 1]))
    if n < len(hints):
        out.print(f"[dim]more: dlgrade hint {ref.qualified_id} --level {n + 1}[/dim]")


@app.command()
def init(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="The folder to create (or to update, if it is a workspace).")],
    notebooks: Annotated[
        bool,
        typer.Option(
            "--notebooks",
            help="One Jupyter notebook per lesson (lesson7.ipynb: the notes, then a cell per exercise) "
            "instead of .py files.",
        ),
    ] = False,
    course_dir: CourseOpt = None,
) -> None:
    """Make a workspace of your own: a copy of every stub and lesson README, which course updates never overwrite.

    Inside it, [bold]check[/bold], [bold]watch[/bold], [bold]list[/bold] and [bold]progress[/bold] find it (and
    the course) by themselves. Running init again in a workspace adds only the files that are missing. With
    [bold]--notebooks[/bold], one notebook per lesson instead (see docs/notebooks.md).

    Examples: [bold]dlgrade init ~/dl-work[/bold] then [bold]cd ~/dl-work && dlgrade list[/bold] ·
    [bold]dlgrade init ~/dl-work --course ~/src/dlgrade[/bold] ·
    [bold]dlgrade init ~/dl-notebooks --notebooks[/bold] then open lesson1.ipynb in Jupyter
    """
    from grader.course.workspace import NOTEBOOKS, init_workspace

    course = load_course(course_dir)
    report = init_workspace(course, directory, notebooks=notebooks)
    out = console()
    n = len(report.created)
    kind = "notebook" if report.layout == NOTEBOOKS else "file"
    if report.new:
        out.print(f"made a workspace in [bold]{report.workspace}[/bold] ({n} {kind}s from {course.root})")
        if report.layout == NOTEBOOKS:
            out.print(
                f"next: open [bold]{report.workspace}[/bold] in Jupyter (e.g. [bold]cd {report.workspace} && "
                "jupyter lab[/bold]), open a lesson's notebook and run its first cell ([bold]%load_ext dlgrade[/bold])"
            )
        else:
            out.print(f"next: [bold]cd {report.workspace}[/bold] then [bold]dlgrade list[/bold]")
        return
    if n:
        out.print(f"added {n} new {kind}{'s' if n != 1 else ''} to {report.workspace}; yours were left alone:")
        if not app_context(ctx).quiet:
            for rel in report.created:
                out.print(f"  + {rel.as_posix()}")
    if report.cells:
        m = len(report.cells)
        out.print(
            f"added the cell{'s' if m != 1 else ''} of {m} exercise{'s' if m != 1 else ''} no notebook held, "
            "at the end of its lesson's notebook; your cells were left alone:"
        )
        if not app_context(ctx).quiet:
            for qid in report.cells:
                out.print(f"  + {qid}")
    if not n and not report.cells:
        out.print(f"{report.workspace} is up to date: no {kind} was missing (yours were left alone)")


# ---------------------------------------------------------------------- reset


@app.command()
def reset(
    exercise: Annotated[
        str, typer.Argument(help="lesson7.softmax_ce (or softmax_ce when unique)", autocompletion=complete_exercise)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Put a fresh copy of an exercise's stub in your workspace; your file is kept in .dlgrade/backup/.

    Asks first (unless --yes). Your progress is kept.

    Examples: [bold]dlgrade reset lesson7.softmax_ce[/bold] · [bold]dlgrade reset softmax_ce --yes[/bold]
    """
    from grader.course.workspace import plan_reset, reset_exercise

    course = load_course(course_dir)
    ref = course.find_exercise(exercise)
    ws = workspace_of(course, workspace)
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
            help="lesson7 or 7: one row per exercise; every lesson when omitted", autocompletion=complete_lesson
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
    from grader.progress.listing import progress_data, show_progress

    course = load_course(course_dir)
    ws = workspace_of(course, workspace)
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
        str, typer.Argument(help="lesson7.softmax_ce (or softmax_ce when unique)", autocompletion=complete_exercise)
    ],
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Show the reference solution of an exercise, once yours has passed.

    Exit code 1 (and no solution) while the exercise has not passed yet.

    Example: [bold]dlgrade solution lesson7.softmax_ce[/bold]
    """
    from grader.progress.listing import read_progress

    course = load_course(course_dir)
    ref = course.find_exercise(exercise)
    ws = workspace_of(course, workspace)
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

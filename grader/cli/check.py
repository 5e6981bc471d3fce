"""Grading commands for learners: ``check`` (grade a lesson or an exercise) and ``watch`` (re-check on save)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.context import (
    BudgetOpt,
    CourseOpt,
    Device,
    DeviceOpt,
    Format,
    Sandbox,
    SandboxOpt,
    WorkspaceOpt,
    app_context,
    complete_lesson,
    console,
    load_course,
    progress_bar,
    resolve_device,
    workspace_of,
)
from grader.errors import EXIT_FAILED, EXIT_OK, UsageError

app = typer.Typer()


@app.command()
def check(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="lesson7, 7 or lesson7.softmax_ce")],
    workspace: WorkspaceOpt = None,
    solutions: Annotated[bool, typer.Option("--solutions", help="Grade the reference solutions.")] = False,
    device: DeviceOpt = Device.cpu,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    hidden: Annotated[
        Path | None, typer.Option("--hidden", help="A folder of hidden suites (<lesson>/test_<exercise>.py).")
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="Run only the public suites.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Grading processes in parallel.")] = 1,
    sandbox: SandboxOpt = Sandbox.portable,
    budget: BudgetOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Grade your exercises against the hidden suites.

    Examples: [bold]dlgrade check lesson7[/bold] · [bold]dlgrade check 7.softmax_ce[/bold] ·
    [bold]dlgrade check lesson7 --format junit -o report.xml[/bold]

    Time: each call has its own limit, and a lesson's checks stop at its time budget (--budget; the course's
    default is 60 s), whatever the code does.

    Exit codes: 0 all checks passed, 1 some failed, 2 usage or course error, 3 internal error.
    """
    from grader.engine.engine import Engine
    from grader.engine.results import Status
    from grader.engine.runner import GradeOptions
    from grader.grading.check import grade_target
    from grader.reports.emit import emit

    if solutions and workspace:
        raise UsageError("--solutions and --workspace cannot be used together")
    where = resolve_device(device)
    # Start the engine first: its imports (pytest, torch, the zygote's torch) overlap everything that follows.
    engine = Engine(device=where).start() if jobs == 1 else None
    try:
        course = load_course(course_dir)
        ws = course.root / course.data.paths.solutions if solutions else workspace_of(course, workspace)
        opts = GradeOptions(
            device=where, jobs=jobs, hidden_dir=hidden, public_only=public, sandbox=sandbox.value, budget_s=budget
        )
        with progress_bar(len(course.select(target)[1]), "check") as progress:
            result = grade_target(
                course, target, ws, opts, record=not solutions, engine=engine, progress=progress
            )  # fmt: skip
        emit(result, fmt, output, quiet=app_context(ctx).quiet)  # after the bar is gone, never under it
        code = EXIT_OK if result.status is Status.PASSED else EXIT_FAILED
    finally:
        if engine is not None:
            engine.close()
    raise typer.Exit(code)


@app.command()
def watch(
    ctx: typer.Context,
    lesson: Annotated[
        str | None, typer.Argument(help="lesson7 or 7; every lesson when omitted", autocompletion=complete_lesson)
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
    device: DeviceOpt = Device.cpu,
    sandbox: SandboxOpt = Sandbox.portable,
    workspace: WorkspaceOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Re-check an exercise each time you save its file, with the next hint after repeated failures.

    Keys: [bold]h[/bold] hint · [bold]n[/bold] next exercise · [bold]l[/bold] list · [bold]c[/bold] check again ·
    [bold]q[/bold] quit. It never moves on by itself.

    Examples: [bold]dlgrade watch lesson7[/bold] · [bold]dlgrade watch 7 --poll[/bold] (in a shared folder)
    """
    from grader.watch.watcher import Watcher

    course = load_course(course_dir)
    ws = workspace_of(course, workspace)
    lessons = [course.lesson(lesson)] if lesson else course.lessons
    watcher = Watcher(
        course,
        ws,
        lessons,
        console(),
        device=resolve_device(device),
        sandbox=sandbox.value,
        poll=poll,
        quiet=app_context(ctx).quiet,
    )
    raise typer.Exit(watcher.run())

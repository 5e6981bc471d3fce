"""Instructor grading: ``grade`` (a whole class, resumable, locally or on a Dask cluster)."""

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
    app_context,
    load_course,
    resolve_device,
)

app = typer.Typer()


@app.command()
def grade(
    ctx: typer.Context,
    submissions: Annotated[Path, typer.Argument(help="A folder with one subfolder or .zip per learner.")],
    lesson: Annotated[str, typer.Option("--lesson", "-l", help="The lesson (or lesson.exercise) to grade.")],
    out: Annotated[Path, typer.Option("--out", help="Where the gradebook, results and feedback go.")] = Path("grades"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Grading processes in parallel.")] = 2,
    force: Annotated[bool, typer.Option("--force", help="Regrade submissions already graded.")] = False,
    only: Annotated[str | None, typer.Option("--only", help="Regrade only this submission.")] = None,
    device: DeviceOpt = Device.cpu,
    hidden: Annotated[Path | None, typer.Option("--hidden", help="A folder of hidden suites.")] = None,
    fmt: Annotated[
        Format | None, typer.Option("--format", "-f", help="Also write each learner's report in this format.")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="A Dask scheduler address (tcp://host:8786).")
    ] = None,
    sandbox: SandboxOpt = Sandbox.strict,
    budget: BudgetOpt = None,
    course_dir: CourseOpt = None,
) -> None:
    """Grade a whole class: one isolated worker per submission, warm interpreters, resumable.

    Example: [bold]dlgrade grade submissions/ --lesson lesson7 --jobs 2[/bold]

    Writes OUT/gradebook.csv, OUT/gradebook.json, OUT/class.html and OUT/class.json (distributions, the checks
    failed most, common mistakes), OUT/feedback/<learner>.md|.html and OUT/results/<learner>.json. Each
    submission's checks stop at the lesson's time budget (--budget), and grading moves on to the next.
    """
    from grader.batch.run import run_grade

    course = load_course(course_dir)
    code = run_grade(
        course,
        submissions,
        lesson,
        out,
        jobs=jobs,
        force=force,
        only=only,
        device=resolve_device(device),
        hidden=hidden,
        fmt=fmt.value if fmt else None,
        cluster=cluster,
        sandbox=sandbox.value,
        budget=budget,
        quiet=app_context(ctx).quiet,
    )
    raise typer.Exit(code)

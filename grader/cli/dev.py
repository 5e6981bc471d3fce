"""Instructor tools: ``dev check`` (prove every suite), ``dev new`` (scaffold an exercise), ``doctor``."""

from __future__ import annotations

from typing import Annotated

import typer

from grader.cli.context import CourseOpt, Device, DeviceOpt, console, load_course, progress_bar, resolve_device
from grader.errors import EXIT_FAILED, EXIT_OK

app = typer.Typer()
dev = typer.Typer(help="Instructor commands: prove suites, scaffold exercises.", no_args_is_help=True)
app.add_typer(dev, name="dev")


@dev.command("check")
def dev_check(
    target: Annotated[str | None, typer.Argument(help="A lesson or lesson.exercise; all when omitted.")] = None,
    device: DeviceOpt = Device.cpu,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Grading processes in parallel.")] = 2,
    course_dir: CourseOpt = None,
) -> None:
    """Prove every suite: the solution passes, the stub fails with 'not implemented', every mutant fails.

    Example: [bold]dlgrade dev check lesson7 --jobs 2[/bold]
    """
    from grader.instructor.devcheck import count_runs, prove, show_proofs

    course = load_course(course_dir)
    refs = course.select(target)[1] if target else course.all_exercises()
    with progress_bar(count_runs(refs), "dev check") as progress:
        proofs = prove(course, refs, device=resolve_device(device), jobs=jobs, progress=progress)
    ok = show_proofs(proofs, console())
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@dev.command("new")
def dev_new(
    lesson: Annotated[str, typer.Argument(help="The lesson, e.g. lesson3.")],
    exercise: Annotated[str, typer.Argument(help="The new exercise id, lower_snake_case.")],
    course_dir: CourseOpt = None,
) -> None:
    """Scaffold an exercise: stub, solution, hidden suite, mutants file and its curriculum entry.

    Example: [bold]dlgrade dev new lesson3 linear_backward[/bold],
    then [bold]dlgrade dev check lesson3.linear_backward[/bold]
    """
    from grader.instructor.scaffold import scaffold

    course = load_course(course_dir)
    for p in scaffold(course, lesson, exercise):
        console().print(f"wrote {p}")
    console().print(f"next: fill them in, then [bold]dlgrade dev check {course.lesson(lesson).id}.{exercise}[/bold]")


@app.command()
def doctor() -> None:
    """Show which isolation layers this machine offers, and why others are missing.

    Example: [bold]dlgrade doctor[/bold]
    """
    from grader.instructor.doctor import show

    raise typer.Exit(show())

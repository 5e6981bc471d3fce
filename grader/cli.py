"""The ``dlgrade`` command line. Commands are thin: parse, call one module, map errors to exit codes.

Nothing here imports torch at start-up; only grading does, in its own processes.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader import __version__
from grader.errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, DlgradeError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from grader.curriculum import Course

app = typer.Typer(
    name="dlgrade",
    help="Learn deep learning by building it: auto-graded PyTorch exercises, flashcards and quizzes.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=True,
    pretty_exceptions_enable=False,
)
dev_app = typer.Typer(help="Instructor commands: prove suites, scaffold exercises.", no_args_is_help=True)
app.add_typer(dev_app, name="dev")

CourseOpt = Annotated[
    Path | None, typer.Option("--course", help="The course folder (holds curriculum.yaml).", show_default=False)
]


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


class Format(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    markdown = "markdown"
    html = "html"
    gradescope = "gradescope"


STATE = {"quiet": False}


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlgrade {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print less: only failures and the summary.")] = False,
) -> None:
    STATE["quiet"] = quiet


def load_course(course_dir: Path | None) -> Course:
    from grader.curriculum import load

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
    from grader.workspace import find_workspace

    ws = find_workspace()
    return ws if ws is not None else course.exercises_dir


# ---------------------------------------------------------------------- list


@app.command("list")
def list_cmd(course_dir: CourseOpt = None) -> None:
    """List lessons and exercises with your status.

    Example: [bold]dlgrade list[/bold]
    """
    from grader.listing import show_list

    course = load_course(course_dir)
    show_list(course, default_workspace(course), console())


# ---------------------------------------------------------------------- check


@app.command()
def check(
    target: Annotated[str, typer.Argument(help="lesson7, 7 or lesson7.softmax_ce")],
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Grade this folder (same layout as exercises/).")
    ] = None,
    solutions: Annotated[bool, typer.Option("--solutions", help="Grade the reference solutions.")] = False,
    device: Annotated[Device, typer.Option(help="Where to run: cpu, cuda or auto.")] = Device.cpu,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    hidden: Annotated[
        Path | None, typer.Option("--hidden", help="A folder of hidden suites (<lesson>/test_<exercise>.py).")
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="Run only the public suites.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Grading processes in parallel.")] = 1,
    sandbox: Annotated[
        str, typer.Option(help="portable (separate process, limits) or strict (plus every isolation layer here).")
    ] = "portable",
    course_dir: CourseOpt = None,
) -> None:
    """Grade your exercises against the hidden suites.

    Examples: [bold]dlgrade check lesson7[/bold] · [bold]dlgrade check 7.softmax_ce[/bold] ·
    [bold]dlgrade check lesson7 --format junit -o report.xml[/bold]

    Exit codes: 0 all checks passed, 1 some failed, 2 usage or course error, 3 internal error.
    """
    from grader.checking import run_check

    course = load_course(course_dir)
    if solutions and workspace:
        raise UsageError("--solutions and --workspace cannot be used together")
    ws = (
        course.root / course.data.paths.solutions
        if solutions
        else (workspace.resolve() if workspace else default_workspace(course))
    )
    if not ws.is_dir():
        raise UsageError(f"workspace {ws} is not a folder", fix="pass --workspace DIR with your lesson folders")
    code = run_check(
        course,
        target,
        ws,
        device=resolve_device(device),
        fmt=fmt.value,
        output=output,
        hidden=hidden,
        public=public,
        jobs=jobs,
        record=not solutions,
        quiet=bool(STATE["quiet"]),
        sandbox=_sandbox(sandbox),
    )
    raise typer.Exit(code)


# ---------------------------------------------------------------------- grade


class Sandbox(str, Enum):
    strict = "strict"
    portable = "portable"


def _sandbox(value: str) -> str:
    if value not in ("strict", "portable"):
        raise UsageError(f"--sandbox {value!r} is not known", fix="use --sandbox strict or --sandbox portable")
    return value


@app.command()
def grade(
    submissions: Annotated[Path, typer.Argument(help="A folder with one subfolder or .zip per learner.")],
    lesson: Annotated[str, typer.Option("--lesson", "-l", help="The lesson (or lesson.exercise) to grade.")],
    out: Annotated[Path, typer.Option("--out", help="Where the gradebook, results and feedback go.")] = Path("grades"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Grading processes in parallel.")] = 2,
    force: Annotated[bool, typer.Option("--force", help="Regrade submissions already graded.")] = False,
    only: Annotated[str | None, typer.Option("--only", help="Regrade only this submission.")] = None,
    device: Annotated[Device, typer.Option(help="cpu, cuda or auto.")] = Device.cpu,
    hidden: Annotated[Path | None, typer.Option("--hidden", help="A folder of hidden suites.")] = None,
    fmt: Annotated[
        Format | None, typer.Option("--format", "-f", help="Also write each learner's report in this format.")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="A Dask scheduler address (tcp://host:8786).")
    ] = None,
    sandbox: Annotated[Sandbox, typer.Option(help="strict: every isolation layer the machine offers.")] = (
        Sandbox.strict
    ),
    course_dir: CourseOpt = None,
) -> None:
    """Grade a whole class: one isolated worker per submission, warm interpreters, resumable.

    Example: [bold]dlgrade grade submissions/ --lesson lesson7 --jobs 2[/bold]

    Writes OUT/gradebook.csv, OUT/gradebook.json, OUT/feedback/<learner>.md|.html and OUT/results/<learner>.json.
    """
    from grader.batch_cli import run_grade

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
        quiet=bool(STATE["quiet"]),
    )
    raise typer.Exit(code)


# ---------------------------------------------------------------------- hint


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


# ---------------------------------------------------------------------- doctor


@app.command()
def doctor() -> None:
    """Show which isolation layers this machine offers, and why others are missing.

    Example: [bold]dlgrade doctor[/bold]
    """
    from grader.doctor import show

    raise typer.Exit(show())


# ---------------------------------------------------------------------- dev


@dev_app.command("check")
def dev_check(
    target: Annotated[str | None, typer.Argument(help="A lesson or lesson.exercise; all when omitted.")] = None,
    device: Annotated[Device, typer.Option(help="cpu, cuda or auto.")] = Device.cpu,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Grading processes in parallel.")] = 2,
    course_dir: CourseOpt = None,
) -> None:
    """Prove every suite: the solution passes, the stub fails with 'not implemented', every mutant fails.

    Example: [bold]dlgrade dev check lesson7 --jobs 2[/bold]
    """
    from grader.devcheck import prove, show_proofs

    course = load_course(course_dir)
    if target:
        _, refs = course.select(target)
    else:
        refs = course.all_exercises()
    proofs = prove(course, refs, device=resolve_device(device), jobs=jobs)
    ok = show_proofs(proofs, console())
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@dev_app.command("new")
def dev_new(
    lesson: Annotated[str, typer.Argument(help="The lesson, e.g. lesson3.")],
    exercise: Annotated[str, typer.Argument(help="The new exercise id, lower_snake_case.")],
    course_dir: CourseOpt = None,
) -> None:
    """Scaffold an exercise: stub, solution, hidden suite, mutants file and its curriculum entry.

    Example: [bold]dlgrade dev new lesson3 linear_backward[/bold],
    then [bold]dlgrade dev check lesson3.linear_backward[/bold]
    """
    from grader.scaffold import scaffold

    course = load_course(course_dir)
    for p in scaffold(course, lesson, exercise):
        console().print(f"wrote {p}")
    console().print(f"next: fill them in, then [bold]dlgrade dev check {course.lesson(lesson).id}.{exercise}[/bold]")


# ---------------------------------------------------------------------- entry point


def main() -> None:
    try:
        rv = app(standalone_mode=False)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)
    except DlgradeError as exc:
        console(stderr=True).print(f"[red]error:[/red] {_esc(exc.render())}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console(stderr=True).print("interrupted")
        sys.exit(130)
    except Exception as exc:  # the grader itself broke: say so, exit 3
        # typer's bundled click: usage errors know how to show themselves.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(EXIT_USAGE)
        if type(exc).__name__ == "Abort":
            sys.exit(130)
        if os.environ.get("DLGRADE_DEBUG"):
            raise
        console(stderr=True).print(f"[red]internal error:[/red] {_esc(type(exc).__name__)}: {_esc(str(exc))}")
        console(stderr=True).print("[dim]set DLGRADE_DEBUG=1 for the traceback[/dim]")
        sys.exit(EXIT_INTERNAL)


def _esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


# Study commands (cards, review, quiz) register themselves on ``app``; their heavy imports stay lazy.
import grader.cli_learn  # noqa: E402,F401  (learner commands: init, reset, progress, solution, watch)
from grader import cli_study  # noqa: E402,F401

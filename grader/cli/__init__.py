"""The ``dlgrade`` command line: one module per command group, assembled here.

Commands are thin: parse options, make one call into the package that does the work, turn a domain error into a
message and an exit code. Groups (``check``, ``learn``, ``study``, ``batch``, ``dev``) import ``grader.cli.context``
and the packages they drive, never this module. Nothing here imports torch at start-up; only grading does, in its
own processes.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from grader import __version__
from grader.cli import batch, check, dev, learn, study
from grader.cli.context import AppContext, console
from grader.errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, DlgradeError

app = typer.Typer(
    name="dlgrade",
    help="Learn deep learning by building it: auto-graded PyTorch exercises, flashcards and quizzes.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=True,
    pretty_exceptions_enable=False,
)
for group in (check, learn, study, batch, dev):
    app.add_typer(group.app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlgrade {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print less: only failures and the summary.")] = False,
) -> None:
    ctx.obj = AppContext(quiet=quiet)


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

"""The grading process the ``%%dlgrade`` magic starts: one cell, graded as ``dlgrade check`` grades a file.

    python -m grader.notebook.grade EXERCISE --cell FILE --out DIR [--course DIR] [--workspace DIR] [--device cpu]
        [--sandbox portable|strict]

Finds the course as the command line does (``--course``, ``$DLGRADE_COURSE``, or up from the working folder, a
workspace's marker included) and the workspace likewise (``--workspace``, the one around the working folder, else
the course's ``exercises/``). The cell's code takes the place of the exercise's file in the run's temporary copy;
the run records progress in the workspace like ``check``. Writes ``report.html``, ``report.txt`` and
``report.json`` into ``--out``. Exit codes as ``check``: 0 passed, 1 not, 2 a problem to fix (message on standard
error), 3 the grader broke.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from grader.errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, DlgradeError, UsageError


def _device(name: str) -> str:
    if name == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if name == "auto":
        return "cpu"
    raise UsageError("--device cuda was asked for, but no CUDA GPU is available here", fix="use --device cpu or auto")


def _workspace(explicit: Path | None, exercises_dir: Path) -> Path:
    from grader.course.paths import find_workspace

    if explicit is not None:
        ws = explicit.expanduser().resolve()
        if not ws.is_dir():
            raise UsageError(f"workspace {ws} is not a folder", fix="pass --workspace DIR with your lesson folders")
        return ws
    return find_workspace() or exercises_dir


def grade_cell(
    exercise: str,
    code: str,
    out: Path,
    course_dir: Path | None,
    workspace: Path | None,
    device: str,
    sandbox: str = "portable",
) -> int:
    from rich.text import Text

    from grader.course.curriculum import load
    from grader.engine.results import Status
    from grader.engine.runner import GradeOptions
    from grader.grading.check import grade_target
    from grader.reports.emit import render, write_atomically
    from grader.reports.formats import Format

    course = load(course_dir)
    ref = course.find_exercise(exercise)
    ws = _workspace(workspace, course.exercises_dir)
    opts = GradeOptions(device=_device(device), sandbox=sandbox)
    result = grade_target(course, ref.qualified_id, ws, opts, cells={ref.qualified_id: code})
    ex = result.exercises[0]
    summary = {
        "exercise": ex.id,
        "status": ex.status.value,
        "score": ex.score,
        "max_score": ex.max_score,
        "failed_kinds": sorted({c.kind for c in ex.checks if c.kind and c.status is not Status.PASSED}),
        "error": ex.error,
    }
    write_atomically(out / "report.html", render(result, Format.html))
    write_atomically(out / "report.txt", Text.from_markup(render(result, Format.text)).plain)
    write_atomically(out / "report.json", json.dumps({"summary": summary, "report": result.to_json()}, indent=1))
    return EXIT_OK if result.status is Status.PASSED else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m grader.notebook.grade", description=__doc__.split("\n")[0])
    p.add_argument("exercise")
    p.add_argument("--cell", type=Path, required=True, help="the file holding the cell's code")
    p.add_argument("--out", type=Path, required=True, help="the folder for the reports")
    p.add_argument("--course", type=Path)
    p.add_argument("--workspace", type=Path)
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    p.add_argument("--sandbox", choices=["portable", "strict"], default="portable")
    args = p.parse_args(argv)
    # The magic stops a run with SIGINT: the runner then stops the grading processes it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = args.cell.read_text(encoding="utf-8")
        return grade_cell(args.exercise, code, args.out, args.course, args.workspace, args.device, args.sandbox)
    except DlgradeError as exc:
        sys.stderr.write(f"error: {exc.render()}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # the grader itself broke: say so
        if os.environ.get("DLGRADE_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n(set DLGRADE_DEBUG=1 for the traceback)\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

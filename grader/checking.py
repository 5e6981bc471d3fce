"""``dlgrade check``: grade a lesson (or one exercise) and report."""

from __future__ import annotations

import os
from pathlib import Path

from grader.curriculum import Course
from grader.errors import EXIT_FAILED, EXIT_OK
from grader.render import render
from grader.results import LessonResult, Status, summarize
from grader.runner import GradeOptions, grade_workspace


def run_check(
    course: Course,
    target: str,
    workspace: Path,
    *,
    device: str = "cpu",
    fmt: str = "text",
    output: Path | None = None,
    hidden: Path | None = None,
    public: bool = False,
    jobs: int = 1,
    record: bool = True,
    quiet: bool = False,
    sandbox: str = "portable",
) -> int:
    lesson, refs = course.select(target)
    opts = GradeOptions(device=device, jobs=jobs, hidden_dir=hidden, public_only=public, sandbox=sandbox)
    results, elapsed, public_only = grade_workspace(course, refs, workspace, opts)
    from grader.notes_link import attach_cards

    attach_cards(course, lesson, results)
    status, score, max_score = summarize(results)
    result = LessonResult(
        lesson=lesson.id if len(refs) > 1 or len(lesson.exercises) == 1 else refs[0].qualified_id,
        title=lesson.title,
        status=status,
        score=score,
        max_score=max_score,
        exercises=results,
        device=device,
        public_only=public_only,
        duration_s=elapsed,
        sandbox=describe_sandbox(sandbox),
    )
    if record:
        _record(workspace, result)
    text = render(result, fmt)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        if fmt != "text":
            _print_text(render(result, "text"), quiet)
    elif fmt == "text":
        _print_text(text, quiet)
    else:
        print(text, end="")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(render(result, "markdown"))
    return EXIT_OK if status is Status.PASSED else EXIT_FAILED


def describe_sandbox(mode: str) -> str:
    """One line on the isolation in force, said once per run."""
    if mode != "strict":
        return "portable (separate process, limits, plain-data replies; --sandbox strict adds more where possible)"
    from grader.doctor import probe_sandbox

    layers = probe_sandbox()
    active = [k for k, v in layers.items() if str(v).startswith("active")]
    missing = [f"{k}: {v}" for k, v in layers.items() if not str(v).startswith("active")]
    text = "strict (" + ", ".join(active) + ")" if active else "strict requested"
    if missing:
        text += "; not active here: " + "; ".join(missing) + " (portable protections still apply)"
    return text


def _print_text(text: str, quiet: bool) -> None:
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=True)
    if quiet:
        lines = [ln for ln in text.splitlines() if "✔" not in ln]
        text = "\n".join(lines)
    con.print(text, end="")


def _record(workspace: Path, result: LessonResult) -> None:
    try:
        from grader.progress import Progress

        prog = Progress.for_workspace(workspace)
    except Exception:  # a read-only workspace still gets its grade
        return
    try:
        for ex in result.exercises:
            prog.record(ex.id, ex.status.value, ex.score, ex.max_score)
    finally:
        prog.close()

"""The ``grade`` command's work: progress bar, gradebook, summary."""

from __future__ import annotations

from pathlib import Path

from grader.batch.gradebook import BatchGrader, Graded
from grader.batch.submissions import Submission, find_submissions
from grader.course.curriculum import Course
from grader.engine.runner import GradeOptions
from grader.errors import EXIT_FAILED, EXIT_OK
from grader.reports.emit import render
from grader.reports.formats import SUFFIX, Format


def run_grade(
    course: Course,
    submissions: Path,
    target: str,
    out: Path,
    *,
    jobs: int = 2,
    force: bool = False,
    only: str | None = None,
    device: str = "cpu",
    hidden: Path | None = None,
    fmt: str | None = None,
    cluster: str | None = None,
    sandbox: str = "strict",
    budget: float | None = None,
    quiet: bool = False,
) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    lesson, refs = course.select(target)
    subs = find_submissions(submissions)
    opts = GradeOptions(device=device, jobs=jobs, hidden_dir=hidden, sandbox=sandbox, budget_s=budget)
    batch = BatchGrader(course, lesson.id, refs, out, opts)
    con = Console(stderr=True, highlight=False)
    chunk_fn = None
    if cluster:
        from grader.batch.cluster import ClusterGrader

        chunk_fn = ClusterGrader(cluster, course, lesson.id, refs, opts).grade_chunk
    with Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=con,
        disable=quiet or not con.is_terminal,  # piped: no bar, not even its last frame
        transient=False,
    ) as bar:
        task = bar.add_task("grade", total=None, rate="")
        import time

        start = time.monotonic()
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.monotonic() - start, 1e-6)
            bar.update(task, advance=n, rate=f"{rate:.1f}/s")

        todo_total = len(subs) if (force or only) else sum(1 for s in subs if not batch.already_graded(s))
        bar.update(task, total=1 if only else todo_total)
        try:
            graded, skipped = batch.run(subs, force=force, only=only, progress=advance, grade_chunk=chunk_fn)
        except KeyboardInterrupt:
            bar.stop()
            finished = [g for g in (batch.load(s.name) for s in subs) if g is not None]
            csv_path, _ = batch.write_gradebook(finished)
            con.print(
                f"stopped: {len(finished)} of {len(subs)} submissions are graded and in {csv_path}; "
                "run the same command again to grade the rest (graded ones are skipped)"
            )
            return 130
    csv_path, json_path = batch.write_gradebook(graded)
    class_html, _ = batch.write_class_report(graded)
    if fmt:
        for g in graded:
            path = out / "feedback" / f"{g.name}.{fmt}.{SUFFIX[Format(fmt)]}"
            path.write_text(render(batch.lesson_result(g), fmt), encoding="utf-8")
    from grader.engine.untrusted.sandbox import describe

    _summary(con, graded, skipped, csv_path)
    con.print(f"class report: {class_html}")
    con.print(f"sandbox: {describe(sandbox)}")
    bad = [g for g in graded if g.status == "not gradable"]
    return EXIT_FAILED if bad else EXIT_OK


def _summary(con: object, graded: list[Graded], skipped: int, csv_path: Path) -> None:
    from rich.console import Console
    from rich.markup import escape

    assert isinstance(con, Console)
    n_pass = sum(1 for g in graded if g.status == "passed")
    n_bad = sum(1 for g in graded if g.status == "not gradable")
    con.print(
        f"{len(graded)} submissions: {n_pass} passed, {len(graded) - n_pass - n_bad} with failures, "
        f"{n_bad} not gradable" + (f" ({skipped} already graded, skipped; --force regrades)" if skipped else "")
    )
    for g in graded:
        if g.status == "not gradable":
            con.print(f"[red]not gradable:[/red] {escape(g.name)}: {escape(g.note)}")
    con.print(f"gradebook: {csv_path}")


__all__ = ["run_grade", "Submission"]

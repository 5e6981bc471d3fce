"""``dlgrade check`` end to end: grade the chosen exercises, attach their teaching, record progress.

Used by ``check`` (which then reports), ``watch`` (each save) and the notebook magic: one path from a target to a
result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.course.curriculum import Course
from grader.course.notebooks import notebook_modules
from grader.engine.engine import Engine
from grader.engine.results import LessonResult, summarize
from grader.engine.runner import GradeOptions, grade_workspace
from grader.grading.teaching import Teaching


def grade_target(
    course: Course,
    target: str,
    workspace: Path,
    opts: GradeOptions,
    *,
    record: bool = True,
    engine: Engine | None = None,
    teaching: Teaching | None = None,
    cells: dict[str, str] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> LessonResult:
    """Grade ``target`` (``lesson7``, ``7`` or ``lesson7.softmax_ce``) in ``workspace`` into one result, on
    ``engine`` when one is kept warm (else on a cold one of its own), taught by ``teaching`` (kept by ``watch``).

    Marked notebook cells in the workspace, and ``cells`` (exercise id -> code, from the ``%%dlgrade`` magic),
    take the place of the exercises' files."""
    from grader.engine.untrusted.sandbox import describe

    lesson, refs = course.select(target)
    overrides = notebook_modules(course, refs, workspace, cells)
    results, elapsed, public_only = grade_workspace(
        course, refs, workspace, opts, engine=engine, overrides=overrides, progress=progress
    )
    (teaching or Teaching(course)).teach(refs, results, _hints_seen(workspace) if record else None)
    status, score, max_score = summarize(results)
    result = LessonResult(
        lesson=lesson.id if len(refs) > 1 or len(lesson.exercises) == 1 else refs[0].qualified_id,
        title=lesson.title,
        status=status,
        score=score,
        max_score=max_score,
        exercises=results,
        device=opts.device,
        public_only=public_only,
        duration_s=elapsed,
        sandbox=describe(opts.sandbox),
    )
    if record:
        _record(workspace, result)
    return result


def _hints_seen(workspace: Path) -> dict[str, int]:
    try:
        from grader.progress.tracker import Progress

        prog = Progress.read(workspace)
        if prog is None:
            return {}
        try:
            return prog.hint_levels()
        finally:
            prog.close()
    except Exception:  # progress is a convenience: grading goes on without it
        return {}


def _record(workspace: Path, result: LessonResult) -> None:
    try:
        from grader.progress.tracker import Progress

        prog = Progress.for_workspace(workspace)
    except Exception:  # a read-only workspace still gets its grade
        return
    try:
        for ex in result.exercises:
            prog.record(ex.id, ex.status.value, ex.score, ex.max_score)
            if ex.hint_level:  # the report shows it: the next failure brings the next one
                prog.record_hint(ex.id, ex.hint_level)
    finally:
        prog.close()

"""Reports of a graded lesson (or exercise): view models for the templates, and one renderer per format.

Templates receive view models (plain dicts), never pytest reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from grader.engine.results import ExerciseResult, LessonResult, Status
from grader.kinds import KINDS
from grader.reports.environment import environment
from grader.reports.formats import Format


def check_view(c: Any) -> dict[str, Any]:
    from grader.reports.pictures import for_details

    return {
        "name": c.name,
        "title": c.title,
        "status": c.status.value,
        "passed": c.status is Status.PASSED,
        "kind": c.kind,
        "kind_label": KINDS.get(c.kind or "", c.kind or ""),
        "message": c.message,
        "call": c.call,
        "output": c.output,
        "details": c.details,
        "pictures": for_details(c.details),
        "duration_s": c.duration_s,
    }


def exercise_view(ex: ExerciseResult) -> dict[str, Any]:
    failed_all = [c for c in ex.checks if c.status in (Status.FAILED, Status.ERROR)]
    # One entry per distinct problem: ten checks that all say "not implemented" read as one.
    groups: dict[tuple[str | None, str], list[Any]] = {}
    for c in failed_all:
        groups.setdefault((c.kind, c.message), []).append(c)
    failed = []
    for members in groups.values():
        view = check_view(members[0])
        view["also"] = len(members) - 1
        failed.append(view)
    scored = [c for c in ex.checks if not c.gate]
    not_started = (
        ex.error is None
        and bool(scored)
        and all(c.status is not Status.PASSED and c.kind == "not_implemented" for c in scored)
    )
    shown = ex.status is not Status.PASSED
    diagnosis = ex.diagnoses[0] if ex.diagnoses and shown else None
    n_hints = ex.n_hints
    return {
        "id": ex.id,
        "title": ex.title,
        "status": ex.status.value,
        "score": ex.score,
        "max_score": ex.max_score,
        "file": ex.file,
        "error": ex.error,
        "note": ex.note,
        "checks": [check_view(c) for c in ex.checks],
        "failed": failed,
        "n_passed": sum(1 for c in ex.checks if c.status is Status.PASSED),
        "n_checks": len(ex.checks),
        "not_started": not_started,
        "names": list(ex.names),
        "diagnosis": diagnosis.to_json() if diagnosis else None,
        "diagnosed_checks": set(diagnosis.checks) if diagnosis else set(),
        "hint": ex.hint if shown else None,
        "next_hint_level": ex.hint_level + 1 if shown and ex.hint_level < n_hints else None,
        "cards": ex.cards if shown else [],
        "advice": ex.advice,
    }


def lesson_view(result: LessonResult) -> dict[str, Any]:
    exercises = [exercise_view(e) for e in result.exercises]
    n_checks = sum(e["n_checks"] for e in exercises)
    n_passed = sum(e["n_passed"] for e in exercises)
    if result.status is Status.PASSED:
        headline = "public checks passed" if result.public_only else "all checks passed"
    elif n_checks == 0:
        headline = "nothing could be graded"
    elif all(e["not_started"] or e["status"] == "passed" for e in exercises) and any(
        e["not_started"] for e in exercises
    ):
        waiting = sum(1 for e in exercises if e["not_started"])
        done = len(exercises) - waiting
        headline = f"{waiting} exercise{'s' if waiting != 1 else ''} not started yet" + (
            f", {done} passed" if done else ""
        )
    else:
        headline = f"{n_passed} of {n_checks} checks passed"
    return {
        "lesson": result.lesson,
        "title": result.title,
        "status": result.status.value,
        "score": result.score,
        "max_score": result.max_score,
        "device": result.device,
        "public_only": result.public_only,
        "sandbox": result.sandbox,
        "duration_s": round(result.duration_s, 2),
        "exercises": exercises,
        "n_checks": n_checks,
        "n_passed": n_passed,
        "n_failed": n_checks - n_passed,
        "headline": headline,
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def gradescope(result: LessonResult) -> dict[str, Any]:
    """A results.json per Gradescope's autograder specification: one test per exercise."""
    view = lesson_view(result)
    tests = []
    for ex in view["exercises"]:
        lines = [f"{ex['n_passed']}/{ex['n_checks']} checks passed"]
        if ex["error"]:
            lines.append(ex["error"])
        if ex["note"]:
            lines.append(ex["note"])
        if ex["diagnosis"]:
            lines.append(f"This looks like a known mistake: {ex['diagnosis']['description']}")
        for c in ex["failed"]:
            lines.append(f"- {c['title']} ({c['kind_label']})" + (f"\n  input: {c['call']}" if c["call"] else ""))
            lines.append("  " + c["message"].replace("\n", "\n  "))
        if ex["hint"]:
            lines.append(f"hint: {ex['hint']}")
        tests.append(
            {
                "name": f"{ex['id']}: {ex['title']}",
                "score": ex["score"],
                "max_score": ex["max_score"],
                "status": "passed" if ex["status"] == "passed" else "failed",
                "output": "\n".join(lines),
                "visibility": "visible",
            }
        )
    return {
        "score": result.score,
        "execution_time": round(result.duration_s, 2),
        "output": f"{view['headline']} — score {result.score:g}/{result.max_score:g}",
        "visibility": "visible",
        "tests": tests,
    }


def _template(name: str) -> Callable[[LessonResult], str]:
    return lambda result: environment().get_template(name).render(r=lesson_view(result))


RENDERERS: dict[Format, Callable[[LessonResult], str]] = {
    Format.text: _template("check.txt.j2"),
    Format.markdown: _template("check.md.j2"),
    Format.html: _template("check.html.j2"),
    Format.junit: _template("junit.xml.j2"),
    Format.json: lambda result: json.dumps(result.to_json(), indent=2) + "\n",
    Format.gradescope: lambda result: json.dumps(gradescope(result), indent=2) + "\n",
}

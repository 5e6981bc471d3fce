"""Render results with Jinja: one Environment, StrictUndefined, templates in the package.

Templates receive view models (plain dicts), never pytest reports.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import jinja2

from grader.problems import KINDS
from grader.results import ExerciseResult, LessonResult, Status

FORMATS = ("text", "json", "junit", "markdown", "html", "gradescope")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grader", "templates"),
        undefined=jinja2.StrictUndefined,
        # Templates are named *.html.j2 / *.xml.j2: match on the full suffix, or nothing is escaped.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "html.j2", "xml.j2"), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from rich.markup import escape

    env.filters["rich"] = lambda s: escape(str(s))
    env.filters["indent_lines"] = lambda s, n=4: "\n".join(" " * n + line for line in str(s).splitlines())
    env.filters["fmt"] = lambda x: f"{x:g}" if isinstance(x, float) else str(x)
    env.filters["xml_text"] = _xml_safe
    return env


def _xml_safe(s: Any) -> str:
    # XML 1.0 forbids most control characters even when escaped.
    return "".join(ch for ch in str(s) if ch in "\t\n\r" or ord(ch) >= 0x20)


def check_view(c: Any) -> dict[str, Any]:
    from grader.pictures import for_details

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


def exercise_view(ex: ExerciseResult, hint_level: int = 1) -> dict[str, Any]:
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
    return {
        "id": ex.id,
        "title": ex.title,
        "status": ex.status.value,
        "score": ex.score,
        "max_score": ex.max_score,
        "file": ex.file,
        "error": ex.error,
        "checks": [check_view(c) for c in ex.checks],
        "failed": failed,
        "n_passed": sum(1 for c in ex.checks if c.status is Status.PASSED),
        "n_checks": len(ex.checks),
        "hint": ex.hints[min(hint_level, len(ex.hints)) - 1] if ex.hints and ex.status is not Status.PASSED else None,
        "cards": ex.cards if ex.status is not Status.PASSED else [],
    }


def lesson_view(result: LessonResult, hint_level: int = 1) -> dict[str, Any]:
    exercises = [exercise_view(e, hint_level) for e in result.exercises]
    n_checks = sum(e["n_checks"] for e in exercises)
    n_passed = sum(e["n_passed"] for e in exercises)
    if result.status is Status.PASSED:
        headline = "public checks passed" if result.public_only else "all checks passed"
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


def render(result: LessonResult, fmt: str, hint_level: int = 1) -> str:
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2) + "\n"
    if fmt == "gradescope":
        return json.dumps(gradescope(result), indent=2) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    template = {"text": "check.txt.j2", "junit": "junit.xml.j2", "markdown": "check.md.j2", "html": "check.html.j2"}[
        fmt
    ]
    return environment().get_template(template).render(r=lesson_view(result, hint_level))


def gradescope(result: LessonResult) -> dict[str, Any]:
    """A results.json per Gradescope's autograder specification: one test per exercise."""
    view = lesson_view(result)
    tests = []
    for ex in view["exercises"]:
        lines = [f"{ex['n_passed']}/{ex['n_checks']} checks passed"]
        if ex["error"]:
            lines.append(ex["error"])
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

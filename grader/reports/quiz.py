"""Reports of a graded quiz: one renderer per format, from the result's view model (``QuizResult.view()``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from grader.reports.environment import environment
from grader.reports.formats import Format


def gradescope(view: dict[str, Any]) -> dict[str, Any]:
    """A results.json per Gradescope's autograder specification: one test per question."""
    tests = []
    for q in view["questions"]:
        lines = [f"your answer: {q['given']}"]
        if not q["correct"]:
            lines.append(f"expected: {q['expected']}")
        lines.append(q["explanation"].strip())
        tests.append(
            {
                "name": f"{q['id']}: {' '.join(q['prompt'].split())[:120]}",
                "score": q["score"],
                "max_score": q["points"],
                "status": "passed" if q["correct"] else "failed",
                "output": "\n".join(lines),
                "visibility": "visible",
            }
        )
    return {
        "score": view["score"],
        "output": (
            f"{view['n_correct']} of {view['n_questions']} correct — score {view['score']:g}/{view['max_score']:g}"
        ),
        "visibility": "visible",
        "tests": tests,
    }


def _template(name: str) -> Callable[[Any], str]:
    return lambda result: environment().get_template(name).render(r=result.view())


RENDERERS: dict[Format, Callable[[Any], str]] = {
    Format.text: _template("quiz.txt.j2"),
    Format.markdown: _template("quiz.md.j2"),
    Format.html: _template("quiz.html.j2"),
    Format.junit: _template("quiz.junit.xml.j2"),
    Format.json: lambda result: json.dumps(result.view(), indent=2) + "\n",
    Format.gradescope: lambda result: json.dumps(gradescope(result.view()), indent=2) + "\n",
}

"""The built-in course is proven: every solution passes, every stub is unfinished, every mutant is caught."""

from __future__ import annotations

import pytest

from grader.course.curriculum import load_course
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.slow


def test_dev_check_whole_course() -> None:
    res = run_cli("dev", "check", "--jobs", "2", timeout=1800)
    assert res.code == 0, res.stdout[-4000:] + res.stderr[-2000:]
    course = load_course(REPO)
    assert f"all {len(course.all_exercises())} exercise(s) proven" in res.stdout


@pytest.mark.parametrize("lesson", [lesson.id for lesson in load_course(REPO).lessons])
def test_solutions_pass(lesson: str) -> None:
    res = run_cli("check", lesson, "--solutions", "--format", "json", timeout=600)
    assert res.code == 0, res.stdout[-3000:]
    assert res.json["status"] == "passed"


def test_course_meets_the_content_bar() -> None:
    from grader.course.mutants import load_mutants
    from grader.course.notes import cards_for_lesson
    from grader.course.quiz import load_quiz

    course = load_course(REPO)
    for lesson in course.lessons:
        refs = course.exercises(lesson)
        assert refs, lesson.id
        for ref in refs:
            assert len(load_mutants(ref)) >= 3, ref.qualified_id
            assert len(ref.ex.hints) >= 2, ref.qualified_id
            assert ref.ex.cards, ref.qualified_id
            assert all(m.hint and m.card for m in load_mutants(ref)), ref.qualified_id
        assert len(cards_for_lesson(course, lesson)) >= 12, lesson.id
        assert len(load_quiz(course, lesson).questions) >= 8, lesson.id
    for new in ("lesson5b", "lesson6b", "lesson9b", "lesson10b"):
        assert len(course.exercises(course.lesson(new))) >= 4, new

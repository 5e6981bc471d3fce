"""grader/course/curriculum.py: an unknown exercise id suggests an exercise (by its full id), never a lesson."""

from __future__ import annotations

import pytest

from grader.course.curriculum import load_course
from grader.errors import UsageError
from tests.conftest import REPO, run_cli

EXERCISES_OF_7 = (
    "lesson7.softmax_ce, lesson7.embedding, lesson7.dot_product_bias, lesson7.weight_decay, lesson7.grad_accumulation"
)


@pytest.mark.parametrize(
    ("typed", "fix"),
    [
        ("lesson7.sofmax_ce", "did you mean lesson7.softmax_ce?"),
        ("7.softmaxce", "did you mean lesson7.softmax_ce?"),
        ("lesson7.dot_product", "did you mean lesson7.dot_product_bias?"),
        ("lesson8.sofmax_ce", "did you mean lesson7.softmax_ce?"),  # the exercise lives in another lesson
        ("lesson7.x", f"lesson7 has {EXERCISES_OF_7}"),  # nothing close: the lesson's exercises, not "lesson7?"
    ],
)
def test_select_suggests_an_exercise(typed: str, fix: str) -> None:
    course = load_course(REPO)
    with pytest.raises(UsageError) as info:
        course.select(typed)
    assert info.value.fix == fix


@pytest.mark.parametrize(
    ("typed", "fix"),
    [
        ("sofmax_ce", "did you mean lesson7.softmax_ce?"),
        ("embeding", "did you mean lesson7.embedding?"),
        ("lesson7.sofmax_ce", "did you mean lesson7.softmax_ce?"),
        ("lesson7", f"name one exercise of lesson7: {EXERCISES_OF_7}"),
        ("qqqqqq", "run `dlgrade list` to see the exercise ids"),
    ],
)
def test_find_exercise_suggests_an_exercise(typed: str, fix: str) -> None:
    course = load_course(REPO)
    with pytest.raises(UsageError) as info:
        course.find_exercise(typed)
    assert info.value.fix == fix


def test_an_unknown_lesson_still_suggests_the_closest_lesson() -> None:
    course = load_course(REPO)
    with pytest.raises(UsageError) as info:
        course.select("lesson77")
    assert info.value.fix == "did you mean lesson7?"


@pytest.mark.parametrize(
    "args",
    [
        ("check", "lesson7.sofmax_ce"),
        ("hint", "sofmax_ce"),
        ("hint", "lesson7.sofmax_ce"),
    ],
)
def test_the_cli_suggests_the_exercise(args: tuple[str, ...]) -> None:
    res = run_cli(*args, "--course", str(REPO))
    assert res.code == 2
    assert "did you mean lesson7.softmax_ce?" in res.stderr
    assert "Traceback" not in res.stderr

"""grader/curriculum.py: loading, validation errors that name file, place and fix, addressing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.course.curriculum import find_course_root, load_course
from grader.errors import CourseError, UsageError
from tests.conftest import REPO, make_course, run_cli


def _edit(course: Path, fn) -> None:
    path = course / "curriculum.yaml"
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_builtin_course_loads() -> None:
    course = load_course(REPO)
    ids = [lesson.id for lesson in course.lessons]
    # Teaching order: the lettered lessons sit after the lesson whose number they carry; every old id is kept.
    assert ids == [
        "lesson1", "lesson2", "lesson3", "lesson4", "lesson5", "lesson5b", "lesson6", "lesson6b",
        "lesson7", "lesson8", "lesson9", "lesson9b", "lesson10", "lesson10b", "lesson11", "lesson12",
    ]  # fmt: skip
    assert course.lesson("7").id == "lesson7"
    assert course.lesson("5b").id == "lesson5b" and course.lesson("05b").id == "lesson5b"
    lesson, refs = course.select("lesson7.softmax_ce")
    assert [r.qualified_id for r in refs] == ["lesson7.softmax_ce"]
    assert refs[0].stub_path == REPO / "exercises/lesson7/softmax_ce.py"
    assert refs[0].suite_path == REPO / "grader/suites/lesson7/test_softmax_ce.py"


@pytest.mark.parametrize(
    ("mutate", "place", "words"),
    [
        (
            lambda d: d["lessons"][0]["exercises"][0].update(hint="x"),
            "lessons[0].exercises[0].hint",
            "did you mean 'hints'",
        ),
        (lambda d: d["lessons"][0]["exercises"][0].update(zzz="x"), "lessons[0].exercises[0].zzz", "remove this key"),
        (
            lambda d: d["lessons"][0]["exercises"].append(dict(d["lessons"][0]["exercises"][0])),
            "lessons[0].exercises[1]",
            "duplicate exercise id",
        ),
        (
            lambda d: d["lessons"][0]["exercises"][0].update(tolerance={"float32": {"rtol": -1, "atol": 0}}),
            "lessons[0].exercises[0].tolerance.float32.rtol",
            "greater than or equal",
        ),
        (
            lambda d: d["lessons"][0]["exercises"][0].update(suite="nowhere/test_x.py"),
            "lessons[0].exercises[0].suite",
            "does not exist",
        ),
        (lambda d: d["lessons"][0]["exercises"][0].update(id="Bad-Id"), "lessons[0].exercises[0].id", "snake_case"),
        (lambda d: d["lessons"][0]["exercises"][0].pop("hints"), "lessons[0].exercises[0].hints", "add this key"),
        (
            lambda d: d["lessons"][0]["exercises"][0].update(forbid=["cross_entropy"]),
            "lessons[0].exercises[0].forbid",
            "dotted name",
        ),
    ],
)
def test_errors_name_file_place_and_fix(tmp_path: Path, mutate, place: str, words: str) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    _edit(course, mutate)
    with pytest.raises(CourseError) as info:
        load_course(course)
    err = info.value
    assert err.file == str(course / "curriculum.yaml")
    assert err.place is not None and err.place.startswith(place)
    assert words in err.render()
    assert err.fix


def test_newer_format_refused(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    _edit(course, lambda d: d.update(format_version=99))
    with pytest.raises(CourseError, match="newer than this dlgrade"):
        load_course(course)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    (course / "curriculum.yaml").write_text("format_version: 1\nlessons: [\n  - id: x\n")
    with pytest.raises(CourseError) as info:
        load_course(course)
    assert info.value.place and info.value.place.startswith("line ")


def test_cli_reports_course_error_with_exit_2(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    _edit(course, lambda d: d["lessons"][0]["exercises"][0].update(hnts=[]))
    res = run_cli("list", "--course", str(course))
    assert res.code == 2
    assert "lessons[0].exercises[0].hnts" in res.stderr
    assert "Traceback" not in res.stderr


def test_course_found_by_walking_up(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    deep = course / "exercises" / "lesson7"
    assert find_course_root(deep) == course.resolve()
    with pytest.raises(UsageError):
        find_course_root(tmp_path)


def test_typo_suggestion() -> None:
    course = load_course(REPO)
    with pytest.raises(UsageError) as info:
        course.select("lesson7.softmax_cd")
    assert "did you mean lesson7.softmax_ce?" in info.value.render()

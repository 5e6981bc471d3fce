"""Instructors' and learners' files, random and mangled: a clear error naming file and place, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.course.curriculum import load_course
from grader.course.notes import parse_notes
from grader.course.quiz import load_quiz_file
from grader.errors import DlgradeError
from grader.study.answers import load_answers
from tests.conftest import REPO, make_course, run_cli

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=12))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


def _mutations(doc: object) -> st.SearchStrategy:
    """Replace one value somewhere in a valid document by a random one."""

    def paths(x: object, prefix: tuple = ()) -> list[tuple]:
        out = [prefix]
        if isinstance(x, dict):
            for k, v in x.items():
                out += paths(v, prefix + (k,))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                out += paths(v, prefix + (i,))
        return out

    all_paths = paths(doc)

    def apply(args: tuple) -> object:
        path, value = args
        import copy

        new = copy.deepcopy(doc)
        if not path:
            return value
        target = new
        for p in path[:-1]:
            target = target[p]  # type: ignore[index]
        target[path[-1]] = value  # type: ignore[index]
        return new

    return st.tuples(st.sampled_from(all_paths), yaml_values).map(apply)


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("fuzz") / "c", ["lesson7.softmax_ce"])


def _valid_curriculum(course: Path) -> dict:
    return yaml.safe_load((course / "curriculum.yaml").read_text())


def _expect_clean(fn, path: Path) -> None:
    try:
        fn()
    except DlgradeError as err:
        assert str(path) in err.render() or (err.file and Path(err.file).name == path.name)
        assert err.exit_code == 2


@FUZZ
@given(data=st.data())
def test_curriculum_mutations_never_traceback(course_dir: Path, data: st.DataObject) -> None:
    valid = _valid_curriculum(course_dir)
    doc = data.draw(_mutations(valid))
    (course_dir / "curriculum.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    try:
        _expect_clean(lambda: load_course(course_dir), course_dir / "curriculum.yaml")
    finally:
        (course_dir / "curriculum.yaml").write_text(yaml.safe_dump(valid, sort_keys=False))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_curriculum_random_bytes_never_traceback(tmp_path: Path, raw: bytes) -> None:
    (tmp_path / "curriculum.yaml").write_bytes(raw)
    _expect_clean(lambda: load_course(tmp_path), tmp_path / "curriculum.yaml")


QUIZ = REPO / "exercises" / "lesson7" / "quiz.yaml"


@FUZZ
@given(data=st.data())
def test_quiz_mutations_never_traceback(tmp_path: Path, data: st.DataObject) -> None:
    doc = data.draw(_mutations(yaml.safe_load(QUIZ.read_text())))
    path = tmp_path / "quiz.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    _expect_clean(lambda: load_quiz_file(path, "lesson7"), path)


@FUZZ
@given(answers=yaml_values)
def test_answers_files_never_traceback(tmp_path: Path, answers: object) -> None:
    quiz = load_quiz_file(QUIZ, "lesson7")
    ids = [q.id for q in quiz.questions]
    path = tmp_path / "answers.yaml"
    doc = {
        "quiz": "lesson7",
        "answers": answers
        if not isinstance(answers, dict)
        else {ids[i % len(ids)]: v for i, v in enumerate(answers.values())},
    }
    path.write_text(yaml.safe_dump(doc))
    _expect_clean(lambda: load_answers(path, quiz), path)


@FUZZ
@given(text=st.text(max_size=400))
def test_notes_parser_never_raises(text: str) -> None:
    cards, problems = parse_notes(text, "lesson7", Path("README.md"))
    for p in problems:
        assert p.line >= 1


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00binary\x00\x01",
        b"format_version: 1\r\ntitle: x\r\nlessons: []\r\n",
        b"format_version: 1\n" + b"#" * 5_000_000,
    ],
    ids=["empty", "binary", "crlf", "enormous"],
)
def test_odd_curriculum_files_exit_2(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "curriculum.yaml").write_bytes(content)
    res = run_cli("list", "--course", str(tmp_path))
    assert res.code == 2, res.stderr
    assert "curriculum.yaml" in res.stderr and "Traceback" not in res.stderr


def test_crlf_curriculum_loads(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    text = (course / "curriculum.yaml").read_text()
    (course / "curriculum.yaml").write_bytes(text.replace("\n", "\r\n").encode())
    assert load_course(course).lessons[0].id == "lesson7"


@pytest.mark.slow
def test_bad_learner_files_still_grade_the_rest(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["lesson7.softmax_ce", "lesson7.weight_decay", "lesson7.embedding"])
    ws = tmp_path / "ws"
    shutil.copytree(course / "solutions", ws)
    (ws / "lesson7" / "softmax_ce.py").write_bytes(b"\xff\xfe not utf-8 \x00")
    (ws / "lesson7" / "weight_decay.py").unlink()
    res = run_cli("check", "lesson7", "--course", str(course), "--workspace", str(ws), "--format", "json")
    assert res.code == 1
    by_id = {e["id"]: e for e in res.json["exercises"]}
    assert by_id["lesson7.embedding"]["status"] == "passed"
    assert "missing" in by_id["lesson7.weight_decay"]["error"]
    bad = by_id["lesson7.softmax_ce"]
    assert bad["score"] == 0 and {c["kind"] for c in bad["checks"]} <= {"syntax_error", "import_error"}

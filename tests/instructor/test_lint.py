"""grader/instructor/lint.py: what dev check finds without running a suite."""

from __future__ import annotations

from pathlib import Path

from grader.course.curriculum import load_course
from grader.instructor.lint import code_in_hint, stub_problems, teaching_problems, unowned_files
from tests.conftest import make_course


def test_files_no_entry_owns_are_found(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    course = load_course(root)
    assert unowned_files(course) == []
    (root / "solutions" / "lesson7" / "old_attempt.py").write_text("x = 1\n")
    (root / "mutants" / "lesson7" / "leftover.yaml").write_text("[]\n")
    (root / "exercises" / "lesson7" / "__pycache__").mkdir()
    (root / "exercises" / "lesson7" / "__pycache__" / "x.pyc").write_bytes(b"")
    assert unowned_files(course) == ["mutants/lesson7/leftover.yaml", "solutions/lesson7/old_attempt.py"]


def test_an_unfinished_body_without_a_todo_is_flagged(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    course = load_course(root)
    ref = course.all_exercises()[0]
    assert stub_problems(ref) == []
    text = ref.stub_path.read_text().replace("# TODO: take -log_softmax", "# take -log_softmax")
    ref.stub_path.write_text(text.replace('NotImplementedError("TODO: softmax_cross_entropy")', "NotImplementedError"))
    assert stub_problems(ref) == [
        "stub: softmax_cross_entropy is unfinished but says no TODO (mark each task with `# TODO: ...`)"
    ]


def test_teaching_links_must_lead_to_cards(tmp_path: Path) -> None:
    root = make_course(tmp_path / "c", ["lesson7.softmax_ce"])
    course = load_course(root)
    assert teaching_problems(course, course.all_exercises()) == {"lesson7.softmax_ce": []}
    text = (root / "curriculum.yaml").read_text()
    first_card = course.all_exercises()[0].ex.cards[0]
    (root / "curriculum.yaml").write_text(text.replace(f"- {first_card}\n", "- no-such-card\n", 1))
    course = load_course(root)
    problems = teaching_problems(course, course.all_exercises())["lesson7.softmax_ce"]
    assert problems == ["cards: 'no-such-card' is not a card id in lesson7's notes"]


def test_code_in_a_first_hint() -> None:
    assert code_in_hint("Subtract each row's largest value before exponentiating.") is None
    for code in ("use `x.max`", "call torch.eye(n)", "grad = p - y", "x[:, 0]", "a @ b", "log_softmax(x)"):
        assert code_in_hint(code), code

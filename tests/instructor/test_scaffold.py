"""grader/instructor/scaffold.py (``dlgrade dev new``): the entry lands in its lesson and the rest of
``curriculum.yaml`` (comments, order, quoting, blank lines) is written back byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.course.curriculum import load
from grader.errors import UsageError
from grader.instructor.scaffold import scaffold
from tests.conftest import REPO

FIXTURES = Path(__file__).parents[1] / "fixtures"


def entry(exercise: str, indent: int = 6) -> str:
    pad = " " * indent
    title = exercise.replace("_", " ").capitalize()
    return (
        f"{pad}- id: {exercise}\n{pad}  title: {title}\n{pad}  names: [{exercise}]\n{pad}  hints:\n"
        f'{pad}    - "TODO(instructor): a nudge"\n{pad}    - "TODO(instructor): closer to the answer"\n'
    )


@pytest.fixture(scope="module")
def builtin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built-in course: its real curriculum.yaml and every file it names."""
    root = tmp_path_factory.mktemp("builtin")
    for sub in ("exercises", "solutions", "mutants", "grader/suites"):
        shutil.copytree(REPO / sub, root / sub, ignore=shutil.ignore_patterns("__pycache__", ".dlgrade"))
    shutil.copy(REPO / "curriculum.yaml", root / "curriculum.yaml")
    return root


def test_an_entry_in_a_middle_lesson_of_the_built_in_course(builtin: Path) -> None:
    before = (builtin / "curriculum.yaml").read_text(encoding="utf-8")
    written = scaffold(load(builtin), "3", "fresh_one")
    after = (builtin / "curriculum.yaml").read_text(encoding="utf-8")
    # Right after lesson3's last exercise, before the blank line that separates it from lesson4; nothing else moves.
    k = before.index("\n\n  - id: lesson4\n") + 1
    assert after == before[:k] + entry("fresh_one") + before[k:]
    course = load(builtin)
    assert [e.id for e in course.lesson("lesson3").exercises][-1] == "fresh_one"
    assert "fresh_one" not in [e.id for les in course.lessons if les.id != "lesson3" for e in les.exercises]
    assert builtin / "curriculum.yaml" in written
    assert (builtin / "grader" / "suites" / "lesson3" / "test_fresh_one.py").is_file()


def test_an_entry_in_the_last_lesson_of_the_built_in_course(builtin: Path) -> None:
    before = (builtin / "curriculum.yaml").read_text(encoding="utf-8")
    last = load(builtin).lessons[-1].id
    scaffold(load(builtin), last, "closing_act")
    after = (builtin / "curriculum.yaml").read_text(encoding="utf-8")
    assert after == before + entry("closing_act")
    assert load(builtin).lesson(last).exercises[-1].id == "closing_act"


CURRICULUM = """\
# A course with everything an instructor writes by hand.
format_version: 1
title: 'Study fixture course'   # quoted on purpose

lessons:
  # The first lesson.
  - id: lesson1
    title: "Softmax and embeddings"
    exercises:
      - id: softmax_ce
        title: Softmax cross-entropy from logits
        names: [softmax_cross_entropy]
        hints: ["shift by the maximum", 'log-sum-exp']
        suite: suites/lesson1/softmax_ce_suite.py   # a trailing comment
      - id: embedding
        title: Embedding lookup
        names: [embedding]
        hints:
          - index the rows
          - "weight[idx]"
        suite: suites/lesson1/embedding_suite.py  # stays on this line
  # Lesson 2 has nothing yet: this comment stays above it.

  - id: lesson2
    title: A lesson without notes or quiz
    exercises: []   # to be written
"""


@pytest.fixture()
def handmade(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "study_course", root)
    (root / "curriculum.yaml").write_text(CURRICULUM, encoding="utf-8")
    return root


def test_comments_quotes_and_blank_lines_are_kept(handmade: Path) -> None:
    scaffold(load(handmade), "lesson1", "third")
    after = (handmade / "curriculum.yaml").read_text(encoding="utf-8")
    k = CURRICULUM.index("  # Lesson 2 has nothing yet")
    assert after == CURRICULUM[:k] + entry("third") + CURRICULUM[k:]


def test_an_empty_flow_list_becomes_a_block_list(handmade: Path) -> None:
    scaffold(load(handmade), "lesson2", "first_one")
    after = (handmade / "curriculum.yaml").read_text(encoding="utf-8")
    head = CURRICULUM[: CURRICULUM.index("    exercises: []")]
    # the comment stays on the line of `exercises:`, in its column
    assert after == head + "    exercises:      # to be written\n" + entry("first_one")
    assert [e.id for e in load(handmade).lesson("lesson2").exercises] == ["first_one"]


def test_refusals_leave_the_file_alone(handmade: Path) -> None:
    course = load(handmade)
    for lesson, exercise, needle in (
        ("lesson1", "embedding", "already exists"),
        ("lesson1", "Not-An-Id", "not a valid exercise id"),
        ("lesson9", "fine", "no lesson"),
    ):
        with pytest.raises(UsageError, match=needle):
            scaffold(course, lesson, exercise)
    assert (handmade / "curriculum.yaml").read_text(encoding="utf-8") == CURRICULUM

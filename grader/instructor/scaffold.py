"""``dlgrade dev new LESSON EXERCISE``: scaffold stub, solution, suite, mutants and the YAML entry.

The entry goes into ``curriculum.yaml`` through ruamel.yaml's round trip, so the instructor's comments, key order,
quoting and layout are kept: the indentation ruamel writes is chosen as the one that reproduces the file unchanged,
and blank lines or comments that close the lesson move below the new entry. (A file laid out in a way ruamel cannot
reproduce still gets its entry, with comments and order kept, and parts of its layout normalized.)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from grader.course.curriculum import ID_RE, Course, load_course
from grader.errors import UsageError

STUB = '''"""{title}.

TODO(instructor): say what the learner builds here, with the math and the shapes, and which
built-ins are off limits.
"""

import torch


def {name}(x: torch.Tensor) -> torch.Tensor:
    """One line on what this computes.

    Args:
        x: float tensor of shape ``(N, D)``.

    Returns:
        A tensor of shape ``(N, D)`` with the dtype and device of ``x``.
    """
    # TODO: write the body.
    raise NotImplementedError("TODO: {name}")
'''

SOLUTION = '''"""{title} (reference solution)."""

import torch


def {name}(x: torch.Tensor) -> torch.Tensor:
    """One line on what this computes."""
    # TODO(instructor): the reference implementation, with comments that say why.
    raise NotImplementedError("TODO(instructor): write the reference solution")
'''

SUITE = '''"""Hidden suite: {lesson}.{exercise}."""

import pytest
import torch

from grader.testing import expect_close


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_matches_reference(learner, device, dtype):
    """{name} matches the reference"""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64).to(device, dtype)
    expected = x  # TODO(instructor): the reference, from torch built-ins or float64 math
    expect_close(learner.{name}(x), expected, name="{name}(x)")
'''

MUTANTS = """# Plausible learner bugs: edits of the solution that the suite must reject (at least three).
# - id: short_name
#   description: what the bug is, in a learner's terms
#   replace: "text that occurs exactly once in the solution"
#   with: "the buggy version"
#   expect: [wrong_values]
[]
"""


def scaffold(course: Course, lesson_key: str, exercise: str) -> list[Path]:
    if not ID_RE.match(exercise):
        raise UsageError(f"{exercise!r} is not a valid exercise id", fix="use lower_snake_case, e.g. softmax_ce")
    lesson = course.lesson(lesson_key)
    if any(e.id == exercise for e in lesson.exercises):
        raise UsageError(f"{lesson.id}.{exercise} already exists in {course.file}")
    paths = course.data.paths
    title = exercise.replace("_", " ").capitalize()
    files = {
        course.root / paths.exercises / lesson.id / f"{exercise}.py": STUB,
        course.root / paths.solutions / lesson.id / f"{exercise}.py": SOLUTION,
        course.suites_dir / lesson.id / f"test_{exercise}.py": SUITE,
        course.root / paths.mutants / lesson.id / f"{exercise}.yaml": MUTANTS,
    }
    for p in files:
        if p.exists():
            raise UsageError(f"{p} already exists", fix="pick another exercise id or remove the file")
    written = []
    for p, template in files.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(template.format(title=title, name=exercise, lesson=lesson.id, exercise=exercise), encoding="utf-8")
        written.append(p)
    before = course.file.read_bytes()
    _add_entry(course, lesson.id, exercise, title)
    written.append(course.file)
    try:
        load_course(course.root)  # the new entry must load
    except Exception:
        course.file.write_bytes(before)  # never leave a curriculum that does not load
        raise
    return written


def _add_entry(course: Course, lesson_id: str, exercise: str, title: str) -> None:
    """Append the entry to the lesson's exercises; the rest of the file is written back as it was."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    text = course.file.read_text(encoding="utf-8")
    yaml, data = _round_trip(text)
    lessons = data.get("lessons") if isinstance(data, dict) else None
    lesson = next((les for les in lessons or [] if isinstance(les, dict) and les.get("id") == lesson_id), None)
    if lesson is None:
        raise UsageError(
            f"cannot find lesson {lesson_id} in {course.file} to add the entry",
            fix="add the entry by hand (see CONTRIBUTING.md)",
        )
    closing = _take_trailing_comment(lesson)  # the blank line (or comment) that ends the lesson
    exercises = lesson.get("exercises")
    if not isinstance(exercises, CommentedSeq):
        exercises = CommentedSeq()
        lesson["exercises"] = exercises
    exercises.fa.set_block_style()  # "exercises: []" becomes a block list
    names = CommentedSeq([exercise])
    names.fa.set_flow_style()
    entry = CommentedMap(
        [
            ("id", exercise),
            ("title", title),
            ("names", names),
            (
                "hints",
                CommentedSeq(
                    [
                        DoubleQuotedScalarString("TODO(instructor): a nudge"),
                        DoubleQuotedScalarString("TODO(instructor): closer to the answer"),
                    ]
                ),
            ),
        ]
    )
    exercises.append(entry)
    if closing is not None:
        _put_trailing_comment(lesson, closing)
    out = io.StringIO()
    yaml.dump(data, out)
    course.file.write_text(out.getvalue(), encoding="utf-8")


def _round_trip(text: str) -> tuple[Any, Any]:
    """A ruamel.yaml round-tripper set up to write ``text`` back unchanged (when any setup does), and its data."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    _, seq_indent, offset = load_yaml_guess_indent(text)
    layouts = [(2, seq_indent, offset), (4, seq_indent, offset), (2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4)]
    first: tuple[Any, Any] | None = None
    for mapping, sequence, off in layouts:
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long hint
        yaml.indent(mapping=mapping, sequence=max(sequence or 2, (off or 0) + 2), offset=off or 0)
        data = yaml.load(text)
        out = io.StringIO()
        yaml.dump(data, out)
        if out.getvalue() == text:
            return yaml, yaml.load(text)
        first = first or (yaml, yaml.load(text))
    assert first is not None
    return first


def _last_path(node: Any) -> list[tuple[Any, Any]]:
    """``(container, key)`` pairs from ``node`` down to the last value written inside it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    path: list[tuple[Any, Any]] = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        key = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        path.append((node, key))
        node = node[key]
    return path


def _slot(container: Any) -> int:
    from ruamel.yaml.comments import CommentedMap

    return 2 if isinstance(container, CommentedMap) else 0  # ruamel keeps an end-of-value comment there


def _take_trailing_comment(node: Any) -> Any:
    """Detach the blank lines and comment lines that ruamel hung on the last value inside ``node``.

    A comment on the value's own line (``exercises: []  # soon``) stays where it is; the lines after it are what
    closes the lesson, and they go below the new entry.
    """
    from ruamel.yaml.tokens import CommentToken

    for container, key in reversed(_last_path(node)):
        entry = container.ca.items.get(key)
        slot = _slot(container)
        if not entry or len(entry) <= slot or entry[slot] is None:
            continue
        token = entry[slot]
        same_line, _, rest = token.value.partition("\n")
        if not same_line.strip():
            entry[slot] = None
            return token
        if not rest:
            return None
        token.value = same_line + "\n"
        return CommentToken("\n" + rest, token.start_mark, token.end_mark)
    return None


def _put_trailing_comment(node: Any, token: Any) -> None:
    container, key = _last_path(node)[-1]
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[_slot(container)] = token

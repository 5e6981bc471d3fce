"""``dlgrade dev new LESSON EXERCISE``: scaffold stub, solution, suite, mutants and the YAML entry."""

from __future__ import annotations

import re
from pathlib import Path

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
    _add_entry(course, lesson.id, exercise, title)
    written.append(course.file)
    load_course(course.root)  # the new entry must load
    return written


def _add_entry(course: Course, lesson_id: str, exercise: str, title: str) -> None:
    """Append the entry to the lesson's exercises, editing the text so comments and order survive."""
    text = course.file.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next(
        (
            i
            for i, ln in enumerate(lines)
            if ln.strip() in (f"- id: {lesson_id}", f"- id: '{lesson_id}'", f'- id: "{lesson_id}"')
        ),
        None,
    )
    if start is None:
        raise UsageError(
            f"cannot find lesson {lesson_id} in {course.file} to add the entry",
            fix="add the entry by hand (see CONTRIBUTING.md)",
        )
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = len(lines)
    for j in range(start + 1, len(lines)):
        stripped = lines[j].lstrip()
        if stripped and not stripped.startswith("#") and len(lines[j]) - len(stripped) <= indent:
            end = j
            break
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    block = lines[start:end]
    key = next((k for k, ln in enumerate(block) if re.match(r"^\s*exercises:", ln)), None)
    if key is None:
        # A lesson without an exercises key: add one.
        block.append(" " * (indent + 2) + "exercises:\n")
        key = len(block) - 1
    key_indent = len(block[key]) - len(block[key].lstrip())
    if re.match(r"^\s*exercises:\s*\[\]", block[key]):
        block[key] = " " * key_indent + "exercises:\n"
        item_indent = key_indent + 2
    else:
        first_item = next((ln for ln in block[key + 1 :] if ln.lstrip().startswith("- ")), None)
        item_indent = len(first_item) - len(first_item.lstrip()) if first_item else key_indent + 2
    pad = " " * item_indent
    entry = [
        f"{pad}- id: {exercise}\n",
        f"{pad}  title: {title}\n",
        f"{pad}  names: [{exercise}]\n",
        f"{pad}  hints:\n",
        f'{pad}    - "TODO(instructor): a nudge"\n',
        f'{pad}    - "TODO(instructor): closer to the answer"\n',
    ]
    if not block[-1].endswith("\n"):
        block[-1] += "\n"
    lines[start:end] = block + entry
    course.file.write_text("".join(lines), encoding="utf-8")

"""What ``dev check`` finds in a course without running a suite: teaching links that lead nowhere, code in a
first hint, files no curriculum entry owns, stubs whose unfinished bodies carry no ``TODO``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from grader.course.curriculum import Course, ExerciseRef
from grader.course.mutants import load_mutants
from grader.course.notes import cards_for_lesson

_CODE_IN_HINT = (
    re.compile(r"`"),  # a code span
    re.compile(r"\b(?!e\.g\b|i\.e\b)[A-Za-z_]\w*\.[A-Za-z_]\w*"),  # an attribute: x.grad, torch.eye, nn.Linear
    re.compile(r"\b[A-Za-z_]\w*\("),  # a call: log_softmax(x, min(600
    re.compile(r"\b\w+\s*(?:[-+*/]?=)\s*[\w(\[-]"),  # an assignment: grad = ..., x -= m
    re.compile(r"\s@\s|\*\*"),  # matmul and power operators
    re.compile(r"\[\s*:|:\s*\]|\.\.\.\]"),  # slicing
)


def code_in_hint(text: str) -> str | None:
    """The first piece of code in a hint, or None: level 1 is a nudge in words."""
    for pattern in _CODE_IN_HINT:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return None


def resolve_card(course: Course, lesson_id: str, ref: str, cards: dict[str, set[str]]) -> bool:
    """Does ``ref`` (``id`` in ``lesson_id``'s notes, or ``lesson9/id``) name a card?"""
    lesson_part, _, card = ref.rpartition("/")
    return card in cards.get(lesson_part or lesson_id, set())


def teaching_problems(course: Course, refs: list[ExerciseRef]) -> dict[str, list[str]]:
    """Per exercise: card links that name no card, mutants without a hint or a card, code in hint 1."""

    ids: dict[str, set[str]] = {}
    for lesson in course.lessons:
        try:
            ids[lesson.id] = {c.id for c in cards_for_lesson(course, lesson)}
        except Exception:
            ids[lesson.id] = set()
    out: dict[str, list[str]] = {}
    for ref in refs:
        problems = []
        lid = ref.lesson.id
        if not ref.ex.cards:
            problems.append("names no cards (add `cards: [...]` with the ids of the cards that teach it)")
        for c in ref.ex.cards:
            if not resolve_card(course, lid, c, ids):
                problems.append(f"cards: {c!r} is not a card id in {lid}'s notes")
        code = code_in_hint(ref.ex.hints[0])
        if code:
            problems.append(f"hint 1 gives code away ({code!r}); keep level 1 a nudge in words")
        for m in load_mutants(ref):
            if not m.hint:
                problems.append(f"mutant {m.id}: no `hint:` (where to look, not the fix)")
            if not m.card:
                problems.append(f"mutant {m.id}: no `card:` (the card that teaches what it gets wrong)")
            elif not resolve_card(course, lid, m.card, ids):
                problems.append(f"mutant {m.id}: card {m.card!r} is not a card id in {lid}'s notes")
        out[ref.qualified_id] = problems
    return out


# ---------------------------------------------------------------------- stubs


def stub_problems(ref: ExerciseRef) -> list[str]:
    """Unfinished bodies (those that raise NotImplementedError) of the required names that say no ``TODO``."""
    try:
        source = ref.stub_path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError) as exc:
        return [f"the stub cannot be read or parsed ({exc})"]
    lines = source.splitlines()
    out = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.name not in ref.ex.names:
            continue
        bodies = (
            [node]
            if not isinstance(node, ast.ClassDef)
            else [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        )
        for fn in bodies:
            if not _raises_not_implemented(fn):
                continue
            text = "\n".join(lines[fn.lineno - 1 : (fn.end_lineno or fn.lineno)])
            body_text = text.split('"""')[-1] if text.count('"""') >= 2 else text
            if "TODO" not in body_text:
                where = node.name if fn is node else f"{node.name}.{fn.name}"
                out.append(f"stub: {where} is unfinished but says no TODO (mark each task with `# TODO: ...`)")
    return out


def _raises_not_implemented(fn: ast.AST) -> bool:
    for sub in ast.walk(fn):
        if isinstance(sub, ast.Raise) and sub.exc is not None:
            exc = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


# ---------------------------------------------------------------------- ownership

_IGNORED = {"__pycache__", ".dlgrade", ".ipynb_checkpoints"}


def unowned_files(course: Course, lesson_ids: list[str] | None = None) -> list[str]:
    """Files under exercises/, solutions/, the suites and mutants/ that no curriculum entry owns (paths relative to
    the course), for the given lessons' folders (all lessons when None)."""
    lessons = [les for les in course.lessons if lesson_ids is None or les.id in lesson_ids]
    owned: set[Path] = set()
    folders: set[Path] = set()
    for lesson in lessons:
        owned |= {course.notes_path(lesson).resolve(), course.quiz_path(lesson).resolve()}
        for ref in course.exercises(lesson):
            paths = [ref.stub_path, ref.solution_path, ref.suite_path, ref.mutants_path, ref.signatures_path]
            if ref.public_suite_path is not None:
                paths.append(ref.public_suite_path)
            owned |= {p.resolve() for p in paths}
            folders |= {p.resolve().parent for p in paths}
            for m in load_mutants(ref):
                if m.file:
                    owned.add((ref.mutants_path.parent / m.file).resolve())
        for root in (course.data.paths.exercises, course.data.paths.solutions, course.data.paths.mutants):
            folders.add((course.root / root / lesson.id).resolve())
        folders.add((course.suites_dir / lesson.id).resolve())
    helpers = _suite_helpers({p for p in owned if p.name.startswith("test_") and p.is_file()})
    out = []
    for folder in sorted(folders):
        if not folder.is_dir() or not folder.is_relative_to(course.root):
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or _IGNORED & set(path.relative_to(folder).parts) or path.name.startswith("."):
                continue
            if path.resolve() in owned or path.resolve() in helpers:
                continue
            out.append(str(path.relative_to(course.root)))
    return sorted(set(out))


def _suite_helpers(suites: set[Path]) -> set[Path]:
    """Modules beside suites that a suite loads with ``sibling(__file__, "name")``."""
    out = set()
    for suite in suites:
        text = suite.read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r"sibling\(\s*__file__\s*,\s*[\"'](\w+)[\"']", text):
            out.add((suite.parent / f"{name}.py").resolve())
    return out

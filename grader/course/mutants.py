"""Mutants: plausible learner bugs, each an edit of the reference solution.

``mutants/<lesson>/<exercise>.yaml`` holds a list of ``{id, description, replace, with}`` (or ``file:`` for a whole
replacement module), optionally ``expect:`` (failure kinds that must appear so the feedback points at the bug), and
the teaching a learner gets when their code behaves like the mutant: ``hint:`` (where to look) and ``card:`` (the id
of the card that teaches the idea).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from grader.course.curriculum import ExerciseRef
from grader.course.files import Model, read_text, read_yaml, validate
from grader.errors import CourseError
from grader.kinds import KINDS


class Mutant(Model):
    model_config = Model.model_config | {"populate_by_name": True}

    id: str
    description: str
    replace: str | None = None
    with_: str | None = Field(None, alias="with")
    file: str | None = None
    expect: list[str] = []
    hint: str | None = None  # where to look (not the fix), shown when a learner's code behaves like this mutant
    card: str | None = None  # the id of the card that teaches the idea this mistake misses

    @model_validator(mode="after")
    def _shape(self) -> Mutant:
        if self.file is None and (self.replace is None or self.with_ is None):
            raise ValueError("give `replace:` and `with:` (an edit of the solution) or `file:` (a whole module)")
        for k in self.expect:
            if k not in KINDS:
                raise ValueError(f"expect: unknown failure kind {k!r}; known kinds: {', '.join(KINDS)}")
        return self


def load_mutants(ref: ExerciseRef) -> list[Mutant]:
    path = ref.mutants_path
    if not path.is_file():
        return []
    text = read_text(path)
    data = read_yaml(path, text)
    if data is None:
        return []
    if not isinstance(data, list):
        raise CourseError("expected a list of mutants", file=str(path), fix="start each mutant with `- id: ...`")
    out: list[Mutant] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        m = validate(Mutant, item, path, text=text, prefix=(i,), see="CONTRIBUTING.md, 'Adding an exercise'")
        if m.id in seen:
            raise CourseError(f"duplicate mutant id {m.id!r}", file=str(path), place=f"[{i}].id", fix="rename it")
        seen.add(m.id)
        out.append(m)
    return out


def mutate(ref: ExerciseRef, m: Mutant) -> str:
    """The mutant's module text."""
    if m.file is not None:
        return (ref.mutants_path.parent / m.file).read_text(encoding="utf-8")
    solution = ref.solution_path.read_text(encoding="utf-8")
    assert m.replace is not None and m.with_ is not None
    count = solution.count(m.replace)
    if count != 1:
        raise CourseError(
            f"mutant {m.id!r}: the text to replace occurs {count} times in {ref.solution_path.name}, not once",
            file=str(ref.mutants_path),
            fix="quote a longer, unique piece of the solution in `replace:`",
        )
    return solution.replace(m.replace, m.with_)

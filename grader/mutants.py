"""Mutants: plausible learner bugs, each an edit of the reference solution.

``mutants/<lesson>/<exercise>.yaml`` holds a list of ``{id, description, replace, with}``
(or ``file:`` for a whole replacement module) and optionally ``expect:``, the failure kinds
that must appear so the feedback points at the bug.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grader.curriculum import ExerciseRef, _loc
from grader.errors import CourseError
from grader.problems import KINDS


class Mutant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CourseError(f"invalid YAML ({exc})", file=str(path), fix="correct the YAML syntax") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise CourseError("expected a list of mutants", file=str(path), fix="start each mutant with `- id: ...`")
    out: list[Mutant] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        try:
            m = Mutant.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            place = f"[{i}]" + ("." + _loc(tuple(err["loc"])) if err["loc"] else "")
            raise CourseError(
                err["msg"].removeprefix("Value error, "),
                file=str(path),
                place=place,
                fix="see CONTRIBUTING.md, 'Adding an exercise'",
            ) from None
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


def mutants_dir(ref: ExerciseRef) -> Path:
    return ref.mutants_path.parent

"""Lesson quizzes as course files: the ``quiz.yaml`` format, validated once into typed questions.

The file format is in CONTRIBUTING.md ("Quizzes"). Errors name the file, the place (``questions[2].answer``, with its
line) and the fix, like ``curriculum.yaml``'s. Choice indexes are 0-based everywhere in files. Taking and grading a
quiz is ``grader.study.quiz``'s work.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, StrictBool, StrictInt, field_validator, model_validator

from grader.course.files import Model, Tolerance, check_format_version, read_text, read_yaml, validate
from grader.errors import CourseError, UsageError

if TYPE_CHECKING:
    from grader.course.curriculum import Course, Lesson

TYPES = ("single", "multiple", "true_false", "numeric", "text")
QID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
DEFAULT_RTOL = 1e-3


class _Question(Model):
    id: str
    prompt: str = Field(min_length=1)
    points: Annotated[float, Strict()] = Field(1.0, ge=0)
    explanation: str = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not QID_RE.match(v):
            raise ValueError("must be letters, digits, '_' or '-' (no spaces), starting with a letter or digit")
        return v


class _Choices(_Question):
    choices: list[str] = Field(min_length=2)
    shuffle: bool = True  # set false when order matters ("all of the above")

    @field_validator("choices")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        for i, c in enumerate(v):
            if not str(c).strip():
                raise ValueError(f"choices[{i}]: empty choice")
            if v.index(c) != i:
                raise ValueError(f"choices[{i}]: the same text as choices[{v.index(c)}]")
        return v

    def _check_index(self, i: int, where: str) -> None:
        if not 0 <= i < len(self.choices):
            raise ValueError(f"{where}: {i} is not an index of choices (0 to {len(self.choices) - 1}, counted from 0)")


class SingleQuestion(_Choices):
    type: Literal["single"]
    answer: StrictInt

    @model_validator(mode="after")
    def _check(self) -> SingleQuestion:
        self._check_index(self.answer, "answer")
        return self


class MultipleQuestion(_Choices):
    type: Literal["multiple"]
    answer: list[StrictInt] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> MultipleQuestion:
        for k, i in enumerate(self.answer):
            self._check_index(i, f"answer[{k}]")
            if self.answer.index(i) != k:
                raise ValueError(f"answer[{k}]: index {i} is listed twice")
        return self


class TrueFalseQuestion(_Question):
    type: Literal["true_false"]
    answer: StrictBool


class NumericQuestion(_Question):
    type: Literal["numeric"]
    answer: Annotated[float, Strict()]
    tolerance: Tolerance = Field(default_factory=lambda: Tolerance(rtol=DEFAULT_RTOL, atol=0.0))

    @field_validator("answer")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


class TextQuestion(_Question):
    type: Literal["text"]
    accept: list[str] = Field(min_length=1)

    @field_validator("accept")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        for i, pattern in enumerate(v):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"accept[{i}]: {pattern!r} is not a valid regular expression ({exc})") from None
        return v


Question = Annotated[
    SingleQuestion | MultipleQuestion | TrueFalseQuestion | NumericQuestion | TextQuestion,
    Field(discriminator="type"),
]


class QuizFile(Model):
    format_version: int
    title: str | None = None
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> QuizFile:
        seen: set[str] = set()
        for i, q in enumerate(self.questions):
            if q.id in seen:
                raise ValueError(f"questions[{i}]: duplicate question id {q.id!r}")
            seen.add(q.id)
        return self


AnyQuestion = SingleQuestion | MultipleQuestion | TrueFalseQuestion | NumericQuestion | TextQuestion


@dataclass
class Quiz:
    lesson: str
    title: str
    path: Path
    questions: list[AnyQuestion]

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> AnyQuestion | None:
        return next((q for q in self.questions if q.id == qid), None)


_MODELS: dict[Any, type[BaseModel]] = {
    "single": SingleQuestion,
    "multiple": MultipleQuestion,
    "true_false": TrueFalseQuestion,
    "numeric": NumericQuestion,
    "text": TextQuestion,
}


# ---------------------------------------------------------------------- loading


def _fix(err: dict[str, Any]) -> str | None:
    """Quiz-specific fixes; None leaves the generic one."""
    kind = err.get("type", "")
    msg = str(err.get("msg", ""))
    if kind == "value_error":
        for needle, fix in (
            ("is not an index", "choices are counted from 0: the first choice is 0"),
            ("listed twice", "list each index once"),
            ("regular expression", "correct the pattern; escape literal ( ) [ ] . ? + * with a backslash"),
            ("duplicate question id", "give every question its own id"),
            ("the same text as", "make every choice different"),
            ("empty choice", "write the choice's text, or remove it"),
        ):
            if needle in msg:
                return fix
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "set `type:` to one of " + ", ".join(TYPES)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "write a whole number (a choice index, counted from 0)"
    return None


def _message(err: dict[str, Any]) -> str | None:
    kind = err.get("type")
    if kind == "union_tag_invalid" and isinstance(err.get("input"), dict):
        return f"unknown question type {err['input'].get('type')!r}"
    if kind == "union_tag_not_found":
        return "the question has no `type:`"
    return None


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tag pydantic puts in a location (``questions.2.single.answer``)."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if part in TYPES and i > 0 and isinstance(loc[i - 1], int):
            continue
        out.append(part)
    return tuple(out)


def _known_keys(data: Any) -> Any:
    """The keys a model at ``loc`` accepts (for "did you mean"), from the question's type."""

    def keys(loc: tuple[Any, ...]) -> list[str]:
        if len(loc) >= 2 and loc[0] == "questions":
            try:
                qtype = data["questions"][loc[1]].get("type")
            except (KeyError, IndexError, TypeError, AttributeError):
                qtype = None
            model = _MODELS.get(qtype)
            if model is not None and len(loc) == 2:
                return list(model.model_fields)
            if len(loc) == 3 and loc[2] == "tolerance":
                return list(Tolerance.model_fields)
        return list(QuizFile.model_fields)

    return keys


def load_quiz_file(path: Path, lesson_id: str, title: str = "") -> Quiz:
    """Load and validate one quiz file; a problem raises :class:`CourseError` with file, place and fix."""
    if not path.is_file():
        raise UsageError(
            f"{lesson_id} has no quiz yet", file=str(path), fix="write this file (see CONTRIBUTING.md, Quizzes)"
        )
    text = read_text(path)
    data = read_yaml(path, text)
    if not isinstance(data, dict):
        raise CourseError(
            "expected a mapping at the top level",
            file=str(path),
            fix="start with `format_version: 1` and a `questions:` list",
        )
    check_format_version(data, path)
    model = validate(
        QuizFile,
        data,
        path,
        text=text,
        see="CONTRIBUTING.md, Quizzes",
        fix=_fix,
        message=_message,
        clean_loc=_clean_loc,
        known_keys=_known_keys(data),
    )
    return Quiz(lesson=lesson_id, title=model.title or title or lesson_id, path=path, questions=list(model.questions))


def load_quiz(course: Course, lesson: Lesson) -> Quiz:
    return load_quiz_file(course.quiz_path(lesson), lesson.id, lesson.title)

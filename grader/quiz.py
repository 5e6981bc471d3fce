"""Lesson quizzes: load and validate ``quiz.yaml``, grade answers, run a quiz in the terminal, report.

The file format is in CONTRIBUTING.md ("Quizzes"). Errors name the file, the place (``questions[2].answer``, with its
line) and the fix, like ``curriculum.yaml``'s. Choice indexes are 0-based everywhere in files (quiz and answers);
the terminal shows them from 1.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from grader.curriculum import _loc, check_format_version, read_yaml
from grader.errors import CourseError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from grader.curriculum import Course, Lesson

TYPES = ("single", "multiple", "true_false", "numeric", "text")
QID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
DEFAULT_RTOL = 1e-3
FORMATS = ("text", "json", "junit", "markdown", "html")


# ---------------------------------------------------------------------- the file format


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(_Model):
    rtol: float = Field(DEFAULT_RTOL, ge=0)
    atol: float = Field(0.0, ge=0)


class _Question(_Model):
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


class QuizFile(_Model):
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


# ---------------------------------------------------------------------- loading


def _yaml_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the node at ``loc`` (or its nearest existing parent) in YAML ``text``."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if nxt is None:
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                return key.start_mark.line + 1 if key is not None else line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            nxt = node.value[part]
        else:
            return line
        node = nxt
        line = node.start_mark.line + 1
    return line


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tag pydantic puts in a location (``questions.2.single.answer``)."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if part in TYPES and i > 0 and isinstance(loc[i - 1], int):
            continue
        out.append(part)
    return tuple(out)


def _sub_place(msg: str, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], str]:
    """A validator's message may start with a sub-place such as ``answer[1]: ...`` or ``questions[3]: ...``."""
    msg = msg.removeprefix("Value error, ")
    m = re.match(r"^([a-z_]+)(?:\[(\d+)\])?: (.*)$", msg, re.S)
    if not m:
        return loc, msg
    sub: tuple[Any, ...] = (m.group(1),) + ((int(m.group(2)),) if m.group(2) is not None else ())
    if loc and loc[-1] == m.group(1):
        loc = loc[:-1]
    return loc + sub, m.group(3)


def _fix(err: Any) -> str:
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
    if kind == "extra_forbidden":
        return "remove this key or correct its spelling (see CONTRIBUTING.md, Quizzes)"
    if kind == "missing":
        return "add this key"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "set `type:` to one of " + ", ".join(TYPES)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "write a whole number (a choice index, counted from 0)"
    if kind in ("float_type", "float_parsing"):
        return "write a number"
    if kind == "bool_type":
        return "write true or false"
    if kind == "list_type":
        return "write a YAML list here"
    if kind == "too_short":
        return "give at least the minimum number of entries"
    if kind.startswith(("greater_than", "less_than")):
        return "use a value in the allowed range"
    if kind == "string_type":
        return "write text here (quote it if YAML reads it as something else)"
    return "correct the value"


def _known_keys(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys a model at ``loc`` accepts (for "did you mean"), from the question's type."""
    if len(loc) >= 3 and loc[0] == "questions":
        try:
            qtype = data["questions"][loc[1]].get("type")
        except (KeyError, IndexError, TypeError, AttributeError):
            qtype = None
        models: dict[Any, type[BaseModel]] = {
            "single": SingleQuestion,
            "multiple": MultipleQuestion,
            "true_false": TrueFalseQuestion,
            "numeric": NumericQuestion,
            "text": TextQuestion,
        }
        model = models.get(qtype)
        if model is not None and len(loc) == 3:
            return list(model.model_fields)
        if len(loc) == 4 and loc[2] == "tolerance":
            return list(Tolerance.model_fields)
    return list(QuizFile.model_fields)


def load_quiz_file(path: Path, lesson_id: str, title: str = "") -> Quiz:
    """Load and validate one quiz file; a problem raises :class:`CourseError` with file, place and fix."""
    if not path.is_file():
        raise UsageError(
            f"{lesson_id} has no quiz yet", file=str(path), fix="write this file (see CONTRIBUTING.md, Quizzes)"
        )
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise CourseError(
            "expected a mapping at the top level",
            file=str(path),
            fix="start with `format_version: 1` and a `questions:` list",
        )
    check_format_version(data, path)
    try:
        model = QuizFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = _clean_loc(tuple(first["loc"]))
        if first.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")
        loc, msg = _sub_place(first["msg"], loc)
        fix = _fix(first)
        kind = first.get("type")
        if kind == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
            known = _known_keys(data, loc)
            import difflib

            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            fix = f"did you mean {close[0]!r}?" if close else fix
        elif kind == "union_tag_invalid":
            msg = f"unknown question type {first['input'].get('type')!r}" if isinstance(first["input"], dict) else msg
        elif kind == "union_tag_not_found":
            msg = "the question has no `type:`"
        elif kind == "missing":
            msg = f"the key {loc[-1]!r} is missing"
        line = _yaml_line(path.read_text(encoding="utf-8"), loc)
        place = _loc(loc) + (f" (line {line})" if line else "")
        more = len(errors) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise CourseError(msg + extra, file=str(path), place=place, fix=fix) from None
    return Quiz(lesson=lesson_id, title=model.title or title or lesson_id, path=path, questions=list(model.questions))


def load_quiz(course: Course, lesson: Lesson) -> Quiz:
    return load_quiz_file(course.quiz_path(lesson), lesson.id, lesson.title)


# ---------------------------------------------------------------------- answers: parse and grade


class AnswerError(ValueError):
    """An answer of the wrong shape for its question (the message says what is expected)."""


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def expected_form(q: AnyQuestion, one_based: bool = False) -> str:
    base = 1 if one_based else 0
    if isinstance(q, SingleQuestion):
        return f"one choice number ({base} to {len(q.choices) - 1 + base})"
    if isinstance(q, MultipleQuestion):
        if one_based:
            return f"choice numbers ({base} to {len(q.choices) - 1 + base}), e.g. {base},{base + 2}"
        return f"a list of choice numbers ({base} to {len(q.choices) - 1 + base}), e.g. [{base}, {base + 2}]"
    if isinstance(q, TrueFalseQuestion):
        return "true or false"
    if isinstance(q, NumericQuestion):
        return "a number (e.g. 0.25, 1e-3 or 1/4)"
    return "a short text"


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        raise AnswerError("a number, not true/false")
    if isinstance(value, (int, float)):
        out = float(value)
    elif isinstance(value, str):
        s = value.strip().replace("−", "-").replace("_", "")
        try:
            out = float(Fraction(s)) if "/" in s else float(s)
        except (ValueError, ZeroDivisionError):
            raise AnswerError(f"{value!r} is not a number") from None
    else:
        raise AnswerError(f"{value!r} is not a number")
    if not math.isfinite(out):
        raise AnswerError("a finite number")
    return out


def _to_index(q: _Choices, value: Any, base: int) -> int:
    if isinstance(value, bool):
        raise AnswerError("a choice number, not true/false")
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            value = int(s)
        else:
            texts = [c.strip().lower() for c in q.choices]
            if s.lower() in texts:
                return texts.index(s.lower())
            raise AnswerError(f"{value!r} is not a choice number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise AnswerError(f"{value!r} is not a choice number")
    i = value - base
    if not 0 <= i < len(q.choices):
        raise AnswerError(f"{value} is not a choice number ({base} to {len(q.choices) - 1 + base})")
    return i


def parse_answer(q: AnyQuestion, value: Any, *, one_based: bool = False) -> Any:
    """An answer as graded: int, frozenset of ints, bool, float or str; ``None`` when unanswered.

    Raises :class:`AnswerError` when ``value`` cannot be an answer to ``q``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    base = 1 if one_based else 0
    if isinstance(q, SingleQuestion):
        return _to_index(q, value, base)
    if isinstance(q, MultipleQuestion):
        if isinstance(value, str):
            parts: list[Any] = [p for p in re.split(r"[,\s]+", value.strip()) if p]
        elif isinstance(value, (list, tuple)):
            parts = list(value)
        else:
            parts = [value]
        return frozenset(_to_index(q, p, base) for p in parts)
    if isinstance(q, TrueFalseQuestion):
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise AnswerError(f"{value!r} is not true or false")
    if isinstance(q, NumericQuestion):
        return _to_number(value)
    if isinstance(value, (list, dict)):
        raise AnswerError("a short text")
    return str(value)


def _norm_text(s: str) -> str:
    return " ".join(s.split())


def is_correct(q: AnyQuestion, answer: Any) -> bool:
    if answer is None:
        return False
    if isinstance(q, SingleQuestion):
        return bool(answer == q.answer)
    if isinstance(q, MultipleQuestion):
        return bool(answer == frozenset(q.answer))
    if isinstance(q, TrueFalseQuestion):
        return bool(answer is q.answer)
    if isinstance(q, NumericQuestion):
        return abs(answer - q.answer) <= q.tolerance.atol + q.tolerance.rtol * abs(q.answer)
    text = _norm_text(str(answer))
    return any(re.fullmatch(p, text, re.IGNORECASE) for p in q.accept)


def show_answer(q: AnyQuestion, answer: Any) -> str:
    """A value as the learner reads it (choices by their text)."""
    if answer is None:
        return "(no answer)"
    if isinstance(q, SingleQuestion):
        return q.choices[answer]
    if isinstance(q, MultipleQuestion):
        return "; ".join(q.choices[i] for i in sorted(answer)) or "(none)"
    if isinstance(q, TrueFalseQuestion):
        return "true" if answer else "false"
    if isinstance(q, NumericQuestion):
        return f"{answer:g}"
    return str(answer)


def show_expected(q: AnyQuestion) -> str:
    if isinstance(q, SingleQuestion):
        return q.choices[q.answer]
    if isinstance(q, MultipleQuestion):
        return "; ".join(q.choices[i] for i in sorted(q.answer))
    if isinstance(q, TrueFalseQuestion):
        return "true" if q.answer else "false"
    if isinstance(q, NumericQuestion):
        tol = q.tolerance
        parts = []
        if tol.rtol:
            parts.append(f"rtol {tol.rtol:g}")
        if tol.atol:
            parts.append(f"atol {tol.atol:g}")
        return f"{q.answer:g}" + (f" ({', '.join(parts)})" if parts else "")
    return q.accept[0] if len(q.accept) == 1 else " | ".join(q.accept)


def _jsonable(answer: Any) -> Any:
    if isinstance(answer, frozenset):
        return sorted(answer)
    return answer


@dataclass
class QuestionResult:
    question: AnyQuestion
    answer: Any
    correct: bool
    score: float

    def view(self) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "type": q.type,
            "prompt": q.prompt,
            "choices": list(getattr(q, "choices", [])),
            "points": q.points,
            "score": self.score,
            "answered": self.answer is not None,
            "correct": self.correct,
            "given": show_answer(q, self.answer),
            "given_value": _jsonable(self.answer),
            "expected": show_expected(q),
            "explanation": q.explanation,
        }


@dataclass
class QuizResult:
    quiz: Quiz
    results: list[QuestionResult]
    seed: int | None = None
    mode: str = "answers"
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return self.quiz.max_score

    @property
    def passed(self) -> bool:
        return all(r.correct for r in self.results)

    def view(self) -> dict[str, Any]:
        qs = [r.view() for r in self.results]
        n_correct = sum(1 for q in qs if q["correct"])
        n_unanswered = sum(1 for q in qs if not q["answered"])
        return {
            "quiz": self.quiz.lesson,
            "title": self.quiz.title,
            "file": str(self.quiz.path),
            "mode": self.mode,
            "seed": self.seed,
            "status": "passed" if self.passed else "failed",
            "score": self.score,
            "max_score": self.max_score,
            "n_questions": len(qs),
            "n_correct": n_correct,
            "n_wrong": len(qs) - n_correct - n_unanswered,
            "n_unanswered": n_unanswered,
            "questions": qs,
            "timestamp": self.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def grade(quiz: Quiz, answers: dict[str, Any], *, seed: int | None = None, mode: str = "answers") -> QuizResult:
    """Grade parsed answers (question id -> value from :func:`parse_answer`); missing ones score 0."""
    results = []
    for q in quiz.questions:
        a = answers.get(q.id)
        ok = is_correct(q, a)
        results.append(QuestionResult(q, a, ok, q.points if ok else 0.0))
    return QuizResult(quiz, results, seed=seed, mode=mode)


# ---------------------------------------------------------------------- the answers file


def load_answers(path: Path, quiz: Quiz) -> tuple[dict[str, Any], int | None]:
    """Read a filled answers file: ``{quiz: lessonN, seed: N, answers: {question_id: value}}``."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            "the answers file does not exist",
            file=where,
            fix=f"make one with `dlgrade quiz {quiz.lesson} --template -o {path}`",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the answers file: {exc}", file=where) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"invalid YAML: {problem}", file=where, place=place, fix="correct the YAML syntax") from None

    def where_in(*loc: Any) -> str:
        line = _yaml_line(path.read_text(encoding="utf-8"), loc)
        return _loc(loc) + (f" (line {line})" if line else "")

    if not isinstance(data, dict):
        raise UsageError(
            "expected a mapping with `quiz:` and `answers:`",
            file=where,
            fix=f"start from `dlgrade quiz {quiz.lesson} --template`",
        )
    unknown = [k for k in data if k not in ("quiz", "seed", "answers")]
    if unknown:
        raise UsageError(
            f"unknown key {unknown[0]!r}",
            file=where,
            place=where_in(unknown[0]),
            fix="the keys are quiz, seed and answers",
        )
    named = data.get("quiz")
    if named is not None:
        key = str(named).strip()
        key = f"lesson{int(key)}" if key.isdigit() else key
        if key != quiz.lesson:
            raise UsageError(
                f"these answers are for {named!r}, not {quiz.lesson}",
                file=where,
                place=where_in("quiz"),
                fix=f"grade them with `dlgrade quiz {key} --answers {path}`, or correct `quiz:`",
            )
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise UsageError(
            "seed must be a whole number", file=where, place=where_in("seed"), fix="write e.g. `seed: 1234`"
        )
    raw = data.get("answers")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UsageError(
            "answers must be a mapping of question id to answer",
            file=where,
            place=where_in("answers"),
            fix="write `answers:` then one `question_id: value` line per question",
        )
    answers: dict[str, Any] = {}
    for qid, value in raw.items():
        q = quiz.question(str(qid))
        if q is None:
            import difflib

            close = difflib.get_close_matches(str(qid), [x.id for x in quiz.questions], n=1)
            raise UsageError(
                f"no question {qid!r} in the {quiz.lesson} quiz",
                file=where,
                place=where_in("answers", qid),
                fix=f"did you mean {close[0]}?" if close else "use the ids from the --template file",
            )
        try:
            answers[q.id] = parse_answer(q, value)
        except AnswerError as exc:
            raise UsageError(
                f"not a valid answer: {exc}",
                file=where,
                place=where_in("answers", qid),
                fix=f"write {expected_form(q)}",
            ) from None
    return answers, seed


def answers_template(quiz: Quiz) -> str:
    """A YAML answers file to fill in: every question as a comment, every answer ``null``. No solutions."""
    lines = [
        f"# Answers for the {quiz.lesson} quiz ({quiz.title})",
        f"# Fill in each value, then run: dlgrade quiz {quiz.lesson} --answers THIS_FILE",
        "# Choices are numbered from 0. Leave null to skip a question (it scores 0).",
        f"quiz: {quiz.lesson}",
        "answers:",
    ]
    for q in quiz.questions:
        lines.append("")
        for i, pl in enumerate(q.prompt.strip().splitlines()):
            lines.append(f"  # {'Q: ' if i == 0 else '   '}{pl}")
        pts = f"{q.points:g} point{'s' if q.points != 1 else ''}"
        lines.append(f"  # ({q.type.replace('_', '/')}, {pts}) answer with {expected_form(q)}")
        for i, c in enumerate(getattr(q, "choices", [])):
            lines.append(f"  #   {i}: {' '.join(str(c).split())}")
        lines.append(f"  {q.id}: null")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- reports


def render_report(result: QuizResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.view(), indent=2) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    from grader.render import environment

    name = {"text": "quiz.txt.j2", "markdown": "quiz.md.j2", "junit": "quiz.junit.xml.j2", "html": "quiz.html.j2"}[fmt]
    return environment().get_template(name).render(r=result.view())


def record(result: QuizResult, workspace: Path, answers: dict[str, Any] | None = None) -> None:
    """Add the score to the learner's progress (shown by ``dlgrade list``) and log the attempt with its seed."""
    try:
        from grader.progress import Progress

        prog = Progress.for_workspace(workspace)
    except Exception:  # a read-only workspace still gets its grade
        return
    try:
        prog.record_quiz(result.quiz.lesson, result.score, result.max_score)
    finally:
        prog.close()
    entry = {
        "lesson": result.quiz.lesson,
        "at": result.at.isoformat(),
        "mode": result.mode,
        "seed": result.seed,
        "score": result.score,
        "max_score": result.max_score,
        "answers": {k: _jsonable(v) for k, v in (answers or {}).items()},
    }
    try:
        with open(workspace / ".dlgrade" / "quiz_log.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
    except OSError:
        pass


# ---------------------------------------------------------------------- the interactive quiz


@dataclass
class Shuffled:
    """The order a seed gives: questions, and for each choice question the order of its choices."""

    order: list[int]
    choice_order: dict[str, list[int]]


def shuffle(quiz: Quiz, seed: int) -> Shuffled:
    rng = random.Random(seed)
    order = list(range(len(quiz.questions)))
    rng.shuffle(order)
    choice_order = {}
    for q in quiz.questions:
        if isinstance(q, (SingleQuestion, MultipleQuestion)):
            perm = list(range(len(q.choices)))
            if q.shuffle:
                rng.shuffle(perm)
            choice_order[q.id] = perm
    return Shuffled(order, choice_order)


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


def run_interactive(
    quiz: Quiz, out: Console, *, seed: int, ask: Callable[[str], str] | None = None
) -> tuple[QuizResult, dict[str, Any]]:
    """Ask every question in the seed's order; show right/wrong and the explanation after each."""
    from rich.markup import escape

    ask = ask or (lambda prompt: out.input(prompt))
    plan = shuffle(quiz, seed)
    out.print(
        f"[bold]quiz {quiz.lesson}[/bold] — {escape(quiz.title)}: {len(quiz.questions)} questions, "
        f"{quiz.max_score:g} points [dim](seed {seed}; Enter skips a question)[/dim]"
    )
    answers: dict[str, Any] = {}
    for n, qi in enumerate(plan.order, 1):
        q = quiz.questions[qi]
        out.print()
        out.print(
            f"[bold]{n}.[/bold] {escape(q.prompt.strip())} [dim]({q.points:g} pt{'s' if q.points != 1 else ''})[/dim]"
        )
        perm = plan.choice_order.get(q.id)
        if perm is not None:
            for shown, orig in enumerate(perm, 1):
                out.print(f"   {shown}) {escape(q.choices[orig])}")  # type: ignore[union-attr]
        hint = {
            "single": "your choice",
            "multiple": "your choices, e.g. 1,3",
            "true_false": "true or false",
            "numeric": "a number",
            "text": "your answer",
        }[q.type]
        while True:
            reply = ask(f"[cyan]{hint}[/cyan] > ")
            try:
                value = parse_answer(q, reply, one_based=True)
            except AnswerError as exc:
                out.print(f"[yellow]{escape(str(exc))}: answer with {expected_form(q, one_based=True)}[/yellow]")
                continue
            break
        if perm is not None and value is not None:  # shown numbers -> the file's indexes
            value = frozenset(perm[i] for i in value) if isinstance(value, frozenset) else perm[value]
        answers[q.id] = value
        if value is None:
            out.print(f"[yellow]skipped[/yellow] — the answer: {escape(show_expected(q))}")
        elif is_correct(q, value):
            out.print(f"[green]✔ correct[/green] (+{q.points:g})")
        else:
            out.print(f"[red]✘ not quite[/red] — the answer: {escape(show_expected(q))}")
        out.print(f"[dim]{escape(q.explanation.strip())}[/dim]")
    return grade(quiz, answers, seed=seed, mode="interactive"), answers

"""Quiz answers: parse what a learner typed or wrote in an answers file, judge it, show it back.

Choice indexes are 0-based in files and 1-based on the terminal (``one_based``). No torch, no terminal here.
"""

from __future__ import annotations

import difflib
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from grader.course.curriculum import SHORT_LESSON_RE
from grader.course.files import place, read_yaml, yaml_line
from grader.course.quiz import (
    AnyQuestion,
    MultipleQuestion,
    NumericQuestion,
    Quiz,
    SingleQuestion,
    TrueFalseQuestion,
    _Choices,
)
from grader.errors import CourseError, UsageError


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
        data = read_yaml(path, text)
    except CourseError as exc:  # the answers file is the learner's, not the course's
        raise UsageError(exc.message, file=where, place=exc.place, fix=exc.fix) from None

    def where_in(*loc: Any) -> str:
        line = yaml_line(text, loc)
        return place(loc) + (f" (line {line})" if line else "")

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
        key = f"lesson{key.lstrip('0') or '0'}" if SHORT_LESSON_RE.match(key) else key
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


def jsonable(answer: Any) -> Any:
    if isinstance(answer, frozenset):
        return sorted(answer)
    return answer

"""Taking a quiz: grade answers into a result, run a quiz in the terminal, record the score.

A quiz taken in the terminal is saved after every answer (``.dlgrade/quiz-<lesson>.json`` in the workspace store),
so Ctrl-C, a closed terminal or the end of input lose nothing: the next run resumes with the same seed and order.
Reports of a result are drawn by ``grader.reports``; the file format is ``grader.course.quiz``'s.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.course import paths
from grader.course.quiz import AnyQuestion, MultipleQuestion, Quiz, SingleQuestion
from grader.study.answers import (
    AnswerError,
    expected_form,
    is_correct,
    jsonable,
    parse_answer,
    show_answer,
    show_expected,
)

if TYPE_CHECKING:
    from rich.console import Console


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
            "given_value": jsonable(self.answer),
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


def record(result: QuizResult, workspace: Path, answers: dict[str, Any] | None = None) -> None:
    """Add the score to the learner's progress (shown by ``dlgrade list``) and log the attempt with its seed."""
    try:
        from grader.progress.tracker import Progress

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
        "answers": {k: jsonable(v) for k, v in (answers or {}).items()},
    }
    try:
        log = paths.store_path(workspace, paths.QUIZ_LOG)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
    except OSError:
        pass


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


# ---------------------------------------------------------------------- a quiz in progress

SAVED_FORMAT = 1


class StaleProgress(Exception):
    """A saved quiz that cannot be resumed (damaged, or the quiz has changed since): the message says which."""


@dataclass
class SavedQuiz:
    """Answers given so far in a quiz left before its end, and the seed that fixes its order."""

    seed: int
    answers: dict[str, Any]  # question id -> value as graded (None: skipped), in the order answered
    path: Path


def fingerprint(quiz: Quiz) -> str:
    """What answers and order depend on (ids, types, choices, shuffling); prompts and explanations may change."""
    shape = [(q.id, q.type, list(getattr(q, "choices", [])), getattr(q, "shuffle", None)) for q in quiz.questions]
    return hashlib.sha1(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()[:16]


def load_progress(quiz: Quiz, workspace: Path) -> SavedQuiz | None:
    """The quiz in progress for ``quiz``'s lesson, if any; :class:`StaleProgress` when it cannot be resumed."""
    path = paths.existing_store(workspace, paths.quiz_state(quiz.lesson))
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != SAVED_FORMAT or data.get("lesson") != quiz.lesson:
            raise ValueError("not a saved quiz of this lesson")
        seed = data["seed"]
        raw = data["answers"]
        if not isinstance(seed, int) or not isinstance(raw, dict):
            raise ValueError("no seed or no answers")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StaleProgress(f"the saved quiz {path} cannot be read ({exc})") from None
    if data.get("quiz") != fingerprint(quiz):
        raise StaleProgress(f"the {quiz.lesson} quiz has changed since its answers were saved in {path}")
    answers: dict[str, Any] = {}
    for qid, value in raw.items():
        q = quiz.question(qid)
        try:
            if q is None:
                raise AnswerError(f"no question {qid!r}")
            answers[qid] = parse_answer(q, value)
        except AnswerError as exc:
            raise StaleProgress(f"the saved quiz {path} holds an answer that no longer fits ({exc})") from None
    return SavedQuiz(seed, answers, path)


def save_progress(quiz: Quiz, workspace: Path, seed: int, answers: dict[str, Any]) -> Path | None:
    """Write the answers so far (atomically); None when no store can be written."""
    path = paths.store_path(workspace, paths.quiz_state(quiz.lesson))
    data = {
        "format": SAVED_FORMAT,
        "lesson": quiz.lesson,
        "quiz": fingerprint(quiz),
        "seed": seed,
        "saved": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "answers": {k: jsonable(v) for k, v in answers.items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return None
    return path


def clear_progress(quiz: Quiz, workspace: Path) -> None:
    """Forget the quiz in progress (after a finished quiz, or to start over)."""
    name = paths.quiz_state(quiz.lesson)
    for _ in range(2):  # the workspace's own store, then the fallback folder
        path = paths.existing_store(workspace, name)
        if path is None:
            return
        try:
            path.unlink()
        except OSError:
            return


# ---------------------------------------------------------------------- the terminal


def run_interactive(
    quiz: Quiz,
    out: Console,
    *,
    seed: int,
    ask: Callable[[str], str] | None = None,
    answers: dict[str, Any] | None = None,
    on_answer: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[QuizResult, dict[str, Any]]:
    """Ask every question in the seed's order; show right/wrong and the explanation after each.

    ``answers`` are those given before (a resumed quiz): their questions are not asked again. ``on_answer`` is
    called with every answer so far after each one, so that the caller can save them.
    """
    from rich.markup import escape

    ask = ask or (lambda prompt: out.input(prompt))
    plan = shuffle(quiz, seed)
    answers = dict(answers or {})
    resumed = f"; resuming with {len(answers)} answered" if answers else ""
    out.print(
        f"[bold]quiz {quiz.lesson}[/bold] — {escape(quiz.title)}: {len(quiz.questions)} questions, "
        f"{quiz.max_score:g} points [dim](seed {seed}{resumed}; Enter skips a question)[/dim]"
    )
    for n, qi in enumerate(plan.order, 1):
        q = quiz.questions[qi]
        if q.id in answers:
            continue
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
        if on_answer is not None:
            on_answer(answers)
        if value is None:
            out.print(f"[yellow]skipped[/yellow] — the answer: {escape(show_expected(q))}")
        elif is_correct(q, value):
            out.print(f"[green]✔ correct[/green] (+{q.points:g})")
        else:
            out.print(f"[red]✘ not quite[/red] — the answer: {escape(show_expected(q))}")
        out.print(f"[dim]{escape(q.explanation.strip())}[/dim]")
    return grade(quiz, answers, seed=seed, mode="interactive"), answers

"""Typed result records, kept apart from the pytest hooks that fill them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass
class CheckResult:
    name: str
    title: str
    status: Status
    kind: str | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    call: str | None = None
    output: str | None = None
    duration_s: float = 0.0
    gate: bool = False  # earns no points; failing it zeroes the exercise (e.g. "no forbidden built-in")
    learner_s: float = 0.0  # CPU seconds the learner's code took in this check

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status.value,
            "kind": self.kind,
            "message": self.message,
            "call": self.call,
            "output": self.output,
            "gate": self.gate,
            "duration_s": self.duration_s,
            "learner_s": self.learner_s,
            "details": self.details,
        }


@dataclass
class Diagnosis:
    """A named mistake the failing checks point to: a known one (a mutant's) or a generic numeric one."""

    id: str  # "mutant:<mutant id>" or "generic:<kind>"
    description: str  # the mistake in the learner's terms
    hint: str | None = None
    card: str | None = None  # a card id (``lesson/id``)
    checks: list[str] = field(default_factory=list)  # the checks that show it

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "hint": self.hint,
            "card": self.card,
            "checks": self.checks,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Diagnosis:
        return cls(str(d["id"]), str(d["description"]), d.get("hint"), d.get("card"), list(d.get("checks", [])))


@dataclass
class ExerciseResult:
    id: str
    title: str
    status: Status
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    file: str = ""
    n_hints: int = 0  # how many hint levels the exercise has
    error: str | None = None
    cards: list[str] = field(default_factory=list)  # the questions of the cards to review, most relevant first
    diagnoses: list[Diagnosis] = field(default_factory=list)
    hint: str | None = None  # the hint that fits this failure (a diagnosed mistake's, or the next one not yet seen)
    hint_level: int = 0  # its level among the exercise's hints (0: a diagnosed mistake's own hint)
    advice: str | None = None  # not a failure: e.g. far slower than the reference solution
    note: str | None = None  # why the score is what it is, when the checks alone do not say (a zeroing gate)
    names: list[str] = field(default_factory=list)  # what the learner writes in this exercise

    @property
    def kinds(self) -> set[str]:
        return {c.kind for c in self.checks if c.kind}

    def to_json(self) -> dict[str, Any]:
        """The exercise in the JSON report: enough to render every other report of it again, identically."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "note": self.note,
            "file": self.file,
            "names": self.names,
            "diagnosis": self.diagnoses[0].to_json() if self.diagnoses else None,
            "diagnoses": [d.to_json() for d in self.diagnoses],
            "hint": self.hint,
            "hint_level": self.hint_level,
            "n_hints": self.n_hints,
            "cards": self.cards,
            "advice": self.advice,
            "checks": [c.to_json() for c in self.checks],
        }

    @classmethod
    def from_json(cls, e: dict[str, Any]) -> ExerciseResult:
        return cls(
            id=e["id"],
            title=e["title"],
            status=Status(e["status"]),
            score=e["score"],
            max_score=e["max_score"],
            checks=[check_from_json(c) for c in e.get("checks", [])],
            file=e.get("file", ""),
            n_hints=int(e.get("n_hints", 0)),
            error=e.get("error"),
            cards=list(e.get("cards", [])),
            diagnoses=[Diagnosis.from_json(d) for d in e.get("diagnoses", [])],
            hint=e.get("hint"),
            hint_level=int(e.get("hint_level", 0)),
            advice=e.get("advice"),
            note=e.get("note"),
            names=list(e.get("names", [])),
        )


@dataclass
class LessonResult:
    lesson: str
    title: str
    status: Status
    score: float
    max_score: float
    exercises: list[ExerciseResult]
    device: str = "cpu"
    public_only: bool = False
    duration_s: float = 0.0
    sandbox: str = "portable"

    def to_json(self) -> dict[str, Any]:
        """The stable JSON report (documented in the README)."""
        return {
            "lesson": self.lesson,
            "title": self.title,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "device": self.device,
            "public_only": self.public_only,
            "sandbox": self.sandbox,
            "duration_s": round(self.duration_s, 3),
            "exercises": [ex.to_json() for ex in self.exercises],
        }


def summarize(exercises: list[ExerciseResult]) -> tuple[Status, float, float]:
    score = round(sum(e.score for e in exercises), 2)
    max_score = float(sum(e.max_score for e in exercises))
    if any(e.status is Status.ERROR for e in exercises) and not any(e.status is Status.FAILED for e in exercises):
        status = Status.ERROR
    elif all(e.status is Status.PASSED for e in exercises):
        status = Status.PASSED
    else:
        status = Status.FAILED
    return status, score, max_score


_CHECK_FIELDS = {f.name for f in fields(CheckResult)}


def check_from_json(d: dict[str, Any]) -> CheckResult:
    return CheckResult(
        **{k: v for k, v in d.items() if k in _CHECK_FIELDS and k != "status"}, status=Status(d["status"])
    )

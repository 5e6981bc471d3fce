"""Typed result records, kept apart from the pytest hooks that fill them."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class ExerciseResult:
    id: str
    title: str
    status: Status
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    file: str = ""
    hints: list[str] = field(default_factory=list)
    error: str | None = None
    cards: list[str] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {c.kind for c in self.checks if c.kind}


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
            "exercises": [
                {
                    "id": ex.id,
                    "title": ex.title,
                    "status": ex.status.value,
                    "score": ex.score,
                    "max_score": ex.max_score,
                    "error": ex.error,
                    "diagnosis": ex.diagnoses[0].to_json() if ex.diagnoses else None,
                    "checks": [
                        {
                            "name": c.name,
                            "title": c.title,
                            "status": c.status.value,
                            "kind": c.kind,
                            "message": c.message,
                            "call": c.call,
                            "output": c.output,
                            "gate": c.gate,
                            "duration_s": c.duration_s,
                        }
                        for c in ex.checks
                    ],
                }
                for ex in self.exercises
            ],
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


def check_from_json(d: dict[str, Any]) -> CheckResult:
    return CheckResult(**{**d, "status": Status(d["status"])})

"""Structured failures: what went wrong in a check, in words a learner can act on.

Shared by the trusted plugin, the worker client and the suite helpers. ``kind`` is one of ``grader.kinds.KINDS``.
No torch here.
"""

from __future__ import annotations

from typing import Any

from grader.kinds import KINDS

__all__ = ["KINDS", "CheckFailure", "LearnerProblem"]


class CheckFailure(AssertionError):
    """A check found a difference. ``kind`` is a key of ``KINDS``."""

    def __init__(self, kind: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or {}


class LearnerProblem(CheckFailure):
    """The learner's code could not be run to an answer (error, exit, timeout, crash...)."""

"""Structured failures: what went wrong in a check, in words a learner can act on.

Shared by the trusted plugin, the worker client and the suite helpers. No torch here.
"""

from __future__ import annotations

from typing import Any

# Every kind of failure the feedback tells apart.
KINDS = {
    "not_implemented": "not implemented yet",
    "missing_name": "missing name",
    "syntax_error": "syntax error",
    "import_error": "import error",
    "wrong_type": "wrong type",
    "wrong_shape": "wrong shape",
    "wrong_dtype": "wrong dtype",
    "wrong_device": "wrong device",
    "nan_inf": "NaN or inf",
    "wrong_values": "wrong values",
    "wrong_gradient": "wrong gradient",
    "modified_input": "input modified",
    "forbidden_api": "forbidden API used",
    "exception": "raised an exception",
    "timeout": "timeout",
    "crash": "crash",
    "exit": "exited early",
    "resource": "resource limit",
    "output_flood": "output flood",
    "protocol": "invalid reply",
    "internal": "grader error",
}


class CheckFailure(AssertionError):
    """A check found a difference. ``kind`` is a key of ``KINDS``."""

    def __init__(self, kind: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or {}


class LearnerProblem(CheckFailure):
    """The learner's code could not be run to an answer (error, exit, timeout, crash...)."""

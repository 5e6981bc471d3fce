"""The suite API: what a hidden suite imports. Runs only in the trusted pytest process.

A suite reaches learner code through the ``learner`` fixture; every value it gets back is plain data decoded from
the worker. Compare with ``expect_close``; state anything else with ``expect``.

    def test_matches_reference(learner, device):
        logits = torch.randn(8, 5, device=device, dtype=torch.float64)
        got = learner.softmax_cross_entropy(logits, target)
        expect_close(got, F.cross_entropy(logits, target))

Modules: ``compare`` (expect_close and friends), ``learner`` (the proxy), ``describe`` (values in feedback),
``source`` (static checks of the learner's file), ``session`` (the check being run). May import ``grader.engine``'s
protocol and problems, nothing else of the grader.
"""

from __future__ import annotations

from grader.engine.problems import CheckFailure, LearnerProblem
from grader.testing.compare import expect, expect_close, expect_unchanged, tolerance
from grader.testing.describe import describe
from grader.testing.learner import Learner
from grader.testing.session import sibling

__all__ = [
    "CheckFailure",
    "Learner",
    "LearnerProblem",
    "describe",
    "expect",
    "expect_close",
    "expect_unchanged",
    "sibling",
    "tolerance",
]

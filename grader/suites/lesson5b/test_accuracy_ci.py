"""Hidden suite: lesson5b.accuracy_ci.

Predictions are built with an exact number k of correct entries out of n, so every interval
has a closed-form reference computed here in double precision.
"""

import math
from statistics import NormalDist

import pytest
import torch

from grader.testing import LearnerProblem, expect, expect_close

CLASSES = 5
TOL = {"rtol": 1e-6, "atol": 1e-9}  # loose enough for a float32 count or z, far tighter than any bug


def _z(confidence):
    return NormalDist().inv_cdf((1 + confidence) / 2)


def _reference(k, n, confidence, method):
    p = k / n
    z = _z(confidence)
    if method == "normal":
        centre, half = p, z * math.sqrt(p * (1 - p) / n)
    else:
        d = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / d
        half = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def _labels(k, n, device, seed=0):
    """Targets in 0..CLASSES-1 and predictions with exactly k of n correct, in shuffled places."""
    g = torch.Generator().manual_seed(seed)
    targets = torch.randint(0, CLASSES, (n,), generator=g)
    correct = torch.zeros(n, dtype=torch.bool)
    correct[torch.randperm(n, generator=g)[:k]] = True
    preds = torch.where(correct, targets, (targets + 1) % CLASSES)
    return preds.to(device), targets.to(device)


def _scores(preds, dtype, seed=0):
    """Class scores (n, CLASSES) whose row maxima sit at ``preds``."""
    g = torch.Generator().manual_seed(seed + 100)
    s = torch.randn(preds.shape[0], CLASSES, generator=g, dtype=torch.float64)
    s[torch.arange(preds.shape[0]), preds.cpu()] = s.abs().max() + 1.0
    return s.to(preds.device, dtype)


def _call(learner, preds, targets, confidence=0.95, method="wilson"):
    return learner.call_named(
        "accuracy_ci", ["predictions", "targets", "confidence", "method"], preds, targets, confidence, method
    )


def _check(got, k, n, confidence, method, what):
    want = _reference(k, n, confidence, method)
    expect(
        isinstance(got, (tuple, list)) and len(got) == 3,
        f"{what}: accuracy_ci should return (accuracy, low, high), got {got!r}",
        kind="wrong_type",
    )
    for name, g, w in zip(["accuracy", "low", "high"], got, want, strict=True):
        expect_close(g, w, name=f"{what}: {name}", **TOL)


# ---------------------------------------------------------------- accuracy


def test_accuracy_from_labels(learner, device):
    """the accuracy of predicted labels is the fraction that equal the targets"""
    preds, targets = _labels(37, 50, device, seed=1)
    got = _call(learner, preds, targets)
    expect_close(got[0] if isinstance(got, (tuple, list)) and got else got, 37 / 50, name="accuracy, 37 of 50 correct")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_accuracy_from_scores(learner, device, dtype):
    """with (n, C) class scores the prediction is each row's largest score"""
    preds, targets = _labels(21, 30, device, seed=2)
    got = _call(learner, _scores(preds, dtype, seed=2), targets)
    expect_close(
        got[0] if isinstance(got, (tuple, list)) and got else got, 21 / 30, name="accuracy from scores, 21 of 30"
    )


def test_returns_python_floats(learner, device):
    """returns three Python floats"""
    preds, targets = _labels(8, 10, device, seed=3)
    got = _call(learner, preds, targets)
    kinds = [type(v).__name__ for v in got] if isinstance(got, (tuple, list)) else [type(got).__name__]
    expect(
        kinds == ["float", "float", "float"],
        f"accuracy_ci should return a tuple of three Python floats, got {kinds}",
        kind="wrong_type",
    )


# ---------------------------------------------------------------- intervals


@pytest.mark.parametrize(
    "k,n", [(45, 50), (900, 1000), (3, 10), (5000, 10000)], ids=["45_50", "900_1000", "3_10", "half"]
)
def test_wilson_interval(learner, device, k, n):
    """the Wilson score interval at 95%"""
    preds, targets = _labels(k, n, device, seed=4)
    _check(_call(learner, preds, targets, 0.95, "wilson"), k, n, 0.95, "wilson", f"{k} of {n} correct, 95%")


@pytest.mark.parametrize("k,n", [(45, 50), (900, 1000), (3, 10)], ids=["45_50", "900_1000", "3_10"])
def test_normal_interval(learner, device, k, n):
    """the normal-approximation interval at 95%: p -/+ 1.96 standard errors"""
    preds, targets = _labels(k, n, device, seed=5)
    _check(_call(learner, preds, targets, 0.95, "normal"), k, n, 0.95, "normal", f"{k} of {n} correct, 95%")


@pytest.mark.parametrize("method", ["wilson", "normal"])
@pytest.mark.parametrize("confidence", [0.9, 0.99], ids=["90", "99"])
def test_confidence_levels(learner, device, method, confidence):
    """other confidence levels use the two-sided quantile z = Phi^-1((1 + confidence) / 2)"""
    preds, targets = _labels(160, 200, device, seed=6)
    got = _call(learner, preds, targets, confidence, method)
    _check(got, 160, 200, confidence, method, f"160 of 200 correct, {method}, confidence={confidence}")


def test_normal_interval_clipped(learner, device):
    """the normal interval is clipped to [0, 1] when it would spill over"""
    preds, targets = _labels(19, 20, device, seed=7)
    _check(_call(learner, preds, targets, 0.95, "normal"), 19, 20, 0.95, "normal", "19 of 20 correct (0.95 + 0.096)")


@pytest.mark.parametrize("k", [50, 0], ids=["all_correct", "none_correct"])
def test_wilson_at_the_extremes(learner, device, k):
    """the Wilson interval keeps a width when every or no prediction is correct"""
    preds, targets = _labels(k, 50, device, seed=8)
    _check(_call(learner, preds, targets, 0.95, "wilson"), k, 50, 0.95, "wilson", f"{k} of 50 correct, wilson")


def test_single_example(learner, device):
    """a test set of one example works"""
    preds, targets = _labels(1, 1, device, seed=9)
    _check(_call(learner, preds, targets, 0.95, "wilson"), 1, 1, 0.95, "wilson", "1 of 1 correct")


def test_inputs_unchanged(learner, device):
    """predictions and targets are left as they were"""
    preds, targets = _labels(7, 10, device, seed=10)
    # learner.call fails the check by itself when an argument is changed in place.
    _call(learner, preds, targets, 0.95, "normal")


def _expect_value_error(learner, args, what):
    try:
        got = learner.accuracy_ci(*args)
    except LearnerProblem as exc:
        if exc.kind != "exception":
            raise
        expect(
            "raised ValueError" in exc.message, f"{what} should raise ValueError, but {exc.message}", kind="exception"
        )
        return
    expect(False, f"{what} should raise ValueError, but accuracy_ci returned {got!r}", kind="exception")


def test_rejects_empty_test_set(learner, device):
    """an empty test set raises ValueError"""
    preds, targets = _labels(3, 4, device, seed=11)
    _expect_value_error(learner, (preds[:0], targets[:0], 0.95, "wilson"), "accuracy_ci on an empty test set")


def test_rejects_unknown_method(learner, device):
    """an unknown method raises ValueError"""
    preds, targets = _labels(3, 4, device, seed=12)
    _expect_value_error(learner, (preds, targets, 0.95, "exact"), "accuracy_ci(..., method='exact')")


# ---------------------------------------------------------------- test-set size


@pytest.mark.parametrize(
    "margin,confidence,p",
    [(0.01, 0.95, 0.5), (0.02, 0.95, 0.5), (0.05, 0.99, 0.5), (0.03, 0.9, 0.5)],
    ids=["1pt_95", "2pt_95", "5pt_99", "3pt_90"],
)
def test_required_test_size(learner, margin, confidence, p):
    """the smallest n whose half-width z * sqrt(p (1 - p) / n) is at most the margin"""
    want = math.ceil(_z(confidence) ** 2 * p * (1 - p) / margin**2)
    got = learner.required_test_size(margin, confidence, p)
    what = f"required_test_size(margin={margin}, confidence={confidence}, p={p})"
    expect(isinstance(got, int) and not isinstance(got, bool), f"{what} should be an int ({want}), got {got!r}")
    # Compared as a value, so feedback can tell a size that is off by one from one that is far off.
    expect_close(got, want, rtol=0.0, atol=0.0, name=what)


def test_required_test_size_depends_on_p(learner):
    """an expected accuracy of 90% needs fewer examples than the worst case of 50%"""
    want = math.ceil(_z(0.95) ** 2 * 0.9 * 0.1 / 0.01**2)
    got = learner.required_test_size(0.01, 0.95, 0.9)
    what = "required_test_size(0.01, 0.95, p=0.9)"
    expect(isinstance(got, (int, float)) and not isinstance(got, bool), f"{what} should be {want}, got {got!r}")
    expect_close(got, want, rtol=0.0, atol=0.0, name=what)


def test_does_not_use_builtin(learner):
    """does not use a ready-made interval function"""
    learner.check_forbidden()

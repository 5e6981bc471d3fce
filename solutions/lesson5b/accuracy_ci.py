"""Confidence intervals for a test accuracy and the test-set size they call for (reference solution)."""

import math
from statistics import NormalDist

import torch


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, not {confidence}")
    # Two-sided: (1 - confidence) / 2 is left out on each side, so the upper quantile is
    # (1 + confidence) / 2, e.g. 0.975 for 95%.
    return NormalDist().inv_cdf((1.0 + confidence) / 2.0)


def accuracy_ci(
    predictions: torch.Tensor,
    targets: torch.Tensor,
    confidence: float = 0.95,
    method: str = "wilson",
) -> tuple[float, float, float]:
    """The accuracy of ``predictions`` against ``targets`` and a confidence interval for it."""
    if method not in ("wilson", "normal"):
        raise ValueError(f"method must be 'wilson' or 'normal', not {method!r}")
    n = targets.shape[0]
    if n == 0:
        raise ValueError("no examples: an accuracy needs at least one")
    if predictions.dim() == targets.dim() + 1:
        predictions = predictions.argmax(dim=-1)
    # The count is an exact integer; only the final ratios need floating point.
    k = int((predictions == targets).sum().item())
    p = k / n
    z = _z(confidence)
    if method == "normal":
        half = z * math.sqrt(p * (1.0 - p) / n)
        centre = p
    else:
        # Wilson pulls the centre towards 1/2 and keeps a width even at p = 0 or 1.
        d = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / d
        half = z / d * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def required_test_size(margin: float, confidence: float = 0.95, p: float = 0.5) -> int:
    """The smallest test-set size whose normal-approximation half-width is at most ``margin``."""
    z = _z(confidence)
    # Round up: a size rounded down would leave the interval slightly wider than asked.
    return math.ceil(z * z * p * (1.0 - p) / (margin * margin))

"""How precise is a test accuracy? Confidence intervals and the test-set size they call for.

An accuracy measured on n test examples is an estimate: another test set of the same size
would give a slightly different number. Build:

- ``accuracy_ci``: the accuracy of some predictions and a two-sided confidence interval
  for it, by the normal approximation or by the Wilson score interval;
- ``required_test_size``: how many test examples pin an accuracy down to a given margin.

The quantile z of the standard normal distribution is yours to compute, e.g. with
``statistics.NormalDist().inv_cdf`` or ``torch.special.ndtri``. Off limits: ready-made
interval functions (``statsmodels.stats.proportion.proportion_confint`` and
``scipy.stats.binomtest``).
"""

import torch


def accuracy_ci(
    predictions: torch.Tensor,
    targets: torch.Tensor,
    confidence: float = 0.95,
    method: str = "wilson",
) -> tuple[float, float, float]:
    """The accuracy of ``predictions`` against ``targets`` and a confidence interval for it.

    With ``n`` examples of which ``k`` are correct, ``p = k / n`` and
    ``z = Phi^-1((1 + confidence) / 2)`` (a two-sided interval: about 1.96 for 95%)::

        normal:  p -/+ z * sqrt(p * (1 - p) / n)
        wilson:  centre = (p + z^2 / (2n)) / (1 + z^2 / n)
                 half   = z / (1 + z^2 / n) * sqrt(p * (1 - p) / n + z^2 / (4 n^2))
                 centre -/+ half

    Both intervals are clipped to ``[0, 1]`` (the normal one can spill over; the Wilson one
    only by rounding).

    Args:
        predictions: predicted class indices of shape ``(n,)``, or class scores of shape
            ``(n, C)``, in which case the prediction is the index of each row's maximum.
        targets: the true class indices, shape ``(n,)``, int64, on the same device.
        confidence: the confidence level, strictly between 0 and 1.
        method: ``"wilson"`` or ``"normal"``.

    Returns:
        ``(accuracy, low, high)`` as three Python floats.

    Raises:
        ValueError: for ``n == 0``, a confidence outside ``(0, 1)`` or an unknown method.
    """
    # TODO: count the correct predictions, compute z, then the chosen interval, clipped.
    raise NotImplementedError("TODO: accuracy_ci")


def required_test_size(margin: float, confidence: float = 0.95, p: float = 0.5) -> int:
    """The smallest test-set size whose normal-approximation half-width is at most ``margin``.

    Solve ``z * sqrt(p * (1 - p) / n) <= margin`` for the smallest integer ``n``:
    ``n = ceil(z^2 * p * (1 - p) / margin^2)``. With the worst case ``p = 0.5``, a margin of
    0.01 (one percentage point) at 95% needs 9604 examples.

    Args:
        margin: the half-width wanted, e.g. 0.01.
        confidence: the confidence level, strictly between 0 and 1.
        p: the accuracy expected (0.5 is the worst case).

    Returns:
        A Python ``int``.
    """
    # TODO: z from the confidence, then the formula, rounded up.
    raise NotImplementedError("TODO: required_test_size")

"""Logistic regression's pieces, computed stably: the sigmoid and binary cross-entropy.

The sigmoid squashes a logit ``x`` into a probability::

    sigmoid(x) = 1 / (1 + exp(-x))

and binary cross-entropy scores a probability ``p = sigmoid(x)`` against a target
``t`` in ``[0, 1]``::

    bce = -(t * log(p) + (1 - t) * log(1 - p))

Written literally, both break for large ``|x|``: ``exp(1e4)`` overflows to ``inf``, and
``log(1 - p)`` becomes ``log(0)`` once ``p`` rounds to exactly 1. Working from the logit
avoids that::

    bce = max(x, 0) - x * t + log(1 + exp(-|x|))

where ``exp(-|x|)`` never exceeds 1 (use ``torch.log1p`` for ``log(1 + .)``).

Off limits: ``torch.sigmoid``, ``Tensor.sigmoid``, ``torch.special.expit``,
``torch.nn.functional.sigmoid``, ``binary_cross_entropy_with_logits``,
``binary_cross_entropy``, ``softplus``, ``logsigmoid`` and ``torch.logaddexp``.
"""

import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """The logistic function ``1 / (1 + exp(-x))``, finite for every finite ``x``.

    Args:
        x: float tensor of any shape.

    Returns:
        A tensor of the same shape, dtype and device, with values in ``[0, 1]``, in float32
        and float64. It must be differentiable, and its gradient must be finite too, also at
        ``x = +-1e4`` (no ``inf`` anywhere inside the computation, not even in a branch that
        ``torch.where`` discards). ``x`` is not modified.
    """
    # TODO: use 1 / (1 + exp(-x)) where x >= 0 and exp(x) / (1 + exp(x)) where x < 0, and make
    #       sure every exp only sees non-positive numbers: torch.where computes both branches.
    raise NotImplementedError("TODO: sigmoid")


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Binary cross-entropy between ``sigmoid(logits)`` and ``target``, from the logits.

    Args:
        logits: float tensor of any shape.
        target: float tensor of the same shape with values in ``[0, 1]`` (soft labels allowed).
        reduction: ``"mean"`` (average over all entries), ``"sum"`` or ``"none"``
            (the per-entry losses).

    Returns:
        A 0-d tensor for ``"mean"``/``"sum"``, or a tensor shaped like ``logits`` for
        ``"none"``; dtype of ``logits``. Finite for every finite logit, including ``+-1e4``,
        and differentiable with respect to ``logits`` with a finite gradient there too.
        ``logits`` and ``target`` are not modified.

    Raises:
        ValueError: for any other ``reduction`` (names are case-sensitive: ``"MEAN"`` is refused).
    """
    # TODO: per-entry loss max(x, 0) - x * t + log1p(exp(-|x|)), then reduce.
    raise NotImplementedError("TODO: bce_with_logits")

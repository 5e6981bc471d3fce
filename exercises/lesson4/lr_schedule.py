"""A learning-rate schedule: linear warmup, then cosine decay.

For a step number ``t`` (0, 1, 2, ...)::

    t < W:            lr = base_lr * (f + (1 - f) * t / W)                  linear warmup
    W <= t <= T:      p  = (t - W) / (T - W)                                 progress, 0 -> 1
                      lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * p)) / 2
    t > T:            lr = min_lr                                            stays at the floor

with ``W = warmup_steps``, ``T = total_steps`` and ``f = start_factor``. So the schedule starts
at ``f * base_lr`` (0 by default), reaches exactly ``base_lr`` at ``t = W``, follows half a
cosine down to exactly ``min_lr`` at ``t = T``, and stays there. With ``warmup_steps = 0`` it is
a plain cosine decay that starts at ``base_lr``. ``0 <= warmup_steps < total_steps``.

Off limits: ``torch.optim.lr_scheduler`` (``LinearLR``, ``CosineAnnealingLR``, ``SequentialLR``,
``OneCycleLR``, ``CosineAnnealingWarmRestarts``): use the ``math`` module.
"""

import math  # noqa: F401  (you will need it)


def warmup_cosine(
    step: int,
    base_lr: float,
    warmup_steps: int,
    total_steps: int,
    min_lr: float = 0.0,
    start_factor: float = 0.0,
) -> float:
    """The learning rate at ``step`` (see the module docstring for the formula).

    Args:
        step: the step number, an int >= 0 (it may exceed ``total_steps``).
        base_lr: the peak learning rate, reached at the end of the warmup.
        warmup_steps: length of the linear warmup, ``0 <= warmup_steps < total_steps``.
        total_steps: the step at which the cosine reaches ``min_lr``.
        min_lr: the floor of the cosine, kept after ``total_steps``.
        start_factor: the warmup starts at ``start_factor * base_lr``.

    Returns:
        The learning rate, a Python float.
    """
    # TODO: three cases: warmup, cosine, after the end.
    raise NotImplementedError("TODO: warmup_cosine")

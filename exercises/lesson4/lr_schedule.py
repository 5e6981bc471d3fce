"""Two learning-rate schedules: step decay, and linear warmup followed by cosine decay.

Step decay (like ``torch.optim.lr_scheduler.StepLR``) keeps the rate constant for
``step_size`` steps, then multiplies it by ``gamma``, and so on::

    lr = base_lr * gamma ** (t // step_size)        (// is integer division)

so with ``step_size = 10`` and ``gamma = 0.5`` steps 0-9 use ``base_lr``, steps 10-19
``base_lr / 2``, steps 20-29 ``base_lr / 4``.

Warmup then cosine, for a step number ``t`` (0, 1, 2, ...)::

    t < W:            lr = base_lr * (f + (1 - f) * t / W)                  linear warmup
    W <= t <= T:      p  = (t - W) / (T - W)                                 progress, 0 -> 1
                      lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * p)) / 2
    t > T:            lr = min_lr                                            stays at the floor

with ``W = warmup_steps``, ``T = total_steps`` and ``f = start_factor``. So the schedule starts
at ``f * base_lr`` (0 by default), reaches exactly ``base_lr`` at ``t = W``, follows half a
cosine down to exactly ``min_lr`` at ``t = T``, and stays there. With ``warmup_steps = 0`` it is
a plain cosine decay that starts at ``base_lr``. ``0 <= warmup_steps < total_steps``.

Both functions return a plain Python float and depend on nothing but their arguments, so
they can be called for any step in any order.

Off limits: ``torch.optim.lr_scheduler`` (``StepLR``, ``MultiStepLR``, ``ExponentialLR``,
``LinearLR``, ``CosineAnnealingLR``, ``SequentialLR``, ``OneCycleLR``,
``CosineAnnealingWarmRestarts``): use plain arithmetic and the ``math`` module.
"""

import math  # noqa: F401  (you will need it)


def step_decay(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """The learning rate at ``step`` under step decay: ``base_lr * gamma ** (step // step_size)``.

    Args:
        step: the step number, an int >= 0.
        base_lr: the learning rate of the first ``step_size`` steps.
        step_size: how many steps each level lasts, an int >= 1.
        gamma: the factor applied at the end of every level (0.1 by default, as in torch).

    Returns:
        The learning rate, a Python float. It drops only at multiples of ``step_size``
        (a staircase, not a smooth decay).
    """
    # TODO: count the completed levels with integer division and apply gamma once per level.
    raise NotImplementedError("TODO: step_decay")


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

"""Learning-rate schedules.

step_decay multiplies by gamma once per completed level in a loop; warmup_cosine checks the
end of the schedule first and writes both phases as weighted averages of their two end
points (lerp), so the end points are hit exactly.
"""

import math


def step_decay(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    levels = step // step_size
    lr = float(base_lr)
    for _ in range(levels):
        lr *= gamma
    return lr


def _lerp(a: float, b: float, w: float) -> float:
    """a when w == 0, b when w == 1."""
    return a * (1.0 - w) + b * w


def warmup_cosine(
    step: int,
    base_lr: float,
    warmup_steps: int,
    total_steps: int,
    min_lr: float = 0.0,
    start_factor: float = 0.0,
) -> float:
    if step >= total_steps:
        return float(min_lr)
    if step >= warmup_steps:
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        weight_of_peak = 0.5 * (1.0 + math.cos(math.pi * progress))
        return float(_lerp(min_lr, base_lr, weight_of_peak))
    return float(_lerp(start_factor * base_lr, base_lr, step / warmup_steps))

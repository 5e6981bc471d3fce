"""Two learning-rate schedules: step decay, and linear warmup then cosine decay (reference solution)."""

import math


def step_decay(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """The learning rate at ``step`` under step decay."""
    # Integer division counts the completed levels, so the rate stays flat within a level and
    # drops by a factor gamma exactly at each multiple of step_size: a staircase.
    levels = step // step_size
    return base_lr * gamma**levels


def warmup_cosine(
    step: int,
    base_lr: float,
    warmup_steps: int,
    total_steps: int,
    min_lr: float = 0.0,
    start_factor: float = 0.0,
) -> float:
    """The learning rate at ``step``."""
    if step < warmup_steps:
        # Early on, Adam's second-moment estimates are noisy and the weights are random: ramp
        # up from start_factor * base_lr so the first updates stay small. At t = W this
        # branch would give exactly base_lr, where the cosine takes over.
        frac = step / warmup_steps
        return base_lr * (start_factor + (1.0 - start_factor) * frac)
    if step >= total_steps:
        # Past the end the cosine would climb back up; the schedule holds its floor instead.
        return float(min_lr)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    # (1 + cos(pi p)) / 2 falls smoothly from 1 to 0: flat at both ends, fastest in the middle.
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress)) / 2

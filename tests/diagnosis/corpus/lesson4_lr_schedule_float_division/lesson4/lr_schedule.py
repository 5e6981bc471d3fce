"""Step decay and warmup + cosine learning-rate schedules."""

import math


def step_decay(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    return float(base_lr * gamma ** (step / step_size))


def warmup_cosine(
    step: int,
    base_lr: float,
    warmup_steps: int,
    total_steps: int,
    min_lr: float = 0.0,
    start_factor: float = 0.0,
) -> float:
    if step < warmup_steps:
        return float(base_lr * (start_factor + (1 - start_factor) * step / warmup_steps))
    if step > total_steps:
        return float(min_lr)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return float(min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * progress)) / 2)

"""Hidden suite: lesson4.lr_schedule."""

import math
import warnings

import pytest
import torch

from grader.testing import describe, expect, expect_close

RTOL, ATOL = 1e-12, 1e-15

# (base_lr, warmup_steps, total_steps, min_lr, start_factor)
CONFIGS = {
    "warmup10_total50": (0.1, 10, 50, 1e-4, 0.1),
    "no_warmup": (0.3, 0, 40, 0.0, 0.5),
    "short_warmup_high_floor": (1.0, 5, 30, 0.05, 0.01),
    "warmup_from_zero": (3e-4, 100, 1000, 3e-5, 0.0),
}


def _formula(t, base, warmup, total, min_lr, f):
    """The schedule in float64 math, written independently of the learner's module docstring code."""
    if t >= total:
        return min_lr
    if t < warmup:
        return base * f + base * (1 - f) * t / warmup
    angle = math.pi * (t - warmup) / (total - warmup)
    return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(angle))


def _torch_lrs(base, warmup, total, min_lr, f):
    """torch's LinearLR then CosineAnnealingLR, stepped to ``total`` (start_factor must be > 0)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)
    if warmup > 0:
        linear = torch.optim.lr_scheduler.LinearLR(opt, start_factor=f, end_factor=1.0, total_iters=warmup)
        sched = torch.optim.lr_scheduler.SequentialLR(opt, [linear, cosine], milestones=[warmup])
    else:
        sched = cosine
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(total + 1):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return lrs


def _curve(mod, steps, base, warmup, total, min_lr, f):
    """The learner's learning rate at each step in ``steps``."""
    return [mod.warmup_cosine(t, base, warmup, total, min_lr, f) for t in steps]


def _learner_curve(learner, steps, cfg):
    base, warmup, total, min_lr, f = cfg
    label = f"warmup_cosine(t, base_lr={base}, warmup_steps={warmup}, total_steps={total}, min_lr={min_lr}, start_factor={f})"
    got = learner.run(_curve, list(steps), *cfg, label=label)
    expect(
        isinstance(got, list) and len(got) == len(steps),
        f"expected one number per step, got {describe(got)}",
        kind="wrong_type",
    )
    return got, label.replace("(t,", "(t={t},")


@pytest.mark.parametrize("cfg", list(CONFIGS.values()), ids=list(CONFIGS))
def test_boundaries(learner, cfg):
    """exact at t = 0, t = warmup_steps, t = total_steps and after the end"""
    base, warmup, total, min_lr, f = cfg
    points = {0: base * f if warmup > 0 else base, warmup: base, total: min_lr, total + 1: min_lr, total + 1000: min_lr}
    got, label = _learner_curve(learner, list(points), cfg)
    for (t, expected), value in zip(points.items(), got, strict=False):
        expect_close(value, expected, rtol=RTOL, atol=ATOL, name=label.format(t=t))


@pytest.mark.parametrize(
    "cfg", [c for c in CONFIGS.values() if c[4] > 0], ids=[k for k, c in CONFIGS.items() if c[4] > 0]
)
def test_matches_torch_schedulers(learner, cfg):
    """matches torch's LinearLR followed by CosineAnnealingLR at every step"""
    total = cfg[2]
    ref = _torch_lrs(*cfg)
    got, label = _learner_curve(learner, range(total + 1), cfg)
    for t, (value, expected) in enumerate(zip(got, ref, strict=False)):
        expect_close(value, expected, rtol=1e-9, atol=1e-12, name=label.format(t=t))


@pytest.mark.parametrize("cfg", list(CONFIGS.values()), ids=list(CONFIGS))
def test_whole_curve(learner, cfg):
    """matches the warmup-cosine formula at every step, and past the end"""
    total = cfg[2]
    steps = list(range(0, total + 20))
    got, label = _learner_curve(learner, steps, cfg)
    for t, value in zip(steps, got, strict=False):
        expect_close(value, _formula(t, *cfg), rtol=1e-10, atol=1e-14, name=label.format(t=t))


def test_defaults(learner):
    """min_lr and start_factor default to 0"""
    got = learner.run(_defaults, label="warmup_cosine(t, base_lr=0.5, warmup_steps=4, total_steps=20)")
    for t, value in zip(range(25), got, strict=False):
        expect_close(
            value,
            _formula(t, 0.5, 4, 20, 0.0, 0.0),
            rtol=1e-10,
            atol=1e-14,
            name=f"warmup_cosine(t={t}, base_lr=0.5, warmup_steps=4, total_steps=20)",
        )


def _defaults(mod):
    """The learner's schedule with min_lr and start_factor left at their defaults."""
    return [mod.warmup_cosine(t, 0.5, 4, 20) for t in range(25)]


# (base_lr, step_size, gamma)
STEP_CONFIGS = {
    "every10_half": (0.1, 10, 0.5),
    "every3_tenth": (1.0, 3, 0.1),
    "every1_0.9": (3e-4, 1, 0.9),
}


def _torch_step_lrs(base, step_size, gamma, steps):
    """torch's StepLR, stepped ``steps`` times: the learning rate at each step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return lrs


def _step_curve(mod, steps, base, step_size, gamma):
    """The learner's step-decay rate at each step in ``steps``."""
    return [mod.step_decay(t, base, step_size, gamma) for t in steps]


def _step_default_gamma(mod, steps, base, step_size):
    return [mod.step_decay(t, base, step_size) for t in steps]


def _learner_step_curve(learner, steps, cfg, default_gamma=False):
    base, step_size, gamma = cfg
    if default_gamma:
        label = f"step_decay(t, base_lr={base}, step_size={step_size})"
        got = learner.run(_step_default_gamma, list(steps), base, step_size, label=label)
    else:
        label = f"step_decay(t, base_lr={base}, step_size={step_size}, gamma={gamma})"
        got = learner.run(_step_curve, list(steps), base, step_size, gamma, label=label)
    expect(
        isinstance(got, list) and len(got) == len(steps),
        f"expected one number per step, got {describe(got)}",
        kind="wrong_type",
    )
    return got, label.replace("(t,", "(t={t},")


@pytest.mark.parametrize("cfg", list(STEP_CONFIGS.values()), ids=list(STEP_CONFIGS))
def test_step_decay_matches_torch(learner, cfg):
    """step_decay matches torch's StepLR at every step"""
    steps = list(range(35))
    ref = _torch_step_lrs(*cfg, len(steps))
    got, label = _learner_step_curve(learner, steps, cfg)
    for t, (value, expected) in enumerate(zip(got, ref, strict=False)):
        expect_close(value, expected, rtol=1e-9, atol=1e-15, name=label.format(t=t))


def test_step_decay_flat_within_level(learner):
    """step_decay keeps a level's rate up to its last step, with no drop before the multiple of step_size"""
    cfg = (0.8, 5, 0.5)
    # The first two levels, each at its first, a middle and its last step.
    points = {0: 0.8, 2: 0.8, 4: 0.8, 5: 0.4, 7: 0.4, 9: 0.4}
    got, label = _learner_step_curve(learner, list(points), cfg)
    for (t, expected), value in zip(points.items(), got, strict=False):
        expect_close(value, expected, rtol=RTOL, atol=ATOL, name=label.format(t=t))


def test_step_decay_levels(learner):
    """step_decay drops by another factor gamma at every multiple of step_size, level after level"""
    cfg = (0.8, 5, 0.5)
    points = {0: 0.8, 5: 0.4, 10: 0.2, 15: 0.1, 20: 0.05, 50: 0.8 * 0.5**10}
    got, label = _learner_step_curve(learner, list(points), cfg)
    if all(isinstance(v, (int, float)) for v in got):
        # The staircase compared as one curve: where it goes wrong (one step early, or only once) tells
        # mistakes apart that a comparison stopping at the first wrong step could not.
        expect_close(
            torch.tensor(got, dtype=torch.float64),
            torch.tensor(list(points.values()), dtype=torch.float64),
            rtol=RTOL,
            atol=ATOL,
            name=label.format(t=f"each of {list(points)}"),
        )
    for (t, expected), value in zip(points.items(), got, strict=False):
        expect_close(value, expected, rtol=RTOL, atol=ATOL, name=label.format(t=t))


def test_step_decay_default_gamma(learner):
    """step_decay's gamma defaults to 0.1"""
    steps = list(range(0, 12))
    got, label = _learner_step_curve(learner, steps, (2.0, 4, None), default_gamma=True)
    for t, value in zip(steps, got, strict=False):
        expect_close(value, 2.0 * 0.1 ** (t // 4), rtol=RTOL, atol=ATOL, name=label.format(t=t))


def test_does_not_use_builtin(learner):
    """does not use torch.optim.lr_scheduler"""
    learner.check_forbidden()

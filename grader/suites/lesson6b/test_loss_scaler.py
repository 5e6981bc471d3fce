"""Hidden suite: lesson6b.loss_scaler."""

import math

import pytest
import torch

from grader.testing import expect, expect_close

INF, NAN = math.inf, math.nan


def _param_values(device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g, dtype=torch.float64).to(device, torch.float32) for s in [(3, 2), (2,)]]


def _grads(device, seed, scale=1.0, poison=None):
    """Scaled gradients for the two parameters; ``poison`` puts inf or NaN into the first one."""
    g = torch.Generator().manual_seed(seed)
    out = [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, torch.float32) for s in [(3, 2), (2,)]]
    if poison is not None:
        out[0][1, 0] = poison
    return out


class _Reference:
    """The scaler's bookkeeping in plain Python: the trajectory of scales and skipped steps."""

    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        self.scale, self.growth, self.backoff, self.interval = (
            init_scale,
            growth_factor,
            backoff_factor,
            growth_interval,
        )
        self.good = 0

    def update(self, found_inf):
        if found_inf:
            self.scale *= self.backoff
            self.good = 0
        else:
            self.good += 1
            if self.good == self.interval:
                self.scale *= self.growth
                self.good = 0


# ---------------------------------------------------------------- scenarios (run in the worker)


def _drive(mod, init, grads, kwargs, lr=0.1, manual_unscale=False, clip=None):
    """Feed scaled gradients to an SGD optimizer through the learner's scaler, step by step.

    ``grads[k]`` is the list of (already scaled) gradients of step k, None for no gradient.
    Returns per step: the scale after update(), step()'s return value, the parameters, the
    gradients the optimizer saw.
    """
    import torch

    params = [v.clone().requires_grad_(True) for v in init]
    opt = torch.optim.SGD(params, lr=lr)
    scaler = mod.DynamicLossScaler(**kwargs)
    out = {"initial_scale": scaler.get_scale(), "scales": [], "stepped": [], "params": [], "grads": []}
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.clone()
        if manual_unscale:
            scaler.unscale_(opt)
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
        out["stepped"].append(scaler.step(opt))
        scaler.update()
        out["scales"].append(scaler.get_scale())
        out["params"].append([p.detach().clone() for p in params])
        out["grads"].append([None if p.grad is None else p.grad.detach().clone() for p in params])
    return out


def _scale_loss(mod, w, x, init_scale):
    """scale(loss).backward() on a tiny quadratic loss; return the scaled loss and the gradient."""
    w = w.clone().requires_grad_(True)
    scaler = mod.DynamicLossScaler(init_scale=init_scale)
    loss = ((x @ w) ** 2).sum()
    scaled = scaler.scale(loss)
    scaled.backward()
    return {"loss": loss.detach(), "scaled": scaled.detach(), "grad": w.grad}


def _fp16_training(mod, w0, x, y, steps, kwargs, lr):
    """A float32 weight used in float16: gradients that overflow float16 become inf."""
    import torch

    w = w0.clone().requires_grad_(True)
    opt = torch.optim.SGD([w], lr=lr)
    scaler = mod.DynamicLossScaler(**kwargs)
    scales, stepped, weights = [], [], []
    for _ in range(steps):
        opt.zero_grad()
        out = x.half() @ w.half()  # the forward (and so the backward) runs in float16
        loss = ((out.float() - y) ** 2).mean()
        scaler.scale(loss).backward()
        stepped.append(scaler.step(opt))
        scaler.update()
        scales.append(scaler.get_scale())
        weights.append(w.detach().clone())
    return {"scales": scales, "stepped": stepped, "weights": torch.stack(weights)}


def _reference_fp16(w0, x, y, steps, kwargs, lr):
    w = w0.clone().requires_grad_(True)
    ref = _Reference(**kwargs)
    scales, stepped, weights = [], [], []
    for _ in range(steps):
        w.grad = None
        loss = ((((x.half() @ w.half()).float()) - y) ** 2).mean()
        (loss * ref.scale).backward()
        grad = w.grad / ref.scale
        found = not bool(torch.isfinite(grad).all())
        if not found:
            with torch.no_grad():
                w -= lr * grad
        stepped.append(not found)
        ref.update(found)
        scales.append(ref.scale)
        weights.append(w.detach().clone())
    return {"scales": scales, "stepped": stepped, "weights": torch.stack(weights)}


def _expected_drive(init, grads, kwargs, lr=0.1, clip=None):
    ref = _Reference(**kwargs)
    params = [v.clone() for v in init]
    scales, stepped, history = [], [], []
    for step_grads in grads:
        unscaled = [None if g is None else g / ref.scale for g in step_grads]
        found = any(g is not None and not bool(torch.isfinite(g).all()) for g in unscaled)
        if clip is not None and not found:
            total = torch.sqrt(sum((g.double() ** 2).sum() for g in unscaled if g is not None))
            factor = min(1.0, clip / (float(total) + 1e-6))
            unscaled = [None if g is None else g * factor for g in unscaled]
        if not found:
            params = [p if g is None else p - lr * g for p, g in zip(params, unscaled)]
        stepped.append(not found)
        ref.update(found)
        scales.append(ref.scale)
        history.append(params)
    return {"scales": scales, "stepped": stepped, "params": history}


def _flags_run(device, pattern):
    """Gradients for a pattern of steps: 'g' finite, 'i' with an inf, 'n' with a NaN."""
    poison = {"g": None, "i": INF, "n": NAN}
    return [_grads(device, seed=100 + k, scale=64.0, poison=poison[c]) for k, c in enumerate(pattern)]


# ---------------------------------------------------------------- scale and get_scale


def _initial(mod):
    return [mod.DynamicLossScaler().get_scale(), mod.DynamicLossScaler(init_scale=128.0).get_scale()]


def test_initial_scale(learner):
    """get_scale starts at init_scale, 65536 by default"""
    got = learner.run(_initial, label="DynamicLossScaler().get_scale(), DynamicLossScaler(init_scale=128).get_scale()")
    expect_close(got, [65536.0, 128.0], name="[default scale, scale with init_scale=128]")


def test_scale_multiplies_loss_and_gradients(learner, device):
    """scale(loss) is loss * scale, and its backward gives scale times the gradient"""
    g = torch.Generator().manual_seed(1)
    w = torch.randn(3, 2, generator=g, dtype=torch.float64).to(device, torch.float32)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64).to(device, torch.float32)
    res = learner.run(_scale_loss, w, x, 1024.0, label="DynamicLossScaler(init_scale=1024).scale(loss).backward()")
    wr = w.clone().requires_grad_(True)
    loss = ((x @ wr) ** 2).sum()
    loss.backward()
    expect_close(res["scaled"], (loss * 1024.0).detach(), name="scale(loss)")
    expect_close(res["grad"], wr.grad * 1024.0, name="the gradient of scale(loss)", kind="wrong_gradient")


# ---------------------------------------------------------------- unscale_ and step


def test_step_unscales_gradients(learner, device):
    """step divides the gradients by the scale before the optimizer uses them"""
    init = _param_values(device)
    grads = [_grads(device, seed=2, scale=8.0)]
    kwargs = {"init_scale": 8.0}
    got = learner.run(
        _drive, init, grads, kwargs, label="scaler(init_scale=8).step(SGD(lr=0.1)) on gradients scaled by 8"
    )
    exp = _expected_drive(init, grads, kwargs)
    expect(got["stepped"] == [True], f"step() returned {got['stepped'][0]!r} for finite gradients, expected True")
    expect_close(
        got["grads"][0],
        [g / 8.0 for g in grads[0]],
        name="the gradients after step (divided by the scale)",
        kind="wrong_gradient",
    )
    expect_close(got["params"][0], exp["params"][0], name="the parameters after the step")


def test_unscale_skips_missing_gradients(learner, device):
    """a parameter without a gradient is left alone by unscale_ and step"""
    init = _param_values(device, seed=3)
    g = _grads(device, seed=4, scale=16.0)
    grads = [[g[0], None]]
    kwargs = {"init_scale": 16.0}
    got = learner.run(_drive, init, grads, kwargs, 0.1, True, label="unscale_ then step with bias.grad = None")
    exp = _expected_drive(init, grads, kwargs)
    expect(got["grads"][0][1] is None, "the bias had no gradient, but has one after unscale_", kind="wrong_gradient")
    expect_close(got["params"][0], exp["params"][0], name="the parameters after the step")


def test_manual_unscale_is_not_repeated(learner, device):
    """after unscale_ (here followed by clipping), step does not divide by the scale again"""
    init = _param_values(device, seed=5)
    grads = [_grads(device, seed=6, scale=32.0)]
    kwargs = {"init_scale": 32.0}
    got = learner.run(_drive, init, grads, kwargs, 0.1, True, 0.5, label="unscale_, clip_grad_norm_(0.5), step")
    exp = _expected_drive(init, grads, kwargs, clip=0.5)
    expect_close(got["params"][0], exp["params"][0], name="the parameters after unscale_, clipping and step")


@pytest.mark.parametrize("poison", [INF, -INF, NAN], ids=["plus-inf", "minus-inf", "nan"])
def test_step_skipped_on_non_finite(learner, device, poison):
    """a gradient holding inf or NaN makes step skip the update and return False"""
    init = _param_values(device, seed=7)
    grads = [_grads(device, seed=8, scale=4.0, poison=poison)]
    got = learner.run(_drive, init, grads, {"init_scale": 4.0}, label=f"step() with a gradient holding {poison}")
    expect(
        got["stepped"] == [False],
        f"step() returned {got['stepped'][0]!r} with a {poison} in a gradient, expected False",
    )
    expect_close(got["params"][0], init, name="the parameters after a skipped step", equal_nan=False)


# ---------------------------------------------------------------- update


def test_backoff(learner, device):
    """each step with inf lowers the scale by backoff_factor"""
    init = _param_values(device)
    kwargs = {"init_scale": 1024.0, "backoff_factor": 0.25, "growth_interval": 100}
    got = learner.run(_drive, init, _flags_run(device, "iin"), kwargs, label="three steps: inf, inf, NaN; backoff 0.25")
    expect_close(got["scales"], [256.0, 64.0, 16.0], name="the scale after each update")


def test_growth(learner, device):
    """growth_interval good steps in a row raise the scale by growth_factor, then the count restarts"""
    init = _param_values(device)
    kwargs = {"init_scale": 2.0, "growth_factor": 4.0, "growth_interval": 3}
    got = learner.run(
        _drive, init, _flags_run(device, "gggggggg"), kwargs, label="eight good steps, growth_interval 3, growth 4"
    )
    expect_close(got["scales"], [2.0, 2.0, 8.0, 8.0, 8.0, 32.0, 32.0, 32.0], name="the scale after each update")


def test_overflow_restarts_the_count(learner, device):
    """a step with inf restarts the run of good steps"""
    init = _param_values(device)
    kwargs = {"init_scale": 64.0, "growth_interval": 3}
    got = learner.run(
        _drive,
        init,
        _flags_run(device, "ggiggggg"),
        kwargs,
        label="good, good, inf, then five good steps; growth_interval 3",
    )
    expect_close(got["scales"], [64.0, 64.0, 32.0, 32.0, 32.0, 64.0, 64.0, 64.0], name="the scale after each update")


def test_long_sequence(learner, device):
    """a mixed run of good, inf and NaN steps: scales, skipped steps and parameters all match"""
    init = _param_values(device, seed=9)
    pattern = "gggigggggnggggiigggggg"
    kwargs = {"init_scale": 256.0, "growth_interval": 4}
    grads = _flags_run(device, pattern)
    got = learner.run(_drive, init, grads, kwargs, label=f"steps {pattern} (g good, i inf, n NaN), growth_interval 4")
    exp = _expected_drive(init, grads, kwargs)
    expect(got["stepped"] == exp["stepped"], f"step() returned {got['stepped']}, expected {exp['stepped']}")
    expect_close(got["scales"], exp["scales"], name="the scale after each update")
    expect_close(got["params"][-1], exp["params"][-1], name="the parameters at the end")


def test_float16_training(learner, device):
    """float16 training from scale 65536: overflowing steps are skipped until the scale fits"""
    g = torch.Generator().manual_seed(11)
    w0 = torch.randn(4, 3, generator=g, dtype=torch.float64).to(device, torch.float32)
    x = (torch.randn(32, 4, generator=g, dtype=torch.float64) * 4).to(device, torch.float32)
    y = torch.randn(32, 3, generator=g, dtype=torch.float64).to(device, torch.float32)
    kwargs = {"growth_interval": 3}
    # From 65536 the first five steps overflow; later, each try at a larger scale overflows
    # once and the scale settles back.
    got = learner.run(
        _fp16_training,
        w0,
        x,
        y,
        24,
        kwargs,
        0.003,
        label="24 float16 training steps from the default scale, growth_interval 3",
    )
    exp = _reference_fp16(w0, x, y, 24, kwargs, 0.003)
    expect(got["stepped"] == exp["stepped"], f"step() returned {got['stepped']}, expected {exp['stepped']}")
    expect_close(got["scales"], exp["scales"], name="the scale after each update")
    expect_close(got["weights"], exp["weights"], name="the weight after each step", picture="trajectory")


def test_does_not_use_builtin(learner):
    """does not use torch.amp.GradScaler"""
    learner.check_forbidden()

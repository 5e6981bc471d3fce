"""Hidden suite: lesson7.grad_accumulation."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

N = 12
IN, HIDDEN, OUT, CLASSES = 4, 6, 3, 5


def _make_model(arch):
    if arch == "linear":
        return torch.nn.Linear(IN, OUT)
    return torch.nn.Sequential(torch.nn.Linear(IN, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, CLASSES))


def _setup(arch, n, dtype, device, seed=0):
    """Parameters, inputs and targets, built on the CPU in float64 and moved."""
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.5 for p in _make_model(arch).parameters()]
    xb = torch.randn(n, IN, generator=g, dtype=torch.float64)
    if arch == "linear":
        yb = torch.randn(n, OUT, generator=g, dtype=torch.float64).to(device, dtype)
    else:
        yb = torch.randint(0, CLASSES, (n,), generator=g).to(device)
    return [p.to(device, dtype) for p in params], xb.to(device, dtype), yb


def _reference(arch, params, xb, yb):
    """Full-batch mean loss and gradients in float64, cast back to the inputs' dtype."""
    model = _make_model(arch).to(device=xb.device, dtype=torch.float64)
    for p, v in zip(model.parameters(), params, strict=False):
        p.data = v.detach().double().clone()
    y = yb.double() if yb.is_floating_point() else yb
    loss_fn = F.mse_loss if arch == "linear" else F.cross_entropy
    loss = loss_fn(model(xb.double()), y)
    loss.backward()
    return float(loss), [p.grad.to(xb.dtype) for p in model.parameters()]


# ---------------------------------------------------------------- scenario (runs in the worker)


def _accumulate(mod, arch, params, xb, yb, micro_batch_size, stale, calls=1):
    """Build a seeded model, optionally leave stale gradients, let the learner accumulate ``calls`` times; report."""
    import torch
    import torch.nn.functional as F

    if arch == "linear":
        model = torch.nn.Linear(xb.shape[1], params[0].shape[0])
        loss_fn = F.mse_loss
    else:
        model = torch.nn.Sequential(
            torch.nn.Linear(xb.shape[1], params[0].shape[0]),
            torch.nn.Tanh(),
            torch.nn.Linear(params[0].shape[0], params[2].shape[0]),
        )
        loss_fn = F.cross_entropy
    model = model.to(device=xb.device, dtype=xb.dtype)
    for p, v in zip(model.parameters(), params, strict=False):
        p.data = v.clone()
        if stale:
            p.grad = torch.full_like(v, 100.0)
    sizes, grads_seen = [], []

    def hook(module, inputs, output):
        sizes.append(int(inputs[0].shape[0]))
        grads_seen.append(any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in module.parameters()))

    model.register_forward_hook(hook)
    for _ in range(calls):
        loss = mod.accumulate_gradients(model, loss_fn, xb, yb, micro_batch_size)
    return {
        "loss": loss,
        "grads": [p.grad for p in model.parameters()],
        "params": [p.detach().clone() for p in model.parameters()],
        "sizes": sizes,
        "grads_seen": grads_seen,
        "xb": xb,
        "yb": yb,
    }


def _run(learner, arch, params, xb, yb, mbs, stale=False, calls=1):
    label = (
        f"accumulate_gradients({'Linear' if arch == 'linear' else 'MLP'}, xb of {xb.shape[0]} rows, "
        f"micro_batch_size={mbs})" + (f", called {calls} times in a row" if calls > 1 else "")
    )
    return learner.run(_accumulate, arch, params, xb, yb, mbs, stale, calls, label=label)


def _check_grads(res, ref_grads, what):
    names = ["weight", "bias"] if len(ref_grads) == 2 else ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, got, ref in zip(names, res["grads"], ref_grads, strict=False):
        expect(
            got is not None,
            f"{what}: parameter {name} has no gradient; call backward() on each micro-batch loss",
            kind="wrong_gradient",
        )
        expect_close(got, ref, name=f"{what}: {name}.grad", kind="wrong_gradient")


def _check_loss(res, ref_loss, dtype, what):
    r, a = (1e-5, 1e-6) if dtype == torch.float32 else (1e-10, 1e-12)
    expect_close(res["loss"], ref_loss, name=f"{what}: the returned loss (the full-batch mean)", rtol=r, atol=a)


# ---------------------------------------------------------------- checks


@pytest.mark.parametrize("mbs", [4, 5, 1, 12, 20], ids=["4_divides_12", "5_leaves_2", "1", "12_equals_N", "20_over_N"])
def test_gradients_match_full_batch(learner, device, mbs):
    """the accumulated gradients and loss equal one backward on the full batch"""
    params, xb, yb = _setup("linear", N, torch.float64, device, seed=mbs)
    res = _run(learner, "linear", params, xb, yb, mbs)
    ref_loss, ref_grads = _reference("linear", params, xb, yb)
    _check_grads(res, ref_grads, f"micro_batch_size={mbs}")
    _check_loss(res, ref_loss, torch.float64, f"micro_batch_size={mbs}")


def test_float32(learner, device):
    """float32 gradients and loss match the full-batch ones (uneven split)"""
    params, xb, yb = _setup("linear", N, torch.float32, device, seed=21)
    res = _run(learner, "linear", params, xb, yb, 5)
    ref_loss, ref_grads = _reference("linear", params, xb, yb)
    _check_grads(res, ref_grads, "float32, micro_batch_size=5")
    _check_loss(res, ref_loss, torch.float32, "float32, micro_batch_size=5")


def test_classifier_with_cross_entropy(learner, device):
    """a two-layer classifier with cross-entropy: 10 rows in micro-batches of 3, 3, 3, 1"""
    params, xb, yb = _setup("mlp", 10, torch.float64, device, seed=22)
    res = _run(learner, "mlp", params, xb, yb, 3)
    ref_loss, ref_grads = _reference("mlp", params, xb, yb)
    _check_grads(res, ref_grads, "classifier, micro_batch_size=3")
    _check_loss(res, ref_loss, torch.float64, "classifier, micro_batch_size=3")


def test_stale_gradients_are_cleared(learner, device):
    """gradients left over from an earlier step do not leak into the result"""
    params, xb, yb = _setup("linear", N, torch.float64, device, seed=23)
    res = _run(learner, "linear", params, xb, yb, 5, stale=True)
    _, ref_grads = _reference("linear", params, xb, yb)
    for name, got, ref in zip(["weight", "bias"], res["grads"], ref_grads, strict=False):
        expect(got is not None, f"parameter {name} has no gradient", kind="wrong_gradient")
        expect_close(
            got,
            ref,
            name=f"{name}.grad when .grad held 100s before the call (zero the gradients first)",
            kind="wrong_gradient",
        )


def test_second_call_starts_afresh(learner, device):
    """calling it twice in a row gives the same gradients as calling it once (no doubling)"""
    params, xb, yb = _setup("mlp", 10, torch.float64, device, seed=27)
    res = _run(learner, "mlp", params, xb, yb, 4, calls=2)
    _, ref_grads = _reference("mlp", params, xb, yb)
    _check_grads(res, ref_grads, "after the second call (zero the gradients first)")


@pytest.mark.parametrize("mbs,sizes", [(5, [5, 5, 2]), (4, [4, 4, 4]), (20, [12])], ids=["5", "4", "20"])
def test_micro_batch_sizes(learner, device, mbs, sizes):
    """the model sees consecutive micro-batches of at most micro_batch_size rows"""
    params, xb, yb = _setup("linear", N, torch.float64, device, seed=24)
    res = _run(learner, "linear", params, xb, yb, mbs)
    expect(
        res["sizes"] == sizes,
        f"with {N} rows and micro_batch_size={mbs} the model should be called on "
        f"micro-batches of {sizes} rows, but it saw {res['sizes']}",
    )


@pytest.mark.parametrize("arch", ["linear", "mlp"])
def test_backward_once_per_micro_batch(learner, device, arch):
    """backward runs after each micro-batch, not once on a summed loss"""
    params, xb, yb = _setup(arch, N, torch.float64, device, seed=25)
    res = _run(learner, arch, params, xb, yb, 4)
    seen = res["grads_seen"]
    expect(
        len(seen) == 3 and all(seen[1:]),
        "when the second and third micro-batches went through the model, no "
        "gradient had been accumulated yet: call backward() on each micro-batch's loss before the next forward, "
        "so only one micro-batch's graph is in memory at a time",
    )


def test_inputs_unchanged(learner, device):
    """xb and yb are left as they were"""
    params, xb, yb = _setup("linear", N, torch.float64, device, seed=26)
    res = _run(learner, "linear", params, xb, yb, 4)
    expect_unchanged(xb, res["xb"], "xb")
    expect_unchanged(yb, res["yb"], "yb")


@pytest.mark.parametrize("arch", ["linear", "mlp"])
def test_parameters_unchanged(learner, device, arch):
    """the parameters themselves are left as they were: no optimizer step"""
    params, xb, yb = _setup(arch, N, torch.float64, device, seed=26)
    res = _run(learner, arch, params, xb, yb, 4)
    names = ["weight", "bias"] if arch == "linear" else ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, before, after in zip(names, params, res["params"], strict=True):
        expect(
            torch.equal(before.cpu(), after.cpu()),
            f"the model's {name} changed: accumulate gradients only, do not take an optimizer step",
            kind="modified_input",
        )

"""Hidden suite: lesson7.weight_decay."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
SHAPES = [(4, 3), (3,), ()]


def _tensors(dtype, device, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for s in SHAPES]


def _ref_step(params, grads, lr, wd):
    return [(p.double() - lr * (g.double() + wd * p.double())).to(p.dtype) for p, g in zip(params, grads, strict=False)]


def _ref_penalty(params, wd):
    return (wd / 2 * sum((p.double() ** 2).sum() for p in params)).to(params[0].dtype)


# ---------------------------------------------------------------- scenarios (run in the worker)


def _call(mod, name, args):
    """Call ``name(*args)`` and hand back the arguments too, to see whether they were modified."""
    out = getattr(mod, name)(*args)
    return {"out": out, "args": list(args)}


def _penalty_grads(mod, params, wd):
    """Back-propagate the learner's penalty; return it and each parameter's gradient."""
    ps = [p.clone().requires_grad_(True) for p in params]
    pen = mod.l2_penalty(ps, wd)
    if not (hasattr(pen, "requires_grad") and pen.requires_grad):
        return {"penalty": pen, "grads": None}
    pen.backward()
    return {"penalty": pen, "grads": [p.grad for p in ps]}


def _step_on_penalised_loss(mod, params, coeffs, lr, wd):
    """A plain SGD step on data_loss + l2_penalty, with gradients from autograd."""
    ps = [p.clone().requires_grad_(True) for p in params]
    data_loss = sum((a * p).sum() + 0.25 * (p**4).sum() for a, p in zip(coeffs, ps, strict=False))
    loss = data_loss + mod.l2_penalty(ps, wd)
    loss.backward()
    return [(p - lr * p.grad).detach() for p in ps]


# ---------------------------------------------------------------- the decayed step


def _check_unchanged(res, params, grads):
    after_p, after_g = res["args"][0], res["args"][1]
    for i, (b, a) in enumerate(zip(params, after_p, strict=False)):
        expect_unchanged(b, a, f"params[{i}]")
    for i, (b, a) in enumerate(zip(grads, after_g, strict=False)):
        expect_unchanged(b, a, f"grads[{i}]")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_step_matches_formula(learner, device, dtype):
    """the step is p - lr * (grad + wd * p), for a matrix, a vector and a 0-d parameter"""
    params, grads = _tensors(dtype, device, 0), _tensors(dtype, device, 1)
    res = learner.run(
        _call,
        "sgd_step_weight_decay",
        [params, grads, 0.1, 0.05],
        label="sgd_step_weight_decay(params, grads, lr=0.1, wd=0.05)",
    )
    expect_close(res["out"], _ref_step(params, grads, 0.1, 0.05), name="the new parameters")
    _check_unchanged(res, params, grads)


def test_zero_decay_is_plain_sgd(learner, device):
    """with wd = 0 the step is plain SGD, p - lr * grad"""
    params, grads = _tensors(torch.float64, device, 2), _tensors(torch.float64, device, 3)
    got = learner.sgd_step_weight_decay(params, grads, 0.3, 0.0)
    expect_close(got, [p - 0.3 * g for p, g in zip(params, grads, strict=False)], name="the new parameters (wd = 0)")


def test_full_decay(learner, device):
    """with lr * wd = 1 the old weights are forgotten entirely: p_new = -lr * grad"""
    params, grads = _tensors(torch.float64, device, 4, scale=10.0), _tensors(torch.float64, device, 5)
    got = learner.sgd_step_weight_decay(params, grads, 0.5, 2.0)
    expect_close(got, [-0.5 * g for g in grads], name="the new parameters (lr=0.5, wd=2)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_matches_torch_sgd(learner, device, dtype):
    """five steps match torch.optim.SGD(weight_decay=wd) on a quadratic loss"""
    # torch.optim.sgd.sgd is the update that torch.optim.SGD.step() runs; calling it directly
    # gives the same numbers without the seconds that building an Optimizer spends importing
    # torch._dynamo on first use.
    from torch.optim.sgd import sgd

    lr, wd = 0.2, 0.1
    targets = _tensors(dtype, device, 6)
    params = _tensors(dtype, device, 7, scale=2.0)
    ref = [p.clone() for p in params]
    mine = [p.clone() for p in params]
    for step in range(5):
        # The loss is sum((p - target)^2) / 2, so its gradient at p is p - target.
        ref_grads = [r - t for r, t in zip(ref, targets, strict=True)]
        sgd(
            ref,
            ref_grads,
            [None] * len(ref),
            weight_decay=wd,
            momentum=0.0,
            lr=lr,
            dampening=0.0,
            nesterov=False,
            maximize=False,
            foreach=False,
        )
        grads = [m - t for m, t in zip(mine, targets, strict=True)]
        mine = learner.sgd_step_weight_decay(mine, grads, lr, wd)
        expect(
            isinstance(mine, (list, tuple)) and len(mine) == len(ref),
            "sgd_step_weight_decay should return a list with one tensor per parameter",
            kind="wrong_type",
        )
        expect_close(list(mine), ref, name=f"the parameters after step {step + 1}")


# ---------------------------------------------------------------- the penalty


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_penalty_value(learner, device, dtype):
    """l2_penalty is wd / 2 times the sum of every squared entry"""
    params = _tensors(dtype, device, 8, scale=3.0)
    res = learner.run(_call, "l2_penalty", [params, 0.01], label="l2_penalty(params, wd=0.01)")
    expect_close(res["out"], _ref_penalty(params, 0.01), name="l2_penalty(params, 0.01)")
    for i, (b, a) in enumerate(zip(params, res["args"][0], strict=False)):
        expect_unchanged(b, a, f"params[{i}]")


def test_penalty_single_parameter(learner, device):
    """l2_penalty of one 0-d parameter is wd / 2 * p^2"""
    p = torch.tensor(3.0, dtype=torch.float64, device=device)
    expect_close(
        learner.l2_penalty([p], 0.5),
        torch.tensor(2.25, dtype=torch.float64, device=device),
        name="l2_penalty([tensor(3.)], 0.5)",
    )


def test_penalty_gradient(learner, device):
    """the gradient of l2_penalty with respect to each parameter is wd * p"""
    params = _tensors(torch.float64, device, 9)
    res = learner.run(_penalty_grads, params, 0.3, label="l2_penalty(params, 0.3).backward()")
    expect(
        res["grads"] is not None,
        "l2_penalty returned something without a gradient: return a tensor built from "
        "the parameters (no .item(), .detach() or float())",
        kind="wrong_gradient",
    )
    for i, (g, p) in enumerate(zip(res["grads"], params, strict=False)):
        expect(g is not None, f"no gradient reached params[{i}] through l2_penalty", kind="wrong_gradient")
        expect_close(g, 0.3 * p, name=f"d penalty / d params[{i}]", kind="wrong_gradient")


# ---------------------------------------------------------------- the two agree


def test_penalty_and_decay_agree(learner, device):
    """a plain SGD step on loss + l2_penalty equals the decayed step on the loss alone"""
    lr, wd = 0.1, 0.2
    params, coeffs = _tensors(torch.float64, device, 10), _tensors(torch.float64, device, 11)
    data_grads = [a + p**3 for a, p in zip(coeffs, params, strict=False)]  # d/dp of sum(a * p) + sum(p^4) / 4
    expected = _ref_step(params, data_grads, lr, wd)
    decayed = learner.sgd_step_weight_decay(params, data_grads, lr, wd)
    expect_close(decayed, expected, name="sgd_step_weight_decay(params, grad of the loss)")
    penalised = learner.run(
        _step_on_penalised_loss, params, coeffs, lr, wd, label="a plain SGD step on loss + l2_penalty(params, wd)"
    )
    expect_close(penalised, expected, name="the plain SGD step on loss + l2_penalty", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call torch.optim.SGD"""
    learner.check_forbidden()

"""Hidden suite: lesson5.penalties."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
SHAPES = [(3, 4), (4,), (2, 2, 3)]


def _params(dtype, device, seed=0, zeros=False):
    g = torch.Generator().manual_seed(seed)
    ps = [torch.randn(s, generator=g, dtype=torch.float64) for s in SHAPES]
    if zeros:
        ps[0][0, 1] = 0.0
        ps[0][2, 3] = 0.0
        ps[1][2] = 0.0
        ps[2][1, 0, 2] = 0.0
    return [p.to(device, dtype) for p in ps]


def _ref_l1(ps, lam):
    return lam * sum(p.double().abs().sum() for p in ps).to(ps[0].dtype)


def _ref_l2(ps, lam):
    return (0.5 * lam * sum((p.double() ** 2).sum() for p in ps)).to(ps[0].dtype)


def _expect_list(got, n, what):
    expect(
        isinstance(got, (list, tuple)) and len(got) == n,
        f"{what} should return a list with one tensor per parameter ({n})",
        kind="wrong_type",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_l1_penalty(learner, device, dtype):
    """l1_penalty is lam times the sum of absolute values"""
    ps = _params(dtype, device)
    expect_close(learner.l1_penalty(ps, 0.01), _ref_l1(ps, 0.01), name="l1_penalty(params, lam=0.01)")
    expect_close(learner.l1_penalty(ps[1:2], 2.0), _ref_l1(ps[1:2], 2.0), name="l1_penalty([one vector], lam=2)")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_l2_penalty(learner, device, dtype):
    """l2_penalty is lam / 2 times the sum of squares"""
    ps = _params(dtype, device, seed=1)
    expect_close(learner.l2_penalty(ps, 0.01), _ref_l2(ps, 0.01), name="l2_penalty(params, lam=0.01)")
    expect_close(learner.l2_penalty(ps[2:], 3.0), _ref_l2(ps[2:], 3.0), name="l2_penalty([one tensor], lam=3)")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_l1_grad(learner, device, dtype):
    """l1_grad is lam * sign(w), with 0 where w is exactly 0"""
    ps = _params(dtype, device, seed=2, zeros=True)
    got = learner.l1_grad(ps, 0.5)
    _expect_list(got, len(ps), "l1_grad")
    for i, (g, p) in enumerate(zip(got, ps, strict=False)):
        expect_close(
            g,
            0.5 * torch.sign(p),
            name=f"l1_grad(params, lam=0.5)[{i}] (some weights are exactly 0)",
            kind="wrong_gradient",
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_l2_grad(learner, device, dtype):
    """l2_grad is lam * w"""
    ps = _params(dtype, device, seed=3)
    got = learner.l2_grad(ps, 0.1)
    _expect_list(got, len(ps), "l2_grad")
    for i, (g, p) in enumerate(zip(got, ps, strict=False)):
        expect_close(g, 0.1 * p, name=f"l2_grad(params, lam=0.1)[{i}]", kind="wrong_gradient")


def test_tiny_weights(learner, device):
    """tiny weights (1e-30) keep their sign in the L1 gradient"""
    p = torch.tensor([1e-30, -1e-30, 0.0, 3.0], dtype=torch.float64, device=device)
    got = learner.l1_grad([p], 1.0)
    _expect_list(got, 1, "l1_grad")
    expect_close(got[0], torch.sign(p), name="l1_grad([[1e-30, -1e-30, 0, 3]], lam=1)[0]", kind="wrong_gradient")
    expect_close(learner.l1_penalty([p], 1.0), _ref_l1([p], 1.0), name="l1_penalty([[1e-30, -1e-30, 0, 3]], lam=1)")


def _autograd(mod, kind, params, lam):
    import torch

    params = [p.clone().requires_grad_(True) for p in params]
    pen = getattr(mod, f"{kind}_penalty")(params, lam)
    if not (isinstance(pen, torch.Tensor) and pen.requires_grad):
        return None
    pen.backward()
    return [p.grad for p in params]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_is_differentiable(learner, device, kind, dtype):
    """backward() through the penalty gives the hand-written gradient"""
    ps = _params(dtype, device, seed=4)
    got = learner.run(_autograd, kind, ps, 0.3, label=f"{kind}_penalty(params, 0.3).backward()")
    ref = [0.3 * torch.sign(p) for p in ps] if kind == "l1" else [0.3 * p for p in ps]
    expect(
        got is not None,
        f"{kind}_penalty is not connected to the parameters: build it from tensor "
        "operations (no .item(), float() or torch.tensor(...) of a Python number)",
        kind="wrong_gradient",
    )
    for i, (g, r) in enumerate(zip(got, ref, strict=False)):
        expect(g is not None, f"no gradient reached params[{i}] through {kind}_penalty", kind="wrong_gradient")
        expect_close(g, r, name=f"autograd gradient of {kind}_penalty for params[{i}]", kind="wrong_gradient")


def _args_after_calls(mod, params, lam):
    for name in ("l1_penalty", "l2_penalty", "l1_grad", "l2_grad"):
        getattr(mod, name)(params, lam)
    return params


def test_params_unchanged(learner, device):
    """leaves the parameters unmodified"""
    ps = _params(torch.float64, device, seed=5)
    after = learner.run(_args_after_calls, ps, 0.2, label="the four functions on params, lam=0.2")
    for i, (b, a) in enumerate(zip(ps, after, strict=False)):
        expect_unchanged(b, a, f"params[{i}]")


def test_does_not_use_builtin(learner):
    """does not call norm built-ins, torch.autograd.grad or backward()"""
    learner.check_forbidden()

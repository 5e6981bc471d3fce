"""Hidden suite: lesson10b.residual_block."""

import pytest
import torch

from grader.testing import CheckFailure, LearnerProblem, expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]
NAMES = ["x", "w1", "b1", "w2", "b2", "w_proj"]


def _weights(d_in, d_hidden, d_out, dtype, device, seed=0, proj=False):
    g = torch.Generator().manual_seed(seed)
    w1 = torch.randn(d_hidden, d_in, generator=g, dtype=torch.float64) / d_in**0.5
    b1 = torch.randn(d_hidden, generator=g, dtype=torch.float64) * 0.5
    w2 = torch.randn(d_out, d_hidden, generator=g, dtype=torch.float64) / d_hidden**0.5
    b2 = torch.randn(d_out, generator=g, dtype=torch.float64) * 0.5
    ws = [w1, b1, w2, b2]
    if proj:
        ws.append(torch.randn(d_out, d_in, generator=g, dtype=torch.float64) / d_in**0.5)
    return [w.to(device, dtype) for w in ws]


def _x(shape, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _reference(x, w1, b1, w2, b2, w_proj=None):
    """y = short(x) + W2 relu(W1 x + b1) + b2, in float64, cast to x's dtype."""
    x64, w1, b1, w2, b2 = (t.double() for t in (x, w1, b1, w2, b2))
    branch = torch.relu(x64 @ w1.T + b1) @ w2.T + b2
    short = x64 if w_proj is None else x64 @ w_proj.double().T
    return (short + branch).to(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_identity_shortcut(learner, device, dtype):
    """without w_proj: y = x + F(x) for a batch of 4 vectors of width 6"""
    x = _x((4, 6), dtype, device)
    ws = _weights(6, 10, 6, dtype, device)
    got = learner.call_named("residual_block", NAMES, x, *ws)
    expect_close(got, _reference(x, *ws), name="residual_block(x, ...) (identity shortcut)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_projection_shortcut(learner, device, dtype):
    """with w_proj and d_in = 5, d_out = 3: y = x Wp^T + F(x)"""
    x = _x((4, 5), dtype, device, seed=2)
    ws = _weights(5, 7, 3, dtype, device, seed=3, proj=True)
    got = learner.call_named("residual_block", NAMES, x, *ws)
    expect_close(got, _reference(x, *ws), name="residual_block(x, ..., w_proj) (projection shortcut)")


def test_projection_used_when_widths_match(learner, device):
    """a given w_proj is used even when d_out == d_in"""
    x = _x((3, 4), torch.float64, device, seed=4)
    ws = _weights(4, 6, 4, torch.float64, device, seed=5, proj=True)
    got = learner.residual_block(x, *ws)
    expect_close(got, _reference(x, *ws), name="residual_block with a (4, 4) w_proj")


def test_missing_projection_raises(learner, device):
    """d_out != d_in without w_proj raises ValueError naming both widths"""
    x = _x((2, 5), torch.float64, device, seed=6)
    ws = _weights(5, 4, 3, torch.float64, device, seed=7)
    try:
        got = learner.residual_block(x, *ws)
    except LearnerProblem as exc:
        if exc.kind != "exception":
            raise
        expect(
            "raised ValueError" in exc.message,
            f"a width mismatch without w_proj should raise ValueError, but {exc.message}",
            kind="exception",
        )
        text = exc.message.split("raised ValueError", 1)[1].split("\n  at ", 1)[0]
        expect(
            "5" in text and "3" in text,
            f"the ValueError should name both widths (5 and 3); its message was: {text.lstrip(': ').splitlines()[0]!r}",
            kind="exception",
        )
        return
    raise CheckFailure(
        "wrong_values",
        "x of width 5 with a branch of width 3 and no w_proj should raise ValueError, but it returned "
        f"{list(got.shape) if isinstance(got, torch.Tensor) else got!r}",
    )


@pytest.mark.parametrize("shape", [(6,), (1, 6), (2, 3, 6)], ids=["unbatched", "batch-of-one", "sequences"])
def test_batch_shapes(learner, device, shape):
    """works for a single vector, a batch of one and a (N, L, d) batch of sequences"""
    x = _x(shape, torch.float64, device, seed=8)
    ws = _weights(6, 5, 6, torch.float64, device, seed=9)
    got = learner.residual_block(x, *ws)
    expect_close(got, _reference(x, *ws), name=f"residual_block on x of shape {list(shape)}")


def _switched_off(d, dtype, device, seed):
    w1, b1, w2, b2 = _weights(d, 5, d, dtype, device, seed=seed)
    return [w1, b1, torch.zeros_like(w2), torch.zeros_like(b2)]


def test_zero_branch_is_identity(learner, device):
    """with W2 = 0 and b2 = 0 the block returns x exactly, negative entries included"""
    x = _x((4, 6), torch.float64, device, seed=10, scale=3.0)
    ws = _switched_off(6, torch.float64, device, seed=11)
    got = learner.residual_block(x, *ws)
    expect_close(got, x.clone(), name="residual_block(x) with the branch switched off", rtol=0.0, atol=0.0)


def test_zero_branch_gradient_is_upstream(learner, device):
    """with the branch switched off, dy/dx is the identity: the upstream gradient reaches x unchanged"""
    x = _x((4, 6), torch.float64, device, seed=12)
    ws = _switched_off(6, torch.float64, device, seed=13)
    up = _x((4, 6), torch.float64, device, seed=14)
    _, (gx,) = learner.backward("residual_block", x, *ws, wrt=(0,), upstream=up)
    expect_close(gx, up.clone(), name="d loss / d x with W2 = 0", kind="wrong_gradient")


@pytest.mark.parametrize("proj", [False, True], ids=["identity", "projection"])
def test_gradients(learner, device, proj):
    """gradients with respect to x and every weight match autograd's (float64)"""
    d_out = 3 if proj else 5
    x = _x((4, 5), torch.float64, device, seed=15)
    ws = _weights(5, 6, d_out, torch.float64, device, seed=16, proj=proj)
    up = _x((4, d_out), torch.float64, device, seed=17)
    leaves = [t.clone().requires_grad_(True) for t in (x, *ws)]
    _reference(*leaves).backward(up)
    wrt = tuple(range(len(leaves)))
    _, grads = learner.backward("residual_block", x, *ws, wrt=wrt, upstream=up)
    for name, got, ref in zip(NAMES, grads, leaves, strict=False):
        expect_close(got, ref.grad, name=f"d loss / d {name}", kind="wrong_gradient")


def _stack_gradient(mod, x, blocks):
    """Chain the learner's residual_block over ``blocks``; return d(sum of outputs)/dx."""
    x = x.clone().requires_grad_(True)
    h = x
    for ws in blocks:
        h = mod.residual_block(h, *ws)
    h.sum().backward()
    return x.grad


def test_deep_stack_gradient(learner, device):
    """the gradient through 40 stacked blocks matches the reference (float64)"""
    d = 4
    blocks = []
    for i in range(40):
        w1, b1, w2, b2 = _weights(d, 6, d, torch.float64, device, seed=100 + i)
        blocks.append([w1, b1, w2 * 0.2, b2 * 0.2])
    x = _x((3, d), torch.float64, device, seed=18)
    got = learner.run(_stack_gradient, x, blocks, label="40 chained residual_block calls, then backward")
    expect(got is not None, "no gradient reached x through the stack of blocks", kind="wrong_gradient")
    xr = x.clone().requires_grad_(True)
    h = xr
    for ws in blocks:
        h = _reference(h, *ws)
    h.sum().backward()
    expect_close(got, xr.grad, name="d loss / d x through 40 blocks", kind="wrong_gradient")

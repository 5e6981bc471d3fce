"""Hidden suite: lesson5.layer_norm."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _inputs(shape, k, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 3.0 - 1.0
    ns = tuple(shape[len(shape) - k :])
    w = torch.randn(ns, generator=g, dtype=torch.float64)
    b = torch.randn(ns, generator=g, dtype=torch.float64)
    return x.to(device, dtype), ns, w.to(device, dtype), b.to(device, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_last_dim(learner, device, dtype):
    """normalises over the last dimension like F.layer_norm"""
    x, ns, w, b = _inputs((4, 6, 10), 1, dtype, device)
    expect_close(learner.layer_norm(x, ns, w, b), F.layer_norm(x, ns, w, b), name="layer_norm(x, (10,), w, b)")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_last_three_dims(learner, device, dtype):
    """normalises over the last three dimensions (C, H, W) like F.layer_norm"""
    x, ns, w, b = _inputs((2, 3, 4, 5), 3, dtype, device, seed=1)
    expect_close(learner.layer_norm(x, ns, w, b), F.layer_norm(x, ns, w, b), name="layer_norm(x, (3, 4, 5), w, b)")


def test_shapes_and_defaults(learner, device):
    """works for 1-D and 2-D inputs, without weight and bias, with a custom eps"""
    x, ns, _, _ = _inputs((7,), 1, torch.float64, device, seed=2)
    expect_close(learner.layer_norm(x, ns), F.layer_norm(x, ns), name="layer_norm of a single vector")
    x, ns, w, _ = _inputs((5, 8), 2, torch.float64, device, seed=3)
    expect_close(
        learner.layer_norm(x, ns, w, None, 0.1),
        F.layer_norm(x, ns, w, None, 0.1),
        name="layer_norm(x, (5, 8), w, None, eps=0.1)",
    )


def test_constant_rows_are_finite(learner, device):
    """a constant row (zero variance) gives the bias, not NaN"""
    x, ns, w, b = _inputs((3, 6), 1, torch.float32, device, seed=4)
    x = x.clone()
    x[1] = 2.5
    x[2] = 0.0
    expect_close(learner.layer_norm(x, ns, w, b), F.layer_norm(x, ns, w, b), name="layer_norm with constant rows")


def test_tiny_spread(learner, device):
    """rows with a tiny spread (std 1e-3) normalise accurately"""
    g = torch.Generator().manual_seed(5)
    tiny = (torch.randn(4, 32, generator=g, dtype=torch.float64) * 1e-3).to(device)
    expect_close(learner.layer_norm(tiny, (32,)), F.layer_norm(tiny, (32,)), name="layer_norm of rows with std 1e-3")


@pytest.mark.parametrize("shape, ns", [((4, 32), (32,)), ((2, 3, 4, 8), (3, 4, 8))], ids=["rows", "images"])
def test_large_offset(learner, device, shape, ns):
    """values far from zero (mean 1e3, std 1) normalise accurately in float32"""
    g = torch.Generator().manual_seed(5)
    far = (torch.randn(shape, generator=g, dtype=torch.float64) + 1000.0).to(device, torch.float32)
    # Reference in float64 from the very same float32 inputs.
    ref = F.layer_norm(far.double(), ns).float()
    expect_close(
        learner.layer_norm(far, ns),
        ref,
        name=f"layer_norm of float32 x of shape {list(shape)} = 1000 + N(0, 1), normalized_shape={ns}",
        rtol=1e-3,
        atol=1e-3,
    )


def test_gradients(learner, device):
    """gradients with respect to x, weight and bias match autograd (float64)"""
    x, ns, w, b = _inputs((3, 4, 5), 2, torch.float64, device, seed=6)
    up = torch.randn(3, 4, 5, generator=torch.Generator().manual_seed(7), dtype=torch.float64).to(device)
    _, grads = learner.backward("layer_norm", x, ns, w, b, wrt=(0, 2, 3), upstream=up)
    refs = [t.clone().requires_grad_(True) for t in (x, w, b)]
    (F.layer_norm(refs[0], ns, refs[1], refs[2]) * up).sum().backward()
    for name, g, r in zip(["x", "weight", "bias"], grads, refs, strict=False):
        expect_close(g, r.grad, name=f"d loss / d {name}", kind="wrong_gradient")


def _args_after_call(mod, name, *args):
    # The arguments as the learner's function left them (the worker holds its own copies).
    getattr(mod, name)(*args)
    return list(args)


def test_input_unchanged(learner, device):
    """leaves x, weight and bias unmodified"""
    x, ns, w, b = _inputs((3, 5), 1, torch.float64, device, seed=8)
    after = learner.run(_args_after_call, "layer_norm", x, ns, w, b, label="layer_norm(x, (5,), weight, bias)")
    for name, b0, a in zip(["x", "weight", "bias"], (x, w, b), (after[0], after[2], after[3]), strict=False):
        expect_unchanged(b0, a, name)


def test_does_not_use_builtin(learner):
    """does not call F.layer_norm, torch.layer_norm or nn.LayerNorm"""
    learner.check_forbidden()

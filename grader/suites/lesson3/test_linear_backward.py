"""Hidden suite: lesson3.linear_backward."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import describe, expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
IN, OUT = 5, 3
# No batch dim, one, two and three batch dims.
BATCH_SHAPES = [(), (8,), (2, 3), (2, 1, 4)]


def _shape_id(shape):
    return "x".join(map(str, shape)) if shape else "no_batch"


def _data(batch, dtype, device, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*batch, IN, generator=g, dtype=torch.float64) * scale
    W = torch.randn(OUT, IN, generator=g, dtype=torch.float64)
    b = torch.randn(OUT, generator=g, dtype=torch.float64)
    grad_y = torch.randn(*batch, OUT, generator=g, dtype=torch.float64)
    return [t.to(device, dtype) for t in (x, W, b, grad_y)]


def _autograd(x, W, b, grad_y):
    xr, Wr, br = (t.detach().clone().requires_grad_(True) for t in (x, W, b))
    F.linear(xr, Wr, br).backward(grad_y)
    return xr.grad, Wr.grad, br.grad


def _check_grads(got, ref, where=""):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 3,
        f"linear_backward should return (grad_x, grad_W, grad_b), a tuple of 3 tensors; got {describe(got)}",
        kind="wrong_type",
    )
    for g, r, n in zip(got, ref, ("grad_x", "grad_W", "grad_b"), strict=False):
        expect_close(g, r, name=n + where, kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_forward_matches_f_linear(learner, device, dtype):
    """linear_forward matches F.linear"""
    x, W, b, _ = _data((8,), dtype, device)
    expect_close(learner.linear_forward(x, W, b), F.linear(x, W, b), name="y")


def test_zero_input_gives_bias(learner, device):
    """a zero input gives exactly the bias (the affine part of the layer)"""
    _, W, b, _ = _data((4,), torch.float64, device, seed=8)
    x = torch.zeros(4, IN, dtype=torch.float64, device=device)
    expect_close(
        learner.linear_forward(x, W, b), b.expand(4, OUT), rtol=0.0, atol=0.0, name="linear_forward(zeros, W, b)"
    )


@pytest.mark.parametrize("batch", BATCH_SHAPES, ids=_shape_id)
def test_forward_batch_shapes(learner, device, batch):
    """linear_forward works for any number of leading batch dimensions"""
    x, W, b, _ = _data(batch, torch.float64, device, seed=1)
    expect_close(learner.linear_forward(x, W, b), F.linear(x, W, b), name=f"y for x of shape {list(x.shape)}")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_backward_matches_autograd(learner, device, dtype):
    """linear_backward matches autograd's gradients for a batch of rows"""
    x, W, b, grad_y = _data((8,), dtype, device, seed=2)
    _check_grads(learner.linear_backward(x, W, grad_y), _autograd(x, W, b, grad_y))


@pytest.mark.parametrize("batch", BATCH_SHAPES, ids=_shape_id)
def test_backward_batch_shapes(learner, device, batch):
    """linear_backward sums the parameter gradients over every batch dimension"""
    x, W, b, grad_y = _data(batch, torch.float64, device, seed=3)
    got = learner.linear_backward(x, W, grad_y)
    _check_grads(got, _autograd(x, W, b, grad_y), where=f" for x of shape {list(x.shape)}")


def test_large_and_empty_inputs(learner, device):
    """handles inputs of size 1e4 in float32 and an empty batch"""
    x, W, b, grad_y = _data((6,), torch.float32, device, seed=5, scale=1e4)
    expect_close(learner.linear_forward(x, W, b), F.linear(x, W, b), name="y at |x| ~ 1e4")
    _check_grads(learner.linear_backward(x, W, grad_y), _autograd(x, W, b, grad_y), where=" at |x| ~ 1e4")
    x, W, b, grad_y = _data((0,), torch.float64, device, seed=6)
    expect_close(learner.linear_forward(x, W, b), F.linear(x, W, b), name="y for an empty batch")
    _check_grads(learner.linear_backward(x, W, grad_y), _autograd(x, W, b, grad_y), where=" for an empty batch")


def _inputs_after(mod, name, *args):
    """Call ``mod.<name>(*args)`` in the worker and return the arguments as they are afterwards."""
    getattr(mod, name)(*args)
    return list(args)


def test_inputs_unchanged(learner, device):
    """does not modify x, W, b or grad_y"""
    # The check runs inside the worker: arguments are copies there, so an in-place change
    # is only visible in the arguments the scenario sends back.
    x, W, b, grad_y = _data((4,), torch.float64, device, seed=7)
    after = learner.run(_inputs_after, "linear_forward", x, W, b, label="linear_forward(x, W, b)")
    for old, new, name in zip((x, W, b), after, ("x", "W", "b"), strict=False):
        expect_unchanged(old, new, name)
    after = learner.run(_inputs_after, "linear_backward", x, W, grad_y, label="linear_backward(x, W, grad_y)")
    for old, new, name in zip((x, W, grad_y), after, ("x", "W", "grad_y"), strict=False):
        expect_unchanged(old, new, name)


def test_does_not_use_builtin(learner):
    """does not call F.linear or autograd"""
    learner.check_forbidden()

"""Hidden suite: lesson3.activations_backward."""

import pytest
import torch

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
SHAPES = [(), (7,), (2, 3, 4)]
FNS = {"relu_backward": torch.relu, "sigmoid_backward": torch.sigmoid}


def _shape_id(shape):
    return "x".join(map(str, shape)) if shape else "scalar"


def _data(shape, dtype, device, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(tuple(shape), generator=g, dtype=torch.float64) * scale
    grad_out = torch.randn(tuple(shape), generator=g, dtype=torch.float64)
    return x.to(device, dtype), grad_out.to(device, dtype)


def _autograd(fn, x, grad_out):
    xr = x.detach().clone().requires_grad_(True)
    fn(xr).backward(grad_out)
    return xr.grad


def _inputs_after(mod, name, *args):
    """Call ``mod.<name>(*args)`` in the worker and return the arguments as they are afterwards."""
    getattr(mod, name)(*args)
    return list(args)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_relu_matches_autograd(learner, device, dtype):
    """relu_backward matches autograd's gradient of torch.relu"""
    x, grad_out = _data((6, 5), dtype, device)
    x[0, :3] = 0.0  # a few exact zeros: torch's convention applies there
    expect_close(
        learner.relu_backward(x, grad_out), _autograd(torch.relu, x, grad_out), name="dL/dx", kind="wrong_gradient"
    )


def test_relu_zero_convention(learner, device):
    """relu's gradient at exactly x = 0 is 0, as in torch"""
    x = torch.tensor([-2.0, -0.0, 0.0, 1e-300, 3.0], dtype=torch.float64, device=device)
    grad_out = torch.tensor([5.0, 5.0, 5.0, 5.0, 5.0], dtype=torch.float64, device=device)
    expect_close(
        learner.relu_backward(x, grad_out),
        _autograd(torch.relu, x, grad_out),
        name="dL/dx at x = [-2, -0, 0, 1e-300, 3]",
        kind="wrong_gradient",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sigmoid_matches_autograd(learner, device, dtype):
    """sigmoid_backward matches autograd's gradient of torch.sigmoid"""
    x, grad_out = _data((6, 5), dtype, device, seed=1)
    expect_close(
        learner.sigmoid_backward(x, grad_out),
        _autograd(torch.sigmoid, x, grad_out),
        name="dL/dx",
        kind="wrong_gradient",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sigmoid_extreme_inputs(learner, device, dtype):
    """sigmoid_backward stays finite (and near 0) for inputs like -1000 and 1000"""
    x = torch.tensor([-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0], dtype=dtype, device=device)
    grad_out = torch.ones_like(x)
    expect_close(
        learner.sigmoid_backward(x, grad_out),
        _autograd(torch.sigmoid, x, grad_out),
        name="dL/dx at x = [-1000, -100, -30, 0, 30, 100, 1000]",
        kind="wrong_gradient",
    )


@pytest.mark.parametrize("name", list(FNS))
@pytest.mark.parametrize("shape", SHAPES, ids=_shape_id)
def test_any_shape(learner, device, name, shape):
    """works elementwise on tensors of any shape, including 0-d"""
    x, grad_out = _data(shape, torch.float64, device, seed=2)
    expect_close(
        learner.call(name, x, grad_out),
        _autograd(FNS[name], x, grad_out),
        name=f"{name}(x, grad_out) for shape {list(shape)}",
        kind="wrong_gradient",
    )


@pytest.mark.parametrize("name", list(FNS))
def test_inputs_unchanged(learner, device, name):
    """does not modify x or grad_out"""
    x, grad_out = _data((4, 5), torch.float64, device, seed=3)
    after = learner.run(_inputs_after, name, x, grad_out, label=f"{name}(x, grad_out)")
    expect_unchanged(x, after[0], "x")
    expect_unchanged(grad_out, after[1], "grad_out")


def test_does_not_use_builtin(learner):
    """does not call autograd or torch's backward kernels"""
    learner.check_forbidden()

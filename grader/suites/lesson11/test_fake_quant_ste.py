"""Hidden suite: lesson11.fake_quant_ste."""

import pytest
import torch

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _data(shape, scale, zp, dtype, device, seed=0, span=(-40, 300)):
    """x = (code - zp + offset) * scale with |offset| <= 0.4 (no rounding ties), codes in ``span``."""
    g = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    codes = torch.randint(span[0], span[1] + 1, (n,), generator=g).to(torch.float64)
    off = (torch.rand(n, generator=g, dtype=torch.float64) - 0.5) * 0.8
    return ((codes - zp + off) * scale).reshape(shape).to(device, dtype)


def _reference(x, scale, zp, qmin, qmax, upstream=None):
    xr = x.clone().requires_grad_(True)
    out = torch.fake_quantize_per_tensor_affine(xr, scale, zp, qmin, qmax)
    if upstream is None:
        return out.detach()
    out.backward(upstream)
    return out.detach(), xr.grad


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_forward_matches_torch(learner, device, dtype):
    """forward matches torch.fake_quantize_per_tensor_affine (uint8 range, values beyond it)"""
    x = _data((6, 10), 0.07, 50, dtype, device)
    got = _call_unchanged(
        learner, "fake_quantize", [x, 0.07, 50, 0, 255], ["x", "scale", "zero_point", "quant_min", "quant_max"]
    )
    expect_close(got, _reference(x, 0.07, 50, 0, 255), name="fake_quantize(x, 0.07, 50, 0, 255)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_gradient_matches_torch(learner, device, dtype):
    """the gradient passes straight through inside the range and is 0 outside"""
    x = _data((4, 25), 0.1, 20, dtype, device, seed=1)
    g = torch.Generator().manual_seed(2)
    up = torch.randn(4, 25, generator=g, dtype=torch.float64).to(device, dtype)
    out_ref, grad_ref = _reference(x, 0.1, 20, 0, 255, up)
    out, (grad,) = learner.backward("fake_quantize", x, 0.1, 20, 0, 255, wrt=(0,), upstream=up)
    expect_close(out, out_ref, name="the forward output")
    expect_close(grad, grad_ref, name="d out / d x", kind="wrong_gradient")


def test_signed_int8_range(learner, device):
    """works for the signed range quant_min=-128, quant_max=127 with zero_point 0"""
    x = _data((50,), 0.02, 0, torch.float64, device, seed=3, span=(-160, 160))
    up = torch.ones(50, dtype=torch.float64, device=device)
    out_ref, grad_ref = _reference(x, 0.02, 0, -128, 127, up)
    out, (grad,) = learner.backward("fake_quantize", x, 0.02, 0, -128, 127, wrt=(0,), upstream=up)
    expect_close(out, out_ref, name="fake_quantize(x, 0.02, 0, -128, 127)")
    expect_close(grad, grad_ref, name="d out / d x in the int8 range", kind="wrong_gradient")


def test_gradient_at_the_edges(learner, device):
    """half a step beyond the last level still rounds onto it and keeps gradient 1"""
    s, zp = 0.5, 10
    # codes (before the clamp): qmax exactly, qmax + 0.3 -> qmax, qmax + 0.7 -> qmax + 1,
    # and the same below qmin
    codes = torch.tensor([255.0, 255.3, 255.7, 0.0, -0.3, -0.7, 254.6, 0.4], dtype=torch.float64)
    x = ((codes - zp) * s).to(device)
    up = torch.ones(8, dtype=torch.float64, device=device)
    out_ref, grad_ref = _reference(x, s, zp, 0, 255, up)
    out, (grad,) = learner.backward("fake_quantize", x, s, zp, 0, 255, wrt=(0,), upstream=up)
    expect_close(out, out_ref, name="fake_quantize near the ends of the range")
    expect_close(
        grad, grad_ref, name="d out / d x for codes 255, 255.3, 255.7, 0, -0.3, -0.7, 254.6, 0.4", kind="wrong_gradient"
    )


def test_round_half_to_even(learner, device):
    """x/scale exactly on .5 rounds to the even integer, like torch"""
    x = torch.tensor([0.25, 0.75, 1.25, -0.25, -0.75, 2.75], device=device)
    got = learner.fake_quantize(x, 0.5, 10, 0, 255)
    expect_close(got, _reference(x, 0.5, 10, 0, 255), name="fake_quantize at x/scale = +-0.5, 1.5, 2.5, 5.5")


def test_batch_shapes(learner, device):
    """works on a 0-dim tensor and a 4-D tensor"""
    x = torch.tensor(1.234, dtype=torch.float64, device=device)
    expect_close(learner.fake_quantize(x, 0.1, 3, 0, 255), _reference(x, 0.1, 3, 0, 255), name="0-dim input")
    x = _data((2, 3, 2, 2), 0.3, 128, torch.float32, device, seed=4)
    expect_close(learner.fake_quantize(x, 0.3, 128, 0, 255), _reference(x, 0.3, 128, 0, 255), name="(2, 3, 2, 2) input")


def test_extreme_values(learner, device):
    """values of size 1e30 clamp to the range ends with zero gradient"""
    x = torch.tensor([1e30, -1e30, 3.0, -2.0], device=device)
    up = torch.ones(4, device=device)
    out_ref, grad_ref = _reference(x, 0.05, 100, 0, 255, up)
    out, (grad,) = learner.backward("fake_quantize", x, 0.05, 100, 0, 255, wrt=(0,), upstream=up)
    expect_close(out, out_ref, name="fake_quantize of +-1e30")
    expect_close(grad, grad_ref, name="d out / d x at +-1e30", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call torch.fake_quantize_per_tensor_affine or torch.quantize_per_tensor"""
    learner.check_forbidden()

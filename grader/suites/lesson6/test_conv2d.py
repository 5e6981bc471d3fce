"""Hidden suite: lesson6.conv2d."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]

# (N, C_in, H, W, C_out, kH, kW, stride, padding, bias)
CONFIGS = {
    "3x3": (2, 3, 7, 8, 4, 3, 3, 1, 0, True),
    "stride2-pad1": (2, 3, 7, 8, 4, 3, 3, 2, 1, True),
    "3x2-stride(2,1)-pad(1,0)-nobias": (1, 2, 9, 6, 3, 3, 2, (2, 1), (1, 0), False),
    "kernel-as-large-as-input": (3, 1, 5, 5, 2, 5, 5, 1, 0, True),
    "1x1": (2, 4, 6, 6, 5, 1, 1, 1, 0, True),
    "stride3-pad2": (1, 2, 8, 7, 2, 3, 3, 3, 2, True),
    "stride-larger-than-kernel": (1, 2, 7, 7, 3, 2, 2, 3, 0, False),
}


def _inputs(cfg, dtype, device, seed=0):
    n, c_in, h, w, c_out, kh, kw, stride, padding, has_bias = cfg
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, h, w, generator=g, dtype=torch.float64)
    wt = torch.randn(c_out, c_in, kh, kw, generator=g, dtype=torch.float64)
    b = torch.randn(c_out, generator=g, dtype=torch.float64) if has_bias else None
    return (x.to(device, dtype), wt.to(device, dtype), None if b is None else b.to(device, dtype), stride, padding)


def _label(cfg):
    n, c_in, h, w, c_out, kh, kw, stride, padding, has_bias = cfg
    return f"x [{n}, {c_in}, {h}, {w}], weight [{c_out}, {c_in}, {kh}, {kw}], stride={stride}, padding={padding}" + (
        "" if has_bias else ", no bias"
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", ["3x3", "stride2-pad1", "3x2-stride(2,1)-pad(1,0)-nobias"])
def test_matches_conv2d(learner, device, dtype, name):
    """matches F.conv2d"""
    cfg = CONFIGS[name]
    x, w, b, stride, padding = _inputs(cfg, dtype, device)
    got = learner.conv2d(x, w, b, stride, padding)
    expect_close(
        got, F.conv2d(x, w, b, stride, padding), name=f"conv2d ({_label(cfg)})", picture="feature_maps", picture_input=x
    )


@pytest.mark.parametrize("name", ["kernel-as-large-as-input", "1x1", "stride3-pad2", "stride-larger-than-kernel"])
def test_edge_shapes(learner, device, name):
    """handles 1x1 kernels, kernels as large as the input and strides larger than the kernel"""
    cfg = CONFIGS[name]
    x, w, b, stride, padding = _inputs(cfg, torch.float64, device, seed=1)
    got = learner.conv2d(x, w, b, stride, padding)
    expect_close(
        got, F.conv2d(x, w, b, stride, padding), name=f"conv2d ({_label(cfg)})", picture="feature_maps", picture_input=x
    )


def test_default_arguments(learner, device):
    """bias, stride and padding default to None, 1 and 0"""
    x, w, _, _, _ = _inputs(CONFIGS["3x3"], torch.float64, device, seed=2)
    expect_close(learner.conv2d(x, w), F.conv2d(x, w), name="conv2d(x, weight)")


@pytest.mark.parametrize("name", ["stride2-pad1", "3x2-stride(2,1)-pad(1,0)-nobias"])
def test_gradients(learner, device, name):
    """gradients with respect to x, weight and bias match autograd through F.conv2d (float64)"""
    cfg = CONFIGS[name]
    x, w, b, stride, padding = _inputs(cfg, torch.float64, device, seed=3)
    ref_out = F.conv2d(x, w, b, stride, padding)
    up = torch.randn(ref_out.shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64).to(device)
    wrt = (0, 1, 2) if b is not None else (0, 1)
    _, grads = learner.backward("conv2d", x, w, b, stride, padding, wrt=wrt, upstream=up)
    refs = [t.clone().requires_grad_(True) for t in (x, w, b) if t is not None]
    ref_b = refs[2] if b is not None else None
    (F.conv2d(refs[0], refs[1], ref_b, stride, padding) * up).sum().backward()
    for name_, g, r in zip(["x", "weight", "bias"], grads, refs, strict=False):
        expect_close(g, r.grad, name=f"d loss / d {name_} ({_label(cfg)})", kind="wrong_gradient")


def _args_after_call(mod, x, w, b):
    mod.conv2d(x, w, b)
    return [x, w, b]


def test_inputs_unchanged(learner, device):
    """leaves x, weight and bias unmodified"""
    x, w, b, _, _ = _inputs(CONFIGS["3x3"], torch.float64, device, seed=6)
    after = learner.run(_args_after_call, x, w, b, label="conv2d(x, weight, bias)")
    for name, before, a in zip(["x", "weight", "bias"], (x, w, b), after, strict=False):
        expect_unchanged(before, a, name)


def test_does_not_use_builtin(learner):
    """does not call F.conv2d, torch.conv2d, nn.Conv2d, unfold or torch.convolution"""
    learner.check_forbidden()

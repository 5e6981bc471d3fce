"""Hidden suite: lesson6.conv_as_matmul."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]

# name -> (H, W, kH, kW, stride, padding)
MATRIX_CONFIGS = {
    "3x3-on-5x6": (5, 6, 3, 3, 1, 0),
    "3x3-stride2-pad1": (7, 7, 3, 3, 2, 1),
    "2x3-pad1": (6, 5, 2, 3, 1, 1),
    "4x4-on-4x4": (4, 4, 4, 4, 1, 0),
}


def _t(shape, seed, dtype=torch.float64, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)


def _out_size(h, w, kh, kw, s, p):
    return (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1


def _reference_matrix(kernel, h, w, s, p):
    """Column c is the convolution of the image that is 1 at pixel c and 0 elsewhere."""
    basis = torch.eye(h * w, dtype=kernel.dtype, device=kernel.device).reshape(h * w, 1, h, w)
    return F.conv2d(basis, kernel[None, None], stride=s, padding=p).reshape(h * w, -1).T


def _label(h, w, kh, kw, s, p):
    return f"conv_matrix(kernel ({kh}, {kw}), height={h}, width={w}, stride={s}, padding={p})"


def _matrix(learner, kernel, h, w, s, p):
    m = learner.conv_matrix(kernel, h, w, s, p)
    ho, wo = _out_size(h, w, kernel.shape[0], kernel.shape[1], s, p)
    expect(
        isinstance(m, torch.Tensor), f"conv_matrix should return a tensor, got {type(m).__name__}", kind="wrong_type"
    )
    expect(
        tuple(m.shape) == (ho * wo, h * w),
        f"{_label(h, w, kernel.shape[0], kernel.shape[1], s, p)} has shape {list(m.shape)}, expected "
        f"[H_out * W_out, H * W] = [{ho * wo}, {h * w}]",
        kind="wrong_shape",
    )
    return m


# ---------------------------------------------------------------- conv_matrix


@pytest.mark.parametrize("name", list(MATRIX_CONFIGS))
def test_matrix_entries(learner, device, name):
    """conv_matrix holds the kernel where F.conv2d uses it, and zeros elsewhere"""
    h, w, kh, kw, s, p = MATRIX_CONFIGS[name]
    kernel = _t((kh, kw), 0, device=device)
    m = _matrix(learner, kernel, h, w, s, p)
    expect_close(m, _reference_matrix(kernel, h, w, s, p), name=_label(h, w, kh, kw, s, p))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", ["3x3-on-5x6", "3x3-stride2-pad1"])
def test_matrix_times_image(learner, device, dtype, name):
    """the matrix times the flattened image is F.conv2d of the image"""
    h, w, kh, kw, s, p = MATRIX_CONFIGS[name]
    kernel, image = _t((kh, kw), 1, dtype, device), _t((h, w), 2, dtype, device)
    m = _matrix(learner, kernel, h, w, s, p)
    ho, wo = _out_size(h, w, kh, kw, s, p)
    ref = F.conv2d(image[None, None], kernel[None, None], stride=s, padding=p)[0, 0]
    expect_close(
        (m @ image.reshape(-1)).reshape(ho, wo), ref, name=f"({_label(h, w, kh, kw, s, p)} @ image.flatten()) as a grid"
    )


def test_rows_share_the_kernel(learner, device):
    """without padding, every row holds exactly the kH * kW kernel values, in order: sparse and weight-shared"""
    kernel = torch.arange(1.0, 7.0, dtype=torch.float64, device=device).reshape(2, 3)
    m = _matrix(learner, kernel, 4, 5, 1, 0)
    rows = m.detach().cpu()
    for r in range(rows.shape[0]):
        nz = rows[r][rows[r] != 0]
        expect(
            nz.numel() == 6 and torch.equal(nz, kernel.cpu().reshape(-1)),
            f"row {r} of conv_matrix(kernel [[1, 2, 3], [4, 5, 6]], 4, 5) has the non-zero values "
            f"{nz.tolist()} (left to right); every row should hold the kernel's 6 values [1, 2, 3, 4, 5, 6] "
            "in that order, nothing else",
        )


def _kernel_grad(mod, kernel, image, upstream, h, w, s, p):
    import torch

    k = kernel.clone().requires_grad_(True)
    m = mod.conv_matrix(k, h, w, s, p)
    if not (isinstance(m, torch.Tensor) and m.requires_grad):
        return None
    ((m @ image.reshape(-1)) * upstream.reshape(-1)).sum().backward()
    return k.grad


@pytest.mark.parametrize("name", ["3x3-on-5x6", "3x3-stride2-pad1"])
def test_kernel_gradient(learner, device, name):
    """the gradient reaches the kernel and sums over every position, like F.conv2d's weight gradient (float64)"""
    h, w, kh, kw, s, p = MATRIX_CONFIGS[name]
    kernel, image = _t((kh, kw), 3, device=device), _t((h, w), 4, device=device)
    ho, wo = _out_size(h, w, kh, kw, s, p)
    up = _t((ho, wo), 5, device=device)
    got = learner.run(
        _kernel_grad, kernel, image, up, h, w, s, p, label=f"({_label(h, w, kh, kw, s, p)} @ image) backward"
    )
    expect(
        got is not None,
        "conv_matrix is not connected to the kernel: fill the matrix with the kernel's tensor entries "
        "(no float(), .item(), .tolist() or .detach())",
        kind="wrong_gradient",
    )
    ref = kernel.clone().requires_grad_(True)
    (F.conv2d(image[None, None], ref[None, None], stride=s, padding=p)[0, 0] * up).sum().backward()
    expect_close(got, ref.grad, name="d loss / d kernel", kind="wrong_gradient")


# ---------------------------------------------------------------- patches

# name -> (x shape, kh, kw)
PATCH_CONFIGS = {
    "3x3-on-3-channels": ((2, 3, 5, 6), 3, 3),
    "2x3-on-2-channels": ((1, 2, 4, 5), 2, 3),
    "1x1": ((2, 4, 3, 3), 1, 1),
}


@pytest.mark.parametrize("name", list(PATCH_CONFIGS))
def test_patches_match_unfold(learner, device, name):
    """patches match F.unfold(x, (kh, kw)) with the positions on dimension 1"""
    shape, kh, kw = PATCH_CONFIGS[name]
    x = _t(shape, 6, device=device)
    expect_close(
        learner.patches(x, kh, kw),
        F.unfold(x, (kh, kw)).transpose(1, 2),
        name=f"patches(x {list(shape)}, {kh}, {kw})",
    )


def test_patches_float32(learner, device):
    """patches keep float32 inputs in float32"""
    x = _t((2, 3, 4, 4), 7, torch.float32, device)
    expect_close(learner.patches(x, 2, 2), F.unfold(x, (2, 2)).transpose(1, 2), name="patches(x float32, 2, 2)")


# ---------------------------------------------------------------- conv2d_by_patches


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_conv_by_patches_matches_conv2d(learner, device, dtype):
    """conv2d_by_patches matches F.conv2d (3 input channels, 4 output channels, bias)"""
    x, wt, b = _t((2, 3, 6, 7), 8, dtype, device), _t((4, 3, 3, 2), 9, dtype, device), _t((4,), 10, dtype, device)
    expect_close(
        learner.conv2d_by_patches(x, wt, b),
        F.conv2d(x, wt, b),
        name="conv2d_by_patches(x [2, 3, 6, 7], weight [4, 3, 3, 2], bias)",
        picture="feature_maps",
        picture_input=x,
    )


def test_conv_by_patches_single_image_no_bias(learner, device):
    """a batch of one image without a bias matches F.conv2d"""
    x, wt = _t((1, 2, 5, 5), 11, device=device), _t((3, 2, 3, 3), 12, device=device)
    expect_close(
        learner.conv2d_by_patches(x, wt),
        F.conv2d(x, wt),
        name="conv2d_by_patches(x [1, 2, 5, 5], weight [3, 2, 3, 3])",
        picture="feature_maps",
        picture_input=x,
    )


def test_conv_by_patches_gradients(learner, device):
    """gradients with respect to x, weight and bias match autograd through F.conv2d (float64)"""
    x, wt, b = _t((2, 2, 5, 4), 13, device=device), _t((3, 2, 2, 3), 14, device=device), _t((3,), 15, device=device)
    up = _t((2, 3, 4, 2), 16, device=device)
    _, grads = learner.backward("conv2d_by_patches", x, wt, b, wrt=(0, 1, 2), upstream=up)
    refs = [t.clone().requires_grad_(True) for t in (x, wt, b)]
    (F.conv2d(*refs) * up).sum().backward()
    for name, g, r in zip(["x", "weight", "bias"], grads, refs, strict=True):
        expect_close(g, r.grad, name=f"d loss / d {name}", kind="wrong_gradient")


# ---------------------------------------------------------------- all three


def _args_after_calls(mod, kernel, x, weight, bias):
    mod.conv_matrix(kernel, 4, 4)
    mod.patches(x, 2, 2)
    mod.conv2d_by_patches(x, weight, bias)
    return [kernel, x, weight, bias]


def test_inputs_unchanged(learner, device):
    """leaves the kernel, x, weight and bias unmodified"""
    kernel, x = _t((3, 3), 17, device=device), _t((1, 1, 4, 4), 18, device=device)
    wt, b = _t((2, 1, 2, 2), 19, device=device), _t((2,), 20, device=device)
    after = learner.run(
        _args_after_calls,
        kernel,
        x,
        wt,
        b,
        label="conv_matrix(kernel, 4, 4), patches(x, 2, 2) and conv2d_by_patches(x, weight, bias)",
    )
    for name, before, a in zip(["kernel", "x", "weight", "bias"], (kernel, x, wt, b), after, strict=True):
        expect_unchanged(before, a, name)


def test_does_not_use_builtin(learner):
    """does not call F.conv2d, nn.Conv2d, torch.convolution or unfold"""
    learner.check_forbidden()

"""Hidden suite: lesson6.edge_filters."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]

SOBEL_V = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]


def _kernels(dtype, device):
    v = torch.tensor(SOBEL_V, dtype=dtype, device=device)
    return torch.stack([v, v.t()]).unsqueeze(1)


def _images(shape, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g, dtype=torch.float64).to(device, dtype)


def test_vertical_kernel(learner):
    """vertical_edge_kernel is the Sobel kernel [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]"""
    expect_close(
        learner.vertical_edge_kernel(), torch.tensor(SOBEL_V), name="vertical_edge_kernel()", check_device=False
    )


def test_horizontal_kernel(learner):
    """horizontal_edge_kernel is the Sobel kernel [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]"""
    expect_close(
        learner.horizontal_edge_kernel(), torch.tensor(SOBEL_V).t(), name="horizontal_edge_kernel()", check_device=False
    )


def _split_image(device, vertical):
    x = torch.zeros(1, 1, 6, 8, dtype=torch.float32, device=device)
    if vertical:
        x[..., :, 4:] = 1.0  # dark left half, bright right half
    else:
        x[..., 3:, :] = 1.0  # dark top half, bright bottom half
    return x


def test_vertical_edge_image(learner, device):
    """an image dark on the left and bright on the right lights up channel 0 only"""
    x = _split_image(device, vertical=True)
    got = learner.detect_edges(x)
    expect(
        isinstance(got, torch.Tensor) and tuple(got.shape) == (1, 2, 4, 6),
        "detect_edges of a (1, 1, 6, 8) image should have shape (1, 2, 4, 6)",
        kind="wrong_shape",
    )
    v, h = got[0, 0], got[0, 1]
    expect(
        bool((v[:, 2:4] > 0).all()) and bool((v[:, [0, 1, 4, 5]] == 0).all()),
        f"channel 0 (vertical edges) should be positive at the two columns that straddle the edge and 0 in the "
        f"flat regions; got rows like {v[0].tolist()}",
    )
    expect(
        bool((h == 0).all()),
        f"channel 1 (horizontal edges) should be 0 everywhere for a vertical edge; got rows like {h[0].tolist()}",
    )
    expect_close(got, F.conv2d(x, _kernels(torch.float32, device)), name="detect_edges(left dark, right bright)")


def test_horizontal_edge_image(learner, device):
    """an image dark at the top and bright at the bottom lights up channel 1 only"""
    x = _split_image(device, vertical=False)
    got = learner.detect_edges(x)
    expect(
        isinstance(got, torch.Tensor) and tuple(got.shape) == (1, 2, 4, 6),
        "detect_edges of a (1, 1, 6, 8) image should have shape (1, 2, 4, 6)",
        kind="wrong_shape",
    )
    v, h = got[0, 0], got[0, 1]
    expect(
        bool((h[1:3] > 0).all()) and bool((h[[0, 3]] == 0).all()),
        f"channel 1 (horizontal edges) should be positive on the two rows that straddle the edge and 0 in the "
        f"flat regions; got columns like {h[:, 0].tolist()}",
    )
    expect(
        bool((v == 0).all()),
        f"channel 0 (vertical edges) should be 0 everywhere for a horizontal edge; got columns like {v[:, 0].tolist()}",
    )
    expect_close(got, F.conv2d(x, _kernels(torch.float32, device)), name="detect_edges(top dark, bottom bright)")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_random_batch(learner, device, dtype):
    """a batch of random images matches F.conv2d with the two Sobel kernels"""
    x = _images((3, 1, 7, 9), dtype, device)
    expect_close(learner.detect_edges(x), F.conv2d(x, _kernels(dtype, device)), name="detect_edges(x [3, 1, 7, 9])")


def test_smallest_image(learner, device):
    """a 3x3 image gives one value per channel"""
    x = _images((2, 1, 3, 3), torch.float64, device, seed=1)
    expect_close(
        learner.detect_edges(x), F.conv2d(x, _kernels(torch.float64, device)), name="detect_edges(x [2, 1, 3, 3])"
    )


@pytest.mark.parametrize("shape", [(2, 1, 5, 6), (1, 1, 3, 3)], ids=["batch", "smallest-image"])
def test_gradient(learner, device, shape):
    """the gradient with respect to the images matches autograd (float64)"""
    x = _images(shape, torch.float64, device, seed=2)
    n, _, h, w = shape
    up = torch.randn(n, 2, h - 2, w - 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64).to(device)
    ref_x = x.clone().requires_grad_(True)
    (F.conv2d(ref_x, _kernels(torch.float64, device)) * up).sum().backward()
    _, (grad,) = learner.backward("detect_edges", x, wrt=(0,), upstream=up)
    expect_close(grad, ref_x.grad, name="d loss / d images", kind="wrong_gradient")


def _args_after_call(mod, x):
    mod.detect_edges(x)
    return x


def test_input_unchanged(learner, device):
    """leaves the images unmodified"""
    x = _images((2, 1, 4, 4), torch.float64, device, seed=4)
    expect_unchanged(x, learner.run(_args_after_call, x, label="detect_edges(images)"), "images")

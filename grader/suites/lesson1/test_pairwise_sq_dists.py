"""Hidden suite: lesson1.pairwise_sq_dists."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]


def _points(shape, dtype, device, seed=0, offset=0.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) + offset).to(device, dtype)


def _reference(x, y):
    # Computed in float64 from the very values the learner receives, then rounded once.
    d = x.double().unsqueeze(-2) - y.double().unsqueeze(-3)
    return (d * d).sum(-1).to(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_matches_reference(learner, device, dtype):
    """matches the squared distances for 5 points against 3 points in 4-D"""
    x = _points((5, 4), dtype, device, seed=1)
    y = _points((3, 4), dtype, device, seed=2)
    expect_close(learner.pairwise_sq_dists(x, y), _reference(x, y), name="pairwise_sq_dists(x, y)")


@pytest.mark.parametrize(
    "n,m,d", [(1, 6, 2), (7, 1, 3), (4, 4, 1), (2, 3, 10)], ids=["one-x", "one-y", "1-D points", "10-D points"]
)
def test_shapes(learner, device, n, m, d):
    """returns an (n, m) matrix for one point, one-dimensional points and many coordinates"""
    x = _points((n, d), torch.float64, device, seed=n + 10 * m)
    y = _points((m, d), torch.float64, device, seed=d)
    expect_close(learner.pairwise_sq_dists(x, y), _reference(x, y), name=f"distances of ({n}, {d}) to ({m}, {d})")


@pytest.mark.parametrize(
    "x_shape,y_shape",
    [((2, 3, 4, 3), (3, 5, 3)), ((2, 4, 3), (5, 3))],
    ids=["both-batched", "only-x-batched"],
)
def test_batch_dimensions(learner, device, x_shape, y_shape):
    """leading batch dimensions broadcast: (2, 3, 4, d) with (3, 5, d), and (2, 4, d) with an unbatched (5, d)"""
    x = _points(x_shape, torch.float64, device, seed=3)
    y = _points(y_shape, torch.float64, device, seed=4)
    expect_close(
        learner.pairwise_sq_dists(x, y),
        _reference(x, y),
        name=f"distances of x {list(x_shape)} to y {list(y_shape)}",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_identical_points_give_exact_zero(learner, device, dtype):
    """a point's distance to itself is exactly 0 and no distance is negative"""
    x = _points((6, 5), dtype, device, seed=5, offset=3.0) * 7.3
    got = learner.pairwise_sq_dists(x, x)
    expect_close(got, _reference(x, x), name="pairwise_sq_dists(x, x)")
    diag = torch.diagonal(got)
    expect(
        bool((diag == 0).all()),
        f"the distance of each point to itself should be exactly 0, got {diag.tolist()}",
    )
    expect(bool((got >= 0).all()), f"squared distances cannot be negative; smallest entry {got.min().item():.3g}")


@pytest.mark.parametrize(
    "dtype,offset", [(torch.float32, 1e4), (torch.float64, 1e8)], ids=["float32-near-1e4", "float64-near-1e8"]
)
def test_far_from_origin(learner, device, dtype, offset):
    """points far from the origin (1e4 in float32, 1e8 in float64) keep their small distances"""
    x = _points((5, 3), dtype, device, seed=6, offset=offset)
    y = _points((4, 3), dtype, device, seed=7, offset=offset)
    expect_close(learner.pairwise_sq_dists(x, y), _reference(x, y), name=f"distances of points near {offset:g}")


def test_inputs_unchanged(learner, device):
    """does not modify x or y"""
    x = _points((4, 3), torch.float64, device, seed=8)
    y = _points((5, 3), torch.float64, device, seed=9)
    learner.pairwise_sq_dists(x, y)  # the call itself fails with modified_input if x or y changes


def test_gradient(learner, device):
    """the gradient with respect to x and y matches autograd's"""
    x = _points((3, 2), torch.float64, device, seed=10)
    y = _points((4, 2), torch.float64, device, seed=11)
    up = _points((3, 4), torch.float64, device, seed=12)
    xr, yr = x.clone().requires_grad_(True), y.clone().requires_grad_(True)
    _reference(xr, yr).backward(up)
    _, (gx, gy) = learner.backward("pairwise_sq_dists", x, y, wrt=(0, 1), upstream=up)
    expect_close(gx, xr.grad, name="d D / d x", kind="wrong_gradient")
    expect_close(gy, yr.grad, name="d D / d y", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call torch.cdist or F.pairwise_distance"""
    learner.check_forbidden()

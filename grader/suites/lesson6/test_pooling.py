"""Hidden suite: lesson6.pooling."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]

# name -> (input shape, kernel_size, stride)
CONFIGS = {
    "k2": ((2, 3, 6, 8), 2, None),
    "k2-odd-size": ((2, 2, 7, 5), 2, None),
    "k3-s2-overlap": ((2, 2, 7, 9), 3, 2),
    "k(2,3)-s(1,2)": ((1, 3, 5, 7), (2, 3), (1, 2)),
    "global": ((2, 3, 4, 6), (4, 6), None),
}
OPS = {"max_pool2d": F.max_pool2d, "avg_pool2d": F.avg_pool2d}


def _x(shape, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)


def _ref(op, x, k, s):
    return OPS[op](x, k, s) if s is not None else OPS[op](x, k)


def _call(learner, op, x, k, s):
    return learner.call(op, x, k, s) if s is not None else learner.call(op, x, k)


def _label(op, shape, k, s):
    return f"{op}(x {list(shape)}, kernel_size={k}" + (f", stride={s})" if s is not None else ")")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("op", list(OPS))
def test_matches_torch(learner, device, op, name, dtype):
    """matches F.max_pool2d / F.avg_pool2d"""
    shape, k, s = CONFIGS[name]
    x = _x(shape, dtype, device)
    expect_close(_call(learner, op, x, k, s), _ref(op, x, k, s), name=_label(op, shape, k, s))


@pytest.mark.parametrize("op", list(OPS))
def test_three_dim_input(learner, device, op):
    """works on a single (C, H, W) image too"""
    x = _x((3, 6, 6), torch.float64, device, seed=1)
    expect_close(_call(learner, op, x, 3, 3), _ref(op, x, 3, 3), name=_label(op, x.shape, 3, 3))


def test_max_of_negative_values(learner, device):
    """max pooling of all-negative windows (and of -inf) returns their maximum, not 0"""
    x = -_x((1, 2, 4, 4), torch.float64, device, seed=2).abs() - 1.0
    x[0, 1, :2, :2] = float("-inf")
    expect_close(learner.max_pool2d(x, 2), F.max_pool2d(x, 2), name="max_pool2d of negative values, kernel_size=2")


@pytest.mark.parametrize("name", ["k2-odd-size", "k3-s2-overlap", "k(2,3)-s(1,2)"])
@pytest.mark.parametrize("op", list(OPS))
def test_gradients(learner, device, op, name):
    """the gradient matches autograd through torch's pooling (float64)"""
    shape, k, s = CONFIGS[name]
    x = _x(shape, torch.float64, device, seed=3)
    ref_x = x.clone().requires_grad_(True)
    ref_out = _ref(op, ref_x, k, s)
    up = torch.randn(ref_out.shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64).to(device)
    (ref_out * up).sum().backward()
    args = (x, k, s) if s is not None else (x, k)
    _, (grad,) = learner.backward(op, *args, wrt=(0,), upstream=up)
    expect_close(grad, ref_x.grad, name=f"d loss / d x for {_label(op, shape, k, s)}", kind="wrong_gradient")


def _expect_one_winner_per_window(learner, x, what):
    """2x2 windows, stride 2: each window's upstream gradient must land on exactly one element."""
    n, c, h, w = x.shape
    up = torch.arange(1.0, n * c * (h // 2) * (w // 2) + 1.0, dtype=torch.float64).reshape(n, c, h // 2, w // 2)
    up = up.to(x.device)
    _, (grad,) = learner.backward("max_pool2d", x, 2, wrt=(0,), upstream=up)
    expect(
        tuple(grad.shape) == tuple(x.shape),
        f"d loss / d x has shape {list(grad.shape)}, expected {list(x.shape)}",
        kind="wrong_shape",
    )
    # Group each 2x2 window's four entries on a last dimension: (N, C, H/2, W/2, 4).
    win = (
        grad.detach()
        .cpu()
        .reshape(n, c, h // 2, 2, w // 2, 2)
        .permute(0, 1, 2, 4, 3, 5)
        .reshape(n, c, h // 2, w // 2, 4)
    )
    nonzero = (win != 0).sum(-1)
    expect(
        bool((nonzero == 1).all()),
        f"{what}: {int(nonzero.max())} elements of a 2x2 window received gradient; the max is "
        "taken by ONE element per window, which gets the whole upstream gradient (use .max(dim).values, "
        "whose backward picks one index, not amax or a comparison mask)",
        kind="wrong_gradient",
    )
    expect_close(
        win.sum(-1),
        up.cpu(),
        name=f"{what}: the gradient collected in each window",
        kind="wrong_gradient",
        check_device=False,
    )


def test_max_gradient_goes_to_one_element(learner, device):
    """with ties, max pooling sends each window's gradient to one element only"""
    x = torch.full((1, 2, 4, 6), 3.0, dtype=torch.float64, device=device)
    _expect_one_winner_per_window(learner, x, "on a constant input")


def test_max_gradient_ties_at_zero(learner, device):
    """on a ReLU output, windows tied at 0 still send their gradient to one element"""
    x = torch.relu(_x((2, 3, 4, 4), torch.float64, torch.device("cpu"), seed=6))
    x[:, :, :2, :2] = 0.0  # whole windows of zeros, as a ReLU often leaves them
    x[0, 1, 2:, 2:] = torch.tensor([[0.0, 0.5], [0.5, 0.0]], dtype=torch.float64)  # a tie between positives
    _expect_one_winner_per_window(learner, x.to(device), "on a ReLU output with windows of zeros")


def _args_after_call(mod, x):
    mod.max_pool2d(x, 2)
    mod.avg_pool2d(x, 2)
    return x


def test_input_unchanged(learner, device):
    """leaves x unmodified"""
    x = _x((2, 2, 4, 4), torch.float64, device, seed=5)
    expect_unchanged(x, learner.run(_args_after_call, x, label="max_pool2d(x, 2) and avg_pool2d(x, 2)"), "x")


def test_does_not_use_builtin(learner):
    """does not call torch's pooling functions or unfold"""
    learner.check_forbidden()

"""Hidden suite: lesson9.time_windows."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]


def _series(shape, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)


def _reference(series, length, horizon=1, stride=1):
    """Window by window from the definition, with plain Python loops."""
    total = series.shape[0]
    inputs, targets = [], []
    start = 0
    while start + length - 1 + horizon <= total - 1:
        inputs.append(series[start : start + length])
        targets.append(series[start + length - 1 + horizon])
        start += stride
    feat = tuple(series.shape[1:])
    if not inputs:
        return series.new_zeros((0, length, *feat)), series.new_zeros((0, *feat))
    return torch.stack(inputs), torch.stack(targets)


def _unpack(got, what):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"{what} should return a tuple (inputs, targets)",
        kind="wrong_type",
    )
    return got


def _windows_backward(mod, series, length, horizon, stride, up_in, up_tg):
    """Back-propagate through both outputs of the learner's sliding_windows; return d loss / d series."""
    leaf = series.clone().requires_grad_(True)
    inputs, targets = mod.sliding_windows(leaf, length, horizon, stride)
    if not (inputs.requires_grad and targets.requires_grad):
        return None
    ((inputs * up_in).sum() + (targets * up_tg).sum()).backward()
    return leaf.grad


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_single_series(learner, device, dtype):
    """a series of 10 steps, windows of 3, next-step targets: 7 windows, as defined"""
    x = _series((10,), dtype, device)
    got = _unpack(learner.sliding_windows(x, 3, 1, 1), "sliding_windows(series (10,), 3)")
    expect_close(got, _reference(x, 3), name="(inputs, targets)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_several_series(learner, device, dtype):
    """a (T, D) series gives windows (N, length, D): time along dimension 1, features last"""
    x = _series((9, 2), dtype, device, seed=1)
    got = _unpack(learner.sliding_windows(x, 4, 1, 1), "sliding_windows(series (9, 2), 4)")
    expect_close(got, _reference(x, 4), name="(inputs, targets) of a (9, 2) series")


def test_matrix_features(learner, device):
    """each step may itself be a matrix: a (T, 2, 3) series gives windows (N, length, 2, 3)"""
    x = _series((7, 2, 3), torch.float64, device, seed=2)
    got = _unpack(learner.sliding_windows(x, 2, 1, 1), "sliding_windows(series (7, 2, 3), 2)")
    expect_close(got, _reference(x, 2), name="(inputs, targets) of a (7, 2, 3) series")


@pytest.mark.parametrize("horizon", [2, 4])
def test_horizon(learner, device, horizon):
    """the target lies horizon steps after the window's last step"""
    x = _series((12,), torch.float64, device, seed=3)
    got = _unpack(learner.sliding_windows(x, 3, horizon, 1), f"sliding_windows(series (12,), 3, horizon={horizon})")
    expect_close(got, _reference(x, 3, horizon), name=f"(inputs, targets) with horizon {horizon}")


@pytest.mark.parametrize("stride", [2, 3])
def test_stride(learner, device, stride):
    """consecutive windows start stride steps apart"""
    x = _series((13, 2), torch.float64, device, seed=4)
    got = _unpack(learner.sliding_windows(x, 4, 1, stride), f"sliding_windows(series (13, 2), 4, stride={stride})")
    expect_close(got, _reference(x, 4, 1, stride), name=f"(inputs, targets) with stride {stride}")


@pytest.mark.parametrize(
    "total,length,horizon,stride",
    [(20, 5, 1, 1), (20, 5, 3, 4), (21, 5, 3, 4), (8, 3, 2, 5)],
    ids=["20-5-1-1", "20-5-3-4", "21-5-3-4", "8-3-2-5"],
)
def test_window_count(learner, device, total, length, horizon, stride):
    """the number of windows is (T - length - horizon) // stride + 1: the last target is still inside the series"""
    x = torch.arange(total, dtype=torch.float64, device=device)
    got = _unpack(
        learner.sliding_windows(x, length, horizon, stride),
        f"sliding_windows(arange({total}), {length}, {horizon}, {stride})",
    )
    expect_close(got, _reference(x, length, horizon, stride), name="(inputs, targets) of arange(T)")


def test_exactly_one_window(learner, device):
    """a series of exactly length + horizon steps gives one window"""
    x = _series((6, 3), torch.float64, device, seed=5)
    got = _unpack(learner.sliding_windows(x, 4, 2, 1), "sliding_windows(series (6, 3), 4, horizon=2)")
    expect_close(got, _reference(x, 4, 2), name="the single (input, target) pair")


@pytest.mark.parametrize("shape", [(4,), (3, 2)], ids=["(4,)", "(3, 2)"])
def test_too_short(learner, device, shape):
    """a series shorter than length + horizon gives no window: shapes (0, length, *F) and (0, *F)"""
    x = _series(shape, torch.float64, device, seed=6)
    got = _unpack(learner.sliding_windows(x, 4, 1, 1), f"sliding_windows(series {list(shape)}, 4)")
    expect_close(got, _reference(x, 4), name="(inputs, targets) of a too-short series")


def test_gradient(learner, device):
    """gradients flow back to the series: a step collects the gradient of every window it appears in (float64)"""
    x = _series((11, 2), torch.float64, device, seed=7)
    length, horizon, stride = 3, 2, 2
    ref_in, ref_tg = _reference(x, length, horizon, stride)
    g = torch.Generator().manual_seed(8)
    up_in = torch.randn(ref_in.shape, generator=g, dtype=torch.float64).to(device)
    up_tg = torch.randn(ref_tg.shape, generator=g, dtype=torch.float64).to(device)
    got = learner.run(
        _windows_backward,
        x,
        length,
        horizon,
        stride,
        up_in,
        up_tg,
        label="sliding_windows(series (11, 2), 3, 2, 2) then backward",
    )
    expect(
        got is not None,
        "the windows are not connected to the series: build them by indexing the series "
        "(no .detach(), .tolist() or torch.tensor(...) rebuilding)",
        kind="wrong_gradient",
    )
    leaf = x.clone().requires_grad_(True)
    r_in, r_tg = _reference(leaf, length, horizon, stride)
    ((r_in * up_in).sum() + (r_tg * up_tg).sum()).backward()
    expect_close(got, leaf.grad, name="d loss / d series", kind="wrong_gradient")

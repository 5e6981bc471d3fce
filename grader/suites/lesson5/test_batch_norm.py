"""Hidden suite: lesson5.batch_norm."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _inputs(shape, dtype, device, seed=0, affine=True):
    g = torch.Generator().manual_seed(seed)
    c = shape[1]
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 2.0 + 0.5
    rm = torch.randn(c, generator=g, dtype=torch.float64)
    rv = torch.rand(c, generator=g, dtype=torch.float64) + 0.5
    w = torch.randn(c, generator=g, dtype=torch.float64) if affine else None
    b = torch.randn(c, generator=g, dtype=torch.float64) if affine else None

    def mv(t):
        return None if t is None else t.to(device, dtype)

    return mv(x), mv(rm), mv(rv), mv(w), mv(b)


def _reference(x, rm, rv, w, b, training, momentum=0.1, eps=1e-5):
    rm2, rv2 = rm.clone(), rv.clone()
    y = F.batch_norm(x, rm2, rv2, w, b, training=training, momentum=momentum, eps=eps)
    return y, rm2, rv2


def _unpack(got):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 3,
        "batch_norm should return a tuple (y, new_running_mean, new_running_var)",
        kind="wrong_type",
    )
    return got


def _compare_y(got, ref, what):
    expect_close(_unpack(got)[0], ref[0], name=f"y ({what})")


# ---------------------------------------------------------------- the normalised output


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_training_2d(learner, device, dtype):
    """training on (N, C) normalises each column like BatchNorm1d"""
    args = _inputs((6, 4), dtype, device)
    _compare_y(learner.batch_norm(*args, True), _reference(*args, True), "training, x of shape [6, 4]")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_training_4d(learner, device, dtype):
    """training on (N, C, H, W) normalises each channel like BatchNorm2d"""
    args = _inputs((3, 4, 5, 6), dtype, device, seed=1)
    _compare_y(learner.batch_norm(*args, True), _reference(*args, True), "training, x of shape [3, 4, 5, 6]")


def test_training_3d(learner, device):
    """training on (N, C, L) normalises over the batch and the length"""
    args = _inputs((2, 3, 7), torch.float64, device, seed=2)
    _compare_y(
        learner.batch_norm(*args, True, 0.25, 1e-3),
        _reference(*args, True, 0.25, 1e-3),
        "training, x of shape [2, 3, 7], momentum=0.25, eps=1e-3",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_eval_uses_running_stats(learner, device, dtype):
    """in evaluation, normalises with the running statistics"""
    args = _inputs((3, 4, 2, 5), dtype, device, seed=3)
    _compare_y(learner.batch_norm(*args, False), _reference(*args, False), "evaluation, x of shape [3, 4, 2, 5]")


def test_without_weight_and_bias(learner, device):
    """weight=None and bias=None mean scale 1 and shift 0"""
    args = _inputs((5, 3, 4, 4), torch.float64, device, seed=4, affine=False)
    _compare_y(learner.batch_norm(*args, True), _reference(*args, True), "training, weight=bias=None")
    _compare_y(learner.batch_norm(*args, False), _reference(*args, False), "evaluation, weight=bias=None")


def test_constant_channel_is_finite(learner, device):
    """a channel with zero variance gives finite outputs (eps inside the square root)"""
    x, rm, rv, w, b = _inputs((4, 3, 3, 3), torch.float32, device, seed=5)
    x = x.clone()
    x[:, 1] = 7.0
    _compare_y(
        learner.batch_norm(x, rm, rv, w, b, True), _reference(x, rm, rv, w, b, True), "training, channel 1 constant"
    )


def test_large_offset(learner, device):
    """values far from zero (mean 1e3, std 1) normalise accurately in float32"""
    g = torch.Generator().manual_seed(6)
    x64 = torch.randn(64, 3, generator=g, dtype=torch.float64) + 1000.0
    x = x64.to(device, torch.float32)
    rm = torch.zeros(3, device=device)
    rv = torch.ones(3, device=device)
    got = _unpack(learner.batch_norm(x, rm, rv, None, None, True))
    # Reference in float64 from the very same float32 inputs.
    ref = _reference(x.double(), rm.double(), rv.double(), None, None, True)
    expect_close(got[0], ref[0].float(), name="y for x = 1000 + N(0, 1)", rtol=1e-3, atol=1e-3)


# ---------------------------------------------------------------- the running statistics


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5, 6)], ids=["N,C", "N,C,H,W"])
def test_running_mean_update(learner, device, shape):
    """in training, the new running mean is (1 - momentum) * old + momentum * batch mean"""
    args = _inputs(shape, torch.float64, device, seed=10)
    got = _unpack(learner.batch_norm(*args, True, 0.3))
    ref = _reference(*args, True, 0.3)
    expect_close(got[1], ref[1], name=f"new_running_mean (training, x of shape {list(shape)}, momentum=0.3)")


@pytest.mark.parametrize("shape", [(4, 2), (2, 3, 2, 3)], ids=["N,C", "N,C,H,W"])
def test_running_var_is_unbiased(learner, device, shape):
    """in training, the running variance is updated with the unbiased batch variance"""
    args = _inputs(shape, torch.float64, device, seed=11)
    got = _unpack(learner.batch_norm(*args, True, 0.5))
    ref = _reference(*args, True, 0.5)
    m = shape[0] * (shape[2] * shape[3] if len(shape) == 4 else 1)
    expect_close(
        got[2],
        ref[2],
        name=f"new_running_var (x of shape {list(shape)}, {m} values per channel, momentum=0.5: "
        f"0.5 * old + 0.5 * var * {m} / {m - 1})",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_eval_returns_running_stats(learner, device, dtype):
    """in evaluation, the running statistics come back as they were given"""
    args = _inputs((3, 4, 2, 5), dtype, device, seed=12)
    got = _unpack(learner.batch_norm(*args, False))
    expect_close(got[1], args[1], name="new_running_mean (evaluation: unchanged)")
    expect_close(got[2], args[2], name="new_running_var (evaluation: unchanged)")


def _grads(mod, x, rm, rv, w, b, up):
    x = x.clone().requires_grad_(True)
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    y, _, _ = mod.batch_norm(x, rm, rv, w, b, True)
    (y * up).sum().backward()
    return [x.grad, w.grad, b.grad]


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4, 3)], ids=["N,C", "N,C,H,W"])
def test_gradients(learner, device, shape):
    """gradients with respect to x, weight and bias match autograd (training, float64)"""
    x, rm, rv, w, b = _inputs(shape, torch.float64, device, seed=7)
    up = torch.randn(shape, generator=torch.Generator().manual_seed(8), dtype=torch.float64).to(device)
    got = learner.run(_grads, x, rm, rv, w, b, up, label=f"batch_norm(x of shape {list(shape)}, ...).backward()")
    refs = [t.clone().requires_grad_(True) for t in (x, w, b)]
    (F.batch_norm(refs[0], rm.clone(), rv.clone(), refs[1], refs[2], training=True) * up).sum().backward()
    for name, g, r in zip(["x", "weight", "bias"], got, refs, strict=False):
        expect(
            g is not None,
            f"no gradient reached {name}: keep it in the graph (no .detach(), .data or "
            f"torch.no_grad() around the normalisation)",
            kind="wrong_gradient",
        )
        expect_close(g, r.grad, name=f"d loss / d {name}", kind="wrong_gradient")


def _args_after_call(mod, name, *args):
    # The arguments as the learner's function left them (the worker holds its own copies).
    getattr(mod, name)(*args)
    return list(args)


def test_inputs_unchanged(learner, device):
    """leaves x and the running statistics unmodified"""
    args = _inputs((4, 3), torch.float64, device, seed=9)
    after = learner.run(
        _args_after_call,
        "batch_norm",
        *args,
        True,
        label="batch_norm(x, running_mean, running_var, weight, bias, training=True)",
    )
    for name, b0, a in zip(["x", "running_mean", "running_var", "weight", "bias"], args, after, strict=False):
        expect_unchanged(b0, a, name)


def test_does_not_use_builtin(learner):
    """does not call F.batch_norm, torch.batch_norm or nn.BatchNorm"""
    learner.check_forbidden()

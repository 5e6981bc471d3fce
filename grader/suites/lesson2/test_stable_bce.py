"""Hidden suite: lesson2.stable_bce."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import LearnerProblem, expect, expect_close

DTYPES = [torch.float32, torch.float64]
EXTREME = [-1e4, -800.0, -100.0, -30.0, -1.5, 0.75, 30.0, 100.0, 800.0, 1e4]


def _logits(shape, dtype, device, seed=0, scale=4.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _targets(shape, dtype, device, seed=0, soft=False):
    g = torch.Generator().manual_seed(seed + 100)
    t = torch.rand(shape, generator=g, dtype=torch.float64)
    return (t if soft else (t > 0.5).double()).to(device, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (7,), (2, 3, 4)], ids=["0-d", "1-D", "3-D"])
def test_sigmoid_matches_reference(learner, device, dtype, shape):
    """sigmoid matches torch.sigmoid"""
    x = _logits(shape, dtype, device, seed=len(shape))
    expect_close(learner.sigmoid(x), torch.sigmoid(x), name="sigmoid(x)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sigmoid_extreme(learner, device, dtype):
    """sigmoid is finite and correct from -1e4 to 1e4"""
    x = torch.tensor(EXTREME, dtype=dtype, device=device)
    expect_close(learner.sigmoid(x), torch.sigmoid(x), name="sigmoid at |x| up to 1e4")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("side", ["negative", "positive"])
def test_sigmoid_gradient(learner, device, dtype, side):
    """the gradient of sigmoid matches autograd's out to |x| = 1e4, on each side of 0"""
    # One check per sign: each textbook form of the sigmoid breaks on one side only, and a
    # torch.where over unclamped branches breaks on both.
    values = [v for v in EXTREME if (v < 0) == (side == "negative")]
    x = torch.tensor(sorted(values, key=abs, reverse=True), dtype=dtype, device=device)
    up = _logits((len(values),), dtype, device, seed=3, scale=1.0)
    ref = x.clone().requires_grad_(True)
    torch.sigmoid(ref).backward(up)
    _, (grad,) = learner.backward("sigmoid", x, wrt=(0,), upstream=up)
    expect_close(grad, ref.grad, name=f"d sigmoid / d x at {side} x", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_matches_reference(learner, device, dtype, reduction):
    """bce_with_logits matches F.binary_cross_entropy_with_logits on (2, 3, 4) soft targets"""
    x = _logits((2, 3, 4), dtype, device, seed=4)
    t = _targets((2, 3, 4), dtype, device, seed=4, soft=True)
    got = learner.bce_with_logits(x, t, reduction)
    expect_close(got, F.binary_cross_entropy_with_logits(x, t, reduction=reduction), name=f"the loss ({reduction})")


def test_bce_default_reduction_is_mean(learner, device):
    """without a reduction argument the loss is the mean over all entries"""
    x = _logits((5, 2), torch.float64, device, seed=5)
    t = _targets((5, 2), torch.float64, device, seed=5)
    expect_close(learner.bce_with_logits(x, t), F.binary_cross_entropy_with_logits(x, t), name="the default loss")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_bce_extreme_logits(learner, device, dtype):
    """logits of +-1e4 with hard and soft targets give finite, correct losses"""
    x = torch.tensor(EXTREME * 3, dtype=dtype, device=device)
    t = torch.tensor([0.0] * len(EXTREME) + [1.0] * len(EXTREME) + [0.25] * len(EXTREME), dtype=dtype, device=device)
    got = learner.bce_with_logits(x, t, "none")
    expect_close(got, F.binary_cross_entropy_with_logits(x, t, reduction="none"), name="per-entry losses at |x| <= 1e4")


def test_bce_gradient(learner, device):
    """the gradient with respect to the logits matches autograd's, including at |x| = 1e4"""
    x = torch.cat([torch.tensor(EXTREME, dtype=torch.float64), _logits((6,), torch.float64, "cpu", seed=6)]).to(device)
    t = torch.cat([torch.tensor([0.0, 1.0] * 5, dtype=torch.float64), torch.full((6,), 0.3, dtype=torch.float64)])
    t = t.to(device)
    ref = x.clone().requires_grad_(True)
    F.binary_cross_entropy_with_logits(ref, t).backward()
    _, (grad,) = learner.backward("bce_with_logits", x, t, wrt=(0,))
    expect_close(grad, ref.grad, name="d loss / d logits", kind="wrong_gradient")


@pytest.mark.parametrize("reduction", ["average", "MEAN"])
def test_bce_unknown_reduction(learner, device, reduction):
    """an unknown reduction raises ValueError"""
    x = _logits((3,), torch.float64, device, seed=7)
    t = _targets((3,), torch.float64, device, seed=7)
    try:
        got = learner.bce_with_logits(x, t, reduction)
    except LearnerProblem as exc:
        if exc.kind != "exception":
            raise
        expect(
            "raised ValueError" in exc.message,
            f"reduction={reduction!r} should raise ValueError, but {exc.message}",
            kind="exception",
        )
        return
    expect(
        False,
        f"reduction={reduction!r} should raise ValueError, but bce_with_logits returned {got!r}",
        kind="wrong_values",
    )


def test_inputs_unchanged(learner, device):
    """does not modify the logits or the targets"""
    x = _logits((4, 3), torch.float64, device, seed=8)
    t = _targets((4, 3), torch.float64, device, seed=8, soft=True)
    # Each call itself fails with modified_input if a tensor argument changes.
    learner.bce_with_logits(x, t, "mean")
    learner.sigmoid(x)


def test_does_not_use_builtin(learner):
    """does not call torch.sigmoid, expit, softplus, logsigmoid, logaddexp or the BCE built-ins"""
    learner.check_forbidden()

"""Hidden suite: lesson7.softmax_ce."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]


def _data(n, c, dtype, device, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, c, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    target = torch.randint(0, c, (n,), generator=g).to(device)
    return logits, target


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_log_softmax_matches_reference(learner, device, dtype):
    """log_softmax matches torch's along the last dimension"""
    x, _ = _data(6, 5, dtype, device)
    got = learner.log_softmax(x, -1)  # the call itself fails if x is changed in place
    expect_close(got, torch.log_softmax(x, dim=-1), name="log_softmax(x)")


def test_log_softmax_other_dim(learner, device):
    """log_softmax works along any dimension of a 3-D input"""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 4, 5, generator=g, dtype=torch.float64).to(device)
    expect_close(learner.log_softmax(x, 1), torch.log_softmax(x, dim=1), name="log_softmax(x, dim=1)")
    expect_close(learner.log_softmax(x, 0), torch.log_softmax(x, dim=0), name="log_softmax(x, dim=0)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_matches_reference(learner, device, dtype, reduction):
    """softmax_cross_entropy matches F.cross_entropy"""
    logits, target = _data(16, 7, dtype, device)
    got = learner.softmax_cross_entropy(logits, target, reduction)
    expect_close(got, F.cross_entropy(logits, target, reduction=reduction), name="the loss")


def test_large_logits_are_stable(learner, device):
    """logits of size 1e4 give a finite, correct loss"""
    logits = torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 5e3], [3.0, 1e4, 1e4]], device=device)
    target = torch.tensor([0, 2, 1], device=device)
    got = learner.softmax_cross_entropy(logits, target)
    expect_close(got, F.cross_entropy(logits, target), name="the loss at |logits| = 1e4")
    x = torch.tensor([[-1e4, -1e4 + 1.0, -1e4 + 2.0]], device=device, dtype=torch.float64)
    expect_close(learner.log_softmax(x, -1), torch.log_softmax(x, -1), name="log_softmax at -1e4")


def test_float32_logits_near_100(learner, device):
    """float32 logits around 100, where exp overflows, give a finite, correct loss"""
    logits, target = _data(8, 6, torch.float32, device, seed=5)
    logits = logits + 100.0
    got = learner.softmax_cross_entropy(logits, target)
    expect_close(got, F.cross_entropy(logits, target), name="the loss for logits 100 + 3 * N(0, 1)")


def _far_apart_rows(dtype, device):
    # One row near +1000 and one near -1000: each needs its own shift. A single shift by the
    # largest logit of the whole tensor sends every exp of the low row to 0.
    g = torch.Generator().manual_seed(6)
    base = torch.randn(3, 5, generator=g, dtype=torch.float64) * 2.0
    logits = base + torch.tensor([[1000.0], [-1000.0], [0.0]], dtype=torch.float64)
    return logits.to(device, dtype), torch.tensor([1, 3, 0], device=device)


def test_log_softmax_rows_on_different_scales(learner, device):
    """log_softmax is right for rows that sit far apart (one near +1000, one near -1000)"""
    logits, _ = _far_apart_rows(torch.float64, device)
    expect_close(
        learner.log_softmax(logits, -1),
        torch.log_softmax(logits, dim=-1),
        name="log_softmax of rows around +1000, -1000 and 0",
    )


def test_loss_rows_on_different_scales(learner, device):
    """the loss is right for rows that sit far apart (one near +1000, one near -1000)"""
    logits, target = _far_apart_rows(torch.float32, device)
    expect_close(
        learner.softmax_cross_entropy(logits, target, "sum"),
        F.cross_entropy(logits, target, reduction="sum"),
        name="the summed loss of rows around +1000, -1000 and 0",
    )


def test_batch_of_one_and_many_classes(learner, device):
    """works for a single row and for many classes"""
    logits, target = _data(1, 1000, torch.float64, device, seed=3)
    expect_close(learner.softmax_cross_entropy(logits, target), F.cross_entropy(logits, target), name="the loss")


def test_gradient(learner, device):
    """the gradient with respect to the logits matches autograd's"""
    logits, target = _data(5, 4, torch.float64, device, seed=4)
    ref = logits.clone().requires_grad_(True)
    F.cross_entropy(ref, target).backward()
    out, (grad,) = learner.backward("softmax_cross_entropy", logits, target, wrt=(0,))
    expect_close(grad, ref.grad, name="d loss / d logits", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call F.cross_entropy, log_softmax, nll_loss or logsumexp"""
    learner.check_forbidden()

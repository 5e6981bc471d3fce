"""Hidden suite: lesson10.causal_mask."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _data(batch, L, E, D, dtype, device, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*batch, L, E, generator=g, dtype=torch.float64) * scale
    ws = [torch.randn(E, D, generator=g, dtype=torch.float64) / E**0.5 for _ in range(3)]
    return x.to(device, dtype), [w.to(device, dtype) for w in ws]


def _reference(x, ws):
    q, k, v = (x @ w for w in ws)
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


@pytest.mark.parametrize("L", [1, 4, 7])
def test_mask_values(learner, device, L):
    """causal_mask(L) is True on and below the diagonal, False above"""
    got = learner.causal_mask(L, device)
    expected = torch.tensor([[j <= i for j in range(L)] for i in range(L)], dtype=torch.bool, device=device)
    expect_close(got, expected, name=f"causal_mask({L})")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_attention_matches_reference(learner, device, dtype):
    """causal_attention matches F.scaled_dot_product_attention(is_causal=True)"""
    x, ws = _data((2,), 6, 5, 4, dtype, device)
    got = _call_unchanged(learner, "causal_attention", [x, *ws], ["x", "w_q", "w_k", "w_v"])
    expect_close(got, _reference(x, ws), name="causal_attention(x)")


def test_batch_shapes(learner, device):
    """works on (L, E) inputs and on several batch dimensions"""
    x, ws = _data((), 5, 3, 2, torch.float64, device, seed=1)
    expect_close(learner.causal_attention(x, *ws), _reference(x, ws), name="causal_attention on (L, E)")
    x, ws = _data((2, 3), 4, 3, 2, torch.float64, device, seed=2)
    expect_close(learner.causal_attention(x, *ws), _reference(x, ws), name="causal_attention on (2, 3, L, E)")


def test_first_position_sees_only_itself(learner, device):
    """output 0 is exactly the value of position 0"""
    x, ws = _data((2,), 5, 4, 3, torch.float64, device, seed=3)
    got = learner.causal_attention(x, *ws)
    expect_close(got[:, 0], (x @ ws[2])[:, 0], name="out[:, 0] (equal to V[:, 0])")


@pytest.mark.parametrize("t", [0, 2, 5])
def test_future_does_not_change_past(learner, device, t):
    """changing the inputs after position t leaves outputs 0..t unchanged"""
    L = 7
    x, ws = _data((2,), L, 4, 3, torch.float64, device, seed=4)
    g = torch.Generator().manual_seed(5 + t)
    x2 = x.clone()
    x2[:, t + 1 :] = (torch.randn(2, L - t - 1, 4, generator=g, dtype=torch.float64) * 5).to(device)
    out1 = learner.causal_attention(x, *ws)
    out2 = learner.causal_attention(x2, *ws)
    expect_close(
        out2[:, : t + 1],
        out1[:, : t + 1],
        name=f"outputs 0..{t} after changing inputs {t + 1}..{L - 1}",
        rtol=0.0,
        atol=1e-12,
    )


def test_gradient_to_future_is_zero(learner, device):
    """the gradient of output t with respect to every later input is exactly zero"""
    L, t = 6, 2
    x, ws = _data((1,), L, 4, 3, torch.float64, device, seed=6)
    up = torch.zeros(1, L, 3, dtype=torch.float64, device=device)
    up[:, t] = 1.0
    _, (grad,) = learner.backward("causal_attention", x, *ws, wrt=(0,), upstream=up)
    leak = float(grad[:, t + 1 :].abs().max())
    expect(
        leak == 0.0,
        f"d out[{t}] / d x[{t + 1}:] should be exactly 0 (the future is masked), but its largest entry is {leak:.3g}",
        kind="wrong_gradient",
    )
    expect(
        float(grad[:, : t + 1].abs().max()) > 0.0,
        f"d out[{t}] / d x[:{t + 1}] is all zero: output {t} does not depend on the past",
        kind="wrong_gradient",
    )


def test_gradients_match_autograd(learner, device):
    """gradients w.r.t. x and the three projections match autograd (float64)"""
    x, ws = _data((2,), 5, 4, 3, torch.float64, device, seed=7)
    g = torch.Generator().manual_seed(8)
    up = torch.randn(2, 5, 3, generator=g, dtype=torch.float64).to(device)
    refs = [t.clone().requires_grad_(True) for t in [x] + ws]
    _reference(refs[0], refs[1:]).backward(up)
    _, grads = learner.backward("causal_attention", x, *ws, wrt=(0, 1, 2, 3), upstream=up)
    for grad, ref, n in zip(grads, refs, ["x", "w_q", "w_k", "w_v"], strict=False):
        expect_close(grad, ref.grad, name=f"d out / d {n}", kind="wrong_gradient")


def test_large_scores_are_stable(learner, device):
    """inputs of size 50 (scores in the thousands) give a finite, correct result"""
    x, ws = _data((2,), 5, 4, 3, torch.float64, device, seed=9, scale=50.0)
    expect_close(learner.causal_attention(x, *ws), _reference(x, ws), name="causal_attention at |x| ~ 50")


def test_does_not_use_builtin(learner):
    """does not call F.scaled_dot_product_attention, nn.MultiheadAttention or generate_square_subsequent_mask"""
    learner.check_forbidden()

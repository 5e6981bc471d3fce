"""Hidden suite: lesson10.sdpa."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _qkv(batch, L, S, d, dv, dtype, device, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(*batch, L, d, generator=g, dtype=torch.float64) * scale
    k = torch.randn(*batch, S, d, generator=g, dtype=torch.float64) * scale
    v = torch.randn(*batch, S, dv, generator=g, dtype=torch.float64)
    return q.to(device, dtype), k.to(device, dtype), v.to(device, dtype)


def _mask(L, S, device, seed=1, p=0.6):
    g = torch.Generator().manual_seed(seed)
    m = torch.rand(L, S, generator=g) < p
    m[:, 0] = True  # every row keeps at least one key here; empty rows have their own check
    return m.to(device)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_matches_reference(learner, device, dtype):
    """matches F.scaled_dot_product_attention without a mask"""
    q, k, v = _qkv((2,), 5, 7, 8, 3, dtype, device)
    got = _call_unchanged(learner, "scaled_dot_product_attention", [q, k, v], ["query", "key", "value"])
    expect_close(got, F.scaled_dot_product_attention(q, k, v), name="attention(Q, K, V)")


def test_scale_uses_query_dim(learner, device):
    """scales by 1/sqrt(d) of the query/key dimension, not of the value dimension"""
    q, k, v = _qkv((3,), 4, 6, 16, 2, torch.float64, device, seed=2)
    got = learner.scaled_dot_product_attention(q, k, v)
    expect_close(got, F.scaled_dot_product_attention(q, k, v), name="attention with d=16, d_v=2")


def test_explicit_scale(learner, device):
    """an explicit scale replaces 1/sqrt(d)"""
    q, k, v = _qkv((2,), 4, 5, 6, 3, torch.float64, device, seed=3)
    got = learner.scaled_dot_product_attention(q, k, v, None, False, 0.7)
    expect_close(got, F.scaled_dot_product_attention(q, k, v, scale=0.7), name="attention with scale=0.7")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_boolean_mask(learner, device, dtype):
    """a boolean mask (True = may attend) matches F.scaled_dot_product_attention"""
    q, k, v = _qkv((2, 3), 6, 5, 4, 3, dtype, device, seed=4)
    m = _mask(6, 5, device)
    got = _call_unchanged(learner, "scaled_dot_product_attention", [q, k, v, m], ["query", "key", "value", "attn_mask"])
    expect_close(got, F.scaled_dot_product_attention(q, k, v, attn_mask=m), name="masked attention")


def test_batched_mask(learner, device):
    """a mask with its own batch dimension (one mask per sequence) broadcasts"""
    q, k, v = _qkv((3,), 4, 6, 5, 2, torch.float64, device, seed=5)
    g = torch.Generator().manual_seed(6)
    m = torch.rand(3, 1, 6, generator=g) < 0.5
    m[..., 0] = True
    m = m.to(device)
    got = learner.scaled_dot_product_attention(q, k, v, m)
    expect_close(got, F.scaled_dot_product_attention(q, k, v, attn_mask=m), name="attention, mask (3, 1, 6)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_causal(learner, device, dtype):
    """is_causal=True lets query i see keys 0..i only"""
    q, k, v = _qkv((2,), 6, 6, 4, 5, dtype, device, seed=7)
    got = learner.scaled_dot_product_attention(q, k, v, None, True)
    expect_close(got, F.scaled_dot_product_attention(q, k, v, is_causal=True), name="causal attention")


def test_causal_and_mask(learner, device):
    """is_causal and a mask together: a key must be allowed by both"""
    q, k, v = _qkv((2,), 5, 5, 4, 3, torch.float64, device, seed=8)
    m = _mask(5, 5, device, seed=9)
    allowed = m & torch.ones(5, 5, dtype=torch.bool, device=device).tril()
    got = learner.scaled_dot_product_attention(q, k, v, m, True)
    expect_close(got, F.scaled_dot_product_attention(q, k, v, attn_mask=allowed), name="causal + masked attention")


def test_fully_masked_row_is_zero(learner, device):
    """a query that may attend to no key gives a row of zeros, not NaN"""
    q, k, v = _qkv((2,), 4, 5, 3, 2, torch.float64, device, seed=10)
    m = _mask(4, 5, device, seed=11)
    m[2] = False
    got = learner.scaled_dot_product_attention(q, k, v, m)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=m)
    expected[:, 2] = 0.0
    expect_close(got, expected, name="attention with row 2 fully masked")


def test_fully_masked_row_gradient(learner, device):
    """a fully masked row leaves finite gradients (zero for that query)"""
    q, k, v = _qkv((2,), 4, 5, 3, 2, torch.float64, device, seed=12)
    m = _mask(4, 5, device, seed=13)
    m[1] = False
    refs = [t.clone().requires_grad_(True) for t in (q, k, v)]
    F.scaled_dot_product_attention(*refs, attn_mask=m).sum().backward()
    _, grads = learner.backward("scaled_dot_product_attention", q, k, v, m, wrt=(0, 1, 2))
    for grad, ref, n in zip(grads, refs, ("query", "key", "value"), strict=False):
        expect_close(grad, ref.grad, name=f"d out / d {n}", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_large_scores_are_stable(learner, device, dtype):
    """scores in the thousands give a finite, correct result"""
    q, k, v = _qkv((2,), 4, 5, 8, 3, dtype, device, seed=14, scale=40.0)
    got = learner.scaled_dot_product_attention(q, k, v)
    expect_close(got, F.scaled_dot_product_attention(q, k, v), name="attention with |scores| ~ 1e3")


def test_batch_shapes(learner, device):
    """works without batch dimensions and with several of them"""
    q, k, v = _qkv((), 3, 4, 2, 5, torch.float64, device, seed=15)
    expect_close(
        learner.scaled_dot_product_attention(q, k, v),
        F.scaled_dot_product_attention(q, k, v),
        name="attention on (L, d) inputs",
    )
    q, k, v = _qkv((2, 3, 2), 3, 4, 2, 5, torch.float64, device, seed=16)
    expect_close(
        learner.scaled_dot_product_attention(q, k, v),
        F.scaled_dot_product_attention(q, k, v),
        name="attention on (2, 3, 2, L, d) inputs",
    )


def test_single_key(learner, device):
    """with one key, every query returns that key's value"""
    q, k, v = _qkv((2,), 4, 1, 3, 2, torch.float64, device, seed=17)
    got = learner.scaled_dot_product_attention(q, k, v)
    expect_close(got, v.expand(2, 4, 2).clone(), name="attention over a single key")


@pytest.mark.parametrize("causal", [False, True], ids=["plain", "causal"])
def test_gradient(learner, device, causal):
    """gradients with respect to Q, K and V match autograd's (float64)"""
    q, k, v = _qkv((2,), 4, 4, 3, 2, torch.float64, device, seed=18)
    g = torch.Generator().manual_seed(19)
    up = torch.randn(2, 4, 2, generator=g, dtype=torch.float64).to(device)
    refs = [t.clone().requires_grad_(True) for t in (q, k, v)]
    F.scaled_dot_product_attention(*refs, is_causal=causal).backward(up)
    _, grads = learner.backward("scaled_dot_product_attention", q, k, v, None, causal, wrt=(0, 1, 2), upstream=up)
    for grad, ref, n in zip(grads, refs, ("query", "key", "value"), strict=False):
        expect_close(grad, ref.grad, name=f"d out / d {n}", kind="wrong_gradient")


def test_rows_are_convex_combinations(learner, device):
    """each output row is a weighted average of value rows (weights sum to 1)"""
    q, k, v = _qkv((1,), 5, 6, 4, 6, torch.float64, device, seed=20)
    eye = torch.eye(6, dtype=torch.float64, device=device).unsqueeze(0)
    w = learner.scaled_dot_product_attention(q, k, eye)
    expect_close(
        w.sum(-1),
        torch.ones(1, 5, dtype=torch.float64, device=device),
        name="row sums of the attention weights (V = identity)",
    )


def test_does_not_use_builtin(learner):
    """does not call F.scaled_dot_product_attention or nn.MultiheadAttention"""
    learner.check_forbidden()

"""Hidden suite: lesson10.multihead."""

import pytest
import torch
from torch import nn

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _params(E, dtype, device, seed=0, bias=True):
    g = torch.Generator().manual_seed(seed)
    w_in = torch.randn(3 * E, E, generator=g, dtype=torch.float64) / E**0.5
    b_in = torch.randn(3 * E, generator=g, dtype=torch.float64) * 0.3 if bias else None
    w_out = torch.randn(E, E, generator=g, dtype=torch.float64) / E**0.5
    b_out = torch.randn(E, generator=g, dtype=torch.float64) * 0.3 if bias else None
    return [None if t is None else t.to(device, dtype) for t in (w_in, b_in, w_out, b_out)]


def _x(N, L, E, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(N, L, E, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _module(E, H, params, dtype, device):
    w_in, b_in, w_out, b_out = params
    mha = nn.MultiheadAttention(E, H, batch_first=True, bias=b_in is not None, dtype=dtype, device=device)
    with torch.no_grad():
        mha.in_proj_weight.copy_(w_in)
        mha.out_proj.weight.copy_(w_out)
        if b_in is not None:
            mha.in_proj_bias.copy_(b_in)
            mha.out_proj.bias.copy_(b_out)
    return mha


def _reference(x, H, params, causal=False):
    E = x.shape[-1]
    L = x.shape[1]
    mha = _module(E, H, params, x.dtype, x.device)
    mask = torch.ones(L, L, dtype=torch.bool, device=x.device).triu(1) if causal else None
    with torch.no_grad():
        out, w = mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=True)
    return out, w


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_matches_multihead_attention(learner, device, dtype):
    """matches nn.MultiheadAttention(batch_first=True) with the same weights"""
    E, H = 8, 2
    x = _x(3, 5, E, dtype, device)
    params = _params(E, dtype, device)
    got = _call_unchanged(
        learner,
        "multi_head_self_attention",
        [x, H, *params],
        ["x", "num_heads", "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"],
    )
    expect_close(got, _reference(x, H, params)[0], name="the output (N, L, E)")


@pytest.mark.parametrize("heads", [1, 4, 12])
def test_number_of_heads(learner, device, heads):
    """works for one head, several heads, and one feature per head"""
    E = 12
    x = _x(2, 4, E, torch.float64, device, seed=2)
    params = _params(E, torch.float64, device, seed=3)
    got = learner.multi_head_self_attention(x, heads, *params)
    expect_close(got, _reference(x, heads, params)[0], name=f"the output with {heads} head(s)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_averaged_weights(learner, device, dtype):
    """need_weights=True also returns the head-averaged attention weights (N, L, L)"""
    E, H = 8, 4
    x = _x(2, 6, E, dtype, device, seed=4)
    params = _params(E, dtype, device, seed=5)
    got = learner.multi_head_self_attention(x, H, *params, False, True)
    expect_close(got, _reference(x, H, params), name="(out, weights)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_causal(learner, device, dtype):
    """causal=True matches nn.MultiheadAttention with a causal attn_mask"""
    E, H = 6, 3
    x = _x(2, 5, E, dtype, device, seed=6)
    params = _params(E, dtype, device, seed=7)
    got = learner.multi_head_self_attention(x, H, *params, True, True)
    expect_close(got, _reference(x, H, params, causal=True), name="causal (out, weights)")


def test_without_bias(learner, device):
    """works when the projections have no bias (in_proj_bias=None, out_proj_bias=None)"""
    E, H = 8, 2
    x = _x(2, 3, E, torch.float64, device, seed=8)
    params = _params(E, torch.float64, device, seed=9, bias=False)
    got = learner.multi_head_self_attention(x, H, *params)
    expect_close(got, _reference(x, H, params)[0], name="the output without biases")


def test_single_position_and_sample(learner, device):
    """works for a batch of one sequence of length one"""
    E, H = 4, 2
    x = _x(1, 1, E, torch.float64, device, seed=10)
    params = _params(E, torch.float64, device, seed=11)
    got = learner.multi_head_self_attention(x, H, *params, False, True)
    expect_close(got, _reference(x, H, params), name="(out, weights) for N = L = 1")


def test_large_inputs_are_stable(learner, device):
    """inputs of size 100 (scores in the thousands) give a finite, correct output"""
    E, H = 8, 2
    x = _x(2, 5, E, torch.float64, device, seed=12, scale=100.0)
    params = _params(E, torch.float64, device, seed=13)
    got = learner.multi_head_self_attention(x, H, *params)
    expect_close(got, _reference(x, H, params)[0], name="the output at |x| ~ 100")


def test_gradients(learner, device):
    """gradients w.r.t. x and all four weights match autograd through nn.MultiheadAttention (float64)"""
    E, H = 6, 2
    x = _x(2, 4, E, torch.float64, device, seed=14)
    params = _params(E, torch.float64, device, seed=15)
    g = torch.Generator().manual_seed(16)
    up = torch.randn(2, 4, E, generator=g, dtype=torch.float64).to(device)
    mha = _module(E, H, params, torch.float64, device)
    xr = x.clone().requires_grad_(True)
    mha(xr, xr, xr, need_weights=False)[0].backward(up)
    expected = [
        xr.grad,
        mha.in_proj_weight.grad,
        mha.in_proj_bias.grad,
        mha.out_proj.weight.grad,
        mha.out_proj.bias.grad,
    ]
    _, grads = learner.backward("multi_head_self_attention", x, H, *params, wrt=(0, 2, 3, 4, 5), upstream=up)
    for grad, ref, n in zip(
        grads, expected, ["x", "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"], strict=False
    ):
        expect_close(grad, ref, name=f"d out / d {n}", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call nn.MultiheadAttention, F.multi_head_attention_forward or F.scaled_dot_product_attention"""
    learner.check_forbidden()

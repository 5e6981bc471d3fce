"""Hidden suite: lesson10b.cross_attention."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]
CALL_NAMES = [
    "x",
    "memory",
    "num_heads",
    "in_proj_weight",
    "in_proj_bias",
    "out_proj_weight",
    "out_proj_bias",
    "key_padding_mask",
    "need_weights",
]


def _params(E, dtype, device, seed=0, bias=True):
    g = torch.Generator().manual_seed(seed)
    w_in = torch.randn(3 * E, E, generator=g, dtype=torch.float64) / E**0.5
    b_in = torch.randn(3 * E, generator=g, dtype=torch.float64) * 0.3 if bias else None
    w_out = torch.randn(E, E, generator=g, dtype=torch.float64) / E**0.5
    b_out = torch.randn(E, generator=g, dtype=torch.float64) * 0.3 if bias else None
    return [None if t is None else t.to(device, dtype) for t in (w_in, b_in, w_out, b_out)]


def _seq(N, L, E, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(N, L, E, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _padding(lengths, S, device):
    return (torch.arange(S)[None, :] >= torch.tensor(lengths)[:, None]).to(device)


def _module(E, H, params, device):
    w_in, b_in, w_out, b_out = params
    mha = nn.MultiheadAttention(E, H, batch_first=True, bias=b_in is not None, dtype=torch.float64, device=device)
    with torch.no_grad():
        mha.in_proj_weight.copy_(w_in)
        mha.out_proj.weight.copy_(w_out)
        if b_in is not None:
            mha.in_proj_bias.copy_(b_in)
            mha.out_proj.bias.copy_(b_out)
    return mha


def _reference(x, memory, H, params, mask=None):
    """(out, head-averaged weights) of nn.MultiheadAttention(x, memory, memory), in float64, cast to x's dtype."""
    E = x.shape[-1]
    mha = _module(E, H, [None if p is None else p.double() for p in params], x.device)
    with torch.no_grad():
        out, w = mha(x.double(), memory.double(), memory.double(), key_padding_mask=mask, need_weights=True)
    return out.to(x.dtype), w.to(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_matches_multihead_attention(learner, device, dtype):
    """matches nn.MultiheadAttention(x, memory, memory) with 4 queries over 6 memory positions"""
    x = _seq(3, 4, 8, dtype, device)
    memory = _seq(3, 6, 8, dtype, device, seed=2)
    params = _params(8, dtype, device, seed=3)
    got = learner.call_named("cross_attention", CALL_NAMES, x, memory, 2, *params)
    expect_close(got, _reference(x, memory, 2, params)[0], name="cross_attention(x, memory) (N, L, E)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_averaged_weights(learner, device, dtype):
    """need_weights=True also returns the head-averaged weights, one row per query, one column per memory position"""
    x = _seq(2, 3, 8, dtype, device, seed=4)
    memory = _seq(2, 5, 8, dtype, device, seed=5)
    params = _params(8, dtype, device, seed=6)
    got = learner.cross_attention(x, memory, 4, *params, None, True)
    expect_close(got, _reference(x, memory, 4, params), name="(out, weights (N, L, S))")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_memory_padding_mask(learner, device, dtype):
    """a memory key padding mask (True = padding) matches nn.MultiheadAttention's key_padding_mask"""
    x = _seq(3, 4, 8, dtype, device, seed=7)
    memory = _seq(3, 6, 8, dtype, device, seed=8)
    params = _params(8, dtype, device, seed=9)
    mask = _padding([6, 3, 1], 6, device)
    got = learner.call_named("cross_attention", CALL_NAMES, x, memory, 2, *params, mask)
    expect_close(got, _reference(x, memory, 2, params, mask)[0], name="cross_attention with memory lengths 6, 3, 1")


def test_padded_memory_is_ignored(learner, device):
    """what is stored at padded memory positions does not change the output"""
    x = _seq(2, 4, 8, torch.float64, device, seed=10)
    memory = _seq(2, 5, 8, torch.float64, device, seed=11)
    params = _params(8, torch.float64, device, seed=12)
    mask = _padding([2, 4], 5, device)
    noisy = memory.clone()
    noisy[mask] = _seq(1, 4, 8, torch.float64, device, seed=13, scale=50.0)[0]
    got = learner.cross_attention(x, noisy, 2, *params, mask)
    expect_close(got, _reference(x, memory, 2, params, mask)[0], name="the output when the padding holds large noise")


def test_queries_do_not_interact(learner, device):
    """changing query 1 changes output row 1 and no other"""
    x = _seq(2, 4, 8, torch.float64, device, seed=14)
    memory = _seq(2, 5, 8, torch.float64, device, seed=15)
    params = _params(8, torch.float64, device, seed=16)
    x2 = x.clone()
    x2[:, 1] = _seq(1, 2, 8, torch.float64, device, seed=17, scale=3.0)[0]
    got = learner.cross_attention(x2, memory, 2, *params)
    expect(isinstance(got, torch.Tensor), "cross_attention should return a tensor", kind="wrong_type")
    ref = _reference(x, memory, 2, params)[0]
    keep = [0, 2, 3]
    expect_close(got[:, keep], ref[:, keep], name="outputs of queries 0, 2, 3 after changing query 1")


@pytest.mark.parametrize("lengths", [(1, 5), (5, 1), (1, 1)], ids=["L=1", "S=1", "L=S=1"])
def test_lengths(learner, device, lengths):
    """works for one query, for one memory position, and for both"""
    L, S = lengths
    x = _seq(2, L, 6, torch.float64, device, seed=18)
    memory = _seq(2, S, 6, torch.float64, device, seed=19)
    params = _params(6, torch.float64, device, seed=20)
    got = learner.cross_attention(x, memory, 3, *params, None, True)
    expect_close(got, _reference(x, memory, 3, params), name=f"(out, weights) for L = {L}, S = {S}")


@pytest.mark.parametrize("heads", [1, 8])
def test_number_of_heads(learner, device, heads):
    """works with one head and with one feature per head"""
    x = _seq(2, 3, 8, torch.float64, device, seed=21)
    memory = _seq(2, 4, 8, torch.float64, device, seed=22)
    params = _params(8, torch.float64, device, seed=23)
    got = learner.cross_attention(x, memory, heads, *params)
    expect_close(got, _reference(x, memory, heads, params)[0], name=f"the output with {heads} head(s)")


def test_without_bias(learner, device):
    """works when the projections have no bias (in_proj_bias=None, out_proj_bias=None)"""
    x = _seq(2, 3, 8, torch.float64, device, seed=24)
    memory = _seq(2, 5, 8, torch.float64, device, seed=25)
    params = _params(8, torch.float64, device, seed=26, bias=False)
    got = learner.cross_attention(x, memory, 2, *params)
    expect_close(got, _reference(x, memory, 2, params)[0], name="the output without biases")


def test_large_inputs_are_stable(learner, device):
    """inputs of size 100 (scores in the thousands) give a finite, correct output"""
    x = _seq(2, 3, 8, torch.float64, device, seed=27, scale=100.0)
    memory = _seq(2, 5, 8, torch.float64, device, seed=28, scale=100.0)
    params = _params(8, torch.float64, device, seed=29)
    got = learner.cross_attention(x, memory, 2, *params)
    expect_close(got, _reference(x, memory, 2, params)[0], name="the output at |x|, |memory| ~ 100")


def test_gradients(learner, device):
    """gradients with respect to x, memory and all four weights match nn.MultiheadAttention's (float64)"""
    x = _seq(2, 3, 6, torch.float64, device, seed=30)
    memory = _seq(2, 4, 6, torch.float64, device, seed=31)
    params = _params(6, torch.float64, device, seed=32)
    up = _seq(2, 3, 6, torch.float64, device, seed=33)
    mha = _module(6, 2, params, device)
    xr, mr = x.clone().requires_grad_(True), memory.clone().requires_grad_(True)
    mha(xr, mr, mr, need_weights=False)[0].backward(up)
    refs = [xr.grad, mr.grad, mha.in_proj_weight.grad, mha.in_proj_bias.grad, mha.out_proj.weight.grad]
    refs.append(mha.out_proj.bias.grad)
    _, grads = learner.backward("cross_attention", x, memory, 2, *params, wrt=(0, 1, 3, 4, 5, 6), upstream=up)
    names = ["x", "memory", "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"]
    for name, got, ref in zip(names, grads, refs, strict=False):
        expect_close(got, ref, name=f"d out / d {name}", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call nn.MultiheadAttention, F.multi_head_attention_forward or F.scaled_dot_product_attention"""
    learner.check_forbidden()

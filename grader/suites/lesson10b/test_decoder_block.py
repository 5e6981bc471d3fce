"""Hidden suite: lesson10b.decoder_block."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]
NORMS = [False, True]
NORM_IDS = ["post-LN", "pre-LN"]
CALL_NAMES = ["x", "memory", "params", "num_heads", "norm_first", "tgt_key_padding_mask", "memory_key_padding_mask"]


def _layer(E, H, d_ff, norm_first, device, seed=0):
    """An nn.TransformerDecoderLayer in float64 with seeded weights (LayerNorm gains away from 1)."""
    layer = nn.TransformerDecoderLayer(
        E, H, d_ff, dropout=0.0, batch_first=True, norm_first=norm_first, dtype=torch.float64, device=device
    )
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in layer.named_parameters():
            r = torch.randn(p.shape, generator=g, dtype=torch.float64)
            if name.startswith("norm") and name.endswith("weight"):
                value = 1.0 + 0.3 * r
            elif name.endswith("bias"):
                value = 0.3 * r
            else:
                value = r / p.shape[-1] ** 0.5
            p.copy_(value.to(device))
    layer.train()  # dropout is 0: training mode only keeps PyTorch on its plain path
    return layer


def _params(layer, dtype):
    return {k: v.detach().clone().to(dtype) for k, v in layer.state_dict().items()}


def _seq(N, L, E, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(N, L, E, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _padding(lengths, L, device):
    return (torch.arange(L)[None, :] >= torch.tensor(lengths)[:, None]).to(device)


def _causal(L, device):
    return torch.ones(L, L, dtype=torch.bool, device=device).triu(1)  # True = not allowed


def _reference(layer, x, memory, tgt_pad=None, mem_pad=None):
    """The layer's output with a causal target mask, computed in float64 and cast to x's dtype."""
    with torch.no_grad():
        out = layer(
            x.double(),
            memory.double(),
            tgt_mask=_causal(x.shape[1], x.device),
            tgt_key_padding_mask=tgt_pad,
            memory_key_padding_mask=mem_pad,
        )
    return out.to(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_post_ln(learner, device, dtype):
    """norm_first=False matches nn.TransformerDecoderLayer with a causal target mask (post-LN)"""
    layer = _layer(8, 2, 16, False, device)
    x, memory = _seq(3, 5, 8, dtype, device), _seq(3, 7, 8, dtype, device, seed=2)
    got = learner.call_named("decoder_block", CALL_NAMES, x, memory, _params(layer, dtype), 2, False)
    expect_close(got, _reference(layer, x, memory), name="post-LN decoder_block(x, memory)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_pre_ln(learner, device, dtype):
    """norm_first=True matches nn.TransformerDecoderLayer(norm_first=True) with a causal target mask"""
    layer = _layer(8, 2, 16, True, device, seed=3)
    x, memory = _seq(3, 5, 8, dtype, device, seed=4), _seq(3, 7, 8, dtype, device, seed=5)
    got = learner.call_named("decoder_block", CALL_NAMES, x, memory, _params(layer, dtype), 2, True)
    expect_close(got, _reference(layer, x, memory), name="pre-LN decoder_block(x, memory)")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_causal(learner, device, norm_first):
    """changing the target after position 2 leaves outputs 0..2 unchanged"""
    layer = _layer(8, 2, 12, norm_first, device, seed=6)
    x, memory = _seq(2, 6, 8, torch.float64, device, seed=7), _seq(2, 4, 8, torch.float64, device, seed=8)
    changed = x.clone()
    changed[:, 3:] = _seq(2, 3, 8, torch.float64, device, seed=9, scale=5.0)
    got = learner.decoder_block(changed, memory, _params(layer, torch.float64), 2, norm_first)
    expect(isinstance(got, torch.Tensor), "decoder_block should return a tensor", kind="wrong_type")
    ref = _reference(layer, x, memory)
    expect_close(got[:, :3], ref[:, :3], name="outputs 0..2 after changing target positions 3..5")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_target_padding_mask(learner, device, norm_first):
    """a target key padding mask (True = padding) matches tgt_key_padding_mask"""
    layer = _layer(8, 2, 12, norm_first, device, seed=10)
    x, memory = _seq(3, 5, 8, torch.float64, device, seed=11), _seq(3, 4, 8, torch.float64, device, seed=12)
    pad = _padding([5, 3, 1], 5, device)
    got = learner.call_named("decoder_block", CALL_NAMES, x, memory, _params(layer, torch.float64), 2, norm_first, pad)
    expect_close(got, _reference(layer, x, memory, tgt_pad=pad), name="decoder_block with target lengths 5, 3, 1")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_memory_padding_mask(learner, device, norm_first):
    """a memory key padding mask (True = padding) matches memory_key_padding_mask"""
    layer = _layer(8, 2, 12, norm_first, device, seed=13)
    x, memory = _seq(3, 4, 8, torch.float64, device, seed=14), _seq(3, 6, 8, torch.float64, device, seed=15)
    pad = _padding([6, 2, 1], 6, device)
    got = learner.decoder_block(x, memory, _params(layer, torch.float64), 2, norm_first, None, pad)
    expect_close(got, _reference(layer, x, memory, mem_pad=pad), name="decoder_block with memory lengths 6, 2, 1")


def test_padded_memory_is_ignored(learner, device):
    """what is stored at padded memory positions does not change the output"""
    layer = _layer(8, 2, 12, True, device, seed=16)
    x, memory = _seq(2, 4, 8, torch.float64, device, seed=17), _seq(2, 5, 8, torch.float64, device, seed=18)
    pad = _padding([3, 1], 5, device)
    noisy = memory.clone()
    noisy[pad] = _seq(1, 6, 8, torch.float64, device, seed=19, scale=50.0)[0]
    got = learner.decoder_block(x, noisy, _params(layer, torch.float64), 2, True, None, pad)
    expect_close(got, _reference(layer, x, memory, mem_pad=pad), name="the output when the memory padding holds noise")


@pytest.mark.parametrize("lengths", [(1, 6), (6, 1), (1, 1)], ids=["L=1", "S=1", "L=S=1"])
def test_lengths(learner, device, lengths):
    """works for a target of length one, a memory of length one, and both"""
    L, S = lengths
    layer = _layer(6, 3, 8, False, device, seed=20)
    x, memory = _seq(2, L, 6, torch.float64, device, seed=21), _seq(2, S, 6, torch.float64, device, seed=22)
    got = learner.decoder_block(x, memory, _params(layer, torch.float64), 3, False)
    expect_close(got, _reference(layer, x, memory), name=f"decoder_block for L = {L}, S = {S}")


def test_single_sequence(learner, device):
    """works for a batch of one"""
    layer = _layer(8, 4, 8, True, device, seed=23)
    x, memory = _seq(1, 3, 8, torch.float64, device, seed=24), _seq(1, 2, 8, torch.float64, device, seed=25)
    got = learner.decoder_block(x, memory, _params(layer, torch.float64), 4, True)
    expect_close(got, _reference(layer, x, memory), name="decoder_block for N = 1")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_sublayers_switched_off(learner, device, norm_first):
    """with zero output weights in all three sublayers, pre-LN returns x and post-LN returns LN3(LN2(LN1(x)))"""
    layer = _layer(6, 2, 8, norm_first, device, seed=26)
    with torch.no_grad():
        for prefix in ("self_attn.out_proj", "multihead_attn.out_proj", "linear2"):
            layer.get_parameter(prefix + ".weight").zero_()
            layer.get_parameter(prefix + ".bias").zero_()
    x, memory = _seq(2, 4, 6, torch.float64, device, seed=27, scale=3.0), _seq(2, 3, 6, torch.float64, device, seed=28)
    got = learner.decoder_block(x, memory, _params(layer, torch.float64), 2, norm_first)
    what = "x itself (pre-LN)" if norm_first else "LN3(LN2(LN1(x))) (post-LN)"
    expect_close(
        got, _reference(layer, x, memory), name=f"the output with every sublayer switched off, expected {what}"
    )


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_large_inputs_are_stable(learner, device, norm_first):
    """inputs of size 100 (attention scores in the thousands) give a finite, correct output"""
    layer = _layer(8, 2, 12, norm_first, device, seed=29)
    x = _seq(2, 4, 8, torch.float64, device, seed=30, scale=100.0)
    memory = _seq(2, 5, 8, torch.float64, device, seed=31, scale=100.0)
    got = learner.decoder_block(x, memory, _params(layer, torch.float64), 2, norm_first)
    expect_close(got, _reference(layer, x, memory), name="decoder_block at |x|, |memory| ~ 100")


def _block_backward(mod, x, memory, params, num_heads, norm_first, up):
    """Back-propagate ``up`` through the learner's decoder_block; return the gradients of every input."""
    x = x.clone().requires_grad_(True)
    memory = memory.clone().requires_grad_(True)
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    mod.decoder_block(x, memory, leaves, num_heads, norm_first).backward(up)
    return {"x": x.grad, "memory": memory.grad, **{k: v.grad for k, v in leaves.items()}}


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_gradients(learner, device, norm_first):
    """gradients with respect to x, memory and all eighteen parameters match nn.TransformerDecoderLayer's"""
    layer = _layer(6, 2, 8, norm_first, device, seed=32)
    x, memory = _seq(2, 4, 6, torch.float64, device, seed=33), _seq(2, 3, 6, torch.float64, device, seed=34)
    up = _seq(2, 4, 6, torch.float64, device, seed=35)
    got = learner.run(
        _block_backward,
        x,
        memory,
        _params(layer, torch.float64),
        2,
        norm_first,
        up,
        label="decoder_block(x, memory, ...).backward(upstream)",
    )
    xr, mr = x.clone().requires_grad_(True), memory.clone().requires_grad_(True)
    layer(xr, mr, tgt_mask=_causal(4, device)).backward(up)
    refs = {"x": xr.grad, "memory": mr.grad, **{k: p.grad for k, p in layer.named_parameters()}}
    for name, ref in refs.items():
        g = got.get(name) if isinstance(got, dict) else None
        expect(
            g is not None, f"no gradient reached {name}: keep every step in the autograd graph", kind="wrong_gradient"
        )
        expect_close(g, ref, name=f"d loss / d {name}", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call nn.TransformerDecoderLayer, nn.MultiheadAttention or F.scaled_dot_product_attention"""
    learner.check_forbidden()

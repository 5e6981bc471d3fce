"""Hidden suite: lesson10b.encoder_block."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]
NORMS = [False, True]
NORM_IDS = ["post-LN", "pre-LN"]
CALL_NAMES = ["x", "params", "num_heads", "norm_first", "key_padding_mask", "activation"]


def _layer(E, H, d_ff, norm_first, device, seed=0, activation="relu"):
    """An nn.TransformerEncoderLayer in float64 with seeded weights (LayerNorm gains away from 1)."""
    layer = nn.TransformerEncoderLayer(
        E,
        H,
        d_ff,
        dropout=0.0,
        activation=activation,
        batch_first=True,
        norm_first=norm_first,
        dtype=torch.float64,
        device=device,
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
    # Training mode keeps PyTorch on its plain (non-fused) path; dropout is 0, so nothing is random.
    layer.train()
    return layer


def _params(layer, dtype):
    return {k: v.detach().clone().to(dtype) for k, v in layer.state_dict().items()}


def _x(N, L, E, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(N, L, E, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _padding(lengths, L, device):
    return (torch.arange(L)[None, :] >= torch.tensor(lengths)[:, None]).to(device)


def _reference(layer, x, mask=None):
    """The layer's output computed in float64, cast to x's dtype."""
    with torch.no_grad():
        return layer(x.double(), src_key_padding_mask=mask).to(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_post_ln(learner, device, dtype):
    """norm_first=False matches nn.TransformerEncoderLayer (post-LN)"""
    layer = _layer(8, 2, 16, False, device)
    x = _x(3, 5, 8, dtype, device)
    got = learner.call_named("encoder_block", CALL_NAMES, x, _params(layer, dtype), 2, False)
    expect_close(got, _reference(layer, x), name="post-LN encoder_block(x)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_pre_ln(learner, device, dtype):
    """norm_first=True matches nn.TransformerEncoderLayer(norm_first=True) (pre-LN)"""
    layer = _layer(8, 2, 16, True, device, seed=2)
    x = _x(3, 5, 8, dtype, device, seed=3)
    got = learner.call_named("encoder_block", CALL_NAMES, x, _params(layer, dtype), 2, True)
    expect_close(got, _reference(layer, x), name="pre-LN encoder_block(x)")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_key_padding_mask(learner, device, norm_first):
    """a key padding mask (True = padding) matches src_key_padding_mask"""
    layer = _layer(8, 2, 12, norm_first, device, seed=4)
    x = _x(3, 6, 8, torch.float64, device, seed=5)
    mask = _padding([6, 4, 1], 6, device)
    got = learner.call_named("encoder_block", CALL_NAMES, x, _params(layer, torch.float64), 2, norm_first, mask)
    expect_close(got, _reference(layer, x, mask), name="encoder_block(x) with sequence lengths 6, 4, 1")


def test_padding_content_is_ignored(learner, device):
    """what is stored at padded positions does not change the outputs at real positions"""
    layer = _layer(8, 2, 12, False, device, seed=6)
    x = _x(2, 5, 8, torch.float64, device, seed=7)
    mask = _padding([3, 2], 5, device)
    noisy = x.clone()
    noisy[mask] = _x(1, 5, 8, torch.float64, device, seed=8, scale=50.0)[0, : int(mask.sum())]
    got = learner.encoder_block(noisy, _params(layer, torch.float64), 2, False, mask)
    expect(isinstance(got, torch.Tensor), "encoder_block should return a tensor", kind="wrong_type")
    ref = _reference(layer, x, mask)
    real = ~mask
    expect_close(got[real], ref[real], name="outputs at the real positions when the padding holds large noise")


def test_gelu(learner, device):
    """activation='gelu' uses the exact GELU in the feed-forward sublayer"""
    layer = _layer(8, 4, 16, True, device, seed=9, activation="gelu")
    x = _x(2, 4, 8, torch.float64, device, seed=10, scale=2.0)
    got = learner.encoder_block(x, _params(layer, torch.float64), 4, True, None, "gelu")
    expect_close(got, _reference(layer, x), name="encoder_block(x, activation='gelu')")


@pytest.mark.parametrize("heads", [1, 8])
def test_number_of_heads(learner, device, heads):
    """works with one head and with one feature per head"""
    layer = _layer(8, heads, 8, False, device, seed=11 + heads)
    x = _x(2, 4, 8, torch.float64, device, seed=12)
    got = learner.encoder_block(x, _params(layer, torch.float64), heads, False)
    expect_close(got, _reference(layer, x), name=f"encoder_block(x) with {heads} head(s)")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_single_token(learner, device, norm_first):
    """works for a batch of one sequence of length one"""
    layer = _layer(4, 2, 8, norm_first, device, seed=13)
    x = _x(1, 1, 4, torch.float64, device, seed=14)
    got = learner.encoder_block(x, _params(layer, torch.float64), 2, norm_first)
    expect_close(got, _reference(layer, x), name="encoder_block on x of shape (1, 1, 4)")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_sublayers_switched_off(learner, device, norm_first):
    """with zero output weights in both sublayers, pre-LN returns x and post-LN returns LN2(LN1(x))"""
    layer = _layer(6, 2, 8, norm_first, device, seed=15)
    with torch.no_grad():
        for name in ["self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear2.weight", "linear2.bias"]:
            layer.get_parameter(name).zero_()
    x = _x(2, 4, 6, torch.float64, device, seed=16, scale=3.0)
    got = learner.encoder_block(x, _params(layer, torch.float64), 2, norm_first)
    what = "x itself (pre-LN)" if norm_first else "LN2(LN1(x)) (post-LN)"
    expect_close(got, _reference(layer, x), name=f"the output with both sublayers switched off, expected {what}")


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_large_inputs_are_stable(learner, device, norm_first):
    """inputs of size 100 (attention scores in the thousands) give a finite, correct output"""
    layer = _layer(8, 2, 12, norm_first, device, seed=17)
    x = _x(2, 5, 8, torch.float64, device, seed=18, scale=100.0)
    got = learner.encoder_block(x, _params(layer, torch.float64), 2, norm_first)
    expect_close(got, _reference(layer, x), name="encoder_block(x) at |x| ~ 100")


def _block_backward(mod, x, params, num_heads, norm_first, up):
    """Back-propagate ``up`` through the learner's encoder_block; return the gradients of x and every parameter."""
    x = x.clone().requires_grad_(True)
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    mod.encoder_block(x, leaves, num_heads, norm_first).backward(up)
    return {"x": x.grad, **{k: v.grad for k, v in leaves.items()}}


@pytest.mark.parametrize("norm_first", NORMS, ids=NORM_IDS)
def test_gradients(learner, device, norm_first):
    """gradients with respect to x and all twelve parameters match nn.TransformerEncoderLayer's (float64)"""
    layer = _layer(6, 2, 8, norm_first, device, seed=19)
    x = _x(2, 4, 6, torch.float64, device, seed=20)
    up = _x(2, 4, 6, torch.float64, device, seed=21)
    params = _params(layer, torch.float64)
    got = learner.run(_block_backward, x, params, 2, norm_first, up, label="encoder_block(x, ...).backward(upstream)")
    xr = x.clone().requires_grad_(True)
    layer(xr).backward(up)
    refs = {"x": xr.grad, **{k: p.grad for k, p in layer.named_parameters()}}
    for name, ref in refs.items():
        g = got.get(name) if isinstance(got, dict) else None
        expect(
            g is not None, f"no gradient reached {name}: keep every step in the autograd graph", kind="wrong_gradient"
        )
        expect_close(g, ref, name=f"d loss / d {name}", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call nn.TransformerEncoderLayer, nn.MultiheadAttention or F.scaled_dot_product_attention"""
    learner.check_forbidden()

"""Hidden suite: lesson10b.position_wise_ffn."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]
NAMES = ["x", "w1", "b1", "w2", "b2", "activation"]


def _weights(d_model, d_ff, d_out, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    w1 = torch.randn(d_ff, d_model, generator=g, dtype=torch.float64) / d_model**0.5
    b1 = torch.randn(d_ff, generator=g, dtype=torch.float64) * 0.5
    w2 = torch.randn(d_out, d_ff, generator=g, dtype=torch.float64) / d_ff**0.5
    b2 = torch.randn(d_out, generator=g, dtype=torch.float64) * 0.5
    return [w.to(device, dtype) for w in (w1, b1, w2, b2)]


def _x(shape, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _module(w1, b1, w2, b2, activation):
    """Two nn.Linear layers with the activation between them, holding the given weights (float64)."""
    act = nn.GELU() if activation == "gelu" else nn.ReLU()
    first = nn.Linear(w1.shape[1], w1.shape[0], dtype=torch.float64, device=w1.device)
    second = nn.Linear(w2.shape[1], w2.shape[0], dtype=torch.float64, device=w1.device)
    with torch.no_grad():
        first.weight.copy_(w1)
        first.bias.copy_(b1)
        second.weight.copy_(w2)
        second.bias.copy_(b2)
    return nn.Sequential(first, act, second)


def _reference(x, w1, b1, w2, b2, activation="relu"):
    with torch.no_grad():
        return _module(w1, b1, w2, b2, activation)(x.double()).to(x.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_matches_linear_relu_linear(learner, device, dtype):
    """matches nn.Linear, nn.ReLU, nn.Linear applied to (N, L, d_model)"""
    x = _x((2, 5, 6), dtype, device)
    ws = _weights(6, 12, 6, dtype, device)
    got = learner.call_named("position_wise_ffn", NAMES, x, *ws, "relu")
    expect_close(got, _reference(x, *ws), name="position_wise_ffn(x, ..., 'relu')")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_exact_gelu(learner, device, dtype):
    """activation='gelu' uses the exact GELU of nn.GELU(), not the tanh approximation"""
    x = _x((2, 4, 6), dtype, device, seed=2, scale=2.0)
    ws = _weights(6, 16, 5, dtype, device, seed=3)
    got = learner.position_wise_ffn(x, *ws, "gelu")
    expect_close(got, _reference(x, *ws, "gelu"), name="position_wise_ffn(x, ..., 'gelu')")


@pytest.mark.parametrize("L", [1, 3, 17])
def test_any_sequence_length(learner, device, L):
    """the same weights serve sequences of length 1, 3 and 17"""
    ws = _weights(4, 8, 4, torch.float64, device, seed=4)
    x = _x((2, L, 4), torch.float64, device, seed=5 + L)
    got = learner.position_wise_ffn(x, *ws)
    expect_close(got, _reference(x, *ws), name=f"position_wise_ffn on a sequence of length {L}")


def test_positions_do_not_mix(learner, device):
    """changing the vector at position 2 changes output position 2 and no other"""
    ws = _weights(4, 8, 3, torch.float64, device, seed=20)
    x = _x((2, 5, 4), torch.float64, device, seed=21)
    x2 = x.clone()
    x2[:, 2] = _x((2, 4), torch.float64, device, seed=22, scale=3.0)
    before = learner.position_wise_ffn(x, *ws)
    after = learner.position_wise_ffn(x2, *ws)
    keep = [0, 1, 3, 4]
    expect_close(after[:, keep], before[:, keep], name="outputs at positions 0, 1, 3, 4 after changing position 2")
    expect_close(after[:, 2], _reference(x2, *ws)[:, 2], name="output at the changed position 2")


def test_permuting_positions_permutes_outputs(learner, device):
    """shuffling the positions of x shuffles the outputs the same way"""
    ws = _weights(4, 8, 4, torch.float64, device, seed=23)
    x = _x((2, 6, 4), torch.float64, device, seed=24)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    out = learner.position_wise_ffn(x, *ws)
    shuffled = learner.position_wise_ffn(x[:, perm.to(device)], *ws)
    expect(isinstance(out, torch.Tensor), "position_wise_ffn should return a tensor", kind="wrong_type")
    expect_close(shuffled, out[:, perm.to(out.device)], name="ffn(x[:, perm]) compared with ffn(x)[:, perm]")


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 5, 4), (1, 1, 4)], ids=["unbatched", "two-batch-dims", "N=L=1"])
def test_batch_shapes(learner, device, shape):
    """works on (L, d), on several batch dimensions and on a single position of a single sequence"""
    ws = _weights(4, 6, 3, torch.float64, device, seed=25)
    x = _x(shape, torch.float64, device, seed=26)
    got = learner.position_wise_ffn(x, *ws, "gelu")
    expect_close(got, _reference(x, *ws, "gelu"), name=f"position_wise_ffn on x of shape {list(shape)}")


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_gradients(learner, device, activation):
    """gradients with respect to x and all four weights match nn.Linear's (float64)"""
    ws = _weights(4, 7, 3, torch.float64, device, seed=27)
    x = _x((2, 5, 4), torch.float64, device, seed=28)
    up = _x((2, 5, 3), torch.float64, device, seed=29)
    m = _module(*ws, activation)
    xr = x.clone().requires_grad_(True)
    m(xr).backward(up)
    refs = [xr.grad, m[0].weight.grad, m[0].bias.grad, m[2].weight.grad, m[2].bias.grad]
    _, grads = learner.backward("position_wise_ffn", x, *ws, activation, wrt=(0, 1, 2, 3, 4), upstream=up)
    for name, got, ref in zip(NAMES, grads, refs, strict=False):
        expect_close(got, ref, name=f"d loss / d {name}", kind="wrong_gradient")


# ---------------------------------------------------------------- per_position_as_dense


def _dense_reference(w, b, L):
    W = torch.zeros(L * w.shape[0], L * w.shape[1], dtype=w.dtype, device=w.device)
    for i in range(L):
        W[i * w.shape[0] : (i + 1) * w.shape[0], i * w.shape[1] : (i + 1) * w.shape[1]] = w
    return W, torch.cat([b] * L)


def _unpack(got, what):
    expect(isinstance(got, (tuple, list)) and len(got) == 2, f"{what} should return a tuple (W, B)", kind="wrong_type")
    return got


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_dense_weight_and_bias(learner, device, dtype):
    """per_position_as_dense(w, b, 3) is block diagonal with w on every diagonal block, b repeated"""
    w1, b1, _, _ = _weights(4, 2, 1, dtype, device, seed=30)
    got = _unpack(
        learner.call_named("per_position_as_dense", ["w", "b", "seq_len"], w1, b1, 3), "per_position_as_dense"
    )
    W, B = _dense_reference(w1, b1, 3)
    expect_close(got[0], W, name="W (6, 12)")
    expect_close(got[1], B, name="B (6,)")


def test_dense_layer_equals_per_position(learner, device):
    """the dense layer on the flattened sequence gives the per-position outputs"""
    w1, b1, _, _ = _weights(3, 5, 1, torch.float64, device, seed=31)
    L = 4
    x = _x((2, L, 3), torch.float64, device, seed=32)
    W, B = _unpack(learner.per_position_as_dense(w1, b1, L), "per_position_as_dense")
    expect(
        isinstance(W, torch.Tensor) and tuple(W.shape) == (L * 5, L * 3),
        f"W should have shape {[L * 5, L * 3]}, got {list(W.shape) if isinstance(W, torch.Tensor) else W!r}",
        kind="wrong_shape",
    )
    dense = (x.reshape(2, L * 3) @ W.T + B).reshape(2, L, 5)
    expect_close(dense, x @ w1.T + b1, name="(x.reshape(N, L * d_in) @ W.T + B).reshape(N, L, d_out)")


def test_dense_for_one_position(learner, device):
    """for seq_len = 1 the dense layer is (w, b) itself"""
    w1, b1, _, _ = _weights(3, 2, 1, torch.float64, device, seed=33)
    got = _unpack(learner.per_position_as_dense(w1, b1, 1), "per_position_as_dense(w, b, 1)")
    expect_close(got[0], w1.clone(), name="W for seq_len = 1")
    expect_close(got[1], b1.clone(), name="B for seq_len = 1")


def _dense_backward(mod, w, b, seq_len, up_w, up_b):
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    W, B = mod.per_position_as_dense(w, b, seq_len)
    ((W * up_w).sum() + (B * up_b).sum()).backward()
    return [w.grad, b.grad]


def test_dense_gradients(learner, device):
    """gradients reach w and b: each sums the upstream gradients of its L copies (float64)"""
    w1, b1, _, _ = _weights(3, 2, 1, torch.float64, device, seed=34)
    L = 3
    up_w = _x((L * 2, L * 3), torch.float64, device, seed=35)
    up_b = _x((L * 2,), torch.float64, device, seed=36)
    got = learner.run(_dense_backward, w1, b1, L, up_w, up_b, label="per_position_as_dense(w, b, 3), then backward")
    ref_w = sum(up_w[i * 2 : (i + 1) * 2, i * 3 : (i + 1) * 3] for i in range(L))
    ref_b = up_b.reshape(L, 2).sum(0)
    for name, g, ref in zip(["w", "b"], got, [ref_w, ref_b], strict=True):
        expect(g is not None, f"no gradient reached {name}: keep W and B connected to the graph", kind="wrong_gradient")
        expect_close(g, ref, name=f"d loss / d {name}", kind="wrong_gradient")

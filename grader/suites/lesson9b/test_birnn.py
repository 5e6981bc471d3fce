"""Hidden suite: lesson9b.birnn."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
NAMES = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
NAMES += [n + "_reverse" for n in NAMES]


def _weights(d, h, dtype, device, seed=0, scale=0.6):
    g = torch.Generator().manual_seed(seed)
    shapes = [(h, d), (h, h), (h,), (h,)] * 2
    return {
        n: (torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for n, s in zip(NAMES, shapes)
    }


def _data(t, n, d, h, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(t, n, d, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    h0 = (torch.randn(2, n, h, generator=g, dtype=torch.float64) * 0.5).to(device, dtype)
    return x, h0


def _module(w, device):
    h, d = w["weight_ih_l0"].shape
    m = nn.RNN(d, h, bidirectional=True).to(device, torch.float64)
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(w[name])
    return m


def _forward(m, x, h0, lengths):
    if lengths is None:
        return m(x, h0)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), enforce_sorted=False)
    out, h_n = m(packed, h0)
    out, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])
    return out, h_n


def _ref(w, x, h0=None, lengths=None):
    """nn.RNN(bidirectional=True) in float64 (packed when lengths are given), cast to x's dtype."""
    m = _module(w, x.device)
    with torch.no_grad():
        out, h_n = _forward(m, x.double(), None if h0 is None else h0.double(), lengths)
    return out.to(x.dtype), h_n.to(x.dtype)


def _unpack(got, what):
    expect(isinstance(got, (tuple, list)) and len(got) == 2, f"{what} should return (out, h_n)", kind="wrong_type")
    return got


def _check(got, ref, h, what):
    out, h_n = _unpack(got, what)
    ref_out, ref_h = ref
    expect(
        isinstance(out, torch.Tensor) and out.shape == ref_out.shape,
        f"{what}: out should have shape {list(ref_out.shape)} (T, N, 2H), got "
        f"{list(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}",
        kind="wrong_shape",
    )
    expect_close(out[..., :h], ref_out[..., :h], name="out[..., :H] (the forward direction)")
    expect_close(out[..., h:], ref_out[..., h:], name="out[..., H:] (the backward direction)")
    expect_close(h_n, ref_h, name="h_n (forward final state, backward final state)")


def _backward(mod, x, h0, w, g_out, g_h, lengths):
    """Back-propagate through the learner's birnn; return the gradients of x, h0 and every weight."""
    xs, hs = x.clone().requires_grad_(True), h0.clone().requires_grad_(True)
    ws = {k: v.clone().requires_grad_(True) for k, v in w.items()}
    out, h_n = mod.birnn(xs, hs, ws, lengths)
    ((out * g_out).sum() + (h_n * g_h).sum()).backward()
    return [xs.grad, hs.grad] + [ws[k].grad for k in sorted(ws)]


def _check_gradients(learner, w, x, h0, lengths, label):
    g = torch.Generator().manual_seed(99)
    t, n, _ = x.shape
    h = w["weight_hh_l0"].shape[0]
    g_out = torch.randn(t, n, 2 * h, generator=g, dtype=torch.float64).to(x.device)
    g_h = torch.randn(2, n, h, generator=g, dtype=torch.float64).to(x.device)
    got = learner.run(_backward, x, h0, w, g_out, g_h, lengths, label=label)
    m = _module(w, x.device)
    xr, hr = x.clone().requires_grad_(True), h0.clone().requires_grad_(True)
    out, h_n = _forward(m, xr, hr, lengths)
    ((out * g_out).sum() + (h_n * g_h).sum()).backward()
    params = dict(m.named_parameters())
    refs = [xr.grad, hr.grad] + [params[k].grad for k in sorted(params)]
    for name, got_g, r in zip(["x", "h0"] + sorted(params), got, refs, strict=True):
        expect(got_g is not None, f"no gradient reached {name}", kind="wrong_gradient")
        expect_close(got_g, r, name=f"d loss / d {name}", kind="wrong_gradient")


# ---------------------------------------------------------------- full-length sequences


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_matches_nn_rnn(learner, device, dtype):
    """matches nn.RNN(bidirectional=True) over 6 steps: both halves of out, and h_n"""
    w = _weights(4, 3, dtype, device)
    x, h0 = _data(6, 2, 4, 3, dtype, device)
    _check(learner.birnn(x, h0, w), _ref(w, x, h0), 3, "birnn(x (6, 2, 4), h0, weights)")


def test_without_initial_state(learner, device):
    """h0=None starts both directions from zeros in the dtype and on the device of x"""
    w = _weights(3, 4, torch.float64, device, seed=2)
    x, _ = _data(5, 3, 3, 4, torch.float64, device, seed=3)
    _check(learner.birnn(x, None, w), _ref(w, x), 4, "birnn(x (5, 3, 3), None, weights)")


def test_one_step_one_sequence(learner, device):
    """T=1, N=1: both directions read the single step"""
    w = _weights(2, 3, torch.float64, device, seed=4)
    x, h0 = _data(1, 1, 2, 3, torch.float64, device, seed=5)
    _check(learner.birnn(x, h0, w), _ref(w, x, h0), 3, "birnn(x (1, 1, 2), h0, weights)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_saturates(learner, device, dtype):
    """huge inputs saturate at -1 and +1 instead of turning into NaN"""
    w = _weights(3, 4, dtype, device, seed=6, scale=1.0)
    x, h0 = _data(4, 2, 3, 4, dtype, device, seed=7, scale=1000.0)
    _check(learner.birnn(x, h0, w), _ref(w, x, h0), 4, "birnn(x * 1000, h0, weights)")


def test_gradients(learner, device):
    """gradients of x, h0 and all eight weights match nn.RNN's (float64)"""
    w = _weights(3, 2, torch.float64, device, seed=8)
    x, h0 = _data(5, 2, 3, 2, torch.float64, device, seed=9)
    _check_gradients(learner, w, x, h0, None, "birnn(x (5, 2, 3), h0, weights) then backward")


# ---------------------------------------------------------------- padded batches


def test_padded_batch(learner, device):
    """with lengths, matches nn.RNN on a packed batch: padding gives zeros, each direction stops at the real steps"""
    w = _weights(3, 4, torch.float64, device, seed=10)
    x, h0 = _data(6, 4, 3, 4, torch.float64, device, seed=11)
    lengths = torch.tensor([6, 2, 4, 1], device=device)
    ref = _ref(w, x, h0, lengths)
    _check(learner.birnn(x, h0, w, lengths), ref, 4, "birnn(x (6, 4, 3), h0, weights, lengths=[6, 2, 4, 1])")


def test_padding_is_ignored(learner, device):
    """changing the values in the padding changes nothing"""
    w = _weights(2, 3, torch.float64, device, seed=12)
    x, h0 = _data(5, 2, 2, 3, torch.float64, device, seed=13)
    lengths = torch.tensor([3, 5], device=device)
    x2 = x.clone()
    x2[3:, 0] = 7.0
    _check(learner.birnn(x2, h0, w, lengths), _ref(w, x, h0, lengths), 3, "birnn with garbage in the padding")


def test_full_lengths(learner, device):
    """lengths all equal to T give the same result as lengths=None"""
    w = _weights(3, 2, torch.float64, device, seed=14)
    x, h0 = _data(4, 3, 3, 2, torch.float64, device, seed=15)
    lengths = torch.tensor([4, 4, 4], device=device)
    _check(learner.birnn(x, h0, w, lengths), _ref(w, x, h0), 2, "birnn(x (4, 3, 3), h0, weights, lengths=[4, 4, 4])")


def test_padded_gradients(learner, device):
    """with lengths, gradients match nn.RNN's on the packed batch (zero for the padding)"""
    w = _weights(2, 3, torch.float64, device, seed=16)
    x, h0 = _data(5, 3, 2, 3, torch.float64, device, seed=17)
    lengths = torch.tensor([2, 5, 3], device=device)
    _check_gradients(learner, w, x, h0, lengths, "birnn(x (5, 3, 2), h0, weights, lengths=[2, 5, 3]) then backward")


def test_does_not_use_builtin(learner):
    """does not call nn.RNN, nn.RNNCell, torch.rnn_tanh or torch.rnn_tanh_cell"""
    learner.check_forbidden()

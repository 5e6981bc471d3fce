"""Hidden suite: lesson9.rnn."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
GRAD_NAMES = ["x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"]


def _rnn_backward(mod, x, h0, weights, g_out, g_h):
    """Run the learner's rnn on fresh leaves, back-propagate through outputs and h_T, return every gradient."""
    leaves = [x.clone().requires_grad_(True), h0.clone().requires_grad_(True)]
    leaves += [w.clone().requires_grad_(True) for w in weights]
    out, h_last = mod.rnn(*leaves)
    ((out * g_out).sum() + (h_last * g_h).sum()).backward()
    return [t.grad for t in leaves]


def _weights(d, h, dtype, device, seed=0, scale=0.6):
    g = torch.Generator().manual_seed(seed)
    shapes = [(h, d), (h, h), (h,), (h,)]
    return [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for s in shapes]


def _data(t, n, d, h, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(t, n, d, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    h0 = (torch.randn(n, h, generator=g, dtype=torch.float64) * 0.5).to(device, dtype)
    return x, h0


def _torch_rnn(weights, dtype, device):
    w_ih, w_hh, b_ih, b_hh = weights
    m = nn.RNN(w_ih.shape[1], w_ih.shape[0], nonlinearity="tanh").to(device, dtype)
    with torch.no_grad():
        m.weight_ih_l0.copy_(w_ih)
        m.weight_hh_l0.copy_(w_hh)
        m.bias_ih_l0.copy_(b_ih)
        m.bias_hh_l0.copy_(b_hh)
    return m


def _ref_rnn(w, x, h0=None):
    """nn.RNN's outputs and last state, computed in float64 (no TF32 on a GPU) and cast to x's dtype."""
    m = _torch_rnn([t.double() for t in w], torch.float64, x.device)
    with torch.no_grad():
        out, h = m(x.double()) if h0 is None else m(x.double(), h0.double()[None])
    return out.to(x.dtype), h.to(x.dtype)


def _cell_reference(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def _unpack(got, what):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"{what} should return a tuple (outputs, h_T)",
        kind="wrong_type",
    )
    return got


# ---------------------------------------------------------------- rnn_cell


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cell_matches_nn_rnncell(learner, device, dtype):
    """rnn_cell matches nn.RNNCell given the same weights"""
    w = _weights(5, 4, dtype, device)
    x, h = _data(1, 3, 5, 4, dtype, device)
    cell = nn.RNNCell(5, 4).to(device, torch.float64)
    with torch.no_grad():
        for p, v in zip([cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh], w, strict=True):
            p.copy_(v)
        ref = cell(x[0].double(), h.double()).to(dtype)
    expect_close(learner.rnn_cell(x[0], h, *w), ref, name="rnn_cell(x, h, ...)")


def test_cell_batch_shapes(learner, device):
    """rnn_cell works for any leading batch dimensions, a single unbatched vector included"""
    w = _weights(3, 2, torch.float64, device, seed=2)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 4, 3, generator=g, dtype=torch.float64).to(device)
    h = torch.randn(2, 4, 2, generator=g, dtype=torch.float64).to(device)
    expect_close(learner.rnn_cell(x, h, *w), _cell_reference(x, h, *w), name="rnn_cell on x (2, 4, 3), h (2, 4, 2)")
    expect_close(
        learner.rnn_cell(x[0, 0], h[0, 0], *w), _cell_reference(x[0, 0], h[0, 0], *w), name="rnn_cell on x (3,), h (2,)"
    )


def test_cell_gradient(learner, device):
    """the gradients of rnn_cell with respect to every input and weight match autograd's (float64)"""
    w = _weights(4, 3, torch.float64, device, seed=4)
    x, h = _data(1, 5, 4, 3, torch.float64, device, seed=5)
    args = [x[0], h, *w]
    up = torch.randn(5, 3, generator=torch.Generator().manual_seed(6), dtype=torch.float64).to(device)
    ref = [a.clone().requires_grad_(True) for a in args]
    _cell_reference(*ref).backward(up)
    _, grads = learner.backward("rnn_cell", *args, wrt=(0, 1, 2, 3, 4, 5), upstream=up)
    for name, got, r in zip(GRAD_NAMES, grads, ref, strict=True):
        expect_close(got, r.grad, name=f"d rnn_cell / d {name}", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cell_saturates(learner, device, dtype):
    """huge pre-activations saturate at -1 and +1 instead of turning into NaN"""
    w = _weights(3, 4, dtype, device, seed=7, scale=1.0)
    x, h = _data(1, 6, 3, 4, dtype, device, seed=8, scale=1000.0)
    got = learner.rnn_cell(x[0], h, *w)
    expect_close(got, torch.tanh(x[0] @ w[0].T + w[2] + h @ w[1].T + w[3]), name="rnn_cell at |pre-activation| ~ 1e3")


# ---------------------------------------------------------------- rnn


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_rnn_matches_nn_rnn(learner, device, dtype):
    """rnn matches nn.RNN over a sequence of 7 steps: every state and the last one"""
    w = _weights(5, 4, dtype, device, seed=9)
    x, h0 = _data(7, 3, 5, 4, dtype, device, seed=10)
    ref_out, ref_h = _ref_rnn(w, x, h0)
    out, h_last = _unpack(learner.rnn(x, h0, *w), "rnn(x (7, 3, 5), h0 (3, 4), ...)")
    expect_close(out, ref_out, name="outputs (every hidden state, time first)")
    expect_close(h_last, ref_h[0], name="h_T (the last hidden state)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_rnn_without_initial_state(learner, device, dtype):
    """h0=None starts from zeros in the dtype and on the device of x"""
    w = _weights(3, 5, dtype, device, seed=11)
    x, _ = _data(4, 2, 3, 5, dtype, device, seed=12)
    ref_out, ref_h = _ref_rnn(w, x)
    out, h_last = _unpack(learner.rnn(x, None, *w), "rnn(x (4, 2, 3), None, ...)")
    expect_close(out, ref_out, name="outputs with h0=None")
    expect_close(h_last, ref_h[0], name="h_T with h0=None")


def test_rnn_one_step_one_sequence(learner, device):
    """a single time step of a single sequence (T=1, N=1) keeps its dimensions"""
    w = _weights(2, 3, torch.float64, device, seed=13)
    x, h0 = _data(1, 1, 2, 3, torch.float64, device, seed=14)
    with torch.no_grad():
        ref_out, ref_h = _torch_rnn(w, torch.float64, device)(x, h0[None])
    out, h_last = _unpack(learner.rnn(x, h0, *w), "rnn(x (1, 1, 2), h0 (1, 3), ...)")
    expect_close(out, ref_out, name="outputs for T=1, N=1")
    expect_close(h_last, ref_h[0], name="h_T for T=1, N=1")


def test_rnn_long_sequence(learner, device):
    """a sequence of 60 steps matches nn.RNN (float32)"""
    w = _weights(4, 6, torch.float32, device, seed=15, scale=0.4)
    x, h0 = _data(60, 2, 4, 6, torch.float32, device, seed=16)
    ref_out, ref_h = _ref_rnn(w, x, h0)
    out, h_last = _unpack(learner.rnn(x, h0, *w), "rnn(x (60, 2, 4), h0 (2, 6), ...)")
    expect_close(out, ref_out, name="outputs over 60 steps")
    expect_close(h_last, ref_h[0], name="h_T after 60 steps")


def test_rnn_gradients_through_time(learner, device):
    """back-propagation through time: gradients of x, h0 and all weights match nn.RNN's (float64)"""
    w = _weights(3, 4, torch.float64, device, seed=17)
    x, h0 = _data(6, 2, 3, 4, torch.float64, device, seed=18)
    g = torch.Generator().manual_seed(19)
    g_out = torch.randn(6, 2, 4, generator=g, dtype=torch.float64).to(device)
    g_h = torch.randn(2, 4, generator=g, dtype=torch.float64).to(device)
    got = learner.run(_rnn_backward, x, h0, w, g_out, g_h, label="rnn(x (6, 2, 3), h0, ...) then backward")
    m = _torch_rnn(w, torch.float64, device)
    xr, hr = x.clone().requires_grad_(True), h0.clone().requires_grad_(True)
    ref_out, ref_h = m(xr, hr[None])
    ((ref_out * g_out).sum() + (ref_h[0] * g_h).sum()).backward()
    refs = [xr.grad, hr.grad, m.weight_ih_l0.grad, m.weight_hh_l0.grad, m.bias_ih_l0.grad, m.bias_hh_l0.grad]
    for name, got_g, r in zip(GRAD_NAMES, got, refs, strict=True):
        expect(
            got_g is not None,
            f"no gradient reached {name}: keep every step connected to the graph",
            kind="wrong_gradient",
        )
        expect_close(got_g, r, name=f"d loss / d {name}", kind="wrong_gradient")


def _last_state_backward(mod, x, h0, weights, g_h):
    """Back-propagate through h_T alone; return the gradients of x and h0."""
    xl, hl = x.clone().requires_grad_(True), h0.clone().requires_grad_(True)
    _, h_last = mod.rnn(xl, hl, *weights)
    (h_last * g_h).sum().backward()
    return [xl.grad, hl.grad]


def test_last_state_depends_on_first_step(learner, device):
    """the final state h_T carries gradient back to the first input and to h0 (float64)"""
    w = _weights(3, 4, torch.float64, device, seed=22)
    x, h0 = _data(5, 2, 3, 4, torch.float64, device, seed=23)
    g_h = torch.randn(2, 4, generator=torch.Generator().manual_seed(24), dtype=torch.float64).to(device)
    got = learner.run(_last_state_backward, x, h0, w, g_h, label="rnn(x (5, 2, 3), h0, ...)[1].backward(upstream)")
    m = _torch_rnn(w, torch.float64, device)
    xr, hr = x.clone().requires_grad_(True), h0.clone().requires_grad_(True)
    (m(xr, hr[None])[1][0] * g_h).sum().backward()
    for name, got_g, r in zip(["x", "h0"], got, [xr.grad, hr.grad], strict=True):
        expect(
            got_g is not None,
            f"no gradient reached {name} from h_T: the state must stay connected across every step",
            kind="wrong_gradient",
        )
        expect_close(got_g, r, name=f"d h_T / d {name}", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_rnn_saturates(learner, device, dtype):
    """huge inputs give states of -1 and +1, never NaN"""
    w = _weights(3, 4, dtype, device, seed=20, scale=1.0)
    x, h0 = _data(5, 3, 3, 4, dtype, device, seed=21, scale=1000.0)
    ref_out, ref_h = _ref_rnn(w, x, h0)
    out, h_last = _unpack(learner.rnn(x, h0, *w), "rnn(x * 1000, ...)")
    expect_close(out, ref_out, name="outputs for inputs of size 1e3")
    expect_close(h_last, ref_h[0], name="h_T for inputs of size 1e3")


def test_does_not_use_builtin(learner):
    """does not call nn.RNN, nn.RNNCell, torch.rnn_tanh or torch.rnn_tanh_cell"""
    learner.check_forbidden()

"""Hidden suite: lesson9.lstm."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
GRAD_NAMES = ["x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh"]


def _lstm_backward(mod, x, h0, c0, weights, g_out, g_h, g_c):
    """Run the learner's lstm on fresh leaves, back-propagate through outputs, h_T and c_T, return every gradient."""
    leaves = [x.clone().requires_grad_(True), h0.clone().requires_grad_(True), c0.clone().requires_grad_(True)]
    leaves += [w.clone().requires_grad_(True) for w in weights]
    out, (h_last, c_last) = mod.lstm(leaves[0], (leaves[1], leaves[2]), *leaves[3:])
    ((out * g_out).sum() + (h_last * g_h).sum() + (c_last * g_c).sum()).backward()
    return [t.grad for t in leaves]


def _weights(d, h, dtype, device, seed=0, scale=0.5):
    g = torch.Generator().manual_seed(seed)
    shapes = [(4 * h, d), (4 * h, h), (4 * h,), (4 * h,)]
    return [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for s in shapes]


def _data(t, n, d, h, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(t, n, d, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    h0 = (torch.randn(n, h, generator=g, dtype=torch.float64) * 0.5).to(device, dtype)
    c0 = (torch.randn(n, h, generator=g, dtype=torch.float64) * 1.5).to(device, dtype)
    return x, h0, c0


def _torch_lstm(weights, dtype, device):
    w_ih, w_hh, b_ih, b_hh = weights
    m = nn.LSTM(w_ih.shape[1], w_hh.shape[1]).to(device, dtype)
    with torch.no_grad():
        m.weight_ih_l0.copy_(w_ih)
        m.weight_hh_l0.copy_(w_hh)
        m.bias_ih_l0.copy_(b_ih)
        m.bias_hh_l0.copy_(b_hh)
    return m


def _ref_lstm(w, x, h0, c0):
    """nn.LSTM's outputs and final states, computed in float64 (no TF32 on a GPU) and cast to x's dtype."""
    m = _torch_lstm([t.double() for t in w], torch.float64, x.device)
    with torch.no_grad():
        out, (h, c) = m(x.double(), (h0.double()[None], c0.double()[None]))
    return out.to(x.dtype), (h.to(x.dtype), c.to(x.dtype))


def _cell_reference(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    i, f, g, o = (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=-1)
    c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c2), c2


def _unpack_cell(got, what):
    expect(isinstance(got, (tuple, list)) and len(got) == 2, f"{what} should return a tuple (h, c)", kind="wrong_type")
    return got


def _unpack_seq(got, what):
    ok = isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], (tuple, list)) and len(got[1]) == 2
    expect(ok, f"{what} should return (outputs, (h_T, c_T))", kind="wrong_type")
    return got[0], got[1][0], got[1][1]


# ---------------------------------------------------------------- lstm_cell


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cell_matches_nn_lstmcell(learner, device, dtype):
    """lstm_cell matches nn.LSTMCell given the same weights: gates in the order i, f, g, o"""
    w = _weights(5, 4, dtype, device)
    x, h, c = _data(1, 3, 5, 4, dtype, device)
    cell = nn.LSTMCell(5, 4).to(device, torch.float64)
    with torch.no_grad():
        for p, v in zip([cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh], w, strict=True):
            p.copy_(v)
        ref_h, ref_c = (t.to(dtype) for t in cell(x[0].double(), (h.double(), c.double())))
    got_h, got_c = _unpack_cell(learner.lstm_cell(x[0], (h, c), *w), "lstm_cell(x, (h, c), ...)")
    expect_close(got_c, ref_c, name="c' (the new cell state)")
    expect_close(got_h, ref_h, name="h' (the new hidden state)")


def test_cell_batch_shapes(learner, device):
    """lstm_cell works for any leading batch dimensions, a single unbatched vector included"""
    w = _weights(3, 2, torch.float64, device, seed=2)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 4, 3, generator=g, dtype=torch.float64).to(device)
    h = torch.randn(2, 4, 2, generator=g, dtype=torch.float64).to(device)
    c = torch.randn(2, 4, 2, generator=g, dtype=torch.float64).to(device)
    got = _unpack_cell(learner.lstm_cell(x, (h, c), *w), "lstm_cell on (2, 4, ...) inputs")
    expect_close(got, _cell_reference(x, (h, c), *w), name="(h', c') for x (2, 4, 3)")
    got = _unpack_cell(learner.lstm_cell(x[0, 0], (h[0, 0], c[0, 0]), *w), "lstm_cell on unbatched inputs")
    expect_close(got, _cell_reference(x[0, 0], (h[0, 0], c[0, 0]), *w), name="(h', c') for x (3,)")


def test_cell_gradient(learner, device):
    """the gradients of h' with respect to x, h, c and every weight match autograd's (float64)"""
    w = _weights(4, 3, torch.float64, device, seed=4)
    x, h, c = _data(1, 5, 4, 3, torch.float64, device, seed=5)
    up = torch.randn(5, 3, generator=torch.Generator().manual_seed(6), dtype=torch.float64).to(device)
    ref = [t.clone().requires_grad_(True) for t in [x[0], h, c, *w]]
    _cell_reference(ref[0], (ref[1], ref[2]), *ref[3:])[0].backward(up)
    got = learner.run(_cell_backward, x[0], h, c, w, up, label="lstm_cell(x, (h, c), ...)[0].backward(upstream)")
    for name, got_g, r in zip(GRAD_NAMES, got, ref, strict=True):
        expect(got_g is not None, f"no gradient reached {name}", kind="wrong_gradient")
        expect_close(got_g, r.grad, name=f"d h' / d {name}", kind="wrong_gradient")


def _cell_backward(mod, x, h, c, weights, up):
    """Back-propagate ``up`` through the h' of the learner's lstm_cell; return the gradients of every input."""
    leaves = [t.clone().requires_grad_(True) for t in [x, h, c, *weights]]
    h_new, _ = mod.lstm_cell(leaves[0], (leaves[1], leaves[2]), *leaves[3:])
    h_new.backward(up)
    return [t.grad for t in leaves]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cell_saturates(learner, device, dtype):
    """huge pre-activations saturate the gates instead of turning into NaN"""
    w = _weights(3, 4, dtype, device, seed=7, scale=1.0)
    x, h, c = _data(1, 6, 3, 4, dtype, device, seed=8, scale=1000.0)
    got = _unpack_cell(learner.lstm_cell(x[0], (h, c), *w), "lstm_cell(x * 1000, ...)")
    expect_close(got, _cell_reference(x[0], (h, c), *w), name="(h', c') at |pre-activation| ~ 1e3")


# ---------------------------------------------------------------- lstm


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_lstm_matches_nn_lstm(learner, device, dtype):
    """lstm matches nn.LSTM over 7 steps: outputs, h_T and c_T"""
    w = _weights(5, 4, dtype, device, seed=9)
    x, h0, c0 = _data(7, 3, 5, 4, dtype, device, seed=10)
    ref_out, (ref_h, ref_c) = _ref_lstm(w, x, h0, c0)
    out, h_last, c_last = _unpack_seq(learner.lstm(x, (h0, c0), *w), "lstm(x (7, 3, 5), (h0, c0), ...)")
    expect_close(out, ref_out, name="outputs (h after every step, time first)")
    expect_close(h_last, ref_h[0], name="h_T")
    expect_close(c_last, ref_c[0], name="c_T")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_lstm_without_initial_state(learner, device, dtype):
    """state=None starts from zeros in the dtype and on the device of x"""
    w = _weights(3, 5, dtype, device, seed=11)
    x, h0, _ = _data(4, 2, 3, 5, dtype, device, seed=12)
    zeros = torch.zeros_like(h0)
    ref_out, (ref_h, ref_c) = _ref_lstm(w, x, zeros, zeros)
    out, h_last, c_last = _unpack_seq(learner.lstm(x, None, *w), "lstm(x (4, 2, 3), None, ...)")
    expect_close(out, ref_out, name="outputs with state=None")
    expect_close(c_last, ref_c[0], name="c_T with state=None")


def test_lstm_one_step_one_sequence(learner, device):
    """a single time step of a single sequence (T=1, N=1) keeps its dimensions"""
    w = _weights(2, 3, torch.float64, device, seed=13)
    x, h0, c0 = _data(1, 1, 2, 3, torch.float64, device, seed=14)
    with torch.no_grad():
        ref_out, (ref_h, ref_c) = _torch_lstm(w, torch.float64, device)(x, (h0[None], c0[None]))
    out, h_last, c_last = _unpack_seq(learner.lstm(x, (h0, c0), *w), "lstm(x (1, 1, 2), (h0, c0), ...)")
    expect_close(out, ref_out, name="outputs for T=1, N=1")
    expect_close(h_last, ref_h[0], name="h_T for T=1, N=1")
    expect_close(c_last, ref_c[0], name="c_T for T=1, N=1")


def test_lstm_long_sequence(learner, device):
    """a sequence of 60 steps matches nn.LSTM (float32)"""
    w = _weights(4, 6, torch.float32, device, seed=15, scale=0.4)
    x, h0, c0 = _data(60, 2, 4, 6, torch.float32, device, seed=16)
    ref_out, (ref_h, ref_c) = _ref_lstm(w, x, h0, c0)
    out, h_last, c_last = _unpack_seq(learner.lstm(x, (h0, c0), *w), "lstm(x (60, 2, 4), (h0, c0), ...)")
    expect_close(out, ref_out, name="outputs over 60 steps")
    expect_close(c_last, ref_c[0], name="c_T after 60 steps")


def test_lstm_gradients_through_time(learner, device):
    """back-propagation through time: gradients of x, h0, c0 and all weights match nn.LSTM's (float64)"""
    w = _weights(3, 4, torch.float64, device, seed=17)
    x, h0, c0 = _data(6, 2, 3, 4, torch.float64, device, seed=18)
    g = torch.Generator().manual_seed(19)
    g_out = torch.randn(6, 2, 4, generator=g, dtype=torch.float64).to(device)
    g_h = torch.randn(2, 4, generator=g, dtype=torch.float64).to(device)
    g_c = torch.randn(2, 4, generator=g, dtype=torch.float64).to(device)
    got = learner.run(
        _lstm_backward, x, h0, c0, w, g_out, g_h, g_c, label="lstm(x (6, 2, 3), (h0, c0), ...) then backward"
    )
    m = _torch_lstm(w, torch.float64, device)
    xr, hr, cr = (t.clone().requires_grad_(True) for t in (x, h0, c0))
    ref_out, (ref_h, ref_c) = m(xr, (hr[None], cr[None]))
    ((ref_out * g_out).sum() + (ref_h[0] * g_h).sum() + (ref_c[0] * g_c).sum()).backward()
    refs = [xr.grad, hr.grad, cr.grad, m.weight_ih_l0.grad, m.weight_hh_l0.grad, m.bias_ih_l0.grad, m.bias_hh_l0.grad]
    for name, got_g, r in zip(GRAD_NAMES, got, refs, strict=True):
        expect(
            got_g is not None,
            f"no gradient reached {name}: keep every step connected to the graph",
            kind="wrong_gradient",
        )
        expect_close(got_g, r, name=f"d loss / d {name}", kind="wrong_gradient")


def _final_cell_backward(mod, x, h0, c0, weights, g_c):
    """Back-propagate through c_T alone; return the gradients of x, h0 and c0."""
    leaves = [t.clone().requires_grad_(True) for t in (x, h0, c0)]
    _, (_, c_last) = mod.lstm(leaves[0], (leaves[1], leaves[2]), *weights)
    (c_last * g_c).sum().backward()
    return [t.grad for t in leaves]


def test_final_cell_state_depends_on_first_step(learner, device):
    """the final cell state c_T carries gradient back to the first input, h0 and c0 (float64)"""
    w = _weights(3, 4, torch.float64, device, seed=22)
    x, h0, c0 = _data(5, 2, 3, 4, torch.float64, device, seed=23)
    g_c = torch.randn(2, 4, generator=torch.Generator().manual_seed(24), dtype=torch.float64).to(device)
    got = learner.run(
        _final_cell_backward, x, h0, c0, w, g_c, label="lstm(x (5, 2, 3), (h0, c0), ...) then c_T.backward(upstream)"
    )
    m = _torch_lstm(w, torch.float64, device)
    xr, hr, cr = (t.clone().requires_grad_(True) for t in (x, h0, c0))
    (m(xr, (hr[None], cr[None]))[1][1][0] * g_c).sum().backward()
    for name, got_g, r in zip(["x", "h0", "c0"], got, [xr.grad, hr.grad, cr.grad], strict=True):
        expect(
            got_g is not None,
            f"no gradient reached {name} from c_T: the states must stay connected across every step",
            kind="wrong_gradient",
        )
        expect_close(got_g, r, name=f"d c_T / d {name}", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_lstm_saturates(learner, device, dtype):
    """huge inputs keep every state finite and equal to nn.LSTM's"""
    w = _weights(3, 4, dtype, device, seed=20, scale=1.0)
    x, h0, c0 = _data(5, 3, 3, 4, dtype, device, seed=21, scale=1000.0)
    ref_out, (ref_h, ref_c) = _ref_lstm(w, x, h0, c0)
    out, h_last, c_last = _unpack_seq(learner.lstm(x, (h0, c0), *w), "lstm(x * 1000, ...)")
    expect_close(out, ref_out, name="outputs for inputs of size 1e3")
    expect_close(c_last, ref_c[0], name="c_T for inputs of size 1e3")


def test_does_not_use_builtin(learner):
    """does not call nn.LSTM, nn.LSTMCell, torch.lstm or torch.lstm_cell"""
    learner.check_forbidden()

"""Hidden suite: lesson9b.gru."""

import pytest
import torch
from torch import nn

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
GRAD_NAMES = ["x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"]


def _gru_backward(mod, x, h0, weights, g_out, g_h):
    """Run the learner's gru on fresh leaves, back-propagate through outputs and h_T, return every gradient."""
    leaves = [x.clone().requires_grad_(True), h0.clone().requires_grad_(True)]
    leaves += [w.clone().requires_grad_(True) for w in weights]
    out, h_last = mod.gru(*leaves)
    ((out * g_out).sum() + (h_last * g_h).sum()).backward()
    return [t.grad for t in leaves]


def _weights(d, h, dtype, device, seed=0, scale=0.5):
    g = torch.Generator().manual_seed(seed)
    shapes = [(3 * h, d), (3 * h, h), (3 * h,), (3 * h,)]
    return [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for s in shapes]


def _data(t, n, d, h, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(t, n, d, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    h0 = (torch.randn(n, h, generator=g, dtype=torch.float64) * 0.5).to(device, dtype)
    return x, h0


def _torch_gru(weights, dtype, device):
    w_ih, w_hh, b_ih, b_hh = weights
    m = nn.GRU(w_ih.shape[1], w_hh.shape[1]).to(device, dtype)
    with torch.no_grad():
        m.weight_ih_l0.copy_(w_ih)
        m.weight_hh_l0.copy_(w_hh)
        m.bias_ih_l0.copy_(b_ih)
        m.bias_hh_l0.copy_(b_hh)
    return m


def _ref_gru(w, x, h0=None):
    """nn.GRU's outputs and last state, computed in float64 (no TF32 on a GPU) and cast to x's dtype."""
    m = _torch_gru([t.double() for t in w], torch.float64, x.device)
    with torch.no_grad():
        out, h = m(x.double()) if h0 is None else m(x.double(), h0.double()[None])
    return out.to(x.dtype), h[0].to(x.dtype)


def _cell_reference(x, h, w_ih, w_hh, b_ih, b_hh):
    i_r, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=-1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    return (1 - z) * torch.tanh(i_n + r * h_n) + z * h


def _unpack(got, what):
    expect(isinstance(got, (tuple, list)) and len(got) == 2, f"{what} should return (outputs, h_T)", kind="wrong_type")
    return got


# ---------------------------------------------------------------- gru_cell


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cell_matches_nn_grucell(learner, device, dtype):
    """gru_cell matches nn.GRUCell given the same weights: gates in the order r, z, n"""
    w = _weights(5, 4, dtype, device)
    x, h = _data(1, 3, 5, 4, dtype, device)
    cell = nn.GRUCell(5, 4).to(device, torch.float64)
    with torch.no_grad():
        for p, v in zip([cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh], w, strict=True):
            p.copy_(v)
        ref = cell(x[0].double(), h.double()).to(dtype)
    expect_close(learner.gru_cell(x[0], h, *w), ref, name="gru_cell(x, h, ...)")


def test_cell_batch_shapes(learner, device):
    """gru_cell works for any leading batch dimensions, a single unbatched vector included"""
    w = _weights(3, 2, torch.float64, device, seed=2)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 4, 3, generator=g, dtype=torch.float64).to(device)
    h = torch.randn(2, 4, 2, generator=g, dtype=torch.float64).to(device)
    expect_close(learner.gru_cell(x, h, *w), _cell_reference(x, h, *w), name="gru_cell on x (2, 4, 3), h (2, 4, 2)")
    expect_close(
        learner.gru_cell(x[0, 0], h[0, 0], *w), _cell_reference(x[0, 0], h[0, 0], *w), name="gru_cell on x (3,), h (2,)"
    )


def test_cell_gradient(learner, device):
    """the gradients of gru_cell with respect to every input and weight match autograd's (float64)"""
    w = _weights(4, 3, torch.float64, device, seed=4)
    x, h = _data(1, 5, 4, 3, torch.float64, device, seed=5)
    args = [x[0], h, *w]
    up = torch.randn(5, 3, generator=torch.Generator().manual_seed(6), dtype=torch.float64).to(device)
    ref = [a.clone().requires_grad_(True) for a in args]
    _cell_reference(*ref).backward(up)
    _, grads = learner.backward("gru_cell", *args, wrt=(0, 1, 2, 3, 4, 5), upstream=up)
    for name, got, r in zip(GRAD_NAMES, grads, ref, strict=True):
        expect_close(got, r.grad, name=f"d gru_cell / d {name}", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cell_saturates(learner, device, dtype):
    """huge pre-activations saturate the gates instead of turning into NaN"""
    w = _weights(3, 4, dtype, device, seed=7, scale=1.0)
    x, h = _data(1, 6, 3, 4, dtype, device, seed=8, scale=1000.0)
    got = learner.gru_cell(x[0], h, *w)
    expect_close(got, _cell_reference(x[0], h, *w), name="gru_cell at |pre-activation| ~ 1e3")


# ---------------------------------------------------------------- gru


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_gru_matches_nn_gru(learner, device, dtype):
    """gru matches nn.GRU over 7 steps: outputs and h_T"""
    w = _weights(5, 4, dtype, device, seed=9)
    x, h0 = _data(7, 3, 5, 4, dtype, device, seed=10)
    ref_out, ref_h = _ref_gru(w, x, h0)
    out, h_last = _unpack(learner.gru(x, h0, *w), "gru(x (7, 3, 5), h0, ...)")
    expect_close(out, ref_out, name="outputs (the state after every step, time first)")
    expect_close(h_last, ref_h, name="h_T")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_gru_without_initial_state(learner, device, dtype):
    """h0=None starts from zeros in the dtype and on the device of x"""
    w = _weights(3, 5, dtype, device, seed=11)
    x, _ = _data(4, 2, 3, 5, dtype, device, seed=12)
    ref_out, ref_h = _ref_gru(w, x)
    out, h_last = _unpack(learner.gru(x, None, *w), "gru(x (4, 2, 3), None, ...)")
    expect_close(out, ref_out, name="outputs with h0=None")
    expect_close(h_last, ref_h, name="h_T with h0=None")


def test_gru_one_step_one_sequence(learner, device):
    """a single time step of a single sequence (T=1, N=1) keeps its dimensions"""
    w = _weights(2, 3, torch.float64, device, seed=13)
    x, h0 = _data(1, 1, 2, 3, torch.float64, device, seed=14)
    ref_out, ref_h = _ref_gru(w, x, h0)
    out, h_last = _unpack(learner.gru(x, h0, *w), "gru(x (1, 1, 2), h0, ...)")
    expect_close(out, ref_out, name="outputs for T=1, N=1")
    expect_close(h_last, ref_h, name="h_T for T=1, N=1")


def test_gru_long_sequence(learner, device):
    """a sequence of 60 steps matches nn.GRU (float32)"""
    w = _weights(4, 6, torch.float32, device, seed=15, scale=0.4)
    x, h0 = _data(60, 2, 4, 6, torch.float32, device, seed=16)
    ref_out, ref_h = _ref_gru(w, x, h0)
    out, h_last = _unpack(learner.gru(x, h0, *w), "gru(x (60, 2, 4), h0, ...)")
    expect_close(out, ref_out, name="outputs over 60 steps")
    expect_close(h_last, ref_h, name="h_T after 60 steps")


def test_gru_gradients_through_time(learner, device):
    """back-propagation through time: gradients of x, h0 and all weights match nn.GRU's (float64)"""
    w = _weights(3, 4, torch.float64, device, seed=17)
    x, h0 = _data(6, 2, 3, 4, torch.float64, device, seed=18)
    g = torch.Generator().manual_seed(19)
    g_out = torch.randn(6, 2, 4, generator=g, dtype=torch.float64).to(device)
    g_h = torch.randn(2, 4, generator=g, dtype=torch.float64).to(device)
    got = learner.run(_gru_backward, x, h0, w, g_out, g_h, label="gru(x (6, 2, 3), h0, ...) then backward")
    m = _torch_gru(w, torch.float64, device)
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


def _last_state_backward(mod, x, weights, g_h):
    """Back-propagate through h_T of the learner's gru started from h0=None; gradients of x and the weights."""
    leaves = [x.clone().requires_grad_(True)] + [w.clone().requires_grad_(True) for w in weights]
    _, h_last = mod.gru(leaves[0], None, *leaves[1:])
    (h_last * g_h).sum().backward()
    return [t.grad for t in leaves]


def test_gru_gradients_of_last_state(learner, device):
    """gradients of h_T alone, from h0=None, reach every step of x and every weight (float64)"""
    w = _weights(2, 3, torch.float64, device, seed=22)
    x, _ = _data(5, 3, 2, 3, torch.float64, device, seed=23)
    g_h = torch.randn(3, 3, generator=torch.Generator().manual_seed(24), dtype=torch.float64).to(device)
    got = learner.run(_last_state_backward, x, w, g_h, label="gru(x (5, 3, 2), None, ...)[1] then backward")
    m = _torch_gru(w, torch.float64, device)
    xr = x.clone().requires_grad_(True)
    _, ref_h = m(xr)
    (ref_h[0] * g_h).sum().backward()
    refs = [xr.grad, m.weight_ih_l0.grad, m.weight_hh_l0.grad, m.bias_ih_l0.grad, m.bias_hh_l0.grad]
    for name, got_g, r in zip(["x", "w_ih", "w_hh", "b_ih", "b_hh"], got, refs, strict=True):
        expect(got_g is not None, f"no gradient reached {name}", kind="wrong_gradient")
        expect_close(got_g, r, name=f"d h_T / d {name}", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_gru_saturates(learner, device, dtype):
    """huge inputs keep every state finite and equal to nn.GRU's"""
    w = _weights(3, 4, dtype, device, seed=20, scale=1.0)
    x, h0 = _data(5, 3, 3, 4, dtype, device, seed=21, scale=1000.0)
    ref_out, ref_h = _ref_gru(w, x, h0)
    out, h_last = _unpack(learner.gru(x, h0, *w), "gru(x * 1000, ...)")
    expect_close(out, ref_out, name="outputs for inputs of size 1e3")


def test_does_not_use_builtin(learner):
    """does not call nn.GRU, nn.GRUCell, torch.gru or torch.gru_cell"""
    learner.check_forbidden()

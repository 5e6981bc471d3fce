"""Hidden suite: lesson11.adaround."""

import itertools

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _hessian(n, seed, corr=0.8):
    """X^T X / m for inputs X whose columns share a common part: a symmetric, strongly coupled Hessian."""
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(64, 1, generator=g, dtype=torch.float64)
    x = corr * base + (1 - corr) * torch.randn(64, n, generator=g, dtype=torch.float64)
    x = x * (0.5 + torch.rand(n, generator=g, dtype=torch.float64))
    return x.T @ x / 64


def _weights(n, seed, scale):
    g = torch.Generator().manual_seed(seed + 100)
    return torch.randn(n, generator=g, dtype=torch.float64) * 3 * scale


def _ref_cost(w, w_q, hessian, grad=None):
    """Term by term in float64: sum_i g_i dw_i + 1/2 sum_ij dw_i H_ij dw_j."""
    dw = (w_q.double() - w.double()).reshape(-1, w.shape[0]).cpu().tolist()
    h = hessian.double().cpu().tolist()
    g = None if grad is None else grad.double().cpu().tolist()
    n = len(h)
    out = []
    for row in dw:
        c = 0.5 * sum(row[i] * h[i][j] * row[j] for i in range(n) for j in range(n))
        if g is not None:
            c += sum(g[i] * row[i] for i in range(n))
        out.append(c)
    return torch.tensor(out, dtype=torch.float64).reshape(w_q.shape[:-1])


def _ref_best(w, scale, hessian, grad=None):
    """Every up/down pattern tried in float64; the cheapest candidate."""
    low = torch.floor(w.double() / scale)
    best, best_cost = None, None
    for bits in itertools.product([0.0, 1.0], repeat=w.shape[0]):
        cand = (low + torch.tensor(bits, dtype=torch.float64)) * scale
        cost = float(_ref_cost(w.double(), cand, hessian.double(), None if grad is None else grad.double()))
        if best_cost is None or cost < best_cost:
            best, best_cost = cand, cost
    return best


def _cost_backward(mod, w, w_q, hessian, grad, up):
    """Back-propagate ``up`` through the learner's rounding_cost; return the gradients of w, w_q and hessian."""
    leaves = [t.clone().requires_grad_(True) for t in (w, w_q, hessian)]
    cost = mod.rounding_cost(leaves[0], leaves[1], leaves[2], grad)
    (cost * up).sum().backward()
    return [t.grad for t in leaves]


# ---------------------------------------------------------------- rounding_cost


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_cost_matches_formula(learner, device, dtype):
    """rounding_cost of one candidate is 1/2 dw^T H dw when there is no gradient"""
    h = _hessian(6, seed=0)
    w = _weights(6, seed=0, scale=0.1)
    w_q = torch.round(w / 0.1) * 0.1
    got = learner.rounding_cost(w.to(device, dtype), w_q.to(device, dtype), h.to(device, dtype), None)
    expect_close(got, _ref_cost(w, w_q, h).to(device, dtype), name="rounding_cost(w, w_q, H)")


def test_cost_with_gradient(learner, device):
    """with a gradient g, the cost gains the first-order term g . dw"""
    h = _hessian(5, seed=1)
    w = _weights(5, seed=1, scale=0.2)
    w_q = torch.floor(w / 0.2) * 0.2
    grad = torch.randn(5, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    got = learner.rounding_cost(w.to(device), w_q.to(device), h.to(device), grad.to(device))
    expect_close(got, _ref_cost(w, w_q, h, grad).to(device), name="rounding_cost(w, w_q, H, g)")


def test_cost_many_candidates(learner, device):
    """a batch of candidates (3, 4, n) gives a (3, 4) tensor of costs, one per candidate"""
    h = _hessian(5, seed=3)
    w = _weights(5, seed=3, scale=0.5)
    g = torch.Generator().manual_seed(4)
    w_q = (torch.floor(w / 0.5) + torch.randint(0, 2, (3, 4, 5), generator=g).double()) * 0.5
    grad = torch.randn(5, generator=g, dtype=torch.float64)
    got = learner.rounding_cost(w.to(device), w_q.to(device), h.to(device), grad.to(device))
    expect_close(got, _ref_cost(w, w_q, h, grad).to(device), name="rounding_cost of a (3, 4, 5) batch of candidates")


def test_cost_gradient(learner, device):
    """gradients with respect to w, w_q and H match autograd's (float64)"""
    h = _hessian(4, seed=5)
    w = _weights(4, seed=5, scale=0.3)
    g = torch.Generator().manual_seed(6)
    w_q = (torch.floor(w / 0.3) + torch.randint(0, 2, (3, 4), generator=g).double()) * 0.3
    grad = torch.randn(4, generator=g, dtype=torch.float64)
    up = torch.randn(3, generator=g, dtype=torch.float64)
    got = learner.run(
        _cost_backward,
        w.to(device),
        w_q.to(device),
        h.to(device),
        grad.to(device),
        up.to(device),
        label="rounding_cost(w, w_q (3, 4), H, g).backward(upstream)",
    )
    leaves = [t.clone().requires_grad_(True) for t in (w, w_q, h)]
    dw = leaves[1] - leaves[0]
    cost = 0.5 * torch.einsum("pi,ij,pj->p", dw, leaves[2], dw) + dw @ grad
    (cost * up).sum().backward()
    for name, got_g, leaf in zip(["w", "w_q", "hessian"], got, leaves, strict=True):
        expect(got_g is not None, f"no gradient reached {name}", kind="wrong_gradient")
        expect_close(got_g, leaf.grad.to(device), name=f"d cost / d {name}", kind="wrong_gradient")


# ---------------------------------------------------------------- best_rounding


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_two_coupled_weights(learner, device, scale):
    """weights at 0.4 and 0.45 steps with H = [[1, 0.9], [0.9, 1]]: the best rounding is (down, up), not nearest"""
    w = torch.tensor([0.4, 0.45], dtype=torch.float64) * scale
    h = torch.tensor([[1.0, 0.9], [0.9, 1.0]], dtype=torch.float64)
    got = learner.best_rounding(w.to(device), scale, h.to(device), None)
    expected = torch.tensor([0.0, 1.0], dtype=torch.float64, device=device) * scale
    expect_close(got, expected, name=f"best_rounding([0.4, 0.45] * {scale}, scale={scale}, H)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_best_matches_brute_force(learner, device, dtype):
    """8 weights with a strongly coupled Hessian: the cheapest of all 256 roundings, which is not the nearest one"""
    h = _hessian(8, seed=2)
    w = _weights(8, seed=2, scale=0.25)
    got = learner.best_rounding(w.to(device, dtype), 0.25, h.to(device, dtype), None)
    expect_close(got, _ref_best(w, 0.25, h).to(device, dtype), name="best_rounding of 8 coupled weights")


def test_best_other_case(learner, device):
    """another set of 8 coupled weights, where the best rounding sends weights above half a step down"""
    h = _hessian(8, seed=0)
    w = _weights(8, seed=0, scale=0.25)
    got = learner.best_rounding(w.to(device), 0.25, h.to(device), None)
    expect_close(got, _ref_best(w, 0.25, h).to(device), name="best_rounding of 8 coupled weights")


def test_diagonal_hessian_gives_nearest(learner, device):
    """with a diagonal Hessian the best rounding is rounding to nearest"""
    g = torch.Generator().manual_seed(7)
    w = torch.tensor([0.3, -1.2, 2.6, -0.45, 1.05, 0.8], dtype=torch.float64)
    h = torch.diag(0.5 + torch.rand(6, generator=g, dtype=torch.float64))
    got = learner.best_rounding(w.to(device), 0.5, h.to(device), None)
    expect_close(got, (torch.round(w / 0.5) * 0.5).to(device), name="best_rounding with a diagonal H")


def test_best_with_gradient(learner, device):
    """a gradient term shifts the choice: the cheapest rounding under g . dw + 1/2 dw^T H dw"""
    h = _hessian(6, seed=3)
    w = _weights(6, seed=3, scale=0.25)
    grad = torch.tensor([0.05, -0.04, 0.03, 0.06, -0.05, 0.02], dtype=torch.float64)
    got = learner.best_rounding(w.to(device), 0.25, h.to(device), grad.to(device))
    expect_close(got, _ref_best(w, 0.25, h, grad).to(device), name="best_rounding(w, 0.25, H, g)")


@pytest.mark.parametrize("value,expected", [(0.7, 1.0), (-0.7, -1.0), (0.2, 0.0)], ids=["up", "negative_down", "down"])
def test_single_weight(learner, device, value, expected):
    """one weight with a positive curvature is rounded to its nearest level"""
    w = torch.tensor([value], dtype=torch.float64, device=device)
    h = torch.tensor([[2.0]], dtype=torch.float64, device=device)
    got = learner.best_rounding(w, 1.0, h, None)
    expect_close(got, torch.tensor([expected], dtype=torch.float64, device=device), name=f"best_rounding([{value}])")

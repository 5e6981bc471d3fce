"""Hidden suite: lesson11.magnitude_pruning."""

import pytest
import torch
from torch import nn
from torch.nn.utils import prune

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _reference(tensors, sparsity):
    """Keep-masks from the definition: rank (|w|, position in the concatenation), prune the first k."""
    flat = torch.cat([t.detach().cpu().double().abs().flatten() for t in tensors]).tolist()
    k = int(sparsity * len(flat))
    keep = [True] * len(flat)
    for _, i in sorted((v, i) for i, v in enumerate(flat))[:k]:
        keep[i] = False
    out, start = [], 0
    for t in tensors:
        n = t.numel()
        out.append(torch.tensor(keep[start : start + n], dtype=torch.bool).reshape(t.shape).to(t.device))
        start += n
    return out


def _weights(shape, dtype, device, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _torch_l1_mask(w, k):
    """The mask torch.nn.utils.prune.l1_unstructured builds when asked to prune exactly k weights."""
    lin = nn.Linear(w.shape[1], w.shape[0], bias=False, dtype=w.dtype, device=w.device)
    with torch.no_grad():
        lin.weight.copy_(w)
    prune.l1_unstructured(lin, "weight", amount=k)
    return lin.weight_mask.bool()


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_per_layer_matches_torch(learner, device, dtype):
    """prune_by_magnitude matches torch's l1_unstructured on weights without ties"""
    w = _weights((6, 10), dtype, device)
    got = _call_unchanged(learner, "prune_by_magnitude", [w, 0.35], ["w", "sparsity"])
    expect_close(got, _torch_l1_mask(w, 21), name="the mask at sparsity 0.35 of 60 weights (21 pruned)")


@pytest.mark.parametrize("sparsity,n", [(0.5, 7), (0.55, 10), (0.999, 10), (0.0, 9), (1.0, 9)])
def test_count_is_floor(learner, device, sparsity, n):
    """exactly floor(sparsity * n) weights are pruned (0 and 1 included)"""
    w = _weights((n,), torch.float64, device, seed=n)
    got = learner.prune_by_magnitude(w, sparsity)
    expect_close(
        got,
        _reference([w], sparsity)[0],
        name=f"the mask at sparsity {sparsity} of {n} weights ({int(sparsity * n)} pruned)",
    )


def test_uses_magnitude_not_value(learner, device):
    """large negative weights are kept; small ones of either sign are pruned"""
    w = torch.tensor([-5.0, 0.1, -0.2, 3.0, -0.05, 0.3, -4.0, 2.0], device=device)
    got = learner.prune_by_magnitude(w, 0.5)
    expected = torch.tensor([True, False, False, True, False, False, True, True], device=device)
    expect_close(got, expected, name="the mask of [-5, 0.1, -0.2, 3, -0.05, 0.3, -4, 2] at sparsity 0.5")


def test_ties_prune_lower_index_first(learner, device):
    """with tied magnitudes, exactly k are pruned, lower flat index first"""
    w = torch.tensor([[0.5, -0.5, 2.0], [0.5, 1.0, -0.5]], dtype=torch.float64, device=device)
    got = learner.prune_by_magnitude(w, 0.5)
    expected = torch.tensor([[False, False, True], [False, True, True]], device=device)
    expect_close(got, expected, name="the mask of [[0.5, -0.5, 2], [0.5, 1, -0.5]] at sparsity 0.5 (3 pruned)")
    w = torch.zeros(10, device=device)
    got = learner.prune_by_magnitude(w, 0.3)
    expect_close(got, _reference([w], 0.3)[0], name="the mask of 10 zeros at sparsity 0.3")


def test_shapes(learner, device):
    """the mask has the shape of w (4-D conv weight and a single weight)"""
    w = _weights((3, 2, 3, 3), torch.float32, device, seed=1)
    expect_close(learner.prune_by_magnitude(w, 0.6), _reference([w], 0.6)[0], name="the mask of a (3, 2, 3, 3) weight")
    w = torch.tensor([0.7], device=device)
    expect_close(
        learner.prune_by_magnitude(w, 0.5),
        torch.tensor([True], device=device),
        name="the mask of one weight at sparsity 0.5",
    )


def test_extreme_magnitudes(learner, device):
    """magnitudes from 1e-30 to 1e30 are ranked correctly"""
    g = torch.Generator().manual_seed(2)
    exps = torch.randperm(61, generator=g).double() - 30
    signs = torch.where(torch.rand(61, generator=g) < 0.5, -1.0, 1.0).double()
    w = (signs * 10.0**exps).to(device, torch.float32)
    expect_close(learner.prune_by_magnitude(w, 0.4), _reference([w], 0.4)[0], name="the mask of +-1e-30 .. 1e30")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_global_matches_torch(learner, device, dtype):
    """prune_global matches torch's global_unstructured on weights without ties"""
    ws = [
        _weights((4, 5), dtype, device, seed=3, scale=0.1),
        _weights((3, 8), dtype, device, seed=4),
        _weights((6, 2), dtype, device, seed=5, scale=3.0),
    ]
    got = _call_unchanged(learner, "prune_global", [ws, 0.5], ["weights", "sparsity"])
    layers = []
    for w in ws:
        lin = nn.Linear(w.shape[1], w.shape[0], bias=False, dtype=w.dtype, device=w.device)
        with torch.no_grad():
            lin.weight.copy_(w)
        layers.append(lin)
    prune.global_unstructured([(m, "weight") for m in layers], pruning_method=prune.L1Unstructured, amount=28)
    expected = [m.weight_mask.bool() for m in layers]
    expect_close(got, expected, name="the global masks at sparsity 0.5 of 56 weights")


def test_global_is_not_per_layer(learner, device):
    """a layer of small weights loses more of them than a layer of large weights"""
    small = torch.tensor([0.01, -0.02, 0.03, 0.04], device=device)
    large = torch.tensor([10.0, -20.0, 0.05, 40.0], device=device)
    got = learner.prune_global([small, large], 0.5)
    expected = [
        torch.tensor([False, False, False, False], device=device),
        torch.tensor([True, True, True, True], device=device),
    ]
    expect_close(got, expected, name="the global masks of [small, large] at sparsity 0.5")


def test_global_counts_and_ties(learner, device):
    """global pruning removes exactly floor(sparsity * total), earlier tensors first on ties"""
    a = torch.tensor([[1.0, 0.5], [0.5, 3.0]], dtype=torch.float64, device=device)
    b = torch.tensor([0.5, -0.5, 2.0], dtype=torch.float64, device=device)
    got = learner.prune_global([a, b], 0.5)  # 7 weights -> 3 pruned: the first three 0.5s
    expect_close(got, _reference([a, b], 0.5), name="the global masks with tied magnitudes (3 of 7 pruned)")


def test_global_shapes(learner, device):
    """global masks keep each tensor's shape (conv weight, bias vector)"""
    ws = [_weights((2, 3, 2, 2), torch.float32, device, seed=6), _weights((5,), torch.float32, device, seed=7)]
    expect_close(learner.prune_global(ws, 0.7), _reference(ws, 0.7), name="the global masks at sparsity 0.7")


def test_does_not_use_builtin(learner):
    """does not use torch.nn.utils.prune"""
    learner.check_forbidden()

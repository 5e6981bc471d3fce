"""Hidden suite: lesson12.gcn_layer."""

import pytest
import torch

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
ACTIVATIONS = {"none": None, "relu": torch.relu, "tanh": torch.tanh}


def _ref_norm(adj):
    """D^-1/2 (A + I) D^-1/2 in float64 with explicit diagonal matrices."""
    a = adj.to(torch.float64) + torch.eye(adj.shape[0], dtype=torch.float64, device=adj.device)
    d = torch.diag(a.sum(dim=1).pow(-0.5))
    return d @ a @ d


def _dense_from_edges(edges, n):
    adj = torch.zeros(n, n, dtype=torch.float64)
    for u, v in edges.t().tolist():
        adj[u, v] = 1.0
        adj[v, u] = 1.0
    return adj


def _random_graph(n, p, seed, weighted=False):
    """Symmetric, no self-loops; node n-1 is isolated."""
    g = torch.Generator().manual_seed(seed)
    upper = (torch.rand(n, n, generator=g) < p).double().triu(1)
    if weighted:
        upper = upper * (0.5 + 1.5 * torch.rand(n, n, generator=g, dtype=torch.float64))
    adj = upper + upper.t()
    adj[n - 1, :] = 0
    adj[:, n - 1] = 0
    return adj


# An undirected graph on 7 nodes: (0, 1) listed twice and also as (1, 0); node 5 and 6 isolated.
EDGES = torch.tensor([[0, 1, 1, 2, 3, 0, 2], [1, 0, 2, 3, 4, 1, 4]])


def _features(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64)


def _norm_inputs_after(mod, graph, num_nodes, dtype):
    mod.normalized_adjacency(graph, num_nodes, dtype)
    return graph


def _layer_inputs_after(mod, adj, h, weight, bias):
    mod.gcn_layer(adj, h, weight, bias, None)
    return [adj, h, weight, bias]


# ---------------------------------------------------------------- normalized_adjacency


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("weighted", [False, True], ids=["binary", "weighted"])
def test_dense_matches_reference(learner, device, dtype, weighted):
    """from a dense adjacency: matches D^-1/2 (A + I) D^-1/2 in float64"""
    adj = _random_graph(9, 0.4, seed=0, weighted=weighted)
    got = learner.normalized_adjacency(adj.to(device, dtype))
    expect_close(got, _ref_norm(adj).to(device, dtype), name="normalized_adjacency(A)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_dense_directed(learner, device, dtype):
    """a non-symmetric (directed, weighted) adjacency is used as given: degrees are its row sums"""
    g = torch.Generator().manual_seed(24)
    adj = (torch.rand(7, 7, generator=g) < 0.35).double() * (0.5 + torch.rand(7, 7, generator=g, dtype=torch.float64))
    adj.fill_diagonal_(0.0)
    got = learner.normalized_adjacency(adj.to(device, dtype))
    expect_close(got, _ref_norm(adj).to(device, dtype), name="normalized_adjacency(A) for a directed A")


@pytest.mark.parametrize("dtype", [None, torch.float64], ids=["default_dtype", "float64"])
def test_edge_list_matches_reference(learner, device, dtype):
    """from an edge list: undirected, repeated edges count once, isolated nodes kept"""
    expected = _ref_norm(_dense_from_edges(EDGES, 7)).to(device, dtype or torch.float32)
    got = learner.normalized_adjacency(EDGES.to(device), 7, dtype)
    expect_close(got, expected, name="normalized_adjacency(edges, num_nodes=7)")


def test_edge_list_one_direction(learner, device):
    """an edge listed in one direction only still connects both ways"""
    edges = torch.tensor([[0, 0, 3], [1, 2, 1]])
    expected = _ref_norm(_dense_from_edges(edges, 4)).to(device)
    got = learner.normalized_adjacency(edges.to(device), 4, torch.float64)
    expect_close(got, expected, name="normalized_adjacency(edges, num_nodes=4)")


def test_no_edges_gives_identity(learner, device):
    """a graph without edges: every node only has its self-loop, so the result is I"""
    edges = torch.zeros(2, 0, dtype=torch.int64, device=device)
    got = learner.normalized_adjacency(edges, 5, torch.float64)
    expect_close(got, torch.eye(5, dtype=torch.float64, device=device), name="normalized_adjacency of 5 lone nodes")
    dense = torch.zeros(3, 3, device=device)
    expect_close(learner.normalized_adjacency(dense), torch.eye(3, device=device), name="normalized_adjacency(zeros)")


def test_adjacency_gradient(learner, device):
    """the gradient w.r.t. the edge weights matches autograd's (float64)"""
    adj = _random_graph(6, 0.6, seed=1, weighted=True)
    upstream = _features((6, 6), seed=2)
    ref = adj.clone().requires_grad_(True)
    _ref_norm(ref).backward(upstream)
    _, (grad,) = learner.backward("normalized_adjacency", adj.to(device), wrt=(0,), upstream=upstream.to(device))
    expect_close(grad, ref.grad.to(device), name="d A_hat / d A", kind="wrong_gradient")


def test_normalization_inputs_unchanged(learner, device):
    """neither a dense adjacency nor an edge list is modified"""
    adj = _random_graph(5, 0.5, seed=3).to(device)
    after = learner.run(_norm_inputs_after, adj, None, None, label="normalized_adjacency(A)")
    expect_unchanged(adj, after, "the adjacency matrix")
    after = learner.run(_norm_inputs_after, EDGES.to(device), 7, None, label="normalized_adjacency(edges, 7)")
    expect_unchanged(EDGES, after, "the edge list")


# ---------------------------------------------------------------- gcn_layer


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("act", ["none", "relu", "tanh"])
@pytest.mark.parametrize("use_bias", [False, True], ids=["no_bias", "bias"])
def test_layer_matches_reference(learner, device, dtype, act, use_bias):
    """gcn_layer matches act(A_hat @ H @ W + b) computed in float64"""
    adj = _ref_norm(_random_graph(8, 0.4, seed=4))
    h, w, b = _features((8, 5), 5), _features((5, 3), 6), _features((3,), 7)
    ref = adj @ h @ w + (b if use_bias else 0)
    if ACTIVATIONS[act] is not None:
        ref = ACTIVATIONS[act](ref)
    args = [adj.to(device, dtype), h.to(device, dtype), w.to(device, dtype), b.to(device, dtype) if use_bias else None]
    got = learner.gcn_layer(*args, ACTIVATIONS[act])
    expect_close(got, ref.to(device, dtype), name=f"gcn_layer (activation {act}, {'with' if use_bias else 'no'} bias)")


@pytest.mark.parametrize("batch", [(3,), (2, 1)], ids=["3", "2x1"])
def test_layer_batch_shapes(learner, device, batch):
    """a batch of feature matrices (..., n, f_in) shares one graph"""
    adj = _ref_norm(_random_graph(6, 0.5, seed=8))
    h, w, b = _features((*batch, 6, 4), 9), _features((4, 2), 10), _features((2,), 11)
    ref = torch.relu(adj @ h @ w + b)
    got = learner.gcn_layer(adj.to(device), h.to(device), w.to(device), b.to(device), torch.relu)
    expect_close(got, ref.to(device), name=f"gcn_layer on features of shape {list(h.shape)}")


def test_layer_gradient(learner, device):
    """gradients w.r.t. features, weight, bias and adjacency match autograd's (float64)"""
    adj = _ref_norm(_random_graph(7, 0.5, seed=12))
    h, w, b = _features((7, 4), 13), _features((4, 3), 14), _features((3,), 15)
    upstream = _features((7, 3), 16)
    leaves = [t.clone().requires_grad_(True) for t in (adj, h, w, b)]
    torch.tanh(leaves[0] @ leaves[1] @ leaves[2] + leaves[3]).backward(upstream)
    _, grads = learner.backward(
        "gcn_layer",
        adj.to(device),
        h.to(device),
        w.to(device),
        b.to(device),
        torch.tanh,
        wrt=(0, 1, 2, 3),
        upstream=upstream.to(device),
    )
    for name, got, leaf in zip(["adj_norm", "h", "weight", "bias"], grads, leaves, strict=True):
        expect_close(got, leaf.grad.to(device), name=f"d out / d {name}", kind="wrong_gradient")


def test_two_layers_on_an_edge_list(learner, device):
    """two stacked layers on normalized_adjacency(edges) match the float64 reference"""
    adj = learner.normalized_adjacency(EDGES.to(device), 7, torch.float64)
    ref_adj = _ref_norm(_dense_from_edges(EDGES, 7))
    h, w1, w2 = _features((7, 6), 17), _features((6, 4), 18), _features((4, 2), 19)
    h1 = learner.gcn_layer(adj, h.to(device), w1.to(device), None, torch.relu)
    out = learner.gcn_layer(adj, h1, w2.to(device), None, None)
    ref = ref_adj @ torch.relu(ref_adj @ h @ w1) @ w2
    expect_close(out, ref.to(device), name="the output of two GCN layers")


def test_layer_inputs_unchanged(learner, device):
    """adjacency, features, weight and bias are not modified"""
    adj = _ref_norm(_random_graph(5, 0.5, seed=20))
    h, w, b = _features((5, 3), 21), _features((3, 2), 22), _features((2,), 23)
    after = learner.run(
        _layer_inputs_after,
        adj.to(device),
        h.to(device),
        w.to(device),
        b.to(device),
        label="gcn_layer(adj_norm, h, weight, bias)",
    )
    for name, before, got in zip(["adj_norm", "h", "weight", "bias"], [adj, h, w, b], after, strict=True):
        expect_unchanged(before, got, name)


def test_does_not_use_builtin(learner):
    """does not use a graph library's GCN layer or normalisation"""
    learner.check_forbidden()

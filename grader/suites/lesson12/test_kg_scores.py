"""Hidden suite: lesson12.kg_scores."""

import pytest
import torch

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
NUM_E, NUM_R, DIM = 7, 3, 5


def _embeddings(seed=0):
    g = torch.Generator().manual_seed(seed)
    ent = torch.randn(NUM_E, DIM, generator=g, dtype=torch.float64)
    rel = torch.randn(NUM_R, DIM, generator=g, dtype=torch.float64)
    return ent, rel


def _triples(shape, seed=1):
    g = torch.Generator().manual_seed(seed)
    h = torch.randint(0, NUM_E, shape, generator=g)
    r = torch.randint(0, NUM_R, shape, generator=g)
    t = torch.randint(0, NUM_E, shape, generator=g)
    return torch.stack([h, r, t], dim=-1)


def _ref_transe(ent, rel, triples, p):
    diff = ent[triples[..., 0]] + rel[triples[..., 1]] - ent[triples[..., 2]]
    return -torch.linalg.vector_norm(diff, ord=p, dim=-1)


def _ref_distmult(ent, rel, triples):
    return (ent[triples[..., 0]] * rel[triples[..., 1]] * ent[triples[..., 2]]).sum(-1)


def _ref(name, ent, rel, triples, p):
    return _ref_transe(ent, rel, triples, p) if name == "transe_score" else _ref_distmult(ent, rel, triples)


def _args(name, ent, rel, triples, p):
    return (ent, rel, triples, p) if name == "transe_score" else (ent, rel, triples)


SCORES = [("transe_score", 1), ("transe_score", 2), ("distmult_score", None)]
SCORE_IDS = ["transe_p1", "transe_p2", "distmult"]


def _inputs_after_call(mod, name, args):
    # Runs in the worker: the learner's function sees the very tensors returned here.
    getattr(mod, name)(*args)
    return list(args)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("p", [1, 2])
def test_transe_matches_reference(learner, device, dtype, p):
    """transe_score matches -||h + r - t||_p computed in float64"""
    ent, rel = _embeddings()
    triples = _triples((12,)).to(device)
    expected = _ref_transe(ent, rel, triples.cpu(), p).to(device, dtype)
    got = learner.transe_score(ent.to(device, dtype), rel.to(device, dtype), triples, p)
    expect_close(got, expected, name=f"transe_score(..., p={p})")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_distmult_matches_reference(learner, device, dtype):
    """distmult_score matches sum(h * r * t) computed in float64"""
    ent, rel = _embeddings(2)
    triples = _triples((12,), seed=3).to(device)
    expected = _ref_distmult(ent, rel, triples.cpu()).to(device, dtype)
    got = learner.distmult_score(ent.to(device, dtype), rel.to(device, dtype), triples)
    expect_close(got, expected, name="distmult_score")


@pytest.mark.parametrize("name,p", SCORES, ids=SCORE_IDS)
@pytest.mark.parametrize("shape", [(), (2, 3), (2, 1, 4), (0,)], ids=["one_triple", "2x3", "2x1x4", "empty"])
def test_batch_shapes(learner, device, name, p, shape):
    """any batch shape of triples (..., 3) gives scores of shape (...)"""
    ent, rel = _embeddings(4)
    triples = _triples(shape, seed=5)
    expected = _ref(name, ent, rel, triples, p).to(device)
    got = learner.call(name, *_args(name, ent.to(device), rel.to(device), triples.to(device), p))
    expect_close(got, expected, name=f"{name} for triples of shape {list(triples.shape)}")


@pytest.mark.parametrize("name,p", SCORES, ids=SCORE_IDS)
def test_gradient(learner, device, name, p):
    """gradients w.r.t. both embedding matrices match autograd's (float64)"""
    ent, rel = _embeddings(6)
    triples = _triples((4, 5), seed=7)
    upstream = torch.randn(4, 5, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    e_ref = ent.clone().requires_grad_(True)
    r_ref = rel.clone().requires_grad_(True)
    _ref(name, e_ref, r_ref, triples, p).backward(upstream)
    args = _args(name, ent.to(device), rel.to(device), triples.to(device), p)
    _, (g_ent, g_rel) = learner.backward(name, *args, wrt=(0, 1), upstream=upstream.to(device))
    expect_close(g_ent, e_ref.grad.to(device), name="d score / d entity_emb", kind="wrong_gradient")
    expect_close(g_rel, r_ref.grad.to(device), name="d score / d relation_emb", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("p", [1, 2])
def test_perfect_fit(learner, device, p, dtype):
    """a perfectly fitted triple (h + r = t) scores 0 with a finite, zero gradient"""
    ent = torch.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0], [1.5, -1.0, 2.0], [4.0, 0.0, -1.0]], dtype=torch.float64)
    rel = torch.tensor([[0.5, 1.0, 1.5], [-1.0, 2.0, 0.25]], dtype=torch.float64)
    # ent[0] + rel[0] == ent[2] exactly; the other triples are ordinary.
    triples = torch.tensor([[0, 0, 2], [1, 1, 3], [3, 0, 0], [0, 0, 2]])
    e_ref = ent.clone().requires_grad_(True)
    r_ref = rel.clone().requires_grad_(True)
    _ref_transe(e_ref, r_ref, triples, p).sum().backward()
    out, (g_ent, g_rel) = learner.backward(
        "transe_score", ent.to(device, dtype), rel.to(device, dtype), triples.to(device), p, wrt=(0, 1)
    )
    expect_close(out, _ref_transe(ent, rel, triples, p).to(device, dtype), name=f"transe_score(..., p={p})")
    expect_close(g_ent, e_ref.grad.to(device, dtype), name="d score / d entity_emb", kind="wrong_gradient")
    expect_close(g_rel, r_ref.grad.to(device, dtype), name="d score / d relation_emb", kind="wrong_gradient")


def test_distmult_is_symmetric(learner, device):
    """DistMult gives (h, r, t) and (t, r, h) the same score"""
    ent, rel = _embeddings(9)
    triples = _triples((10,), seed=10)
    swapped = triples[:, [2, 1, 0]]
    a = learner.distmult_score(ent.to(device), rel.to(device), triples.to(device))
    b = learner.distmult_score(ent.to(device), rel.to(device), swapped.to(device))
    expect_close(b, _ref_distmult(ent, rel, swapped).to(device), name="distmult_score of the swapped triples")
    expect_close(b, a, name="the swapped triples' scores compared with the originals'")


@pytest.mark.parametrize("name,p", SCORES, ids=SCORE_IDS)
def test_inputs_unchanged(learner, device, name, p):
    """the embeddings and the triples are not modified"""
    ent, rel = _embeddings(11)
    triples = _triples((6,), seed=12)
    args = _args(name, ent.to(device), rel.to(device), triples.to(device), p)
    after = learner.run(_inputs_after_call, name, args, label=f"{name}(...)")
    expect_unchanged(ent, after[0], "entity_emb")
    expect_unchanged(rel, after[1], "relation_emb")
    expect_unchanged(triples, after[2], "triples")


def test_does_not_use_builtin(learner):
    """does not call torch's norms, dist, cdist or pairwise_distance"""
    learner.check_forbidden()

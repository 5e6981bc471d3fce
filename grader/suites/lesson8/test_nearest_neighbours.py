"""Hidden suite: lesson8.nearest_neighbours."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]


def _call_and_return_inputs(mod, name, args):
    """Call ``mod.name(*args)`` in the worker and send back the result and the arguments afterwards."""
    out = getattr(mod, name)(*args)
    return {"out": out, "args": list(args)}


def _reference(emb, query, k):
    """Float64 cosine neighbours, ties ordered by index, written out row by row."""
    e = emb.detach().double().cpu()
    norms = e.norm(dim=1)
    flat = query.reshape(-1).cpu().tolist()
    all_idx, all_val = [], []
    for q in flat:
        scores = []
        for j in range(e.shape[0]):
            if j == q:
                continue
            denom = float(norms[q] * norms[j])
            s = float(e[q] @ e[j]) / denom if denom > 0 else 0.0
            scores.append((-s, j))
        scores.sort()
        all_idx.append([j for _, j in scores[:k]])
        all_val.append([-s for s, _ in scores[:k]])
    shape = tuple(query.shape) + (k,)
    idx = torch.tensor(all_idx, dtype=torch.int64).reshape(shape).to(emb.device)
    val = torch.tensor(all_val, dtype=torch.float64).reshape(shape).to(emb.device, emb.dtype)
    return idx, val


def _embeddings(n, d, seed):
    """Random directions with row lengths spread over four orders of magnitude."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    lengths = 10 ** (torch.rand(n, 1, generator=g, dtype=torch.float64) * 4 - 2)
    return x * lengths


def _check(got, emb, query, k, what):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"{what} should return a tuple (indices, sims)",
        kind="wrong_type",
    )
    idx, val = got
    ridx, rval = _reference(emb, query, k)
    # Similarities first: a wrong score explains a wrong ranking better than the other way round.
    expect_close(val, rval, name=f"{what}: sims")
    expect_close(idx, ridx, name=f"{what}: indices")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_matches_reference(learner, device, dtype):
    """indices and similarities match a float64 reference for 30 items of size 6"""
    emb = _embeddings(30, 6, seed=0).to(device, dtype)
    query = torch.tensor([0, 7, 29, 13, 7], device=device)
    _check(learner.cosine_neighbours(emb, query, 4), emb, query, 4, "cosine_neighbours(emb (30, 6), query (5,), k=4)")


def test_all_other_items(learner, device):
    """with k = n - 1 every other item is listed, negative similarities included, and never the item itself"""
    emb = _embeddings(9, 3, seed=1).to(device)
    query = torch.arange(9, device=device)
    got = learner.cosine_neighbours(emb, query, 8)
    _check(got, emb, query, 8, "cosine_neighbours(emb (9, 3), all 9 items, k=8)")


def test_length_does_not_matter(learner, device):
    """a long vector does not beat a short one pointing the same way: only directions count"""
    emb = torch.tensor(
        [[1.0, 0.1], [1000.0, 900.0], [0.01, 0.0011], [-5.0, 0.2], [0.3, 0.29]], dtype=torch.float64, device=device
    )
    query = torch.tensor([0, 4], device=device)
    _check(learner.cosine_neighbours(emb, query, 3), emb, query, 3, "cosine_neighbours(emb (5, 2), [0, 4], k=3)")


def test_zero_vectors(learner, device):
    """zero vectors score 0 against everything (no NaN), as queries and as candidates"""
    emb = _embeddings(8, 4, seed=2)
    emb[2] = 0.0
    emb[5] = 0.0
    emb = emb.to(device)
    query = torch.tensor([2, 0, 5], device=device)
    got = learner.cosine_neighbours(emb, query, 7)
    expect(
        isinstance(got, (tuple, list)) and len(got) == 2,
        "cosine_neighbours should return a tuple (indices, sims)",
        kind="wrong_type",
    )
    _check(got, emb, query, 7, "cosine_neighbours(emb with zero rows 2 and 5, [2, 0, 5], k=7)")


def test_ties_go_to_lower_index(learner, device):
    """equal similarities are listed lower index first"""
    # One-hot rows (some scaled) and zero rows: every similarity is exactly 1 or 0, so ties abound.
    g = torch.Generator().manual_seed(3)
    hot = torch.randint(0, 4, (40,), generator=g)
    emb = torch.zeros(40, 4, dtype=torch.float64)
    emb[torch.arange(40), hot] = torch.randint(1, 4, (40,), generator=g).double()
    emb[[6, 17, 31]] = 0.0
    emb = emb.to(device)
    query = torch.tensor([0, 6, 11, 39], device=device)
    _check(
        learner.cosine_neighbours(emb, query, 15),
        emb,
        query,
        15,
        "cosine_neighbours(one-hot emb (40, 4), [0, 6, 11, 39], k=15)",
    )


def test_query_shapes(learner, device):
    """a 0-d query gives results of shape (k,), a (2, 3) query results of shape (2, 3, k)"""
    emb = _embeddings(12, 5, seed=4).to(device)
    q0 = torch.tensor(3, device=device)
    _check(learner.cosine_neighbours(emb, q0, 2), emb, q0, 2, "cosine_neighbours(emb, query=tensor(3), k=2)")
    q2 = torch.tensor([[0, 1, 2], [11, 1, 5]], device=device)
    _check(learner.cosine_neighbours(emb, q2, 3), emb, q2, 3, "cosine_neighbours(emb, query (2, 3), k=3)")


def test_inputs_unchanged(learner, device):
    """emb and query are left unmodified"""
    emb = _embeddings(10, 3, seed=5).to(device)
    query = torch.tensor([1, 4], device=device)
    res = learner.run(
        _call_and_return_inputs,
        "cosine_neighbours",
        [emb, query, 3],
        label="cosine_neighbours(emb (10, 3), [1, 4], k=3)",
    )
    expect_unchanged(emb, res["args"][0], "emb")
    expect_unchanged(query, res["args"][1], "query")


def test_does_not_use_builtin(learner):
    """does not call F.cosine_similarity or nn.CosineSimilarity"""
    learner.check_forbidden()

"""Hidden suite: lesson12.link_metrics."""

import math

import pytest
import torch

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
INF = math.inf


def _ref_ranks(scores, target, known):
    """Brute force in float64: 1 + #better + #tied / 2 over unfiltered candidates other than the target."""
    num = scores.shape[-1]
    s = scores.detach().cpu().double().reshape(-1, num)
    t = target.cpu().reshape(-1)
    k = torch.zeros_like(s, dtype=torch.bool) if known is None else known.cpu().reshape(-1, num)
    out = []
    for i in range(s.shape[0]):
        ts = s[i, t[i]].item()
        better = tied = 0
        for c in range(num):
            if c == int(t[i]) or bool(k[i, c]):
                continue
            v = s[i, c].item()
            if v > ts:
                better += 1
            elif v == ts:
                tied += 1
        out.append(1 + better + tied / 2)
    return torch.tensor(out, dtype=torch.float64).reshape(target.shape).to(scores.device, scores.dtype)


def _case(shape, num, seed, levels=6):
    """Integer-valued scores (many ties), random targets, a random filter that sometimes marks the target."""
    g = torch.Generator().manual_seed(seed)
    scores = torch.randint(0, levels, (*shape, num), generator=g).double()
    target = torch.randint(0, num, shape, generator=g)
    known = torch.rand((*shape, num), generator=g) < 0.3
    marks_target = torch.rand(shape, generator=g) < 0.5
    known.scatter_(-1, target.unsqueeze(-1), marks_target.unsqueeze(-1))
    return scores, target, known


def _inputs_after_call(mod, scores, target, known):
    mod.ranks_filtered(scores, target, known)
    return [scores, target, known]


# ---------------------------------------------------------------- ranks_filtered


def test_filtering_changes_the_rank(learner, device):
    """hand-built queries where filtering other true tails moves the rank up"""
    scores = torch.tensor(
        [
            [0.9, 0.8, 0.7, 0.1, 0.75],  # target 2; 0 is another true tail
            [0.2, 0.95, 0.3, 0.6, 0.99],  # target 2; 1, 4 and the target are known
            [0.5, 0.4, 0.3, 0.2, 0.1],  # target 0; already first
        ],
        dtype=torch.float64,
    ).to(device)
    target = torch.tensor([2, 2, 0], device=device)
    known = torch.tensor(
        [
            [True, False, False, False, False],
            [False, True, True, False, True],
            [False, True, False, False, False],
        ],
        device=device,
    )
    raw = torch.tensor([4.0, 4.0, 1.0], dtype=torch.float64, device=device)
    filtered = torch.tensor([3.0, 2.0, 1.0], dtype=torch.float64, device=device)
    expect_close(learner.ranks_filtered(scores, target, None), raw, name="raw ranks (known=None)")
    expect_close(learner.ranks_filtered(scores, target, known), filtered, name="filtered ranks")


def test_ties_get_the_mean_rank(learner, device):
    """ties share their positions: the true tail gets the mean of its best and worst rank"""
    scores = torch.tensor(
        [
            [1.0, 1.0, 1.0, 0.0],  # target 0 tied with 1 and 2: rank (1 + 3) / 2
            [1.0, 1.0, 1.0, 0.0],  # same, but candidate 1 is filtered: rank (1 + 2) / 2
            [2.0, 2.0, 2.0, 2.0],  # a constant scorer: the middle of 1..4
            [3.0, 1.0, 1.0, 1.0],  # one better, two tied: (2 + 4) / 2
        ],
        dtype=torch.float64,
    ).to(device)
    target = torch.tensor([0, 0, 3, 1], device=device)
    known = torch.zeros(4, 4, dtype=torch.bool, device=device)
    known[1, 1] = True
    expected = torch.tensor([2.0, 1.5, 2.5, 3.0], dtype=torch.float64, device=device)
    expect_close(learner.ranks_filtered(scores, target, known), expected, name="ranks with ties")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_ranks_match_reference(learner, device, dtype):
    """filtered ranks of 40 queries over 30 candidates match a brute-force count"""
    scores, target, known = _case((40,), 30, seed=0)
    scores, target, known = scores.to(device, dtype), target.to(device), known.to(device)
    expected = _ref_ranks(scores, target, known)
    expect_close(learner.ranks_filtered(scores, target, known), expected, name="filtered ranks")
    expect_close(learner.ranks_filtered(scores, target, None), _ref_ranks(scores, target, None), name="raw ranks")


@pytest.mark.parametrize("shape", [(2, 3), (), (1, 1, 4)], ids=["2x3", "one_query", "1x1x4"])
def test_batch_shapes(learner, device, shape):
    """any leading batch shape (..., E) gives ranks of shape (...)"""
    scores, target, known = _case(shape, 12, seed=1, levels=4)
    scores, target, known = scores.to(device), target.to(device), known.to(device)
    expect_close(
        learner.ranks_filtered(scores, target, known),
        _ref_ranks(scores, target, known),
        name=f"filtered ranks for scores of shape {list(scores.shape)}",
    )


def test_infinite_scores(learner, device):
    """scores of -inf and +inf rank correctly, filtered candidates included"""
    scores = torch.tensor(
        [
            [-INF, -INF, 0.5, -INF, 1.0],  # target 0 at -inf; 1 tied, 3 filtered
            [INF, 2.0, INF, -INF, 0.0],  # target 1; 0 is +inf and filtered, 2 is +inf
            [-INF, -INF, -INF, -INF, -INF],  # all -inf, two filtered, the target among them
        ],
        dtype=torch.float64,
    ).to(device)
    target = torch.tensor([0, 1, 2], device=device)
    known = torch.tensor(
        [
            [False, False, False, True, False],
            [True, False, False, False, False],
            [True, False, True, True, False],
        ],
        device=device,
    )
    expected = torch.tensor([3.5, 2.0, 2.0], dtype=torch.float64, device=device)
    expect_close(learner.ranks_filtered(scores, target, known), expected, name="ranks with infinite scores")


def test_inputs_unchanged(learner, device):
    """scores, targets and the filter mask are not modified"""
    scores, target, known = _case((6,), 8, seed=2)
    scores, target, known = scores.to(device), target.to(device), known.to(device)
    after = learner.run(_inputs_after_call, scores, target, known, label="ranks_filtered(scores, target, known)")
    expect_unchanged(scores, after[0], "scores")
    expect_unchanged(target, after[1], "target")
    expect_unchanged(known, after[2], "known")


# ---------------------------------------------------------------- mrr and hits@k


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_mrr_and_hits_by_hand(learner, device, dtype):
    """MRR and Hits@1, @3, @10 of the ranks [1, 2.5, 3, 10, 40]"""
    ranks = torch.tensor([1.0, 2.5, 3.0, 10.0, 40.0], dtype=dtype, device=device)
    mrr = (1 + 1 / 2.5 + 1 / 3 + 1 / 10 + 1 / 40) / 5
    expect_close(learner.mrr(ranks), torch.tensor(mrr, dtype=dtype, device=device), name="mrr")
    for k, frac in [(1, 0.2), (3, 0.6), (10, 0.8), (2, 0.2)]:
        expect_close(
            learner.hits_at_k(ranks, k), torch.tensor(frac, dtype=dtype, device=device), name=f"hits_at_k(ranks, {k})"
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_metrics_match_reference(learner, device, dtype):
    """MRR and Hits@k of a batch of filtered ranks match a float64 computation"""
    scores, target, known = _case((5, 8), 25, seed=3, levels=10)
    ranks = _ref_ranks(scores, target, known)  # float64
    ranks_d = ranks.to(device, dtype)
    expect_close(learner.mrr(ranks_d), (1 / ranks).mean().to(device, dtype), name="mrr of a (5, 8) batch")
    for k in (1, 3, 10):
        expected = (ranks <= k).double().mean().to(device, dtype)
        expect_close(learner.hits_at_k(ranks_d, k), expected, name=f"hits_at_k of a (5, 8) batch, k={k}")


def test_does_not_use_builtin(learner):
    """counts comparisons instead of calling sort, argsort or topk"""
    learner.check_forbidden()

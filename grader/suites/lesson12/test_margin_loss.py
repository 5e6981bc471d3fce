"""Hidden suite: lesson12.margin_loss."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import describe, expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]


def _ref_loss(pos, neg, margin, reduction):
    pos64, neg64 = pos.to(torch.float64), neg.to(torch.float64)
    if neg64.dim() == pos64.dim() + 1:
        pos64 = pos64.unsqueeze(-1).expand_as(neg64)
    out = F.margin_ranking_loss(pos64, neg64, torch.ones_like(neg64), margin=margin, reduction=reduction)
    return out.to(pos.dtype)


def _scores(shape, seed, scale=2.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64) * scale


def _triples(n, num_entities, num_relations, seed):
    g = torch.Generator().manual_seed(seed)
    shape = n if isinstance(n, tuple) else (n,)
    return torch.stack(
        [
            torch.randint(0, num_entities, shape, generator=g),
            torch.randint(0, num_relations, shape, generator=g),
            torch.randint(0, num_entities, shape, generator=g),
        ],
        dim=-1,
    )


# ---------------------------------------------------------------- scenarios (run in the worker)


def _corrupt(mod, triples, num_entities, seed):
    import torch

    g = torch.Generator(device=triples.device).manual_seed(seed)
    return mod.corrupt_triples(triples, num_entities, g)


def _corrupt_twice(mod, triples, num_entities, seed_a, seed_b):
    import torch

    a = mod.corrupt_triples(triples, num_entities, torch.Generator(device=triples.device).manual_seed(seed_a))
    b = mod.corrupt_triples(triples, num_entities, torch.Generator(device=triples.device).manual_seed(seed_b))
    return [a, b]


def _corrupt_inputs_after(mod, triples, num_entities, seed):
    import torch

    mod.corrupt_triples(triples, num_entities, torch.Generator(device=triples.device).manual_seed(seed))
    return triples


def _loss_inputs_after(mod, pos, neg, margin, reduction):
    mod.margin_ranking_loss(pos, neg, margin, reduction)
    return [pos, neg]


# ---------------------------------------------------------------- helpers


def _check_negatives(got, triples, num_entities, what):
    """Shape, dtype, device, range, and 'exactly one side replaced by another entity'."""
    expect(
        isinstance(got, torch.Tensor),
        f"{what} should return a torch.Tensor, got {describe(got)}",
        kind="wrong_type",
    )
    expect(
        tuple(got.shape) == tuple(triples.shape),
        f"{what} returned shape {list(got.shape)}, expected {list(triples.shape)} (the shape of triples)",
        kind="wrong_shape",
    )
    expect(got.dtype == torch.int64, f"{what} returned dtype {got.dtype}, expected torch.int64", kind="wrong_dtype")
    expect(
        got.device.type == triples.device.type,
        f"{what} returned a tensor on {got.device}, expected {triples.device} (create it on triples.device)",
        kind="wrong_device",
    )
    got, triples = got.cpu(), triples.cpu()
    expect(
        bool((got[..., 1] == triples[..., 1]).all()),
        f"{what} changed some relation ids; only the head or the tail may be replaced",
    )
    inside = (got[..., [0, 2]] >= 0) & (got[..., [0, 2]] < num_entities)
    expect(bool(inside.all()), f"{what} produced entity ids outside [0, {num_entities})")
    head_changed = got[..., 0] != triples[..., 0]
    tail_changed = got[..., 2] != triples[..., 2]
    n_same = int((~head_changed & ~tail_changed).sum())
    n_both = int((head_changed & tail_changed).sum())
    expect(
        n_same == 0,
        f"{what} returned {n_same} of {triples[..., 0].numel()} triples unchanged; "
        f"the replacement entity must differ from the one it replaces",
    )
    expect(n_both == 0, f"{what} replaced both head and tail in {n_both} triples; replace exactly one side")
    return head_changed


# ---------------------------------------------------------------- margin_ranking_loss


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_loss_matches_reference(learner, device, dtype, reduction, margin):
    """margin_ranking_loss matches F.margin_ranking_loss with target +1"""
    pos = _scores((16,), 0).to(device, dtype)
    neg = _scores((16,), 1).to(device, dtype)
    got = learner.margin_ranking_loss(pos, neg, margin, reduction)
    expect_close(got, _ref_loss(pos, neg, margin, reduction), name=f"the loss (margin={margin}, {reduction})")


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize(
    "pos_shape,neg_shape",
    [((5,), (5, 5)), ((2, 3), (2, 3, 4)), ((2, 3), (2, 3))],
    ids=["5_vs_5x5", "2x3_vs_2x3x4", "2x3"],
)
def test_loss_shapes(learner, device, reduction, pos_shape, neg_shape):
    """batches of positives, with one or K negatives each"""
    pos = _scores(pos_shape, 2).to(device)
    neg = _scores(neg_shape, 3).to(device)
    got = learner.margin_ranking_loss(pos, neg, 1.0, reduction)
    expect_close(
        got,
        _ref_loss(pos, neg, 1.0, reduction),
        name=f"the loss for pos {list(pos_shape)} and neg {list(neg_shape)} ({reduction})",
    )


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_loss_gradient(learner, device, reduction):
    """gradients w.r.t. positive and negative scores match autograd's (float64)"""
    pos = _scores((4, 6), 4)
    neg = pos - torch.tensor([-2.0, -0.5, 0.3, 0.6, 0.9, 1.7], dtype=torch.float64)  # gap per column
    margin = 1.0
    p_ref = pos.clone().requires_grad_(True)
    n_ref = neg.clone().requires_grad_(True)
    F.margin_ranking_loss(p_ref, n_ref, torch.ones_like(neg), margin=margin, reduction=reduction).backward()
    _, (g_pos, g_neg) = learner.backward(
        "margin_ranking_loss", pos.to(device), neg.to(device), margin, reduction, wrt=(0, 1)
    )
    expect_close(g_pos, p_ref.grad.to(device), name="d loss / d pos_scores", kind="wrong_gradient")
    expect_close(g_neg, n_ref.grad.to(device), name="d loss / d neg_scores", kind="wrong_gradient")


def test_loss_gradient_k_negatives(learner, device):
    """with K negatives each, a positive collects the gradient of all its pairs"""
    pos = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    neg = torch.tensor([[0.0, 1.2, -3.0], [-0.4, -2.7, 0.1], [2.2, 0.05, 1.5]], dtype=torch.float64)
    p_ref = pos.clone().requires_grad_(True)
    n_ref = neg.clone().requires_grad_(True)
    F.margin_ranking_loss(p_ref[:, None].expand_as(neg), n_ref, torch.ones_like(neg), margin=1.0).backward()
    _, (g_pos, g_neg) = learner.backward("margin_ranking_loss", pos.to(device), neg.to(device), 1.0, "mean", wrt=(0, 1))
    expect_close(g_pos, p_ref.grad.to(device), name="d loss / d pos_scores", kind="wrong_gradient")
    expect_close(g_neg, n_ref.grad.to(device), name="d loss / d neg_scores", kind="wrong_gradient")


def test_separated_pairs_cost_nothing(learner, device):
    """pairs separated by more than the margin give zero loss and zero gradient"""
    pos = torch.tensor([3.0, 0.0, -1.0, 10.0], dtype=torch.float64)
    neg = torch.tensor([1.5, -2.0, -5.0, 0.0], dtype=torch.float64)
    out, (g_pos, g_neg) = learner.backward(
        "margin_ranking_loss", pos.to(device), neg.to(device), 1.0, "sum", wrt=(0, 1)
    )
    expect_close(out, torch.tensor(0.0, dtype=torch.float64, device=device), name="the loss")
    expect_close(
        g_pos, torch.zeros(4, dtype=torch.float64, device=device), name="d loss / d pos", kind="wrong_gradient"
    )
    expect_close(
        g_neg, torch.zeros(4, dtype=torch.float64, device=device), name="d loss / d neg", kind="wrong_gradient"
    )


@pytest.mark.parametrize("dtype,size", [(torch.float32, 1e8), (torch.float64, 1e17)], ids=["float32", "float64"])
def test_large_scores_keep_the_margin(learner, device, dtype, size):
    """huge scores (1e8 in float32, 1e17 in float64): equal positive and negative still cost exactly the margin"""
    pos = torch.tensor([size, -30 * size, 2.5 * size, 7.0], dtype=torch.float64)
    neg = pos.clone()
    neg[2] = pos[2] - (64.0 if dtype == torch.float32 else 1024.0)  # a clear win, exact at this size
    pos, neg = pos.to(device, dtype), neg.to(device, dtype)
    got = learner.margin_ranking_loss(pos, neg, 1.0, "none")
    expect_close(got, _ref_loss(pos, neg, 1.0, "none"), name=f"the per-pair loss at |score| = {size:g}")


def test_loss_inputs_unchanged(learner, device):
    """the score tensors are not modified"""
    pos = _scores((6,), 5).to(device)
    neg = _scores((6,), 6).to(device)
    after = learner.run(_loss_inputs_after, pos, neg, 1.0, "mean", label="margin_ranking_loss(pos, neg, 1.0, 'mean')")
    expect_unchanged(pos, after[0], "pos_scores")
    expect_unchanged(neg, after[1], "neg_scores")


# ---------------------------------------------------------------- corrupt_triples


@pytest.mark.parametrize("shape", [(300,), (4, 5), ()], ids=["300", "4x5", "one_triple"])
def test_corrupt_replaces_exactly_one_side(learner, device, shape):
    """each negative differs from its triple in exactly one of head or tail"""
    triples = _triples(shape, 10, 4, seed=7).to(device)
    got = learner.run(_corrupt, triples, 10, 0, label=f"corrupt_triples(triples {list(triples.shape)}, 10, generator)")
    _check_negatives(got, triples, 10, "corrupt_triples")


@pytest.mark.parametrize("shape", [(4000,), (40, 100)], ids=["4000", "40x100"])
def test_corrupt_coin_is_fair(learner, device, shape):
    """heads and tails are each corrupted about half of the time"""
    triples = _triples(shape, 50, 5, seed=8).to(device)
    got = learner.run(_corrupt, triples, 50, 1, label=f"corrupt_triples(triples {list(triples.shape)}, 50, generator)")
    head_changed = _check_negatives(got, triples, 50, "corrupt_triples")
    frac = float(head_changed.double().mean())
    expect(
        0.45 <= frac <= 0.55,
        f"the head was corrupted in {frac:.1%} of {head_changed.numel()} triples; "
        "expected about 50% (a fair coin per triple)",
    )


@pytest.mark.parametrize("current", [2, 4])
def test_corrupt_replacement_is_uniform(learner, device, current):
    """the new entity is uniform over all the other entities"""
    n, num_entities = 4000, 5
    triples = torch.tensor([current, 1, current]).repeat(n, 1).to(device)
    got = learner.run(_corrupt, triples, num_entities, 2, label="corrupt_triples(triples [4000, 3], 5, generator)")
    head_changed = _check_negatives(got, triples, num_entities, "corrupt_triples")
    got = got.cpu()
    new = torch.where(head_changed, got[:, 0], got[:, 2])
    counts = torch.bincount(new, minlength=num_entities).double() / n
    for e in range(num_entities):
        if e == current:
            continue
        expect(
            0.21 <= float(counts[e]) <= 0.29,
            f"when replacing entity {current} among 5, entity {e} was drawn {float(counts[e]):.1%} of the time; "
            f"each of the 4 others should get about 25%",
            frequencies=counts.tolist(),
        )


def test_corrupt_is_reproducible(learner, device):
    """the same generator seed gives the same negatives, another seed others"""
    triples = _triples(200, 30, 3, seed=9).to(device)
    same = learner.run(_corrupt_twice, triples, 30, 5, 5, label="corrupt_triples twice with generators seeded 5")
    expect(
        torch.equal(same[0].cpu(), same[1].cpu()),
        "two calls with generators seeded alike gave different negatives: draw every random number from `generator`",
    )
    other = learner.run(_corrupt_twice, triples, 30, 5, 6, label="corrupt_triples with generators seeded 5 and 6")
    expect(
        not torch.equal(other[0].cpu(), other[1].cpu()),
        "generators with different seeds gave identical negatives: the randomness must come from `generator`",
    )


def _global_state_after(mod, triples, num_entities, seed):
    """Seed the global random state, corrupt with a separate generator, then draw from the global state."""
    import torch

    torch.manual_seed(4321)
    mod.corrupt_triples(triples, num_entities, torch.Generator(device=triples.device).manual_seed(seed))
    return torch.rand(8, dtype=torch.float64, device=triples.device)


def test_corrupt_leaves_global_random_state(learner, device):
    """every random number comes from the generator argument: the global random state is not used"""
    triples = _triples(100, 20, 3, seed=12).to(device)
    got = learner.run(_global_state_after, triples, 20, 3, label="torch.manual_seed(4321); corrupt_triples(...)")
    torch.manual_seed(4321)
    untouched = torch.rand(8, dtype=torch.float64, device=device)
    expect(
        torch.equal(got.cpu(), untouched.cpu()),
        "corrupt_triples drew numbers from the global random state (torch.randint without generator=); "
        "draw every random number from the generator you are given",
    )


def test_corrupt_single_entity(learner, device):
    """with a single entity nothing else exists: the triples come back unchanged"""
    triples = torch.tensor([[0, 0, 0], [0, 1, 0], [0, 2, 0]], device=device)
    got = learner.run(_corrupt, triples, 1, 3, label="corrupt_triples(triples [3, 3], 1, generator)")
    expect_close(got, triples, name="corrupt_triples with num_entities=1")


def test_corrupt_input_unchanged(learner, device):
    """the true triples are not modified"""
    triples = _triples(50, 10, 3, seed=11).to(device)
    after = learner.run(_corrupt_inputs_after, triples, 10, 4, label="corrupt_triples(triples [50, 3], 10, generator)")
    expect_unchanged(triples, after, "triples")


def test_does_not_use_builtin(learner):
    """does not call F.margin_ranking_loss or nn.MarginRankingLoss"""
    learner.check_forbidden()

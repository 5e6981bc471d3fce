"""Hidden suite: lesson9b.sgns."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]


def _ref_pairs(ids, window):
    ids = ids.tolist()
    pairs = [
        [ids[i], ids[j]]
        for i in range(len(ids))
        for j in range(i - window, i + window + 1)
        if j != i and 0 <= j < len(ids)
    ]
    return torch.tensor(pairs, dtype=torch.int64).reshape(-1, 2)


def _ref_loss(in_emb, out_emb, center, context, negatives):
    """Float64 reference, one pair at a time, with log sigmoid(s) = -log(1 + exp(-s)) written stably."""
    a, b = in_emb.detach().double(), out_emb.detach().double()

    def log_sigmoid(s):
        return -torch.log1p(torch.exp(-s)) if s >= 0 else s - torch.log1p(torch.exp(s))

    total = torch.zeros((), dtype=torch.float64, device=in_emb.device)
    for i in range(center.shape[0]):
        v = a[center[i]]
        total = total - log_sigmoid((b[context[i]] * v).sum())
        for n in negatives[i]:
            total = total - log_sigmoid(-(b[n] * v).sum())
    return (total / center.shape[0]).to(in_emb.dtype)


def _batch(v, d, b, k, dtype, device, seed=0, scale=0.5):
    g = torch.Generator().manual_seed(seed)
    in_emb = (torch.randn(v, d, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    out_emb = (torch.randn(v, d, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    center = torch.randint(0, v, (b,), generator=g).to(device)
    context = torch.randint(0, v, (b,), generator=g).to(device)
    negatives = torch.randint(0, v, (b, k), generator=g).to(device)
    return in_emb, out_emb, center, context, negatives


# ---------------------------------------------------------------- skipgram_pairs


def test_pairs_small(learner, device):
    """window 1 over [10, 11, 12] gives the four neighbour pairs, center first"""
    ids = torch.tensor([10, 11, 12], device=device)
    expect_close(learner.skipgram_pairs(ids, 1), _ref_pairs(ids, 1).to(device), name="skipgram_pairs([10, 11, 12], 1)")


def test_pairs_window_two(learner, device):
    """window 2: up to four contexts per center, cut short at both ends, in order"""
    ids = torch.tensor([7, 3, 9, 3, 5, 8, 2], device=device)
    expect_close(learner.skipgram_pairs(ids, 2), _ref_pairs(ids, 2).to(device), name="skipgram_pairs(7 ids, window=2)")


def test_pairs_are_ids_not_positions(learner, device):
    """the pairs hold the token ids, which differ from the positions"""
    ids = torch.tensor([42, 17, 42, 99], device=device)
    expect_close(
        learner.skipgram_pairs(ids, 1), _ref_pairs(ids, 1).to(device), name="skipgram_pairs([42, 17, 42, 99], 1)"
    )


def test_pairs_window_wider_than_text(learner, device):
    """a window wider than the sequence pairs every two different positions"""
    ids = torch.tensor([4, 5, 6], device=device)
    expect_close(learner.skipgram_pairs(ids, 5), _ref_pairs(ids, 5).to(device), name="skipgram_pairs([4, 5, 6], 5)")


def test_pairs_too_short(learner, device):
    """one token, or none, gives an empty (0, 2) tensor"""
    for n in (1, 0):
        ids = torch.arange(n, dtype=torch.int64, device=device) + 3
        got = learner.skipgram_pairs(ids, 2)
        expect_close(got, torch.zeros(0, 2, dtype=torch.int64, device=device), name=f"skipgram_pairs of {n} token(s)")


# ---------------------------------------------------------------- noise_distribution


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_noise_three_quarters(learner, device, dtype):
    """counts ** 0.75, normalised to sum to 1"""
    c = torch.tensor([1000.0, 200.0, 50.0, 10.0, 1.0, 0.0], dtype=torch.float64)
    want = (c**0.75 / (c**0.75).sum()).to(device, dtype)
    expect_close(learner.noise_distribution(c.to(device, dtype)), want, name="noise_distribution(counts)")


def test_noise_other_power(learner, device):
    """power=1 is the plain unigram distribution, power=0.5 flattens it more"""
    c = torch.tensor([6.0, 3.0, 1.0], dtype=torch.float64, device=device)
    expect_close(learner.noise_distribution(c, 1.0), c / c.sum(), name="noise_distribution(counts, power=1)")
    expect_close(learner.noise_distribution(c, 0.5), c.sqrt() / c.sqrt().sum(), name="noise_distribution(counts, 0.5)")


# ---------------------------------------------------------------- sgns_loss


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_loss_matches_reference(learner, device, dtype):
    """the loss of a batch of 6 pairs with 3 negatives each matches a float64 reference"""
    args = _batch(11, 4, 6, 3, dtype, device)
    expect_close(learner.sgns_loss(*args), _ref_loss(*args), name="sgns_loss (B=6, K=3)")


def test_loss_one_pair_one_negative(learner, device):
    """a batch of one pair with one negative"""
    args = _batch(5, 3, 1, 1, torch.float64, device, seed=1)
    expect_close(learner.sgns_loss(*args), _ref_loss(*args), name="sgns_loss (B=1, K=1)")


def test_loss_separate_tables(learner, device):
    """contexts and negatives come from out_emb, centers from in_emb"""
    in_emb, _, center, context, negatives = _batch(6, 3, 5, 2, torch.float64, device, seed=2)
    out_emb = torch.zeros_like(in_emb)
    out_emb[:, 0] = torch.linspace(-2, 2, 6, dtype=torch.float64, device=device)
    args = (in_emb, out_emb, center, context, negatives)
    expect_close(learner.sgns_loss(*args), _ref_loss(*args), name="sgns_loss with different in and out tables")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_loss_extreme_scores(learner, device, dtype):
    """scores of about +-1e4 give a finite loss (a stable log-sigmoid)"""
    in_emb, out_emb, center, context, negatives = _batch(6, 2, 4, 2, torch.float64, device, seed=3)
    in_emb = in_emb.sign() * 100.0
    out_emb = out_emb.sign() * 50.0
    args = (in_emb.to(dtype), out_emb.to(dtype), center, context, negatives)
    expect_close(learner.sgns_loss(*args), _ref_loss(*args), name="sgns_loss with scores of size 1e4")


def test_loss_gradients(learner, device):
    """the gradients with respect to both tables match autograd's (float64)"""
    in_emb, out_emb, center, context, negatives = _batch(9, 4, 7, 3, torch.float64, device, seed=4)
    _, grads = learner.backward("sgns_loss", in_emb, out_emb, center, context, negatives, wrt=(0, 1))
    a, b = in_emb.clone().requires_grad_(True), out_emb.clone().requires_grad_(True)
    v = a[center]
    pos = (v * b[context]).sum(-1)
    neg = (b[negatives] * v[:, None]).sum(-1)
    (-torch.nn.functional.logsigmoid(pos) - torch.nn.functional.logsigmoid(-neg).sum(-1)).mean().backward()
    expect_close(grads[0], a.grad, name="d loss / d in_emb", kind="wrong_gradient")
    expect_close(grads[1], b.grad, name="d loss / d out_emb", kind="wrong_gradient")


def test_loss_extreme_gradients(learner, device):
    """at scores of about +-1e4 the gradients stay finite and match autograd's (float64)"""
    in_emb, out_emb, center, context, negatives = _batch(6, 2, 4, 2, torch.float64, device, seed=6)
    in_emb, out_emb = in_emb.sign() * 100.0, out_emb.sign() * 50.0
    _, grads = learner.backward("sgns_loss", in_emb, out_emb, center, context, negatives, wrt=(0, 1))
    a, b = in_emb.clone().requires_grad_(True), out_emb.clone().requires_grad_(True)
    v = a[center]
    pos = (v * b[context]).sum(-1)
    neg = (b[negatives] * v[:, None]).sum(-1)
    (-torch.nn.functional.logsigmoid(pos) - torch.nn.functional.logsigmoid(-neg).sum(-1)).mean().backward()
    expect_close(grads[0], a.grad, name="d loss / d in_emb at scores ~ 1e4", kind="wrong_gradient")
    expect_close(grads[1], b.grad, name="d loss / d out_emb at scores ~ 1e4", kind="wrong_gradient")


def test_loss_is_zero_dim(learner, device):
    """the loss is a 0-d tensor"""
    args = _batch(5, 3, 4, 2, torch.float64, device, seed=5)
    got = learner.sgns_loss(*args)
    expect(
        isinstance(got, torch.Tensor) and got.dim() == 0,
        "sgns_loss should return a 0-d tensor (a mean)",
        kind="wrong_shape",
    )

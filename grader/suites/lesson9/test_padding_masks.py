"""Hidden suite: lesson9.padding_masks."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]


def _pad_and_backward(mod, seqs, padding_value, up, side, max_length):
    """Pad leaves that require grad, back-propagate ``up`` through the padded tensor; return the gradients."""
    leaves = [s.clone().requires_grad_(True) for s in seqs]
    padded, mask = mod.pad_sequences(leaves, padding_value, side=side, max_length=max_length)
    grads = None
    if padded.requires_grad:
        (padded * up).sum().backward()
        grads = [s.grad for s in leaves]
    return {"padded": padded, "mask": mask, "grads": grads}


def _pad_inputs_after(mod, seqs):
    """Pad with the defaults and hand back the sequences as they are afterwards."""
    mod.pad_sequences(seqs)
    return seqs


def _pool_after_pad(mod, seqs, padding_value, side):
    """Pad with the learner's pad_sequences, then pool with the learner's masked_mean and masked_max."""
    padded, mask = mod.pad_sequences(seqs, padding_value, side=side)
    return {"mean": mod.masked_mean(padded, mask), "max": mod.masked_max(padded, mask)}


def _seqs(lengths, feat, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(t, *feat, generator=g, dtype=torch.float64).to(device, dtype) for t in lengths]


def _ref_pad(seqs, padding_value, side="right", max_length=None):
    """Step by step from the definition: keep the last T steps, write them at the end or the start of the row."""
    t_max = max(s.shape[0] for s in seqs) if max_length is None else max_length
    first = seqs[0]
    padded = torch.full((len(seqs), t_max, *first.shape[1:]), padding_value, dtype=first.dtype, device=first.device)
    mask = torch.zeros(len(seqs), t_max, dtype=torch.bool, device=first.device)
    for n, s in enumerate(seqs):
        kept = s[max(s.shape[0] - t_max, 0) :]
        offset = t_max - kept.shape[0] if side == "left" else 0
        for i in range(kept.shape[0]):
            padded[n, offset + i] = kept[i]
            mask[n, offset + i] = True
    return padded, mask


def _ref_pad_grads(seqs, up, side="right", max_length=None):
    """The gradient each sequence receives from (padded * up).sum()."""
    t_max = max(s.shape[0] for s in seqs) if max_length is None else max_length
    grads = []
    for n, s in enumerate(seqs):
        g = torch.zeros_like(s)
        drop = max(s.shape[0] - t_max, 0)
        offset = t_max - (s.shape[0] - drop) if side == "left" else 0
        for i in range(drop, s.shape[0]):
            g[i] = up[n, offset + i - drop]
        grads.append(g)
    return grads


def _batch(lengths, d, dtype, device, fill, seed=1, scale=1.0, shift=0.0):
    """x (N, T, D) with real values at the masked steps and ``fill`` everywhere else."""
    g = torch.Generator().manual_seed(seed)
    n, t = len(lengths), max(lengths)
    x = torch.randn(n, t, d, generator=g, dtype=torch.float64) * scale + shift
    mask = torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]
    x = x.masked_fill(~mask[..., None], fill)
    return x.to(device, dtype), mask.to(device)


def _ref_mean(x, mask):
    m = mask.to(torch.float64)[..., None]
    return ((x.double() * m).sum(1) / m.sum(1)).to(x.dtype)


def _ref_max(x, mask):
    return x.double().masked_fill(~mask[..., None], float("-inf")).max(1).values.to(x.dtype)


def _unpack(got, what):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"{what} should return a tuple (padded, mask)",
        kind="wrong_type",
    )
    return got


# ---------------------------------------------------------------- pad_sequences


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_pad_matches_reference(learner, device, dtype):
    """pad_sequences stacks sequences of lengths 3, 1, 4, 2 into (4, 4, 3) with a True-on-real-steps mask"""
    seqs = _seqs([3, 1, 4, 2], (3,), dtype, device)
    padded, mask = _unpack(learner.pad_sequences(seqs), "pad_sequences(seqs)")
    ref_p, ref_m = _ref_pad(seqs, 0.0)
    expect_close(mask, ref_m, name="mask")
    expect_close(padded, ref_p, name="padded")


def test_padding_value(learner, device):
    """the padded positions hold padding_value"""
    seqs = _seqs([2, 5, 1], (2,), torch.float64, device, seed=2)
    padded, mask = _unpack(learner.pad_sequences(seqs, -7.5), "pad_sequences(seqs, padding_value=-7.5)")
    ref_p, ref_m = _ref_pad(seqs, -7.5)
    expect_close(mask, ref_m, name="mask")
    expect_close(padded, ref_p, name="padded with -7.5")


def test_pad_other_feature_shapes(learner, device):
    """sequences of scalars (T_i,) and of matrices (T_i, 2, 3) are padded along time only"""
    seqs = _seqs([4, 2, 3], (), torch.float64, device, seed=3)
    got = _unpack(learner.pad_sequences(seqs, 1.5), "pad_sequences(sequences of shape (T_i,))")
    expect_close(got, _ref_pad(seqs, 1.5), name="(padded, mask) for (T_i,) sequences")
    seqs = _seqs([1, 3], (2, 3), torch.float64, device, seed=4)
    got = _unpack(learner.pad_sequences(seqs), "pad_sequences(sequences of shape (T_i, 2, 3))")
    expect_close(got, _ref_pad(seqs, 0.0), name="(padded, mask) for (T_i, 2, 3) sequences")


def test_pad_empty_and_single(learner, device):
    """an empty sequence becomes a row of padding with an all-False mask; one sequence needs no padding"""
    seqs = _seqs([2, 0, 3], (2,), torch.float64, device, seed=5)
    got = _unpack(learner.pad_sequences(seqs, 9.0), "pad_sequences(lengths 2, 0, 3)")
    expect_close(got, _ref_pad(seqs, 9.0), name="(padded, mask) with an empty sequence")
    seqs = _seqs([4], (3,), torch.float64, device, seed=6)
    got = _unpack(learner.pad_sequences(seqs), "pad_sequences([one sequence])")
    expect_close(got, _ref_pad(seqs, 0.0), name="(padded, mask) for a single sequence")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_pre_padding(learner, device, dtype):
    """side="left" puts the padding first and each sequence's steps at the end of its row"""
    seqs = _seqs([3, 1, 4, 2], (3,), dtype, device, seed=14)
    padded, mask = _unpack(learner.pad_sequences(seqs, side="left"), 'pad_sequences(seqs, side="left")')
    ref_p, ref_m = _ref_pad(seqs, 0.0, side="left")
    expect_close(mask, ref_m, name="mask (True on the last length_n steps)")
    expect_close(padded, ref_p, name="padded")


def test_pre_padding_value_and_empty(learner, device):
    """pre-padding writes padding_value first; an empty sequence is a row of padding"""
    seqs = _seqs([2, 0, 3], (2,), torch.float64, device, seed=15)
    got = _unpack(learner.pad_sequences(seqs, -1.5, side="left"), 'pad_sequences(lengths 2, 0, 3, -1.5, side="left")')
    expect_close(got, _ref_pad(seqs, -1.5, side="left"), name="(padded, mask) pre-padded with -1.5")


@pytest.mark.parametrize("side", ["right", "left"])
def test_truncate_keeps_last_steps(learner, device, side):
    """max_length truncates long sequences to their LAST max_length steps and pads the others"""
    seqs = _seqs([5, 2, 3, 7], (2,), torch.float64, device, seed=16)
    got = _unpack(
        learner.pad_sequences(seqs, 0.0, side=side, max_length=3),
        f'pad_sequences(lengths 5, 2, 3, 7, max_length=3, side="{side}")',
    )
    expect_close(got, _ref_pad(seqs, 0.0, side=side, max_length=3), name=f"(padded, mask) with max_length=3, {side}")


@pytest.mark.parametrize("side", ["right", "left"])
def test_fixed_length_longer_than_all(learner, device, side):
    """max_length longer than every sequence still gives rows of exactly max_length steps"""
    seqs = _seqs([2, 4, 1], (3,), torch.float64, device, seed=17)
    got = _unpack(
        learner.pad_sequences(seqs, 0.0, side=side, max_length=6),
        f'pad_sequences(lengths 2, 4, 1, max_length=6, side="{side}")',
    )
    expect_close(got, _ref_pad(seqs, 0.0, side=side, max_length=6), name=f"(padded, mask) with max_length=6, {side}")


@pytest.mark.parametrize(
    "side,max_length", [("right", None), ("left", None), ("left", 2)], ids=["post", "pre", "pre_truncated"]
)
def test_pad_gradient(learner, device, side, max_length):
    """gradients flow from the padded batch back into each kept step; truncated steps get 0"""
    seqs = _seqs([3, 1, 2], (2,), torch.float64, device, seed=7)
    t_max = 3 if max_length is None else max_length
    up = torch.randn(3, t_max, 2, generator=torch.Generator().manual_seed(8), dtype=torch.float64).to(device)
    res = learner.run(
        _pad_and_backward,
        seqs,
        0.0,
        up,
        side,
        max_length,
        label=f'pad_sequences(seqs, side="{side}", max_length={max_length}).backward(upstream)',
    )
    expect(
        res["grads"] is not None,
        "the padded batch is not connected to the sequences: copy them in with "
        "autograd-tracked operations (no .detach(), .data or torch.tensor(...) rebuilding)",
        kind="wrong_gradient",
    )
    for n, (g, ref) in enumerate(zip(res["grads"], _ref_pad_grads(seqs, up, side, max_length), strict=True)):
        expect(g is not None, f"no gradient reached sequence {n}", kind="wrong_gradient")
        expect_close(g, ref, name=f"gradient of sequence {n}", kind="wrong_gradient")


def test_pad_inputs_unchanged(learner, device):
    """pad_sequences leaves the sequences unchanged"""
    seqs = _seqs([3, 1, 2], (2,), torch.float64, device, seed=18)
    after = learner.run(_pad_inputs_after, seqs, label="pad_sequences(seqs)")
    for n, (s, a) in enumerate(zip(seqs, after, strict=True)):
        expect_unchanged(s, a, f"sequence {n}")


# ---------------------------------------------------------------- masked pooling


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_masked_mean(learner, device, dtype):
    """masked_mean averages the real steps only, whatever the padding holds"""
    x, mask = _batch([3, 1, 5, 2], 4, dtype, device, fill=7.0)
    expect_close(learner.masked_mean(x, mask), _ref_mean(x, mask), name="masked_mean(x padded with 7, mask)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_masked_max(learner, device, dtype):
    """masked_max ignores padding even when it holds 1e9 and every real value is negative"""
    x, mask = _batch([3, 1, 5, 2], 4, dtype, device, fill=1e9, shift=-5.0)
    expect_close(learner.masked_max(x, mask), _ref_max(x, mask), name="masked_max(x padded with 1e9, mask)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_masked_max_very_negative(learner, device, dtype):
    """masked_max works when real values are about -1e12 (a finite stand-in like -1e9 for padding would win)"""
    x, mask = _batch([2, 4, 1], 3, dtype, device, fill=0.0, scale=1e10, shift=-1e12)
    expect_close(learner.masked_max(x, mask), _ref_max(x, mask), name="masked_max(x around -1e12, mask)")


@pytest.mark.parametrize("fill", [float("inf"), float("nan")], ids=["inf", "nan"])
def test_masked_mean_nonfinite_padding(learner, device, fill):
    """masked_mean stays finite when the padding holds inf or nan (select the real steps, do not multiply by the mask)"""
    x, mask = _batch([2, 3, 1], 3, torch.float64, device, fill=fill, seed=13)
    expect_close(
        learner.masked_mean(x, mask),
        _ref_mean(x.masked_fill(~mask[..., None], 0.0), mask),
        name=f"masked_mean(x padded with {fill}, mask)",
    )


def test_full_mask(learner, device):
    """with no padding at all, the pooled values equal the plain mean and max over time"""
    x, mask = _batch([4, 4], 3, torch.float64, device, fill=0.0, seed=9)
    expect_close(learner.masked_mean(x, mask), x.mean(1), name="masked_mean with an all-True mask")
    expect_close(learner.masked_max(x, mask), x.max(1).values, name="masked_max with an all-True mask")


def test_pooling_gradients(learner, device):
    """gradients of masked_mean and masked_max reach only the real steps and match autograd's (float64)"""
    x, mask = _batch([3, 1, 4], 2, torch.float64, device, fill=3.0, seed=10)
    up = torch.randn(3, 2, generator=torch.Generator().manual_seed(11), dtype=torch.float64).to(device)
    for name, ref_fn in (("masked_mean", _ref_mean), ("masked_max", _ref_max)):
        xr = x.clone().requires_grad_(True)
        ref_fn(xr, mask).backward(up)
        _, (grad,) = learner.backward(name, x, mask, wrt=(0,), upstream=up)
        expect_close(grad, xr.grad, name=f"d {name} / d x", kind="wrong_gradient")


@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_then_pool(learner, device, side):
    """pad_sequences with padding 1e9 then masked_mean / masked_max give each sequence's own mean and max"""
    seqs = _seqs([2, 5, 3], (3,), torch.float64, device, seed=12)
    seqs = [s - 4.0 for s in seqs]
    res = learner.run(
        _pool_after_pad, seqs, 1e9, side, label=f'masked_mean / masked_max of pad_sequences(seqs, 1e9, side="{side}")'
    )
    expect_close(res["mean"], torch.stack([s.mean(0) for s in seqs]), name="mean of each sequence")
    expect_close(res["max"], torch.stack([s.max(0).values for s in seqs]), name="max of each sequence")


def test_does_not_use_builtin(learner):
    """does not call pad_sequence, pack_padded_sequence or pad_packed_sequence"""
    learner.check_forbidden()

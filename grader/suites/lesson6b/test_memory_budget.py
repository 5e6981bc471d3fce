"""Hidden suite: lesson6b.memory_budget."""

import pytest

from grader.testing import expect

# Parameter counts of the models that _scenario builds.
MLP = 10 * 20 + 20 + 20 * 5 + 5  # Linear(10, 20), ReLU, Linear(20, 5): 325
MLP_BN = MLP + 2 * 20  # plus BatchNorm1d(20): weight and bias (its running statistics are buffers)
TIED = 12 * 4 + 4 * 4 + 4  # Embedding(12, 4), Linear(4, 4), and an output layer reusing the embedding
FROZEN_PART = 10 * 20 + 20  # the first Linear of the frozen model


def _scenario(mod, kind, fn, *args, **kwargs):
    """Build a small model of the given kind and call the learner's ``fn(model, ...)`` on it."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    if kind == "mlp":
        model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 5))
    elif kind in ("mlp_bn", "frozen"):
        model = nn.Sequential(nn.Linear(10, 20), nn.BatchNorm1d(20), nn.ReLU(), nn.Linear(20, 5))
        if kind == "frozen":
            model[0].requires_grad_(False)
    elif kind == "tied":

        class Tied(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(12, 4)
                self.mix = nn.Linear(4, 4)
                self.out = nn.Linear(4, 12, bias=False)
                self.out.weight = self.emb.weight  # one parameter used by two layers

            def forward(self, idx):
                return self.out(self.mix(self.emb(idx)))

        model = Tied()
    else:
        raise ValueError(kind)
    return getattr(mod, fn)(model, *args, **kwargs)


def _count(learner, kind, trainable_only=False):
    got = learner.run(
        _scenario,
        kind,
        "count_params",
        trainable_only,
        label=f"count_params({kind} model, trainable_only={trainable_only})",
    )
    expect(
        isinstance(got, int) and not isinstance(got, bool),
        f"count_params should return an int, got {got!r}",
        kind="wrong_type",
    )
    return got


# ---------------------------------------------------------------- count_params


def test_count_params_mlp(learner):
    """count_params of Linear(10, 20), ReLU, Linear(20, 5) is 325"""
    got = _count(learner, "mlp")
    expect(
        got == MLP,
        f"count_params gave {got} for Linear(10, 20), ReLU, Linear(20, 5); expected {MLP} (weights and biases)",
    )


def test_count_params_skips_buffers(learner):
    """BatchNorm's weight and bias count; its running statistics (buffers) do not"""
    got = _count(learner, "mlp_bn")
    expect(
        got == MLP_BN,
        f"count_params gave {got} for Linear(10, 20), BatchNorm1d(20), ReLU, Linear(20, 5); expected {MLP_BN}: "
        f"BatchNorm1d(20) adds 40 parameters, and its running mean and variance are buffers, not parameters",
    )


def test_count_params_shared_once(learner):
    """a parameter shared by two layers (tied weights) is counted once"""
    got = _count(learner, "tied")
    expect(
        got == TIED,
        f"count_params gave {got} for Embedding(12, 4), Linear(4, 4) and an output layer that reuses the "
        f"embedding's weight; expected {TIED} (the shared 12 x 4 weight counts once)",
    )


def test_count_params_trainable_only(learner):
    """trainable_only=True leaves out frozen parameters"""
    got = _count(learner, "frozen", trainable_only=True)
    expected = MLP_BN - FROZEN_PART
    expect(
        got == expected,
        f"with the first Linear(10, 20) frozen, count_params(trainable_only=True) gave {got}; expected {expected}",
    )
    got_all = _count(learner, "frozen", trainable_only=False)
    expect(
        got_all == MLP_BN,
        f"with the first layer frozen, count_params(trainable_only=False) gave {got_all}; expected {MLP_BN}",
    )


# ---------------------------------------------------------------- training_memory

STATE = {"sgd": 0, "momentum": 4, "adam": 8}


def _expected(every, trainable, optimizer, mixed):
    low = 2 if mixed else 4
    out = {
        "weights": every * low,
        "gradients": trainable * low,
        "master": trainable * 4 if mixed else 0,
        "optimizer": trainable * STATE[optimizer],
    }
    out["total"] = sum(out.values())
    return out


def _check_memory(learner, kind, optimizer, mixed, every, trainable):
    call = f"training_memory({kind} model, {optimizer!r}, mixed_precision={mixed})"
    got = learner.run(_scenario, kind, "training_memory", optimizer, mixed, label=call)
    expected = _expected(every, trainable, optimizer, mixed)
    expect(isinstance(got, dict), f"{call} should return a dict, got {type(got).__name__}", kind="wrong_type")
    missing = sorted(set(expected) - set(got))
    expect(not missing, f"{call} has no key(s) {missing}", kind="wrong_type")
    wrong = [k for k in expected if got[k] != expected[k]]
    expect(
        not wrong,
        f"{call} for {every} parameters ({trainable} trainable): "
        + "; ".join(f"{k} {got[k]}, expected {expected[k]}" for k in wrong),
    )


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_memory_float32(learner, optimizer):
    """float32 training: 4 bytes of weights and gradients per parameter, plus the optimizer's state"""
    _check_memory(learner, "mlp_bn", optimizer, False, MLP_BN, MLP_BN)


def test_memory_frozen(learner):
    """frozen parameters are stored but get no gradient and no optimizer state (Adam, float32)"""
    _check_memory(learner, "frozen", "adam", False, MLP_BN, MLP_BN - FROZEN_PART)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_memory_mixed(learner, optimizer):
    """mixed precision: 2-byte weights and gradients, a 4-byte master copy, float32 optimizer state"""
    _check_memory(learner, "mlp", optimizer, True, MLP, MLP)


def test_memory_mixed_frozen(learner):
    """mixed precision with a frozen layer: no gradient, master copy or state for it (momentum)"""
    _check_memory(learner, "frozen", "momentum", True, MLP_BN, MLP_BN - FROZEN_PART)


def test_memory_tied(learner):
    """a shared weight is stored, and trained, once (Adam, float32)"""
    _check_memory(learner, "tied", "adam", False, TIED, TIED)


def _unknown(mod):
    import torch

    try:
        mod.training_memory(torch.nn.Linear(2, 2), "lbfgs")
    except ValueError:
        return True
    return False


def test_unknown_optimizer(learner):
    """an unknown optimizer name raises ValueError"""
    expect(
        learner.run(_unknown, label="training_memory(model, 'lbfgs')"),
        "training_memory(model, 'lbfgs') should raise ValueError",
    )


# ---------------------------------------------------------------- pad_to_multiple


@pytest.mark.parametrize(
    "n, multiple, expected",
    [(1, 8, 8), (13, 8, 16), (1000, 64, 1024), (50257, 64, 50304)],
    ids=["1", "13", "1000-by-64", "gpt2-vocab"],
)
def test_pad_rounds_up(learner, n, multiple, expected):
    """pad_to_multiple rounds a size up to the next multiple"""
    got = learner.pad_to_multiple(n, multiple)
    expect(got == expected, f"pad_to_multiple({n}, {multiple}) gave {got!r}, expected {expected}")


@pytest.mark.parametrize("n, multiple", [(8, 8), (64, 8), (0, 8), (128, 64)], ids=["8", "64", "0", "128-by-64"])
def test_pad_keeps_multiples(learner, n, multiple):
    """a size that is already a multiple stays as it is"""
    got = learner.pad_to_multiple(n, multiple)
    expect(got == n, f"pad_to_multiple({n}, {multiple}) gave {got!r}, expected {n} (already a multiple)")


def test_pad_default_multiple(learner):
    """the default multiple is 8"""
    got = learner.pad_to_multiple(30)
    expect(got == 32, f"pad_to_multiple(30) gave {got!r}, expected 32")
    expect(
        isinstance(got, int) and not isinstance(got, bool),
        f"pad_to_multiple should return an int, got {got!r}",
        kind="wrong_type",
    )

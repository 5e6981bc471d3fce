"""Hidden suite: lesson11.stochastic_rounding."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _round(mod, x, seed):
    """Scenario: stochastic_round(x) with a fresh generator seeded with ``seed`` on x's device."""
    import torch

    g = torch.Generator(device=x.device).manual_seed(seed)
    return mod.stochastic_round(x, g)


def _round_and_input(mod, x, seed):
    """Scenario: stochastic_round(x) as in ``_round``, and x as it is afterwards."""
    import torch

    g = torch.Generator(device=x.device).manual_seed(seed)
    return mod.stochastic_round(x, g), x


def _round_three_times(mod, x, seed, other_seed):
    """Scenario: the same seed twice, then another seed."""
    import torch

    outs = []
    for s in (seed, seed, other_seed):
        g = torch.Generator(device=x.device).manual_seed(s)
        outs.append(mod.stochastic_round(x, g))
    return outs


def _values(dtype, device, seed=0, n=300):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, generator=g, dtype=torch.float64) * 10).to(device, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_floor_or_ceil(learner, device, dtype):
    """every output is floor(x) or ceil(x) and keeps the dtype"""
    x = _values(dtype, device)
    got = learner.run(_round, x, 0, label="stochastic_round(x, generator)")
    expect_close(got, torch.floor(x), name="stochastic_round(x) (shape/dtype)", atol=1.0, rtol=0.0)
    ok = (got == torch.floor(x)) | (got == torch.ceil(x))
    if not bool(ok.all()):
        expect(
            False,
            f"{int((~ok).sum())} of {x.numel()} outputs are neither floor(x) nor ceil(x); "
            f"first: x = {float(x[~ok][0]):.6g} gave {float(got[~ok][0]):.6g}",
        )


def test_input_unchanged(learner, device):
    """x is not modified"""
    x = torch.tensor([0.25, -1.5, 3.75, 2.0], dtype=torch.float64, device=device)
    before = x.clone()
    _, after = learner.run(_round_and_input, x, 0, label="stochastic_round(x, generator)")
    expect_unchanged(before, after, "x")


def test_integers_unchanged(learner, device):
    """whole numbers (and huge values, which are whole) are returned unchanged"""
    x = torch.tensor([-3.0, 0.0, 2.0, 17.0, 1e20, -1e20], dtype=torch.float32, device=device)
    got = learner.run(_round, x, 1, label="stochastic_round(integers, generator)")
    expect_close(got, x, name="stochastic_round of whole numbers", rtol=0.0, atol=0.0)


@pytest.mark.parametrize("value", [0.3, 2.7, -1.25, -0.1])
def test_unbiased(learner, device, value):
    """the mean over 20000 draws of the same value is that value"""
    n = 20000
    x = torch.full((n,), value, dtype=torch.float64, device=device)
    got = learner.run(_round, x, 2, label=f"stochastic_round(full({n}, {value}), generator)")
    expect_close(got, torch.zeros_like(x), name="stochastic_round(x) (shape/dtype)", atol=float("inf"))
    mean = float(got.mean())
    # The mean of n Bernoulli(f) draws has a standard deviation of at most 0.5/sqrt(n) ~ 0.0035.
    expect(
        abs(mean - value) < 0.02,
        f"the mean of {n} stochastic roundings of {value} is {mean:.4f}; "
        f"an unbiased rounding gives {value} (+- 0.02). Round up with probability frac(x) = x - floor(x)",
    )
    frac = value - float(torch.floor(torch.tensor(value)))
    up = float((got == torch.ceil(x)).double().mean())
    expect(abs(up - frac) < 0.02, f"{value} was rounded up {up:.1%} of the time; it should be {frac:.0%}")


def test_each_element_is_unbiased(learner, device):
    """elementwise: many copies of 50 different values average to those values"""
    g = torch.Generator().manual_seed(3)
    vals = (torch.rand(50, generator=g, dtype=torch.float64) * 8 - 4).to(device)
    x = vals.repeat(2000, 1)  # (2000, 50): 2000 draws per value
    got = learner.run(_round, x, 4, label="stochastic_round(x of shape (2000, 50), generator)")
    expect_close(got.mean(0), vals, name="mean over 2000 draws of each value", rtol=0.0, atol=0.05)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_draws_are_independent(learner, device, dtype):
    """elements are rounded independently (one draw per element)"""
    n = 4000
    x = torch.full((2, n), 0.5, dtype=dtype, device=device)
    got = learner.run(_round, x, 5, label="stochastic_round(full((2, 4000), 0.5), generator)")
    expect_close(got, torch.zeros_like(x), name="stochastic_round(x) (shape/dtype)", atol=float("inf"))
    agree = float((got[0] == got[1]).double().mean())
    expect(
        abs(agree - 0.5) < 0.05,
        f"two rows of independent draws agree {agree:.1%} of the time; "
        "independent coin flips agree about 50% of the time (draw one random number per element)",
    )


def test_same_seed_same_result(learner, device):
    """the same generator seed gives the same result; another seed a different one"""
    x = _values(torch.float64, device, seed=6, n=200)
    a, b, c = learner.run(_round_three_times, x, 7, 8, label="stochastic_round with seeds 7, 7, 8")
    expect_close(b, a, name="the second result with seed 7", rtol=0.0, atol=0.0)
    expect(
        bool((a != c).any()),
        "seeds 7 and 8 gave identical results on 200 values: the randomness must come from the generator argument",
    )


def _global_state_after(mod, x, seed):
    """Seed the global random state, round with a separate generator, then draw from the global state."""
    import torch

    torch.manual_seed(1234)
    g = torch.Generator(device=x.device).manual_seed(seed)
    mod.stochastic_round(x, g)
    return torch.rand(8, dtype=torch.float64, device=x.device)


def _global_state_untouched(x):
    torch.manual_seed(1234)
    return torch.rand(8, dtype=torch.float64, device=x.device)


def test_global_random_state_untouched(learner, device):
    """the randomness comes from the generator argument only: the global random state is not used"""
    x = _values(torch.float64, device, seed=12, n=50)
    got = learner.run(_global_state_after, x, 13, label="torch.manual_seed(1234); stochastic_round(x, generator)")
    expect(
        torch.equal(got.cpu(), _global_state_untouched(x).cpu()),
        "stochastic_round drew numbers from the global random state (torch.rand without generator=); "
        "draw them from the generator you are given",
    )


def test_batch_shapes(learner, device):
    """keeps arbitrary shapes (0-dim and 3-D)"""
    x = torch.tensor(2.5, dtype=torch.float64, device=device)
    got = learner.run(_round, x, 9, label="stochastic_round(0-dim x, generator)")
    expect_close(
        got, torch.tensor(2.0, dtype=torch.float64, device=device), name="stochastic_round(2.5)", rtol=0.0, atol=1.0
    )
    x = _values(torch.float32, device, seed=10, n=24).reshape(2, 3, 4)
    got = learner.run(_round, x, 11, label="stochastic_round(x of shape (2, 3, 4), generator)")
    expect_close(got, torch.floor(x), name="stochastic_round(x) of shape (2, 3, 4)", rtol=0.0, atol=1.0)

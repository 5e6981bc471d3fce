"""Hidden suite: lesson5.dropout."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _gen(device, seed):
    return torch.Generator(device=device).manual_seed(seed)


def _x(shape, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    # Away from zero, so a zero in the output can only come from the mask.
    x = torch.rand(shape, generator=g, dtype=torch.float64) + 0.5
    sign = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).double()
    return (x * sign).to(device, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_eval_is_identity(learner, device, dtype):
    """in evaluation, returns the input unchanged"""
    x = _x((3, 4, 5), dtype, device)
    expect_close(learner.dropout(x, 0.5, False, _gen(device, 0)), x, name="dropout(x, p=0.5, training=False)")


def test_p_zero_is_identity(learner, device):
    """p = 0 in training keeps every element as it is"""
    x = _x((6, 7), torch.float64, device)
    expect_close(learner.dropout(x, 0.0, True, _gen(device, 0)), x, name="dropout(x, p=0, training=True)")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_p_one_gives_zeros(learner, device, dtype):
    """p = 1 in training gives all zeros, not NaN"""
    x = _x((6, 7), dtype, device)
    expect_close(
        learner.dropout(x, 1.0, True, _gen(device, 0)), torch.zeros_like(x), name="dropout(x, p=1, training=True)"
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(1000,), (40, 50), (2, 3, 4, 5)], ids=["1d", "2d", "4d"])
def test_kept_values_are_scaled(learner, device, dtype, shape):
    """every output is either 0 or x / (1 - p)"""
    x = _x(shape, dtype, device, seed=1)
    p = 0.3
    got = learner.dropout(x, p, True, _gen(device, 1))
    expect(
        isinstance(got, torch.Tensor), f"dropout should return a tensor, got {type(got).__name__}", kind="wrong_type"
    )
    expect(
        got.shape == x.shape, f"the output has shape {list(got.shape)}, expected {list(x.shape)}", kind="wrong_shape"
    )
    ref = torch.where(got == 0, torch.zeros_like(x), x / (1 - p))
    expect_close(got, ref, name="dropout(x, p=0.3) (each value should be 0 or x / 0.7)")
    expect(
        bool((got == 0).any()) and bool((got != 0).any()), "with p=0.3 some elements should be dropped and some kept"
    )


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_drop_fraction(learner, device, p):
    """drops a fraction p of the elements"""
    x = torch.ones(200, 500, device=device)
    got = learner.dropout(x, p, True, _gen(device, 2))
    frac = float((got == 0).double().mean())
    # 100k draws: the fraction's std is below 0.0016, so 0.01 is six std.
    expect(abs(frac - p) < 0.01, f"with p={p}, {frac:.2%} of the elements were zeroed; expected about {p:.0%}")


def test_expected_value_preserved(learner, device):
    """the mean of the output equals the mean of the input (inverted scaling)"""
    x = torch.full((100000,), 3.0, dtype=torch.float64, device=device)
    got = learner.dropout(x, 0.4, True, _gen(device, 3))
    mean = float(got.mean())
    expect(
        abs(mean - 3.0) < 0.05,
        f"dropout(x = 3 everywhere, p=0.4) has mean {mean:.4f}; inverted dropout keeps "
        "the mean at 3 by scaling the kept values by 1 / (1 - p)",
    )


def _masks(mod, device, dtype_name):
    import torch

    x = torch.ones(64, 64, device=device, dtype=getattr(torch, dtype_name))

    def draw(seed, global_seed):
        torch.manual_seed(global_seed)
        return mod.dropout(x, 0.5, True, torch.Generator(device=device).manual_seed(seed))

    return [draw(4, 0), draw(4, 1), draw(5, 0)]


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_generator_reproducible(learner, device, dtype_name):
    """the same generator seed gives the same mask; another seed another mask"""
    a, b, c = learner.run(
        _masks,
        str(device),
        dtype_name,
        label=f"dropout(ones(64, 64, dtype={dtype_name}), p=0.5) with generators seeded 4, 4, 5",
    )
    expect(
        torch.equal(a, b),
        "two calls with generators seeded alike dropped different elements: draw the mask "
        "from `generator` (torch.rand(..., generator=generator)), not from the global random state",
    )
    expect(not torch.equal(a, c), "generators with different seeds gave the same mask")


def test_gradient(learner, device):
    """the gradient is the mask scaled by 1 / (1 - p) (float64)"""
    x = _x((8, 9), torch.float64, device, seed=5)
    up = torch.randn(8, 9, generator=torch.Generator().manual_seed(6), dtype=torch.float64).to(device)
    out, (grad,) = learner.backward("dropout", x, 0.25, True, _gen(device, 7), wrt=(0,), upstream=up)
    kept = (out != 0).to(torch.float64)
    expect_close(grad, up * kept / 0.75, name="d loss / d x", kind="wrong_gradient")


def _args_after_call(mod, x, p, seed):
    import torch

    mod.dropout(x, p, True, torch.Generator(device=x.device).manual_seed(seed))
    return x


def test_input_unchanged(learner, device):
    """leaves x unmodified"""
    x = _x((10, 10), torch.float64, device, seed=8)
    after = learner.run(_args_after_call, x, 0.5, 9, label="dropout(x, p=0.5, training=True)")
    expect_unchanged(x, after, "x")


def test_does_not_use_builtin(learner):
    """does not call F.dropout, torch.dropout or nn.Dropout"""
    learner.check_forbidden()

"""Hidden suite: lesson11.symmetric_int8."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _grid_data(shape, step, dtype, device, seed=0):
    """Values k*step + offset*step with |offset| <= 0.4, one element exactly 127*step: no rounding ties."""
    g = torch.Generator().manual_seed(seed)
    n = int(torch.tensor(shape).prod())
    ints = torch.randint(-126, 127, (n,), generator=g).to(torch.float64)
    offsets = (torch.rand(n, generator=g, dtype=torch.float64) - 0.5) * 0.8
    x = (ints + offsets) * step
    x[n // 2] = -127 * step if seed % 2 else 127 * step
    return x.reshape(shape).to(device, dtype)


def _reference(x):
    amax = x.abs().max()
    scale = amax / 127 if float(amax) > 0 else torch.ones_like(amax)
    q = torch.round(x / scale).clamp(-127, 127).to(torch.int8)
    return q, scale


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_quantize_matches_formula(learner, device, dtype):
    """quantize_symmetric gives scale = max|x|/127 and q = round(x/scale) as int8"""
    x = _grid_data((6, 9), 0.013, dtype, device)
    got = _call_unchanged(learner, "quantize_symmetric", [x], ["x"])
    q_ref, s_ref = _reference(x)
    expect_close(got, (q_ref, s_ref), name="(q, scale)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_dequantize(learner, device, dtype):
    """dequantize(q, scale) = q * scale in scale's dtype"""
    g = torch.Generator().manual_seed(1)
    q = torch.randint(-127, 128, (4, 5), generator=g).to(torch.int8).to(device)
    scale = torch.tensor(0.0371, dtype=dtype, device=device)
    got = _call_unchanged(learner, "dequantize", [q, scale], ["q", "scale"])
    expect_close(got, q.to(dtype) * scale, name="dequantize(q, scale)")


def test_negative_extreme_sets_the_scale(learner, device):
    """the scale comes from the largest MAGNITUDE, even when it is negative"""
    x = torch.tensor([-10.0, 3.0, 1.0, -2.5, 0.25], dtype=torch.float64, device=device)
    got = learner.quantize_symmetric(x)
    expect_close(got, _reference(x), name="(q, scale) with min -10, max 3")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_round_half_to_even(learner, device, dtype):
    """codes that land exactly on .5 round to the even integer, like torch.round"""
    x = torch.tensor([127.0, 0.5, 1.5, 2.5, -0.5, -2.5, 3.5, -126.5], dtype=dtype, device=device)
    q, scale = learner.quantize_symmetric(x)
    expect_close(scale, torch.tensor(1.0, dtype=dtype, device=device), name="scale")
    expected = torch.tensor([127, 0, 2, 2, 0, -2, 4, -126], dtype=torch.int8, device=device)
    expect_close(q, expected, name="q for x = [127, 0.5, 1.5, 2.5, -0.5, -2.5, 3.5, -126.5]")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_round_trip_error_is_half_a_step(learner, device, dtype):
    """dequantize(quantize(x)) is within scale/2 of x, and the extreme maps to +-127"""
    g = torch.Generator().manual_seed(2)
    x = (torch.randn(200, generator=g, dtype=torch.float64) * 3).to(device, dtype)
    q, scale = learner.quantize_symmetric(x)
    expect_close(scale, x.abs().max() / 127, name="scale")
    x_hat = learner.dequantize(q, scale)
    expect_close(x_hat, x, name="dequantize(quantize(x))", rtol=0.0, atol=float(scale) * (0.5 + 1e-5))
    expect(isinstance(q, torch.Tensor) and q.dtype == torch.int8, "q should be a torch.int8 tensor", kind="wrong_type")
    top = int(q.to(torch.int64).abs().max())
    expect(top == 127, f"the largest |code| should be 127 (the extreme element), got {top}")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_all_zero_tensor(learner, device, dtype):
    """an all-zero tensor gets scale 1.0 and zero codes, with no NaN"""
    x = torch.zeros(3, 4, dtype=dtype, device=device)
    q, scale = learner.quantize_symmetric(x)
    expect_close(scale, torch.tensor(1.0, dtype=dtype, device=device), name="scale of an all-zero tensor")
    expect_close(q, torch.zeros(3, 4, dtype=torch.int8, device=device), name="q of an all-zero tensor")
    expect_close(learner.dequantize(q, scale), x, name="dequantize of the zero codes")


@pytest.mark.parametrize("step", [1e-33, 1e33], ids=["tiny", "huge"])
def test_extreme_magnitudes(learner, device, step):
    """values around 1e-31 and 1e35 in float32 quantize correctly"""
    x = _grid_data((40,), step, torch.float32, device, seed=3)
    got = learner.quantize_symmetric(x)
    expect_close(got, _reference(x), name=f"(q, scale) for values of order {step * 100:g}")


def test_shapes(learner, device):
    """works for a 0-dim tensor and a 4-D tensor"""
    x = torch.tensor(-2.5, dtype=torch.float64, device=device)
    expect_close(learner.quantize_symmetric(x), _reference(x), name="(q, scale) for a 0-dim tensor")
    x = _grid_data((2, 3, 2, 4), 0.5, torch.float64, device, seed=4)
    expect_close(learner.quantize_symmetric(x), _reference(x), name="(q, scale) for a (2, 3, 2, 4) tensor")


def test_does_not_use_builtin(learner):
    """does not call torch.quantize_per_tensor or fake quantization"""
    learner.check_forbidden()

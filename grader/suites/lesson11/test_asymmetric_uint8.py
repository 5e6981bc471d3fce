"""Hidden suite: lesson11.asymmetric_uint8."""

import warnings

import pytest
import torch

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _call_unchanged(learner, name, args, names):
    """Call the learner's ``name(*args)``; the grader fails the check if an argument is changed in place."""
    return learner.call_named(name, names, *args)


def _codes(x, scale, zp, axis=None):
    """The uint8 codes torch's quantizer gives (float32), or the same formula in float64."""
    if x.dtype == torch.float32 and hasattr(torch, "quantize_per_tensor"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Quantized tensors are a CPU feature: quantize there, move the codes back.
            if axis is None:
                qt = torch.quantize_per_tensor(x.cpu(), float(scale), int(zp), torch.quint8)
            else:
                qt = torch.quantize_per_channel(x.cpu(), scale.cpu().double(), zp.cpu().long(), axis, torch.quint8)
            return qt.int_repr().to(x.device)
    if axis is not None:
        shape = [1] * x.dim()
        shape[axis] = x.shape[axis]
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return (torch.round(x / scale) + zp).clamp(0, 255).to(torch.uint8)


def _qparams(lo, hi):
    lo, hi = lo.clamp(max=0), hi.clamp(min=0)
    scale = (hi - lo) / 255
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    zp = torch.round(-lo / scale).clamp(0, 255).to(torch.int64)
    return scale, zp


def _grid(shape, scale, zp, dtype, device, seed=0, span=(0, 255)):
    """x = (k - zp + offset) * scale with |offset| <= 0.4: no element sits near a rounding tie.

    The first two elements are the exact ends of the span, so min/max give back ``scale``.
    """
    g = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    k = torch.randint(span[0], span[1] + 1, (n,), generator=g).to(torch.float64)
    off = (torch.rand(n, generator=g, dtype=torch.float64) - 0.5) * 0.8
    k[0], k[1], off[0], off[1] = span[0], span[1], 0.0, 0.0
    return ((k - zp + off) * scale).reshape(shape).to(device, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_per_tensor_qparams_and_codes(learner, device, dtype):
    """scale = (hi - lo)/255, zero_point = round(-lo/scale), codes match torch.quantize_per_tensor"""
    x = _grid((5, 8), 0.02, 60, dtype, device)
    q, scale, zp = _call_unchanged(learner, "quantize_per_tensor", [x], ["x"])
    s_ref, zp_ref = _qparams(x.min(), x.max())
    expect_close(scale, s_ref, name="scale")
    expect_close(zp, zp_ref, name="zero_point")
    expect_close(q, _codes(x, s_ref, zp_ref), name="q")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_range_includes_zero(learner, device, dtype):
    """an all-positive tensor still maps 0.0 to a code (zero_point 0, scale max/255)"""
    g = torch.Generator().manual_seed(1)
    x = (2.0 + 3.0 * torch.rand(30, generator=g, dtype=torch.float64)).to(device, dtype)
    q, scale, zp = learner.quantize_per_tensor(x)
    s_ref, zp_ref = _qparams(x.min(), x.max())
    expect_close((scale, zp), (s_ref, zp_ref), name="(scale, zero_point) for x in [2, 5]")
    expect_close(q, _codes(x, s_ref, zp_ref), name="q for x in [2, 5]")
    x = -x
    q, scale, zp = learner.quantize_per_tensor(x)
    s_ref, zp_ref = _qparams(x.min(), x.max())
    expect_close((scale, zp), (s_ref, zp_ref), name="(scale, zero_point) for x in [-5, -2]")
    expect_close(q, _codes(x, s_ref, zp_ref), name="q for x in [-5, -2]")


def test_given_qparams_clamp(learner, device):
    """with a given scale and zero point, values outside the range clamp to 0 and 255"""
    x = _grid((64,), 0.05, 100, torch.float32, device, seed=2, span=(-80, 330))
    q, scale, zp = learner.quantize_per_tensor(x, 0.05, 100)
    expect_close(q, _codes(x, torch.tensor(0.05), torch.tensor(100)), name="q with scale 0.05, zero_point 100")
    expect_close(
        (scale, zp),
        (torch.tensor(0.05, device=device), torch.tensor(100, device=device)),
        name="(scale, zero_point) returned",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_round_half_to_even(learner, device, dtype):
    """x/scale exactly on .5 rounds to the even integer, like torch"""
    x = torch.tensor([0.25, 0.75, 1.25, -0.25, -0.75, -1.25, 2.75], dtype=dtype, device=device)
    q, _, _ = learner.quantize_per_tensor(x, 0.5, 10)
    expect_close(q, _codes(x, torch.tensor(0.5), torch.tensor(10)), name="q for x/scale = +-0.5, 1.5, 2.5, 5.5")


def test_all_zero_tensor(learner, device):
    """an all-zero tensor gets scale 1.0, zero_point 0 and zero codes"""
    x = torch.zeros(2, 3, device=device)
    got = learner.quantize_per_tensor(x)
    expected = (
        torch.zeros(2, 3, dtype=torch.uint8, device=device),
        torch.tensor(1.0, device=device),
        torch.tensor(0, device=device),
    )
    expect_close(got, expected, name="(q, scale, zero_point) of zeros")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_per_channel_matches_torch(learner, device, dtype):
    """per-channel qparams and codes match torch.quantize_per_channel (axis 0)"""
    chans = [
        _grid((1, 3, 4), s, zp, dtype, device, seed=10 + i)
        for i, (s, zp) in enumerate([(0.01, 0), (0.2, 128), (0.03, 255), (1.5, 17)])
    ]
    x = torch.cat(chans, dim=0)
    q, scales, zps = _call_unchanged(learner, "quantize_per_channel", [x, 0], ["x", "axis"])
    rows = x.reshape(4, -1)
    s_ref, zp_ref = _qparams(rows.min(1).values, rows.max(1).values)
    expect_close(scales, s_ref, name="scales")
    expect_close(zps, zp_ref, name="zero_points")
    expect_close(q, _codes(x, s_ref, zp_ref, axis=0), name="q")


def test_per_channel_other_axis(learner, device):
    """per-channel quantization along axis 1 of a 3-D tensor"""
    chans = [
        _grid((2, 1, 5), s, zp, torch.float32, device, seed=20 + i)
        for i, (s, zp) in enumerate([(0.05, 30), (0.4, 200), (0.001, 90)])
    ]
    x = torch.cat(chans, dim=1)
    q, scales, zps = learner.quantize_per_channel(x, 1)
    rows = x.movedim(1, 0).reshape(3, -1)
    s_ref, zp_ref = _qparams(rows.min(1).values, rows.max(1).values)
    expect_close((scales, zps), (s_ref, zp_ref), name="(scales, zero_points) along axis 1")
    expect_close(q, _codes(x, s_ref, zp_ref, axis=1), name="q along axis 1")


def test_per_channel_given_qparams(learner, device):
    """per-channel quantization with given scales and zero points"""
    g = torch.Generator().manual_seed(30)
    x = (torch.randn(3, 7, generator=g, dtype=torch.float64) * 4).to(device, torch.float32)
    scales = torch.tensor([0.0625, 0.125, 0.03125], device=device)
    zps = torch.tensor([0, 128, 250], device=device)
    q, _, _ = learner.quantize_per_channel(x, 0, scales, zps)
    expect_close(q, _codes(x, scales, zps, axis=0), name="q with given scales and zero points")


def test_extreme_range(learner, device):
    """ranges of 1e-30 and 1e30 quantize correctly in float32"""
    for step in (1e-32, 1e32):
        x = _grid((50,), step, 40, torch.float32, device, seed=40)
        q, scale, zp = learner.quantize_per_tensor(x)
        s_ref, zp_ref = _qparams(x.min(), x.max())
        expect_close((scale, zp), (s_ref, zp_ref), name=f"(scale, zero_point) for a range of {step * 255:g}")
        expect_close(q, _codes(x, s_ref, zp_ref), name=f"q for a range of {step * 255:g}")


def test_does_not_use_builtin(learner):
    """does not call torch.quantize_per_tensor / quantize_per_channel or fake quantization"""
    learner.check_forbidden()

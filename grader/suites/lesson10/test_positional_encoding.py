"""Hidden suite: lesson10.positional_encoding."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
IDS = ["float32", "float64"]


def _reference(L, d, base=10000.0):
    """Column by column from the definition, in float64."""
    pe = torch.zeros(L, d, dtype=torch.float64)
    pos = torch.arange(L, dtype=torch.float64)
    for j in range(d):
        angle = pos / base ** (2 * (j // 2) / d)
        pe[:, j] = torch.sin(angle) if j % 2 == 0 else torch.cos(angle)
    return pe


@pytest.mark.parametrize("L,d", [(10, 8), (64, 32)])
def test_matches_definition_float32(learner, device, L, d):
    """matches PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...) in float32"""
    got = learner.sinusoidal_encoding(L, d, 10000.0, torch.float32, device)
    expect_close(got, _reference(L, d).to(device, torch.float32), name=f"PE for L={L}, d={d}")


@pytest.mark.parametrize("L,d", [(16, 6), (512, 64)])
def test_matches_definition_float64(learner, device, L, d):
    """matches the definition in float64, up to 512 positions"""
    got = learner.sinusoidal_encoding(L, d, 10000.0, torch.float64, device)
    expect_close(got, _reference(L, d).to(device), name=f"PE for L={L}, d={d}")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("d", [1, 5, 7])
def test_odd_dimension(learner, device, d, dtype):
    """odd d: the last column is a sine and the exponent uses the real d"""
    got = learner.sinusoidal_encoding(12, d, 10000.0, dtype, device)
    expect_close(got, _reference(12, d).to(device, dtype), name=f"PE for d={d}")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_other_base(learner, device, dtype):
    """the base argument replaces 10000"""
    got = learner.sinusoidal_encoding(20, 10, 100.0, dtype, device)
    expect_close(got, _reference(20, 10, base=100.0).to(device, dtype), name="PE with base=100")


def test_default_arguments(learner, device):
    """defaults: base 10000 and float32"""
    got = learner.sinusoidal_encoding(6, 4)
    expect_close(got, _reference(6, 4).to(torch.float32), name="sinusoidal_encoding(6, 4)", check_device=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_position_zero_and_first_pair(learner, device, dtype):
    """position 0 is [0, 1, 0, 1, ...] and columns 0 and 1 are sin(pos) and cos(pos)"""
    got = learner.sinusoidal_encoding(9, 6, 10000.0, dtype, device)
    expect(tuple(got.shape) == (9, 6), f"expected shape [9, 6], got {list(got.shape)}", kind="wrong_shape")
    expect_close(got[0], torch.tensor([0.0, 1.0] * 3, dtype=dtype, device=device), name="PE[0]")
    pos = torch.arange(9, dtype=torch.float64, device=device)
    expect_close(got[:, 0], torch.sin(pos).to(dtype), name="PE[:, 0] (frequency 1)")
    expect_close(got[:, 1], torch.cos(pos).to(dtype), name="PE[:, 1] (frequency 1)")


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_relative_shift_is_a_rotation(learner, device, dtype):
    """PE[pos + k] is a fixed rotation of PE[pos] in every (sin, cos) pair"""
    L, d, k = 30, 8, 5
    pe = learner.sinusoidal_encoding(L, d, 10000.0, dtype, device)
    expect(tuple(pe.shape) == (L, d), f"expected shape [{L}, {d}], got {list(pe.shape)}", kind="wrong_shape")
    expect(pe.dtype == dtype, f"expected dtype {dtype}, got {pe.dtype}", kind="wrong_dtype")
    freq = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64, device=device) / d)
    c, s = torch.cos(k * freq), torch.sin(k * freq)
    pe64 = pe.double()
    sin_p, cos_p = pe64[: L - k, 0::2], pe64[: L - k, 1::2]
    # sin(a + b) = sin a cos b + cos a sin b,  cos(a + b) = cos a cos b - sin a sin b
    expect_close(pe[k:, 0::2], (sin_p * c + cos_p * s).to(dtype), name=f"sine columns of PE[pos + {k}]")
    expect_close(pe[k:, 1::2], (cos_p * c - sin_p * s).to(dtype), name=f"cosine columns of PE[pos + {k}]")


def test_empty_length(learner, device):
    """length 0 gives an empty (0, d) table"""
    got = learner.sinusoidal_encoding(0, 4, 10000.0, torch.float64, device)
    expect_close(got, torch.zeros(0, 4, dtype=torch.float64, device=device), name="PE for L=0")

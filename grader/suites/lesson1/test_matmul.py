"""Hidden suite: lesson1.matmul."""

import pytest
import torch

from grader.testing import CheckFailure, LearnerProblem, expect, expect_close

DTYPES = [torch.float32, torch.float64]


def _pair(n, k, m, dtype, device, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    a = (torch.randn(n, k, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    b = (torch.randn(k, m, generator=g, dtype=torch.float64) * scale).to(device, dtype)
    return a, b


def _reference(a, b):
    # Float64 reference, cast back to the inputs' dtype.
    return (a.double() @ b.double()).to(a.dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_matches_reference(learner, device, dtype):
    """matches a @ b for a (3, 4) by (4, 5) product"""
    a, b = _pair(3, 4, 5, dtype, device)
    expect_close(learner.matmul(a, b), _reference(a, b), name="matmul(a, b)")


@pytest.mark.parametrize(
    "shape", [(4, 4, 4), (1, 6, 1), (7, 1, 3), (1, 1, 1), (2, 9, 6)], ids=["square", "row-col", "k1", "1x1", "wide"]
)
def test_many_shapes(learner, device, shape):
    """works for square, single-row, single-column and inner-size-1 products"""
    n, k, m = shape
    a, b = _pair(n, k, m, torch.float64, device, seed=sum(shape))
    expect_close(learner.matmul(a, b), _reference(a, b), name=f"matmul of ({n}, {k}) by ({k}, {m})")


def test_integer_matrices_stay_exact(learner, device):
    """integer matrices give an exact integer result of the same dtype"""
    g = torch.Generator().manual_seed(5)
    a = torch.randint(-9, 10, (3, 5), generator=g).to(device)
    b = torch.randint(-9, 10, (5, 2), generator=g).to(device)
    # Reference on the CPU: CUDA has no integer matrix product.
    expect_close(learner.matmul(a, b), (a.cpu() @ b.cpu()).to(device), name="matmul of int64 matrices")


def test_large_and_small_magnitudes(learner, device):
    """entries of size 1e150 and 1e-150 keep full relative accuracy in float64"""
    a, b = _pair(3, 4, 2, torch.float64, device, seed=6)
    big = learner.matmul(a * 1e150, b)
    expect_close(big, _reference(a * 1e150, b), name="matmul(a * 1e150, b)")
    small = learner.matmul(a * 1e-150, b * 1e-150)
    expect_close(small, _reference(a * 1e-150, b * 1e-150), name="matmul(a * 1e-150, b * 1e-150)", atol=0.0)


def test_inputs_unchanged(learner, device):
    """does not modify a or b"""
    a, b = _pair(3, 4, 5, torch.float64, device, seed=7)
    learner.matmul(a, b)  # the call itself fails with modified_input if a or b changes


def _expect_value_error(learner, a, b):
    sizes = (*a.shape, *b.shape)
    try:
        got = learner.matmul(a, b)
    except LearnerProblem as exc:
        if exc.kind != "exception":
            raise
        expect(
            "raised ValueError" in exc.message,
            f"a shape mismatch should raise ValueError, but {exc.message}",
            kind="exception",
        )
        # Only the exception's own message: the location line after it quotes source code.
        text = exc.message.split("raised ValueError", 1)[1].split("\n  at ", 1)[0]
        expect(
            all(str(s) in text for s in sizes),
            f"the ValueError should name both shapes ({tuple(a.shape)} and {tuple(b.shape)}); its message was: "
            f"{text.lstrip(': ').splitlines()[0]!r}",
            kind="exception",
        )
        return
    raise CheckFailure(
        "wrong_values",
        f"matmul of shapes {tuple(a.shape)} and {tuple(b.shape)} should raise ValueError, "
        f"but it returned a result of shape {list(got.shape) if isinstance(got, torch.Tensor) else got!r}",
    )


def test_shape_mismatch_raises(learner, device):
    """a (2, 3) by (4, 5) product raises ValueError naming both shapes"""
    a = torch.ones(2, 3, dtype=torch.float64, device=device)
    b = torch.zeros(4, 5, dtype=torch.float64, device=device)
    _expect_value_error(learner, a, b)


def test_broadcastable_mismatch_raises(learner, device):
    """a (3, 2) by (1, 4) product is refused, not quietly broadcast"""
    g = torch.Generator().manual_seed(8)
    a = torch.randn(3, 2, generator=g, dtype=torch.float64).to(device)
    b = torch.randn(1, 4, generator=g, dtype=torch.float64).to(device)
    _expect_value_error(learner, a, b)


def test_does_not_use_builtin(learner):
    """does not use @, torch.matmul, mm, bmm, einsum, inner, tensordot or F.linear"""
    learner.check_forbidden()

"""Hidden suite: lesson2.softmax_regression."""

import pytest
import torch

from grader.testing import expect_close

DTYPES = [torch.float32, torch.float64]


def _randn(shape, dtype, device, seed=0, scale=2.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(device, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_matches_reference(learner, device, dtype):
    """softmax matches torch.softmax along the last dimension"""
    z = _randn((5, 4), dtype, device, seed=1)
    expect_close(learner.softmax(z), torch.softmax(z, dim=-1), name="softmax(z)")


@pytest.mark.parametrize("dim", [0, 1, 2, -2], ids=["dim=0", "dim=1", "dim=2", "dim=-2"])
def test_softmax_any_dim(learner, device, dim):
    """softmax normalizes along the requested dimension of a (3, 4, 5) tensor"""
    z = _randn((3, 4, 5), torch.float64, device, seed=2)
    expect_close(learner.softmax(z, dim), torch.softmax(z, dim=dim), name=f"softmax(z, dim={dim})")


def test_softmax_square_input(learner, device):
    """on a square (4, 4) input each row, not each column, sums to 1"""
    z = _randn((4, 4), torch.float64, device, seed=3)
    expect_close(learner.softmax(z, 1), torch.softmax(z, dim=1), name="softmax(z, dim=1) of a square z")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_extreme(learner, device, dtype):
    """rows of logits near +1e4 and near -1e4 both give finite, correct probabilities"""
    z = torch.tensor(
        [[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0], [1e4, 1e4 - 3.0, 5e3], [0.5, 0.25, -0.5]],
        dtype=dtype,
        device=device,
    )
    expect_close(learner.softmax(z, -1), torch.softmax(z, dim=-1), name="softmax at |z| = 1e4")


def test_softmax_gradient(learner, device):
    """the gradient of softmax matches autograd's for a random upstream gradient"""
    z = _randn((3, 5), torch.float64, device, seed=4)
    up = _randn((3, 5), torch.float64, device, seed=5, scale=1.0)
    ref = z.clone().requires_grad_(True)
    torch.softmax(ref, dim=-1).backward(up)
    _, (grad,) = learner.backward("softmax", z, -1, wrt=(0,), upstream=up)
    expect_close(grad, ref.grad, name="d softmax / d z", kind="wrong_gradient")


def _reference_predict(X, W, b):
    probs = torch.softmax(X.double() @ W.double() + b.double(), dim=-1)
    return probs.to(X.dtype), probs.argmax(dim=-1)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_predict(learner, device, dtype):
    """predict returns softmax(X W + b) and the argmax class of each row"""
    X = _randn((6, 3), dtype, device, seed=6)
    W = _randn((3, 4), dtype, device, seed=7)
    b = _randn((4,), dtype, device, seed=8, scale=3.0)
    expect_close(learner.predict(X, W, b), _reference_predict(X, W, b), name="predict(X, W, b)")


def test_predict_batch_dimensions(learner, device):
    """predict accepts X of shape (2, 3, D) and returns (2, 3, C) and (2, 3)"""
    X = _randn((2, 3, 5), torch.float64, device, seed=9)
    W = _randn((5, 3), torch.float64, device, seed=10)
    b = _randn((3,), torch.float64, device, seed=11)
    expect_close(learner.predict(X, W, b), _reference_predict(X, W, b), name="predict on batched X")


def test_predict_large_logits(learner, device):
    """predict stays finite when X W + b reaches 1e4"""
    X = _randn((4, 2), torch.float64, device, seed=12) * 1e3
    W = _randn((2, 3), torch.float64, device, seed=13)
    b = torch.tensor([0.0, 1e4, -1e4], dtype=torch.float64, device=device)
    expect_close(learner.predict(X, W, b), _reference_predict(X, W, b), name="predict with logits up to 1e4")


def test_inputs_unchanged(learner, device):
    """softmax and predict do not modify their inputs"""
    z = _randn((3, 4), torch.float64, device, seed=14)
    # Each call itself fails with modified_input if a tensor argument changes.
    learner.softmax(z, -1)
    X = _randn((5, 2), torch.float64, device, seed=15)
    W = _randn((2, 3), torch.float64, device, seed=16)
    b = _randn((3,), torch.float64, device, seed=17)
    learner.predict(X, W, b)


def test_does_not_use_builtin(learner):
    """does not call torch.softmax, F.softmax, Tensor.softmax or a log-softmax built-in"""
    learner.check_forbidden()

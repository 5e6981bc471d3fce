"""Hidden suite: lesson6b.activations."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _x(shape, dtype, device, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(device, dtype)


def _nonzero(shape, device, seed):
    """float64 inputs kept away from 0, where LeakyReLU has a kink."""
    x = _x(shape, torch.float64, device, seed=seed)
    return torch.where(x.abs() < 0.05, x.sign() * 0.05 + 0.05, x)


def _ref_grad(fn, x):
    xr = x.detach().clone().requires_grad_(True)
    fn(xr).sum().backward()
    return xr.grad


# The reference activations, by the name the learner defines.
REFS = {
    "leaky_relu": lambda x: F.leaky_relu(x),
    "gelu": lambda x: F.gelu(x),
    "mish": lambda x: F.mish(x),
}

# ---------------------------------------------------------------- leaky_relu


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_leaky_relu_default_slope(learner, device, dtype):
    """leaky_relu matches F.leaky_relu with the default slope 0.01"""
    x = _x((4, 5, 3), dtype, device)
    expect_close(learner.leaky_relu(x), F.leaky_relu(x), name="leaky_relu(x)")


@pytest.mark.parametrize("slope", [0.2, 0.0], ids=["slope0.2", "slope0"])
def test_leaky_relu_given_slope(learner, device, slope):
    """leaky_relu uses the negative_slope it is given"""
    x = _x((6, 7), torch.float64, device, seed=1)
    expect_close(learner.leaky_relu(x, slope), F.leaky_relu(x, slope), name=f"leaky_relu(x, {slope})")


def test_leaky_relu_gradient(learner, device):
    """the gradient of leaky_relu is 1 for positive inputs and negative_slope for negative ones (float64)"""
    x = _nonzero((5, 6), device, seed=2)
    _, (grad,) = learner.backward("leaky_relu", x, 0.2, wrt=(0,))
    expect_close(grad, _ref_grad(lambda t: F.leaky_relu(t, 0.2), x), name="d leaky_relu / dx", kind="wrong_gradient")


# ---------------------------------------------------------------- gelu


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_gelu_exact(learner, device, dtype):
    """gelu matches F.gelu (exact, with erf)"""
    x = _x((4, 5, 3), dtype, device, seed=3)
    expect_close(learner.gelu(x), F.gelu(x), name="gelu(x)")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_gelu_tanh(learner, device, dtype):
    """gelu(x, approximate='tanh') matches F.gelu with the tanh approximation"""
    x = _x((4, 5, 3), dtype, device, seed=4)
    expect_close(learner.gelu(x, "tanh"), F.gelu(x, approximate="tanh"), name="gelu(x, approximate='tanh')")


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradient(learner, device, approximate):
    """the gradient of gelu matches autograd's through F.gelu (float64)"""
    x = _x((5, 6), torch.float64, device, seed=5)
    _, (grad,) = learner.backward("gelu", x, approximate, wrt=(0,))
    ref = _ref_grad(lambda t: F.gelu(t, approximate=approximate), x)
    expect_close(grad, ref, name=f"d gelu(x, approximate={approximate!r}) / dx", kind="wrong_gradient")


def test_gelu_rejects_unknown_approximation(learner, device):
    """gelu raises ValueError for an unknown approximate"""
    x = _x((3,), torch.float64, device, seed=6)
    raised = learner.run(_raises_value_error, x, "sigmoid", label="gelu(x, approximate='sigmoid')")
    expect(raised, "gelu(x, approximate='sigmoid') should raise ValueError", kind="wrong_values")


def _raises_value_error(mod, x, approximate):
    try:
        mod.gelu(x, approximate)
    except ValueError:
        return True
    return False


# ---------------------------------------------------------------- mish


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_mish_matches_reference(learner, device, dtype):
    """mish matches F.mish"""
    x = _x((4, 5, 3), dtype, device, seed=7)
    expect_close(learner.mish(x), F.mish(x), name="mish(x)")


def test_mish_gradient(learner, device):
    """the gradient of mish matches autograd's through F.mish (float64)"""
    x = _x((5, 6), torch.float64, device, seed=8)
    _, (grad,) = learner.backward("mish", x, wrt=(0,))
    expect_close(grad, _ref_grad(F.mish, x), name="d mish / dx", kind="wrong_gradient")


# ---------------------------------------------------------------- all three

LARGE = [-1e4, -1e3, -100.0, -30.0, 30.0, 100.0, 1e3, 1e4]


@pytest.mark.parametrize("name", ["leaky_relu", "gelu", "mish"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_inputs_values(learner, device, name, dtype):
    """the value stays finite and correct for |x| up to 1e4"""
    x = torch.tensor(LARGE, dtype=torch.float64).to(device, dtype)
    expect_close(getattr(learner, name)(x), REFS[name](x), name=f"{name}(x) at x = {LARGE}")


@pytest.mark.parametrize("name", ["leaky_relu", "gelu", "mish"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_inputs_gradients(learner, device, name, dtype):
    """the gradient stays finite and correct for |x| up to 1e4"""
    x = torch.tensor(LARGE, dtype=torch.float64).to(device, dtype)
    _, (grad,) = learner.backward(name, x, wrt=(0,))
    expect_close(grad, _ref_grad(REFS[name], x), name=f"d {name} / dx at x = {LARGE}", kind="wrong_gradient")


@pytest.mark.parametrize("name", ["leaky_relu", "gelu", "mish"])
def test_any_shape(learner, device, name):
    """works on a 0-d tensor, an empty tensor and a 4-D batch"""
    for shape in [(), (0, 3), (2, 3, 2, 2)]:
        x = _x(shape, torch.float64, device, seed=9)
        expect_close(getattr(learner, name)(x), REFS[name](x), name=f"{name}(x) for x of shape {list(shape)}")


def test_does_not_use_builtin(learner):
    """does not call F.leaky_relu, F.gelu, F.mish, F.softplus or their nn modules"""
    learner.check_forbidden()

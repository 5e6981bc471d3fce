"""Hidden suite: lesson1.finite_diff."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

# Each test function f is written once, as source, and built both here (for the autograd
# reference) and inside the worker (where the learner's numerical_grad calls it).
SMOOTH = """
import torch
def f(t):
    # Smooth and not separable: every partial derivative depends on other entries too.
    flat = t.reshape(-1)
    return (flat.sin() * flat.roll(1)).sum() + (1.0 + (flat * flat).sum()).log()
"""

CUBIC = """
def f(t):
    return (t ** 3).sum()
"""

AS_FLOAT = """
def f(t):
    # Returns a plain Python number rather than a tensor.
    return float((t * t * t).sum()) + 2.0 * float(t.sum())
"""


def _build(src):
    ns = {}
    exec(src, ns)
    return ns["f"]


def _grad_of(mod, src, x, h=None):
    ns = {}
    exec(src, ns)
    x_seen = x.clone()
    g = mod.numerical_grad(ns["f"], x) if h is None else mod.numerical_grad(ns["f"], x, h)
    return {"grad": g, "x_before": x_seen, "x_after": x}


def _probe(mod, x, h=None):
    import torch

    seen = []

    def f(t):
        seen.append(t.detach().clone())
        return (t * t).sum()

    if h is None:
        mod.numerical_grad(f, x)
    else:
        mod.numerical_grad(f, x, h)
    if not seen:
        return torch.zeros((0, *x.shape), dtype=x.dtype, device=x.device)
    return torch.stack(seen)


def _autograd(src, x):
    xr = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(_build(src)(xr), xr)
    return g


def _x(shape, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(tuple(shape), generator=g, dtype=torch.float64).to(device, dtype)


def test_matches_autograd(learner, device):
    """matches autograd's gradient in float64 with the default h"""
    x = _x((2, 3), torch.float64, device, seed=1)
    out = learner.run(_grad_of, SMOOTH, x, label="numerical_grad(f, x) with a smooth f")
    expect_close(out["grad"], _autograd(SMOOTH, x), name="numerical_grad(f, x)", rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(), (5,), (2, 1, 3)], ids=["0-d", "1-D", "3-D"])
def test_any_shape(learner, device, shape):
    """returns a gradient shaped like x for 0-d, 1-D and 3-D inputs"""
    x = _x(shape, torch.float64, device, seed=len(shape) + 2)
    out = learner.run(_grad_of, SMOOTH, x, 1e-4, label=f"numerical_grad(f, x of shape {list(shape)}, h=1e-4)")
    expect_close(out["grad"], _autograd(SMOOTH, x), name="numerical_grad(f, x, 1e-4)", rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("h", [1e-2, 3e-2], ids=["h=0.01", "h=0.03"])
def test_uses_h_as_documented(learner, device, h):
    """for f(x) = sum(x**3) the central difference is exactly 3x^2 + h^2"""
    x = _x((6,), torch.float64, device, seed=3)
    out = learner.run(_grad_of, CUBIC, x, h, label=f"numerical_grad(sum(x**3), x, h={h})")
    expect_close(out["grad"], 3 * x * x + h * h, name=f"numerical_grad(sum(x**3), x, h={h})", rtol=1e-9, atol=1e-10)


def test_probes_x_plus_and_minus_h(learner, device):
    """f is evaluated at x + h e_i and x - h e_i for every i, with h = 1e-5 by default"""
    x = _x((2, 2), torch.float64, device, seed=4)
    for h, label in ((None, "default h"), (0.25, "h=0.25")):
        probes = learner.run(_probe, x, h, label=f"numerical_grad(f, x) ({label})")
        step = 1e-5 if h is None else h
        expect(
            isinstance(probes, torch.Tensor) and probes.dim() == 3 and tuple(probes.shape[1:]) == tuple(x.shape),
            f"f should receive tensors shaped like x {list(x.shape)}",
            kind="wrong_shape",
        )
        expect(probes.dtype == x.dtype, f"f should receive {x.dtype} tensors, got {probes.dtype}", kind="wrong_dtype")
        deltas = probes.to("cpu", torch.float64).reshape(len(probes), -1) - x.cpu().reshape(1, -1)
        for i in range(x.numel()):
            for sign, word in ((1, "+"), (-1, "-")):
                target = torch.zeros(x.numel(), dtype=torch.float64)
                target[i] = sign * step
                hit = ((deltas - target).abs() <= 1e-12 + 1e-9 * step).all(dim=1).any() if len(deltas) else False
                expect(
                    bool(hit),
                    f"with {label}, f was never evaluated at x {word} {step:g} * e_{i} (only element {i} moved); "
                    f"f was called {len(probes)} times",
                )


def test_float32_input(learner, device):
    """a float32 x gives a float32 gradient close to the exact one"""
    w = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], dtype=torch.float64)
    x = _x((2, 3), torch.float32, device, seed=5)
    src = f"def f(t):\n    import torch\n    w = torch.tensor({w.tolist()}, dtype=t.dtype, device=t.device)\n"
    src += "    return (w * t * t).sum()\n"
    out = learner.run(_grad_of, src, x, 1e-2, label="numerical_grad(sum(w * x**2), x float32, h=1e-2)")
    expect_close(
        out["grad"], (2 * w.to(device) * x.double()).float(), name="numerical_grad in float32", rtol=1e-3, atol=1e-3
    )


def test_function_returning_a_number(learner, device):
    """works when f returns a Python float instead of a tensor"""
    x = _x((4,), torch.float64, device, seed=6)
    out = learner.run(_grad_of, AS_FLOAT, x, 1e-3, label="numerical_grad(f returning a float, x, h=1e-3)")
    expect_close(out["grad"], 3 * x * x + 1e-6 + 2.0, name="numerical_grad(f, x, 1e-3)", rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize(
    "dtype,h", [(torch.float64, None), (torch.float32, 1e-3)], ids=["float64-default-h", "float32-h=1e-3"]
)
def test_input_unchanged(learner, device, dtype, h):
    """leaves x exactly as it was (a 1-D x of 40 elements)"""
    x = _x((40,), dtype, device, seed=7) * 3
    what = f"numerical_grad(sum(x**3), x {str(dtype)[6:]}" + (")" if h is None else f", h={h:g})")
    out = learner.run(_grad_of, CUBIC, x, h, label=what)
    expect_unchanged(out["x_before"], out["x_after"], "x")


def test_does_not_use_builtin(learner):
    """does not use autograd (torch.autograd.grad, backward, torch.func.grad, jacobian)"""
    learner.check_forbidden()

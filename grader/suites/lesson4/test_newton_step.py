"""Hidden suite: lesson4.newton_step.

Each test function f is written once, as source, and built both here (for the reference,
torch.autograd.functional.hessian) and inside the worker (where the learner's code calls it).
"""

import pytest
import torch

from grader.testing import expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]

SMOOTH = """
import torch
def f(t):
    # Not separable: every second derivative, mixed ones included, is non-zero in general.
    return (t.sin() * t.roll(1)).sum() + (1.0 + (t * t).sum()).log() + t[0] * t[-1] ** 3
"""

PARTLY_LINEAR = """
def f(t):
    # Linear in t[2]: its row and column of the Hessian are zero.
    return t[0] ** 2 * t[1] + 3.0 * t[2] + (t[1] - t[3]) ** 4
"""

LINEAR = """
def f(t):
    # Linear in every entry: the gradient is a constant without history, the Hessian zero.
    return 1.5 * t.sum() - 2.0 * t[0] + 0.25
"""

ONE_ENTRY = """
def f(t):
    return (2.0 * t.exp() + t ** 3).sum()
"""


def _quadratic(n, seed):
    """Source of f(t) = 0.5 t^T A t + b^T t with a well-conditioned positive definite A, and A, b."""
    g = torch.Generator().manual_seed(seed)
    m = torch.randn(n, n, generator=g, dtype=torch.float64)
    A = m @ m.T / n + torch.eye(n, dtype=torch.float64)
    b = torch.randn(n, generator=g, dtype=torch.float64)
    src = (
        "import torch\n"
        "def f(t):\n"
        f"    A = torch.tensor({A.tolist()}, dtype=t.dtype, device=t.device)\n"
        f"    b = torch.tensor({b.tolist()}, dtype=t.dtype, device=t.device)\n"
        "    return 0.5 * (t * (A @ t)).sum() + (b * t).sum()\n"
    )
    return src, A, b


def _build(src):
    ns = {}
    exec(src, ns)
    return ns["f"]


def _call(mod, fn_name, src, x):
    """Build f from ``src`` and call the learner's ``fn_name(f, x)``; also return x before and after."""
    ns = {}
    exec(src, ns)
    x_seen = x.clone()
    out = getattr(mod, fn_name)(ns["f"], x)
    return {"out": out, "x_before": x_seen, "x_after": x}


def _ref_hessian(src, x):
    return torch.autograd.functional.hessian(_build(src), x.detach().double()).to(x.dtype)


def _ref_newton(src, x):
    f = _build(src)
    x64 = x.detach().double()
    xr = x64.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(xr), xr)
    H = torch.autograd.functional.hessian(f, x64)
    return (x64 - torch.linalg.solve(H, g)).to(x.dtype)


def _x(n, dtype, device, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=g, dtype=torch.float64).to(device, dtype)


def _run(learner, fn_name, src, x, what):
    return learner.run(_call, fn_name, src, x, label=f"{fn_name}(f, x) for {what}")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_hessian_of_quadratic(learner, device, dtype):
    """the Hessian of 0.5 x^T A x + b^T x is A"""
    src, A, _ = _quadratic(4, seed=1)
    x = _x(4, dtype, device, seed=2)
    got = _run(learner, "hessian", src, x, "f(x) = 0.5 x^T A x + b^T x")
    expect_close(got["out"], A.to(device, dtype), name="hessian(f, x) of a quadratic (should be A)")


def test_hessian_matches_autograd(learner, device):
    """the Hessian of a non-quadratic function, mixed partials included, matches torch's"""
    x = _x(5, torch.float64, device, seed=3)
    got = _run(learner, "hessian", SMOOTH, x, "a smooth non-quadratic f")
    expect_close(got["out"], _ref_hessian(SMOOTH, x), name="hessian(f, x)")


def test_hessian_partly_linear(learner, device):
    """an entry in which f is linear gives a zero row and column"""
    x = _x(4, torch.float64, device, seed=4)
    got = _run(learner, "hessian", PARTLY_LINEAR, x, "f linear in x[2]")
    expect_close(got["out"], _ref_hessian(PARTLY_LINEAR, x), name="hessian(f, x) with f linear in x[2]")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_hessian_linear(learner, device, dtype):
    """a function linear in every entry of x has a zero Hessian"""
    x = _x(3, dtype, device, seed=11)
    got = _run(learner, "hessian", LINEAR, x, "f linear in every entry of x")
    expect_close(
        got["out"],
        torch.zeros(3, 3, dtype=dtype, device=device),
        name="hessian(f, x) with f(x) = 1.5 sum(x) - 2 x[0] + 0.25 (should be all zeros)",
    )


def test_hessian_one_entry(learner, device):
    """works for x with a single entry, giving a 1 x 1 Hessian"""
    x = _x(1, torch.float64, device, seed=5)
    got = _run(learner, "hessian", ONE_ENTRY, x, "x of shape (1,)")
    expect_close(got["out"], _ref_hessian(ONE_ENTRY, x), name="hessian(f, x) for x of shape (1,)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_newton_solves_quadratic(learner, device, dtype):
    """on a quadratic, one Newton step lands on the minimum -A^-1 b"""
    src, A, b = _quadratic(4, seed=6)
    x = _x(4, dtype, device, seed=7)
    got = _run(learner, "newton_step", src, x, "f(x) = 0.5 x^T A x + b^T x")
    minimum = -torch.linalg.solve(A, b)
    expect_close(got["out"], minimum.to(device, dtype), name="newton_step(f, x) on a quadratic (the minimum)")


def test_newton_matches_reference(learner, device):
    """on a non-quadratic function, the step is x - H^-1 g"""
    x = _x(5, torch.float64, device, seed=8)
    got = _run(learner, "newton_step", SMOOTH, x, "a smooth non-quadratic f")
    expect_close(got["out"], _ref_newton(SMOOTH, x), name="newton_step(f, x)")


@pytest.mark.parametrize("fn_name", ["hessian", "newton_step"])
def test_input_unchanged(learner, device, fn_name):
    """leaves x exactly as it was"""
    src, _, _ = _quadratic(3, seed=9)
    x = _x(3, torch.float64, device, seed=10)
    got = _run(learner, fn_name, src, x, "a quadratic f")
    expect_unchanged(got["x_before"], got["x_after"], "x")


def test_does_not_use_builtin(learner):
    """does not use a ready-made Hessian or Jacobian (torch.autograd.functional, torch.func)"""
    learner.check_forbidden()

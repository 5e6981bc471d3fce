"""Hidden suite: lesson2.linreg_gd."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]


def _problem(n, d, k, dtype, device, seed=0):
    """X (n, d), y (n,) or (n, k), w and b of the matching shapes."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=torch.float64)
    wshape, bshape, yshape = ((d,), (), (n,)) if k is None else ((d, k), (k,), (n, k))
    w = torch.randn(wshape, generator=g, dtype=torch.float64)
    b = torch.randn(bshape, generator=g, dtype=torch.float64)
    y = torch.randn(yshape, generator=g, dtype=torch.float64) * 2.0
    return [t.to(device, dtype) for t in (X, y, w, b)]


def _reference_step(X, y, w, b, lr):
    """Autograd on float64 copies, then one step; results in the inputs' dtype."""
    w64 = w.double().requires_grad_(True)
    b64 = b.double().requires_grad_(True)
    loss = ((X.double() @ w64 + b64 - y.double()) ** 2).mean()
    gw, gb = torch.autograd.grad(loss, (w64, b64))
    return (
        (w64 - lr * gw).detach().to(w.dtype),
        (b64 - lr * gb).detach().to(b.dtype),
        loss.detach().to(X.dtype),
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(7,), (5, 3), (2, 3, 4)], ids=["1-D", "2-D", "3-D"])
def test_mse_matches_reference(learner, device, dtype, shape):
    """mse matches F.mse_loss, averaging over every entry"""
    g = torch.Generator().manual_seed(len(shape))
    pred = torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)
    target = torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)
    expect_close(learner.mse(pred, target), F.mse_loss(pred, target), name="mse(pred, target)")


def test_mse_gradient(learner, device):
    """the gradient of mse with respect to pred matches autograd's"""
    g = torch.Generator().manual_seed(9)
    pred = torch.randn(4, 3, generator=g, dtype=torch.float64).to(device)
    target = torch.randn(4, 3, generator=g, dtype=torch.float64).to(device)
    ref = pred.clone().requires_grad_(True)
    F.mse_loss(ref, target).backward()
    _, (grad,) = learner.backward("mse", pred, target, wrt=(0,))
    expect_close(grad, ref.grad, name="d mse / d pred", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_step_single_output(learner, device, dtype):
    """one step with y of shape (N,) matches the step taken with autograd's gradient"""
    X, y, w, b = _problem(10, 3, None, dtype, device, seed=1)
    new_w, new_b, loss = learner.linreg_gd_step(X, y, w, b, 0.1)
    ref_w, ref_b, ref_loss = _reference_step(X, y, w, b, 0.1)
    expect_close(loss, ref_loss, name="the loss before the step")
    expect_close(new_w, ref_w, name="new w", kind="wrong_gradient")
    expect_close(new_b, ref_b, name="new b (a 0-d tensor)", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_step_several_outputs(learner, device, dtype):
    """one step with y of shape (N, K), w (D, K), b (K,) averages over all N*K entries"""
    X, y, w, b = _problem(8, 4, 3, dtype, device, seed=2)
    new_w, new_b, loss = learner.linreg_gd_step(X, y, w, b, 0.05)
    ref_w, ref_b, ref_loss = _reference_step(X, y, w, b, 0.05)
    expect_close(loss, ref_loss, name="the loss before the step")
    expect_close(new_w, ref_w, name="new w", kind="wrong_gradient")
    expect_close(new_b, ref_b, name="new b", kind="wrong_gradient")


def test_single_example(learner, device):
    """a batch of one example and one feature works"""
    X, y, w, b = _problem(1, 1, None, torch.float64, device, seed=3)
    got = learner.linreg_gd_step(X, y, w, b, 0.3)
    expect_close(got, _reference_step(X, y, w, b, 0.3), name="linreg_gd_step on one example", kind="wrong_gradient")


def test_large_feature_scale(learner, device):
    """features of size 1e4 with a tiny learning rate give the exact float64 step"""
    X, y, w, b = _problem(6, 2, None, torch.float64, device, seed=4)
    X = X * 1e4
    got = learner.linreg_gd_step(X, y, w, b, 1e-9)
    expect_close(got, _reference_step(X, y, w, b, 1e-9), name="linreg_gd_step with X ~ 1e4", kind="wrong_gradient")


def test_inputs_unchanged(learner, device):
    """does not modify X, y, w or b"""
    X, y, w, b = _problem(6, 3, None, torch.float64, device, seed=5)
    learner.linreg_gd_step(X, y, w, b, 0.1)  # the call itself fails with modified_input


def _train(mod, X, y, w, b, lr, steps):
    losses = []
    for _ in range(steps):
        w, b, loss = mod.linreg_gd_step(X, y, w, b, lr)
        losses.append(float(loss))
    return {"w": w, "b": b, "first_loss": losses[0], "last_loss": losses[-1]}


def test_training_reaches_least_squares(learner, device):
    """300 steps with lr 0.1 reach the least-squares fit of noisy linear data"""
    g = torch.Generator().manual_seed(6)
    X = torch.randn(40, 3, generator=g, dtype=torch.float64)
    y = (
        X @ torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64)
        + 0.7
        + 0.1 * torch.randn(40, generator=g, dtype=torch.float64)
    )
    A = torch.cat([X, torch.ones(40, 1, dtype=torch.float64)], dim=1)
    sol = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
    X, y = X.to(device), y.to(device)
    w0 = torch.zeros(3, dtype=torch.float64, device=device)
    b0 = torch.zeros((), dtype=torch.float64, device=device)
    out = learner.run(_train, X, y, w0, b0, 0.1, 300, label="300 gradient-descent steps")
    expect(
        out["last_loss"] < out["first_loss"],
        f"the loss should fall during training, but went from {out['first_loss']:.4g} to {out['last_loss']:.4g}",
    )
    expect_close(out["w"], sol[:3].to(device), name="w after training", rtol=1e-5, atol=1e-6, kind="wrong_gradient")
    expect_close(out["b"], sol[3].to(device), name="b after training", rtol=1e-5, atol=1e-6, kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """computes the gradient by hand: no autograd, no F.mse_loss"""
    learner.check_forbidden()

"""Hidden suite: lesson4.adam.

The learner's optimizer and torch.optim.Adam are driven by the same scenario: the same initial
parameters and the same stream of gradients, step by step; the trajectories must agree.
"""

import pytest
import torch

from grader.testing import expect_close, sibling

DTYPES = [torch.float32, torch.float64]
STEPS = 100


_h = sibling(__file__, "optim_harness")


def _check(learner, kwargs, dtype, device, what, steps=STEPS, **how):
    return _h.check_trajectory(learner, "Adam", torch.optim.Adam, kwargs, dtype, device, what, steps=steps, **how)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_default_hyperparameters(learner, device, dtype):
    """with the default lr, betas and eps, matches torch.optim.Adam over 100 steps"""
    _check(learner, {}, dtype, device, "Adam with defaults")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_custom_hyperparameters(learner, device, dtype):
    """with lr=0.05, betas=(0.8, 0.99), eps=1e-6, matches torch.optim.Adam"""
    kwargs = {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}
    _check(learner, kwargs, dtype, device, "Adam, lr=0.05, betas=(0.8, 0.99)", seed=2)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_weight_decay(learner, device, dtype):
    """weight decay is added to the gradient (L2), as in torch.optim.Adam"""
    kwargs = {"lr": 0.02, "weight_decay": 0.1}
    _check(learner, kwargs, dtype, device, "Adam, weight_decay=0.1", seed=4)


def test_first_step_is_about_lr(learner, device):
    """the first step moves every weight by about lr (bias correction)"""
    lr = 0.01
    init, got = _check(learner, {"lr": lr}, torch.float64, device, "Adam's first step", seed=6, steps=1)
    for j, (p0, trajectory) in enumerate(zip(init, got, strict=False)):
        moved = (trajectory[0] - p0).abs()
        expect_close(
            moved,
            torch.full_like(moved, lr),
            rtol=1e-5,
            atol=0.0,
            name=f"|change| of parameter {j} after the first step (should be lr = {lr}: "
            f"the bias-corrected m_hat / sqrt(v_hat) is +-1 on step 1)",
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tiny_and_zero_gradients(learner, device, dtype):
    """with tiny (1e-8) and exactly zero gradients, eps is handled as torch does"""
    # Parameter 0: gradients around 1e-8, where eps (outside the sqrt) is comparable to sqrt(v_hat).
    _h.check_tiny_and_zero_gradients(learner, "Adam", torch.optim.Adam, dtype, device, seed=8)


@pytest.mark.parametrize("pattern", list(_h.SKIPS))
def test_missing_gradients(learner, device, pattern):
    """each parameter counts its own steps; a parameter with no .grad is skipped"""
    what = f"Adam, where {_h.SKIP_TEXT[pattern]}"
    _check(learner, {"lr": 0.02}, torch.float64, device, what, skip=_h.SKIPS[pattern], seed=10)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_zero_dim_parameters(learner, device, dtype):
    """works on 0-d (scalar) parameters"""
    _check(learner, {"lr": 0.02}, dtype, device, "Adam on a 0-d parameter", seed=16, shapes=_h.SCALAR_SHAPES)


@pytest.mark.parametrize(
    "dtype,kwargs",
    [(torch.float32, {}), (torch.float64, {}), (torch.float64, {"weight_decay": 0.1})],
    ids=["float32", "float64", "weight_decay"],
)
def test_gradients_unchanged(learner, device, dtype, kwargs):
    """step() reads each p.grad and never writes into it"""
    _h.check_grads_unchanged(learner, "Adam", kwargs, dtype, device, seed=18)


def test_generator_of_parameters(learner, device):
    """accepts a generator of parameters, like model.parameters()"""
    _check(learner, {"lr": 0.02}, torch.float64, device, "Adam built from a generator", as_generator=True, seed=12)


def test_training_loop_with_zero_grad(learner, device):
    """a real loop (zero_grad, backward, step) matches torch.optim.Adam"""
    _h.check_training_loop(learner, "Adam", torch.optim.Adam, device, seed=14)


def test_does_not_use_builtin(learner):
    """does not use torch.optim.Adam or AdamW"""
    learner.check_forbidden()

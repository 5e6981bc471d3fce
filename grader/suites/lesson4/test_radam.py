"""Hidden suite: lesson4.radam.

The learner's optimizer and torch.optim.RAdam are driven by the same scenario: the same initial
parameters and the same stream of gradients, step by step; the trajectories must agree. The first
steps of every parameter (rho_t <= 5) take the plain momentum step, later ones the rectified
adaptive step, so short runs check the first phase and the switch, long runs the second.
"""

import pytest
import torch

from grader.testing import expect_close, sibling

DTYPES = [torch.float32, torch.float64]
STEPS = 60


_h = sibling(__file__, "optim_harness")


def _check(learner, kwargs, dtype, device, what, steps=STEPS, **how):
    return _h.check_trajectory(learner, "RAdam", torch.optim.RAdam, kwargs, dtype, device, what, steps=steps, **how)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_default_hyperparameters(learner, device, dtype):
    """with the default lr, betas and eps, matches torch.optim.RAdam over 60 steps"""
    _check(learner, {}, dtype, device, "RAdam with defaults")


def test_first_steps_are_momentum_steps(learner, device):
    """the first five steps (rho_t <= 5 with beta2 = 0.999) take the momentum step lr * m_hat"""
    _check(learner, {"lr": 0.01}, torch.float64, device, "RAdam's first five steps", seed=2, steps=5)


def test_first_step_is_lr_times_gradient(learner, device):
    """the very first step moves every weight by exactly lr * g (m_hat equals the first gradient)"""
    lr = 0.01
    init = _h.params(torch.float64, device, seed=20)
    grads = _h.grad_stream(torch.float64, device, seed=21, steps=1)
    got = learner.run(_h.trajectory, "RAdam", init, grads, {"lr": lr}, False, label=_h.label("RAdam", {"lr": lr}, 1))
    for j, (p0, g, trajectory) in enumerate(zip(init, grads[0], got, strict=False)):
        expect_close(
            trajectory[0],
            p0 - lr * g[0],
            rtol=1e-10,
            atol=1e-12,
            name=f"parameter {j} after the first step (should be p - lr * g: rho_1 = 1, so no division by sqrt(v))",
        )


def test_rectification_switches_on(learner, device):
    """with beta2 = 0.9 the rectified step takes over at step 6, with r far below 1"""
    # rho_inf = 19 here: rho_t passes 5 at step 6, and r climbs from about 0.26 towards 1 over the next steps.
    kwargs = {"lr": 0.02, "betas": (0.9, 0.9)}
    _check(learner, kwargs, torch.float64, device, "RAdam, betas=(0.9, 0.9), over 12 steps", seed=4, steps=12)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_custom_hyperparameters(learner, device, dtype):
    """with lr=0.05, betas=(0.8, 0.99), eps=1e-6, matches torch.optim.RAdam"""
    kwargs = {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}
    _check(learner, kwargs, dtype, device, "RAdam, lr=0.05, betas=(0.8, 0.99)", seed=6)


def test_weight_decay(learner, device):
    """weight decay is added to the gradient (L2), as in torch.optim.RAdam"""
    kwargs = {"lr": 0.02, "weight_decay": 0.1}
    _check(learner, kwargs, torch.float64, device, "RAdam, weight_decay=0.1", seed=8)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tiny_and_zero_gradients(learner, device, dtype):
    """with tiny (1e-8) and exactly zero gradients, eps is handled as torch does"""
    # Parameter 0: gradients around 1e-8, where eps (added to sqrt(v), not sqrt(v_hat)) is comparable to them.
    _h.check_tiny_and_zero_gradients(learner, "RAdam", torch.optim.RAdam, dtype, device, seed=10)


@pytest.mark.parametrize("pattern", list(_h.SKIPS))
def test_missing_gradients(learner, device, pattern):
    """each parameter counts its own steps; a parameter with no .grad is skipped"""
    what = f"RAdam, where {_h.SKIP_TEXT[pattern]}"
    _check(learner, {"lr": 0.02}, torch.float64, device, what, skip=_h.SKIPS[pattern], seed=12)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_zero_dim_parameters(learner, device, dtype):
    """works on 0-d (scalar) parameters"""
    _check(learner, {"lr": 0.02}, dtype, device, "RAdam on a 0-d parameter", seed=14, shapes=_h.SCALAR_SHAPES)


@pytest.mark.parametrize(
    "dtype,kwargs",
    [(torch.float32, {}), (torch.float64, {"weight_decay": 0.1})],
    ids=["float32", "weight_decay"],
)
def test_gradients_unchanged(learner, device, dtype, kwargs):
    """step() reads each p.grad and never writes into it"""
    _h.check_grads_unchanged(learner, "RAdam", kwargs, dtype, device, seed=16)


def test_generator_of_parameters(learner, device):
    """accepts a generator of parameters, like model.parameters()"""
    _check(learner, {"lr": 0.02}, torch.float64, device, "RAdam built from a generator", as_generator=True, seed=18)


def test_training_loop_on_a_quadratic(learner, device):
    """a real loop (zero_grad, backward, step) on a quadratic loss matches torch.optim.RAdam"""
    _h.check_training_loop(learner, "RAdam", torch.optim.RAdam, device, seed=22)


def test_does_not_use_builtin(learner):
    """does not use torch.optim.RAdam, Adam or AdamW"""
    learner.check_forbidden()

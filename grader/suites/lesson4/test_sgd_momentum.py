"""Hidden suite: lesson4.sgd_momentum.

The learner's optimizer and torch.optim.SGD are driven by the same scenario: the same initial
parameters and the same stream of gradients, step by step; the trajectories must agree.
"""

import functools
import types

import pytest
import torch

from grader.testing import sibling

DTYPES = [torch.float32, torch.float64]
STEPS = 50


_h = sibling(__file__, "optim_harness")
_params, _trajectory, _train, _compare = _h.params, _h.trajectory, _h.train, _h.compare
_grad_stream = functools.partial(_h.grad_stream, steps=STEPS, noise_weight=0.5)

TORCH = types.SimpleNamespace(SGDMomentum=torch.optim.SGD)


def _check(learner, kwargs, dtype, device, what, **how):
    _h.check_trajectory(
        learner, "SGDMomentum", torch.optim.SGD, kwargs, dtype, device, what, steps=STEPS, noise_weight=0.5, **how
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_plain_sgd(learner, device, dtype):
    """without momentum, matches torch.optim.SGD over 50 steps"""
    _check(learner, {"lr": 0.1}, dtype, device, "SGD, lr=0.1")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_momentum(learner, device, dtype):
    """with momentum 0.9, matches torch.optim.SGD over 50 steps"""
    _check(learner, {"lr": 0.05, "momentum": 0.9}, dtype, device, "SGD, momentum=0.9", seed=2)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_nesterov(learner, device, dtype):
    """with Nesterov momentum, matches torch.optim.SGD over 50 steps"""
    _check(learner, {"lr": 0.05, "momentum": 0.9, "nesterov": True}, dtype, device, "SGD, Nesterov", seed=4)


@pytest.mark.parametrize("nesterov", [False, True], ids=["momentum", "nesterov"])
def test_weight_decay(learner, device, nesterov):
    """weight decay is added to the gradient before the momentum, as in torch.optim.SGD"""
    kwargs = {"lr": 0.05, "momentum": 0.8, "nesterov": nesterov, "weight_decay": 0.3}
    _check(learner, kwargs, torch.float64, device, f"SGD, weight_decay=0.3, nesterov={nesterov}", seed=6)


@pytest.mark.parametrize("pattern", list(_h.SKIPS))
def test_missing_gradients(learner, device, pattern):
    """parameters whose .grad is None are left alone, and so is their momentum"""
    _check(
        learner,
        {"lr": 0.05, "momentum": 0.9},
        torch.float64,
        device,
        f"SGD with momentum, where {_h.SKIP_TEXT[pattern]}",
        skip=_h.SKIPS[pattern],
        seed=8,
    )


@pytest.mark.parametrize("kwargs", [{"lr": 0.1}, {"lr": 0.05, "momentum": 0.9}], ids=["plain", "momentum"])
def test_zero_dim_parameters(learner, device, kwargs):
    """works on 0-d (scalar) parameters"""
    _check(learner, kwargs, torch.float64, device, "SGD on a 0-d parameter", seed=14, shapes=_h.SCALAR_SHAPES)


@pytest.mark.parametrize("kwargs", [{"lr": 0.05}, {"lr": 0.05, "momentum": 0.9}], ids=["plain", "momentum"])
def test_generator_of_parameters(learner, device, kwargs):
    """accepts a generator of parameters, like model.parameters()"""
    _check(learner, kwargs, torch.float64, device, "SGD built from a generator", as_generator=True, seed=10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1},
    ],
    ids=["plain", "momentum", "nesterov", "weight_decay", "momentum+weight_decay"],
)
def test_gradients_unchanged(learner, device, kwargs):
    """step() reads each p.grad and never writes into it"""
    _h.check_grads_unchanged(learner, "SGDMomentum", kwargs, torch.float64, device, seed=16)


@pytest.mark.parametrize("nesterov", [False, True], ids=["momentum", "nesterov"])
def test_training_loop_with_zero_grad(learner, device, nesterov):
    """a real loop (zero_grad, backward, step) matches torch.optim.SGD"""
    init = _params(torch.float64, device, seed=12)
    targets = _params(torch.float64, device, seed=13)
    kwargs = {"lr": 0.02, "momentum": 0.9, "nesterov": nesterov}
    got = learner.run(
        _train,
        "SGDMomentum",
        init,
        targets,
        kwargs,
        30,
        label="a training loop of zero_grad, loss.backward and step calls",
    )
    ref = _train(TORCH, "SGDMomentum", init, targets, kwargs, 30)
    _compare(got, ref, init, "training loop")


def test_does_not_use_builtin(learner):
    """does not use torch.optim.SGD"""
    learner.check_forbidden()

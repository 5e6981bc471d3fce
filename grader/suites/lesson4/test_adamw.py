"""Hidden suite: lesson4.adamw.

The learner's optimizer and torch.optim.AdamW are driven by the same scenario: the same initial
parameters and the same stream of gradients, step by step; the trajectories must agree.
"""

import functools
import types

import pytest
import torch

from grader.testing import describe, expect, sibling

DTYPES = [torch.float32, torch.float64]
STEPS = 100


_h = sibling(__file__, "optim_harness")
_params, _trajectory, _train, _compare = _h.params, _h.trajectory, _h.train, _h.compare
_grad_stream = functools.partial(_h.grad_stream, steps=STEPS)

TORCH = types.SimpleNamespace(AdamW=torch.optim.AdamW)
TORCH_L2 = types.SimpleNamespace(AdamW=torch.optim.Adam)  # Adam with weight_decay: the L2 version


def _label(kwargs, steps):
    return _h.label("AdamW", kwargs, steps)


def _check(learner, kwargs, dtype, device, what, steps=STEPS, **how):
    _h.check_trajectory(learner, "AdamW", torch.optim.AdamW, kwargs, dtype, device, what, steps=steps, **how)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_default_hyperparameters(learner, device, dtype):
    """with the defaults (weight_decay=0.01), matches torch.optim.AdamW over 100 steps"""
    _check(learner, {}, dtype, device, "AdamW with defaults")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_strong_weight_decay(learner, device, dtype):
    """with lr=0.05 and weight_decay=0.1, matches torch.optim.AdamW"""
    kwargs = {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1}
    _check(learner, kwargs, dtype, device, "AdamW, lr=0.05, weight_decay=0.1", seed=2)


def test_differs_from_adam_with_l2(learner, device):
    """is not Adam with an L2 penalty: the decay skips the adaptive rescaling"""
    init = _params(torch.float64, device, seed=4)
    grads = _grad_stream(torch.float64, device, seed=5)
    kwargs = {"lr": 0.05, "weight_decay": 0.5}
    got = learner.run(_trajectory, "AdamW", init, grads, kwargs, False, label=_label(kwargs, STEPS))
    ref = _trajectory(TORCH, "AdamW", init, grads, kwargs, False)
    l2 = _trajectory(TORCH_L2, "AdamW", init, grads, kwargs, False)
    expect(isinstance(got, list) and len(got) == len(ref), f"the scenario returned {describe(got)}", kind="wrong_type")
    final, final_l2 = got[-1], l2[-1]
    same_as_l2 = all(
        isinstance(g, torch.Tensor) and g.shape == r.shape and torch.allclose(g.cpu(), r.cpu(), rtol=1e-6, atol=1e-8)
        for g, r in zip(final, final_l2, strict=False)
    )
    expect(
        not same_as_l2,
        "your AdamW ends where Adam with weight_decay (L2: weight_decay * p added to the gradient) ends; "
        "AdamW leaves the gradient alone and multiplies the weights by 1 - lr * weight_decay instead",
    )
    _compare(got, ref, init, "AdamW, weight_decay=0.5")


@pytest.mark.parametrize("pattern", list(_h.SKIPS))
def test_missing_gradients(learner, device, pattern):
    """parameters with no .grad are neither updated nor decayed"""
    what = f"AdamW, weight_decay=0.2, where {_h.SKIP_TEXT[pattern]}"
    _check(learner, {"lr": 0.02, "weight_decay": 0.2}, torch.float64, device, what, skip=_h.SKIPS[pattern], seed=6)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_zero_dim_parameters(learner, device, dtype):
    """works on 0-d (scalar) parameters"""
    _check(learner, {"lr": 0.02}, dtype, device, "AdamW on a 0-d parameter", seed=14, shapes=_h.SCALAR_SHAPES)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_gradients_unchanged(learner, device, dtype):
    """step() reads each p.grad and never writes into it"""
    _h.check_grads_unchanged(learner, "AdamW", {}, dtype, device, seed=16)


def test_generator_of_parameters(learner, device):
    """accepts a generator of parameters, like model.parameters()"""
    _check(learner, {"lr": 0.02}, torch.float64, device, "AdamW built from a generator", as_generator=True, seed=8)


def test_training_loop_with_zero_grad(learner, device):
    """a real loop (zero_grad, backward, step) matches torch.optim.AdamW"""
    _h.check_training_loop(learner, "AdamW", torch.optim.AdamW, device, seed=10, weight_decay=0.1)


def test_does_not_use_builtin(learner):
    """does not use torch.optim.AdamW or Adam"""
    learner.check_forbidden()

"""Hidden suite: lesson3.mlp_backprop."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import describe, expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
NAMES = ("grad_W1", "grad_b1", "grad_W2", "grad_b2")


def _data(n, d, hidden, c, dtype, device, seed=0, w2_scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    W1 = torch.randn(hidden, d, generator=g, dtype=torch.float64) / d**0.5
    b1 = torch.randn(hidden, generator=g, dtype=torch.float64) * 0.1
    W2 = torch.randn(c, hidden, generator=g, dtype=torch.float64) / hidden**0.5 * w2_scale
    b2 = torch.randn(c, generator=g, dtype=torch.float64) * 0.1
    target = torch.randint(0, c, (n,), generator=g).to(device)
    return [t.to(device, dtype) for t in (x, W1, b1, W2, b2)] + [target]


def _reference(x, W1, b1, W2, b2, target):
    params = [t.detach().clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = params
    loss = F.cross_entropy(F.linear(torch.relu(F.linear(x, w1, c1)), w2, c2), target)
    loss.backward()
    return loss.detach(), tuple(p.grad for p in params)


def _forward_backward(mod, x, W1, b1, W2, b2, target, backward_calls=1):
    """Run the learner's forward pass, then its backward pass (``backward_calls`` times) on the cache."""
    loss, cache = mod.mlp_forward(x, W1, b1, W2, b2, target)
    grads = [mod.mlp_backward(cache) for _ in range(backward_calls)]
    out = {"loss": loss, "grads": [tuple(g) if isinstance(g, (tuple, list)) else g for g in grads]}
    out["inputs"] = [x, W1, b1, W2, b2, target]
    return out


def _cache_around_backward(mod, x, W1, b1, W2, b2, target):
    """The tensors of the learner's cache before and after one mlp_backward call."""
    import torch

    def _tensors_in(obj):
        # Tuples, lists and dicts are searched; any other container holds no tensor we can see.
        if isinstance(obj, torch.Tensor):
            return [obj]
        if isinstance(obj, (tuple, list)):
            return [t for item in obj for t in _tensors_in(item)]
        if isinstance(obj, dict):
            return [t for item in obj.values() for t in _tensors_in(item)]
        return []

    _, cache = mod.mlp_forward(x, W1, b1, W2, b2, target)
    before = [t.detach().clone() for t in _tensors_in(cache)]
    mod.mlp_backward(cache)
    after = [t.detach().clone() for t in _tensors_in(cache)]
    return {"before": before, "after": after}


def _run(learner, data, backward_calls=1):
    x = data[0]
    label = f"mlp_forward(x={describe(x)}, ...) then mlp_backward(cache)"
    return learner.run(_forward_backward, *data, backward_calls=backward_calls, label=label)


def _check_grads(got, ref, where=""):
    expect(
        isinstance(got, (tuple, list)) and len(got) == 4,
        f"mlp_backward should return (grad_W1, grad_b1, grad_W2, grad_b2), a tuple of 4 tensors; got {describe(got)}",
        kind="wrong_type",
    )
    for g, r, name in zip(got, ref, NAMES, strict=False):
        expect_close(g, r, name=name + where, kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_loss_matches_reference(learner, device, dtype):
    """the loss matches F.cross_entropy of the same network"""
    data = _data(8, 5, 7, 4, dtype, device)
    ref_loss, _ = _reference(*data)
    expect_close(_run(learner, data)["loss"], ref_loss, name="the loss")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_gradients_match_autograd(learner, device, dtype):
    """every parameter gradient matches autograd's"""
    data = _data(8, 5, 7, 4, dtype, device, seed=1)
    _, ref_grads = _reference(*data)
    _check_grads(_run(learner, data)["grads"][0], ref_grads)


@pytest.mark.parametrize(
    "sizes", [(1, 3, 4, 2), (16, 6, 10, 5), (5, 2, 1, 3)], ids=["batch_of_one", "wider", "one_hidden_unit"]
)
def test_other_sizes(learner, device, sizes):
    """works for a batch of one, wider layers and a single hidden unit"""
    data = _data(*sizes, torch.float64, device, seed=2)
    ref_loss, ref_grads = _reference(*data)
    got = _run(learner, data)
    where = f" for N, D, H, C = {sizes}"
    expect_close(got["loss"], ref_loss, name="the loss" + where)
    _check_grads(got["grads"][0], ref_grads, where=where)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_logits(learner, device, dtype):
    """logits in the thousands give a finite loss and the right gradients"""
    data = _data(6, 4, 8, 5, dtype, device, seed=3, w2_scale=1500.0)
    ref_loss, ref_grads = _reference(*data)
    got = _run(learner, data)
    expect_close(got["loss"], ref_loss, name="the loss with logits ~ 1e3")
    _check_grads(got["grads"][0], ref_grads, where=" with logits ~ 1e3")


def test_backward_twice(learner, device):
    """mlp_backward called twice on one cache gives the same gradients twice"""
    data = _data(8, 5, 7, 4, torch.float64, device, seed=4)
    _, ref_grads = _reference(*data)
    got = _run(learner, data, backward_calls=2)
    _check_grads(got["grads"][1], ref_grads, where=" from a second mlp_backward call on the same cache")


def test_backward_leaves_cache_unchanged(learner, device):
    """mlp_backward does not write into the tensors of its cache"""
    data = _data(6, 4, 5, 3, torch.float64, device, seed=5)
    got = learner.run(_cache_around_backward, *data, label="mlp_forward(...) then mlp_backward(cache)")
    expect(
        isinstance(got, dict) and len(got["before"]) == len(got["after"]),
        "the cache changed its structure during mlp_backward",
        kind="modified_input",
    )
    for k, (old, new) in enumerate(zip(got["before"], got["after"], strict=False)):
        expect_unchanged(old, new, f"tensor {k} of the cache (shape {list(old.shape)})")


def test_inputs_unchanged(learner, device):
    """mlp_forward and mlp_backward do not modify x, the weights, the biases or the targets"""
    data = _data(8, 5, 7, 4, torch.float64, device, seed=6)
    got = _run(learner, data)
    for old, new, name in zip(data, got["inputs"], ("x", "W1", "b1", "W2", "b2", "target"), strict=False):
        expect_unchanged(old, new, name)


def test_does_not_use_builtin(learner):
    """does not call autograd"""
    learner.check_forbidden()

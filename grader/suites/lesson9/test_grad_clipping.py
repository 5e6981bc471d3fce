"""Hidden suite: lesson9.grad_clipping."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]


def _clip(mod, grads, max_norm):
    """Give parameters these gradients (None: no gradient), clip with the learner's function, report."""
    import torch

    params = []
    for g in grads:
        if g is None:
            params.append(torch.nn.Parameter(torch.zeros(2)))
        else:
            p = torch.nn.Parameter(torch.zeros_like(g))
            p.grad = g.clone()
            params.append(p)
    handles = [p.grad for p in params]
    total = mod.clip_grad_norm(params, max_norm)
    return {
        "total": total,
        "grads": [p.grad for p in params],
        "same_object": [p.grad is h for p, h in zip(params, handles, strict=True)],
    }


def _reference(grads, max_norm):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros_like(g) if g is not None else torch.zeros(2))
        if g is not None:
            p.grad = g.clone()
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return total, [p.grad for p in params]


def _grads(dtype, device, scale=1.0, seed=0, shapes=((3, 4), (5,), (2, 2, 2))):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for s in shapes]


def _check(res, grads, max_norm, what):
    expect(
        isinstance(res["total"], torch.Tensor), f"{what} should return the total norm as a tensor", kind="wrong_type"
    )
    ref_total, ref_grads = _reference(grads, max_norm)
    expect_close(res["total"], ref_total, name=f"{what}: the returned total norm (before clipping)")
    for i, (got, ref) in enumerate(zip(res["grads"], ref_grads, strict=True)):
        if ref is None:
            expect(got is None, f"{what}: parameter {i} had no gradient and should still have none", kind="wrong_type")
            continue
        expect_close(got, ref, name=f"{what}: params[{i}].grad after clipping")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_clips_large_gradients(learner, device, dtype):
    """gradients with a global norm of about 20 are scaled together down to max_norm = 1, like clip_grad_norm_"""
    grads = _grads(dtype, device, scale=4.0)
    res = learner.run(_clip, grads, 1.0, label="clip_grad_norm(3 params, max_norm=1.0)")
    _check(res, grads, 1.0, "clip_grad_norm(params, 1.0)")


def test_uneven_gradients(learner, device):
    """one huge and one tiny gradient share one scale factor: the global norm, not a norm per tensor"""
    grads = [
        torch.full((4,), 50.0, dtype=torch.float64, device=device),
        torch.full((3,), 0.01, dtype=torch.float64, device=device),
    ]
    res = learner.run(_clip, grads, 5.0, label="clip_grad_norm([huge, tiny], max_norm=5.0)")
    _check(res, grads, 5.0, "clip_grad_norm([huge, tiny], 5.0)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_leaves_small_gradients(learner, device, dtype):
    """gradients whose global norm is below max_norm are left exactly as they were"""
    grads = _grads(dtype, device, scale=0.5, seed=1)
    res = learner.run(_clip, grads, 10.0, label="clip_grad_norm(3 params, max_norm=10.0)")
    _check(res, grads, 10.0, "clip_grad_norm(params, 10.0)")
    for i, (got, g) in enumerate(zip(res["grads"], grads, strict=True)):
        expect(torch.equal(got, g), f"params[{i}].grad changed although the norm was below max_norm")


def test_skips_missing_gradients(learner, device):
    """parameters whose .grad is None are skipped"""
    g = _grads(torch.float64, device, scale=3.0, seed=2, shapes=((4,), (2, 3)))
    grads = [None, g[0], None, g[1]]
    res = learner.run(_clip, grads, 2.0, label="clip_grad_norm([no grad, p1, no grad, p3], max_norm=2.0)")
    _check(res, grads, 2.0, "clip_grad_norm(params with missing grads, 2.0)")


def test_no_gradients_at_all(learner):
    """with no gradient anywhere, the total norm is 0"""
    res = learner.run(_clip, [None, None], 1.0, label="clip_grad_norm([no grad, no grad], max_norm=1.0)")
    expect_close(
        res["total"], torch.tensor(0.0), name="the total norm when no parameter has a gradient", check_device=False
    )


def test_scales_in_place(learner, device):
    """each .grad is scaled in place: it stays the same tensor object, which other code may hold on to"""
    grads = _grads(torch.float64, device, scale=5.0, seed=3)
    res = learner.run(_clip, grads, 1.0, label="clip_grad_norm(3 params, max_norm=1.0)")
    for i, same in enumerate(res["same_object"]):
        expect(same, f"params[{i}].grad was replaced by a new tensor; scale it in place (g.mul_(scale))")
    _check(res, grads, 1.0, "clip_grad_norm(params, 1.0)")


def _clip_through_handles(mod, grads, max_norm):
    """Clip, then read the clipped values through the gradient tensors held from before the call."""
    import torch

    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros_like(g))
        p.grad = g.clone()
        params.append(p)
    handles = [p.grad for p in params]
    mod.clip_grad_norm(params, max_norm)
    return [h.clone() for h in handles]


def test_held_gradients_see_the_clipping(learner, device):
    """a reference to p.grad taken before the call holds the clipped values afterwards"""
    grads = _grads(torch.float64, device, scale=6.0, seed=5)
    got = learner.run(_clip_through_handles, grads, 2.0, label="clip_grad_norm(3 params, max_norm=2.0)")
    _, ref = _reference(grads, 2.0)
    for i, (g, r) in enumerate(zip(got, ref, strict=True)):
        expect_close(g, r, name=f"the tensor held as params[{i}].grad before the call, afterwards")


@pytest.mark.parametrize("scale,max_norm", [(1e150, 1.0), (1.0, 1e-8), (0.0, 1.0)], ids=["huge", "tiny-max", "zero"])
def test_extreme_values(learner, device, scale, max_norm):
    """huge gradients (1e150), a tiny max_norm (1e-8) and all-zero gradients are handled without inf or NaN"""
    grads = _grads(torch.float64, device, scale=scale, seed=4)
    res = learner.run(_clip, grads, max_norm, label=f"clip_grad_norm(grads * {scale:g}, max_norm={max_norm:g})")
    _check(res, grads, max_norm, f"clip_grad_norm(grads * {scale:g}, {max_norm:g})")


def test_does_not_use_builtin(learner):
    """does not call clip_grad_norm_, clip_grads_with_norm_ or get_total_norm"""
    learner.check_forbidden()

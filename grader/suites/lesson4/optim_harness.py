"""Shared harness of the lesson 4 optimizer suites (not a suite itself: no test_ prefix).

The learner's optimizer and the torch.optim reference are driven by the same scenario: the same
initial parameters and the same stream of gradients, step by step; the trajectories must agree.
Suites load it with ``grader.testing.sibling(__file__, "optim_harness")``.
"""

import torch

from grader.testing import describe, expect, expect_close, tolerance

SHAPES = [(3, 4), (4,), ()]


def params(dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g, dtype=torch.float64).to(device, dtype) for s in SHAPES]


def grad_stream(dtype, device, seed=1, steps=100, skip=None, scale=1.0, noise_weight=1.0):
    """Gradients with a steady drift plus noise, so momentum builds up.

    Packed for a fast trip to the worker: one ``(steps, *shape)`` tensor per parameter, and
    ``present[k][j]``, False where ``skip(k, j)`` says parameter j has no gradient at step k.
    """
    g = torch.Generator().manual_seed(seed)
    stacked = []
    for s in SHAPES:
        drift = torch.randn(s, generator=g, dtype=torch.float64)
        noise = torch.randn((steps, *s), generator=g, dtype=torch.float64)
        stacked.append(((drift + noise_weight * noise) * scale).to(device, dtype))
    present = [[skip is None or not skip(k, j) for j in range(len(SHAPES))] for k in range(steps)]
    return stacked, present


def trajectory(mod, cls_name, init, grads, kwargs, as_generator=False):
    """Build the optimizer on copies of ``init``, feed it ``grads`` step by step.

    Returns one tensor per parameter, shape ``(steps, *param.shape)``: its value after each step.
    """
    import torch

    stacked, present = grads
    params = [p.detach().clone().requires_grad_(True) for p in init]
    opt = getattr(mod, cls_name)((p for p in params) if as_generator else params, **kwargs)
    history = []
    for k, has_grad in enumerate(present):
        for j, p in enumerate(params):
            p.grad = stacked[j][k].clone() if has_grad[j] else None
        opt.step()
        history.append([p.detach().clone() for p in params])
    return [torch.stack([h[j] for h in history]) for j in range(len(params))]


def train(mod, cls_name, init, targets, kwargs, steps):
    """A training loop with real gradients: zero_grad(), loss.backward(), step(). Returns stacked trajectories."""
    import torch

    params = [p.detach().clone().requires_grad_(True) for p in init]
    opt = getattr(mod, cls_name)(params, **kwargs)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = sum(((p - t) ** 2).sum() * (k + 1) for k, (p, t) in enumerate(zip(params, targets, strict=False)))
        loss.backward()
        opt.step()
        history.append([p.detach().clone() for p in params])
    return [torch.stack([h[j] for h in history]) for j in range(len(params))]


def compare(got, ref, init, what):
    """Compare stacked trajectories (one per parameter); report the first step that goes wrong."""
    expect(
        isinstance(got, list) and len(got) == len(ref),
        f"{what}: the scenario returned {describe(got)}",
        kind="wrong_type",
    )
    for j, (g, r) in enumerate(zip(got, ref, strict=False)):
        if not isinstance(g, torch.Tensor) or g.shape != r.shape:
            expect_close(g, r, name=f"{what}: the trajectory of parameter {j}", picture="trajectory")
    if any(not torch.equal(r[0], i) for r, i in zip(ref, init, strict=False)):
        expect(
            any(not torch.equal(g[0].cpu(), i.cpu()) for g, i in zip(got, init, strict=False)),
            f"{what}: no parameter changed after the first step(); update each tensor in place "
            f"(p.sub_(...) or p -= ... under torch.no_grad()) instead of binding a new tensor to a name",
        )
    steps = ref[0].shape[0]

    def first_bad(bad_per_param):
        rows = [b.reshape(steps, -1).any(1) for b in bad_per_param]
        bad_steps = [int(b.nonzero()[0]) for b in rows if bool(b.any())]
        return min(bad_steps) if bad_steps else None

    def check_step(k, which=None):
        for j, (g, r) in enumerate(zip(got, ref, strict=False)):
            if which is None or bool(which[j][k].any()):
                expect_close(g[k], r[k], name=f"{what}: parameter {j} (shape {list(r.shape[1:])}) after step {k + 1}")

    # A nan or inf anywhere is the clearest symptom, so the first one is reported before anything else.
    non_finite = [~torch.isfinite(g.cpu()) & torch.isfinite(r.cpu()) for g, r in zip(got, ref, strict=False)]
    k = first_bad(non_finite)
    if k is not None:
        check_step(k, non_finite)
    far = []
    for g, r in zip(got, ref, strict=False):
        rtol, atol = tolerance(r.dtype)
        g64, r64 = g.detach().cpu().double(), r.detach().cpu().double()
        far.append(~((g64 - r64).abs() <= atol + rtol * r64.abs()))
    k = first_bad(far)
    check_step(steps - 1 if k is None else k)

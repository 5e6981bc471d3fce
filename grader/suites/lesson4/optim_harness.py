"""Shared harness of the lesson 4 optimizer suites (not a suite itself: no test_ prefix).

The learner's optimizer and the torch.optim reference are driven by the same scenario: the same
initial parameters and the same stream of gradients, step by step; the trajectories must agree.
Suites load it with ``grader.testing.sibling(__file__, "optim_harness")``.

Each check tests one thing. The trajectories use ordinary 1-D and 2-D parameters; 0-d
parameters get a check of their own (``SCALAR_SHAPES``), so an optimizer that mishandles them
fails that check and no other. Missing gradients come in three patterns (``SKIPS``), each its own
check.
"""

import torch

from grader.testing import describe, expect, expect_close, expect_unchanged, tolerance

SHAPES = [(3, 4), (5,), (2, 3)]
SCALAR_SHAPES = [()]

# Which parameter has no gradient (p.grad is None) at which step k.
SKIPS = {
    # Parameter 1 misses every other step: its state must not advance on the steps it misses.
    "every_other_step": lambda k, j: j == 1 and k % 2 == 1,
    # Parameter 2 gets its first gradient at step 20: its state starts then, from scratch.
    "starts_late": lambda k, j: j == 2 and k < 20,
    # Parameter 2 gets gradients for the first 10 steps only: afterwards it must stay where it is.
    "stops_early": lambda k, j: j == 2 and k >= 10,
}
SKIP_TEXT = {
    "every_other_step": "parameter 1 has no gradient on every other step",
    "starts_late": "parameter 2 has no gradient before step 21",
    "stops_early": "parameter 2 has no gradient after step 10",
}


def params(dtype, device, seed=0, shapes=SHAPES):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g, dtype=torch.float64).to(device, dtype) for s in shapes]


def grad_stream(dtype, device, seed=1, steps=100, skip=None, scale=1.0, noise_weight=1.0, shapes=SHAPES):
    """Gradients with a steady drift plus noise, so momentum builds up.

    Packed for a fast trip to the worker: one ``(steps, *shape)`` tensor per parameter, and
    ``present[k][j]``, False where ``skip(k, j)`` says parameter j has no gradient at step k.
    """
    g = torch.Generator().manual_seed(seed)
    stacked = []
    for s in shapes:
        drift = torch.randn(s, generator=g, dtype=torch.float64)
        noise = torch.randn((steps, *s), generator=g, dtype=torch.float64)
        stacked.append(((drift + noise_weight * noise) * scale).to(device, dtype))
    present = [[skip is None or not skip(k, j) for j in range(len(shapes))] for k in range(steps)]
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


def check_trajectory(
    learner,
    cls_name,
    reference,
    kwargs,
    dtype,
    device,
    what,
    *,
    steps,
    skip=None,
    as_generator=False,
    seed=0,
    shapes=SHAPES,
    noise_weight=1.0,
):
    """The learner's ``cls_name`` and ``reference`` (a torch.optim class) from the same start on the same gradients;
    returns the start and the learner's trajectories."""
    init = params(dtype, device, seed=seed, shapes=shapes)
    grads = grad_stream(dtype, device, seed=seed + 1, skip=skip, steps=steps, shapes=shapes, noise_weight=noise_weight)
    got = learner.run(trajectory, cls_name, init, grads, kwargs, as_generator, label=label(cls_name, kwargs, steps))
    ref = trajectory(_Torch(cls_name, reference), cls_name, init, grads, kwargs, as_generator)
    compare(got, ref, init, what)
    return init, got


def check_tiny_and_zero_gradients(learner, cls_name, reference, dtype, device, seed):
    """30 steps where parameter 0's gradients are about 1e-8 (eps matters there) and parameter 1's are exactly 0."""
    init = params(dtype, device, seed=seed)
    (g0, g1, g2), present = grad_stream(dtype, device, seed=seed + 1, steps=30, scale=1e-8)
    grads = ([g0, torch.zeros_like(g1), g2 * 1e8], present)
    kwargs = {"lr": 0.01}
    what = label(cls_name, kwargs, 30) + " with tiny and zero gradients"
    got = learner.run(trajectory, cls_name, init, grads, kwargs, False, label=what)
    ref = trajectory(_Torch(cls_name, reference), cls_name, init, grads, kwargs, False)
    compare(got, ref, init, "tiny (param 0) and zero (param 1) gradients")


def check_training_loop(learner, cls_name, reference, device, seed, weight_decay=0.01):
    """40 steps of zero_grad, backward and step on a quadratic loss, with weight decay."""
    init = params(torch.float64, device, seed=seed)
    targets = params(torch.float64, device, seed=seed + 1)
    kwargs = {"lr": 0.05, "weight_decay": weight_decay}
    what = "a training loop of zero_grad, loss.backward and step calls"
    got = learner.run(train, cls_name, init, targets, kwargs, 40, label=what)
    ref = train(_Torch(cls_name, reference), cls_name, init, targets, kwargs, 40)
    compare(got, ref, init, "training loop")


class _Torch:
    """Stands in for a learner module whose ``cls_name`` is the torch.optim reference."""

    def __init__(self, cls_name, reference):
        setattr(self, cls_name, reference)


def grads_after_steps(mod, cls_name, init, grads, kwargs, steps=2):
    """Give every parameter one gradient, call step() ``steps`` times without touching the
    gradients again, and return each parameter's .grad as it is after every step."""
    params = [p.detach().clone().requires_grad_(True) for p in init]
    for p, g in zip(params, grads, strict=True):
        p.grad = g.clone()
    opt = getattr(mod, cls_name)(params, **kwargs)
    seen = []
    for _ in range(steps):
        opt.step()
        seen.append([None if p.grad is None else p.grad.detach().clone() for p in params])
    return seen


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


def label(cls_name, kwargs, steps, extra=""):
    args = ", ".join(["params"] + [f"{k}={v}" for k, v in kwargs.items()])
    return f"{cls_name}({args}) for {steps} step{'s' if steps != 1 else ''}{extra}"


def check_grads_unchanged(learner, cls_name, kwargs, dtype, device, seed=0):
    """step() reads p.grad and never writes into it, also when step() runs twice on the same gradients."""
    init = params(dtype, device, seed=seed)
    grads = [g[0] for g in grad_stream(dtype, device, seed=seed + 1, steps=1)[0]]
    what = label(cls_name, kwargs, 2, ", with the same .grad for both steps")
    got = learner.run(grads_after_steps, cls_name, init, grads, kwargs, 2, label=what)
    expect(
        isinstance(got, list) and len(got) == 2 and all(len(s) == len(grads) for s in got),
        f"{what}: the scenario returned {describe(got)}",
        kind="wrong_type",
    )
    for k, seen in enumerate(got):
        for j, (before, after) in enumerate(zip(grads, seen, strict=True)):
            expect(after is not None, f"{what}: parameter {j}'s .grad became None after step {k + 1}")
            expect_unchanged(before, after, f"the .grad of parameter {j} (after step {k + 1})")


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

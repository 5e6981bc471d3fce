"""Hidden suite: lesson6b.transfer_head."""

import math

import pytest
import torch

from grader.testing import expect, expect_close

# A "pretrained" network is described by a spec: (weight, bias) for an nn.Linear, None for an
# nn.ReLU. The last entry is the old head.
EVEN = [(6, 8), None, (8, 8), None, (8, 8), None, (8, 5)]  # body: 6 children, 3 Linear
ODD = [(6, 8), None, (8, 8), None, (8, 7), (7, 5)]  # body: 5 children, 3 Linear
SEVEN = [(6, 8), None, (8, 8), None, (8, 8), (8, 8), None, (8, 5)]  # body: 7 children, 4 Linear


def _spec(layout, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    spec = []
    for item in layout:
        if item is None:
            spec.append(None)
            continue
        n_in, n_out = item
        w = torch.randn(n_out, n_in, generator=g, dtype=torch.float64) / math.sqrt(n_in)
        b = torch.randn(n_out, generator=g, dtype=torch.float64) * 0.1
        spec.append((w.to(device, dtype), b.to(device, dtype)))
    return spec


def _x(n, d, dtype, device, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64).to(device, dtype)


def _body_reference(spec, x):
    """What the pretrained layers before the last one compute, in float64."""
    h = x.double()
    for item in spec[:-1]:
        h = torch.relu(h) if item is None else h @ item[0].double().T + item[1].double()
    return h.to(x.dtype)


def _expected_groups(layout, n_body_groups):
    """Indices into list(model.parameters()) of each layer group (2 per Linear: weight, bias)."""
    body = layout[:-1]
    size, extra = divmod(len(body), n_body_groups)
    groups, start, index = [], 0, 0
    for i in range(n_body_groups):
        stop = start + size + (1 if i < extra else 0)
        group = []
        for item in body[start:stop]:
            if item is not None:
                group += [index, index + 1]
                index += 2
        groups.append(group)
        start = stop
    groups.append([index, index + 1])
    return groups


def _lrs(lr_min, lr_max, n):
    if n == 1:
        return [lr_max]
    return [lr_min * (lr_max / lr_min) ** (i / (n - 1)) for i in range(n)]


# ---------------------------------------------------------------- the scenario (runs in the worker)


def _scenario(mod, spec, action, x=None, y=None, n_out=3, n_body_groups=2, lr_min=1e-3, lr_max=1e-1):
    """Build the pretrained nn.Sequential from ``spec``, run ``action`` with the learner's functions, report."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    layers = []
    for item in spec:
        if item is None:
            layers.append(nn.ReLU())
            continue
        w, b = item
        lin = nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype, device=w.device)
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers.append(lin)
    pretrained = nn.Sequential(*layers)
    before = [p.detach().clone() for p in pretrained.parameters()]
    model = mod.transfer_model(pretrained, n_out)
    if action == "head":
        head = model[1]
        weight = getattr(head, "weight", None)
        return {
            "is_linear": isinstance(head, nn.Linear),
            "shape": list(weight.shape) if weight is not None else [],
            "dtype": str(weight.dtype) if weight is not None else "",
            "device": weight.device.type if weight is not None else "",
        }
    if action == "untouched":
        return {"before": before, "after": [p.detach().clone() for p in pretrained.parameters()]}
    if action == "body":
        with torch.no_grad():
            return model[0](x)
    if action == "forward":
        with torch.no_grad():
            return model(x)
    index = {id(p): i for i, p in enumerate(model.parameters())}
    groups = mod.layer_groups(model, n_body_groups)

    def indices(gs):
        return [[index.get(id(p), -1) for p in g] for g in gs]

    if action == "groups":
        return indices(groups)
    if action == "freeze":
        flags = []
        for n in (len(groups) - 1, 0, 1):
            mod.freeze_to(groups, n)
            flags.append([[bool(p.requires_grad) for p in g] for g in groups])
        return flags
    if action == "param_groups":
        for p in groups[0]:
            p.requires_grad_(False)  # a frozen group must stay in the optimizer
        pg = mod.param_groups(groups, lr_min, lr_max)
        return [{"params": [index.get(id(p), -1) for p in d["params"]], "lr": float(d["lr"])} for d in pg]
    if action == "train":
        steps = []
        mod.freeze_to(groups, len(groups) - 1)
        opt = torch.optim.SGD(mod.param_groups(groups, lr_min, lr_max))
        for unfreeze in (False, True):
            if unfreeze:
                mod.freeze_to(groups, 0)
            opt.zero_grad()
            params = [p.detach().clone() for p in model.parameters()]
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            grads = [None if p.grad is None else p.grad.detach().clone() for p in model.parameters()]
            opt.step()
            after = [p.detach().clone() for p in model.parameters()]
            steps.append({"before": params, "grads": grads, "after": after})
        return {"steps": steps, "groups": indices(groups)}
    raise ValueError(action)


# ---------------------------------------------------------------- transfer_model


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_new_head_output(learner, device, dtype):
    """the new model maps (N, 6) inputs to (N, n_out) outputs, in the pretrained dtype"""
    spec = _spec(EVEN, dtype, device)
    x = _x(4, 6, dtype, device)
    out = learner.run(_scenario, spec, "forward", x, None, 3, label="transfer_model(pretrained, n_out=3)(x)")
    expect(isinstance(out, torch.Tensor), "the new model should return a tensor", kind="wrong_type")
    expect(
        tuple(out.shape) == (4, 3),
        f"the new model's output has shape {list(out.shape)}, expected [4, 3] (batch, n_out)",
        kind="wrong_shape",
    )
    expect(
        out.dtype == dtype,
        f"the output has dtype {out.dtype}, expected {dtype} (the pretrained weights' dtype)",
        kind="wrong_dtype",
    )
    expect(out.device.type == device.type, f"the output is on {out.device}, expected {device}", kind="wrong_device")


def test_body_is_pretrained_without_last_layer(learner, device):
    """the body computes exactly what the pretrained layers before the last one compute"""
    spec = _spec(EVEN, torch.float64, device, seed=2)
    x = _x(5, 6, torch.float64, device, seed=3)
    got = learner.run(_scenario, spec, "body", x, None, 3, label="transfer_model(pretrained, 3)[0](x)")
    expect_close(got, _body_reference(spec, x), name="body(x) (the pretrained layers minus the last)")


def test_head_is_new_linear(learner, device):
    """the head is a new nn.Linear from the old last layer's inputs (8) to n_out (4)"""
    spec = _spec(EVEN, torch.float64, device, seed=4)
    got = learner.run(_scenario, spec, "head", None, None, 4, label="transfer_model(pretrained, 4)[1]")
    expect(got["is_linear"], "model[1] (the head) should be an nn.Linear", kind="wrong_type")
    expect(
        got["shape"] == [4, 8],
        f"the head's weight has shape {got['shape']}, expected [4, 8] (n_out, the old last layer's in_features)",
        kind="wrong_shape",
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_head_dtype_and_device(learner, device, dtype):
    """the new head is created in the dtype and on the device of the pretrained weights"""
    spec = _spec(EVEN, dtype, device, seed=12)
    got = learner.run(_scenario, spec, "head", label="transfer_model(pretrained, 3)[1].weight")
    expect(
        got["dtype"] == str(dtype),
        f"the head's weight has dtype {got['dtype'] or 'none'}, expected {dtype} (the pretrained weights' dtype)",
        kind="wrong_dtype",
    )
    expect(
        got["device"] == device.type,
        f"the head's weight is on {got['device'] or 'no device'}, expected {device}",
        kind="wrong_device",
    )


def test_pretrained_weights_untouched(learner, device):
    """building the new model leaves the pretrained weights as they were"""
    spec = _spec(ODD, torch.float64, device, seed=6)
    res = learner.run(_scenario, spec, "untouched", label="transfer_model(pretrained, 3)")
    for i, (b, a) in enumerate(zip(res["before"], res["after"])):
        expect(
            torch.equal(b, a), f"pretrained parameter {i} changed while building the new model", kind="modified_input"
        )


# ---------------------------------------------------------------- layer_groups


@pytest.mark.parametrize(
    "layout, n_body_groups",
    [(EVEN, 2), (ODD, 2), (SEVEN, 3), (EVEN, 1)],
    ids=["6-children-in-2", "5-children-in-2", "7-children-in-3", "6-children-in-1"],
)
def test_layer_groups(learner, device, layout, n_body_groups):
    """layer_groups cuts the body into consecutive chunks (first ones larger) and puts the head last"""
    spec = _spec(layout, torch.float32, device, seed=8)
    got = learner.run(
        _scenario, spec, "groups", n_body_groups=n_body_groups, label=f"layer_groups(model, {n_body_groups})"
    )
    expected = _expected_groups(layout, n_body_groups)
    expect(
        got == expected,
        f"for a body of {len(layout) - 1} children (Linear and ReLU) in {n_body_groups} chunk(s), the groups hold the "
        f"parameters {got}, expected {expected} (indices into list(model.parameters()); -1: not a parameter of the model)",
    )


# ---------------------------------------------------------------- freeze_to


@pytest.mark.parametrize("which", [0, 1, 2], ids=["head-only", "unfreeze-all", "first-group-only"])
def test_freeze_to(learner, device, which):
    """freeze_to(groups, n) freezes groups[:n] and makes the rest trainable"""
    spec = _spec(EVEN, torch.float32, device, seed=9)
    flags = learner.run(_scenario, spec, "freeze", label="freeze_to(groups, 2), then 0, then 1")
    calls = ["freeze_to(groups, 2)", "then freeze_to(groups, 0)", "then freeze_to(groups, 1)"]
    n = [2, 0, 1][which]
    expected = [[i >= n] * len(g) for i, g in enumerate(_expected_groups(EVEN, 2))]
    got = flags[which]
    expect(
        got == expected,
        f"after {calls[which]}, requires_grad per group is {got}, expected {expected}",
    )


# ---------------------------------------------------------------- discriminative learning rates


@pytest.mark.parametrize(
    "lr_min, lr_max, n",
    [(1e-5, 1e-3, 3), (1e-4, 1e-2, 5), (2e-3, 2e-1, 2), (3e-3, 3e-3, 4)],
    ids=["three", "five", "two", "flat"],
)
def test_discriminative_lrs(learner, lr_min, lr_max, n):
    """discriminative_lrs spreads n rates from lr_min to lr_max evenly on a log scale"""
    got = learner.discriminative_lrs(lr_min, lr_max, n)
    expect(
        isinstance(got, list) and len(got) == n,
        f"expected a list of {n} learning rates, got {got!r}",
        kind="wrong_type",
    )
    expect_close(got, _lrs(lr_min, lr_max, n), name=f"discriminative_lrs({lr_min}, {lr_max}, {n})", rtol=1e-9, atol=0.0)


def test_one_group_gets_lr_max(learner):
    """with a single group, discriminative_lrs returns [lr_max]"""
    got = learner.discriminative_lrs(1e-4, 1e-2, 1)
    expect(
        isinstance(got, list) and len(got) == 1, f"expected a list of 1 learning rate, got {got!r}", kind="wrong_type"
    )
    expect_close(got, [1e-2], name="discriminative_lrs(1e-4, 1e-2, 1)", rtol=1e-9, atol=0.0)


def test_param_groups(learner, device):
    """param_groups pairs every layer group, frozen ones included, with its learning rate"""
    spec = _spec(EVEN, torch.float32, device, seed=10)
    got = learner.run(
        _scenario, spec, "param_groups", lr_min=1e-4, lr_max=1e-2, label="param_groups(groups, 1e-4, 1e-2)"
    )
    groups = _expected_groups(EVEN, 2)
    lrs = _lrs(1e-4, 1e-2, 3)
    expect(isinstance(got, list) and len(got) == 3, f"expected 3 parameter groups, got {len(got)}", kind="wrong_type")
    for i, (d, g, lr) in enumerate(zip(got, groups, lrs)):
        expect(
            d["params"] == g, f"parameter group {i} holds parameters {d['params']}, expected {g} (frozen ones included)"
        )
        expect(math.isclose(d["lr"], lr, rel_tol=1e-9), f"parameter group {i} has lr {d['lr']:.6g}, expected {lr:.6g}")


# ---------------------------------------------------------------- training


def _train(learner, device, seed):
    spec = _spec(EVEN, torch.float64, device, seed=seed)
    x = _x(6, 6, torch.float64, device, seed=seed + 1)
    y = _x(6, 3, torch.float64, device, seed=seed + 2)
    return learner.run(
        _scenario,
        spec,
        "train",
        x,
        y,
        3,
        lr_min=1e-3,
        lr_max=1e-1,
        label="SGD(param_groups(groups, 1e-3, 1e-1)): one step frozen, one after freeze_to(groups, 0)",
    )


def test_frozen_step_trains_the_head_only(learner, device):
    """with the body frozen, an SGD step leaves the body alone and moves the head by lr_max * grad"""
    res = _train(learner, device, seed=11)
    step = res["steps"][0]
    groups = _expected_groups(EVEN, 2)
    for i in groups[0] + groups[1]:
        expect(
            step["grads"][i] is None,
            f"body parameter {i} got a gradient while the body was frozen",
            kind="wrong_gradient",
        )
        expect_close(step["after"][i], step["before"][i], name=f"frozen body parameter {i} after the step")
    for i in groups[2]:
        expect(step["grads"][i] is not None, f"head parameter {i} got no gradient", kind="wrong_gradient")
        expect_close(
            step["after"][i], step["before"][i] - 1e-1 * step["grads"][i], name=f"head parameter {i} after the step"
        )


def test_unfrozen_step_uses_discriminative_lrs(learner, device):
    """after unfreezing, each group moves by its own learning rate: 1e-3, 1e-2, 1e-1"""
    res = _train(learner, device, seed=14)
    step = res["steps"][1]
    for lr, group in zip(_lrs(1e-3, 1e-1, 3), _expected_groups(EVEN, 2)):
        for i in group:
            expect(
                step["grads"][i] is not None,
                f"parameter {i} got no gradient after freeze_to(groups, 0)",
                kind="wrong_gradient",
            )
            expect_close(
                step["after"][i],
                step["before"][i] - lr * step["grads"][i],
                name=f"parameter {i} (lr {lr:g}) after the step",
            )

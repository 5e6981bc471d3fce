"""Hidden suite: lesson6b.master_weights."""

import pytest
import torch

from grader.testing import expect, expect_close

LOW = [torch.bfloat16, torch.float16]
LOW_IDS = ["bfloat16", "float16"]


def _weights(shapes, dtype, device, seed=0, scale=0.5):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype) for s in shapes]


# ---------------------------------------------------------------- scenarios (run in the worker)


def _master_of(mod, w, b):
    """A Linear layer holding w and b; the learner's make_master of it, then facts about the copies."""
    import torch

    layer = torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype, device=w.device)
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(b)
    master = mod.make_master(layer)
    facts = [
        {"requires_grad": bool(m.requires_grad), "plain": type(m) is torch.Tensor, "is_param": m is p}
        for m, p in zip(master, layer.parameters())
    ]
    values = [m.detach().clone() for m in master]
    # Write into the copies: the layer must not change.
    with torch.no_grad():
        for m in master:
            m.add_(1.0)
    return {"values": values, "facts": facts, "layer_after": [p.detach().clone() for p in layer.parameters()]}


def _steps(mod, w, b, grads, lr, frozen_bias=False):
    """make_master, then one master_sgd_step per gradient pair; record the weights and the masters."""
    import torch

    layer = torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype, device=w.device)
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(b)
    if frozen_bias:
        layer.bias.requires_grad_(False)
    params = list(layer.parameters())
    master = mod.make_master(layer)
    history = []
    for gw, gb in grads:
        params[0].grad = gw.clone()
        params[1].grad = None if frozen_bias else gb.clone()
        mod.master_sgd_step(layer, master, lr)
        history.append(
            {
                "weight": layer.weight.detach().clone(),
                "bias": layer.bias.detach().clone(),
                "master": [m.detach().clone() for m in master],
                "same_objects": [p is q for p, q in zip(params, layer.parameters())],
            }
        )
    return history


def _train(mod, w, b, x, y, lr, steps):
    """A small bfloat16 regression: forward and backward in the model's dtype, the step by the learner."""
    import torch

    layer = torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype, device=w.device)
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(b)
    master = mod.make_master(layer)
    losses = []
    for _ in range(steps):
        for p in layer.parameters():
            p.grad = None
        out = layer(x)
        loss = ((out.float() - y) ** 2).mean()  # the loss itself in float32
        loss.backward()
        mod.master_sgd_step(layer, master, lr)
        losses.append(float(loss))
    return {"master": [m.detach().clone() for m in master], "weight": layer.weight.detach().clone(), "losses": losses}


def _reference_train(w, b, x, y, lr, steps):
    """The same loop with the reference update, in the trusted process."""
    layer = torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype, device=w.device)
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(b)
    master = [p.detach().clone().float() for p in layer.parameters()]
    for _ in range(steps):
        for p in layer.parameters():
            p.grad = None
        loss = ((layer(x).float() - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p, m in zip(layer.parameters(), master):
                m.sub_(lr * p.grad.float())
                p.copy_(m)
    return master, layer.weight.detach().clone()


# ---------------------------------------------------------------- make_master


@pytest.mark.parametrize("dtype", LOW, ids=LOW_IDS)
def test_master_is_float32_copy(learner, device, dtype):
    """make_master returns float32 copies with the parameters' values, in order"""
    w, b = _weights([(3, 4), (3,)], dtype, device)
    res = learner.run(_master_of, w, b, label=f"make_master(nn.Linear(4, 3) in {str(dtype).removeprefix('torch.')})")
    expect(
        isinstance(res["values"], list) and len(res["values"]) == 2,
        "make_master should return one tensor per parameter (2 for a Linear)",
        kind="wrong_type",
    )
    expect_close(res["values"], [w.float(), b.float()], name="the master copies (weight, bias)", rtol=0.0, atol=0.0)


def test_master_not_in_the_graph(learner, device):
    """the master copies are plain tensors that do not require grad"""
    w, b = _weights([(3, 4), (3,)], torch.bfloat16, device, seed=1)
    res = learner.run(_master_of, w, b, label="make_master(nn.Linear(4, 3) in bfloat16)")
    for i, f in enumerate(res["facts"]):
        expect(f["plain"], f"master copy {i} should be a plain torch.Tensor, not an nn.Parameter", kind="wrong_type")
        expect(
            not f["requires_grad"], f"master copy {i} requires grad: detach it from the parameter", kind="wrong_type"
        )


def test_master_has_own_memory(learner, device):
    """for a float32 model the master copies are still copies: writing to them leaves the model alone"""
    w, b = _weights([(3, 4), (3,)], torch.float32, device, seed=2)
    res = learner.run(_master_of, w, b, label="make_master(nn.Linear(4, 3) in float32), then master[i] += 1")
    for i, f in enumerate(res["facts"]):
        expect(
            not f["is_param"],
            f"master copy {i} is the parameter itself (.float() of a float32 tensor returns it)",
            kind="modified_input",
        )
    expect_close(
        res["layer_after"],
        [w, b],
        name="the layer's parameters after changing the master copies",
        kind="modified_input",
        rtol=0.0,
        atol=0.0,
    )


# ---------------------------------------------------------------- master_sgd_step


@pytest.mark.parametrize("dtype", LOW, ids=LOW_IDS)
def test_one_step(learner, device, dtype):
    """one step: master -= lr * grad in float32, and the weights become the rounded master"""
    w, b = _weights([(3, 4), (3,)], dtype, device, seed=3)
    gw, gb = _weights([(3, 4), (3,)], dtype, device, seed=4, scale=1.0)
    hist = learner.run(_steps, w, b, [(gw, gb)], 0.1, label="master_sgd_step(layer, make_master(layer), lr=0.1)")
    m_w = w.float() - 0.1 * gw.float()
    m_b = b.float() - 0.1 * gb.float()
    expect_close(hist[0]["master"], [m_w, m_b], name="the master copies after one step")
    expect_close(hist[0]["weight"], m_w.to(dtype), name="the layer's weight after one step (the rounded master)")
    expect_close(hist[0]["bias"], m_b.to(dtype), name="the layer's bias after one step (the rounded master)")


def test_small_updates_accumulate(learner, device):
    """updates of 2**-10 on a bfloat16 weight of 1.0 add up in the master until the weight moves"""
    w = torch.ones(2, 2, dtype=torch.bfloat16, device=device)
    b = torch.zeros(2, dtype=torch.bfloat16, device=device)
    g = torch.full((2, 2), 2.0**-10, dtype=torch.bfloat16, device=device)
    steps = 12
    hist = learner.run(
        _steps, w, b, [(g, b)] * steps, 1.0, label="12 master_sgd_step calls, lr=1, grad=2**-10, weight 1.0 in bfloat16"
    )
    got = torch.stack([h["weight"][0, 0] for h in hist]).float()
    masters = 1.0 - 2.0**-10 * torch.arange(1, steps + 1, dtype=torch.float32, device=device)
    expected = masters.to(torch.bfloat16).float()
    expect_close(
        got,
        expected,
        name="weight[0, 0] after each step (bfloat16 rounds 1 - k * 2**-10 to a multiple of 2**-8)",
        rtol=0.0,
        atol=0.0,
    )
    expect_close(torch.stack([h["master"][0][0, 0] for h in hist]), masters, name="master weight[0, 0] after each step")


def test_skips_missing_gradients(learner, device):
    """a parameter whose grad is None keeps its value, and so does its master"""
    w, b = _weights([(3, 4), (3,)], torch.bfloat16, device, seed=5)
    gw, _ = _weights([(3, 4), (3,)], torch.bfloat16, device, seed=6, scale=1.0)
    hist = learner.run(_steps, w, b, [(gw, None)], 0.1, True, label="master_sgd_step with bias.grad = None")
    expect_close(hist[0]["bias"], b, name="the bias (grad None) after the step", rtol=0.0, atol=0.0)
    expect_close(
        hist[0]["master"][1], b.float(), name="the bias's master (grad None) after the step", rtol=0.0, atol=0.0
    )
    expect_close(hist[0]["weight"], (w.float() - 0.1 * gw.float()).to(torch.bfloat16), name="the weight after the step")


def test_parameters_keep_dtype_and_identity(learner, device):
    """the step keeps each parameter the same object, in its own dtype"""
    w, b = _weights([(3, 4), (3,)], torch.bfloat16, device, seed=7)
    gw, gb = _weights([(3, 4), (3,)], torch.bfloat16, device, seed=8, scale=1.0)
    hist = learner.run(_steps, w, b, [(gw, gb)] * 2, 0.1, label="two master_sgd_step calls on a bfloat16 Linear")
    for h in hist:
        expect(
            h["weight"].dtype == torch.bfloat16,
            f"the weight became {h['weight'].dtype}; copy the master into it, rounded to bfloat16",
            kind="wrong_dtype",
        )
        expect(
            all(h["same_objects"]),
            "the layer's parameters were replaced by new objects; copy the values into them",
            kind="wrong_type",
        )


def test_training_loop(learner, device):
    """20 steps of a bfloat16 regression with a small learning rate follow the float32 master path"""
    w, b = _weights([(3, 4), (3,)], torch.bfloat16, device, seed=9)
    g = torch.Generator().manual_seed(10)
    x = torch.randn(16, 4, generator=g, dtype=torch.float64).to(device, torch.bfloat16)
    y = torch.randn(16, 3, generator=g, dtype=torch.float64).to(device, torch.float32)
    res = learner.run(
        _train, w, b, x, y, 2e-3, 20, label="20 steps: bfloat16 forward and backward, master_sgd_step(lr=2e-3)"
    )
    master, weight = _reference_train(w, b, x, y, 2e-3, 20)
    # A loose tolerance: a correct update written in another order may round a weight to the
    # neighbouring bfloat16 number now and then; without a master copy the weights hardly move.
    expect_close(res["master"], master, name="the master copies after 20 steps", rtol=2e-3, atol=2e-4)

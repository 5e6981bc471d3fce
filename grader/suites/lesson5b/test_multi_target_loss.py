"""Hidden suite: lesson5b.multi_target_loss.

The model is built in the worker by a scenario, which loads seeded weights into it by name; the references are the
same computations written out in float64. ``train_step`` is driven with a small SGD of the scenario's own that records
the gradients it finds at each ``step()``, so the checks can see what reached each head and the shared body.
"""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
N_IN, N_HIDDEN, N_CLASSES = 4, 5, 3
LR = 0.1
NAMES = ["body.weight", "body.bias", "class_head.weight", "class_head.bias", "value_head.weight", "value_head.bias"]
SHAPES = {
    "body.weight": [N_HIDDEN, N_IN],
    "body.bias": [N_HIDDEN],
    "class_head.weight": [N_CLASSES, N_HIDDEN],
    "class_head.bias": [N_CLASSES],
    "value_head.weight": [1, N_HIDDEN],
    "value_head.bias": [1],
}
HEADS = NAMES[2:]


# ---------------------------------------------------------------- scenarios (run in the worker)


def _layers(mod, n_in, n_hidden, n_classes):
    """The names and shapes of the model's parameters."""
    model = mod.TwoHeadNet(n_in, n_hidden, n_classes)
    return {name: list(p.shape) for name, p in model.named_parameters()}


def _forward(mod, state, x, n_classes):
    """Build the model, load ``state``, run it on ``x``."""
    model = mod.TwoHeadNet(x.shape[1], state["body.weight"].shape[0], n_classes).to(x.device, x.dtype)
    model.load_state_dict(state)
    out = model(x)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return {"ok": False, "got": type(out).__name__ if not isinstance(out, (tuple, list)) else f"{len(out)} values"}
    return {"ok": True, "logits": out[0], "value": out[1]}


def _train(mod, state, x, target_class, target_value, weights, steps, lr):
    """Run ``train_step`` ``steps`` times with a recording SGD; report losses, gradients seen and final weights."""
    import torch

    model = mod.TwoHeadNet(x.shape[1], state["body.weight"].shape[0], state["class_head.weight"].shape[0])
    model = model.to(x.device, x.dtype)
    model.load_state_dict(state)

    class RecordingSGD:
        """Plain SGD that records, at every step(), the gradient of each parameter (None when it has none)."""

        def __init__(self, named, lr):
            self.named = list(named)
            self.lr = lr
            self.seen = []

        def zero_grad(self, set_to_none=True):
            for _, p in self.named:
                p.grad = None

        @torch.no_grad()
        def step(self):
            self.seen.append({n: None if p.grad is None else p.grad.detach().clone() for n, p in self.named})
            for _, p in self.named:
                if p.grad is not None:
                    p.sub_(self.lr * p.grad)

    opt = RecordingSGD(model.named_parameters(), lr)
    returned = [mod.train_step(model, opt, x, target_class, target_value, *weights) for _ in range(steps)]
    return {
        "kinds": [type(r).__name__ for r in returned],
        "losses": [float(r) if isinstance(r, (int, float)) else None for r in returned],
        "seen": opt.seen,
        "after": {n: p.detach().clone() for n, p in model.named_parameters()},
        "inputs_after": [x, target_class, target_value],
    }


# ---------------------------------------------------------------- inputs and float64 references


def _state(dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {n: (torch.randn(SHAPES[n], generator=g, dtype=torch.float64) * 0.6).to(device, dtype) for n in NAMES}


def _data(n, dtype, device, seed=1, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, N_IN, generator=g, dtype=torch.float64)
    target_class = torch.randint(0, N_CLASSES, (n,), generator=g)
    target_value = torch.randn(n, generator=g, dtype=torch.float64) * 2.0
    return x.to(device, dtype), target_class.to(device), (target_value * scale).to(device, dtype)


def _ref_forward(state, x):
    s = {k: v.double() for k, v in state.items()}
    h = torch.relu(x.double() @ s["body.weight"].T + s["body.bias"])
    logits = h @ s["class_head.weight"].T + s["class_head.bias"]
    value = (h @ s["value_head.weight"].T + s["value_head.bias"])[:, 0]
    return logits.to(x.dtype), value.to(x.dtype)


def _ref_loss(logits, value, target_class, target_value, wc=1.0, wv=1.0, reduction="mean"):
    ce = -torch.log_softmax(logits.double(), dim=1).gather(1, target_class[:, None])[:, 0]
    per = wc * ce + wv * (value.double() - target_value.double()) ** 2
    out = {"none": per, "sum": per.sum(), "mean": per.mean()}[reduction]
    return out.to(logits.dtype)


def _ref_train(state, x, target_class, target_value, weights, steps):
    """The same loop in float64 with autograd: the gradients at each step and the final weights."""
    params = {n: v.detach().double().clone().requires_grad_(True) for n, v in state.items()}
    losses, seen = [], []
    for _ in range(steps):
        h = torch.relu(x.double() @ params["body.weight"].T + params["body.bias"])
        logits = h @ params["class_head.weight"].T + params["class_head.bias"]
        value = (h @ params["value_head.weight"].T + params["value_head.bias"])[:, 0]
        loss = _ref_loss(logits, value, target_class, target_value, *weights)
        grads = torch.autograd.grad(loss, list(params.values()))
        seen.append(dict(zip(params, grads, strict=True)))
        losses.append(float(loss))
        with torch.no_grad():
            for p, g in zip(params.values(), grads, strict=True):
                p.sub_(LR * g)
    return losses, seen, {n: p.detach() for n, p in params.items()}


def _call_forward(learner, state, x):
    got = learner.run(
        _forward, state, x, N_CLASSES, label=f"TwoHeadNet({N_IN}, {N_HIDDEN}, {N_CLASSES})(x of shape {tuple(x.shape)})"
    )
    expect(
        got["ok"], f"TwoHeadNet.forward should return a tuple (logits, value), got {got.get('got')}", kind="wrong_type"
    )
    return got["logits"], got["value"]


def _call_train(learner, dtype, device, weights=(1.0, 1.0), steps=1, seed=0):
    state = _state(dtype, device, seed=seed)
    x, tc, tv = _data(6, dtype, device, seed=seed + 1)
    label = (
        f"train_step(TwoHeadNet({N_IN}, {N_HIDDEN}, {N_CLASSES}), an SGD with lr={LR}, a batch of 6, "
        f"class_weight={weights[0]}, value_weight={weights[1]})" + (f", {steps} times" if steps > 1 else "")
    )
    got = learner.run(_train, state, x, tc, tv, list(weights), steps, LR, label=label)
    ref = _ref_train(state, x, tc, tv, weights, steps)
    return got, ref


def _expect_steps(got, steps):
    expect(
        len(got["seen"]) == steps,
        f"optimizer.step() was called {len(got['seen'])} times in {steps} call(s) of train_step; "
        f"take exactly one step per call, after a single backward() of the combined loss",
    )


def _expect_grads(got, ref, names, step=0, what=""):
    for name in names:
        g = got["seen"][step][name]
        expect(
            g is not None,
            f"{name} had no gradient at optimizer.step(){what}: the combined loss does not reach it",
            kind="wrong_gradient",
        )
        expect_close(g, ref[1][step][name].to(g.dtype), name=f"the gradient of {name}{what}", kind="wrong_gradient")


# ---------------------------------------------------------------- the model


def test_layers(learner):
    """TwoHeadNet has a shared body and two heads with the documented names and shapes"""
    got = learner.run(_layers, N_IN, N_HIDDEN, N_CLASSES, label=f"TwoHeadNet({N_IN}, {N_HIDDEN}, {N_CLASSES})")
    expect(
        got == SHAPES,
        f"TwoHeadNet({N_IN}, {N_HIDDEN}, {N_CLASSES}) has the parameters {got}; expected exactly {SHAPES} "
        f"(body, class_head and value_head, each an nn.Linear)",
        kind="wrong_shape",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_forward(learner, device, dtype):
    """forward returns the class logits (N, C) and the value (N,) computed from shared features"""
    state = _state(dtype, device, seed=2)
    x, _, _ = _data(6, dtype, device, seed=3)
    logits, value = _call_forward(learner, state, x)
    ref_logits, ref_value = _ref_forward(state, x)
    expect_close(logits, ref_logits, name="logits")
    expect_close(value, ref_value, name="value")


def test_forward_batch_of_one(learner, device):
    """a batch of one gives logits of shape (1, C) and a value of shape (1,)"""
    state = _state(torch.float64, device, seed=4)
    x, _, _ = _data(1, torch.float64, device, seed=5)
    logits, value = _call_forward(learner, state, x)
    ref_logits, ref_value = _ref_forward(state, x)
    expect_close(logits, ref_logits, name="logits for a batch of one")
    expect_close(value, ref_value, name="value for a batch of one (shape (1,), not ())")


# ---------------------------------------------------------------- the combined loss


def _loss_inputs(n, dtype, device, seed, logit_scale=1.0):
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, N_CLASSES, generator=g, dtype=torch.float64) * 2.0 * logit_scale).to(device, dtype)
    value = torch.randn(n, generator=g, dtype=torch.float64).to(device, dtype)
    _, tc, tv = _data(n, dtype, device, seed=seed + 1)
    return logits, value, tc, tv


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_loss_mean(learner, device, dtype):
    """with equal weights, the loss is the mean cross-entropy plus the mean squared error"""
    logits, value, tc, tv = _loss_inputs(8, dtype, device, seed=10)
    got = learner.multi_target_loss(logits, value, tc, tv)
    expect_close(got, _ref_loss(logits, value, tc, tv), name="multi_target_loss(logits, value, targets)")


def test_loss_weights(learner, device):
    """each weight scales its own loss: class_weight the cross-entropy, value_weight the squared error"""
    logits, value, tc, tv = _loss_inputs(8, torch.float64, device, seed=12)
    got = learner.multi_target_loss(logits, value, tc, tv, 0.25, 3.0)
    expect_close(
        got,
        _ref_loss(logits, value, tc, tv, 0.25, 3.0),
        name="multi_target_loss(..., class_weight=0.25, value_weight=3.0)",
    )


def test_loss_sum(learner, device):
    """reduction="sum" adds the combined losses of the examples"""
    logits, value, tc, tv = _loss_inputs(8, torch.float64, device, seed=14)
    got = learner.multi_target_loss(logits, value, tc, tv, reduction="sum")
    expect_close(got, _ref_loss(logits, value, tc, tv, reduction="sum"), name='multi_target_loss(..., reduction="sum")')


def test_loss_none(learner, device):
    """reduction="none" returns each example's combined loss"""
    logits, value, tc, tv = _loss_inputs(8, torch.float64, device, seed=16)
    got = learner.multi_target_loss(logits, value, tc, tv, reduction="none")
    expect_close(
        got, _ref_loss(logits, value, tc, tv, reduction="none"), name='multi_target_loss(..., reduction="none")'
    )


def test_loss_gradients(learner, device):
    """the weighted loss's gradients with respect to the logits and the value match autograd's (float64)"""
    logits, value, tc, tv = _loss_inputs(6, torch.float64, device, seed=18)
    lr_, vr = logits.clone().requires_grad_(True), value.clone().requires_grad_(True)
    _ref_loss(lr_, vr, tc, tv, 0.25, 3.0).backward()
    _, (g_logits, g_value) = learner.backward("multi_target_loss", logits, value, tc, tv, 0.25, 3.0, wrt=(0, 1))
    expect_close(g_logits, lr_.grad, name="d loss / d logits", kind="wrong_gradient")
    expect_close(g_value, vr.grad, name="d loss / d value", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_loss_extreme_logits(learner, device, dtype):
    """logits as large as +-1e4 give a large but finite, correct loss"""
    logits, value, tc, tv = _loss_inputs(6, dtype, device, seed=20, logit_scale=5e3)
    got = learner.multi_target_loss(logits, value, tc, tv)
    expect_close(got, _ref_loss(logits, value, tc, tv), name="multi_target_loss with logits around +-1e4")


def test_loss_batch_of_one(learner, device):
    """a batch of one example works with every reduction"""
    logits, value, tc, tv = _loss_inputs(1, torch.float64, device, seed=22)
    for reduction in ("mean", "sum", "none"):
        got = learner.multi_target_loss(logits, value, tc, tv, reduction=reduction)
        expect_close(
            got,
            _ref_loss(logits, value, tc, tv, reduction=reduction),
            name=f'multi_target_loss of one example, reduction="{reduction}"',
        )


# ---------------------------------------------------------------- one training step


def test_train_step_returns_loss(learner, device):
    """train_step returns the combined loss of the step, before the update, as a Python float"""
    got, ref = _call_train(learner, torch.float64, device, seed=30)
    expect(
        got["kinds"] == ["float"],
        f"train_step should return a Python float (loss.item()), got {got['kinds'][0]}",
        kind="wrong_type",
    )
    expect_close(got["losses"][0], ref[0][0], name="the loss train_step returned")


def test_train_step_head_gradients(learner, device):
    """at optimizer.step(), each head holds the gradient of its own weighted loss (float64)"""
    got, ref = _call_train(learner, torch.float64, device, seed=32)
    _expect_steps(got, 1)
    _expect_grads(got, ref, HEADS)


def test_train_step_body_gradient(learner, device):
    """at optimizer.step(), the shared body holds the sum of both heads' gradients (float64)"""
    got, ref = _call_train(learner, torch.float64, device, seed=34)
    _expect_steps(got, 1)
    _expect_grads(got, ref, ["body.weight", "body.bias"])


def test_train_step_weights(learner, device):
    """train_step passes the loss weights on: with class_weight=0.25 and value_weight=3.0 the gradients follow"""
    got, ref = _call_train(learner, torch.float64, device, weights=(0.25, 3.0), seed=36)
    _expect_steps(got, 1)
    _expect_grads(got, ref, NAMES, what=" (class_weight=0.25, value_weight=3.0)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_train_step_updates_weights(learner, device, dtype):
    """after train_step every weight has moved by one SGD step on the combined loss"""
    got, ref = _call_train(learner, dtype, device, seed=38)
    for name in NAMES:
        expect_close(got["after"][name], ref[2][name].to(dtype), name=f"{name} after one train_step")


def test_train_step_twice(learner, device):
    """a second train_step starts from fresh gradients (the first step's are cleared)"""
    got, ref = _call_train(learner, torch.float64, device, steps=2, seed=40)
    _expect_steps(got, 2)
    _expect_grads(got, ref, NAMES, step=1, what=" at the second train_step")


def test_train_step_inputs_unchanged(learner, device):
    """train_step leaves x and the targets unchanged"""
    state = _state(torch.float64, device, seed=42)
    x, tc, tv = _data(4, torch.float64, device, seed=43)
    got = learner.run(_train, state, x, tc, tv, [1.0, 1.0], 1, LR, label="train_step(model, an SGD, x, targets)")
    for before, after, name in zip(
        (x, tc, tv), got["inputs_after"], ("x", "target_class", "target_value"), strict=True
    ):
        expect_unchanged(before, after, name)

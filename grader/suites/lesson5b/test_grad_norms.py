"""Hidden suite: lesson5b.grad_norms.

A scenario builds a small network (two used layers and one unused head), gives its
parameters chosen gradients (or lets a real backward pass produce them), and calls the
learner's ``grad_norms``; references are float64 norms computed here. ``diagnose`` is
called on plain dicts of norms.
"""

import pytest
import torch

from grader.testing import expect, expect_close

NAMES = ["hidden.weight", "hidden.bias", "out.weight", "out.bias", "head.weight", "head.bias"]
SHAPES = [(5, 4), (5,), (3, 5), (3,), (2, 3), (2,)]


def _grads(dtype, device, seed=0, scale=1.0, missing=(4, 5)):
    g = torch.Generator().manual_seed(seed)
    out = []
    for i, s in enumerate(SHAPES):
        if i in missing:
            out.append(None)
        else:
            out.append((torch.randn(s, generator=g, dtype=torch.float64) * scale).to(device, dtype))
    return out


def _reference(grads):
    return [None if g is None else float(torch.linalg.vector_norm(g.double())) for g in grads]


# ---------------------------------------------------------------- scenarios (run in the worker)


def _with_grads(mod, grads):
    """Give the network's parameters these gradients (None: no gradient) and ask for the norms."""
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = torch.nn.Linear(4, 5)
            self.out = torch.nn.Linear(5, 3)
            self.head = torch.nn.Linear(3, 2)  # never used in forward: its gradients stay None

        def forward(self, x):
            return self.out(torch.relu(self.hidden(x)))

    net = Net()
    dtype = next(g for g in grads if g is not None).dtype
    device = next(g for g in grads if g is not None).device
    net = net.to(device=device, dtype=dtype)
    for p, g in zip(net.parameters(), grads, strict=True):
        p.grad = None if g is None else g.clone()
    params_before = [p.detach().clone() for p in net.parameters()]
    norms = mod.grad_norms(net)
    return {
        "norms": norms,
        "kinds": {k: type(v).__name__ for k, v in norms.items()} if isinstance(norms, dict) else {},
        "grads_after": [p.grad for p in net.parameters()],
        "params_changed": any(
            not torch.equal(b, p.detach()) for b, p in zip(params_before, net.parameters(), strict=True)
        ),
    }


def _dead_relu(mod, x, y):
    """A real backward pass through a network whose ReLUs are all inactive."""
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = torch.nn.Linear(4, 5)
            self.out = torch.nn.Linear(5, 3)
            self.head = torch.nn.Linear(3, 2)  # never used in forward: its gradients stay None

        def forward(self, x):
            return self.out(torch.relu(self.hidden(x)))

    net = Net().to(device=x.device, dtype=x.dtype)
    with torch.no_grad():
        net.hidden.bias.fill_(-100.0)  # every pre-activation is negative: the ReLUs are dead
    loss = torch.nn.functional.mse_loss(net(x), y)
    loss.backward()
    grads = [p.grad for p in net.parameters()]
    return {"norms": mod.grad_norms(net), "grads": grads}


def _diagnose(mod, norms, low, high):
    before = dict(norms)
    labels = mod.diagnose(norms, low, high)

    def same(a, b):
        return a is b or a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)

    unchanged = list(norms) == list(before) and all(same(norms[k], before[k]) for k in before)
    return {"labels": labels, "unchanged": unchanged}


# ---------------------------------------------------------------- helpers


def _run(learner, grads, what):
    return learner.run(_with_grads, grads, label=f"grad_norms(a 3-layer network) with {what}")


def _check_norms(res, want, what, rtol=1e-9, atol=0.0):
    got = res["norms"]
    expect(
        isinstance(got, dict) and list(got) == NAMES,
        f"{what}: grad_norms should return a dict keyed by parameter name, {NAMES}, in that order; got "
        f"{list(got) if isinstance(got, dict) else type(got).__name__}",
        kind="wrong_type",
    )
    for name, w in zip(NAMES, want, strict=True):
        g = got[name]
        if w is None:
            expect(g is None, f"{what}: {name} has no gradient, so its entry should be None, got {g!r}")
            continue
        expect(g is not None, f"{what}: {name} has a gradient, but its entry is None")
        expect_close(g, w, name=f"{what}: the norm of {name}.grad", rtol=rtol, atol=atol)


# ---------------------------------------------------------------- grad_norms checks


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_norms_match_reference(learner, device, dtype):
    """each norm is the L2 norm of that parameter's gradient"""
    grads = _grads(dtype, device, seed=1, missing=())
    res = _run(learner, grads, f"{str(dtype)[6:]} gradients")
    _check_norms(res, _reference(grads), f"{str(dtype)[6:]} gradients", rtol=1e-5 if dtype == torch.float32 else 1e-9)


def test_returns_python_floats(learner, device):
    """the norms are Python floats (or None), not tensors"""
    grads = _grads(torch.float64, device, seed=2)
    res = _run(learner, grads, "float64 gradients")
    kinds = sorted(set(res["kinds"].values()))
    expect(
        set(kinds) <= {"float", "NoneType"},
        f"the norms should be Python floats (and None for missing gradients), got values of types {kinds}",
        kind="wrong_type",
    )


def test_missing_gradient_is_none(learner, device):
    """a parameter without a gradient gets None, not 0"""
    grads = _grads(torch.float64, device, seed=3, missing=(4, 5))
    res = _run(learner, grads, "no gradient for head.weight and head.bias")
    _check_norms(res, _reference(grads), "head never used")


def test_zero_gradient_is_zero(learner, device):
    """a gradient of zeros has norm 0.0, not None"""
    grads = _grads(torch.float64, device, seed=4, missing=())
    grads[0] = torch.zeros(SHAPES[0], dtype=torch.float64, device=device)
    res = _run(learner, grads, "hidden.weight.grad all zeros")
    _check_norms(res, _reference(grads), "hidden.weight.grad all zeros")


@pytest.mark.parametrize("scale", [1e25, 1e-25], ids=["1e25", "1e-25"])
def test_float32_extremes(learner, device, scale):
    """float32 gradients whose squares overflow or underflow float32 still get their exact norm"""
    grads = _grads(torch.float32, device, seed=5, scale=scale, missing=())
    res = _run(learner, grads, f"float32 gradients of about {scale:g}")
    _check_norms(res, _reference(grads), f"float32 gradients of about {scale:g}", rtol=1e-5)


def test_float16_gradients(learner, device):
    """float16 gradients of a few hundred (squares beyond float16's 65504) get their exact norm"""
    grads = _grads(torch.float16, device, seed=6, scale=300.0, missing=())
    res = _run(learner, grads, "float16 gradients of about 300")
    _check_norms(res, _reference(grads), "float16 gradients of about 300", rtol=1e-3)


def test_dead_relu_backward(learner, device):
    """after a real backward through dead ReLUs: zeros for the hidden layer, None for the unused head"""
    g = torch.Generator().manual_seed(7)
    x = torch.randn(6, 4, generator=g, dtype=torch.float64).to(device)
    y = torch.randn(6, 3, generator=g, dtype=torch.float64).to(device)
    res = learner.run(_dead_relu, x, y, label="grad_norms after a backward pass through dead ReLUs")
    want = _reference(res["grads"])
    _check_norms(res, want, "dead ReLUs")


def test_gradients_and_parameters_unchanged(learner, device):
    """the gradients and the parameters are left as they were"""
    grads = _grads(torch.float64, device, seed=8)
    res = _run(learner, grads, "float64 gradients")
    for name, before, after in zip(NAMES, grads, res["grads_after"], strict=True):
        if before is None:
            expect(after is None, f"{name}.grad was None and should stay None", kind="modified_input")
        else:
            expect(
                after is not None and torch.equal(before.cpu(), after.cpu()),
                f"{name}.grad was changed; only read it",
                kind="modified_input",
            )
    expect(not res["params_changed"], "the parameters were changed; only read them", kind="modified_input")


# ---------------------------------------------------------------- diagnose checks

CASES = {
    "a": None,
    "b": float("nan"),
    "c": float("inf"),
    "d": 0.0,
    "e": 1e-9,
    "f": 5e4,
    "g": 0.3,
}
LABELS = {
    "a": "missing",
    "b": "nonfinite",
    "c": "nonfinite",
    "d": "zero",
    "e": "vanishing",
    "f": "exploding",
    "g": "ok",
}


def _labels(learner, norms, low=1e-6, high=1e3):
    res = learner.run(_diagnose, norms, low, high, label=f"diagnose({norms}, low={low}, high={high})")
    return res


@pytest.mark.parametrize("key", list(CASES), ids=[LABELS[k] + "_" + k for k in CASES])
def test_diagnose_labels(learner, key):
    """each kind of norm gets its label"""
    res = _labels(learner, {key: CASES[key]})
    got = res["labels"].get(key) if isinstance(res["labels"], dict) else res["labels"]
    expect(got == LABELS[key], f"diagnose({{{key!r}: {CASES[key]}}}) should label it {LABELS[key]!r}, got {got!r}")


def test_diagnose_negative_infinity(learner):
    """-inf is nonfinite too"""
    res = _labels(learner, {"w": float("-inf")})
    expect(res["labels"] == {"w": "nonfinite"}, f"a norm of -inf should be 'nonfinite', got {res['labels']}")


def test_diagnose_bounds_are_healthy(learner):
    """norms exactly at low or at high are still 'ok'"""
    res = _labels(learner, {"lo": 1e-4, "hi": 10.0}, low=1e-4, high=10.0)
    expect(
        res["labels"] == {"lo": "ok", "hi": "ok"},
        f"with low=1e-4 and high=10, norms of exactly 1e-4 and 10 are healthy; got {res['labels']}",
    )


def test_diagnose_thresholds(learner):
    """the thresholds low and high are the ones passed in"""
    res = _labels(learner, {"x": 0.05, "y": 20.0, "z": 1.0}, low=0.1, high=10.0)
    want = {"x": "vanishing", "y": "exploding", "z": "ok"}
    expect(res["labels"] == want, f"with low=0.1 and high=10 the labels should be {want}, got {res['labels']}")


def test_diagnose_keeps_every_key(learner):
    """all the norms at once: one label per name, same order, input unchanged"""
    res = _labels(learner, dict(CASES))
    expect(res["labels"] == LABELS, f"diagnose should give {LABELS}, got {res['labels']}")
    expect(
        isinstance(res["labels"], dict) and list(res["labels"]) == list(CASES),
        "the labels should keep the order of the norms",
    )
    expect(res["unchanged"], "diagnose changed the dict of norms it was given", kind="modified_input")

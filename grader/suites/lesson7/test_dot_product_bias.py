"""Hidden suite: lesson7.dot_product_bias."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
N_USERS, N_ITEMS, N_FACTORS = 7, 11, 5


def _params(dtype, device, factor_std=0.7, bias_std=0.5, seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = [(N_USERS, N_FACTORS), (N_ITEMS, N_FACTORS), (N_USERS,), (N_ITEMS,)]
    stds = [factor_std, factor_std, bias_std, bias_std]
    return [
        (torch.randn(s, generator=g, dtype=torch.float64) * sd).to(device, dtype)
        for s, sd in zip(shapes, stds, strict=False)
    ]


def _pairs(n, device, seed=1):
    g = torch.Generator().manual_seed(seed)
    users = torch.randint(0, N_USERS, (n,), generator=g)
    items = torch.randint(0, N_ITEMS, (n,), generator=g)
    return torch.stack([users, items], dim=1).to(device)


def _reference(params, x, low, high):
    uf, itf, ub, ib = params
    u, i = x[:, 0], x[:, 1]
    score = (uf[u] * itf[i]).sum(dim=1) + ub[u] + ib[i]
    return torch.sigmoid(score) * (high - low) + low


# ---------------------------------------------------------------- scenarios (run in the worker)

NAMES = ["user_factors", "item_factors", "user_bias", "item_bias"]


def _call(mod, name, args):
    """Call ``name(*args)`` and hand back the arguments too, to see whether they were modified."""
    out = getattr(mod, name)(*args)
    return {"out": out, "args": list(args)}


def _sigmoid_range_grad(mod, x, low, high, upstream):
    """The gradient of sum(sigmoid_range(x) * upstream) with respect to x."""
    x = x.clone().requires_grad_(True)
    out = mod.sigmoid_range(x, low, high)
    if not out.requires_grad:
        return None
    (out * upstream).sum().backward()
    return x.grad


def _predict(mod, params, x, y_range, upstream):
    """Build the learner's model, load known parameters, predict; back-propagate ``upstream`` if given."""
    names = ["user_factors", "item_factors", "user_bias", "item_bias"]
    n_users, n_factors = params[0].shape
    n_items = params[1].shape[0]
    if y_range is None:
        model = mod.DotProductBias(n_users, n_items, n_factors)
    else:
        model = mod.DotProductBias(n_users, n_items, n_factors, y_range=y_range)
    model = model.to(device=params[0].device, dtype=params[0].dtype)
    for name, value in zip(names, params, strict=False):
        getattr(model, name).data = value.clone()
    out = model(x)
    grads = None
    if upstream is not None:
        if out.requires_grad:
            (out * upstream).sum().backward()
        grads = [getattr(model, name).grad for name in names]
    return {"out": out, "grads": grads, "x": x}


def _init(mod, seed_a, seed_b):
    """The four tables of a freshly built model, twice with one seed and once with another."""
    import torch

    names = ["user_factors", "item_factors", "user_bias", "item_bias"]

    def make(seed):
        return mod.DotProductBias(300, 200, 40, generator=torch.Generator().manual_seed(seed))

    a, b, c = make(seed_a), make(seed_a), make(seed_b)
    registered = {id(p) for p in a.parameters()}
    info = {}
    for name in names:
        p = getattr(a, name)
        info[name] = {
            "is_parameter": isinstance(p, torch.nn.Parameter),
            "registered": id(p) in registered,
            "value": p.detach().clone(),
            "same_seed": getattr(b, name).detach().clone(),
            "other_seed": getattr(c, name).detach().clone(),
        }
    return info


# ---------------------------------------------------------------- sigmoid_range


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("low,high", [(0.0, 5.5), (-1.0, 1.0), (1.0, 3.0)], ids=["0_to_5.5", "neg1_to_1", "1_to_3"])
def test_sigmoid_range_matches_reference(learner, device, dtype, low, high):
    """sigmoid_range matches sigmoid(x) * (high - low) + low"""
    g = torch.Generator().manual_seed(2)
    x = (torch.randn(4, 6, generator=g, dtype=torch.float64) * 3).to(device, dtype)
    what = f"sigmoid_range(x, {low}, {high})"
    res = learner.run(_call, "sigmoid_range", [x, low, high], label=what)
    expect_close(res["out"], torch.sigmoid(x) * (high - low) + low, name=what)
    expect_unchanged(x, res["args"][0], "x")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sigmoid_range_extreme_inputs(learner, device, dtype):
    """sigmoid_range is finite and reaches the ends of the range for |x| up to 1e4"""
    x = torch.tensor([-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4], device=device, dtype=dtype)
    got = learner.sigmoid_range(x, 0.0, 5.5)
    expect_close(got, torch.sigmoid(x) * 5.5, name="sigmoid_range(x, 0, 5.5) at large |x|")


def test_sigmoid_range_gradient(learner, device):
    """the gradient of sigmoid_range matches autograd's"""
    g = torch.Generator().manual_seed(3)
    x = (torch.randn(3, 5, generator=g, dtype=torch.float64) * 2).to(device)
    up = torch.randn(3, 5, generator=g, dtype=torch.float64).to(device)
    ref = x.clone().requires_grad_(True)
    # A scalar backward: .backward(tensor) makes torch import sympy, seconds on first use.
    ((torch.sigmoid(ref) * 4.0 - 1.0) * up).sum().backward()
    grad = learner.run(_sigmoid_range_grad, x, -1.0, 3.0, up, label="sigmoid_range(x, -1, 3).backward(upstream)")
    expect(grad is not None, "no gradient reached x through sigmoid_range", kind="wrong_gradient")
    expect_close(grad, ref.grad, name="d sigmoid_range(x, -1, 3) / dx", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sigmoid_range_gradient_extreme_inputs(learner, device, dtype):
    """the gradient of sigmoid_range is finite and matches autograd's for |x| up to 1e4, at both signs"""
    x = torch.tensor([-1e4, -800.0, -100.0, -30.0, 0.0, 30.0, 100.0, 800.0, 1e4], dtype=torch.float64)
    up = torch.randn(x.shape, generator=torch.Generator().manual_seed(15), dtype=torch.float64)
    x, up = x.to(device, dtype), up.to(device, dtype)
    ref = x.clone().requires_grad_(True)
    ((torch.sigmoid(ref) * 5.5) * up).sum().backward()
    grad = learner.run(_sigmoid_range_grad, x, 0.0, 5.5, up, label="sigmoid_range(x, 0, 5.5).backward(upstream)")
    expect(grad is not None, "no gradient reached x through sigmoid_range", kind="wrong_gradient")
    expect_close(grad, ref.grad, name="d sigmoid_range(x, 0, 5.5) / dx at large |x|", kind="wrong_gradient")


# ---------------------------------------------------------------- DotProductBias


def test_model_parameters(learner):
    """the four tables are registered Parameters of the documented shapes, std 0.01, drawn from the generator"""
    info = learner.run(_init, 0, 1, label="DotProductBias(300, 200, 40, generator=...)")
    shapes = {"user_factors": (300, 40), "item_factors": (200, 40), "user_bias": (300,), "item_bias": (200,)}
    for name, shape in shapes.items():
        p = info[name]
        expect(p["is_parameter"], f"DotProductBias.{name} should be an nn.Parameter", kind="wrong_type")
        expect(p["registered"], f"DotProductBias.{name} is not among the model's parameters()", kind="wrong_type")
        v = p["value"]
        expect(
            tuple(v.shape) == shape,
            f"DotProductBias(300, 200, 40).{name} has shape {list(v.shape)}, expected {list(shape)}",
            kind="wrong_shape",
        )
        expect(
            torch.equal(v, p["same_seed"]),
            f"{name} differs between two models built with generators seeded "
            "alike: draw every table with generator=generator",
        )
        expect(not torch.equal(v, p["other_seed"]), f"{name} is the same for differently seeded generators")
    for name in ("user_factors", "item_factors"):
        std = float(info[name]["value"].double().std())
        expect(0.009 <= std <= 0.011, f"{name} starts with standard deviation {std:.4g}; expected about 0.01")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_forward_matches_reference(learner, device, dtype):
    """predictions match dot(user, item) + both biases through sigmoid_range"""
    params = _params(dtype, device)
    x = _pairs(20, device)
    res = learner.run(_predict, params, x, (1.0, 5.0), None, label="DotProductBias(7, 11, 5, y_range=(1, 5))(x)")
    ref = _reference([p.double() for p in params], x, 1.0, 5.0).to(dtype)
    expect_close(res["out"], ref, name="the predictions")
    out = res["out"].double()
    expect(bool(((out > 1.0) & (out < 5.0)).all()), "a prediction is not strictly inside y_range = (1, 5)")
    expect_unchanged(x, res["x"], "x")


def test_default_range(learner, device):
    """without y_range the predictions are squashed into (0, 5.5)"""
    params = _params(torch.float64, device, factor_std=1.5, bias_std=1.0, seed=4)
    x = _pairs(16, device, seed=5)
    res = learner.run(_predict, params, x, None, None, label="DotProductBias(7, 11, 5)(x)")
    expect_close(res["out"], _reference(params, x, 0.0, 5.5), name="the predictions with the default y_range")


def test_implicit_feedback_probabilities(learner, device):
    """with y_range = (0, 1) (implicit feedback) the predictions are probabilities sigmoid(score)"""
    params = _params(torch.float64, device, factor_std=1.2, bias_std=0.8, seed=13)
    x = _pairs(10, device, seed=14)
    res = learner.run(_predict, params, x, (0.0, 1.0), None, label="DotProductBias(7, 11, 5, y_range=(0, 1))(x)")
    expect_close(res["out"], _reference(params, x, 0.0, 1.0), name="the interaction probabilities")


def test_gradients_of_all_parameters(learner, device):
    """gradients of user/item factors and biases match autograd's, repeated ids included"""
    params = _params(torch.float64, device, seed=6)
    x = _pairs(15, device, seed=7)
    x[3] = x[0]  # the same pair twice: its gradient must accumulate
    g = torch.Generator().manual_seed(8)
    up = torch.randn(15, generator=g, dtype=torch.float64).to(device)
    res = learner.run(_predict, params, x, (0.0, 5.5), up, label="DotProductBias(7, 11, 5)(x).backward(upstream)")
    ref = [p.clone().requires_grad_(True) for p in params]
    (_reference(ref, x, 0.0, 5.5) * up).sum().backward()
    for name, got, r in zip(NAMES, res["grads"], ref, strict=False):
        expect(
            got is not None,
            f"no gradient reached DotProductBias.{name}: use the parameter itself in forward "
            "(no .detach(), .data or copies)",
            kind="wrong_gradient",
        )
        expect_close(got, r.grad, name=f"{name}.grad", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_huge_factors_stay_in_range(learner, device, dtype):
    """huge factors still give finite predictions inside y_range"""
    params = _params(dtype, device, factor_std=100.0, bias_std=50.0, seed=9)
    x = _pairs(12, device, seed=10)
    res = learner.run(_predict, params, x, (0.0, 5.5), None, label="DotProductBias(7, 11, 5)(x) with huge factors")
    out = res["out"]
    expect(isinstance(out, torch.Tensor), "the model should return a tensor", kind="wrong_type")
    o = out.double()
    expect(
        bool(torch.isfinite(o).all()),
        "a prediction is NaN or inf for large scores; use a stable sigmoid "
        "(torch.sigmoid) rather than exp(x) / (1 + exp(x))",
        kind="nan_inf",
    )
    expect(
        bool(((o >= 0.0) & (o <= 5.5)).all()),
        f"a prediction ({o.min().item():.4g} .. {o.max().item():.4g}) "
        "falls outside y_range = (0, 5.5): squash the whole score, biases included",
    )
    ref = _reference([p.double() for p in params], x, 0.0, 5.5).to(dtype)
    expect_close(out, ref, name="the predictions")


def test_batch_of_one(learner, device):
    """a batch of one pair gives a prediction of shape (1,)"""
    params = _params(torch.float64, device, seed=11)
    x = torch.tensor([[2, 9]], device=device)
    res = learner.run(_predict, params, x, (0.0, 5.5), None, label="DotProductBias(7, 11, 5)([[2, 9]])")
    expect_close(res["out"], _reference(params, x, 0.0, 5.5), name="the prediction for one pair")


def test_batch_of_one_gradients(learner, device):
    """training on a single pair: the prediction has shape (1,) and the gradients reach its rows"""
    params = _params(torch.float64, device, seed=12)
    x = torch.tensor([[5, 3]], device=device)
    up = torch.tensor([0.7], dtype=torch.float64, device=device)
    res = learner.run(
        _predict, params, x, (0.0, 5.5), up, label="DotProductBias(7, 11, 5)([[5, 3]]).backward(upstream)"
    )
    expect_close(res["out"], _reference(params, x, 0.0, 5.5), name="the prediction for one pair")
    ref = [p.clone().requires_grad_(True) for p in params]
    (_reference(ref, x, 0.0, 5.5) * up).sum().backward()
    for name, got, r in zip(NAMES, res["grads"], ref, strict=False):
        expect(got is not None, f"no gradient reached DotProductBias.{name}", kind="wrong_gradient")
        expect_close(got, r.grad, name=f"{name}.grad for one pair", kind="wrong_gradient")


def test_does_not_use_builtin(learner):
    """does not call nn.Embedding or F.embedding"""
    learner.check_forbidden()

"""Hidden suite: lesson8.create_params."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
NAMES = ["user_factors", "user_bias", "item_factors", "item_bias"]
N_USERS, N_ITEMS, N_FACTORS = 6, 9, 4


# ---------------------------------------------------------------- scenarios (run in the worker)


def _make(mod, shape, seeds):
    """create_params(shape) once per seed (None: no generator); report what came back."""
    import torch

    out = []
    for seed in seeds:
        p = mod.create_params(shape) if seed is None else mod.create_params(shape, torch.Generator().manual_seed(seed))
        out.append(
            {
                "is_parameter": isinstance(p, torch.nn.Parameter),
                "requires_grad": bool(getattr(p, "requires_grad", False)),
                "value": p.detach().clone() if isinstance(p, torch.Tensor) else None,
            }
        )
    return out


def _structure(mod, sizes, seed):
    """Build the model with a seeded generator; report its parameters and submodules."""
    import torch

    model = mod.DotProductBiasScratch(*sizes, generator=torch.Generator().manual_seed(seed))
    names = ["user_factors", "user_bias", "item_factors", "item_bias"]
    return {
        "registered": sorted(n for n, _ in model.named_parameters()),
        "submodules": [type(m).__name__ for m in model.modules() if m is not model],
        "is_parameter": [isinstance(getattr(model, n, None), torch.nn.Parameter) for n in names],
        "values": [getattr(model, n).detach().clone() for n in names],
        "y_range": [float(v) for v in model.y_range],
    }


def _predict(mod, params, x, y_range, upstream):
    """Build the model, load known tables, predict; back-propagate ``upstream`` if given."""
    names = ["user_factors", "user_bias", "item_factors", "item_bias"]
    n_users, n_factors = params[0].shape
    n_items = params[2].shape[0]
    if y_range is None:
        model = mod.DotProductBiasScratch(n_users, n_items, n_factors)
    else:
        model = mod.DotProductBiasScratch(n_users, n_items, n_factors, y_range=y_range)
    model = model.to(device=params[0].device, dtype=params[0].dtype)
    for name, value in zip(names, params, strict=True):
        getattr(model, name).data = value.clone()
    out = model(x)
    grads = None
    if upstream is not None:
        if out.requires_grad:
            (out * upstream).sum().backward()
        grads = [getattr(model, name).grad for name in names]
    return {"out": out, "grads": grads, "x_after": x}


def _fresh_model(mod, sizes, seed, x):
    """Build the model (seeded, or from the global generator when seed is None) and predict with its own tables."""
    import torch

    if seed is None:
        torch.manual_seed(0)
        model = mod.DotProductBiasScratch(*sizes)
    else:
        model = mod.DotProductBiasScratch(*sizes, generator=torch.Generator().manual_seed(seed))
    names = ["user_factors", "user_bias", "item_factors", "item_bias"]
    return {"out": model(x), "tables": [getattr(model, n).detach().clone() for n in names]}


# ---------------------------------------------------------------- helpers (trusted side)


def _params(dtype, device, factor_std=0.7, bias_std=0.5, seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = [(N_USERS, N_FACTORS), (N_USERS,), (N_ITEMS, N_FACTORS), (N_ITEMS,)]
    stds = [factor_std, bias_std, factor_std, bias_std]
    return [
        (torch.randn(s, generator=g, dtype=torch.float64) * sd).to(device, dtype)
        for s, sd in zip(shapes, stds, strict=True)
    ]


def _pairs(n, device, seed=1):
    g = torch.Generator().manual_seed(seed)
    users = torch.randint(0, N_USERS, (n,), generator=g)
    items = torch.randint(0, N_ITEMS, (n,), generator=g)
    return torch.stack([users, items], dim=1).to(device)


def _reference(params, x, low, high):
    uf, ub, itf, ib = params
    u, i = x[:, 0], x[:, 1]
    score = (uf[u] * itf[i]).sum(dim=1) + ub[u] + ib[i]
    return torch.sigmoid(score) * (high - low) + low


# ---------------------------------------------------------------- create_params


@pytest.mark.parametrize("shape", [(5,), (4, 3), [2, 3, 2]], ids=["1d", "2d", "3d-list"])
def test_create_params_returns_parameter(learner, shape):
    """create_params returns a trainable nn.Parameter of the requested shape, in float32"""
    (res,) = learner.run(_make, shape, [0], label=f"create_params({shape}, generator)")
    expect(res["value"] is not None, "create_params should return a tensor (an nn.Parameter)", kind="wrong_type")
    expect(
        res["is_parameter"], "create_params should return an nn.Parameter, so a Module registers it", kind="wrong_type"
    )
    expect(res["requires_grad"], "the parameter should have requires_grad=True", kind="wrong_type")
    v = res["value"]
    expect(
        tuple(v.shape) == tuple(shape),
        f"create_params({shape}) has shape {list(v.shape)}, expected {list(shape)}",
        kind="wrong_shape",
    )
    expect(v.dtype == torch.float32, f"create_params gives dtype {v.dtype}, expected torch.float32", kind="wrong_dtype")


@pytest.mark.parametrize("shape", [(3,), (7, 5)], ids=["3", "7x5"])
def test_create_params_draws_from_generator(learner, shape):
    """the values are torch.randn(shape, generator=g) * 0.01: reproducible with a seeded generator"""
    a, b, c = learner.run(_make, shape, [11, 11, 12], label=f"create_params({shape}, generator) with seeds 11, 11, 12")
    ref = torch.randn(shape, generator=torch.Generator().manual_seed(11)) * 0.01
    expect(a["value"] is not None, "create_params should return a tensor", kind="wrong_type")
    expect(
        torch.equal(a["value"], b["value"]),
        "two calls with generators seeded alike give different values: draw with generator=generator",
    )
    expect(not torch.equal(a["value"], c["value"]), "differently seeded generators give the same values")
    expect_close(a["value"], ref, name="create_params(shape, generator seeded 11)")


def test_create_params_statistics(learner):
    """100 000 draws have mean 0, standard deviation 0.01 and a normal (bell-shaped) spread"""
    (res,) = learner.run(_make, (250, 400), [5], label="create_params((250, 400), generator)")
    v = res["value"].double()
    mean, std = float(v.mean()), float(v.std())
    within = float((v.abs() < 0.01).double().mean())
    expect(abs(mean) < 3e-4, f"the values have mean {mean:.4g}; expected 0 (normal_(0, 0.01), not normal_(0.01))")
    expect(0.0098 <= std <= 0.0102, f"the values have standard deviation {std:.4g}; expected 0.01")
    expect(
        0.675 <= within <= 0.69,
        f"{within:.1%} of the values lie within one standard deviation; a normal "
        "distribution puts 68.3% there (a uniform one 57.7%)",
    )


def test_create_params_without_generator(learner):
    """without a generator, successive calls draw fresh values from torch's global generator"""
    a, b = learner.run(_make, (64,), [None, None], label="create_params((64,)) twice")
    expect(
        a["value"] is not None and a["is_parameter"],
        "create_params(shape) should return an nn.Parameter",
        kind="wrong_type",
    )
    expect(
        not torch.equal(a["value"], b["value"]),
        "two calls without a generator return identical tables: "
        "do not make a fresh torch.Generator() when none is given; use the global one",
    )
    std = float(torch.cat([a["value"], b["value"]]).double().std())
    expect(0.006 <= std <= 0.014, f"the values have standard deviation {std:.4g}; expected about 0.01")


# ---------------------------------------------------------------- DotProductBiasScratch


def test_model_structure(learner):
    """the model registers exactly four create_params tables, drawn in order from the generator, and no submodules"""
    sizes = (30, 20, 8)
    info = learner.run(_structure, sizes, 3, label="DotProductBiasScratch(30, 20, 8, generator=...)")
    expect(
        info["submodules"] == [],
        f"the model holds submodules {info['submodules']}; build the tables with "
        "create_params instead of nn.Embedding layers",
        kind="wrong_type",
    )
    expect(
        info["registered"] == sorted(NAMES),
        f"the model's parameters are {info['registered']}, expected {sorted(NAMES)}",
        kind="wrong_type",
    )
    for name, ok in zip(NAMES, info["is_parameter"], strict=True):
        expect(ok, f"DotProductBiasScratch.{name} should be an nn.Parameter", kind="wrong_type")
    g = torch.Generator().manual_seed(3)
    shapes = [(30, 8), (30,), (20, 8), (20,)]
    for name, shape, got in zip(NAMES, shapes, info["values"], strict=True):
        ref = torch.randn(shape, generator=g) * 0.01
        expect(
            tuple(got.shape) == shape, f"{name} has shape {list(got.shape)}, expected {list(shape)}", kind="wrong_shape"
        )
        expect_close(
            got,
            ref,
            name=f"{name} (create_params in the order user_factors, user_bias, item_factors, "
            "item_bias, all with the one generator)",
        )
    expect(info["y_range"] == [0.0, 5.5], f"the default y_range is {info['y_range']}, expected (0.0, 5.5)")


def test_fresh_model_predicts(learner):
    """a freshly built model predicts one rating per pair, shape (N,), from its own tables"""
    x = _pairs(10, "cpu", seed=15)
    res = learner.run(
        _fresh_model, (N_USERS, N_ITEMS, N_FACTORS), 16, x, label="DotProductBiasScratch(6, 9, 4, generator=...)(x)"
    )
    out = res["out"]
    expect(
        isinstance(out, torch.Tensor) and tuple(out.shape) == (10,),
        f"a fresh model's predictions for 10 pairs have shape {list(getattr(out, 'shape', []))}, expected [10]: "
        "one bias per user and per item, so each table of biases has shape (n,)",
        kind="wrong_shape",
    )
    uf, ub, itf, ib = res["tables"]
    ref = _reference([uf, ub.reshape(-1), itf, ib.reshape(-1)], x, 0.0, 5.5)
    expect_close(out.detach(), ref, name="the predictions of a fresh model (all near 2.75, the middle of the range)")


def test_tables_differ_without_generator(learner):
    """without a generator, the user and item tables of one model start with different values"""
    x = torch.tensor([[0, 1], [4, 4]])
    res = learner.run(_fresh_model, (5, 5, 3), None, x, label="DotProductBiasScratch(5, 5, 3)")
    uf, _, itf, _ = res["tables"]
    expect(
        not torch.equal(uf, itf),
        "user_factors and item_factors of a model built without a generator are identical: "
        "without a generator, draw from torch's global one instead of a fresh torch.Generator()",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_forward_matches_reference(learner, device, dtype):
    """predictions match sigmoid(user . item + biases) stretched onto y_range; x is left as it was"""
    params = _params(dtype, device)
    x = _pairs(20, device)
    res = learner.run(_predict, params, x, (1.0, 5.0), None, label="DotProductBiasScratch(6, 9, 4, y_range=(1, 5))(x)")
    ref = _reference([p.double() for p in params], x, 1.0, 5.0).to(dtype)
    expect_close(res["out"], ref, name="the predictions")
    expect_unchanged(x, res["x_after"], "x")


def test_default_range(learner, device):
    """without y_range the predictions are squashed into (0, 5.5)"""
    params = _params(torch.float64, device, factor_std=1.5, bias_std=1.0, seed=4)
    x = _pairs(16, device, seed=5)
    res = learner.run(_predict, params, x, None, None, label="DotProductBiasScratch(6, 9, 4)(x)")
    expect_close(res["out"], _reference(params, x, 0.0, 5.5), name="the predictions with the default y_range")


def test_gradients(learner, device):
    """gradients reach every table, only the looked-up rows, and repeated ids add up"""
    params = _params(torch.float64, device, seed=6)
    x = _pairs(15, device, seed=7)
    x[3] = x[0]  # the same pair twice: its gradient must accumulate
    up = torch.randn(15, generator=torch.Generator().manual_seed(8), dtype=torch.float64).to(device)
    res = learner.run(_predict, params, x, (0.0, 5.5), up, label="DotProductBiasScratch(6, 9, 4)(x).backward(upstream)")
    ref = [p.clone().requires_grad_(True) for p in params]
    (_reference(ref, x, 0.0, 5.5) * up).sum().backward()
    for name, got, r in zip(NAMES, res["grads"], ref, strict=True):
        expect(
            got is not None,
            f"no gradient reached DotProductBiasScratch.{name}: index the parameter itself in "
            "forward (no .detach(), .data or copies)",
            kind="wrong_gradient",
        )
        expect_close(got, r.grad, name=f"{name}.grad", kind="wrong_gradient")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_huge_scores_stay_in_range(learner, device, dtype):
    """huge factors still give finite predictions inside y_range"""
    params = _params(dtype, device, factor_std=60.0, bias_std=40.0, seed=9)
    x = _pairs(12, device, seed=10)
    res = learner.run(_predict, params, x, (0.0, 5.5), None, label="DotProductBiasScratch(6, 9, 4)(x), huge factors")
    out = res["out"]
    expect(isinstance(out, torch.Tensor), "the model should return a tensor", kind="wrong_type")
    expect(
        bool(torch.isfinite(out.double()).all()),
        "a prediction is NaN or inf for a large score; use torch.sigmoid rather than exp(s) / (1 + exp(s))",
        kind="nan_inf",
    )
    expect_close(out, _reference([p.double() for p in params], x, 0.0, 5.5).to(dtype), name="the predictions")


def test_batch_of_one(learner, device):
    """a batch of one pair gives a prediction of shape (1,)"""
    params = _params(torch.float64, device, seed=11)
    x = torch.tensor([[2, 7]], device=device)
    res = learner.run(_predict, params, x, (0.0, 5.5), None, label="DotProductBiasScratch(6, 9, 4)([[2, 7]])")
    expect_close(res["out"], _reference(params, x, 0.0, 5.5), name="the prediction for one pair")


def test_does_not_use_builtin(learner):
    """does not use nn.Embedding or F.embedding"""
    learner.check_forbidden()

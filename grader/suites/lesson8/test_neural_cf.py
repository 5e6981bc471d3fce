"""Hidden suite: lesson8.neural_cf."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
KEYS = ["user_emb.weight", "item_emb.weight", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]


# ---------------------------------------------------------------- scenarios (run in the worker)


def _shapes(mod, args, kwargs):
    """Build NeuralCF(*args, **kwargs) and report the shapes of its documented layers."""
    model = mod.NeuralCF(*args, **kwargs)
    keys = ["user_emb.weight", "item_emb.weight", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    shapes = {}
    for key in keys:
        obj = model
        for part in key.split("."):
            obj = getattr(obj, part, None)
        shapes[key] = list(obj.shape) if obj is not None else None
    return {
        "shapes": shapes,
        "p": float(model.p),
        "y_range": [float(v) for v in model.y_range],
        "n_parameters": len(list(model.parameters())),
    }


def _run(mod, config, weights, x, train, seeds, upstream):
    """Build the model, load known weights, predict in eval mode or once per generator seed in train mode."""
    import torch

    keys = ["user_emb.weight", "item_emb.weight", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    model = mod.NeuralCF(*config["args"], **config["kwargs"])
    model = model.to(device=x.device, dtype=weights[keys[0]].dtype)
    params = {}
    with torch.no_grad():
        for key in keys:
            obj = model
            for part in key.split("."):
                obj = getattr(obj, part)
            obj.copy_(weights[key])
            params[key] = obj
    if not train:
        model.eval()
        out = model(x)
        grads = None
        if upstream is not None:
            (out * upstream).sum().backward()
            grads = [params[k].grad for k in keys]
        return {"out": out, "grads": grads, "x_after": x}
    model.train()
    outs = [model(x, generator=torch.Generator(device=x.device).manual_seed(s)).detach() for s in seeds]
    return {"outs": outs}


# ---------------------------------------------------------------- helpers (trusted side)


def _weights(user_sz, item_sz, n_users, n_items, n_hidden, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = [(n_users, user_sz), (n_items, item_sz), (n_hidden, user_sz + item_sz), (n_hidden,), (1, n_hidden), (1,)]
    stds = [1.0, 1.0, 0.6, 0.3, 0.5, 0.2]
    return {
        k: (torch.randn(s, generator=g, dtype=torch.float64) * sd).to(device, dtype)
        for k, s, sd in zip(KEYS, shapes, stds, strict=True)
    }


def _pairs(n, n_users, n_items, device, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.stack(
        [torch.randint(0, n_users, (n,), generator=g), torch.randint(0, n_items, (n,), generator=g)], dim=1
    ).to(device)


def _reference(w, x, y_range):
    z = torch.cat([w["user_emb.weight"][x[:, 0]], w["item_emb.weight"][x[:, 1]]], dim=1)
    h = torch.relu(z @ w["hidden.weight"].T + w["hidden.bias"])
    score = (h @ w["out.weight"].T + w["out.bias"]).squeeze(-1)
    low, high = y_range
    return torch.sigmoid(score) * (high - low) + low


CONFIG = {"args": [5, 7], "kwargs": {"user_sz": 3, "item_sz": 4, "n_hidden": 6, "p": 0.3, "y_range": [1.0, 5.0]}}


# ---------------------------------------------------------------- emb_size_rule


@pytest.mark.parametrize("n", [1, 3, 10, 30, 944, 1665, 5000, 40000, 10**6])
def test_emb_size_rule(learner, n):
    """emb_size_rule(n) = min(600, round(1.6 * n ** 0.56))"""
    got = learner.emb_size_rule(n)
    expect(
        isinstance(got, int) and not isinstance(got, bool),
        f"emb_size_rule({n}) should return an int, got {got!r}",
        kind="wrong_type",
    )
    expect_close(got, min(600, round(1.6 * n**0.56)), name=f"emb_size_rule({n})")


@pytest.mark.parametrize("column,n,width", [("day of week", 8, 5), ("state", 13, 7), ("store", 1116, 81)])
def test_emb_size_rule_for_tabular_columns(learner, column, n, width):
    """the rule sizes the entity embeddings of tabular columns too"""
    got = learner.emb_size_rule(n)
    expect(
        got == width,
        f"emb_size_rule({n}) for a {column} column with {n} levels (unknown included) gave {got!r}; "
        f"min(600, round(1.6 * {n} ** 0.56)) = {width}",
    )


# ---------------------------------------------------------------- NeuralCF


def test_layer_shapes_from_rule(learner):
    """without sizes, the embedding widths come from emb_size_rule and the layers fit together"""
    info = learner.run(_shapes, [944, 1665], {}, label="NeuralCF(944, 1665)")
    u, i = round(1.6 * 944**0.56), round(1.6 * 1665**0.56)
    want = {
        "user_emb.weight": [944, u],
        "item_emb.weight": [1665, i],
        "hidden.weight": [100, u + i],
        "hidden.bias": [100],
        "out.weight": [1, 100],
        "out.bias": [1],
    }
    for key, shape in want.items():
        expect(
            info["shapes"][key] == shape,
            f"NeuralCF(944, 1665).{key} has shape {info['shapes'][key]}, expected {shape}",
            kind="wrong_shape",
        )
    expect(
        info["n_parameters"] == 6,
        f"the model has {info['n_parameters']} parameter tensors, expected 6 "
        "(two embedding tables, two weights, two biases)",
        kind="wrong_type",
    )
    expect(
        abs(info["p"] - 0.1) < 1e-12 and info["y_range"] == [0.0, 5.5],
        f"the defaults are p={info['p']}, y_range={info['y_range']}; expected p=0.1, y_range=(0.0, 5.5)",
    )


def test_layer_shapes_given(learner):
    """given user_sz, item_sz and n_hidden are used as they are"""
    info = learner.run(
        _shapes,
        [5, 7],
        {"user_sz": 3, "item_sz": 4, "n_hidden": 6, "p": 0.3},
        label="NeuralCF(5, 7, user_sz=3, item_sz=4, n_hidden=6, p=0.3)",
    )
    want = {"user_emb.weight": [5, 3], "item_emb.weight": [7, 4], "hidden.weight": [6, 7], "out.weight": [1, 6]}
    for key, shape in want.items():
        expect(
            info["shapes"][key] == shape, f"{key} has shape {info['shapes'][key]}, expected {shape}", kind="wrong_shape"
        )
    expect(abs(info["p"] - 0.3) < 1e-12, f"model.p is {info['p']}, expected 0.3")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_eval_matches_reference(learner, device, dtype):
    """in eval mode the predictions match cat -> Linear -> ReLU -> Linear -> sigmoid range; x is left as it was"""
    w = _weights(3, 4, 5, 7, 6, dtype, device)
    x = _pairs(12, 5, 7, device)
    res = learner.run(_run, CONFIG, w, x, False, None, None, label="NeuralCF(5, 7, ...).eval()(x)")
    ref = _reference({k: v.double() for k, v in w.items()}, x, (1.0, 5.0)).to(dtype)
    expect_close(res["out"], ref, name="the eval-mode predictions")
    expect_unchanged(x, res["x_after"], "x")


def test_eval_batch_of_one(learner, device):
    """a batch of one pair gives a prediction of shape (1,)"""
    w = _weights(3, 4, 5, 7, 6, torch.float64, device, seed=2)
    x = torch.tensor([[4, 0]], device=device)
    res = learner.run(_run, CONFIG, w, x, False, None, None, label="NeuralCF(5, 7, ...).eval()([[4, 0]])")
    expect_close(res["out"], _reference(w, x, (1.0, 5.0)), name="the prediction for one pair")


def test_gradients(learner, device):
    """gradients of both embeddings and both linear layers match autograd's (eval mode, float64)"""
    w = _weights(3, 4, 5, 7, 6, torch.float64, device, seed=3)
    x = _pairs(10, 5, 7, device, seed=4)
    x[5] = x[1]
    up = torch.randn(10, generator=torch.Generator().manual_seed(5), dtype=torch.float64).to(device)
    res = learner.run(_run, CONFIG, w, x, False, None, up, label="NeuralCF(5, 7, ...).eval()(x).backward(upstream)")
    ref = {k: v.clone().requires_grad_(True) for k, v in w.items()}
    (_reference(ref, x, (1.0, 5.0)) * up).sum().backward()
    for key, got in zip(KEYS, res["grads"], strict=True):
        expect(got is not None, f"no gradient reached {key}", kind="wrong_gradient")
        expect_close(got, ref[key].grad, name=f"{key}.grad", kind="wrong_gradient")


def test_huge_scores_stay_in_range(learner, device):
    """huge weights still give finite predictions inside y_range"""
    w = _weights(3, 4, 5, 7, 6, torch.float32, device, seed=6)
    w = {k: v * 50 for k, v in w.items()}
    x = _pairs(16, 5, 7, device, seed=7)
    res = learner.run(_run, CONFIG, w, x, False, None, None, label="NeuralCF(5, 7, ...).eval()(x), huge weights")
    expect(
        bool(torch.isfinite(res["out"].double()).all()),
        "a prediction is NaN or inf for a large score; use torch.sigmoid",
        kind="nan_inf",
    )
    expect_close(
        res["out"], _reference({k: v.double() for k, v in w.items()}, x, (1.0, 5.0)).float(), name="the predictions"
    )


def _dropout_setup(device, p):
    """Every hidden unit equals 1 and the output layer is tuned so that the eval-mode score is exactly 0."""
    n_hidden = 64
    w = {
        "user_emb.weight": torch.zeros(2, 2, dtype=torch.float64),
        "item_emb.weight": torch.zeros(2, 2, dtype=torch.float64),
        "hidden.weight": torch.zeros(n_hidden, 4, dtype=torch.float64),
        "hidden.bias": torch.ones(n_hidden, dtype=torch.float64),
        "out.weight": torch.full((1, n_hidden), 2.0 / n_hidden, dtype=torch.float64),
        "out.bias": torch.tensor([-2.0], dtype=torch.float64),
    }
    w = {k: v.to(device) for k, v in w.items()}
    config = {
        "args": [2, 2],
        "kwargs": {"user_sz": 2, "item_sz": 2, "n_hidden": n_hidden, "p": p, "y_range": [0.0, 5.5]},
    }
    x = torch.tensor([[1, 0]], device=device).repeat(4000, 1)
    return w, config, x


def test_training_mode_matches_documented_mask(learner, device):
    """training mode: with a seeded generator, the output matches the documented dropout mask exactly (float64)"""
    w = _weights(3, 4, 5, 7, 6, torch.float64, device, seed=8)
    x = _pairs(12, 5, 7, device, seed=9)
    res = learner.run(_run, CONFIG, w, x, True, [7], None, label="NeuralCF(5, 7, p=0.3).train()(x, generator seeded 7)")
    z = torch.cat([w["user_emb.weight"][x[:, 0]], w["item_emb.weight"][x[:, 1]]], dim=1)
    h = torch.relu(z @ w["hidden.weight"].T + w["hidden.bias"])
    u = torch.rand(h.shape, generator=torch.Generator(device=device).manual_seed(7), device=device, dtype=h.dtype)
    h = h * (u >= 0.3).to(h.dtype) / (1 - 0.3)
    score = (h @ w["out.weight"].T + w["out.bias"]).squeeze(-1)
    ref = torch.sigmoid(score) * 4.0 + 1.0
    expect_close(
        res["outs"][0],
        ref,
        name="the training-mode predictions (u = torch.rand(h.shape, generator=...); drop where u < p; "
        "scale the kept units by 1 / (1 - p))",
    )


def test_dropout_is_reproducible(learner, device):
    """training mode: the same generator seed gives the same output, other seeds or eval mode give other outputs"""
    w, config, x = _dropout_setup(device, 0.25)
    x = x[:50]
    res = learner.run(_run, config, w, x, True, [1, 1, 2], None, label="NeuralCF(2, 2, p=0.25).train()(x, generator)")
    a, b, c = res["outs"]
    expect(
        isinstance(a, torch.Tensor) and a.shape == (50,),
        f"the output should have shape (50,), got {a!r}",
        kind="wrong_shape",
    )
    expect(
        torch.equal(a, b),
        "two training-mode calls with generators seeded alike differ: draw the dropout mask with generator=generator",
    )
    expect(
        not torch.equal(a, c),
        "training-mode calls with differently seeded generators give the same output: is dropout applied?",
    )
    ev = learner.run(_run, config, w, x, False, None, None, label="NeuralCF(2, 2, p=0.25).eval()(x)")
    expect(
        not torch.equal(a, ev["out"]), "training mode gives the eval-mode output: dropout is not applied while training"
    )


def test_dropout_statistics(learner, device):
    """training mode: units are dropped independently with probability p and survivors scaled by 1/(1-p)"""
    w, config, x = _dropout_setup(device, 0.25)
    res = learner.run(
        _run, config, w, x, True, [3], None, label="NeuralCF(2, 2, p=0.25).train()(4000 copies of a pair)"
    )
    (out,) = res["outs"]
    expect(
        isinstance(out, torch.Tensor) and out.shape == (4000,),
        f"the output should have shape (4000,), got {out!r}",
        kind="wrong_shape",
    )
    out = out.double().cpu()
    # Eval-mode score is exactly 0 (prediction 2.75). With inverted dropout the score's mean stays 0:
    # the mean prediction stays near 2.75 and its spread comes from 64 independent unit masks.
    mean, std = float(out.mean()), float(out.std())
    expect(
        abs(mean - 2.75) < 0.04,
        f"the mean training-mode prediction over 4000 rows is {mean:.4g}; with inverted "
        "dropout it stays near the eval-mode 2.75 (drop with probability p, scale survivors by 1 / (1 - p))",
    )
    expect(
        0.15 < std < 0.25,
        f"the training-mode predictions have standard deviation {std:.4g}; independent masks "
        "per row and per unit give about 0.2 (one mask per row, or one for the whole batch, does not)",
    )


def test_does_not_use_builtin(learner):
    """does not call nn.Dropout, F.dropout or torch.dropout"""
    learner.check_forbidden()

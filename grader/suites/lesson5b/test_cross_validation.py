"""Hidden suite: lesson5b.cross_validation.

``kfold_indices`` runs in a scenario (the generator is built in the worker) and is compared
with folds cut from an equally seeded permutation. ``grid_search`` gets a train-and-evaluate
function that looks its score up in a table (per setting and fold) and records every call;
one check also runs a real ridge-regression search.
"""

import itertools
import types

import pytest
import torch

from grader.testing import expect, expect_close

# ---------------------------------------------------------------- kfold: scenario and reference


def _kfold(mod, n, k, seed):
    import torch

    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    folds = mod.kfold_indices(n, k, gen)
    return [list(pair) for pair in folds]


def _kfold_bad(mod, cases):
    out = {}
    for n, k in cases:
        try:
            mod.kfold_indices(n, k)
            out[f"n={n}, k={k}"] = "no error"
        except ValueError:
            out[f"n={n}, k={k}"] = "ValueError"
    return out


def _reference_folds(n, k, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) if seed is not None else torch.arange(n)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, start = [], 0
    for s in sizes:
        out.append(order[start : start + s])
        start += s
    return out


def _get_folds(learner, n, k, seed):
    gen = f"a generator seeded {seed}" if seed is not None else "None"
    folds = learner.run(_kfold, n, k, seed, label=f"kfold_indices(n={n}, k={k}, generator={gen})")
    expect(
        isinstance(folds, list) and len(folds) == k and all(len(f) == 2 for f in folds),
        f"kfold_indices(n={n}, k={k}) should return a list of {k} (train_idx, val_idx) pairs, "
        f"got {len(folds) if isinstance(folds, list) else type(folds).__name__} entries",
        kind="wrong_type",
    )
    for i, (train, val) in enumerate(folds):
        for name, t in (("train_idx", train), ("val_idx", val)):
            expect(
                isinstance(t, torch.Tensor) and t.dim() == 1 and t.dtype == torch.int64,
                f"fold {i}: {name} should be a 1-D int64 tensor",
                kind="wrong_type",
            )
    return folds


def _sorted(t):
    return sorted(int(v) for v in t.tolist())


# ---------------------------------------------------------------- kfold checks


@pytest.mark.parametrize(
    "n,k", [(10, 4), (12, 3), (7, 7), (11, 2), (10, 6)], ids=["10_4", "12_3", "7_7", "11_2", "10_6"]
)
def test_fold_sizes(learner, n, k):
    """the first n % k folds hold n // k + 1 positions, the others n // k"""
    folds = _get_folds(learner, n, k, None)
    want = [n // k + (1 if i < n % k else 0) for i in range(k)]
    got = [int(val.shape[0]) for _, val in folds]
    expect(got == want, f"kfold_indices(n={n}, k={k}): validation fold sizes should be {want}, got {got}")


def test_fold_sizes_balanced(learner):
    """no fold holds more than one position more than another (10 positions, 4 folds)"""
    folds = _get_folds(learner, 10, 4, None)
    got = [int(val.shape[0]) for _, val in folds]
    expect(
        max(got) - min(got) <= 1,
        f"kfold_indices(n=10, k=4): the validation folds hold {got} positions; sizes may differ by at most one, "
        f"so the leftover positions must be spread over several folds",
    )


def test_unshuffled_folds(learner):
    """without a generator the folds are consecutive blocks of positions, in order"""
    folds = _get_folds(learner, 10, 4, None)
    for i, ((_, val), ref) in enumerate(zip(folds, _reference_folds(10, 4, None), strict=True)):
        expect(
            _sorted(val) == _sorted(ref),
            f"kfold_indices(10, 4) without a generator: fold {i} should validate on {_sorted(ref)}, got {_sorted(val)}",
        )


@pytest.mark.parametrize("n,k,seed", [(10, 4, 0), (13, 5, 7)], ids=["10_4_seed0", "13_5_seed7"])
def test_shuffled_folds(learner, n, k, seed):
    """with a generator the folds are cut from torch.randperm(n, generator=generator)"""
    folds = _get_folds(learner, n, k, seed)
    for i, ((_, val), ref) in enumerate(zip(folds, _reference_folds(n, k, seed), strict=True)):
        expect(
            _sorted(val) == _sorted(ref),
            f"kfold_indices({n}, {k}, generator seeded {seed}): fold {i} should validate on {_sorted(ref)} "
            f"(positions {sum(r.shape[0] for r in _reference_folds(n, k, seed)[:i])} onwards of the permutation), "
            f"got {_sorted(val)}",
        )


@pytest.mark.parametrize("seed", [None, 3], ids=["unshuffled", "shuffled"])
def test_train_is_the_rest(learner, seed):
    """each fold trains on every position outside its validation fold, once each"""
    n, k = 11, 3
    folds = _get_folds(learner, n, k, seed)
    for i, (train, val) in enumerate(folds):
        rest = sorted(set(range(n)) - set(_sorted(val)))
        expect(
            _sorted(train) == rest,
            f"kfold_indices({n}, {k}): fold {i} validates on {_sorted(val)} and should train on {rest}, "
            f"got {_sorted(train)}",
        )


@pytest.mark.parametrize("seed", [None, 5], ids=["unshuffled", "shuffled"])
def test_every_position_validated_once(learner, seed):
    """together the validation folds cover every position exactly once"""
    n, k = 14, 4
    folds = _get_folds(learner, n, k, seed)
    seen = sorted(v for _, val in folds for v in _sorted(val))
    expect(
        seen == list(range(n)),
        f"kfold_indices({n}, {k}): the validation folds together should hold 0..{n - 1} once each, got {seen}",
    )


def test_rejects_bad_k(learner):
    """k = 1 and k > n raise ValueError"""
    res = learner.run(_kfold_bad, [(10, 1), (5, 6)], label="kfold_indices(10, 1) and kfold_indices(5, 6)")
    for call, got in res.items():
        expect(got == "ValueError", f"kfold_indices({call}) should raise ValueError, got {got}", kind="exception")


# ---------------------------------------------------------------- grid search: scenario and reference


def _key(setting):
    return ",".join(f"{k}={v}" for k, v in setting.items())


def _search(mod, grid, folds, table, maximize):
    """Run the learner's grid_search with a table-driven train_eval that records its calls."""
    fold_vals = [sorted(v.tolist()) for _, v in folds]
    calls = []

    def train_eval(setting, train_idx, val_idx):
        key = ",".join(f"{k}={v}" for k, v in setting.items())
        val = sorted(val_idx.tolist())
        fold = fold_vals.index(val) if val in fold_vals else -1
        calls.append([key, fold, sorted(train_idx.tolist())])
        if key not in table or fold < 0:
            return float("nan")
        return table[key][fold]

    best, results = mod.grid_search(train_eval, grid, folds, maximize)
    return {
        "best": dict(best),
        "results": [[dict(s), score] for s, score in results],
        "calls": calls,
        "grid": grid,
    }


def _settings(grid):
    names = list(grid)
    return [dict(zip(names, vals, strict=True)) for vals in itertools.product(*(grid[n] for n in names))]


def _table(grid, n_folds, seed):
    """A score per (setting, fold), rounded so that means are exact enough to compare."""
    g = torch.Generator().manual_seed(seed)
    return {
        _key(s): [round(float(v), 3) for v in torch.rand(n_folds, generator=g, dtype=torch.float64) + 0.5]
        for s in _settings(grid)
    }


def _expected(grid, table, maximize):
    rows = [(s, sum(table[_key(s)]) / len(table[_key(s)])) for s in _settings(grid)]
    best = rows[0]
    for r in rows[1:]:
        if (r[1] > best[1]) if maximize else (r[1] < best[1]):
            best = r
    return best[0], rows


def _simple_folds(n, k):
    refs = _reference_folds(n, k, None)
    return [(torch.cat([r for j, r in enumerate(refs) if j != i]), v) for i, v in enumerate(refs)]


GRID = {"lr": [0.1, 0.01, 0.001], "wd": [0.0, 0.5]}


def _run_search(learner, grid, folds, table, maximize=False):
    label = f"grid_search(train_eval, grid={grid}, {len(folds)} folds, maximize={maximize})"
    return learner.run(_search, grid, folds, table, maximize, label=label)


# ---------------------------------------------------------------- grid search checks


def test_settings_in_product_order(learner):
    """results list every combination of the grid, last key varying fastest"""
    folds = _simple_folds(9, 3)
    table = _table(GRID, 3, seed=1)
    res = _run_search(learner, GRID, folds, table)
    want = _settings(GRID)
    got = [r[0] for r in res["results"]]
    expect(got == want, f"the settings in the results should be, in order, {want}; got {got}")


def test_mean_scores(learner):
    """each setting's score is the mean of its scores on the folds"""
    folds = _simple_folds(9, 3)
    table = _table(GRID, 3, seed=2)
    res = _run_search(learner, GRID, folds, table)
    _, rows = _expected(GRID, table, False)
    expect(
        len(res["results"]) == len(rows),
        f"expected {len(rows)} (setting, score) results, got {len(res['results'])}",
    )
    for (s, want), got in zip(rows, res["results"], strict=True):
        expect_close(got[1], want, name=f"the mean score of {s} over 3 folds {table[_key(s)]}", rtol=1e-6, atol=1e-9)


def test_every_setting_on_every_fold(learner):
    """train_eval is called once per setting and fold, with that fold's train and validation positions"""
    folds = _simple_folds(9, 3)
    table = _table(GRID, 3, seed=3)
    res = _run_search(learner, GRID, folds, table)
    want = sorted((_key(s), f) for s in _settings(GRID) for f in range(3))
    got = sorted((c[0], c[1]) for c in res["calls"])
    expect(
        got == want,
        f"train_eval should be called once for each of the {len(_settings(GRID))} settings on each of the 3 folds "
        f"({len(want)} calls); got {len(got)} calls covering {sorted(set(got))[:8]}...",
    )
    for key, fold, train in res["calls"]:
        want_train = _sorted(folds[fold][0]) if fold >= 0 else None
        expect(
            train == want_train,
            f"train_eval({key}, train_idx, val_idx) for fold {fold}: train_idx should be the fold's training "
            f"positions {want_train}, got {train} (the pair is (train_idx, val_idx))",
        )


def test_best_is_lowest(learner):
    """the best setting has the lowest mean score"""
    folds = _simple_folds(9, 3)
    table = _table(GRID, 3, seed=4)
    res = _run_search(learner, GRID, folds, table)
    best, rows = _expected(GRID, table, False)
    expect(
        res["best"] == best,
        f"the lowest mean score belongs to {best}; grid_search returned {res['best']}",
    )


def test_maximize(learner):
    """with maximize=True the best setting has the highest mean score"""
    folds = _simple_folds(9, 3)
    table = _table(GRID, 3, seed=5)
    res = _run_search(learner, GRID, folds, table, maximize=True)
    best, _ = _expected(GRID, table, True)
    expect(res["best"] == best, f"with maximize=True the best setting is {best}; grid_search returned {res['best']}")


def test_tie_keeps_earliest(learner):
    """on a tie the earliest setting in grid order wins"""
    grid = {"a": [1, 2, 3]}
    folds = _simple_folds(6, 2)
    table = {"a=1": [0.5, 0.7], "a=2": [0.2, 0.4], "a=3": [0.4, 0.2]}
    res = _run_search(learner, grid, folds, table)
    expect(
        res["best"] == {"a": 2},
        f"a=2 and a=3 both have the lowest mean (0.3); the earlier, {{'a': 2}}, should win; got {res['best']}",
    )


def test_single_setting_single_fold(learner):
    """a grid of one setting and a single (holdout) split work"""
    grid = {"hidden": [32]}
    folds = [(torch.arange(0, 6), torch.arange(6, 8))]
    table = {"hidden=32": [0.25]}
    res = _run_search(learner, grid, folds, table)
    expect(res["best"] == {"hidden": 32}, f"the only setting is {{'hidden': 32}}; got {res['best']}")
    expect_close(res["results"][0][1] if res["results"] else None, 0.25, name="its score")


def test_grid_unchanged(learner):
    """the grid dict passed in is left as it was"""
    folds = _simple_folds(9, 3)
    table = _table(GRID, 3, seed=6)
    grid = {k: list(v) for k, v in GRID.items()}
    res = _run_search(learner, grid, folds, table)
    expect(res["grid"] == GRID, f"the grid was changed to {res['grid']}", kind="modified_input")


def _ridge(mod, x, y, folds, lams):
    """A real search: ridge regression solved in closed form, scored by validation MSE."""
    import torch

    def train_eval(setting, train_idx, val_idx):
        xt, yt = x[train_idx], y[train_idx]
        d = x.shape[1]
        eye = torch.eye(d, dtype=x.dtype, device=x.device)
        w = torch.linalg.solve(xt.T @ xt + setting["lam"] * eye, xt.T @ yt)
        return float(((x[val_idx] @ w - y[val_idx]) ** 2).mean())

    best, results = mod.grid_search(train_eval, {"lam": lams}, folds, False)
    return {"best": dict(best), "scores": [float(s) for _, s in results]}


def test_ridge_regression_search(learner, device):
    """a 5-fold search over the ridge penalty picks the same penalty and scores as a reference"""
    g = torch.Generator().manual_seed(11)
    x = torch.randn(40, 8, generator=g, dtype=torch.float64)
    y = x @ torch.randn(8, generator=g, dtype=torch.float64) + 2.0 * torch.randn(40, generator=g, dtype=torch.float64)
    x, y = x.to(device), y.to(device)
    refs = _reference_folds(40, 5, 11)
    folds = [
        (torch.cat([r for j, r in enumerate(refs) if j != i]).to(device), v.to(device)) for i, v in enumerate(refs)
    ]
    lams = [0.01, 1.0, 10.0, 100.0]
    res = learner.run(_ridge, x, y, folds, lams, label="grid_search over ridge penalties [0.01, 1, 10, 100], 5 folds")
    ref = _ridge(types.SimpleNamespace(grid_search=_reference_grid_search), x, y, folds, lams)
    expect_close(res["scores"], ref["scores"], name="mean validation MSE per penalty", rtol=1e-6, atol=1e-9)
    expect(res["best"] == ref["best"], f"the best penalty is {ref['best']}; grid_search returned {res['best']}")


def _reference_grid_search(train_eval, grid, folds, maximize=False):
    rows = []
    for s in _settings(grid):
        scores = [train_eval(s, tr, va) for tr, va in folds]
        rows.append((s, sum(scores) / len(scores)))
    best = rows[0]
    for r in rows[1:]:
        if (r[1] > best[1]) if maximize else (r[1] < best[1]):
            best = r
    return best[0], rows


def test_does_not_use_builtin(learner):
    """does not use torch.tensor_split, numpy.array_split or scikit-learn's search helpers"""
    learner.check_forbidden()

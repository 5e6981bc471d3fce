"""Hidden suite: lesson1.scaling."""

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]
STATS = {"MinMaxScaler": ("min_", "max_"), "StandardScaler": ("mean_", "std_")}


def _fit_and_transform(mod, cls_name, stat_names, train, new):
    import torch

    train_seen, new_seen = train.clone(), new.clone()
    scaler = getattr(mod, cls_name)()
    scaler.fit(train)
    out_train = scaler.transform(train)
    out_new = scaler.transform(new)
    return {
        "stats": [getattr(scaler, n, None) for n in stat_names],
        "train": out_train,
        "new": out_new,
        "train_changed": not torch.equal(train_seen, train),
        "new_changed": not torch.equal(new_seen, new),
    }


def _chained(mod, cls_name, train, new):
    return getattr(mod, cls_name)().fit(train).transform(new)


def _fit_result_is_self(mod, cls_name, train):
    scaler = getattr(mod, cls_name)()
    return scaler.fit(train) is scaler


def _transform_twice(mod, cls_name, train, new):
    scaler = getattr(mod, cls_name)()
    scaler.fit(train)
    first = scaler.transform(new)
    second = scaler.transform(new)
    return [first, second]


def _reference(cls_name, train, new):
    t = train.double()
    if cls_name == "MinMaxScaler":
        a, b = t.amin(0), t.amax(0)
        shift, scale = a, torch.where(b - a == 0, torch.ones_like(a), b - a)
    else:
        a = t.mean(0)
        b = ((t - a) ** 2).mean(0).sqrt()
        shift, scale = a, torch.where(b == 0, torch.ones_like(b), b)
    ref_new = (new.double() - shift) / scale
    ref_train = (t - shift) / scale
    return [a.to(train.dtype), b.to(train.dtype)], ref_train.to(train.dtype), ref_new.to(new.dtype)


def _data(shape, dtype, device, seed, loc=0.0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale + loc).to(device, dtype)


def _check(learner, device, cls_name, train, new, what, rtol=None, atol=None):
    out = learner.run(_fit_and_transform, cls_name, STATS[cls_name], train, new, label=f"{cls_name} on {what}")
    stats, ref_train, ref_new = _reference(cls_name, train, new)
    for name, got, ref in zip(STATS[cls_name], out["stats"], stats, strict=True):
        expect_close(got, ref, name=f"{cls_name}.{name} after fit", rtol=rtol, atol=atol)
    expect_close(out["train"], ref_train, name=f"{cls_name}.transform(training data)", rtol=rtol, atol=atol)
    expect_close(
        out["new"], ref_new, name=f"{cls_name}.transform(new data) with the training statistics", rtol=rtol, atol=atol
    )
    return out


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_fit_on_train_apply_to_new(learner, device, cls_name, dtype):
    """statistics come from the training data and are applied unchanged to new data"""
    train = _data(
        (12, 4),
        dtype,
        device,
        seed=1,
        loc=torch.tensor([0.0, 5.0, -3.0, 100.0]),
        scale=torch.tensor([1.0, 0.1, 4.0, 30.0]),
    )
    new = _data((5, 4), dtype, device, seed=2, loc=2.0, scale=3.0)
    _check(learner, device, cls_name, train, new, f"12 x 4 {str(dtype)[6:]} training rows")


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_fit_returns_self(learner, device, cls_name):
    """fit returns the scaler it was called on"""
    train = _data((6, 3), torch.float64, device, seed=3)
    got = learner.run(_fit_result_is_self, cls_name, train, label=f"scaler = {cls_name}(); scaler.fit(train)")
    expect(got is True, f"{cls_name}.fit(train) should return the scaler itself (return self), so calls can chain")


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_fit_transform_chain(learner, device, cls_name):
    """fit(train).transform(new) chains in one expression"""
    train = _data((6, 3), torch.float64, device, seed=3)
    new = _data((2, 3), torch.float64, device, seed=4)
    got = learner.run(_chained, cls_name, train, new, label=f"{cls_name}().fit(train).transform(new)")
    expect_close(got, _reference(cls_name, train, new)[2], name=f"{cls_name}().fit(train).transform(new)")


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_single_training_row(learner, device, cls_name):
    """fit on a single row (every feature constant) gives finite results"""
    train = _data((1, 3), torch.float64, device, seed=13, loc=2.0)
    new = _data((4, 3), torch.float64, device, seed=14)
    _check(learner, device, cls_name, train, new, "a single training row")


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_transform_twice(learner, device, cls_name):
    """transforming the same data twice gives the same result twice"""
    train = _data((6, 3), torch.float64, device, seed=15, loc=-1.0, scale=2.0)
    new = _data((3, 3), torch.float64, device, seed=16, loc=4.0)
    got = learner.run(_transform_twice, cls_name, train, new, label=f"{cls_name}.transform(new) called twice")
    ref = _reference(cls_name, train, new)[2]
    expect(isinstance(got, list) and len(got) == 2, "the scenario should return the two results", kind="wrong_type")
    expect_close(got[0], ref, name=f"{cls_name}.transform(new), first call")
    expect_close(got[1], ref, name=f"{cls_name}.transform(new), second call on the same tensor")


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_constant_feature(learner, device, cls_name):
    """a feature that is constant in training gives 0, not NaN, and stays finite on new data"""
    train = _data((8, 3), torch.float64, device, seed=5)
    train[:, 1] = 2.5
    new = _data((4, 3), torch.float64, device, seed=6)
    out = _check(learner, device, cls_name, train, new, "data with a constant column")
    expect(
        bool((out["train"][:, 1] == 0).all()),
        f"the constant training column should map to 0, got {out['train'][:, 1].tolist()}",
    )


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_batch_shaped_new_data(learner, device, cls_name):
    """transform accepts new data of shape (2, 3, F) and scales its last dimension"""
    train = _data((10, 5), torch.float64, device, seed=7, loc=1.0, scale=2.0)
    new = _data((2, 3, 5), torch.float64, device, seed=8)
    _check(learner, device, cls_name, train, new, "new data of shape 2 x 3 x 5")


def test_far_from_zero_float32(learner, device):
    """StandardScaler keeps a unit spread around 10000 in float32 (centre before squaring)"""
    train = _data((16, 3), torch.float32, device, seed=9, loc=1e4, scale=1.0)
    new = _data((4, 3), torch.float32, device, seed=10, loc=1e4, scale=1.0)
    # float32 cannot hold the mean of values near 1e4 to better than about 1e-3, so every
    # centred value may be off by that much; the one-pass variance is off by order 1.
    _check(learner, device, "StandardScaler", train, new, "float32 data near 1e4", rtol=1e-3, atol=3e-3)


@pytest.mark.parametrize("cls_name", ["MinMaxScaler", "StandardScaler"])
def test_inputs_unchanged(learner, device, cls_name):
    """fit and transform do not modify their inputs"""
    train = _data((6, 2), torch.float64, device, seed=11, loc=3.0)
    new = _data((3, 2), torch.float64, device, seed=12)
    out = learner.run(_fit_and_transform, cls_name, STATS[cls_name], train, new, label=f"{cls_name} fit/transform")
    expect(
        not out["train_changed"],
        "the training data was modified in place by fit or transform; work out of place",
        kind="modified_input",
    )
    expect(
        not out["new_changed"],
        "the new data was modified in place by transform; work out of place",
        kind="modified_input",
    )


def test_does_not_use_builtin(learner):
    """does not call F.batch_norm, F.layer_norm or F.instance_norm"""
    learner.check_forbidden()

"""Hidden suite: lesson6b.xavier_init."""

import math

import pytest
import torch

from grader.testing import expect

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _gen(device, seed):
    return torch.Generator(device=device).manual_seed(seed)


def _draw(learner, name, shape, dtype, device, seed=0, gain=None):
    weight = torch.zeros(shape, dtype=dtype, device=device)
    args = (weight, _gen(device, seed)) if gain is None else (weight, _gen(device, seed), gain)
    out = getattr(learner, name)(*args)  # the call fails the check if it fills `weight` in place
    expect(
        isinstance(out, torch.Tensor),
        f"{name} should return a tensor, got {type(out).__name__}",
        kind="wrong_type",
    )
    expect(
        tuple(out.shape) == tuple(shape),
        f"{name} returned shape {list(out.shape)}, expected {list(shape)} (the weight's shape)",
        kind="wrong_shape",
    )
    expect(out.dtype == dtype, f"{name} returned dtype {out.dtype}, expected {dtype}", kind="wrong_dtype")
    expect(
        out.device.type == device.type,
        f"{name} returned a tensor on {out.device}, expected {device}",
        kind="wrong_device",
    )
    return out.detach().to("cpu", torch.float64)


def _std(fan_in, fan_out, gain=1.0):
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def _check_std(w, expected, what):
    got = float(w.std())
    # >= 100k draws: the sample std is within ~0.3% of the truth; the mistakes this guards
    # against (a wrong fan, a missing sqrt(3), the gain inside the root) are off by >= 10%.
    expect(
        abs(got / expected - 1.0) < 0.03,
        f"{what}: the standard deviation of the weights is {got:.5f}, expected {expected:.5f}",
    )
    mean = float(w.mean())
    expect(
        abs(mean) < 6 * expected / math.sqrt(w.numel()), f"{what}: the mean of the weights is {mean:.5f}, expected 0"
    )


# ---------------------------------------------------------------- fans


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((4, 7), (7, 4)),
        ((8, 3, 5, 5), (75, 200)),
        ((6, 2, 5), (10, 30)),
        ((16, 8, 1, 1), (8, 16)),
        ((2, 3, 2, 2, 2), (24, 16)),
    ],
    ids=["linear", "conv2d", "conv1d", "1x1", "conv3d"],
)
def test_fans(learner, shape, expected):
    """fans returns (fan_in, fan_out): in and out sizes times the kernel size"""
    got = learner.fans(shape)
    ok = (
        isinstance(got, (tuple, list))
        and len(got) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in got)
    )
    expect(ok, f"fans({shape}) should return a tuple of two ints, got {got!r}", kind="wrong_type")
    expect(tuple(got) == expected, f"fans({shape}): expected (fan_in, fan_out) = {expected}, got {tuple(got)}")


def _fans_of_size(mod):
    import torch

    return list(mod.fans(torch.Size([5, 4, 3, 3])))


def test_fans_of_torch_size(learner):
    """fans accepts a torch.Size, such as weight.shape"""
    got = learner.run(_fans_of_size, label="fans(torch.Size([5, 4, 3, 3]))")
    expect(list(got) == [36, 45], f"fans(torch.Size([5, 4, 3, 3])): expected (36, 45), got {got!r}")


def _fans_raises(mod):
    try:
        mod.fans((5,))
    except ValueError:
        return True
    return False


def test_fans_rejects_one_dimension(learner):
    """fans raises ValueError for a weight with fewer than two dimensions"""
    expect(learner.run(_fans_raises, label="fans((5,))"), "fans((5,)) should raise ValueError")


# ---------------------------------------------------------------- xavier_uniform


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_uniform_range(learner, device, dtype):
    """xavier_uniform fills [-a, a] with a = sqrt(6 / (fan_in + fan_out)) for a (300, 500) weight"""
    w = _draw(learner, "xavier_uniform", (300, 500), dtype, device)
    bound = math.sqrt(6.0 / 800)
    top = float(w.abs().max())
    expect(
        top <= bound * (1 + 1e-6),
        f"a weight of size {top:.5f} lies outside [-a, a] with a = sqrt(6 / (500 + 300)) = {bound:.5f}",
    )
    expect(
        top >= 0.99 * bound,
        f"the largest |weight| is {top:.5f}, but 150000 draws from U(-a, a) reach about a = sqrt(6 / (500 + 300)) "
        f"= {bound:.5f}",
    )


def test_uniform_is_flat(learner, device):
    """xavier_uniform draws from a uniform distribution, centred on 0"""
    w = _draw(learner, "xavier_uniform", (400, 250), torch.float64, device, seed=1)
    # Measured against the sample's own largest value, so only the shape is checked here.
    bound = float(w.abs().max())
    inner = float((w.abs() < bound / 2).double().mean())
    positive = float((w > 0).double().mean())
    # U(-a, a) puts half its mass inside [-a/2, a/2]; a normal of the same std puts 61.6% there.
    expect(
        abs(inner - 0.5) < 0.01 and abs(positive - 0.5) < 0.01,
        f"{inner:.1%} of the weights lie within half the largest |weight| of 0 and {positive:.1%} are positive; "
        f"a uniform on [-a, a] has 50% and 50%",
    )


def test_uniform_gain(learner, device):
    """xavier_uniform multiplies the bound by the gain (5/3, tanh's)"""
    w = _draw(learner, "xavier_uniform", (200, 600), torch.float64, device, seed=2, gain=5.0 / 3.0)
    _check_std(w, _std(600, 200, 5.0 / 3.0), "xavier_uniform with gain 5/3 on a (200, 600) weight")


# ---------------------------------------------------------------- xavier_normal


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_normal_std(learner, device, dtype):
    """xavier_normal draws with std = sqrt(2 / (fan_in + fan_out)) for a (300, 500) weight"""
    w = _draw(learner, "xavier_normal", (300, 500), dtype, device, seed=3)
    _check_std(w, _std(500, 300), "xavier_normal on a (300, 500) weight")


def test_normal_is_normal(learner, device):
    """xavier_normal draws from a normal distribution, not a uniform one"""
    w = _draw(learner, "xavier_normal", (400, 500), torch.float64, device, seed=4)
    # Measured against the sample's own std, so only the shape is checked here.
    std = float(w.std())
    within1 = float((w.abs() < std).double().mean())
    beyond2 = float((w.abs() > 2 * std).double().mean())
    # A normal has 68.3% within one std and 4.6% beyond two; a uniform of the same std has
    # 57.7% and none.
    expect(
        abs(within1 - 0.6827) < 0.01 and abs(beyond2 - 0.0455) < 0.006,
        f"{within1:.1%} of the weights lie within one (sample) std of 0 and {beyond2:.1%} beyond two; "
        f"a normal distribution has 68.3% and 4.6%",
    )


def test_normal_conv_with_gain(learner, device):
    """xavier_normal on a conv weight (64, 32, 3, 3) with gain sqrt(2) uses both fans times 9"""
    w = _draw(learner, "xavier_normal", (64, 32, 3, 3), torch.float64, device, seed=5, gain=math.sqrt(2.0))
    _check_std(w, _std(288, 576, math.sqrt(2.0)), "xavier_normal with gain sqrt(2) on a (64, 32, 3, 3) weight")


def test_uniform_conv(learner, device):
    """xavier_uniform on a conv weight (96, 16, 5, 5) uses both fans times 25"""
    w = _draw(learner, "xavier_uniform", (96, 16, 5, 5), torch.float32, device, seed=6)
    _check_std(w, _std(400, 2400), "xavier_uniform on a (96, 16, 5, 5) weight")


# ---------------------------------------------------------------- both


def _on_a_parameter(mod, device):
    import torch

    layer = torch.nn.Linear(30, 20).to(device)
    before = layer.weight.detach().clone()
    out = []
    for name in ("xavier_uniform", "xavier_normal"):
        w = getattr(mod, name)(layer.weight, torch.Generator(device=device).manual_seed(0))
        out.append(
            {
                "plain": type(w) is torch.Tensor,
                "requires_grad": bool(w.requires_grad),
                "same_object": w is layer.weight,
            }
        )
    return {"results": out, "before": before, "after": layer.weight.detach().clone()}


def test_new_tensor_from_a_parameter(learner, device):
    """given an nn.Parameter, returns a new plain tensor without grad and leaves the parameter alone"""
    res = learner.run(_on_a_parameter, str(device), label="xavier_uniform / xavier_normal on nn.Linear(30, 20).weight")
    expect(
        torch.equal(res["before"], res["after"]),
        "the parameter's values changed: draw into a new tensor",
        kind="modified_input",
    )
    for name, r in zip(("xavier_uniform", "xavier_normal"), res["results"]):
        expect(not r["same_object"], f"{name} returned the parameter itself; return a new tensor", kind="wrong_type")
        expect(r["plain"], f"{name} should return a plain torch.Tensor, not an nn.Parameter", kind="wrong_type")
        expect(not r["requires_grad"], f"{name} returned a tensor that requires grad", kind="wrong_type")


def _reproducible(mod, name, device):
    import torch

    def draw(seed, global_seed):
        torch.manual_seed(global_seed)
        w = torch.empty(16, 24, device=device)
        return getattr(mod, name)(w, torch.Generator(device=device).manual_seed(seed))

    return [draw(11, 0), draw(11, 1), draw(12, 0)]


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal"])
def test_uses_the_generator(learner, device, name):
    """draws from the given generator: same seed, same weights"""
    a, b, c = learner.run(_reproducible, name, str(device), label=f"{name} twice with a generator seeded 11")
    expect(
        torch.equal(a, b),
        "two calls with generators seeded alike gave different weights: draw from `generator`, "
        "not from the global random state",
    )
    expect(not torch.equal(a, c), "generators with different seeds gave the same weights")


def test_does_not_use_builtin(learner):
    """does not call torch.nn.init.xavier_uniform_, xavier_normal_ or _calculate_fan_in_and_fan_out"""
    learner.check_forbidden()

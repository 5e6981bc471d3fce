"""Hidden suite: lesson5.kaiming_init."""

import math

import pytest
import torch

from grader.testing import expect


def _gen(device, seed):
    return torch.Generator(device=device).manual_seed(seed)


def _sample(learner, shape, dtype, device, seed=0):
    w = torch.zeros(shape, dtype=dtype, device=device)
    # Filling the argument in place is this function's documented job.
    out = learner.call_inplace("kaiming_normal_", w, _gen(device, seed))
    expect(
        isinstance(out, torch.Tensor),
        f"kaiming_normal_ should return the weight tensor, got {type(out).__name__}",
        kind="wrong_type",
    )
    expect(
        tuple(out.shape) == tuple(shape),
        f"the returned weight has shape {list(out.shape)}, expected {list(shape)}",
        kind="wrong_shape",
    )
    expect(out.dtype == dtype, f"the returned weight has dtype {out.dtype}, expected {dtype}", kind="wrong_dtype")
    expect(out.device.type == device.type, f"the result should stay on {device}", kind="wrong_device")
    return out.detach().to("cpu", torch.float64)


def _check_std(w, fan, what):
    expected = math.sqrt(2.0 / fan)
    got = float(w.std())
    # The sample std of >= 18k draws is within ~0.5% of the truth; a wrong fan or gain is
    # off by at least 16%, so 4% separates them with a wide margin.
    expect(
        abs(got / expected - 1.0) < 0.04,
        f"{what}: the standard deviation of the weights is {got:.5f}, expected sqrt(2 / fan_in) = "
        f"sqrt(2 / {fan}) = {expected:.5f}",
    )
    mean = float(w.mean())
    expect(
        abs(mean) < 6 * expected / math.sqrt(w.numel()),
        f"{what}: the mean of the weights is {mean:.5f}, expected about 0",
    )


@pytest.mark.parametrize(
    "shape, fan",
    [((4, 7), 7), ((8, 3, 5, 5), 75), ((6, 2, 5), 10), ((2, 3, 2, 2, 2), 24), ((16, 8, 1, 1), 8)],
    ids=["linear", "conv2d", "conv1d", "conv3d", "1x1"],
)
def test_fan_in(learner, device, shape, fan):
    """fan_in counts the input channels times the kernel size"""
    got = learner.fan_in(torch.empty(shape, device=device))
    expect(
        isinstance(got, int) and not isinstance(got, bool),
        f"fan_in should return an int, got {got!r}",
        kind="wrong_type",
    )
    expect(got == fan, f"fan_in of a weight of shape {list(shape)}: expected {fan}, got {got}")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_linear_weight_std(learner, device, dtype):
    """a Linear weight (256, 512) gets std sqrt(2 / 512)"""
    w = _sample(learner, (256, 512), dtype, device)
    _check_std(w, 512, "weight of shape [256, 512]")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_conv_weight_std(learner, device, dtype):
    """a conv weight (64, 32, 3, 3) gets std sqrt(2 / (32*3*3))"""
    w = _sample(learner, (64, 32, 3, 3), dtype, device, seed=1)
    _check_std(w, 288, "weight of shape [64, 32, 3, 3]")


@pytest.mark.parametrize("shape, fan", [((300, 400), 400), ((96, 64, 3, 3), 576)], ids=["linear", "conv2d"])
def test_samples_are_normal(learner, device, shape, fan):
    """the weights follow a normal distribution, not a uniform one"""
    w = _sample(learner, shape, torch.float64, device, seed=2)
    std = math.sqrt(2.0 / fan)
    within1 = float((w.abs() < std).double().mean())
    beyond2 = float((w.abs() > 2 * std).double().mean())
    # Normal: 68.3% within one std and 4.6% beyond two; a uniform of the same std has
    # 57.7% within one and none beyond two.
    expect(
        abs(within1 - 0.6827) < 0.01 and abs(beyond2 - 0.0455) < 0.006,
        f"{within1:.1%} of the weights lie within one std of 0 and {beyond2:.1%} beyond two std; "
        f"a normal distribution has 68.3% and 4.6%",
    )


def _in_place(mod, device, shape):
    import torch

    w = torch.zeros(shape, dtype=torch.float64, device=device)
    out = mod.kaiming_normal_(w, torch.Generator(device=device).manual_seed(5))
    return {"same": out is w, "w": w, "out": out if isinstance(out, torch.Tensor) else None}


@pytest.mark.parametrize("shape", [(32, 48), (8, 4, 3, 3)], ids=["linear", "conv2d"])
def test_fills_in_place(learner, device, shape):
    """fills the given tensor in place and returns that same tensor"""
    res = learner.run(
        _in_place, str(device), list(shape), label=f"kaiming_normal_(w, generator) on w = zeros{tuple(shape)}"
    )
    expect(
        bool(res["w"].abs().sum() > 0),
        "the tensor passed in is still all zeros: fill it in place "
        "(for example with weight.normal_(...)) rather than building a new one",
    )
    expect(
        res["same"], "return the tensor that was passed in (the trailing underscore means in place)", kind="wrong_type"
    )


def _reproducible(mod, device, shape, dtype_name):
    import torch

    dtype = getattr(torch, dtype_name)

    def draw(seed, global_seed):
        torch.manual_seed(global_seed)
        w = torch.empty(shape, dtype=dtype, device=device)
        return mod.kaiming_normal_(w, torch.Generator(device=device).manual_seed(seed)).clone()

    return [draw(11, 0), draw(11, 1), draw(12, 0)]


@pytest.mark.parametrize(
    "shape, dtype_name", [((16, 24), "float32"), ((6, 3, 3, 3), "float64")], ids=["linear-float32", "conv2d-float64"]
)
def test_uses_the_generator(learner, device, shape, dtype_name):
    """draws from the given generator: same seed, same weights"""
    a, b, c = learner.run(
        _reproducible,
        str(device),
        list(shape),
        dtype_name,
        label=f"kaiming_normal_ on a {dtype_name} weight of shape {list(shape)}, twice with a generator seeded 11",
    )
    expect(
        torch.equal(a, b),
        "two calls with generators seeded alike gave different weights: draw from "
        "`generator` (normal_(..., generator=generator)), not from the global random state",
    )
    expect(not torch.equal(a, c), "generators with different seeds gave the same weights")


def test_does_not_use_builtin(learner):
    """does not call torch.nn.init.kaiming_normal_ or kaiming_uniform_"""
    learner.check_forbidden()

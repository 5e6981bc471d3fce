"""Hidden suite: lesson6.concat_pool."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _x(shape, dtype, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)


def _ref(x):
    return torch.cat([F.adaptive_max_pool2d(x, 1).flatten(1), F.adaptive_avg_pool2d(x, 1).flatten(1)], dim=1)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize(
    "shape", [(2, 3, 4, 5), (3, 2, 7, 3), (2, 5, 1, 9), (1, 4, 1, 1)], ids=["4x5", "7x3", "1x9", "1x1"]
)
def test_matches_reference(learner, device, shape, dtype):
    """matches adaptive max and average pooling, concatenated"""
    x = _x(shape, dtype, device)
    expect_close(learner.concat_pool(x), _ref(x), name=f"concat_pool(x of shape {list(shape)})")


def test_max_comes_first(learner, device):
    """the first C outputs are the maxima, the last C the means"""
    x = torch.zeros(1, 2, 2, 2, dtype=torch.float64, device=device)
    x[0, 0] = torch.tensor([[4.0, 0.0], [0.0, 0.0]])
    x[0, 1] = torch.tensor([[1.0, 1.0], [1.0, 9.0]])
    got = learner.concat_pool(x)
    expect(
        isinstance(got, torch.Tensor) and tuple(got.shape) == (1, 4),
        "concat_pool of a (1, 2, 2, 2) input should have shape (1, 4)",
        kind="wrong_shape",
    )
    expected = torch.tensor([[4.0, 9.0, 1.0, 3.0]], dtype=torch.float64, device=device)
    expect_close(
        got,
        expected,
        name="concat_pool: channel 0 = [[4, 0], [0, 0]], channel 1 = [[1, 1], [1, 9]] "
        "(expected [max0, max1, mean0, mean1])",
    )


def test_negative_values(learner, device):
    """the max of an all-negative channel is negative, not 0"""
    x = -_x((2, 3, 3, 4), torch.float64, device, seed=1).abs() - 0.5
    expect_close(learner.concat_pool(x), _ref(x), name="concat_pool of all-negative input")


def test_gradient(learner, device):
    """the gradient matches autograd through adaptive pooling (float64)"""
    x = _x((2, 3, 4, 5), torch.float64, device, seed=2)
    up = torch.randn(2, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64).to(device)
    ref_x = x.clone().requires_grad_(True)
    (_ref(ref_x) * up).sum().backward()
    _, (grad,) = learner.backward("concat_pool", x, wrt=(0,), upstream=up)
    expect_close(grad, ref_x.grad, name="d loss / d x", kind="wrong_gradient")


def _expect_one_winner_per_channel(learner, x, what):
    """Back-propagate through the maxima only: each channel's gradient must land on ONE of its tied maxima."""
    n, c = x.shape[:2]
    up_max = torch.randn(n, c, generator=torch.Generator().manual_seed(5), dtype=torch.float64) + 2.0
    # The means' half of the output gets no upstream gradient, so all of x's gradient comes from the maxima.
    up = torch.cat([up_max, torch.zeros(n, c, dtype=torch.float64)], dim=1).to(device=x.device)
    _, (grad,) = learner.backward("concat_pool", x, wrt=(0,), upstream=up)
    expect(
        isinstance(grad, torch.Tensor) and tuple(grad.shape) == tuple(x.shape),
        f"{what}: d loss / d x should have the shape of x, {list(x.shape)}",
        kind="wrong_shape",
    )
    flat = grad.detach().to("cpu", torch.float64).flatten(2)
    xs = x.detach().to("cpu", torch.float64).flatten(2)
    is_max = xs == xs.amax(dim=2, keepdim=True)
    expect_close(
        flat.masked_fill(is_max, 0.0),
        torch.zeros_like(flat),
        name=f"{what}: the gradient at positions that are not a channel's maximum",
        kind="wrong_gradient",
        check_device=False,
    )
    receivers = (flat != 0).sum(dim=2)
    many = (receivers > 1).nonzero()
    if len(many):
        i, j = (int(v) for v in many[0])
        expect(
            False,
            f"{what}: in sample {i}, channel {j}, {int(receivers[i, j])} of the {int(is_max[i, j].sum())} tied "
            "maxima received gradient; the max of a channel sends its whole gradient to ONE of them",
            kind="wrong_gradient",
        )
    expect_close(
        flat.sum(dim=2),
        up_max,
        name=f"{what}: the gradient collected by each channel's maximum",
        kind="wrong_gradient",
        check_device=False,
    )


def test_gradient_ties_constant_maps(learner, device):
    """with every position of a channel tied, its max sends the gradient to one position only"""
    x = torch.arange(1.0, 7.0, dtype=torch.float64).reshape(2, 3, 1, 1).expand(2, 3, 3, 4).contiguous()
    _expect_one_winner_per_channel(learner, x.to(device), "on constant feature maps")


def test_gradient_ties_relu_output(learner, device):
    """on a ReLU output (dead channels, repeated maxima), each max sends its gradient to one position"""
    x = torch.relu(_x((2, 3, 4, 4), torch.float64, torch.device("cpu"), seed=6))
    x[0, 0] = 0.0  # a dead channel: every position ties at 0
    x[1, 2] = x[1, 2].clamp(max=0.5)  # a channel whose maximum 0.5 is reached several times
    x[0, 1, 3, 3] = x[0, 1, 0, 0] = x[0, 1].max() + 1.0  # two tied maxima far apart
    _expect_one_winner_per_channel(learner, x.to(device), "on a ReLU output with tied maxima")


def _args_after_call(mod, x):
    mod.concat_pool(x)
    return x


def test_input_unchanged(learner, device):
    """leaves x unmodified"""
    x = _x((2, 2, 3, 3), torch.float64, device, seed=4)
    expect_unchanged(x, learner.run(_args_after_call, x, label="concat_pool(x)"), "x")


def test_does_not_use_builtin(learner):
    """does not call adaptive pooling or torch's pooling functions"""
    learner.check_forbidden()

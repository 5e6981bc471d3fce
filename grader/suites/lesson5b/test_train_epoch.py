"""Hidden suite: lesson5b.train_epoch.

One scenario builds a small regression network with batch norm (whose behaviour depends on
the mode) and a probe layer that records, for every forward pass, the mode, whether autograd
was recording, and the batch size. The loss function tags every loss with a token that lives
exactly as long as that batch's graph, so the scenario can tell when graphs are kept alive.
The same scenario run with a reference ``train_epoch`` gives the expected values.
"""

import types

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

D, H = 3, 6
LR = 0.1


def _make_model():
    return torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.BatchNorm1d(H), torch.nn.Tanh(), torch.nn.Linear(H, 1))


def _setup(train_sizes, val_sizes, dtype, device, seed=0):
    """Initial parameters and (x, y) batches, built on the CPU in float64 and moved."""
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.5 for p in _make_model().parameters()]
    true_w = torch.randn(D, generator=g, dtype=torch.float64)

    def batches(sizes):
        out = []
        for n in sizes:
            x = torch.randn(n, D, generator=g, dtype=torch.float64)
            y = torch.sin(x @ true_w) + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
            out.append((x.to(device, dtype), y.to(device, dtype)))
        return out

    return [p.to(device, dtype) for p in params], batches(train_sizes), batches(val_sizes)


# ---------------------------------------------------------------- scenario (runs in the worker, and here)


def _epoch(mod, params, train_batches, val_batches, lr, start_mode):
    """Build the probed model, run one epoch with ``mod.train_epoch``, report what happened."""
    import weakref

    import torch
    import torch.nn.functional as F

    class Token:
        pass

    class Tag(torch.autograd.Function):
        """Identity on the loss; its graph node holds a token, so the token dies with the graph."""

        @staticmethod
        def forward(ctx, loss, token):
            ctx.token = token
            return loss.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    class Probe(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.log = []

        def forward(self, x):
            self.log.append([bool(self.training), bool(torch.is_grad_enabled()), int(x.shape[0])])
            return x

    x0 = train_batches[0][0]
    d, h = params[0].shape[1], params[0].shape[0]
    probe = Probe()
    net = torch.nn.Sequential(
        probe, torch.nn.Linear(d, h), torch.nn.BatchNorm1d(h), torch.nn.Tanh(), torch.nn.Linear(h, 1)
    )
    net = net.to(device=x0.device, dtype=x0.dtype)
    with torch.no_grad():
        for p, v in zip(net.parameters(), params, strict=True):
            p.copy_(v)
    if start_mode == "eval":
        net.eval()
    else:
        net.train()

    class SGD:
        """SGD with momentum 0.9, as torch.optim.SGD computes it (building a torch.optim
        optimizer would import torch._dynamo in every worker, seconds of start-up)."""

        def __init__(self, params, lr):
            self.params = list(params)
            self.lr = lr
            self.bufs = [None] * len(self.params)

        def zero_grad(self, set_to_none=True):
            for p in self.params:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad.zero_()

        @torch.no_grad()
        def step(self):
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                if self.bufs[i] is None:
                    self.bufs[i] = p.grad.clone()
                else:
                    self.bufs[i].mul_(0.9).add_(p.grad)
                p.sub_(self.lr * self.bufs[i])

    optimizer = SGD(net.parameters(), lr)

    tokens = []
    leaks = []

    def loss_fn(pred, y):
        # Which earlier batches' graphs are still alive when this batch's loss is computed.
        # One may be (a `loss` variable not yet rebound); a running total made of loss
        # tensors keeps them all.
        leaks.append([i for i, r in enumerate(tokens) if r() is not None])
        loss = F.mse_loss(pred.squeeze(-1), y)
        token = Token()
        tokens.append(weakref.ref(token))
        return Tag.apply(loss, token)

    result = mod.train_epoch(net, loss_fn, optimizer, train_batches, val_batches)
    kinds = [type(v).__name__ for v in result] if isinstance(result, (tuple, list)) else [type(result).__name__]
    values = [float(v) for v in result] if isinstance(result, (tuple, list)) else []
    return {
        "kinds": kinds,
        "values": values,
        "log": probe.log,
        "leaks": leaks,
        "state": [v.detach().clone() for v in net.state_dict().values()],
        "state_names": list(net.state_dict().keys()),
        "batches": [list(b) for b in train_batches] + [list(b) for b in val_batches],
    }


def _reference_train_epoch(model, loss_fn, optimizer, train_batches, val_batches):
    model.train()
    total, count = 0.0, 0
    for x, y in train_batches:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * x.shape[0]
        count += x.shape[0]
    model.eval()
    vtotal, vcount = 0.0, 0
    with torch.no_grad():
        for x, y in val_batches:
            vtotal += loss_fn(model(x), y).item() * x.shape[0]
            vcount += x.shape[0]
    return total / count, vtotal / vcount


REF = types.SimpleNamespace(train_epoch=_reference_train_epoch)


def _both(learner, train_sizes, val_sizes, dtype, device, seed, start_mode="eval"):
    """The learner's report and the reference report for the same inputs."""
    params, train, val = _setup(train_sizes, val_sizes, dtype, device, seed)
    label = (
        f"train_epoch(network with batch norm, an SGD optimizer with lr={LR} and momentum 0.9, train batches of sizes "
        f"{list(train_sizes)}, validation batches of sizes {list(val_sizes)}), model arriving in {start_mode} mode"
    )
    got = learner.run(_epoch, params, train, val, LR, start_mode, label=label)
    ref = _epoch(REF, params, train, val, LR, start_mode)
    expect(len(got["log"]) > 0, "train_epoch never called the model", kind="wrong_values")
    return got, ref, params, train, val


def _tols(dtype):
    return (1e-5, 1e-7) if dtype == torch.float32 else (1e-10, 1e-12)


def _check_kinds(got):
    expect(
        got["kinds"] == ["float", "float"],
        f"train_epoch should return a tuple of two Python floats (train_loss, val_loss), got {got['kinds']}; "
        f"accumulate loss.item(), not the loss tensors",
        kind="wrong_type",
    )


def _check_count(got, ref):
    expect(
        len(got["values"]) == 2,
        f"train_epoch should return two values (train_loss, val_loss), got {len(got['values'])}",
        kind="wrong_type",
    )
    expect(
        len(got["log"]) == len(ref["log"]),
        f"the model should run once per batch ({len(ref['log'])} forward passes in all), "
        f"but it ran {len(got['log'])} times",
    )


EVEN = ([4, 4, 4], [4, 4])
UNEVEN = ([4, 4, 4, 2], [5, 2])
DTYPES = [torch.float32, torch.float64]


# ---------------------------------------------------------------- checks


def test_returns_python_floats(learner, device):
    """returns (train_loss, val_loss) as two Python floats"""
    got, *_ = _both(learner, *EVEN, torch.float64, device, seed=1)
    _check_kinds(got)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_train_loss(learner, device, dtype):
    """the training loss is the mean of the losses computed during the pass (equal batches)"""
    got, ref, *_ = _both(learner, *EVEN, dtype, device, seed=2)
    _check_count(got, ref)
    r, a = _tols(dtype)
    expect_close(got["values"][0], ref["values"][0], name="train_loss (3 batches of 4)", rtol=r, atol=a)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_val_loss(learner, device, dtype):
    """the validation loss is the mean loss of the trained model on the validation batches (equal batches)"""
    got, ref, *_ = _both(learner, *EVEN, dtype, device, seed=3)
    _check_count(got, ref)
    r, a = _tols(dtype)
    expect_close(got["values"][1], ref["values"][1], name="val_loss (2 batches of 4)", rtol=r, atol=a)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_parameters_updated(learner, device, dtype):
    """after the epoch the weights and batch-norm statistics equal those of one SGD step per batch"""
    got, ref, *_ = _both(learner, *EVEN, dtype, device, seed=4)
    for name, g, e in zip(ref["state_names"], got["state"], ref["state"], strict=True):
        expect_close(g, e, name=f"the model's {name} after one epoch", kind="wrong_values")


def test_training_mode(learner, device):
    """the training batches run in training mode, even when the model arrives in evaluation mode"""
    got, ref, *_ = _both(learner, *EVEN, torch.float64, device, seed=5)
    _check_count(got, ref)
    n_train = len(EVEN[0])
    modes = [entry[0] for entry in got["log"][:n_train]]
    expect(
        all(modes),
        f"the model arrived in eval mode and ran the training batches with training={modes}; "
        f"switch to training mode with model.train() before the training pass",
    )


def test_evaluation_mode(learner, device):
    """the validation batches run in evaluation mode"""
    got, ref, *_ = _both(learner, *EVEN, torch.float64, device, seed=6, start_mode="train")
    _check_count(got, ref)
    n_train = len(EVEN[0])
    modes = [entry[0] for entry in got["log"][n_train:]]
    expect(
        not any(modes),
        f"the validation batches ran with training={modes}; switch to evaluation mode "
        f"(model.eval()) so that batch norm uses its running statistics and dropout is off",
    )


def test_no_graph_in_evaluation(learner, device):
    """the validation batches run under torch.no_grad(), and the training batches with autograd on"""
    got, ref, *_ = _both(learner, *EVEN, torch.float64, device, seed=7)
    _check_count(got, ref)
    n_train = len(EVEN[0])
    train_grad = [entry[1] for entry in got["log"][:n_train]]
    val_grad = [entry[1] for entry in got["log"][n_train:]]
    expect(all(train_grad), f"autograd was off during training batches: {train_grad}")
    expect(
        not any(val_grad),
        f"autograd was recording during the validation batches (grad enabled: {val_grad}); "
        f"wrap the evaluation pass in torch.no_grad() so no graph is built",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_train_loss_weighted_by_batch_size(learner, device, dtype):
    """with a short last batch, the training loss is a mean over examples, not over batches"""
    got, ref, *_ = _both(learner, *UNEVEN, dtype, device, seed=8)
    _check_count(got, ref)
    r, a = _tols(dtype)
    expect_close(got["values"][0], ref["values"][0], name="train_loss (batches of 4, 4, 4 and 2)", rtol=r, atol=a)


def test_val_loss_weighted_by_batch_size(learner, device):
    """with a short last batch, the validation loss is a mean over examples, not over batches"""
    got, ref, *_ = _both(learner, *UNEVEN, torch.float64, device, seed=9)
    _check_count(got, ref)
    r, a = _tols(torch.float64)
    expect_close(got["values"][1], ref["values"][1], name="val_loss (batches of 5 and 2)", rtol=r, atol=a)


def test_graphs_are_freed(learner, device):
    """batch graphs do not pile up: the running loss is built from loss.item(), not from the loss tensors"""
    got, ref, *_ = _both(learner, *UNEVEN, torch.float64, device, seed=10)
    leaks = got["leaks"]
    worst = max(range(len(leaks)), key=lambda k: len(leaks[k]), default=0)
    alive = leaks[worst] if leaks else []
    expect(
        len(alive) <= 1,
        f"when batch {worst} (counting from 0, training then validation) went through the loss, the graphs of "
        f"batches {alive} were all still alive; at most the previous batch's graph should be. Something keeps "
        f"the loss tensors (e.g. total += loss): accumulate loss.item(), a plain number",
        kind="wrong_values",
    )


def test_inputs_unchanged(learner, device):
    """the batches themselves are left as they were"""
    got, ref, params, train, val = _both(learner, *EVEN, torch.float64, device, seed=11)
    before = [t for b in train + val for t in b]
    after = [t for b in got["batches"] for t in b]
    for i, (b, a) in enumerate(zip(before, after, strict=True)):
        expect_unchanged(b, a, f"batch tensor {i}")

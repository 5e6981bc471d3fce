"""Hidden suite: lesson5b.minibatch_loader.

The learner's loader runs inside the worker over an ``ArrayDataset`` (or over a counting
dataset of the suite's own); the batches it yields are compared with the positions a
reference draws from an equally seeded generator.
"""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

N = 10


def _tensors(n, device, dtype=torch.float64, seed=0):
    """Inputs (n, 3), integer targets (n,) and a weight per row (n,), built on the CPU and moved."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g, dtype=torch.float64).to(device, dtype)
    y = torch.randint(0, 5, (n,), generator=g).to(device)
    w = torch.rand(n, generator=g, dtype=torch.float64).to(device, dtype)
    return x, y, w


def _reference_positions(n, batch_size, shuffle, drop_last, seed, epochs):
    """Per epoch, the positions of every batch, drawn as the docstring says."""
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    out = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=g) if shuffle else torch.arange(n)
        stop = n - n % batch_size if drop_last else n
        out.append([order[s : s + batch_size] for s in range(0, stop, batch_size)])
    return out


# ---------------------------------------------------------------- scenarios (run in the worker)


def _epochs(mod, tensors, batch_size, shuffle, drop_last, seed, epochs):
    """Build the learner's dataset and loader, run some epochs, return every batch."""
    import torch

    ds = mod.ArrayDataset(*tensors)
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    loader = mod.MiniBatchLoader(ds, batch_size, shuffle=shuffle, drop_last=drop_last, generator=gen)
    out = []
    for _ in range(epochs):
        batches = []
        for batch in loader:
            batches.append(tuple(batch) if isinstance(batch, (tuple, list)) else batch)
        out.append(batches)
    return {"len": len(loader), "epochs": out, "tensors": list(tensors)}


def _fetches(mod, n, batch_size, shuffle, drop_last, seed):
    """Run one epoch over a dataset that records how it is indexed."""
    import torch

    class Recorder:
        def __init__(self):
            self.calls = []

        def __len__(self):
            return n

        def __getitem__(self, index):
            if isinstance(index, torch.Tensor):
                self.calls.append(("tensor", index.reshape(-1).tolist()))
                return (index.to(torch.float64),)
            self.calls.append((type(index).__name__, [int(index)] if isinstance(index, int) else []))
            return (torch.tensor(float(index), dtype=torch.float64),)

    ds = Recorder()
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    loader = mod.MiniBatchLoader(ds, batch_size, shuffle=shuffle, drop_last=drop_last, generator=gen)
    batches = sum(1 for _ in loader)
    return {"batches": batches, "calls": ds.calls}


def _dataset(mod, tensors, index):
    """len, one example and a batch of examples from the learner's ArrayDataset."""
    ds = mod.ArrayDataset(*tensors)
    one = ds[2]
    batch = ds[index]
    return {
        "len": len(ds),
        "one": tuple(one),
        "batch": tuple(batch),
        "tensors": list(tensors),
    }


def _bad_args(mod, tensors, batch_size):
    """Which constructor calls raise ValueError."""
    out = {}
    try:
        mod.ArrayDataset(tensors[0], tensors[1][:-1])
        out["lengths"] = "no error"
    except ValueError:
        out["lengths"] = "ValueError"
    try:
        mod.MiniBatchLoader(mod.ArrayDataset(*tensors), batch_size)
        out["batch_size"] = "no error"
    except ValueError:
        out["batch_size"] = "ValueError"
    return out


# ---------------------------------------------------------------- helpers


def _run(learner, tensors, bs, shuffle=False, drop_last=False, seed=None, epochs=1):
    n = tensors[0].shape[0]
    gen = f"Generator seeded {seed}" if seed is not None else "None"
    label = (
        f"MiniBatchLoader(ArrayDataset of {n} rows, batch_size={bs}, shuffle={shuffle}, "
        f"drop_last={drop_last}, generator={gen}) for {epochs} epoch(s)"
    )
    return learner.run(_epochs, tensors, bs, shuffle, drop_last, seed, epochs, label=label)


def _check_epochs(res, tensors, bs, shuffle, drop_last, seed, epochs, what):
    n = tensors[0].shape[0]
    ref = _reference_positions(n, bs, shuffle, drop_last, seed, epochs)
    for e, (got_batches, ref_pos) in enumerate(zip(res["epochs"], ref, strict=False)):
        sizes = [b[0].shape[0] if isinstance(b, tuple) and b and hasattr(b[0], "shape") else None for b in got_batches]
        expect(
            len(got_batches) == len(ref_pos),
            f"{what}: epoch {e} should yield {len(ref_pos)} batches of sizes {[len(p) for p in ref_pos]}, "
            f"but it yielded {len(got_batches)} of sizes {sizes}",
        )
        for b, (got, pos) in enumerate(zip(got_batches, ref_pos, strict=True)):
            expect(
                isinstance(got, tuple) and len(got) == len(tensors),
                f"{what}: each batch should be a tuple of {len(tensors)} tensors (one per dataset tensor)",
                kind="wrong_type",
            )
            for t, (g, full) in enumerate(zip(got, tensors, strict=True)):
                expect_close(
                    g,
                    full[pos.to(full.device)],
                    name=f"{what}: epoch {e}, batch {b}, tensor {t} (rows {pos.tolist()})",
                )
    expect(
        len(res["epochs"]) == epochs,
        f"{what}: expected {epochs} epochs, got {len(res['epochs'])}",
    )


# ---------------------------------------------------------------- checks: the dataset


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_dataset_indexing(learner, device, dtype):
    """ArrayDataset has a length and returns one row, or a batch of rows for a tensor of positions"""
    tensors = _tensors(N, device, dtype)
    index = torch.tensor([7, 0, 3, 3])
    res = learner.run(_dataset, tensors, index, label=f"ArrayDataset(x, y, w) with {N} rows")
    expect(res["len"] == N, f"len(ArrayDataset) should be {N}, got {res['len']}")
    expect_close(res["one"], tuple(t[2] for t in tensors), name="dataset[2] (one example per tensor)")
    expect_close(
        res["batch"],
        tuple(t[index.to(device)] for t in tensors),
        name="dataset[tensor([7, 0, 3, 3])] (rows in the order of the positions)",
    )


def test_rejects_bad_arguments(learner, device):
    """tensors of different lengths and a batch size of 0 raise ValueError"""
    tensors = _tensors(N, device)
    res = learner.run(_bad_args, tensors, 0, label="ArrayDataset(x, y[:-1]) and MiniBatchLoader(ds, batch_size=0)")
    expect(
        res["lengths"] == "ValueError",
        f"ArrayDataset(x of {N} rows, y of {N - 1} rows) should raise ValueError, got {res['lengths']}",
        kind="exception",
    )
    expect(
        res["batch_size"] == "ValueError",
        f"MiniBatchLoader(ds, batch_size=0) should raise ValueError, got {res['batch_size']}",
        kind="exception",
    )


# ---------------------------------------------------------------- checks: batches in order


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_sequential_batches(learner, device, dtype):
    """without shuffling, batches are consecutive rows and the short last batch is kept"""
    tensors = _tensors(N, device, dtype, seed=1)
    res = _run(learner, tensors, 4)
    _check_epochs(res, tensors, 4, False, False, None, 1, "batch_size=4 over 10 rows")


def test_drop_last(learner, device):
    """drop_last=True leaves out the short last batch"""
    tensors = _tensors(N, device, seed=2)
    res = _run(learner, tensors, 4, drop_last=True)
    _check_epochs(res, tensors, 4, False, True, None, 1, "batch_size=4, drop_last=True over 10 rows")


def test_drop_last_when_batches_fit(learner, device):
    """drop_last=True keeps every batch when the batch size divides the dataset"""
    tensors = _tensors(N, device, seed=3)
    res = _run(learner, tensors, 5, drop_last=True)
    _check_epochs(res, tensors, 5, False, True, None, 1, "batch_size=5, drop_last=True over 10 rows")


@pytest.mark.parametrize(
    "bs,drop_last,expected",
    [(4, False, 3), (4, True, 2), (5, False, 2), (5, True, 2), (1, False, 10), (16, False, 1), (16, True, 0)],
    ids=["4", "4_drop_last", "5", "5_drop_last", "1", "16", "16_drop_last"],
)
def test_len(learner, device, bs, drop_last, expected):
    """len(loader) is the number of batches in one epoch"""
    tensors = _tensors(N, device, seed=4)
    res = _run(learner, tensors, bs, drop_last=drop_last)
    expect(
        res["len"] == expected,
        f"len(MiniBatchLoader(10 rows, batch_size={bs}, drop_last={drop_last})) should be {expected}, got {res['len']}",
    )


@pytest.mark.parametrize("bs", [1, 16], ids=["1", "16_over_10_rows"])
def test_extreme_batch_sizes(learner, device, bs):
    """batch_size=1 yields every row alone; a batch size above the dataset size yields it whole"""
    tensors = _tensors(N, device, seed=5)
    res = _run(learner, tensors, bs)
    _check_epochs(res, tensors, bs, False, False, None, 1, f"batch_size={bs} over 10 rows")


# ---------------------------------------------------------------- checks: shuffling


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_shuffled_order_from_generator(learner, device, dtype):
    """with shuffle=True the order is torch.randperm(N, generator=generator)"""
    tensors = _tensors(N, device, dtype, seed=6)
    res = _run(learner, tensors, 4, shuffle=True, seed=123)
    _check_epochs(res, tensors, 4, True, False, 123, 1, "shuffle=True, batch_size=4, generator seeded 123")


def test_new_order_every_epoch(learner, device):
    """each epoch draws a new permutation from the same generator"""
    tensors = _tensors(N, device, seed=7)
    res = _run(learner, tensors, 3, shuffle=True, seed=7, epochs=3)
    _check_epochs(res, tensors, 3, True, False, 7, 3, "shuffle=True, 3 epochs, generator seeded 7")


def test_shuffle_with_drop_last(learner, device):
    """shuffling and drop_last together: the rows left out are the last ones of the permutation"""
    tensors = _tensors(N, device, seed=8)
    res = _run(learner, tensors, 3, shuffle=True, drop_last=True, seed=99, epochs=2)
    _check_epochs(res, tensors, 3, True, True, 99, 2, "shuffle=True, drop_last=True, batch_size=3")


# ---------------------------------------------------------------- checks: vectorised fetching


@pytest.mark.parametrize("shuffle", [False, True], ids=["in_order", "shuffled"])
def test_one_lookup_per_batch(learner, device, shuffle):
    """each batch is fetched with one dataset lookup by a tensor of positions, not one per example"""
    seed = 5 if shuffle else None
    res = learner.run(
        _fetches,
        N,
        4,
        shuffle,
        False,
        seed,
        label=f"MiniBatchLoader(a recording dataset of {N} rows, batch_size=4, shuffle={shuffle})",
    )
    ref = _reference_positions(N, 4, shuffle, False, seed, 1)[0]
    calls = res["calls"]
    kinds = sorted({c[0] for c in calls})
    expect(
        all(c[0] == "tensor" for c in calls),
        f"the dataset was indexed with {kinds}: fetch each batch with one lookup by a tensor of positions, "
        f"not example by example (a Python loop over examples wastes the vectorised speed of tensors)",
    )
    expect(
        len(calls) == len(ref),
        f"one epoch over {N} rows with batch_size=4 should make {len(ref)} dataset lookups (one per batch), "
        f"but it made {len(calls)}",
    )
    for b, (call, pos) in enumerate(zip(calls, ref, strict=True)):
        expect(
            call[1] == pos.tolist(),
            f"batch {b} should look up positions {pos.tolist()}, but looked up {call[1]}",
        )


def test_inputs_unchanged(learner, device):
    """the dataset's tensors are left as they were, even when shuffling"""
    tensors = _tensors(N, device, seed=9)
    before = [t.clone() for t in tensors]
    res = _run(learner, tensors, 4, shuffle=True, seed=1)
    for name, b, a in zip(["x", "y", "w"], before, res["tensors"], strict=True):
        expect_unchanged(b, a, name)


def test_does_not_use_builtin(learner):
    """does not use torch.utils.data's DataLoader, TensorDataset or samplers"""
    learner.check_forbidden()

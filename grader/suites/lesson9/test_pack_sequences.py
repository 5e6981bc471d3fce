"""Hidden suite: lesson9.pack_sequences.

``pack_sequences`` takes its lengths, and ``unpack_sequences`` its batch sizes, as int64 tensors on the CPU, as
torch's packing functions do, and both hand back such a CPU tensor. The learner is therefore called through
scenarios that build those CPU tensors themselves and report the CPU results as plain data (values, dtype,
device): the device probe, which moves every tensor argument to 'meta', would otherwise take the documented CPU
tensors for tensors made on the wrong device.
"""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
LENGTHS = [3, 5, 1, 4]  # sorted order [1, 3, 0, 2], whose inverse [2, 0, 3, 1] differs from it
TIES = [2, 3, 2, 4, 2]  # three sequences of length 2: a stable sort keeps them in the order 0, 2, 4


# ---------------------------------------------------------------- scenarios (run in the worker)


def _pack(mod, padded, lengths, upstream=None):
    """pack_sequences(padded, lengths as a CPU int64 tensor); with ``upstream``, also d/d padded of (data * upstream).sum()."""
    import torch

    def cpu_report(t):
        """A tensor the API keeps on the CPU, as plain data (the scenario runs on its own: helpers live inside)."""
        if not isinstance(t, torch.Tensor):
            return {"type": type(t).__name__}
        return {"type": "Tensor", "dtype": str(t.dtype), "device": t.device.type, "values": t.detach().cpu().tolist()}

    lengths_t = torch.tensor(lengths, dtype=torch.int64, device="cpu")
    # Without upstream the learner gets padded itself, so that a change to it in place shows.
    x = padded if upstream is None else padded.detach().clone().requires_grad_(True)
    out = mod.pack_sequences(x, lengths_t)
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        return {"shape": type(out).__name__ if not isinstance(out, (tuple, list)) else f"{len(out)} values"}
    data, batch_sizes, sorted_indices, unsorted_indices = out
    report = {
        "shape": "ok",
        "data": data,
        "batch_sizes": cpu_report(batch_sizes),
        "sorted_indices": sorted_indices,
        "unsorted_indices": unsorted_indices,
        "padded_after": x,
        "lengths_after": lengths_t.tolist(),
    }
    if upstream is not None:
        grad = None
        if isinstance(data, torch.Tensor) and data.shape != upstream.shape:
            report["grad_problem"] = f"data has shape {list(data.shape)}, expected {list(upstream.shape)}"
        elif isinstance(data, torch.Tensor) and data.requires_grad:
            (data * upstream).sum().backward()
            grad = x.grad
        report["grad"] = grad
    return report


def _unpack(mod, data, batch_sizes, sorted_indices, unsorted_indices, padding_value=0.0, upstream=None):
    """unpack_sequences(data, batch_sizes as a CPU int64 tensor, ...); with ``upstream``, also d/d data."""
    import torch

    def cpu_report(t):
        """A tensor the API keeps on the CPU, as plain data (the scenario runs on its own: helpers live inside)."""
        if not isinstance(t, torch.Tensor):
            return {"type": type(t).__name__}
        return {"type": "Tensor", "dtype": str(t.dtype), "device": t.device.type, "values": t.detach().cpu().tolist()}

    sizes = torch.tensor(batch_sizes, dtype=torch.int64, device="cpu")
    d = data if upstream is None else data.detach().clone().requires_grad_(True)
    out = mod.unpack_sequences(d, sizes, sorted_indices, unsorted_indices, padding_value)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return {"shape": type(out).__name__ if not isinstance(out, (tuple, list)) else f"{len(out)} values"}
    padded, lengths = out
    report = {
        "shape": "ok",
        "padded": padded,
        "lengths": cpu_report(lengths),
        "data_after": d,
        "sorted_after": sorted_indices,
        "unsorted_after": unsorted_indices,
        "sizes_after": sizes.tolist(),
    }
    if upstream is not None:
        grad = None
        if isinstance(padded, torch.Tensor) and padded.shape != upstream.shape:
            report["grad_problem"] = (
                f"the unpacked batch has shape {list(padded.shape)}, expected {list(upstream.shape)}"
            )
        elif isinstance(padded, torch.Tensor) and padded.requires_grad:
            (padded * upstream).sum().backward()
            grad = d.grad
        report["grad"] = grad
    return report


def _round_trip(mod, padded, lengths):
    """unpack_sequences(*pack_sequences(padded, lengths)), both the learner's."""
    import torch

    lengths_t = torch.tensor(lengths, dtype=torch.int64, device="cpu")
    packed = mod.pack_sequences(padded, lengths_t)
    restored, got_lengths = mod.unpack_sequences(*packed)
    return {"padded": restored, "lengths": got_lengths.tolist()}


# ---------------------------------------------------------------- references (float64 loops, from the definition)


def _batch(lengths, t, feat, dtype, device, seed=0, fill=float("nan")):
    """(N, T, *F) with real values at the first lengths[n] steps of row n and ``fill`` after them."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(len(lengths), t, *feat, generator=g, dtype=torch.float64)
    for n, k in enumerate(lengths):
        x[n, k:] = fill
    return x.to(device, dtype)


def _ref_pack(padded, lengths):
    n = len(lengths)
    order = sorted(range(n), key=lambda i: -lengths[i])  # Python's sort is stable: ties keep their order
    longest = max(lengths)
    sizes = [sum(1 for k in lengths if k > t) for t in range(longest)]
    data = torch.stack([padded[order[i], t] for t in range(longest) for i in range(sizes[t])])
    unsorted = [0] * n
    for i, s in enumerate(order):
        unsorted[s] = i
    idx = {"dtype": torch.int64, "device": padded.device}
    return data, sizes, torch.tensor(order, **idx), torch.tensor(unsorted, **idx)


def _ref_pack_grad(padded, lengths, upstream):
    """d/d padded of (data * upstream).sum(): each real step gets the upstream row of its packed position."""
    _, sizes, order, _ = _ref_pack(padded, lengths)
    grad = torch.zeros_like(padded)
    row = 0
    for t, b in enumerate(sizes):
        for i in range(b):
            grad[int(order[i]), t] = upstream[row]
            row += 1
    return grad


def _ref_unpack(padded, lengths, padding_value=0.0):
    """The padded batch as unpacking restores it: the first max(lengths) steps, padding_value after each length."""
    longest = max(lengths)
    out = torch.full_like(padded[:, :longest], padding_value)
    for n, k in enumerate(lengths):
        out[n, :k] = padded[n, :k]
    return out


def _expect_report(rep, what):
    expect(
        rep.get("shape") == "ok",
        f"{what} should return a tuple, got {rep.get('shape')}",
        kind="wrong_type",
    )


def _expect_cpu_int64(rep, name):
    expect(rep["type"] == "Tensor", f"{name} should be a torch.Tensor, got {rep['type']}", kind="wrong_type")
    expect(rep["dtype"] == "torch.int64", f"{name} should be int64, got {rep['dtype']}", kind="wrong_dtype")
    expect(
        rep["device"] == "cpu",
        f"{name} should be on the CPU (as torch keeps it), got a tensor on {rep['device']}",
        kind="wrong_device",
    )


def _check_batch_sizes(rep, expected, name="batch_sizes"):
    _expect_cpu_int64(rep, name)
    expect_close(torch.tensor(rep["values"], dtype=torch.int64), torch.tensor(expected, dtype=torch.int64), name=name)


def _pack_label(lengths, shape):
    return f"pack_sequences(padded of shape {tuple(shape)}, lengths={lengths})"


def _run_pack(learner, padded, lengths, upstream=None):
    label = _pack_label(lengths, padded.shape) + (".data backward(upstream)" if upstream is not None else "")
    rep = learner.run(_pack, padded, lengths, upstream, label=label)
    _expect_report(rep, _pack_label(lengths, padded.shape))
    return rep


# ---------------------------------------------------------------- pack_sequences


def test_batch_sizes(learner, device):
    """batch_sizes counts the sequences still running at each step (lengths 3, 5, 1, 4 give 4, 3, 3, 2, 1)"""
    padded = _batch(LENGTHS, 5, (2,), torch.float64, device, seed=1)
    rep = _run_pack(learner, padded, LENGTHS)
    _check_batch_sizes(rep["batch_sizes"], _ref_pack(padded, LENGTHS)[1])


def test_sorted_and_unsorted_indices(learner, device):
    """sorted_indices lists the sequences longest first; unsorted_indices is its inverse"""
    padded = _batch(LENGTHS, 5, (2,), torch.float64, device, seed=2)
    rep = _run_pack(learner, padded, LENGTHS)
    _, _, order, unsorted = _ref_pack(padded, LENGTHS)
    expect_close(rep["sorted_indices"], order, name="sorted_indices for lengths [3, 5, 1, 4]")
    expect_close(rep["unsorted_indices"], unsorted, name="unsorted_indices (the inverse of sorted_indices)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_packed_data(learner, device, dtype):
    """data holds the real steps time-major, each step's sequences in sorted order"""
    padded = _batch(LENGTHS, 5, (3,), dtype, device, seed=3, fill=0.0)
    rep = _run_pack(learner, padded, LENGTHS)
    expect_close(rep["data"], _ref_pack(padded, LENGTHS)[0], name="data (13 packed rows of 3 features)")


def test_matches_pack_padded_sequence(learner, device):
    """all four results equal torch's pack_padded_sequence(batch_first=True, enforce_sorted=False)"""
    padded = _batch([4, 2, 6, 3, 5], 6, (2,), torch.float64, device, seed=4, fill=0.0)
    lengths = [4, 2, 6, 3, 5]
    rep = _run_pack(learner, padded, lengths)
    ref = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    _check_batch_sizes(rep["batch_sizes"], ref.batch_sizes.tolist())
    expect_close(rep["sorted_indices"], ref.sorted_indices, name="sorted_indices")
    expect_close(rep["unsorted_indices"], ref.unsorted_indices, name="unsorted_indices")
    expect_close(rep["data"], ref.data, name="data")


def test_ties_keep_original_order(learner, device):
    """sequences of equal length keep their original order (a stable sort)"""
    padded = _batch(TIES, 4, (2,), torch.float64, device, seed=5, fill=0.0)
    rep = _run_pack(learner, padded, TIES)
    data, _, order, unsorted = _ref_pack(padded, TIES)
    expect_close(rep["sorted_indices"], order, name="sorted_indices for lengths [2, 3, 2, 4, 2]")
    expect_close(rep["unsorted_indices"], unsorted, name="unsorted_indices for lengths [2, 3, 2, 4, 2]")
    expect_close(rep["data"], data, name="data for lengths [2, 3, 2, 4, 2]")


def test_padded_longer_than_longest(learner, device):
    """a batch padded beyond its longest sequence gives one batch size per step of the longest sequence only"""
    lengths = [3, 1, 4]
    padded = _batch(lengths, 7, (2,), torch.float64, device, seed=6, fill=0.0)
    rep = _run_pack(learner, padded, lengths)
    data, sizes, _, _ = _ref_pack(padded, lengths)
    _check_batch_sizes(rep["batch_sizes"], sizes, name="batch_sizes for lengths [3, 1, 4] padded to 7 steps")
    expect_close(rep["data"], data, name="data for lengths [3, 1, 4] padded to 7 steps")


def test_padding_is_never_read(learner, device):
    """the padding is never read into data, even when it holds nan"""
    padded = _batch(LENGTHS, 5, (2,), torch.float64, device, seed=7, fill=float("nan"))
    rep = _run_pack(learner, padded, LENGTHS)
    expect_close(rep["data"], _ref_pack(padded, LENGTHS)[0], name="data (the padding holds nan)")


@pytest.mark.parametrize("feat", [(), (2, 3)], ids=["scalar_steps", "matrix_steps"])
def test_other_feature_shapes(learner, device, feat):
    """steps may be scalars (N, T) or matrices (N, T, 2, 3): packing works along time only"""
    padded = _batch(LENGTHS, 5, feat, torch.float64, device, seed=8, fill=0.0)
    rep = _run_pack(learner, padded, LENGTHS)
    expect_close(rep["data"], _ref_pack(padded, LENGTHS)[0], name=f"data for padded of shape {tuple(padded.shape)}")


def test_batch_of_one(learner, device):
    """a batch of one sequence packs into its own steps, each with batch size 1"""
    padded = _batch([3], 4, (2,), torch.float64, device, seed=9, fill=0.0)
    rep = _run_pack(learner, padded, [3])
    data, sizes, order, unsorted = _ref_pack(padded, [3])
    _check_batch_sizes(rep["batch_sizes"], sizes, name="batch_sizes of a batch of one")
    expect_close(rep["sorted_indices"], order, name="sorted_indices of a batch of one")
    expect_close(rep["unsorted_indices"], unsorted, name="unsorted_indices of a batch of one")
    expect_close(rep["data"], data, name="data of a batch of one")


def test_pack_gradient(learner, device):
    """gradients flow from data back to the real steps of padded; the padding gets 0 (float64)"""
    padded = _batch(LENGTHS, 5, (2,), torch.float64, device, seed=10, fill=0.0)
    up = torch.randn(sum(LENGTHS), 2, generator=torch.Generator().manual_seed(11), dtype=torch.float64).to(device)
    rep = _run_pack(learner, padded, LENGTHS, upstream=up)
    expect("grad_problem" not in rep, rep.get("grad_problem", ""), kind="wrong_shape")
    expect(
        rep["grad"] is not None,
        "data is not connected to padded: gather the steps with autograd-tracked indexing "
        "(no .detach(), .data, .tolist() or torch.tensor(...) rebuilding)",
        kind="wrong_gradient",
    )
    expect_close(rep["grad"], _ref_pack_grad(padded, LENGTHS, up), name="d data / d padded", kind="wrong_gradient")


def test_pack_inputs_unchanged(learner, device):
    """pack_sequences leaves padded and lengths unchanged"""
    lengths = [2, 3, 1]
    padded = _batch(lengths, 3, (2,), torch.float64, device, seed=12, fill=0.0)
    rep = _run_pack(learner, padded, lengths)
    expect_unchanged(padded, rep["padded_after"], "padded")
    expect(
        rep["lengths_after"] == lengths,
        f"pack_sequences changed lengths {lengths} into {rep['lengths_after']}",
        kind="modified_input",
    )


# ---------------------------------------------------------------- unpack_sequences


def _packed_by_torch(padded, lengths):
    p = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    return p.data, p.batch_sizes.tolist(), p.sorted_indices, p.unsorted_indices


def _run_unpack(learner, padded, lengths, padding_value=0.0, upstream=None):
    data, sizes, order, unsorted = _packed_by_torch(padded, lengths)
    label = f"unpack_sequences(*the packed form of lengths {lengths}, padding_value={padding_value})"
    rep = learner.run(_unpack, data, sizes, order, unsorted, padding_value, upstream, label=label)
    _expect_report(rep, label)
    return rep, data


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_unpack_restores_batch(learner, device, dtype):
    """unpack_sequences gives back the padded batch in the original order, like pad_packed_sequence"""
    padded = _batch(LENGTHS, 5, (3,), dtype, device, seed=13, fill=0.0)
    rep, _ = _run_unpack(learner, padded, LENGTHS)
    ref, _ = pad_packed_sequence(
        pack_padded_sequence(padded, torch.tensor(LENGTHS), batch_first=True, enforce_sorted=False), batch_first=True
    )
    expect_close(rep["padded"], ref, name="the unpacked batch")


def test_unpack_lengths(learner, device):
    """unpack_sequences returns each sequence's length, in the original order, as a CPU int64 tensor"""
    padded = _batch(TIES, 4, (2,), torch.float64, device, seed=14, fill=0.0)
    rep, _ = _run_unpack(learner, padded, TIES)
    _expect_cpu_int64(rep["lengths"], "lengths")
    expect_close(torch.tensor(rep["lengths"]["values"]), torch.tensor(TIES), name="lengths for [2, 3, 2, 4, 2]")


def test_unpack_padding_value(learner, device):
    """the steps after each sequence's end hold padding_value"""
    padded = _batch(LENGTHS, 5, (2,), torch.float64, device, seed=15, fill=0.0)
    rep, _ = _run_unpack(learner, padded, LENGTHS, padding_value=-3.5)
    expect_close(rep["padded"], _ref_unpack(padded, LENGTHS, -3.5), name="the batch unpacked with padding_value=-3.5")


def test_unpack_batch_of_one(learner, device):
    """a packed batch of one sequence unpacks into a batch of one"""
    padded = _batch([3], 3, (2,), torch.float64, device, seed=16, fill=0.0)
    rep, _ = _run_unpack(learner, padded, [3])
    expect_close(rep["padded"], _ref_unpack(padded, [3]), name="the unpacked batch of one")


def test_round_trip(learner, device):
    """unpack_sequences(*pack_sequences(padded, lengths)) restores the real steps, padding with 0"""
    padded = _batch(TIES, 6, (2,), torch.float64, device, seed=17, fill=float("nan"))
    got = learner.run(_round_trip, padded, TIES, label=f"unpack_sequences(*pack_sequences(padded, lengths={TIES}))")
    expect_close(got["padded"], _ref_unpack(padded, TIES), name="the batch after packing and unpacking")
    expect(got["lengths"] == TIES, f"the lengths after packing and unpacking are {got['lengths']}, not {TIES}")


def test_unpack_gradient(learner, device):
    """gradients flow from the unpacked batch back to every packed row (float64)"""
    padded = _batch(LENGTHS, 5, (2,), torch.float64, device, seed=18, fill=0.0)
    up = torch.randn(4, 5, 2, generator=torch.Generator().manual_seed(19), dtype=torch.float64).to(device)
    rep, data = _run_unpack(learner, padded, LENGTHS, upstream=up)
    expect("grad_problem" not in rep, rep.get("grad_problem", ""), kind="wrong_shape")
    expect(
        rep["grad"] is not None,
        "the unpacked batch is not connected to data: write the packed rows in with autograd-tracked "
        "operations (no .detach(), .data, .tolist() or torch.tensor(...) rebuilding)",
        kind="wrong_gradient",
    )
    # Each packed row's gradient is the upstream at the position it unpacks to: that is packing the upstream.
    expect_close(rep["grad"], _packed_by_torch(up, LENGTHS)[0], name="d unpacked / d data", kind="wrong_gradient")


def test_unpack_inputs_unchanged(learner, device):
    """unpack_sequences leaves data, batch_sizes and the indices unchanged"""
    lengths = [2, 3, 1]
    padded = _batch(lengths, 3, (2,), torch.float64, device, seed=20, fill=0.0)
    data, sizes, order, unsorted = _packed_by_torch(padded, lengths)
    rep, _ = _run_unpack(learner, padded, lengths)
    expect_unchanged(data, rep["data_after"], "data")
    expect_unchanged(order, rep["sorted_after"], "sorted_indices")
    expect_unchanged(unsorted, rep["unsorted_after"], "unsorted_indices")
    expect(
        rep["sizes_after"] == sizes,
        f"unpack_sequences changed batch_sizes {sizes} into {rep['sizes_after']}",
        kind="modified_input",
    )


def test_does_not_use_builtin(learner):
    """does not use torch.nn.utils.rnn"""
    learner.check_forbidden()

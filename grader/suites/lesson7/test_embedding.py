"""Hidden suite: lesson7.embedding."""

import pytest
import torch
import torch.nn.functional as F

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]
SHAPES = [(), (7,), (3, 4), (2, 3, 5)]
SHAPE_IDS = ["0d", "1d", "2d", "3d"]


def _idx(shape, high, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, high, shape, generator=g).to(device)


def _weight(n, d, dtype, device, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64).to(device, dtype)


# ---------------------------------------------------------------- scenarios (run in the worker)


def _call(mod, name, args):
    """Call ``name(*args)`` and hand back the arguments too, to see whether they were modified."""
    out = getattr(mod, name)(*args)
    return {"out": out, "args": list(args)}


def _bad_index(mod, idx, num_classes, through_module):
    """Return (exception type name, message) for a call that should raise, or None."""
    try:
        if through_module:
            emb = mod.Embedding(num_classes, 3)
            emb(idx)
        else:
            mod.one_hot(idx, num_classes)
    except NotImplementedError:
        raise
    except Exception as exc:  # the point: which exception, and does it say something
        return [type(exc).__name__, str(exc)]
    return None


def _lookup(mod, weight, idx_list):
    """Build an Embedding, load ``weight`` into it, look up each index tensor."""
    emb = mod.Embedding(weight.shape[0], weight.shape[1])
    emb = emb.to(device=weight.device, dtype=weight.dtype)
    emb.weight.data = weight.clone()
    return [emb(i) for i in idx_list]


def _init(mod, n, d, seed_a, seed_b):
    """Weights from two generators with the same seed and one with another seed."""
    import torch

    def make(seed):
        return mod.Embedding(n, d, generator=torch.Generator().manual_seed(seed))

    a, b, c = make(seed_a), make(seed_a), make(seed_b)
    w = a.weight
    return {
        "is_parameter": isinstance(w, torch.nn.Parameter),
        "requires_grad": bool(w.requires_grad),
        "registered": any(p is w for p in a.parameters()),
        "weight": w.detach().clone(),
        "same_seed": b.weight.detach().clone(),
        "other_seed": c.weight.detach().clone(),
    }


def _weight_grad(mod, weight, idx, upstream):
    """Back-propagate ``upstream`` through the learner's lookup; return weight.grad."""
    emb = mod.Embedding(weight.shape[0], weight.shape[1])
    emb = emb.to(device=weight.device, dtype=weight.dtype)
    emb.weight.data = weight.clone()
    out = emb(idx)
    if not out.requires_grad:
        return {"out": out, "grad": None}
    (out * upstream).sum().backward()
    return {"out": out, "grad": emb.weight.grad}


# ---------------------------------------------------------------- one_hot


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_one_hot_matches_reference(learner, device, shape):
    """one_hot matches F.one_hot (as float32) for any batch shape"""
    idx = _idx(shape, 6, device)
    res = learner.run(_call, "one_hot", [idx, 6], label=f"one_hot(idx of shape {list(shape)}, 6)")
    expect_close(res["out"], F.one_hot(idx, 6).to(torch.float32), name=f"one_hot(idx of shape {list(shape)}, 6)")
    expect_unchanged(idx, res["args"][0], "idx")


def test_one_hot_dtype_argument(learner, device):
    """one_hot returns the dtype it is asked for"""
    idx = _idx((4, 2), 5, device, seed=2)
    got = learner.one_hot(idx, 5, torch.float64)
    expect_close(got, F.one_hot(idx, 5).to(torch.float64), name="one_hot(idx, 5, torch.float64)")


def test_one_hot_edge_classes(learner, device):
    """the first and the last class, and a single class, are encoded"""
    idx = torch.tensor([0, 9, 9, 0, 4], device=device)
    expect_close(learner.one_hot(idx, 10), F.one_hot(idx, 10).float(), name="one_hot([0, 9, 9, 0, 4], 10)")
    idx1 = torch.zeros(3, dtype=torch.long, device=device)
    expect_close(learner.one_hot(idx1, 1), torch.ones(3, 1, device=device), name="one_hot([0, 0, 0], 1)")


@pytest.mark.parametrize(
    "values,label",
    [([0, 2, 5], "an index equal to num_classes"), ([1, -1, 0], "a negative index"), ([[1, 7], [0, 2]], "index 7")],
    ids=["too_large", "negative", "2d"],
)
def test_one_hot_rejects_out_of_range(learner, device, values, label):
    """one_hot raises a clear error for an index outside [0, num_classes)"""
    idx = torch.tensor(values, device=device)
    res = learner.run(_bad_index, idx, 5, False, label=f"one_hot({values}, 5)")
    expect(
        res is not None,
        f"one_hot({values}, 5) returned a value; with {label} it should raise IndexError "
        "(or ValueError), not wrap around or give an all-zero row",
    )
    name, msg = res
    expect(
        name in ("IndexError", "ValueError"),
        f"one_hot({values}, 5) raised {name}: {msg[:200]}; raise IndexError or ValueError yourself "
        "after checking the range",
        kind="wrong_type",
    )
    expect(
        len(msg.strip()) > 0,
        f"one_hot({values}, 5) raised {name} with an empty message; say which index is bad",
        kind="wrong_values",
    )


# ---------------------------------------------------------------- Embedding


def test_embedding_weight_is_parameter(learner):
    """Embedding.weight is a registered Parameter of shape (num_embeddings, embedding_dim)"""
    res = learner.run(_init, 30, 4, 0, 1, label="Embedding(30, 4, generator=...)")
    expect(res["is_parameter"], "Embedding.weight should be an nn.Parameter", kind="wrong_type")
    expect(res["requires_grad"], "Embedding.weight should require gradients", kind="wrong_gradient")
    expect(res["registered"], "Embedding.weight is not among the module's parameters()", kind="wrong_type")
    w = res["weight"]
    expect(
        tuple(w.shape) == (30, 4),
        f"Embedding(30, 4).weight has shape {list(w.shape)}, expected [30, 4]",
        kind="wrong_shape",
    )


@pytest.mark.parametrize("n,d", [(2000, 8), (250, 64)], ids=["2000x8", "250x64"])
def test_embedding_init_scale(learner, n, d):
    """the initial weights are normal with mean 0 and standard deviation 0.01"""
    res = learner.run(_init, n, d, 0, 1, label=f"Embedding({n}, {d}, generator=...)")
    w = res["weight"]
    std, mean = float(w.double().std()), float(w.double().mean())
    expect(
        0.009 <= std <= 0.011,
        f"the initial weights of Embedding({n}, {d}) have standard deviation {std:.4g}; expected about 0.01 "
        "(torch.randn(...) * 0.01)",
    )
    expect(abs(mean) < 0.001, f"the initial weights of Embedding({n}, {d}) have mean {mean:.4g}; expected about 0")


@pytest.mark.parametrize("n,d", [(2000, 8), (250, 64)], ids=["2000x8", "250x64"])
def test_embedding_init_uses_generator(learner, n, d):
    """the initial weights are drawn from the generator: same seed, same table"""
    res = learner.run(_init, n, d, 3, 4, label=f"Embedding({n}, {d}, generator=...) with seeds 3, 3 and 4")
    w = res["weight"]
    expect(
        torch.equal(w, res["same_seed"]),
        "two Embeddings built with generators seeded alike differ: draw the initial weights with generator=generator",
    )
    expect(not torch.equal(w, res["other_seed"]), "Embeddings built with differently seeded generators are equal")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_embedding_equals_lookup(learner, device, dtype):
    """Embedding(idx) equals the row lookup weight[idx] for 0-d to 3-d indices"""
    w = _weight(9, 4, dtype, device)
    idxs = [_idx(s, 9, device, seed=i) for i, s in enumerate(SHAPES)]
    got = learner.run(_lookup, w, idxs, label="Embedding(9, 4) with known weights")
    expect(
        isinstance(got, list) and len(got) == len(idxs),
        "the lookup scenario returned an unexpected value",
        kind="wrong_type",
    )
    for out, i, s in zip(got, idxs, SHAPES, strict=False):
        expect_close(out, w[i], name=f"Embedding(idx of shape {list(s)})")


def test_embedding_matches_nn_embedding(learner, device):
    """Embedding matches torch.nn.Embedding holding the same weight"""
    w = _weight(12, 6, torch.float64, device, seed=5)
    idx = _idx((5, 3), 12, device, seed=6)
    ref = torch.nn.Embedding.from_pretrained(w, freeze=False)
    (got,) = learner.run(_lookup, w, [idx], label="Embedding(12, 6) with known weights")
    expect_close(got, ref(idx), name="Embedding(idx)")


def test_embedding_weight_gradient(learner, device):
    """the weight gradient lands on the rows used: zero for unused rows, summed for repeated ones"""
    w = _weight(8, 3, torch.float64, device, seed=7)
    idx = torch.tensor([[1, 3, 3], [6, 1, 3]], device=device)
    g = torch.Generator().manual_seed(8)
    upstream = torch.randn(2, 3, 3, generator=g, dtype=torch.float64).to(device)
    res = learner.run(_weight_grad, w, idx, upstream, label="Embedding(8, 3)(idx).backward(upstream)")
    expect(
        res["grad"] is not None,
        "no gradient reached Embedding.weight: it must be an nn.Parameter and the "
        "forward must use it directly (no .detach(), .data or torch.no_grad())",
        kind="wrong_gradient",
    )
    wr = w.clone().requires_grad_(True)
    (F.embedding(idx, wr) * upstream).sum().backward()
    expect_close(res["grad"], wr.grad, name="Embedding.weight.grad", kind="wrong_gradient")


@pytest.mark.parametrize("values", [[0, 4], [2, -1]], ids=["too_large", "negative"])
def test_embedding_rejects_out_of_range(learner, device, values):
    """Embedding raises a clear error for an index outside [0, num_embeddings)"""
    idx = torch.tensor(values, device=device)
    res = learner.run(_bad_index, idx, 4, True, label=f"Embedding(4, 3)({values})")
    expect(
        res is not None,
        f"Embedding(4, 3)({values}) returned a value; an index outside [0, num_embeddings) should raise, "
        "not wrap around or give an all-zero row",
    )


def test_does_not_use_builtin(learner):
    """does not call F.one_hot, F.embedding or nn.Embedding"""
    learner.check_forbidden()

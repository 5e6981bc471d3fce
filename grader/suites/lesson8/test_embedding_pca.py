"""Hidden suite: lesson8.embedding_pca."""

import pytest
import torch

from grader.testing import expect, expect_close, expect_unchanged

DTYPES = [torch.float32, torch.float64]


def _call_and_return_inputs(mod, name, args):
    """Call ``mod.name(*args)`` in the worker and send back the result and the arguments afterwards."""
    out = getattr(mod, name)(*args)
    return {"out": out, "args": list(args)}


def _embeddings(n, d, seed=0, offset=2.0, scales=None):
    """Rows spread along a random orthonormal basis with clearly different scales, plus a mean offset."""
    g = torch.Generator().manual_seed(seed)
    if scales is None:
        scales = [6.0 / (1.6**i) for i in range(d)]
    z = torch.randn(n, d, generator=g, dtype=torch.float64) * torch.tensor(scales[:d], dtype=torch.float64)
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=torch.float64))
    mean = torch.randn(d, generator=g, dtype=torch.float64) * offset
    return z @ q.T + mean


def _reference(emb, k):
    """Float64 PCA from the eigendecomposition of the covariance matrix (a different route than the SVD)."""
    x = emb.double() - emb.double().mean(dim=0, keepdim=True)
    n = x.shape[0]
    cov = x.T @ x / (n - 1)
    evals, evecs = torch.linalg.eigh(cov)  # ascending
    evals, evecs = evals.flip(0), evecs.flip(1)
    comps = evecs[:, :k].T.contiguous()
    coords = x @ comps.T
    ratio = evals[:k] / evals.clamp_min(0).sum()
    return comps, coords, ratio


def _unpack(got, emb, k, what):
    """The three results, after checking that they are tensors of the documented shapes."""
    expect(
        isinstance(got, (tuple, list)) and len(got) == 3,
        f"{what} should return a tuple (components, coords, ratio)",
        kind="wrong_type",
    )
    n, d = emb.shape
    for name, t, shape in zip(("components", "coords", "ratio"), got, ((k, d), (n, k), (k,)), strict=True):
        expect(isinstance(t, torch.Tensor), f"{what}: {name} should be a tensor", kind="wrong_type")
        expect(
            tuple(t.shape) == shape,
            f"{what}: {name} has shape {list(t.shape)}, expected {list(shape)}",
            kind="wrong_shape",
        )
    return got


def _check(got, emb, k, dtype, what):
    comps, coords, ratio = _unpack(got, emb, k, what)
    rc, rx, rr = _reference(emb, k)
    # A component and its negative are the same axis: flip each learner component (and its
    # coordinate column) to point the way the reference does before comparing values.
    sign = torch.sign((comps.double().cpu() * rc.cpu()).sum(dim=1))
    sign = torch.where(sign == 0, torch.ones_like(sign), sign).to(comps.device)
    comps_aligned = comps * sign.to(comps.dtype)[:, None]
    coords_aligned = coords * sign.to(coords.dtype)[None, :]
    expect_close(comps_aligned, rc.to(emb.device, dtype), name=f"{what}: components (up to the sign of each row)")
    expect_close(
        coords_aligned, rx.to(emb.device, dtype), name=f"{what}: coords (each column with the sign of its component)"
    )
    expect_close(ratio, rr.to(emb.device, dtype), name=f"{what}: explained variance ratio")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_matches_reference(learner, device, dtype):
    """components, coordinates and variance ratios match a float64 PCA of 40 embeddings of size 6"""
    emb = _embeddings(40, 6, seed=1).to(device, dtype)
    _check(learner.pca(emb, 3), emb, 3, dtype, "pca(emb (40, 6), k=3)")


def test_components_are_orthonormal(learner, device):
    """the components are orthonormal rows and the coordinates rebuild the centred data"""
    emb = _embeddings(25, 5, seed=2).to(device)
    comps, coords, _ = _unpack(learner.pca(emb, 5), emb, 5, "pca(emb (25, 5), k=5)")
    gram = comps @ comps.T
    expect_close(
        gram,
        torch.eye(5, dtype=torch.float64, device=device),
        name="components @ components.T (rows must be orthonormal)",
    )
    expect_close(
        coords @ comps + emb.mean(dim=0, keepdim=True),
        emb,
        name="coords @ components + mean (all 5 components rebuild the data)",
    )


def test_ratio_divides_by_total_variance(learner, device):
    """with k smaller than d, the ratios are shares of the variance of ALL directions"""
    emb = _embeddings(60, 8, seed=3).to(device)
    _, _, ratio = _unpack(learner.pca(emb, 2), emb, 2, "pca(emb (60, 8), k=2)")
    _, _, rr = _reference(emb, 2)
    expect_close(ratio, rr, name="pca(emb (60, 8), k=2) ratio")
    total = float(ratio.sum())
    expect(
        total < 0.999,
        f"the two ratios add up to {total:.4g}; with 8 directions the top two keep less than all of the variance",
    )
    _, _, rr_all = _reference(emb, 8)
    _, _, ratio_all = _unpack(learner.pca(emb, 8), emb, 8, "pca(emb (60, 8), k=8)")
    expect_close(ratio_all.sum(), rr_all.sum(), name="sum of all 8 ratios")


def test_fewer_rows_than_dims(learner, device):
    """works when there are fewer embeddings than dimensions (n=5, d=8)"""
    emb = _embeddings(5, 8, seed=4).to(device)
    _check(learner.pca(emb, 4), emb, 4, torch.float64, "pca(emb (5, 8), k=4)")


@pytest.mark.parametrize("k", [1, 2])
def test_small_k(learner, device, k):
    """k = 1 and k = 2 give the leading axes (the ones a 2-D plot shows)"""
    emb = _embeddings(30, 4, seed=5).to(device)
    _check(learner.pca(emb, k), emb, k, torch.float64, f"pca(emb (30, 4), k={k})")


def test_large_offset(learner, device):
    """embeddings sitting far from the origin (mean about 1e6) give the same components: the rows are centred"""
    emb = _embeddings(30, 4, seed=6, offset=1e6).to(device)
    _check(learner.pca(emb, 2), emb, 2, torch.float64, "pca(emb far from the origin, k=2)")


def test_tiny_and_huge_scales(learner, device):
    """scaling the embeddings by 1e-6 or 1e6 scales the coordinates and leaves components and ratios alone"""
    base = _embeddings(20, 4, seed=7)
    for scale in (1e-6, 1e6):
        emb = (base * scale).to(device)
        _check(learner.pca(emb, 3), emb, 3, torch.float64, f"pca(emb * {scale:g}, k=3)")


def test_input_unchanged(learner, device):
    """emb is left unmodified"""
    emb = _embeddings(12, 4, seed=8).to(device)
    res = learner.run(_call_and_return_inputs, "pca", [emb, 2], label="pca(emb (12, 4), k=2)")
    expect_unchanged(emb, res["args"][0], "emb")


def test_does_not_use_builtin(learner):
    """does not call torch.pca_lowrank or scikit-learn's PCA"""
    learner.check_forbidden()

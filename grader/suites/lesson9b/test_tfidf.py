"""Hidden suite: lesson9b.tfidf."""

import math

import pytest
import torch

from grader.testing import expect, expect_close

DTYPES = [torch.float32, torch.float64]

DOCS = [
    ["this", "movie", "was", "not", "good", "at", "all"],
    ["good", "acting", "and", "a", "good", "plot"],
    ["not", "bad", ",", "not", "bad", "at", "all"],
    ["the", "plot", "was", "thin"],
    [],
]
UNIGRAMS = ["good", "not", "bad", "plot", "was", "all", "great"]
BIGRAMS = ["not good", "not bad", "at all", "good plot", "bad at"]


def _ref_counts(docs, features, n_max):
    out = torch.zeros(len(docs), len(features), dtype=torch.int64)
    for d, toks in enumerate(docs):
        for n in range(1, n_max + 1):
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i : i + n])
                if gram in features:
                    out[d, features.index(gram)] += 1
    return out


def _ref_idf(n, df, smooth):
    if smooth:
        return math.log((1 + n) / (1 + df)) + 1
    return math.log(n / df) + 1 if df > 0 else 0.0


def _ref_tfidf(counts, smooth=True, normalize=True):
    """Float64 reference, written out element by element."""
    c = counts.detach().cpu().double()
    n, f = c.shape
    out = torch.zeros(n, f, dtype=torch.float64)
    for j in range(f):
        df = int((c[:, j] > 0).sum())
        out[:, j] = c[:, j] * _ref_idf(n, df, smooth)
    if normalize:
        for d in range(n):
            norm = math.sqrt(float((out[d] ** 2).sum()))
            if norm > 0:
                out[d] /= norm
    return out.to(counts.device, counts.dtype)


def _counts(dtype, device, seed=0, n=6, f=9):
    g = torch.Generator().manual_seed(seed)
    c = torch.randint(0, 4, (n, f), generator=g).double()
    c[:, 1] = 0  # a term in no document
    c[:, 2] = c[:, 2].clamp_min(1)  # a term in every document
    c[3] = 0  # an empty document
    return c.to(device, dtype)


# ---------------------------------------------------------------- bag_of_ngrams


def test_bag_of_words(learner):
    """unigram counts per document, in the column order of the features"""
    got = learner.bag_of_ngrams(DOCS, UNIGRAMS)
    expect_close(got, _ref_counts(DOCS, UNIGRAMS, 1), name="bag_of_ngrams(DOCS, UNIGRAMS)")


def test_bigrams(learner):
    """n_max=2 counts the 1-grams and the space-joined 2-grams together"""
    feats = UNIGRAMS + BIGRAMS
    got = learner.bag_of_ngrams(DOCS, feats, 2)
    expect_close(got, _ref_counts(DOCS, feats, 2), name="bag_of_ngrams(DOCS, unigrams + bigrams, n_max=2)")


def test_ngram_at_the_end(learner):
    """the last n-gram of a document counts too, and a document shorter than n has none"""
    docs = [["at", "all"], ["at"], ["so", "bad", "at", "all"]]
    feats = ["at all", "bad at all", "at"]
    got = learner.bag_of_ngrams(docs, feats, 3)
    expect_close(got, _ref_counts(docs, feats, 3), name="bag_of_ngrams with n_max=3 on short documents")


def test_only_up_to_n_max(learner):
    """n-grams longer than n_max are not counted"""
    feats = ["not bad", "bad", "not bad at"]
    got = learner.bag_of_ngrams(DOCS, feats, 1)
    expect_close(got, _ref_counts(DOCS, feats, 1), name="bag_of_ngrams with bigram features and n_max=1")


def test_no_documents(learner):
    """an empty list of documents gives shape (0, F)"""
    got = learner.bag_of_ngrams([], UNIGRAMS)
    expect_close(got, torch.zeros(0, len(UNIGRAMS), dtype=torch.int64), name="bag_of_ngrams([], UNIGRAMS)")


# ---------------------------------------------------------------- tfidf


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tfidf_default(learner, device, dtype):
    """smoothed idf and unit rows match a float64 reference"""
    c = _counts(dtype, device)
    expect_close(learner.tfidf(c), _ref_tfidf(c), name="tfidf(counts)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tfidf_unnormalized(learner, device, dtype):
    """normalize=False gives counts times the smoothed idf"""
    c = _counts(dtype, device, seed=1)
    expect_close(learner.tfidf(c, True, False), _ref_tfidf(c, normalize=False), name="tfidf(counts, normalize=False)")


def test_tfidf_unsmoothed(learner, device):
    """smooth=False uses ln(N / df) + 1, and a term in no document gets weight 0, not nan"""
    c = _counts(torch.float64, device, seed=2)
    got = learner.tfidf(c, False, False)
    expect_close(got, _ref_tfidf(c, smooth=False, normalize=False), name="tfidf(counts, smooth=False, normalize=False)")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tfidf_unsmoothed_normalized(learner, device, dtype):
    """smooth=False with unit rows, a term in no document included"""
    c = _counts(dtype, device, seed=4)
    expect_close(learner.tfidf(c, False, True), _ref_tfidf(c, smooth=False), name="tfidf(counts, smooth=False)")


def test_term_in_every_document(learner, device):
    """a term found in every document keeps its count (smoothed idf exactly 1)"""
    c = torch.tensor([[2.0, 0.0], [1.0, 3.0], [5.0, 0.0]], dtype=torch.float64, device=device)
    got = learner.tfidf(c, True, False)
    expect_close(got, _ref_tfidf(c, normalize=False), name="tfidf of [[2, 0], [1, 3], [5, 0]], normalize=False")


def test_repeats_count_as_one_document(learner, device):
    """document frequency counts documents, not occurrences"""
    c = torch.tensor([[9.0, 1.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]], dtype=torch.float64, device=device)
    got = learner.tfidf(c, True, False)
    expect_close(got, _ref_tfidf(c, normalize=False), name="tfidf of a term seen 9 times in one document")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_empty_document_stays_zero(learner, device, dtype):
    """an empty document (a row of zeros) stays zero after normalisation, without nan"""
    c = torch.tensor([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.0, 4.0]], dtype=torch.float64).to(device, dtype)
    expect_close(learner.tfidf(c), _ref_tfidf(c), name="tfidf with an empty second document")


def test_rows_have_unit_norm(learner, device):
    """every non-empty row of the normalised result has L2 norm 1"""
    c = _counts(torch.float64, device, seed=3)
    got = learner.tfidf(c)
    expect(
        isinstance(got, torch.Tensor) and got.shape == c.shape,
        "tfidf should return an (N, F) tensor",
        kind="wrong_shape",
    )
    norms = got.detach().double().norm(dim=1)
    want = (c.sum(dim=1) > 0).double()
    expect_close(norms, want, name="row norms of tfidf(counts)")


def test_one_document(learner, device):
    """a corpus of one document works"""
    c = torch.tensor([[3.0, 0.0, 1.0, 1.0]], dtype=torch.float64, device=device)
    expect_close(learner.tfidf(c), _ref_tfidf(c), name="tfidf of a (1, 4) count matrix")


def test_pipeline(learner, device):
    """bag_of_ngrams then tfidf on a small review corpus"""
    feats = UNIGRAMS + BIGRAMS
    counts = learner.bag_of_ngrams(DOCS, feats, 2)
    expect(isinstance(counts, torch.Tensor), "bag_of_ngrams should return a tensor", kind="wrong_type")
    c = counts.to(device, torch.float64)
    expect_close(
        learner.tfidf(c),
        _ref_tfidf(_ref_counts(DOCS, feats, 2).to(device, torch.float64)),
        name="tfidf(bag_of_ngrams(DOCS, ..., 2))",
    )


def test_does_not_use_builtin(learner):
    """does not call scikit-learn's vectorizers"""
    learner.check_forbidden()

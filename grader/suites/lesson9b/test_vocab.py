"""Hidden suite: lesson9b.vocab."""

from collections import Counter

import torch

from grader.testing import expect, expect_close

SPECIALS = ("<pad>", "<unk>")

# Counts: the 4; movie and good 3; was, plot, bad and a 2; very, boring and great 1. Within each count, the
# order of first appearance differs from the alphabetical order.
CORPUS = [
    ["the", "movie", "was", "good"],
    ["the", "plot", "was", "bad", "a", "good", "movie"],
    ["a", "very", "good", "plot"],
    ["the", "bad", "boring", "movie", "the", "great"],
]


def _ref_vocab(corpus, min_freq=1, specials=SPECIALS, max_size=None):
    counts = Counter(t for doc in corpus for t in doc if t not in set(specials))
    kept = sorted((t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t))
    itos = list(specials) + kept
    return itos if max_size is None else itos[:max_size]


def _expect_vocab(got, expected, what):
    ok = isinstance(got, list) and all(isinstance(t, str) for t in got)
    expect(ok, f"{what} should return a list of str, got {type(got).__name__}", kind="wrong_type")
    if got == expected:
        return
    first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
    expect(
        False,
        f"{what}: expected {expected} ({len(expected)} tokens), got {got} ({len(got)} tokens); "
        f"first difference at id {first}",
    )


# ---------------------------------------------------------------- build_vocab


def test_specials_then_by_count(learner):
    """specials come first, then tokens from most to least frequent"""
    corpus = [["b", "a", "b", "c"], ["b", "c", "b"], ["c", "d"]]
    _expect_vocab(learner.build_vocab(corpus), _ref_vocab(corpus), "build_vocab of a corpus with distinct counts")


def test_ties_alphabetical(learner):
    """tokens with equal counts are sorted alphabetically, not by first appearance"""
    _expect_vocab(learner.build_vocab(CORPUS), _ref_vocab(CORPUS), "build_vocab(CORPUS)")


def test_min_freq(learner):
    """min_freq keeps the tokens seen exactly min_freq times and drops rarer ones"""
    got = learner.build_vocab(CORPUS, 2)
    _expect_vocab(got, _ref_vocab(CORPUS, min_freq=2), "build_vocab(CORPUS, min_freq=2)")
    got = learner.build_vocab(CORPUS, 4)
    _expect_vocab(got, _ref_vocab(CORPUS, min_freq=4), "build_vocab(CORPUS, min_freq=4)")


def test_counts_every_occurrence(learner):
    """a token repeated inside one document counts every time, not once per document"""
    corpus = [["wow", "wow", "wow", "film"], ["film", "plot"], ["film", "plot"]]
    _expect_vocab(learner.build_vocab(corpus), _ref_vocab(corpus), "build_vocab with 'wow' three times in one text")


def test_max_size_includes_specials(learner):
    """max_size counts the specials: the list has exactly max_size entries"""
    got = learner.build_vocab(CORPUS, 1, SPECIALS, 5)
    _expect_vocab(got, _ref_vocab(CORPUS, max_size=5), "build_vocab(CORPUS, max_size=5)")


def test_custom_specials(learner):
    """other specials keep their given order, and a special written in a text is not repeated"""
    specials = ("<pad>", "<bos>", "<eos>", "<unk>")
    corpus = [["<unk>", "hello", "there"], ["hello", "<eos>", "you"]]
    got = learner.build_vocab(corpus, 1, specials)
    _expect_vocab(got, _ref_vocab(corpus, specials=specials), "build_vocab with four specials")


def test_max_size_with_min_freq(learner):
    """max_size and min_freq together, with four specials"""
    specials = ("<pad>", "<unk>", "<bos>", "<eos>")
    got = learner.build_vocab(CORPUS, 2, specials, 7)
    _expect_vocab(got, _ref_vocab(CORPUS, 2, specials, 7), "build_vocab(CORPUS, min_freq=2, four specials, max_size=7)")


def test_default_specials_in_text(learner):
    """<pad> or <unk> written in a text is not counted as an ordinary token"""
    corpus = [["<pad>", "fine", "<pad>", "<pad>"], ["<unk>", "fine", "film"]]
    _expect_vocab(
        learner.build_vocab(corpus), _ref_vocab(corpus), "build_vocab of texts containing '<pad>' and '<unk>'"
    )


def test_empty_corpus(learner):
    """an empty corpus gives the specials alone"""
    _expect_vocab(learner.build_vocab([]), list(SPECIALS), "build_vocab([])")


def _build_and_return_corpus(mod, corpus):
    mod.build_vocab(corpus, 2)
    return corpus


def test_corpus_unchanged(learner):
    """does not modify the corpus or its lists"""
    corpus = [list(doc) for doc in CORPUS]
    after = learner.run(_build_and_return_corpus, corpus, label="build_vocab(corpus, min_freq=2)")
    expect(
        after == CORPUS,
        "build_vocab changed the corpus it was given; work on counts, not on the lists",
        kind="modified_input",
    )


# ---------------------------------------------------------------- encode and decode


def test_encode_known_tokens(learner):
    """known tokens get their position in itos, as int64"""
    itos = _ref_vocab(CORPUS)
    tokens = ["the", "good", "movie", "was", "the"]
    want = torch.tensor([itos.index(t) for t in tokens], dtype=torch.int64)
    expect_close(learner.encode(tokens, itos), want, name="encode(['the', 'good', 'movie', 'was', 'the'])")


def test_encode_unknown(learner):
    """unknown tokens get the id of <unk>, wherever <unk> sits in itos"""
    itos = _ref_vocab(CORPUS, specials=("<pad>", "<bos>", "<eos>", "<unk>"))
    tokens = ["the", "zzz", "movie", "awful", "<unk>"]
    want = torch.tensor([itos.index(t) if t in itos else 3 for t in tokens], dtype=torch.int64)
    expect_close(learner.encode(tokens, itos), want, name="encode with unknown tokens ('<unk>' has id 3)")


def test_encode_other_unk_token(learner):
    """the unk argument names the unknown token, here at id 0"""
    itos = ["[UNK]", "<pad>", "film"]
    got = learner.encode(["film", "plot", "[UNK]"], itos, "[UNK]")
    expect_close(
        got, torch.tensor([2, 0, 0]), name="encode(['film', 'plot', '[UNK]'], ['[UNK]', '<pad>', 'film'], unk='[UNK]')"
    )


def test_encode_empty(learner):
    """no tokens give an empty int64 tensor of shape (0,)"""
    got = learner.encode([], _ref_vocab(CORPUS))
    expect_close(got, torch.zeros(0, dtype=torch.int64), name="encode([])")


def _embed(mod, docs, itos):
    """Encode each document and look its ids up in an embedding table, as a model would."""
    import torch

    weight = torch.randn(len(itos), 3, generator=torch.Generator().manual_seed(0))
    return [list(torch.nn.functional.embedding(mod.encode(doc, itos), weight).shape) for doc in docs]


def test_encode_feeds_embedding(learner):
    """the ids can index an embedding table, for an empty document too"""
    itos = _ref_vocab(CORPUS)
    docs = [["the", "movie"], [], ["zzz"]]
    got = learner.run(_embed, docs, itos, label="F.embedding(encode(doc, itos), weight) for 3 documents, one empty")
    expect(
        got == [[2, 3], [0, 3], [1, 3]],
        f"embedding the encoded documents gave shapes {got}, expected [[2, 3], [0, 3], [1, 3]]",
    )


def test_decode_round_trip(learner, device):
    """decode reverses encode, for a tensor (on the device) and for a list of ints"""
    itos = _ref_vocab(CORPUS)
    ids = [2, 5, 9, 3, 0, 1]
    want = [itos[i] for i in ids]
    got = learner.decode(torch.tensor(ids, device=device), itos)
    expect(got == want, f"decode(tensor {ids}): expected {want}, got {got}")
    got = learner.decode(ids, itos)
    expect(got == want, f"decode(list {ids}): expected {want}, got {got}")
    expect(learner.decode([], itos) == [], "decode([]) should be []")


def _decode_error(mod, ids, itos):
    try:
        mod.decode(ids, itos)
    except NotImplementedError:
        raise
    except Exception as exc:  # the point: which exception
        return type(exc).__name__
    return None


def _expect_index_error(learner, ids, itos, what):
    got = learner.run(_decode_error, ids, itos, label=f"decode({what}, itos of {len(itos)} tokens)")
    expect(
        got == "IndexError",
        f"decode({what}) with {len(itos)} tokens should raise IndexError, "
        + ("but it returned tokens" if got is None else f"but it raised {got}"),
    )


def test_decode_refuses_id_past_end(learner):
    """an id past the end of the vocabulary raises IndexError"""
    itos = _ref_vocab(CORPUS)
    _expect_index_error(learner, [0, len(itos)], itos, f"[0, {len(itos)}]")


def test_decode_refuses_negative_id(learner):
    """a negative id raises IndexError instead of counting from the end"""
    itos = _ref_vocab(CORPUS)
    _expect_index_error(learner, [1, -1], itos, "[1, -1]")


def test_decode_refuses_negative_id_in_tensor(learner, device):
    """a negative id in a tensor raises IndexError too"""
    itos = _ref_vocab(CORPUS)
    _expect_index_error(learner, torch.tensor([3, -2, 4], device=device), itos, "tensor [3, -2, 4]")


def test_encode_decode_pipeline(learner):
    """encode then decode gives the tokens back, with unknown ones as <unk>"""
    itos = learner.build_vocab(CORPUS, 2)
    expect(isinstance(itos, list), "build_vocab should return a list", kind="wrong_type")
    tokens = ["the", "boring", "plot", "was", "good"]
    ids = learner.encode(tokens, itos)
    expect(isinstance(ids, torch.Tensor), "encode should return a tensor", kind="wrong_type")
    got = learner.decode(ids, itos)
    want = [t if t in _ref_vocab(CORPUS, 2) else "<unk>" for t in tokens]
    expect(got == want, f"decode(encode({tokens})) with min_freq=2: expected {want}, got {got}")

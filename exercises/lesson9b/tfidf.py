"""Bag of n-grams and TF-IDF: the classic way to turn documents into vectors.

A bag of words forgets the order of the tokens and keeps only how often each one occurs;
n-grams (runs of n consecutive tokens) bring back a little local order. TF-IDF then weights
each count by how rare the term is across the corpus, so that words found in every
document ("the", "a") count for little. A linear classifier on these vectors is a strong
baseline for sentiment analysis. Build:

- ``bag_of_ngrams``: the (documents x features) count matrix for a given feature list;
- ``tfidf``: the TF-IDF matrix of a count matrix, with a smoothed idf and L2-normalised rows.

Off limits: scikit-learn's ``CountVectorizer``, ``TfidfVectorizer`` and ``TfidfTransformer``
(torch has no built-in for this).
"""

import torch


def bag_of_ngrams(docs: list[list[str]], features: list[str], n_max: int = 1) -> torch.Tensor:
    """Count the n-grams of every document.

    The n-grams of a token list, for one n, are its runs of ``n`` consecutive tokens, each
    joined into one string with a single space: ``["not", "good", "at", "all"]`` has the
    2-grams ``"not good"``, ``"good at"`` and ``"at all"``. A document of ``T`` tokens has
    ``T - n + 1`` of them (none when ``T < n``).

    ``counts[d, j]`` is the number of times ``features[j]`` occurs among the n-grams of
    document ``d``, over all ``n = 1 .. n_max`` together. N-grams that are not in ``features``
    are ignored; a feature that never occurs gives a column of zeros.

    Args:
        docs: ``N`` tokenised documents (lists of str; a document may be empty, ``N`` may be 0).
        features: ``F`` distinct strings (unigrams such as ``"good"``, bigrams such as
            ``"not good"``...), in column order.
        n_max: the longest n-gram to count (>= 1); 1 gives a plain bag of words.

    Returns:
        An int64 tensor of shape ``(N, F)`` on the CPU.
    """
    # TODO: map each feature to its column; for each document and each n, count the space-joined n-grams.
    raise NotImplementedError("TODO: bag_of_ngrams")


def tfidf(counts: torch.Tensor, smooth: bool = True, normalize: bool = True) -> torch.Tensor:
    """TF-IDF weights of a count matrix.

    With ``N = counts.shape[0]`` documents, the document frequency ``df_j`` of term ``j`` is
    the number of documents (rows) in which it occurs at least once. The inverse document
    frequency is (natural logarithm)::

        smooth=True:   idf_j = ln((1 + N) / (1 + df_j)) + 1
        smooth=False:  idf_j = ln(N / df_j) + 1, and idf_j = 0 for a term with df_j = 0

    and the result is ``w[d, j] = counts[d, j] * idf_j``. If ``normalize`` is true, each row
    is then divided by its Euclidean (L2) norm; a row that is all zero (an empty document)
    stays all zero. The result never contains nan or inf.

    These are the conventions of scikit-learn's ``TfidfTransformer`` (defaults
    ``smooth_idf=True``, ``norm="l2"``).

    Args:
        counts: a floating-point tensor (float32 or float64) of shape ``(N, F)``, ``N >= 1``,
            with non-negative entries (term counts; ``bag_of_ngrams(...).double()`` for instance).
            Do not modify it.
        smooth: use the smoothed idf.
        normalize: scale each row to unit L2 norm.

    Returns:
        A tensor of shape ``(N, F)`` with the dtype and on the device of ``counts``.
    """
    # TODO: document frequencies, idf (smoothed or not), weights, then the guarded row normalisation.
    raise NotImplementedError("TODO: tfidf")

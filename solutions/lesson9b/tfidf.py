"""Bag of n-grams and TF-IDF: documents as fixed-length vectors of weighted counts (reference solution)."""

from collections import Counter

import torch


def bag_of_ngrams(docs: list[list[str]], features: list[str], n_max: int = 1) -> torch.Tensor:
    """Count, per document, how often each feature (an n-gram joined by spaces) occurs."""
    column = {feat: j for j, feat in enumerate(features)}
    counts = torch.zeros(len(docs), len(features), dtype=torch.int64)
    for d, tokens in enumerate(docs):
        grams: Counter[str] = Counter()
        for n in range(1, n_max + 1):
            # A document of T tokens has T - n + 1 n-grams (none when it is shorter than n).
            for i in range(len(tokens) - n + 1):
                grams[" ".join(tokens[i : i + n])] += 1
        for gram, c in grams.items():
            # N-grams outside the feature list are dropped: the vector length is fixed in advance.
            j = column.get(gram)
            if j is not None:
                counts[d, j] = c
    return counts


def tfidf(counts: torch.Tensor, smooth: bool = True, normalize: bool = True) -> torch.Tensor:
    """Term frequency times inverse document frequency, rows optionally scaled to unit L2 norm."""
    n_docs = counts.shape[0]
    # Document frequency: in how many documents a term occurs at all, however often.
    df = (counts > 0).sum(dim=0).to(counts.dtype)
    if smooth:
        # As if one extra document contained every term once: no division by zero, and a term
        # present everywhere still gets idf 1 rather than 0.
        idf = torch.log((1 + n_docs) / (1 + df)) + 1
    else:
        # A term in no document would get an infinite idf; its counts are all zero, and
        # 0 * inf is nan, so such a column is set to zero instead.
        idf = torch.where(df > 0, torch.log(n_docs / df.clamp_min(1)) + 1, torch.zeros_like(df))
    weights = counts * idf
    if normalize:
        # Unit-length rows make long and short documents comparable (cosine similarity is a
        # dot product). An empty document has norm 0 and must stay a row of zeros, not 0 / 0.
        norms = torch.linalg.vector_norm(weights, dim=1, keepdim=True)
        weights = weights / torch.where(norms > 0, norms, torch.ones_like(norms))
    return weights

"""Nearest neighbours in an embedding space, by cosine similarity.

Once items have embeddings, "more like this" is a geometric question: which other items
point in nearly the same direction? Cosine similarity compares directions and ignores
lengths, so a popular film with a long vector does not crowd out everything else.

Off limits: ``torch.nn.functional.cosine_similarity`` and ``torch.nn.CosineSimilarity``.
"""

import torch


def cosine_neighbours(emb: torch.Tensor, query: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` items most cosine-similar to each queried item, the item itself excluded.

    ``cos(a, b) = (a . b) / (|a| |b|)``, with the convention that a zero vector has
    similarity 0 to every item (never NaN).

    Neighbours come in decreasing order of similarity. Equal similarities are ordered by
    item index, lower index first (so the result is deterministic). The queried item is
    left out of its own list, whatever its score.

    Args:
        emb: float tensor of shape ``(n, d)``, one embedding per item.
        query: int64 tensor of item indices, of any shape ``S`` (a 0-d tensor included).
        k: how many neighbours per query, ``1 <= k <= n - 1``.

    Returns:
        ``(indices, sims)``, both of shape ``S + (k,)``, on ``emb``'s device: ``indices`` int64
        item ids, ``sims`` their cosine similarities in ``emb``'s dtype. ``emb`` and ``query``
        are not modified.
    """
    # TODO: normalise each row (guarding zero rows), score the queried rows against all rows,
    # rule the item itself out, sort with ties in index order, keep the first k.
    raise NotImplementedError("TODO: cosine_neighbours")

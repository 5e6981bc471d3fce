"""Word2vec: skip-gram with negative sampling (SGNS).

Words that appear in similar contexts get similar vectors if a model is trained to tell
the words that really occur near a word from random ones. Skip-gram turns a text into
(center, context) pairs; for each pair, ``k`` "negative" words are drawn from a noise
distribution, and a logistic loss pushes the true pair's score up and the negatives' scores
down. Build:

- ``skipgram_pairs``: every (center, context) pair of token ids within a window;
- ``noise_distribution``: the smoothed unigram distribution negatives are drawn from;
- ``sgns_loss``: the negative-sampling loss for a batch, differentiable in both tables.

Any torch operation is allowed (``torch.nn.functional.logsigmoid`` included); nothing is off
limits.
"""

import torch


def skipgram_pairs(ids: torch.Tensor, window: int) -> torch.Tensor:
    """The skip-gram training pairs of one token sequence.

    For every position ``i`` (in increasing order) and every position ``j`` with
    ``1 <= |i - j| <= window`` and ``0 <= j < T`` (in increasing order of ``j``), emit the pair
    ``(ids[i], ids[j])``: center word first, context word second. Positions before the start
    or past the end do not exist (no wrap-around), so the window is shorter near the ends.

    Example: ids ``[10, 11, 12]`` with ``window=1`` give
    ``[[10, 11], [11, 10], [11, 12], [12, 11]]``.

    Args:
        ids: a 1-D int64 tensor of ``T`` token ids (``T`` may be 0 or 1). Do not modify it.
        window: how many positions on each side count as context (>= 1).

    Returns:
        An int64 tensor of shape ``(P, 2)`` on the device of ``ids``, ``P = 0`` when there is
        no pair (the shape is then ``(0, 2)``).
    """
    # TODO: for each center position, the in-range positions within the window except itself; pairs of ids.
    raise NotImplementedError("TODO: skipgram_pairs")


def noise_distribution(counts: torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """The distribution negative samples are drawn from.

    ``p_w = counts_w ** power / sum_v counts_v ** power``. With ``power = 1`` this is the plain
    unigram distribution; word2vec uses ``3/4``.

    Args:
        counts: a 1-D floating-point tensor of non-negative word counts, not all zero. Do not
            modify it.
        power: the exponent applied to every count before normalising.

    Returns:
        Probabilities summing to 1, with the shape, dtype and device of ``counts``.
    """
    # TODO: raise every count to the power, then divide by the sum.
    raise NotImplementedError("TODO: noise_distribution")


def sgns_loss(
    in_emb: torch.Tensor,
    out_emb: torch.Tensor,
    center: torch.Tensor,
    context: torch.Tensor,
    negatives: torch.Tensor,
) -> torch.Tensor:
    """The skip-gram negative-sampling loss of a batch.

    Word2vec keeps two tables: ``v_w = in_emb[w]`` for a word as the center and
    ``u_w = out_emb[w]`` for a word as a context. For pair ``b`` with center ``c``, true
    context ``o`` and negatives ``n_1 .. n_K``::

        loss_b = -log sigmoid(u_o . v_c) - sum_k log sigmoid(-u_{n_k} . v_c)

    and the result is the mean of ``loss_b`` over the batch. ``log sigmoid`` must stay finite
    for scores of any size (dot products of +-1e4 included): never take the log of a sigmoid
    that has rounded to 0.

    Args:
        in_emb: the input (center) table, ``(V, D)`` floating point.
        out_emb: the output (context) table, ``(V, D)``, same dtype and device.
        center: ``(B,)`` int64 center ids.
        context: ``(B,)`` int64 context ids.
        negatives: ``(B, K)`` int64 negative ids, ``K >= 1``.

    Returns:
        A 0-d tensor in the dtype and on the device of the tables, differentiable with respect
        to both tables. The inputs are not modified.
    """
    # TODO: look up the vectors, compute the positive and negative scores, combine them with a stable log-sigmoid.
    raise NotImplementedError("TODO: sgns_loss")

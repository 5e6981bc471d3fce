"""A vocabulary: the table that turns tokens into integer ids and back.

A model never sees strings: each token is replaced by its id, a row index into an embedding
table. The vocabulary fixes that mapping once, from the training texts, and must give the
same ids on every run. Build:

- ``build_vocab``: the id-to-token list (``itos``), with special tokens first, rare tokens
  left out and a deterministic order;
- ``encode``: tokens to an int64 tensor of ids, unknown tokens mapped to ``<unk>``;
- ``decode``: ids back to tokens.

Plain Python and torch are enough; ``collections.Counter`` is allowed. Nothing is off limits.
"""

from collections.abc import Sequence

import torch


def build_vocab(
    corpus: list[list[str]],
    min_freq: int = 1,
    specials: Sequence[str] = ("<pad>", "<unk>"),
    max_size: int | None = None,
) -> list[str]:
    """Build the id-to-token list of a corpus.

    The list starts with ``specials``, in the order given (so ``<pad>`` gets id 0 and
    ``<unk>`` id 1 by default). Then come the other tokens whose count over the whole corpus
    (every occurrence, in every document) is at least ``min_freq``:

    - most frequent first;
    - tokens with the same count in alphabetical order (Python's string order,
      ``sorted`` on ``str``), never in the order they were first seen.

    A token of the corpus that is also a special (``"<unk>"`` written in a text) is not
    counted and not repeated. If ``max_size`` is given, the list is cut to its first
    ``max_size`` entries: the specials count towards ``max_size`` (it is at least
    ``len(specials)``).

    Do not modify ``corpus`` or its lists.

    Args:
        corpus: the tokenised training texts, one list of tokens per document.
        min_freq: the smallest count a token needs to get its own id (>= 1).
        specials: the special tokens, which always come first.
        max_size: the largest vocabulary size, specials included, or None for no limit.

    Returns:
        ``itos``: a list of distinct tokens; the id of a token is its position in the list.
    """
    # TODO: count the tokens, keep the frequent ones, sort by (falling count, token), prepend the specials, cut.
    raise NotImplementedError("TODO: build_vocab")


def encode(tokens: list[str], itos: list[str], unk: str = "<unk>") -> torch.Tensor:
    """Map tokens to their ids.

    A token that is not in ``itos`` gets the id of ``unk`` (its position in ``itos``, which
    need not be 1). ``unk`` is always in ``itos``.

    Args:
        tokens: the tokens of one document (possibly empty).
        itos: the vocabulary, as returned by ``build_vocab``.
        unk: the token that stands for every unknown token.

    Returns:
        A 1-D tensor of dtype ``torch.int64`` on the CPU with ``len(tokens)`` ids (shape ``(0,)``
        for no tokens).
    """
    # TODO: build a token-to-id dict once, look every token up with unk's id as the default.
    raise NotImplementedError("TODO: encode")


def decode(ids: torch.Tensor | list[int], itos: list[str]) -> list[str]:
    """Map ids back to tokens.

    Args:
        ids: a 1-D int64 tensor (on any device) or a list of ints.
        itos: the vocabulary.

    Returns:
        The list of tokens ``itos[i]`` for each id, in order.

    Raises:
        IndexError: for an id outside ``0 .. len(itos) - 1``. Negative ids are refused too
            (plain Python indexing would quietly count them from the end of the list).
    """
    # TODO: turn a tensor into a list of ints, check every id's range, look the tokens up.
    raise NotImplementedError("TODO: decode")

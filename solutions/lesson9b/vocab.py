"""A vocabulary: ids for tokens, with special tokens, a minimum frequency and a stable order (reference solution)."""

from collections import Counter
from collections.abc import Sequence

import torch


def build_vocab(
    corpus: list[list[str]],
    min_freq: int = 1,
    specials: Sequence[str] = ("<pad>", "<unk>"),
    max_size: int | None = None,
) -> list[str]:
    """The id-to-token list: specials first, then tokens by falling count, ties alphabetical."""
    special_set = set(specials)
    # Every occurrence counts (term frequency over the whole corpus), not the number of documents.
    counts = Counter(tok for doc in corpus for tok in doc if tok not in special_set)
    kept = [tok for tok, n in counts.items() if n >= min_freq]
    # Counter keeps ties in the order tokens were first seen, which depends on the order the
    # files were read; sorting by (-count, token) gives the same ids on every run.
    kept.sort(key=lambda tok: (-counts[tok], tok))
    itos = list(specials) + kept
    if max_size is not None:
        # The specials are part of the budget: an embedding table of max_size rows must fit them all.
        itos = itos[:max_size]
    return itos


def encode(tokens: list[str], itos: list[str], unk: str = "<unk>") -> torch.Tensor:
    """Token ids as an int64 tensor; tokens missing from the vocabulary get the id of ``unk``."""
    # One dict built per call: looking each token up with itos.index would scan the list every time.
    stoi = {tok: i for i, tok in enumerate(itos)}
    unk_id = stoi[unk]
    # dtype given explicitly: torch.tensor([]) would otherwise be an empty float32 tensor.
    return torch.tensor([stoi.get(tok, unk_id) for tok in tokens], dtype=torch.int64)


def decode(ids: torch.Tensor | list[int], itos: list[str]) -> list[str]:
    """The tokens for a sequence of ids."""
    values = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
    for i in values:
        # Python would read a negative id as counting from the end and return a wrong token.
        if not 0 <= i < len(itos):
            raise IndexError(f"id {i} is outside the vocabulary of {len(itos)} tokens")
    return [itos[i] for i in values]

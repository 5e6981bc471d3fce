"""A dataset and a mini-batch loader, written by hand (reference solution)."""

from collections.abc import Iterator
from typing import Any

import torch


class ArrayDataset:
    """A dataset over tensors that share their first dimension (one row per example)."""

    def __init__(self, *tensors: torch.Tensor) -> None:
        if not tensors:
            raise ValueError("ArrayDataset needs at least one tensor")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            sizes = [t.shape[0] for t in tensors]
            raise ValueError(f"all tensors must have the same first dimension, got {sizes}")
        self.tensors = tensors

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])

    def __getitem__(self, index: Any) -> tuple[torch.Tensor, ...]:
        # Indexing with a tensor of positions gathers a whole batch in one operation per
        # stored tensor: no Python loop over examples.
        return tuple(t[index] for t in self.tensors)


class MiniBatchLoader:
    """Iterate over a dataset in mini-batches, like a minimal ``torch.utils.data.DataLoader``."""

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        # A new order every epoch: drawing it here, not in __init__, advances the generator
        # once per epoch, so epochs differ while the whole run stays repeatable.
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            yield self.dataset[order[start : start + self.batch_size]]

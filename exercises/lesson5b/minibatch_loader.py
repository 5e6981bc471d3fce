"""A dataset and a mini-batch loader, written by hand.

A training loop wants its data one mini-batch at a time: a few dozen examples stacked
into tensors, so that the model processes all of them in one vectorised call. Build:

- ``ArrayDataset``: holds tensors that share their first dimension (inputs, targets,
  ...); it has a length and can be indexed by one position or by a tensor of positions;
- ``MiniBatchLoader``: cuts a dataset into mini-batches, optionally in a fresh random
  order each epoch, drawn from a ``torch.Generator`` so that runs are repeatable.

The loader fetches each mini-batch with ONE indexing call on the dataset (a tensor of
positions), never one call per example: a Python loop over samples throws away the
speed of vectorised (GPU) code.

Off limits: ``torch.utils.data.DataLoader``, ``torch.utils.data.TensorDataset`` and the
samplers ``torch.utils.data.BatchSampler``, ``RandomSampler`` and ``SequentialSampler``.
"""

from collections.abc import Iterator
from typing import Any

import torch


class ArrayDataset:
    """A dataset over tensors that share their first dimension (one row per example)."""

    def __init__(self, *tensors: torch.Tensor) -> None:
        """Keep the tensors as they are (no copies, no changes).

        Args:
            tensors: one or more tensors of shapes ``(N, ...)`` with the same ``N``, for
                example inputs ``(N, D)`` and targets ``(N,)``.

        Raises:
            ValueError: when no tensor is given or their first dimensions differ.
        """
        # TODO: check the tensors and store them.
        raise NotImplementedError("TODO: ArrayDataset.__init__")

    def __len__(self) -> int:
        """The number of examples ``N``."""
        # TODO: the shared first dimension.
        raise NotImplementedError("TODO: ArrayDataset.__len__")

    def __getitem__(self, index: Any) -> tuple[torch.Tensor, ...]:
        """The examples at ``index``, one entry per stored tensor.

        Args:
            index: an ``int`` (one example: each entry loses the first dimension) or a
                1-D integer tensor of positions (a mini-batch: each entry has shape
                ``(len(index), ...)``, rows in the order of ``index``).

        Returns:
            A tuple with one tensor per stored tensor, same dtype and device as it.
        """
        # TODO: index every stored tensor with the same index.
        raise NotImplementedError("TODO: ArrayDataset.__getitem__")


class MiniBatchLoader:
    """Iterate over a dataset in mini-batches, like a minimal ``torch.utils.data.DataLoader``.

    Each ``for batch in loader`` is one epoch. It builds an order of positions:
    ``torch.arange(N)`` without shuffling, or ``torch.randperm(N, generator=generator)``
    with shuffling, drawn afresh at the start of EVERY epoch (so successive epochs see
    different orders, and two loaders with equally seeded generators see the same ones).
    It cuts that order into consecutive runs of ``batch_size`` positions and yields
    ``dataset[positions]`` for each run. The last run may be shorter: it is yielded
    unless ``drop_last`` is true.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        """Remember the settings; draw nothing yet.

        Args:
            dataset: anything with ``len(dataset)`` and ``dataset[positions]`` for a 1-D
                int64 tensor of positions (an ``ArrayDataset`` or another such object).
            batch_size: examples per mini-batch, at least 1 (may exceed the dataset size:
                then the only batch is the whole, partial, dataset).
            shuffle: draw a new random order every epoch.
            drop_last: leave out a final batch shorter than ``batch_size``.
            generator: the ``torch.Generator`` (on the CPU) the orders are drawn from; with
                ``None``, the global random state.

        Raises:
            ValueError: when ``batch_size < 1``.
        """
        # TODO: validate batch_size and store the settings.
        raise NotImplementedError("TODO: MiniBatchLoader.__init__")

    def __len__(self) -> int:
        """The number of mini-batches in one epoch (counting a partial one unless ``drop_last``)."""
        # TODO: floor or ceiling of N / batch_size, depending on drop_last.
        raise NotImplementedError("TODO: MiniBatchLoader.__len__")

    def __iter__(self) -> Iterator[Any]:
        """Yield the mini-batches of one epoch: ``dataset[positions]`` for each run of positions.

        A generator function (using ``yield``) is the simplest way to write this. Call the
        dataset once per mini-batch, with an int64 tensor of positions.
        """
        # TODO: build this epoch's order, then yield one dataset lookup per batch.
        raise NotImplementedError("TODO: MiniBatchLoader.__iter__")

"""One epoch of training and one evaluation pass (reference solution)."""

from collections.abc import Callable, Iterable

import torch
from torch import nn


def train_epoch(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    train_batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    val_batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> tuple[float, float]:
    """Train ``model`` for one epoch, then evaluate it; return both example-weighted mean losses."""
    # Dropout and batch norm read this flag; the previous evaluation may have left it off.
    model.train()
    train_total, train_count = 0.0, 0
    for x, y in train_batches:
        loss = loss_fn(model(x), y)
        # backward() adds into .grad, so the previous step's gradients must go first.
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        # .item() keeps a plain number: a tensor total would hold on to every batch's graph.
        train_total += loss.item() * x.shape[0]
        train_count += x.shape[0]

    # eval() changes layer behaviour (running statistics, no dropout); no_grad() stops the
    # graph from being recorded. Evaluation needs both.
    model.eval()
    val_total, val_count = 0.0, 0
    with torch.no_grad():
        for x, y in val_batches:
            loss = loss_fn(model(x), y)
            # Batch means are weighted by batch size, so a short last batch counts for less.
            val_total += loss.item() * x.shape[0]
            val_count += x.shape[0]
    return train_total / train_count, val_total / val_count

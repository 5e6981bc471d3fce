"""One epoch of training and one evaluation pass: the loop every model is trained with.

Build ``train_epoch``, which trains a model for one pass over the training batches and
then measures it on the validation batches, the way a PyTorch training script does:

- training: switch the model to training mode, and for each batch compute the loss,
  clear the old gradients, back-propagate, and let the optimizer take a step;
- evaluation: switch the model to evaluation mode and run the validation batches
  without recording a graph (``torch.no_grad()``); nothing is updated.

Both passes report an example-weighted mean loss as a Python ``float``, accumulated from
``loss.item()``: keeping the loss tensors themselves would keep every batch's graph alive.

Nothing is off limits; the model, the loss function and the optimizer are given.
"""

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
    """Train ``model`` for one epoch, then evaluate it; return both mean losses.

    Training pass, in training mode (``model.train()``; the model may arrive in evaluation
    mode, e.g. from the previous epoch), for every ``(x, y)`` in ``train_batches`` in order::

        loss = loss_fn(model(x), y)       a 0-d tensor: the mean loss over the batch
        optimizer.zero_grad(), loss.backward(), optimizer.step()

    Evaluation pass, in evaluation mode (``model.eval()``) and under ``torch.no_grad()``,
    for every ``(x, y)`` in ``val_batches``: ``loss_fn(model(x), y)``; no backward, no step.

    Call ``model`` exactly once per batch, and ``loss_fn`` once per batch on its output.

    Each returned loss is the mean over EXAMPLES, not over batches: batch losses are
    weighted by their batch size ``x.shape[0]`` (the last batch may be shorter)::

        mean_loss = sum_b loss_b * size_b / sum_b size_b

    Accumulate Python numbers (``loss.item()``), never the loss tensors: a running total
    built from tensors keeps every batch's autograd graph alive (a memory leak that the
    checks detect), and the results must be plain ``float`` values.

    Args:
        model: any ``nn.Module``; it may contain dropout or batch norm, which behave
            differently in the two modes.
        loss_fn: ``loss_fn(prediction, target) -> 0-d tensor``, mean-reduced over the batch.
        optimizer: an optimizer over the model's parameters: a ``torch.optim`` optimizer or
            any object with the same ``zero_grad()`` and ``step()`` methods.
        train_batches: a non-empty sequence of ``(x, y)`` pairs, ``x`` of shape ``(B, ...)``.
        val_batches: a non-empty sequence of ``(x, y)`` pairs.

    Returns:
        ``(train_loss, val_loss)``: two Python floats. ``train_loss`` averages the losses
        computed during the training pass (each before its own step).
    """
    # TODO: training pass (mode, loss, zero_grad, backward, step, weighted running total
    # from loss.item()), then evaluation pass (mode, no_grad, weighted running total).
    raise NotImplementedError("TODO: train_epoch")

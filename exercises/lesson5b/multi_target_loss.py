"""A model with two targets: a shared body, two heads, and one combined loss.

One input, two things to predict: a class (say, the disease shown on a photo of a plant) and a
number (say, the plant's age). The model computes shared features once and gives each target its
own head. Each head gets the loss that suits its target, cross-entropy for the class and squared
error for the number, and the model trains on their weighted sum with a single ``backward()``:
the gradient of a sum is the sum of the gradients, so each head learns from its own loss and the
shared body from both. Build:

- ``TwoHeadNet``: the model, ``x -> (logits, value)``;
- ``multi_target_loss``: the weighted sum of the two losses, with a reduction;
- ``train_step``: one training step on the combined loss.

You may use ``torch.nn.Linear``, ``torch.relu``, ``torch.nn.functional.cross_entropy`` and
``torch.log_softmax``: the point here is how the two losses combine. Nothing is off limits.
"""

import torch
from torch import nn


class TwoHeadNet(nn.Module):
    """A shared body feeding a classification head and a regression head.

    The checks load weights into the model by name (``load_state_dict``), so it must have
    exactly these three layers, with these attribute names and shapes::

        body       = nn.Linear(n_in, n_hidden)       (the shared body)
        class_head = nn.Linear(n_hidden, n_classes)
        value_head = nn.Linear(n_hidden, 1)

    and compute ``h = relu(body(x))``, ``logits = class_head(h)``, ``value = value_head(h)``
    with its last dimension (of size 1) removed.
    """

    def __init__(self, n_in: int, n_hidden: int, n_classes: int) -> None:
        """Create the three layers (call ``super().__init__()`` first).

        Args:
            n_in: number of input features.
            n_hidden: width of the shared features.
            n_classes: number of classes of the first target.
        """
        super().__init__()
        # TODO: create body, class_head and value_head as described above.
        raise NotImplementedError("TODO: TwoHeadNet.__init__")

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both predictions from shared features.

        Args:
            x: float tensor of shape ``(N, n_in)``, N >= 1.

        Returns:
            ``(logits, value)``: ``logits`` of shape ``(N, n_classes)`` and ``value`` of shape
            ``(N,)``, **also when N = 1** (remove only the last dimension: ``squeeze(-1)``, not
            ``squeeze()``), both with the dtype and device of ``x`` and differentiable.
        """
        # TODO: shared features, then each head; drop the value head's last dimension.
        raise NotImplementedError("TODO: TwoHeadNet.forward")


def multi_target_loss(
    logits: torch.Tensor,
    value: torch.Tensor,
    target_class: torch.Tensor,
    target_value: torch.Tensor,
    class_weight: float = 1.0,
    value_weight: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """The combined loss of the two heads.

    For example n, with ``CE_n = -log softmax(logits[n])[target_class[n]]`` (natural log)::

        loss_n = class_weight * CE_n + value_weight * (value[n] - target_value[n]) ** 2

    ``reduction="mean"`` returns the mean of ``loss_n`` over the batch (which equals
    ``class_weight * mean CE + value_weight * MSE``), ``"sum"`` their sum, ``"none"`` the vector
    of ``loss_n``. The loss must stay finite and correct for logits as large as +-1e4 (in float32
    too): take the log of the softmax stably (``torch.nn.functional.cross_entropy`` or
    ``log_softmax`` do), never ``log`` of a softmax.

    Args:
        logits: float tensor of shape ``(N, C)``.
        value: float tensor of shape ``(N,)``, same dtype and device.
        target_class: int64 tensor of shape ``(N,)`` with entries in ``[0, C)``.
        target_value: float tensor of shape ``(N,)``, same dtype and device as ``value``.
        class_weight: the weight of the cross-entropy.
        value_weight: the weight of the squared error.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        A 0-d tensor (``"mean"``, ``"sum"``) or a tensor of shape ``(N,)`` (``"none"``), with the
        dtype and device of ``logits``, differentiable with respect to ``logits`` and ``value``.
        No input is modified.
    """
    # TODO: per-example cross-entropy and squared error, weight each, add, then reduce.
    raise NotImplementedError("TODO: multi_target_loss")


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    target_class: torch.Tensor,
    target_value: torch.Tensor,
    class_weight: float = 1.0,
    value_weight: float = 1.0,
) -> float:
    """One training step of ``model`` (a ``TwoHeadNet``) on the combined loss.

    Clear the old gradients, run the model once, compute ``multi_target_loss`` with the given
    weights and ``reduction="mean"``, back-propagate it with a **single** ``backward()`` (which
    reaches both heads and the shared body), and take **one** ``optimizer.step()``. The checks
    drive this with an optimizer of their own that records the gradients it sees at each step:
    each head's gradient must be that of its weighted loss, the body's the sum of both.

    Args:
        model: the two-headed model.
        optimizer: any optimizer over ``model``'s parameters (``zero_grad()`` and ``step()``).
        x: inputs of shape ``(N, n_in)``.
        target_class: int64 tensor of shape ``(N,)``.
        target_value: float tensor of shape ``(N,)``.
        class_weight: the weight of the cross-entropy.
        value_weight: the weight of the squared error.

    Returns:
        The combined loss computed in this step (before the update), as a Python float.
    """
    # TODO: zero the gradients, forward, combined loss, one backward, one step, return the loss as a float.
    raise NotImplementedError("TODO: train_step")

"""Two targets from one model: a shared body, a class head and a value head, one combined loss (reference solution)."""

import torch
import torch.nn.functional as F
from torch import nn


class TwoHeadNet(nn.Module):
    """A shared body (linear + ReLU) feeding a classification head and a regression head."""

    def __init__(self, n_in: int, n_hidden: int, n_classes: int) -> None:
        super().__init__()
        self.body = nn.Linear(n_in, n_hidden)
        self.class_head = nn.Linear(n_hidden, n_classes)
        self.value_head = nn.Linear(n_hidden, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (N, C), value (N,))`` for ``x`` of shape ``(N, n_in)``."""
        # Both heads read the same features, so both losses will send gradients into the body.
        h = torch.relu(self.body(x))
        logits = self.class_head(h)
        # squeeze(-1), not squeeze(): only the head's width of 1 goes, a batch of one stays (1,).
        # Left as (N, 1), it would broadcast against targets of shape (N,) into an (N, N) error.
        value = self.value_head(h).squeeze(-1)
        return logits, value


def multi_target_loss(
    logits: torch.Tensor,
    value: torch.Tensor,
    target_class: torch.Tensor,
    target_value: torch.Tensor,
    class_weight: float = 1.0,
    value_weight: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """``class_weight * cross-entropy + value_weight * squared error``, per example, then reduced."""
    # cross_entropy works from log-softmax, so huge logits give a large finite loss, never inf.
    ce = F.cross_entropy(logits, target_class, reduction="none")
    se = (value - target_value) ** 2
    # Each weight scales its own loss: they balance two losses of different scales and units.
    per_example = class_weight * ce + value_weight * se
    if reduction == "none":
        return per_example
    if reduction == "sum":
        return per_example.sum()
    return per_example.mean()


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    target_class: torch.Tensor,
    target_value: torch.Tensor,
    class_weight: float = 1.0,
    value_weight: float = 1.0,
) -> float:
    """One optimizer step on the combined (mean) loss; returns the loss before the step."""
    # backward() adds into .grad: the previous step's gradients must go first.
    optimizer.zero_grad()
    logits, value = model(x)
    loss = multi_target_loss(logits, value, target_class, target_value, class_weight, value_weight)
    # One backward pass through the sum: the gradient of a sum is the sum of the gradients, so each
    # head gets its own loss's gradient and the shared body gets both.
    loss.backward()
    optimizer.step()
    # A plain number: the tensor would keep this step's graph alive in the caller's records.
    return loss.item()

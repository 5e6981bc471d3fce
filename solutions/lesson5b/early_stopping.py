"""Early stopping with patience, keeping and restoring the best weights (reference solution)."""

import torch
from torch import nn


class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs in a row."""

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        if patience < 1:
            raise ValueError(f"patience must be at least 1, not {patience}")
        if min_delta < 0:
            raise ValueError(f"min_delta must not be negative, not {min_delta}")
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = float("inf")
        self.best_epoch = -1
        self.bad_epochs = 0
        self.epoch = -1
        self.best_state: dict[str, torch.Tensor] | None = None

    def step(self, val_loss: float, model: nn.Module) -> bool:
        self.epoch += 1
        # A strict comparison: a tie is no progress, and nan compares false, so it never wins.
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = self.epoch
            self.bad_epochs = 0
            # state_dict() hands out the live tensors, which the optimizer updates in place;
            # only clones keep this epoch's values. It includes the buffers too.
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, model: nn.Module) -> None:
        if self.best_state is None:
            return
        # load_state_dict copies into the model's own tensors, so the saved copy stays private.
        model.load_state_dict(self.best_state)

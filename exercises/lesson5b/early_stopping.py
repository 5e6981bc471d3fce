"""Early stopping with patience, keeping and restoring the best weights.

After every epoch the training loop hands the validation loss and the model to an
``EarlyStopping`` object, which answers whether to stop. It remembers the best loss so
far and a COPY of the model's state at that epoch, and when training ends it puts that
state back, so the final model is the best one seen rather than the last one.

Nothing is off limits (there is no built-in early stopping in PyTorch).
"""

from torch import nn


class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs in a row.

    An epoch's loss is an improvement when ``val_loss < best_loss - min_delta`` (strictly:
    equal losses, and a ``nan`` loss, are not improvements). ``best_loss`` starts at
    ``float("inf")``, so the first finite loss always improves.

    Attributes (the checks read these):
        patience: the number of epochs in a row without improvement after which to stop.
        min_delta: the smallest decrease that counts as an improvement (>= 0).
        best_loss: the best (lowest) validation loss so far, a Python float.
        best_epoch: the number of the ``step`` call (0 for the first) that set ``best_loss``;
            -1 before any improvement.
        bad_epochs: epochs in a row without improvement, reset to 0 by an improvement.
    """

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        """Start with no best loss yet.

        Args:
            patience: at least 1.
            min_delta: at least 0.

        Raises:
            ValueError: when ``patience < 1`` or ``min_delta < 0``.
        """
        # TODO: validate and store the settings; best_loss = inf, best_epoch = -1,
        # bad_epochs = 0, and room for the saved state.
        raise NotImplementedError("TODO: EarlyStopping.__init__")

    def step(self, val_loss: float, model: nn.Module) -> bool:
        """Record one epoch's validation loss; return ``True`` when training should stop.

        On an improvement: remember the loss and the epoch, reset ``bad_epochs``, and save a
        copy of ``model.state_dict()`` in which every tensor is cloned (the state dict holds
        references to the live tensors, which the optimizer keeps changing in place; it also
        holds buffers such as batch norm's running statistics, which must be saved too).
        Otherwise: add one to ``bad_epochs``. Return ``bad_epochs >= patience``.

        Args:
            val_loss: this epoch's validation loss (a Python float, possibly ``nan``).
            model: the model being trained; it is only read, never changed.
        """
        # TODO: compare with best_loss - min_delta, update the counters, save a cloned state.
        raise NotImplementedError("TODO: EarlyStopping.step")

    def restore(self, model: nn.Module) -> None:
        """Load the saved best state into ``model`` (parameters and buffers, in place).

        The saved copy stays private: training the model further after a restore must not
        change it, so a second ``restore`` gives the same weights again. Does nothing when no
        state has been saved yet.
        """
        # TODO: copy the saved tensors back into the model.
        raise NotImplementedError("TODO: EarlyStopping.restore")


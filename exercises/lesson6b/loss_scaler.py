"""A dynamic loss scaler for float16 training, like ``torch.amp.GradScaler``.

float16 cannot hold magnitudes below about ``6e-8`` (they flush to zero) nor above ``65504``
(they become ``inf``). Many gradients are tiny, so mixed-precision training multiplies the
loss by a large ``scale`` before ``backward()``: by the chain rule every gradient is multiplied
by the same factor and lifted out of the underflow zone. Before the optimizer uses them, the
gradients are divided by ``scale`` again. If the scale was too large, some gradient overflowed
to ``inf`` (or became ``NaN``); then the step is skipped and the scale is lowered. After
``growth_interval`` steps in a row without overflow, the scale is raised again.

One training step with a scaler::

    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    scaler.scale(loss).backward()     # gradients are now scale times too large
    scaler.unscale_(optimizer)        # optional: to clip or inspect the true gradients
    scaler.step(optimizer)            # unscales (unless done above), steps unless inf/NaN was found
    scaler.update()                   # adjusts the scale for the next step

The rules of ``update`` (called once per step, after ``step``)::

    inf/NaN found this step:  scale = scale * backoff_factor, and the run of good steps restarts at 0
    otherwise:                 one more good step; when the run reaches growth_interval,
                               scale = scale * growth_factor and the run restarts at 0

Off limits: ``torch.amp.GradScaler`` (and ``torch.cuda.amp.GradScaler``) and the private
``torch._amp_update_scale_`` and ``torch._amp_foreach_non_finite_check_and_unscale_``.
"""

import torch


class DynamicLossScaler:
    """Scales the loss up before backward and the gradients down before the step."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
    ) -> None:
        """Remember the settings and start with no good steps counted.

        Args:
            init_scale: the first scale (65536 by default).
            growth_factor: the factor applied after ``growth_interval`` good steps in a row.
            backoff_factor: the factor applied after a step with inf/NaN gradients.
            growth_interval: how many good steps in a row raise the scale.
        """
        # TODO: store the scale and the settings, the count of good steps, and per-step state
        # (whether this step's gradients were unscaled, whether inf/NaN was found).
        raise NotImplementedError("TODO: DynamicLossScaler.__init__")

    def get_scale(self) -> float:
        """The current scale, as a Python float."""
        # TODO
        raise NotImplementedError("TODO: DynamicLossScaler.get_scale")

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        """``loss * scale``, still differentiable: call ``backward()`` on the result.

        Args:
            loss: a tensor (usually 0-d) that is part of an autograd graph.

        Returns:
            A new tensor ``loss * scale``; ``loss`` itself is not modified.
        """
        # TODO
        raise NotImplementedError("TODO: DynamicLossScaler.scale")

    def unscale_(self, optimizer: torch.optim.Optimizer) -> None:
        """Divide every gradient of the optimizer's parameters by the scale, in place.

        Visits ``p`` in every ``optimizer.param_groups[i]["params"]``; a parameter whose
        ``.grad`` is ``None`` is skipped. Remembers whether any gradient holds ``inf`` or
        ``NaN``, and that this step's gradients are now unscaled. Called at most once per step.

        Args:
            optimizer: a ``torch.optim`` optimizer.
        """
        # TODO: divide each gradient in place, check it for inf/NaN, remember both facts.
        raise NotImplementedError("TODO: DynamicLossScaler.unscale_")

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        """Unscale the gradients unless ``unscale_`` already did this step, then step if they are finite.

        Args:
            optimizer: a ``torch.optim`` optimizer whose parameters hold scaled gradients.

        Returns:
            ``True`` if ``optimizer.step()`` was called, ``False`` if the step was skipped
            because a gradient held ``inf`` or ``NaN`` (the parameters are then unchanged).
        """
        # TODO: never divide the same gradients twice; skip optimizer.step() on inf/NaN.
        raise NotImplementedError("TODO: DynamicLossScaler.step")

    def update(self) -> None:
        """Adjust the scale after a step (rules in the module docstring) and reset the per-step state."""
        # TODO: back off on inf/NaN, grow after growth_interval good steps in a row.
        raise NotImplementedError("TODO: DynamicLossScaler.update")

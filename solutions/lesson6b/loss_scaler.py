"""A dynamic loss scaler for float16 training, like torch.amp.GradScaler (reference solution)."""

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
        self._scale = float(init_scale)
        self.growth_factor = growth_factor
        self.backoff_factor = backoff_factor
        self.growth_interval = growth_interval
        self._good_steps = 0  # consecutive steps without inf/NaN since the last change of scale
        self._unscaled = False  # whether this step's gradients were already divided by the scale
        self._found_inf = False

    def get_scale(self) -> float:
        return self._scale

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        # Multiplying the loss multiplies every gradient by the same factor (chain rule), which
        # lifts small float16 gradients out of the range where they would round to zero.
        return loss * self._scale

    def unscale_(self, optimizer: torch.optim.Optimizer) -> None:
        with torch.no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.grad.div_(self._scale)
                    # inf and NaN both mean the scale was too large for some gradient.
                    if not bool(torch.isfinite(p.grad).all()):
                        self._found_inf = True
        self._unscaled = True

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        # The caller may have unscaled already (to clip the gradients, say); dividing a second
        # time would shrink the step by the scale once more.
        if not self._unscaled:
            self.unscale_(optimizer)
        if self._found_inf:
            return False  # a step with inf/NaN gradients would ruin the weights: skip it
        optimizer.step()
        return True

    def update(self) -> None:
        if self._found_inf:
            self._scale *= self.backoff_factor
            self._good_steps = 0
        else:
            self._good_steps += 1
            if self._good_steps == self.growth_interval:
                # A long run without overflow suggests the scale could be larger: try it.
                self._scale *= self.growth_factor
                self._good_steps = 0
        self._unscaled = False
        self._found_inf = False

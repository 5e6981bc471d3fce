"""AdamW: Adam with decoupled weight decay (reference solution)."""

from collections.abc import Iterable

import torch


class AdamW:
    """Adam with decoupled weight decay, matching ``torch.optim.AdamW``."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        """Remember the parameters and hyperparameters."""
        self.params = list(params)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.state: dict[int, dict] = {}

    @torch.no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        b1, b2 = self.beta1, self.beta2
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            # Decoupled decay: shrink the weight itself, before and apart from the adaptive
            # update, so every weight loses the same fraction whatever its gradient history.
            # Scaling by lr keeps the decay in step with a learning-rate schedule.
            p.mul_(1 - self.lr * self.weight_decay)
            if i not in self.state:
                self.state[i] = {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)}
            state = self.state[i]
            state["t"] += 1
            t, m, v = state["t"], state["m"], state["v"]
            # From here on, plain Adam on the raw gradient.
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))

    def zero_grad(self) -> None:
        """Clear every parameter's gradient."""
        for p in self.params:
            p.grad = None

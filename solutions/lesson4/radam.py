"""RAdam: Adam whose adaptive step is rectified while its variance estimate is unreliable (reference solution)."""

import math
from collections.abc import Iterable

import torch


class RAdam:
    """Rectified Adam with (coupled, L2-style) weight decay, matching ``torch.optim.RAdam``."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        """Remember the parameters and hyperparameters."""
        # list(): a generator such as model.parameters() would be used up by the first step.
        self.params = list(params)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay
        # Per-parameter state, created on the parameter's first step with a gradient.
        self.state: dict[int, dict] = {}

    @torch.no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        b1, b2 = self.beta1, self.beta2
        # The length of the simple average that the EMA of the squared gradients approaches.
        rho_inf = 2 / (1 - b2) - 1
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if i not in self.state:
                # zeros_like: the moments live on the parameter's device, with its dtype and shape.
                self.state[i] = {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)}
            state = self.state[i]
            # Each parameter counts its own steps: how reliable its v is depends on how many
            # gradients it has actually seen.
            state["t"] += 1
            g = p.grad
            if self.weight_decay != 0:
                # Coupled weight decay, as in Adam: the L2 penalty's gradient joins g.
                g = g + self.weight_decay * p
            t, m, v = state["t"], state["m"], state["v"]
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            m_hat = m / (1 - b1**t)
            bc2 = 1 - b2**t
            # How many samples v is, in effect, an average of at step t: 1 at t = 1, growing to rho_inf.
            rho_t = rho_inf - 2 * t * b2**t / bc2
            if rho_t > 5:
                # Enough samples: Adam's adaptive step, scaled by r, the square root of the ratio of the
                # long-run variance of 1 / sqrt(v) to its variance now (r grows towards 1 with rho_t).
                r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                # torch adds eps to the root of the uncorrected v and moves the correction above it.
                p.sub_(self.lr * r * m_hat * math.sqrt(bc2) / (v.sqrt() + self.eps))
            else:
                # Too few samples for sqrt(v) to be trusted: plain momentum, no division at all.
                p.sub_(self.lr * m_hat)

    def zero_grad(self) -> None:
        """Clear every parameter's gradient."""
        for p in self.params:
            p.grad = None

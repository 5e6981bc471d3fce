"""Adam, with bias correction and (coupled, L2-style) weight decay (reference solution)."""

from collections.abc import Iterable

import torch


class Adam:
    """Adam with bias correction and L2 weight decay, matching ``torch.optim.Adam``."""

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
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if i not in self.state:
                # zeros_like: the moments live on the parameter's device, with its dtype and shape.
                self.state[i] = {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)}
            state = self.state[i]
            # Each parameter counts its own steps: one that had no gradient on some steps
            # needs a bias correction for the number of updates it actually received.
            state["t"] += 1
            g = p.grad
            if self.weight_decay != 0:
                # Coupled weight decay: the L2 penalty's gradient joins g, so it is also
                # rescaled by the adaptive denominator below (which is what AdamW changes).
                g = g + self.weight_decay * p
            t, m, v = state["t"], state["m"], state["v"]
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            # m and v start at zero, so early averages are too small by a factor 1 - beta**t;
            # dividing it out makes the first steps about lr in size instead of tiny.
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            # eps outside the square root, as torch does: it only matters when v_hat is tiny.
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))

    def zero_grad(self) -> None:
        """Clear every parameter's gradient."""
        for p in self.params:
            p.grad = None

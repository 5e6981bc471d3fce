"""AdamW: Adam with decoupled weight decay."""

from collections.abc import Iterable

import torch


class AdamW:
    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        self.params = list(params)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.state: list[dict | None] = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p
            st = self.state[i]
            if st is None:
                st = {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)}
                self.state[i] = st
            st["t"] += 1
            t = st["t"]
            st["m"].mul_(self.beta1).add_(g, alpha=1 - self.beta1)
            st["v"].mul_(self.beta2).add_(g * g, alpha=1 - self.beta2)
            m_hat = st["m"] / (1 - self.beta1**t)
            v_hat = st["v"] / (1 - self.beta2**t)
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

"""AdamW with decoupled weight decay.

The decay is written as p.add_(p, alpha=-lr * wd) (the same as multiplying by 1 - lr * wd),
the moments are kept in two lists filled lazily, and the step is computed out of place then
subtracted.
"""

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
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        n = len(self.params)
        self.m: list[torch.Tensor | None] = [None] * n
        self.v: list[torch.Tensor | None] = [None] * n
        self.t = [0] * n

    def step(self) -> None:
        b1, b2 = self.betas
        with torch.no_grad():
            for k, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad.detach()
                if self.weight_decay != 0:
                    p.add_(p, alpha=-self.lr * self.weight_decay)
                if self.m[k] is None:
                    self.m[k] = torch.zeros_like(p)
                    self.v[k] = torch.zeros_like(p)
                self.t[k] += 1
                self.m[k] = b1 * self.m[k] + (1 - b1) * g
                self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
                m_hat = self.m[k] / (1 - b1 ** self.t[k])
                v_hat = self.v[k] / (1 - b2 ** self.t[k])
                update = m_hat / (torch.sqrt(v_hat) + self.eps)
                p.sub_(self.lr * update)

    def zero_grad(self) -> None:
        for p in self.params:
            if p.grad is not None:
                p.grad = None

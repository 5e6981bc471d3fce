"""SGD with momentum, Nesterov momentum and weight decay."""

from collections.abc import Iterable

import torch


class SGDMomentum:
    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.buffers: list[torch.Tensor | None] = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            if self.momentum != 0:
                buf = self.buffers[i]
                if self.nesterov:
                    # look ahead along the velocity we already have
                    lookahead = g if buf is None else g + self.momentum * buf
                if buf is None:
                    buf = g.clone()
                    self.buffers[i] = buf
                else:
                    buf.mul_(self.momentum).add_(g)
                g = lookahead if self.nesterov else buf
            p.sub_(self.lr * g)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

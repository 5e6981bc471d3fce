"""SGD with momentum, Nesterov momentum and weight decay.

The new buffer and the new parameter value are computed out of place; the parameter is then
overwritten with p.copy_(...), and the buffers live in a dict keyed by position.
"""

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
        self.param_list = []
        for p in params:
            self.param_list.append(p)
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.momentum_buffer: dict[int, torch.Tensor] = {}

    def step(self) -> None:
        with torch.no_grad():
            for k, p in enumerate(self.param_list):
                if p.grad is None:
                    continue
                d_p = torch.add(p.grad, p, alpha=self.weight_decay) if self.weight_decay else p.grad
                if self.momentum:
                    if k in self.momentum_buffer:
                        buf = torch.add(self.momentum * self.momentum_buffer[k], d_p)
                    else:
                        buf = d_p.detach().clone()
                    self.momentum_buffer[k] = buf
                    d_p = d_p + self.momentum * buf if self.nesterov else buf
                p.copy_(p - self.lr * d_p)

    def zero_grad(self) -> None:
        for p in self.param_list:
            p.grad = None

"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay (reference solution)."""

from collections.abc import Iterable

import torch


class SGDMomentum:
    """SGD with optional (Nesterov) momentum and L2 weight decay, matching ``torch.optim.SGD``."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        """Remember the parameters and hyperparameters."""
        # list(): a generator such as model.parameters() would be used up by the first step.
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        # One velocity per parameter, created lazily with the parameter's shape, dtype and device.
        self.buffers: list[torch.Tensor | None] = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        # no_grad: the parameters are leaves that require grad; the update itself must not be
        # recorded by autograd (and in-place changes to such leaves are refused otherwise).
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay != 0:
                # The L2 penalty (wd/2)|p|^2 has gradient wd * p: fold it into a new tensor,
                # never into p.grad itself, which belongs to the training loop.
                g = g + self.weight_decay * p
            if self.momentum != 0:
                buf = self.buffers[i]
                if buf is None:
                    # The first step starts the velocity at the gradient itself, as a copy: the
                    # buffer is updated in place later and must never write into p.grad.
                    buf = self.buffers[i] = g.clone()
                else:
                    # Velocity: a running sum of past gradients, each older one shrunk by momentum.
                    buf.mul_(self.momentum).add_(g)
                # Nesterov looks one step ahead along the velocity instead of following it.
                g = g + self.momentum * buf if self.nesterov else buf
            # In place: the caller (and the model) hold these very tensors. A whole-tensor
            # method works for every shape, 0-d included, where slicing (p[:]) would not.
            p.sub_(self.lr * g)

    def zero_grad(self) -> None:
        """Clear every parameter's gradient."""
        # None rather than zeros: the next backward() allocates a fresh gradient, and None
        # also marks "no gradient this step" for step().
        for p in self.params:
            p.grad = None

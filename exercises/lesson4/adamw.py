"""AdamW: Adam with decoupled weight decay.

Adam with an L2 penalty adds ``weight_decay * p`` to the gradient, so the decay then passes
through the adaptive denominator ``sqrt(v_hat) + eps``: weights with large, noisy gradients are
barely decayed. AdamW takes the decay out of the gradient and shrinks the weights directly, by
the same fraction for every weight. Like ``torch.optim.AdamW``, for every parameter with a
gradient ``g`` (the raw gradient: nothing is added to it), one ``step()`` does::

    p     = p * (1 - lr * weight_decay)          (decoupled decay, first)
    t     = t + 1
    m     = beta1 * m + (1 - beta1) * g
    v     = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    p     = p - lr * m_hat / (sqrt(v_hat) + eps)

Each parameter keeps its own ``m``, ``v`` and ``t``; parameters whose ``.grad`` is ``None`` are
skipped entirely (not decayed either).

Off limits: ``torch.optim.AdamW``, ``torch.optim.Adam`` and ``torch.optim._functional.adamw``.
"""

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
        """Remember the parameters and hyperparameters.

        Args:
            params: the tensors to optimize (any iterable, e.g. the generator ``model.parameters()``).
            lr: learning rate.
            betas: decay rates of the first and second moment averages.
            eps: added to the denominator, outside the square root.
            weight_decay: each step multiplies the weights by ``1 - lr * weight_decay``
                (note the default, 0.01, as in torch).
        """
        # TODO: store the parameters as a list, the hyperparameters, and per-parameter state.
        raise NotImplementedError("TODO: AdamW.__init__")

    def step(self) -> None:
        """Update every parameter that has a gradient, in place (see the module docstring)."""
        # TODO: under torch.no_grad(): decay the weight, then the Adam update with the raw gradient.
        raise NotImplementedError("TODO: AdamW.step")

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (set it to ``None``)."""
        # TODO
        raise NotImplementedError("TODO: AdamW.zero_grad")

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

What the checks hold every optimizer of this lesson to (``torch.optim``'s contract):

* ``params`` may be any iterable, including a generator such as ``model.parameters()``, which
  can be walked through only once: keep your own list.
* Parameters may have any shape, **including 0-d tensors** (shape ``()``); write the update with
  whole-tensor in-place methods (``p.sub_``, ``p.mul_``, ``p.add_``), which work for every shape.
* A parameter whose ``.grad`` is ``None`` has no gradient this step: **skip it** entirely (no
  update, no decay, no change to its state).
* ``step()`` changes each ``p`` in place under ``torch.no_grad()`` (the caller and the model hold
  those tensors; binding a new tensor to a name changes nothing) and only *reads* ``p.grad``: it
  never writes into it, also when ``step()`` is called twice with the same gradients.
* Per-parameter state is created with the parameter's shape, dtype and device
  (``torch.zeros_like(p)``, ``g.clone()``); float32 and float64 both work.
* ``zero_grad()`` sets every ``p.grad`` to ``None``, also when it is ``None`` already.

Off limits: ``torch.optim.AdamW``, ``torch.optim.Adam``, ``torch.optim._functional.adamw`` and
``torch.optim._functional.adam``.
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
        """Update every parameter that has a gradient, in place (see the module docstring).

        Parameters whose ``.grad`` is ``None`` are neither decayed nor updated; 0-d parameters
        work like any other; ``p.grad`` is read, never modified.
        """
        # TODO: under torch.no_grad(): decay the weight, then the Adam update with the raw gradient.
        raise NotImplementedError("TODO: AdamW.step")

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (set it to ``None``)."""
        # TODO
        raise NotImplementedError("TODO: AdamW.zero_grad")

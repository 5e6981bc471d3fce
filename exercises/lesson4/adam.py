"""Adam, with bias correction and (coupled, L2-style) weight decay.

Like ``torch.optim.Adam``: the optimizer holds a list of parameters and updates each one in
place from ``p.grad``. Every parameter keeps its own state: a first moment ``m``, a second
moment ``v`` (both start at zero) and a step count ``t`` that advances only on the steps where
that parameter has a gradient. For such a step, with ``beta1, beta2 = betas``::

    g     = g + weight_decay * p                 (L2 penalty folded into the gradient)
    t     = t + 1
    m     = beta1 * m + (1 - beta1) * g          (running mean of the gradients)
    v     = beta2 * v + (1 - beta2) * g**2       (running mean of their squares)
    m_hat = m / (1 - beta1**t)                   (bias correction: m and v start at 0)
    v_hat = v / (1 - beta2**t)
    p     = p - lr * m_hat / (sqrt(v_hat) + eps)

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

Off limits: ``torch.optim.Adam``, ``torch.optim.AdamW``, ``torch.optim._functional.adam`` and
``torch.optim._functional.adamw``.
"""

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
        """Remember the parameters and hyperparameters.

        Args:
            params: the tensors to optimize (any iterable, e.g. the generator ``model.parameters()``).
            lr: learning rate.
            betas: decay rates of the first and second moment averages.
            eps: added to the denominator, outside the square root.
            weight_decay: L2 penalty factor, added to each gradient as ``weight_decay * p``.
        """
        # TODO: store the parameters as a list, the hyperparameters, and per-parameter state.
        raise NotImplementedError("TODO: Adam.__init__")

    def step(self) -> None:
        """Update every parameter that has a gradient, in place (see the module docstring).

        Parameters whose ``.grad`` is ``None`` are skipped (their ``t``, ``m`` and ``v`` do not
        change); 0-d parameters work like any other; ``p.grad`` is read, never modified.
        """
        # TODO: under torch.no_grad(), apply the update rule with each parameter's own t, m, v.
        raise NotImplementedError("TODO: Adam.step")

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (set it to ``None``)."""
        # TODO
        raise NotImplementedError("TODO: Adam.zero_grad")

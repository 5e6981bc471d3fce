"""RAdam (rectified Adam): Adam whose adaptive step is held back while its variance estimate is unreliable.

Like ``torch.optim.RAdam``: the optimizer holds a list of parameters and updates each one in
place from ``p.grad``. Every parameter keeps its own state: a first moment ``m``, a second
moment ``v`` (both start at zero) and a step count ``t`` that advances only on the steps where
that parameter has a gradient. With ``beta1, beta2 = betas`` and the constant
``rho_inf = 2 / (1 - beta2) - 1``, a step with a gradient is::

    g     = g + weight_decay * p                 (L2 penalty folded into the gradient)
    t     = t + 1
    m     = beta1 * m + (1 - beta1) * g          (as in Adam)
    v     = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)

    if rho_t > 5:                                (v rests on enough samples: rectified Adam step)
        r = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        p = p - lr * r * m_hat * sqrt(1 - beta2**t) / (sqrt(v) + eps)
    else:                                        (too few samples: momentum only, no division)
        p = p - lr * m_hat

``t`` is a plain Python int, so ``rho_t`` and ``r`` are plain numbers (``math.sqrt``). Mind two
details of torch's version. The threshold is ``rho_t > 5`` (the paper used 4); with
``beta2 = 0.999`` the first five steps of every parameter take the plain momentum step. And
``eps`` is added to the root of the *uncorrected* ``v``, with the bias correction
``sqrt(1 - beta2**t)`` in the numerator: ``sqrt(v_hat) + eps`` as in Adam gives different
steps when the gradients are tiny.

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
  (``torch.zeros_like(p)``); float32 and float64 both work.
* ``zero_grad()`` sets every ``p.grad`` to ``None``, also when it is ``None`` already.

Off limits: ``torch.optim.RAdam``, ``torch.optim.Adam``, ``torch.optim.AdamW``,
``torch.optim._functional.radam``, ``torch.optim._functional.adam`` and
``torch.optim._functional.adamw``.
"""

import math  # noqa: F401  (for math.sqrt of the Python numbers rho_t and r)
from collections.abc import Iterable

import torch


class RAdam:
    """Rectified Adam with L2 weight decay, matching ``torch.optim.RAdam``."""

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
            eps: added to ``sqrt(v)`` (the uncorrected second moment) in the rectified step.
            weight_decay: L2 penalty factor, added to each gradient as ``weight_decay * p``.
        """
        # TODO: store the parameters as a list, the hyperparameters, and per-parameter state.
        raise NotImplementedError("TODO: RAdam.__init__")

    def step(self) -> None:
        """Update every parameter that has a gradient, in place (see the module docstring).

        Parameters whose ``.grad`` is ``None`` are skipped (their ``t``, ``m`` and ``v`` do not
        change); whether a parameter takes the rectified or the momentum step depends on its own
        ``t``; 0-d parameters work like any other; ``p.grad`` is read, never modified.
        """
        # TODO: under torch.no_grad(), update m and v, compute rho_t from this parameter's t, and
        # take the rectified adaptive step when rho_t > 5, the momentum step lr * m_hat otherwise.
        raise NotImplementedError("TODO: RAdam.step")

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (set it to ``None``)."""
        # TODO
        raise NotImplementedError("TODO: RAdam.zero_grad")

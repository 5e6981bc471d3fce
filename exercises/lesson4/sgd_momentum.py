"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay.

The optimizer works like ``torch.optim.SGD`` (with ``dampening=0``): it holds a list of
parameter tensors, reads the gradient each one carries in ``p.grad`` and updates ``p`` in place.
For each parameter with a gradient ``g``, one ``step()`` does::

    g = g + weight_decay * p                 (L2 penalty folded into the gradient)
    if momentum != 0:
        buf = g                              on the parameter's first step
        buf = momentum * buf + g             on every later step
        g   = g + momentum * buf   if nesterov   else   buf
    p = p - lr * g                           (in place: the caller holds p)

Each parameter has its own momentum buffer, started on that parameter's first step with a
gradient and advanced only on steps where it has one.

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

Off limits: ``torch.optim.SGD`` and ``torch.optim._functional.sgd``.
"""

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
        """Remember the parameters and hyperparameters.

        Args:
            params: the tensors to optimize (any iterable, e.g. ``model.parameters()``, which is a
                generator: it can be walked through only once).
            lr: learning rate, > 0.
            momentum: momentum factor in ``[0, 1)``; 0 gives plain SGD.
            nesterov: use Nesterov momentum (look ahead along the buffer).
            weight_decay: L2 penalty factor, added to each gradient as ``weight_decay * p``.
        """
        # TODO: store the parameters as a list, the hyperparameters, and room for one
        # momentum buffer per parameter.
        raise NotImplementedError("TODO: SGDMomentum.__init__")

    def step(self) -> None:
        """Update every parameter that has a gradient, in place (see the module docstring).

        Parameters whose ``.grad`` is ``None`` are skipped; 0-d parameters work like any other;
        ``p.grad`` is read, never modified.
        """
        # TODO: under torch.no_grad() (the parameters require grad), apply the update rule.
        raise NotImplementedError("TODO: SGDMomentum.step")

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (set it to ``None``, as torch does by default)."""
        # TODO: also fine when a gradient is already None.
        raise NotImplementedError("TODO: SGDMomentum.zero_grad")

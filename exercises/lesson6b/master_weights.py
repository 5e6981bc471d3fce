"""Low-precision weights with a float32 master copy.

In mixed-precision training the model's weights live in a 16-bit format (``bfloat16`` or
``float16``), so the forward and backward passes are fast and small, and the gradients
arrive in that format too. The update itself must not happen there: ``bfloat16`` keeps only
8 significant bits, so near 1.0 its numbers are ``2**-8`` apart (``2**-7`` above 1), and an
update of ``1e-4`` rounds away to nothing, step after step. So the optimizer keeps a float32
"master" copy of every weight and, at each step::

    m = m - lr * float32(p.grad)        (on the master copy, in float32)
    p = round_to_p_dtype(m)             (the model's weight becomes the rounded master)

Small updates accumulate in ``m`` until they are large enough to change ``p``.

``make_master`` makes the copy; ``master_sgd_step`` does one step for every parameter.
No built-in is off limits.
"""

import torch
from torch import nn


def make_master(model: nn.Module) -> list[torch.Tensor]:
    """float32 master copies of the model's parameters.

    Args:
        model: any ``nn.Module``; its parameters may be bfloat16, float16 or float32.

    Returns:
        One tensor per parameter, in the order of ``model.parameters()``: float32, same
        shape, same values, same device, ``requires_grad=False``, and in its own memory (for
        a float32 model too, where ``.float()`` alone would return the parameter itself).
    """
    # TODO: a detached float32 copy of each parameter.
    raise NotImplementedError("TODO: make_master")


def master_sgd_step(model: nn.Module, master: list[torch.Tensor], lr: float) -> None:
    """One SGD step on the master copy, copied back into the model.

    For every parameter ``p`` (in the order of ``model.parameters()``) and its master ``m``
    whose gradient is not ``None``: ``m -= lr * p.grad`` computed in float32, then ``p`` takes
    the value of ``m`` rounded to ``p``'s dtype. A parameter whose ``.grad`` is ``None`` (a
    frozen one, say) is skipped: neither it nor its master changes.

    Args:
        model: the model, whose parameters hold gradients from ``backward()``.
        master: the list from ``make_master``; updated in place.
        lr: learning rate.

    Returns:
        None. ``master`` and the model's parameters are updated in place: the parameters keep
        their dtype and stay the same objects (work under ``torch.no_grad()``). The gradients
        are left as they are.
    """
    # TODO: under torch.no_grad(), update each master in float32 and copy it into its parameter.
    raise NotImplementedError("TODO: master_sgd_step")

"""Weight decay (L2 regularisation), two ways that agree.

Adding ``wd / 2 * sum ||p||^2`` to the loss adds ``wd * p`` to each gradient, so a plain
SGD step on the penalised loss is the same as an SGD step that *decays* each weight:

    p_new = p - lr * (grad + wd * p)

Build both and the grader checks that they agree, and that the step matches
``torch.optim.SGD(..., weight_decay=wd)``. Off limits: ``torch.optim.SGD``.
"""

import torch


def sgd_step_weight_decay(
    params: list[torch.Tensor], grads: list[torch.Tensor], lr: float, wd: float
) -> list[torch.Tensor]:
    """One SGD step with L2 weight decay.

    ``new_p = p - lr * (g + wd * p)`` for each pair ``(p, g)``.

    Args:
        params: the parameters, tensors of any shapes (0-d included).
        grads: the gradients of the (unpenalised) loss, one per parameter, same shapes.
        lr: the learning rate.
        wd: the weight-decay coefficient (``0`` gives plain SGD).

    Returns:
        A list of new tensors, one per parameter, with its shape, dtype and device.
        ``params`` and ``grads`` must not be modified.
    """
    # TODO: add wd * p to each gradient and take a step of size lr, out of place.
    raise NotImplementedError("TODO: sgd_step_weight_decay")


def l2_penalty(params: list[torch.Tensor], wd: float) -> torch.Tensor:
    """The L2 penalty whose gradient is the decay term.

    ``penalty = wd / 2 * sum_p sum_j p_j ** 2``

    Args:
        params: a non-empty list of tensors of any shapes (they may require gradients).
        wd: the weight-decay coefficient.

    Returns:
        A 0-d tensor with the params' dtype and device, differentiable with respect to
        every parameter (its gradient is ``wd * p``).
    """
    # TODO: sum the squares of every entry of every parameter, then scale by wd / 2.
    raise NotImplementedError("TODO: l2_penalty")

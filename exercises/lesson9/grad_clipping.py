"""Gradient clipping by the global norm.

Recurrent networks multiply by the same weights at every step, so their gradients can
explode: one unlucky batch produces an enormous step that ruins the weights. Clipping
rescales the gradients of all parameters together whenever their joint norm exceeds a
threshold, which bounds the step but keeps its direction.

Off limits: ``torch.nn.utils.clip_grad_norm_``, ``torch.nn.utils.clip_grad_norm``,
``torch.nn.utils.clip_grads_with_norm_`` and ``torch.nn.utils.get_total_norm``.
"""

import torch


def clip_grad_norm(params: list[torch.Tensor], max_norm: float) -> torch.Tensor:
    """Clip the gradients of ``params`` in place by their global L2 norm.

    ``total = sqrt(sum over parameters p of sum(p.grad ** 2))`` (parameters whose ``.grad`` is
    ``None`` are skipped). If ``total > max_norm``, every ``p.grad`` is multiplied in place by
    ``max_norm / (total + 1e-6)``; otherwise the gradients are left alone. This matches
    ``torch.nn.utils.clip_grad_norm_(params, max_norm)``.

    Args:
        params: tensors (usually ``nn.Parameter``) whose ``.grad`` is a tensor or ``None``,
            all on one device.
        max_norm: the largest allowed global norm, ``> 0``.

    Returns:
        ``total``, the global norm BEFORE clipping: a 0-d tensor with the gradients' dtype and
        device (``torch.tensor(0.0)`` when no parameter has a gradient). Each ``p.grad`` stays
        the same tensor object (scaled in place, so references held elsewhere see the clipped
        values); a ``None`` gradient stays ``None``; the parameters' own data is not touched.
        Huge gradients (1e150), a tiny ``max_norm`` (1e-8) and all-zero gradients must give no
        inf or NaN.
    """
    # TODO: collect the existing grads, compute one norm over all of them, and scale each grad in place if needed.
    raise NotImplementedError("TODO: clip_grad_norm")

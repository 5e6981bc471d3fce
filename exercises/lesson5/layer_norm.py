"""Layer normalization over the last dimensions of a tensor.

``normalized_shape`` names the trailing ``k`` dimensions to normalise over (for example
``(D,)`` for token features, or ``(C, H, W)`` for a whole image). For every position in the
leading dimensions::

    mean = mean of the trailing k dims
    var  = mean of (x - mean) ** 2                   (biased: divide by the count)
    y    = (x - mean) / sqrt(var + eps) * weight + bias

``weight`` and ``bias`` have the shape ``normalized_shape`` and broadcast against the
trailing dimensions. Unlike batch norm, nothing is averaged over the batch, so there are no
running statistics and training and evaluation behave the same.

The result must be differentiable with respect to ``x``, ``weight`` and ``bias``, keep the
dtype and device of ``x``, and stay accurate in float32 for rows far from zero (mean 1e3,
spread 1), where ``E[x^2] - E[x]^2`` loses its digits. Do not modify ``x`` in place.

Do not call ``torch.nn.functional.layer_norm``, ``torch.layer_norm`` or ``torch.nn.LayerNorm``.
"""

import torch


def layer_norm(
    x: torch.Tensor,
    normalized_shape: tuple[int, ...],
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Normalise ``x`` over its last ``len(normalized_shape)`` dimensions.

    Args:
        x: float tensor of shape ``(*, *normalized_shape)``.
        normalized_shape: the sizes of the trailing dimensions to normalise over.
        weight: scale of shape ``normalized_shape``, or ``None`` for 1.
        bias: shift of shape ``normalized_shape``, or ``None`` for 0.
        eps: added to the variance inside the square root.

    Returns:
        A tensor with the shape and dtype of ``x``.
    """
    # TODO: the dims to reduce are the last len(normalized_shape) ones.
    # TODO: subtract the mean first, then average the squares (biased variance);
    #       divide by sqrt(var + eps), then scale and shift.
    raise NotImplementedError("TODO: layer_norm")

"""Concat pooling: global max and global average, side by side.

A classifier head needs a fixed-size vector whatever the size of the feature map. Concat
pooling (fastai's ``AdaptiveConcatPool2d``) keeps two summaries of every channel, its
strongest activation and its average one, and concatenates them on the channel dimension.

For ``x`` of shape ``(N, C, H, W)``, with any ``H, W >= 1``::

    out[:, :C] = max of x over (H, W)        (the max comes FIRST, as in fastai)
    out[:, C:] = mean of x over (H, W)

so the output has shape ``(N, 2C)``.

Do not call ``F.adaptive_max_pool2d``, ``F.adaptive_avg_pool2d``, their ``nn`` modules, or
``F.max_pool2d`` / ``F.avg_pool2d``.
"""

import torch


def concat_pool(x: torch.Tensor) -> torch.Tensor:
    """Global max pooling then global average pooling, concatenated per sample.

    Args:
        x: float tensor of shape ``(N, C, H, W)``.

    Returns:
        A tensor of shape ``(N, 2 * C)``: ``[max_0 .. max_{C-1}, mean_0 .. mean_{C-1}]`` for
        each sample, with the dtype and device of ``x``, differentiable with respect to ``x``:
        each channel's max sends its whole gradient to one winning position, also when several
        positions tie for the maximum (one of them gets all of it, the others nothing, as for
        ``F.adaptive_max_pool2d``). ``x`` is not modified.
    """
    # TODO: reduce over dims 2 and 3 twice (a max and a mean), each giving (N, C).
    # TODO: concatenate them along dim 1, the max first.
    raise NotImplementedError("TODO: concat_pool")

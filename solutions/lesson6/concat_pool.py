"""Concat pooling: global max and global average, side by side (reference solution)."""

import torch


def concat_pool(x: torch.Tensor) -> torch.Tensor:
    """Global max pooling then global average pooling, concatenated per sample."""
    # Flattening H and W into one dimension makes "global" a reduction over one axis, for
    # any spatial size; max(dim) sends the gradient to one winning position per channel.
    flat = x.flatten(2)
    mx = flat.max(dim=2).values
    # The max answers "is this feature present anywhere?", the mean "how much of it is
    # there?": keeping both gives the head more to work with than either alone.
    av = x.mean(dim=(2, 3))
    # fastai's order: max first, then mean. Channels stay on dim 1, the batch on dim 0.
    return torch.cat([mx, av], dim=1)

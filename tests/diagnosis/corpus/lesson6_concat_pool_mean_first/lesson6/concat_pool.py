"""Concat pooling: global average and global max, side by side."""

import torch


def concat_pool(x: torch.Tensor) -> torch.Tensor:
    flat = x.flatten(start_dim=2)
    avg = flat.mean(dim=2)
    mx = flat.max(dim=2).values
    return torch.cat([avg, mx], dim=1)

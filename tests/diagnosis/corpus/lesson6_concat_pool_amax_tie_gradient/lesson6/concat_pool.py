"""Concat pooling: global max and global average, side by side."""

import torch


def concat_pool(x: torch.Tensor) -> torch.Tensor:
    mx = x.amax(dim=(2, 3))
    avg = x.mean(dim=(2, 3))
    return torch.cat([mx, avg], dim=1)

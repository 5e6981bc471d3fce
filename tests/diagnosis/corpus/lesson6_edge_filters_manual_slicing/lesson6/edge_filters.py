"""Sobel edge filters, cross-correlated by hand.

Both kernels are written out literally; the response is the sum over the nine taps of the tap
weight times the shifted (H-2, W-2) view of the image.
"""

import torch


def vertical_edge_kernel() -> torch.Tensor:
    return torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=torch.float32)


def horizontal_edge_kernel() -> torch.Tensor:
    return torch.tensor([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=torch.float32)


def _correlate(images: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    H, W = images.shape[-2:]
    out = None
    for u in range(3):
        for v in range(3):
            tap = float(kernel[u, v])  # a constant of the filter, not a learned value
            if tap == 0.0:
                continue
            term = tap * images[:, 0, u : u + H - 2, v : v + W - 2]
            out = term if out is None else out + term
    return out


def detect_edges(images: torch.Tensor) -> torch.Tensor:
    vertical = _correlate(images, vertical_edge_kernel())
    horizontal = _correlate(images, horizontal_edge_kernel())
    return torch.stack([vertical, horizontal], dim=1)

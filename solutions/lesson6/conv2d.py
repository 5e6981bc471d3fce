"""2-D convolution (cross-correlation), written with slices and einsum (reference solution)."""

import torch
import torch.nn.functional as F


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """Cross-correlate a batch of images with a bank of filters."""
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    n, c_in, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_w != c_in:
        raise ValueError(f"weight expects {c_w} input channels, x has {c_in}")
    # F.pad's pairs run from the last dimension backwards: (left, right, top, bottom).
    xp = F.pad(x, (pw, pw, ph, ph))
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1

    out = x.new_zeros((n, c_out, h_out, w_out))
    # Loop over the kH * kW kernel offsets (a handful), not over output pixels: each offset
    # is one strided slice of the input, and all output positions are done at once.
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u : u + sh * (h_out - 1) + 1 : sh, v : v + sw * (w_out - 1) + 1 : sw]
            # Sum over input channels: (N, C_in, Ho, Wo) x (C_out, C_in) -> (N, C_out, Ho, Wo).
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, u, v])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out

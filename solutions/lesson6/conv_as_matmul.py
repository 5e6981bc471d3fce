"""A convolution as a matrix product, two ways (reference solution)."""

import torch


def conv_matrix(kernel: torch.Tensor, height: int, width: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """The matrix ``M`` with ``M @ image.flatten() == conv2d(image, kernel).flatten()``."""
    kh, kw = kernel.shape
    h_out = (height + 2 * padding - kh) // stride + 1
    w_out = (width + 2 * padding - kw) // stride + 1
    rows, cols, taps = [], [], []
    for i in range(h_out):
        for j in range(w_out):
            for u in range(kh):
                for v in range(kw):
                    # Which input pixel does kernel tap (u, v) see for output (i, j)? Taps that land
                    # in the zero padding multiply a zero, so they get no column at all.
                    r, c = i * stride - padding + u, j * stride - padding + v
                    if 0 <= r < height and 0 <= c < width:
                        rows.append(i * w_out + j)
                        cols.append(r * width + c)
                        taps.append(u * kw + v)
    m = kernel.new_zeros((h_out * w_out, height * width))
    if not rows:
        return m
    dev = kernel.device
    index = (torch.tensor(rows, device=dev), torch.tensor(cols, device=dev))
    # The same few kernel values fill every row (weight sharing), everything else stays zero
    # (sparsity). Gathering them from the kernel, out of place, keeps the matrix differentiable:
    # the gradient of each kernel value is the sum over all the entries it fills.
    return m.index_put(index, kernel.reshape(-1)[torch.tensor(taps, device=dev)])


def patches(x: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    """Every ``kh x kw`` patch of ``x`` (all channels), flattened: ``(N, H_out * W_out, C * kh * kw)``."""
    n, c, h, w = x.shape
    h_out, w_out = h - kh + 1, w - kw + 1
    # One shifted view per kernel offset; stacking them after the channel dimension orders each
    # patch's features as (channel, u, v), the order of weight.reshape(C_out, -1).
    shifted = [x[:, :, u : u + h_out, v : v + w_out] for u in range(kh) for v in range(kw)]
    stacked = torch.stack(shifted, dim=2)  # (N, C, kh * kw, H_out, W_out)
    return stacked.reshape(n, c * kh * kw, h_out * w_out).transpose(1, 2)


def conv2d_by_patches(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """``F.conv2d(x, weight, bias)`` (stride 1, no padding) as one linear layer applied to every patch."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out, w_out = h - kh + 1, w - kw + 1
    # The same small linear layer (C_out x C_in*kh*kw) scores every patch: a one-layer MLP that
    # slides over the image.
    out = patches(x, kh, kw) @ weight.reshape(c_out, -1).T  # (N, L, C_out)
    if bias is not None:
        out = out + bias
    # Channels first, then the positions back into a grid.
    return out.transpose(1, 2).reshape(n, c_out, h_out, w_out)

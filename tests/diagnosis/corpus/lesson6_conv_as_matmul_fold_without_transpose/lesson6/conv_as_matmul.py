"""A convolution as a matrix product: the sparse matrix view and the patches view."""

import torch


def conv_matrix(kernel: torch.Tensor, height: int, width: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    kH, kW = kernel.shape
    H_out = (height + 2 * padding - kH) // stride + 1
    W_out = (width + 2 * padding - kW) // stride + 1
    M = kernel.new_zeros((H_out * W_out, height * width))
    for i in range(H_out):
        for j in range(W_out):
            for u in range(kH):
                for v in range(kW):
                    r = i * stride - padding + u
                    c = j * stride - padding + v
                    if 0 <= r < height and 0 <= c < width:
                        M[i * W_out + j, r * width + c] = kernel[u, v]
    return M


def patches(x: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    N, C, H, W = x.shape
    H_out, W_out = H - kh + 1, W - kw + 1
    slices = [x[:, :, u : u + H_out, v : v + W_out] for u in range(kh) for v in range(kw)]
    stacked = torch.stack(slices, dim=2)  # (N, C, kh*kw, H_out, W_out)
    return stacked.reshape(N, C * kh * kw, H_out * W_out).transpose(1, 2)


def conv2d_by_patches(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    N, C, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    H_out, W_out = H - kH + 1, W - kW + 1
    out = patches(x, kH, kW) @ weight.reshape(C_out, -1).T  # (N, L, C_out)
    if bias is not None:
        out = out + bias
    return out.reshape(N, C_out, H_out, W_out)

"""A convolution as a matrix product.

conv_matrix collects every (row, column, kernel tap) triple first and writes them with one
out-of-place index_put; patches loops over output positions and flattens each window;
conv2d_by_patches is an einsum.
"""

import torch


def conv_matrix(kernel: torch.Tensor, height: int, width: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    kH, kW = kernel.shape
    H_out = (height + 2 * padding - kH) // stride + 1
    W_out = (width + 2 * padding - kW) // stride + 1
    rows, cols, us, vs = [], [], [], []
    for i in range(H_out):
        for j in range(W_out):
            for u in range(kH):
                r = i * stride - padding + u
                if not 0 <= r < height:
                    continue
                for v in range(kW):
                    c = j * stride - padding + v
                    if 0 <= c < width:
                        rows.append(i * W_out + j)
                        cols.append(r * width + c)
                        us.append(u)
                        vs.append(v)
    dev = kernel.device
    M = kernel.new_zeros((H_out * W_out, height * width))
    if not rows:
        return M
    values = kernel[torch.tensor(us, device=dev), torch.tensor(vs, device=dev)]
    index = (torch.tensor(rows, device=dev), torch.tensor(cols, device=dev))
    return M.index_put(index, values)


def patches(x: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    N, C, H, W = x.shape
    H_out, W_out = H - kh + 1, W - kw + 1
    rows = []
    for i in range(H_out):
        for j in range(W_out):
            rows.append(x[:, :, i : i + kh, j : j + kw].reshape(N, C * kh * kw))
    return torch.stack(rows, dim=1)


def conv2d_by_patches(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    N, C, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    H_out, W_out = H - kH + 1, W - kW + 1
    out = torch.einsum("nlk,ok->nol", patches(x, kH, kW), weight.reshape(C_out, -1))
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(N, C_out, H_out, W_out)

"""2-D cross-correlation with stride and zero padding.

Padding copies x into a bigger zero tensor; then one output position at a time, the window is
flattened and multiplied by the flattened filter bank.
"""

import torch


def conv2d(x, weight, bias=None, stride=1, padding=0):
    sH, sW = (stride, stride) if isinstance(stride, int) else tuple(stride)
    pH, pW = (padding, padding) if isinstance(padding, int) else tuple(padding)
    N, C, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    xp = x.new_zeros((N, C, H + 2 * pH, W + 2 * pW))
    xp[:, :, pH : pH + H, pW : pW + W] = x
    H_out = (H + 2 * pH - kH) // sH + 1
    W_out = (W + 2 * pW - kW) // sW + 1
    w_flat = weight.reshape(C_out, -1)
    rows = []
    for i in range(H_out):
        cols = []
        for j in range(W_out):
            window = xp[:, :, i * sH : i * sH + kH, j * sW : j * sW + kW].reshape(N, -1)
            cols.append(window @ w_flat.T)  # (N, C_out)
        rows.append(torch.stack(cols, dim=-1))  # (N, C_out, W_out)
    out = torch.stack(rows, dim=-2)  # (N, C_out, H_out, W_out)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out

"""A convolution is a matrix multiplication: two ways to see it.

1. **A sparse, weight-shared matrix.** For one single-channel ``H x W`` image and one
   ``kH x kW`` kernel, flatten the image into a vector of length ``H * W``. The convolution
   (cross-correlation, as in the conv2d exercise: the kernel is not flipped) is then
   ``M @ image.flatten()`` for a matrix ``M`` of shape ``(H_out * W_out, H * W)``. Row
   ``i * W_out + j`` of ``M`` computes output pixel ``(i, j)``::

       M[i * W_out + j, r * W + c] = kernel[u, v]   where r = i * stride - padding + u
                                                         c = j * stride - padding + v
                                                         and 0 <= r < H, 0 <= c < W

   and every other entry is 0 (kernel taps that fall in the zero padding get no column).
   Each row holds at most ``kH * kW`` non-zeros (sparse), and they are the same kernel
   values in every row (weight sharing).

2. **One small linear layer at every position.** Cut every ``kH x kW`` patch of a batch of
   ``C_in``-channel images into a vector of ``C_in * kH * kW`` numbers, ordered (channel,
   row ``u``, column ``v``) like ``weight.reshape(C_out, -1)``. The convolution applies the
   same linear map (a one-layer MLP with weight ``weight.reshape(C_out, -1)`` and bias
   ``bias``) to every patch vector.

Build it with indexing, slicing, ``torch.stack``/``torch.cat`` and matrix products. Off
limits: ``torch.nn.functional.conv2d``, ``torch.conv2d``, ``torch.nn.Conv2d``,
``torch.convolution``, ``torch.nn.functional.unfold``, ``torch.nn.Unfold`` and
``Tensor.unfold``.
"""

import torch


def conv_matrix(kernel: torch.Tensor, height: int, width: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """The matrix ``M`` with ``M @ image.flatten() == conv2d(image, kernel).flatten()``.

    ``H_out = (height + 2 * padding - kH) // stride + 1``, and the same for ``W_out``.

    Args:
        kernel: float tensor of shape ``(kH, kW)``; it fits inside the padded image.
        height: ``H``, the image height.
        width: ``W``, the image width.
        stride: the step between neighbouring windows, in both directions.
        padding: zero rows and columns added on every side.

    Returns:
        A tensor of shape ``(H_out * W_out, H * W)`` with the dtype and device of ``kernel``,
        differentiable with respect to ``kernel``: fill it with the kernel's own tensor
        entries, never with Python numbers taken out of it (``float``, ``.item()``,
        ``.tolist()``), and do not modify ``kernel``.
    """
    # TODO: for every output position (i, j) and kernel tap (u, v), find the input pixel
    #       (r, c) the tap sees; skip it if it lies in the padding.
    # TODO: put kernel[u, v] at row i * W_out + j, column r * W + c of a zero matrix made
    #       with kernel.new_zeros (assigning tensor entries, or index_put, keeps autograd).
    raise NotImplementedError("TODO: conv_matrix")


def patches(x: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    """Every ``kh x kw`` patch of ``x``, all channels, flattened into one row per position.

    With ``H_out = H - kh + 1`` and ``W_out = W - kw + 1`` (stride 1, no padding)::

        out[n, i * W_out + j, ch * kh * kw + u * kw + v] = x[n, ch, i + u, j + v]

    Args:
        x: float tensor of shape ``(N, C, H, W)`` with ``H >= kh`` and ``W >= kw``.
        kh: patch height.
        kw: patch width.

    Returns:
        A tensor of shape ``(N, H_out * W_out, C * kh * kw)`` with the dtype and device of
        ``x``, differentiable with respect to ``x``.
    """
    # TODO: take the kh * kw shifted slices x[:, :, u : u + H_out, v : v + W_out], stack them
    #       right after the channel dimension, then flatten and move the positions to dim 1.
    raise NotImplementedError("TODO: patches")


def conv2d_by_patches(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """``conv2d(x, weight, bias)`` with stride 1 and no padding, as a linear layer on every patch.

    Args:
        x: float tensor of shape ``(N, C_in, H, W)``.
        weight: float tensor of shape ``(C_out, C_in, kH, kW)``.
        bias: ``(C_out,)`` or ``None``.

    Returns:
        A tensor of shape ``(N, C_out, H - kH + 1, W - kW + 1)`` with the dtype and device of
        ``x``, differentiable with respect to ``x``, ``weight`` and ``bias``.
    """
    # TODO: multiply the patches (N, L, C_in*kH*kW) by weight.reshape(C_out, -1).T and add the bias.
    # TODO: put the output channels before the positions, then fold the positions into (H_out, W_out).
    raise NotImplementedError("TODO: conv2d_by_patches")

"""Hand-set edge filters (Sobel) applied to a batch of grey-scale images.

Before networks learned their filters, people designed them. The Sobel filters compare the
pixels on one side of a point with those on the other side, weighting the middle row (or
column) twice::

    vertical edges (intensity changes from left to right)      horizontal edges (top to bottom)
        [[-1, 0, 1],                                               [[-1, -2, -1],
         [-2, 0, 2],                                                [ 0,  0,  0],
         [-1, 0, 1]]                                                [ 1,  2,  1]]

They are applied as a cross-correlation (the deep-learning "convolution": the kernel is not
flipped), so a step from dark on the left to bright on the right gives a POSITIVE response
in the vertical-edge channel, and a step from dark at the top to bright at the bottom a
positive response in the horizontal-edge channel. Each kernel sums to 0, so a flat region
gives 0.

Here you may use ``torch.nn.functional.conv2d`` (or your own convolution from the conv2d
exercise): the point is choosing the kernels and the layout of the output.
"""

import torch


def vertical_edge_kernel() -> torch.Tensor:
    """The 3x3 Sobel kernel that responds to vertical edges (left-to-right changes).

    Returns:
        A float32 tensor of shape ``(3, 3)``.
    """
    # TODO: build the kernel shown in the module docstring with torch.tensor(...).
    raise NotImplementedError("TODO: vertical_edge_kernel")


def horizontal_edge_kernel() -> torch.Tensor:
    """The 3x3 Sobel kernel that responds to horizontal edges (top-to-bottom changes).

    Returns:
        A float32 tensor of shape ``(3, 3)``.
    """
    # TODO: the transpose of the vertical-edge kernel.
    raise NotImplementedError("TODO: horizontal_edge_kernel")


def detect_edges(images: torch.Tensor) -> torch.Tensor:
    """Apply both kernels to every image, without padding.

    Args:
        images: float tensor of shape ``(N, 1, H, W)`` with ``H, W >= 3``.

    Returns:
        A tensor of shape ``(N, 2, H - 2, W - 2)`` with the dtype and device of ``images``:
        channel 0 is the vertical-edge response, channel 1 the horizontal-edge response.
        It must be differentiable with respect to ``images`` (stay in torch operations), and
        ``images`` is not modified.
    """
    # TODO: stack the two kernels into a conv weight of shape (2, 1, 3, 3), moved to the
    #       dtype and device of `images`, and cross-correlate (no padding, stride 1).
    raise NotImplementedError("TODO: detect_edges")

"""A residual MLP block: the output is the input plus a learned correction.

A plain block replaces its input, ``y = F(x)``. A residual block adds to it::

    F(x)     = relu(x W1^T + b1) W2^T + b2          the branch: Linear, ReLU, Linear
    short(x) = x                                    when no projection is given
             = x Wp^T                               when w_proj is given (the projection shortcut)
    y        = short(x) + F(x)                      nothing is applied after the sum

Because ``y`` contains ``x`` itself, the Jacobian ``dy/dx`` is ``I + dF/dx``: the gradient that
arrives at ``y`` reaches ``x`` unchanged along the shortcut, plus whatever the branch adds. That
identity path is what lets gradients cross dozens of stacked blocks.

The block must stay differentiable with respect to every input, shortcut included: do not
detach anything. No built-in is off limits; ``torch.relu`` and ``@`` are fine.
"""

import torch


def residual_block(
    x: torch.Tensor,
    w1: torch.Tensor,
    b1: torch.Tensor,
    w2: torch.Tensor,
    b2: torch.Tensor,
    w_proj: torch.Tensor | None = None,
) -> torch.Tensor:
    """One residual block ``y = short(x) + F(x)`` with an optional projection shortcut.

    Args:
        x: float tensor ``(*, d_in)``: any number of leading dimensions (a batch, or a batch of
            sequences), features last.
        w1: ``(d_hidden, d_in)``, b1: ``(d_hidden,)``: the first linear layer (``nn.Linear`` layout).
        w2: ``(d_out, d_hidden)``, b2: ``(d_out,)``: the second linear layer.
        w_proj: ``(d_out, d_in)`` or ``None``. When given, the shortcut is ``x Wp^T`` (even if
            ``d_out == d_in``). When ``None``, the shortcut is ``x`` itself, which requires
            ``d_out == d_in``.

    Returns:
        ``y`` of shape ``(*, d_out)``, dtype and device of ``x``. No activation after the sum.

    Raises:
        ValueError: if ``w_proj`` is ``None`` and ``d_out != d_in`` (the identity shortcut cannot be
            added to a branch of another width); the message names both widths.

    ``x`` and the weights are not modified.
    """
    # TODO: the branch F(x): first linear layer, ReLU, second linear layer.
    # TODO: the shortcut: x itself, or its projection when w_proj is given; refuse mismatched widths.
    # TODO: return shortcut + branch.
    raise NotImplementedError("TODO: residual_block")

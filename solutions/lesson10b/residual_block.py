"""A residual MLP block: the output is the input plus a learned correction (reference solution)."""

import torch


def residual_block(
    x: torch.Tensor,
    w1: torch.Tensor,
    b1: torch.Tensor,
    w2: torch.Tensor,
    b2: torch.Tensor,
    w_proj: torch.Tensor | None = None,
) -> torch.Tensor:
    """One residual block ``y = short(x) + F(x)`` with an optional projection shortcut."""
    d_in, d_out = x.shape[-1], w2.shape[0]
    # The branch only has to learn the change to x; with W2 = 0 the block starts as the identity.
    hidden = torch.relu(x @ w1.T + b1)
    branch = hidden @ w2.T + b2
    if w_proj is not None:
        # A learned shortcut: needed when the widths differ, and used whenever it is given.
        shortcut = x @ w_proj.T
    elif d_out != d_in:
        raise ValueError(f"the branch has width {d_out} but x has width {d_in}: pass w_proj of shape ({d_out}, {d_in})")
    else:
        # The identity path: its Jacobian is I, so the upstream gradient reaches x untouched.
        shortcut = x
    # Nothing after the sum: a ReLU here would cut the identity path wherever the sum is negative.
    return shortcut + branch

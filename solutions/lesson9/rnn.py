"""An Elman RNN: one cell, then the cell unrolled over a sequence (reference solution)."""

import torch


def rnn_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> torch.Tensor:
    """One step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    # The weights are stored (out_features, in_features) like nn.Linear, hence the transposes.
    # torch.tanh saturates cleanly at +-1; a hand-written (e^2a - 1) / (e^2a + 1) gives
    # inf / inf = nan once the pre-activation is large.
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def rnn(
    x: torch.Tensor,
    h0: torch.Tensor | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``rnn_cell`` over a ``(T, N, D)`` sequence; return all hidden states and the last one."""
    if h0 is None:
        # A fresh state must live where the inputs live, in their dtype, or the first matmul fails.
        h0 = x.new_zeros(x.shape[1], w_hh.shape[0])
    h = h0
    outputs = []
    # The same weights are applied at every step: that sharing is what lets one network read
    # sequences of any length, and why gradients flow back through every earlier step.
    for t in range(x.shape[0]):
        h = rnn_cell(x[t], h, w_ih, w_hh, b_ih, b_hh)
        outputs.append(h)
    # Building a list and stacking once keeps the autograd graph intact (writing into a
    # preallocated tensor in place would also work, but is easier to get wrong).
    return torch.stack(outputs), h

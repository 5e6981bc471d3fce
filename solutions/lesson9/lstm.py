"""An LSTM: one cell with PyTorch's gate order, then the cell unrolled over a sequence (reference solution)."""

import torch


def lstm_cell(
    x: torch.Tensor,
    state: tuple[torch.Tensor, torch.Tensor],
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM step; returns the new ``(h, c)``."""
    h, c = state
    # One matmul pair computes all four gates at once; the rows of the weights are stacked
    # in PyTorch's order: input, forget, cell candidate, output.
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = torch.tanh(g)
    # The cell state is updated additively (forget some of the old, add some of the new):
    # that additive path is what lets gradients survive many steps.
    c_new = f * c + i * g
    # The output gate decides how much of the squashed cell state becomes visible as h.
    h_new = o * torch.tanh(c_new)
    return h_new, c_new


def lstm(
    x: torch.Tensor,
    state: tuple[torch.Tensor, torch.Tensor] | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Run ``lstm_cell`` over a ``(T, N, D)`` sequence."""
    if state is None:
        hidden = w_hh.shape[1]
        # Zeros in the dtype and on the device of the input, so the first step can mix them.
        zeros = x.new_zeros(x.shape[1], hidden)
        state = (zeros, zeros)
    h, c = state
    outputs = []
    for t in range(x.shape[0]):
        h, c = lstm_cell(x[t], (h, c), w_ih, w_hh, b_ih, b_hh)
        # Only h is the layer's output; c stays inside the recurrence.
        outputs.append(h)
    return torch.stack(outputs), (h, c)

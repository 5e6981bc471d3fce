"""A gated recurrent unit (GRU): one cell with PyTorch's gate order, then unrolled over time (reference solution)."""

import torch


def gru_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> torch.Tensor:
    """One GRU step; returns the new hidden state."""
    # The input and the state are projected separately: the reset gate must scale the state's
    # projection of the candidate only, so the two products cannot be added up front.
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    # PyTorch applies r after adding b_hn (the b_hn term is reset too).
    n = torch.tanh(i_n + r * h_n)
    # z near 1 keeps the old state (a copy path for gradients, like the LSTM's forget gate).
    return (1 - z) * n + z * h


def gru(
    x: torch.Tensor,
    h0: torch.Tensor | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``gru_cell`` over a ``(T, N, D)`` sequence."""
    h = x.new_zeros(x.shape[1], w_hh.shape[1]) if h0 is None else h0
    outputs = []
    for t in range(x.shape[0]):
        h = gru_cell(x[t], h, w_ih, w_hh, b_ih, b_hh)
        outputs.append(h)
    return torch.stack(outputs), h

"""A long short-term memory (LSTM) layer: one cell, then the cell unrolled over time.

An LSTM carries two states: the hidden state ``h`` (its output) and a cell state ``c``
that is changed only by gated, element-wise updates. Gates, each a sigmoid between 0 and 1,
decide what to forget, what to write and what to show. Build:

- ``lstm_cell``: one step, with PyTorch's gate order ``(i, f, g, o)``;
- ``lstm``: the cell unrolled over a sequence (time first, like ``nn.LSTM`` with
  ``batch_first=False``).

The weights follow ``nn.LSTM``'s layout (``weight_ih_l0`` of shape ``(4H, D)`` etc.), so
your results must match it given the same weights.

Off limits: ``torch.nn.LSTM``, ``torch.nn.LSTMCell``, ``torch.lstm`` and ``torch.lstm_cell``.
"""

import torch


def lstm_cell(
    x: torch.Tensor,
    state: tuple[torch.Tensor, torch.Tensor],
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM step.

    With ``(h, c) = state`` and ``gates = x W_ih^T + b_ih + h W_hh^T + b_hh`` of width ``4H``,
    split along the last dimension into four blocks of width ``H``, in this order::

        i = sigmoid(gates[..., 0H:1H])    input gate
        f = sigmoid(gates[..., 1H:2H])    forget gate
        g = tanh(gates[..., 2H:3H])       cell candidate
        o = sigmoid(gates[..., 3H:4H])    output gate
        c' = f * c + i * g
        h' = o * tanh(c')

    Args:
        x: input of shape ``(*B, D)`` (any leading batch dimensions, ``(N, D)`` usually).
        state: ``(h, c)``, each of shape ``(*B, H)``.
        w_ih: shape ``(4H, D)``.
        w_hh: shape ``(4H, H)``.
        b_ih: shape ``(4H,)``.
        b_hh: shape ``(4H,)``.

    Returns:
        ``(h', c')``, each of shape ``(*B, H)``, dtype and device of ``x``, differentiable with
        respect to every argument and finite even for huge pre-activations.
    """
    # TODO: compute the four gates with one pair of matmuls, split them, apply the non-linearities, update c then h.
    raise NotImplementedError("TODO: lstm_cell")


def lstm(
    x: torch.Tensor,
    state: tuple[torch.Tensor, torch.Tensor] | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Unroll ``lstm_cell`` over a sequence.

    Args:
        x: input sequence of shape ``(T, N, D)``, time first, ``T >= 1``.
        state: initial ``(h0, c0)``, each of shape ``(N, H)``, or ``None`` for zeros (made with
            the dtype and on the device of ``x``).
        w_ih, w_hh, b_ih, b_hh: as in ``lstm_cell``.

    Returns:
        ``(outputs, (h_T, c_T))``: ``outputs`` of shape ``(T, N, H)`` holds the hidden state
        ``h`` after every step; ``h_T`` and ``c_T`` (each ``(N, H)``) are the final states.
        Everything stays connected to the autograd graph (gradients flow through time, back to
        ``x``, ``h0``, ``c0`` and the weights). No input is modified.
    """
    # TODO: start from state (or zeros like x), apply lstm_cell at each step, collect h, stack.
    raise NotImplementedError("TODO: lstm")

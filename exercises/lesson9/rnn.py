"""An Elman recurrent network: a cell, then the cell unrolled over time.

A recurrent network reads a sequence one step at a time and carries a hidden state from
each step to the next, applying the same weights at every step. Build:

- ``rnn_cell``: one step of the Elman RNN with a tanh non-linearity;
- ``rnn``: the cell unrolled over a whole sequence (time first, like ``nn.RNN`` with
  ``batch_first=False``).

The weights follow ``nn.RNN``'s layout (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0``), so your results must match it given the same weights.

Off limits: ``torch.nn.RNN``, ``torch.nn.RNNCell``, ``torch.rnn_tanh`` and ``torch.rnn_tanh_cell``.
"""

import torch


def rnn_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> torch.Tensor:
    """One step of an Elman RNN.

    ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``

    Args:
        x: input of shape ``(*B, D)`` (any leading batch dimensions, ``(N, D)`` usually).
        h: previous hidden state of shape ``(*B, H)``.
        w_ih: input-to-hidden weights, shape ``(H, D)``.
        w_hh: hidden-to-hidden weights, shape ``(H, H)``.
        b_ih: bias of shape ``(H,)``.
        b_hh: bias of shape ``(H,)``.

    Returns:
        The new hidden state, shape ``(*B, H)``, dtype and device of ``x``, differentiable with
        respect to every argument. Huge pre-activations must saturate at -1 or +1, never NaN.
    """
    # TODO: two affine maps (mind the transposes), both biases, then tanh.
    raise NotImplementedError("TODO: rnn_cell")


def rnn(
    x: torch.Tensor,
    h0: torch.Tensor | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Unroll ``rnn_cell`` over a sequence.

    ``h_t = rnn_cell(x[t], h_{t-1}, ...)`` for ``t = 0 .. T-1``, starting from ``h_{-1} = h0``.

    Args:
        x: input sequence of shape ``(T, N, D)``, time first, ``T >= 1``.
        h0: initial hidden state of shape ``(N, H)``, or ``None`` for zeros (made with the
            dtype and on the device of ``x``).
        w_ih, w_hh, b_ih, b_hh: as in ``rnn_cell``.

    Returns:
        ``(outputs, h_T)``: ``outputs`` of shape ``(T, N, H)`` holds ``h_0 .. h_{T-1}`` (the
        state after each step); ``h_T`` of shape ``(N, H)`` is the last state, equal to
        ``outputs[-1]``. Both stay connected to the autograd graph (gradients flow through time,
        back to ``x``, ``h0`` and the weights). No input is modified.
    """
    # TODO: start from h0 (or zeros like x), apply rnn_cell at each time step, collect the states, stack them.
    raise NotImplementedError("TODO: rnn")

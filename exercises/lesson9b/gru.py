"""A gated recurrent unit (GRU) layer: one cell, then the cell unrolled over time.

The GRU is a lighter cousin of the LSTM: a single state ``h``, and two gates instead of
three. The update gate ``z`` decides how much of the old state to keep; the reset gate ``r``
decides how much of the old state the candidate may look at. Build:

- ``gru_cell``: one step, with PyTorch's gate order ``(r, z, n)``;
- ``gru``: the cell unrolled over a sequence (time first, like ``nn.GRU`` with
  ``batch_first=False``).

The weights follow ``nn.GRU``'s layout (``weight_ih_l0`` of shape ``(3H, D)`` etc.), so your
results must match it given the same weights.

Off limits: ``torch.nn.GRU``, ``torch.nn.GRUCell``, ``torch.gru`` and ``torch.gru_cell``.
"""

import torch


def gru_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> torch.Tensor:
    """One GRU step.

    Split ``gi = x W_ih^T + b_ih`` and ``gh = h W_hh^T + b_hh`` (each of width ``3H``) into
    three blocks of width ``H`` along the last dimension, in the order ``(r, z, n)``::

        r  = sigmoid(gi_r + gh_r)          reset gate
        z  = sigmoid(gi_z + gh_z)          update gate
        n  = tanh(gi_n + r * gh_n)         candidate state (r scales gh_n = h W_hn^T + b_hn,
                                           bias included)
        h' = (1 - z) * n + z * h

    Args:
        x: input of shape ``(*B, D)`` (any leading batch dimensions, ``(N, D)`` usually).
        h: previous hidden state of shape ``(*B, H)``.
        w_ih: shape ``(3H, D)``.
        w_hh: shape ``(3H, H)``.
        b_ih: shape ``(3H,)``.
        b_hh: shape ``(3H,)``.

    Returns:
        ``h'`` of shape ``(*B, H)``, dtype and device of ``x``, differentiable with respect to
        every argument. Stays finite for pre-activations of any size. No argument is modified.
    """
    # TODO: project x and h separately, split each into (r, z, n) blocks, apply the gates, mix old and new.
    raise NotImplementedError("TODO: gru_cell")


def gru(
    x: torch.Tensor,
    h0: torch.Tensor | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Unroll ``gru_cell`` over a sequence.

    Args:
        x: input sequence of shape ``(T, N, D)``, time first, ``T >= 1``.
        h0: initial state of shape ``(N, H)``, or ``None`` for zeros (made with the dtype and on
            the device of ``x``).
        w_ih, w_hh, b_ih, b_hh: as in ``gru_cell``.

    Returns:
        ``(outputs, h_T)``: ``outputs`` of shape ``(T, N, H)`` holds the state after every
        step; ``h_T`` (``(N, H)``) is the last one, both in the dtype and on the device of ``x``.
        Everything stays connected to the autograd graph (no detach between steps). No argument
        is modified.
    """
    # TODO: start from h0 (or zeros like x), apply gru_cell at each step, collect the states, stack.
    raise NotImplementedError("TODO: gru")

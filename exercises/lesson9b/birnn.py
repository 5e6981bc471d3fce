"""A bidirectional RNN: one recurrent pass from the start, another from the end.

A forward RNN's state at step t has seen only ``x_0 .. x_t``. A bidirectional RNN runs a
second RNN, with its own weights, from the last step back to the first, and concatenates the
two states at every step, so each output sees the whole sequence (which also means the
layer is not causal). Build ``birnn``, an Elman RNN (``tanh``, as in lesson 9) in both
directions, matching ``torch.nn.RNN(D, H, bidirectional=True)`` given its weights, including
batches of padded sequences of different lengths.

Off limits: ``torch.nn.RNN``, ``torch.nn.RNNCell``, ``torch.rnn_tanh`` and
``torch.rnn_tanh_cell``. Write the Elman step yourself (one line); ``torch.flip``,
``torch.gather`` and indexing are fine.
"""

import torch


def birnn(
    x: torch.Tensor,
    h0: torch.Tensor | None,
    weights: dict[str, torch.Tensor],
    lengths: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A bidirectional Elman RNN layer.

    Each direction runs the Elman step ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` with
    its own weights, named as in ``dict(nn.RNN(D, H, bidirectional=True).named_parameters())``:

    - forward: ``weight_ih_l0`` ``(H, D)``, ``weight_hh_l0`` ``(H, H)``, ``bias_ih_l0`` ``(H,)``,
      ``bias_hh_l0`` ``(H,)``; it reads sequence ``n`` from step 0 to step ``L_n - 1``,
      starting from ``h0[0]``;
    - backward: the same names with ``_reverse`` appended; it reads sequence ``n`` from step
      ``L_n - 1`` back to step 0, starting from ``h0[1]``.

    Here ``L_n`` is ``lengths[n]``, or ``T`` for every sequence when ``lengths`` is None.
    Steps ``t >= L_n`` are padding: neither direction reads them (in particular the backward
    pass starts at the last real step, not at the end of the padding).

    Outputs: ``out[t, n] = concat(forward state after reading step t, backward state after
    reading step t)``, forward half first; ``out[t, n]`` is all zeros for a padding step.
    Final states: ``h_n[0, n]`` is the forward state after step ``L_n - 1``; ``h_n[1, n]`` is
    the backward state after step 0 (its last step). This is ``nn.RNN``'s layout, including
    for packed sequences.

    Args:
        x: ``(T, N, D)``, time first, ``T >= 1``.
        h0: ``(2, N, H)`` initial states (forward, backward), or None for zeros made with the
            dtype and on the device of ``x``.
        weights: the eight tensors above, same dtype and device as ``x``.
        lengths: None, or a 1-D int64 tensor of ``N`` lengths in ``1 .. T`` (on any device).

    Returns:
        ``(out, h_n)``: ``out`` of shape ``(T, N, 2H)`` and ``h_n`` of shape ``(2, N, H)``, in the
        dtype and on the device of ``x``, differentiable with respect to ``x``, ``h0`` and every
        weight. No argument is modified.
    """
    # TODO: run the forward direction; run the backward direction over each sequence's real steps in
    # reverse; put its states back in time order; concatenate; zero the padding; pick the final states.
    raise NotImplementedError("TODO: birnn")

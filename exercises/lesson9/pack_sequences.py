"""Packing a padded batch of sequences, and unpacking it again.

A padded batch spends work on steps that are thrown away. The packed layout stores only the
real steps: sort the sequences by decreasing length, then store them time-major, step 0 of
every sequence, then step 1 of those still running, and so on. Beside the rows, it keeps how
many sequences run at each step (the column sums of the padding mask), so that a recurrent
layer can process step t on exactly that many rows, and the permutation that sorted the batch,
so that the original order can be restored. Build what
``torch.nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True,
enforce_sorted=False)`` and ``pad_packed_sequence(..., batch_first=True)`` compute:

- ``pack_sequences``: a padded batch and its lengths to ``(data, batch_sizes, sorted_indices,
  unsorted_indices)``;
- ``unpack_sequences``: those four back to the padded batch and the lengths.

Example: lengths ``[2, 3, 1]`` sort to the order ``[1, 0, 2]`` (longest first); the batch sizes
are ``[3, 2, 1]``; ``data`` holds, with ``s_n[t]`` step t of sequence n,
``s1[0], s0[0], s2[0], s1[1], s0[1], s1[2]``.

Off limits: everything in ``torch.nn.utils.rnn`` (``pack_padded_sequence``,
``pad_packed_sequence``, ``pack_sequence``, ``pad_sequence``, ``PackedSequence`` and the rest).
"""

import torch


def pack_sequences(
    padded: torch.Tensor, lengths: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pack a post-padded, batch-first batch.

    Call ``L = max(lengths)``. The four results:

    * ``sorted_indices`` (N,): the sequences by decreasing length; sequences of equal length
      keep their original order (a stable sort: ``torch.sort(..., descending=True,
      stable=True)``). Sorted position ``i`` holds sequence ``sorted_indices[i]``.
    * ``batch_sizes`` (L,): ``batch_sizes[t]`` = the number of sequences longer than ``t``
      (the column sums of the padding mask). It has ``L`` entries even when ``padded`` has
      more than ``L`` steps, and none of them is 0.
    * ``data`` (sum(lengths), *F): time-major. The rows of step ``t`` come after those of all
      earlier steps, and within a step the sequences appear in sorted order:
      ``data[sum(batch_sizes[:t]) + i] = padded[sorted_indices[i], t]`` for
      ``i < batch_sizes[t]``.
    * ``unsorted_indices`` (N,): the inverse permutation,
      ``unsorted_indices[sorted_indices[i]] = i``: where each original sequence sits in the
      sorted order.

    Args:
        padded: tensor of shape ``(N, T, *F)`` (batch first; ``F`` may be empty), float32 or
            float64, on any device. Step ``t`` of row ``n`` is real when ``t < lengths[n]``;
            the padding after it holds arbitrary values (nan included) that must not be read
            into ``data``. Not modified.
        lengths: int64 tensor of shape ``(N,)`` on the CPU (as torch wants it), with
            ``1 <= lengths[n] <= T``, in any order. Not modified.

    Returns:
        ``(data, batch_sizes, sorted_indices, unsorted_indices)``: ``data`` with the dtype and
        device of ``padded`` and connected to its autograd graph (the gradient of a real step
        is the upstream gradient of its packed row; padding gets 0); ``batch_sizes`` an int64
        tensor on the CPU, like torch's; ``sorted_indices`` and ``unsorted_indices`` int64
        tensors on the device of ``padded``.
    """
    # TODO: sort the lengths (longest first, stable), count the sequences running at each step,
    # gather the real steps time-major in sorted order, and invert the permutation.
    raise NotImplementedError("TODO: pack_sequences")


def unpack_sequences(
    data: torch.Tensor,
    batch_sizes: torch.Tensor,
    sorted_indices: torch.Tensor,
    unsorted_indices: torch.Tensor,
    padding_value: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Undo ``pack_sequences``: the padded batch in the caller's original order, and the lengths.

    With ``L = len(batch_sizes)`` and ``N = batch_sizes[0]``, sorted sequence ``i`` has length
    ``K_i`` = the number of steps ``t`` with ``batch_sizes[t] > i``, and its step ``t`` is
    ``data[sum(batch_sizes[:t]) + i]``. Row ``n`` of the result is original sequence ``n``,
    which sits at sorted position ``unsorted_indices[n]``: its steps, then ``padding_value``
    up to ``L`` steps.

    Args:
        data: tensor of shape ``(sum(batch_sizes), *F)``, as ``pack_sequences`` returns it.
            Not modified.
        batch_sizes: int64 tensor of shape ``(L,)`` on the CPU, non-increasing, every entry
            at least 1.
        sorted_indices: the permutation ``pack_sequences`` returned (on the device of
            ``data``). Restoring the order needs only its inverse, ``unsorted_indices``; it is
            accepted so that the four packed fields can be passed on together.
        unsorted_indices: int64 tensor of shape ``(N,)`` on the device of ``data``, the
            inverse of ``sorted_indices``.
        padding_value: the value written after the end of each sequence.

    Returns:
        ``(padded, lengths)``: ``padded`` of shape ``(N, L, *F)`` with the dtype and device of
        ``data`` and connected to its autograd graph (each packed row's gradient is the upstream
        gradient at its position); ``lengths`` an int64 tensor of shape ``(N,)`` on the CPU (as
        torch returns it), in the original order.
    """
    # TODO: recover each sorted sequence's length from batch_sizes, write the packed rows into a
    # new (L, N, *F) tensor full of padding_value, go back to batch first and to the original order.
    raise NotImplementedError("TODO: unpack_sequences")

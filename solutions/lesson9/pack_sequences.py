"""Packing a padded batch of sequences, and unpacking it again (reference solution)."""

import torch


def pack_sequences(
    padded: torch.Tensor, lengths: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pack ``padded`` (N, T, *F) into ``(data, batch_sizes, sorted_indices, unsorted_indices)``."""
    lengths = lengths.to("cpu", torch.int64)
    # Longest first: then the sequences still running at step t are always the first
    # batch_sizes[t] of the sorted order, so each step's rows form one contiguous block.
    # stable=True keeps tied sequences in their original order, as torch does.
    sorted_lengths, order = torch.sort(lengths, descending=True, stable=True)
    longest = int(sorted_lengths[0])
    # (L, N) time-major mask in sorted order: row t marks the sequences longer than t.
    running = torch.arange(longest)[:, None] < sorted_lengths[None, :]
    # The column sums of the padding mask; they stay on the CPU, where torch's recurrent
    # kernels read them to size each step.
    batch_sizes = running.sum(dim=1)
    sorted_indices = order.to(padded.device)
    # Reorder the rows, keep the first `longest` steps and put time first; boolean indexing
    # then walks the mask row by row (step by step), which is exactly the packed order. It is
    # an autograd-tracked gather, so the padding (never selected) gets gradient 0.
    time_major = padded.index_select(0, sorted_indices)[:, :longest].transpose(0, 1)
    data = time_major[running.to(padded.device)]
    # The inverse permutation: sequence sorted_indices[i] sits at sorted position i.
    unsorted_indices = torch.empty_like(sorted_indices)
    unsorted_indices[sorted_indices] = torch.arange(len(lengths), device=padded.device)
    return data, batch_sizes, sorted_indices, unsorted_indices


def unpack_sequences(
    data: torch.Tensor,
    batch_sizes: torch.Tensor,
    sorted_indices: torch.Tensor,
    unsorted_indices: torch.Tensor,
    padding_value: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Restore the padded batch (N, L, *F), in the original order, and the lengths (N,)."""
    batch_sizes = batch_sizes.to("cpu", torch.int64)
    longest, n = len(batch_sizes), int(batch_sizes[0])
    # Sorted sequence i takes part in every step whose batch is larger than i.
    sorted_lengths = (torch.arange(n)[None, :] < batch_sizes[:, None]).sum(dim=0)
    running = torch.arange(longest)[:, None] < sorted_lengths[None, :]
    # A fresh tensor of padding, then the packed rows written where the mask says, in the same
    # step-by-step order they were read in; the write is tracked, so gradients reach data.
    time_major = data.new_full((longest, n, *data.shape[1:]), padding_value)
    time_major[running.to(data.device)] = data
    # Sorted position unsorted_indices[k] holds the caller's sequence k.
    padded = time_major.transpose(0, 1).index_select(0, unsorted_indices)
    lengths = sorted_lengths[unsorted_indices.cpu()]
    return padded, lengths

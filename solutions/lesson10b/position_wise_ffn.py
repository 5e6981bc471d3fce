"""The position-wise feed-forward network of a transformer, and the dense layer it is a special case of
(reference solution)."""

import torch
import torch.nn.functional as F


def position_wise_ffn(
    x: torch.Tensor,
    w1: torch.Tensor,
    b1: torch.Tensor,
    w2: torch.Tensor,
    b2: torch.Tensor,
    activation: str = "relu",
) -> torch.Tensor:
    """Apply ``act(x W1^T + b1) W2^T + b2`` to every position of ``x``."""
    # A matmul acts on the last axis only, so every leading axis (batch and positions alike) is
    # treated as an independent row: one MLP, shared by all positions, for any length.
    hidden = x @ w1.T + b1
    # For "gelu", the exact x * Phi(x) (F.gelu's default): the one nn.TransformerEncoderLayer uses.
    hidden = F.gelu(hidden) if activation == "gelu" else torch.relu(hidden)
    return hidden @ w2.T + b2


def per_position_as_dense(w: torch.Tensor, b: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The dense layer over a flattened sequence that equals the linear layer ``(w, b)`` applied per position."""
    # The flattened vector lists position 0's features first, so output block i may only read
    # input block i (zeros elsewhere), and every diagonal block is the one shared matrix w:
    # kron(I_L, w) is exactly that block-diagonal matrix.
    eye = torch.eye(seq_len, dtype=w.dtype, device=w.device)
    big_w = torch.kron(eye, w)
    # One copy of the bias per position, in position order.
    big_b = b.repeat(seq_len)
    return big_w, big_b

"""A graph convolutional network (GCN) layer on a dense normalised adjacency matrix (reference solution)."""

from collections.abc import Callable

import torch


def normalized_adjacency(
    graph: torch.Tensor, num_nodes: int | None = None, dtype: torch.dtype | None = None
) -> torch.Tensor:
    """The symmetric normalised adjacency with self-loops, ``D^-1/2 (A + I) D^-1/2``, as a dense matrix."""
    if graph.is_floating_point():
        n = graph.shape[-1]
        # Out of place: the caller's adjacency must not gain a diagonal.
        adj = graph.to(dtype or graph.dtype)
    else:
        if num_nodes is None:
            raise ValueError("num_nodes is required for an edge list")
        n = num_nodes
        adj = torch.zeros(n, n, dtype=dtype or torch.float32, device=graph.device)
        u, v = graph[0], graph[1]
        # Plain assignment (not accumulation): a repeated edge writes 1 again instead of 2.
        # Both directions, because an undirected edge is a symmetric entry.
        adj[u, v] = 1
        adj[v, u] = 1
    # Self-loops: each node keeps its own features, and no degree can be 0.
    adj = adj + torch.eye(n, dtype=adj.dtype, device=adj.device)
    deg = adj.sum(dim=-1)
    inv_sqrt = deg.rsqrt()
    # D^-1/2 A D^-1/2 without building diagonal matrices: scale row i and column j.
    return inv_sqrt[:, None] * adj * inv_sqrt[None, :]


def gcn_layer(
    adj_norm: torch.Tensor,
    h: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    activation: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    """One graph convolution: ``act(adj_norm @ h @ weight + bias)``."""
    # (A H) W == A (H W); transforming first is cheaper when f_out < f_in, and matmul
    # broadcasts adj_norm over any leading batch dimensions of h.
    out = adj_norm @ (h @ weight)
    if bias is not None:
        # After the aggregation: A_hat's rows do not sum to 1, so a bias added before it
        # would be rescaled differently at every node.
        out = out + bias
    if activation is not None:
        out = activation(out)
    return out

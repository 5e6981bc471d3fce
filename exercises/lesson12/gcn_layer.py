"""A graph convolutional network (GCN) layer on a dense normalised adjacency matrix.

A GCN layer lets every node average the transformed features of its neighbours and itself:

    A_hat = D^-1/2 (A + I) D^-1/2        D = diag(row sums of A + I)
    H'    = act(A_hat @ H @ W + b)

Adding ``I`` gives every node a self-loop, so its own features take part and no degree is 0
(isolated nodes are fine). Scaling by ``1/sqrt(d_i d_j)`` on both sides keeps high-degree nodes
from blowing up the features while keeping ``A_hat`` symmetric (whenever ``A`` is).

Write it with plain tensor operations (``torch.sparse`` is allowed); graph libraries such as
``torch_geometric`` (``GCNConv``, ``gcn_norm``, ``to_dense_adj``, ``add_self_loops``) are off limits.
"""

from collections.abc import Callable

import torch


def normalized_adjacency(
    graph: torch.Tensor, num_nodes: int | None = None, dtype: torch.dtype | None = None
) -> torch.Tensor:
    """The symmetric normalised adjacency with self-loops, ``D^-1/2 (A + I) D^-1/2``, as a dense matrix.

    ``graph`` is one of:

    * a dense adjacency: a float tensor ``(n, n)`` of (possibly weighted, non-negative) edge
      weights with no self-loops; ``num_nodes`` is not needed. It need NOT be symmetric (a
      directed graph): use it exactly as given, without symmetrising it, so that
      ``A_hat[i, j] = (A + I)[i, j] / sqrt(d_i d_j)`` with ``d`` the row sums of ``A + I``. The
      result is differentiable with respect to this matrix, each entry ``A[i, j]`` being its
      own variable;
    * an edge list: an int64 tensor ``(2, M)`` whose columns ``(u, v)`` are UNDIRECTED edges
      between distinct nodes; ``A[u, v] = A[v, u] = 1`` for each, an edge listed twice (or in
      both directions) still counts once; ``num_nodes`` (required) gives ``n``, which may exceed
      the largest id in the list (trailing nodes are isolated).

    ``D`` holds the row sums of ``A + I``; a node with no edges keeps just its self-loop.

    Args:
        graph: dense adjacency ``(n, n)`` or edge list ``(2, M)``, as above.
        num_nodes: the number of nodes ``n`` (needed for edge lists).
        dtype: dtype of the result; ``None`` means the dtype of a dense ``graph``, and
            ``torch.float32`` for an edge list.

    Returns:
        A dense float tensor ``(n, n)`` on the device of ``graph`` (``graph`` is not modified);
        symmetric whenever ``A`` is.
    """
    # TODO: build A (dense; for an edge list set both A[u, v] and A[v, u]), add the identity,
    #       compute the degrees and scale rows and columns by deg^-1/2.
    raise NotImplementedError("TODO: normalized_adjacency")


def gcn_layer(
    adj_norm: torch.Tensor,
    h: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    activation: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    """One graph convolution: ``act(adj_norm @ h @ weight + bias)``.

    The bias is added after the aggregation over neighbours, and the activation (for example
    ``torch.relu``; ``None`` means none) comes last.

    Args:
        adj_norm: float tensor ``(n, n)``, the normalised adjacency (see normalized_adjacency).
        h: node features ``(..., n, f_in)``: any leading batch shape shares the one graph.
        weight: ``(f_in, f_out)``.
        bias: ``(f_out,)`` or ``None``.
        activation: a function applied elementwise to the result, or ``None``.

    Returns:
        Node features ``(..., n, f_out)`` with the dtype and device of ``h``, differentiable
        with respect to ``adj_norm``, ``h``, ``weight`` and ``bias``. No input is modified.
    """
    # TODO: transform the features with weight, aggregate them with adj_norm (matmul broadcasts
    #       over batch dimensions), add the bias, then apply the activation if there is one.
    raise NotImplementedError("TODO: gcn_layer")

"""Magnitude pruning: zero the weights with the smallest absolute value.

Many trained weights are close to zero and matter little. Unstructured magnitude pruning keeps
a boolean mask per weight tensor (``True`` = keep, ``False`` = pruned; the pruned network uses
``w * mask``) so that a target fraction ``sparsity`` of the weights is removed:

* how many: ``k = floor(sparsity * n)`` weights are pruned, with ``n`` the number of weights
  (in Python: ``int(sparsity * n)``). So ``sparsity=0.5`` on 7 weights prunes 3, not 4.
* which: the ``k`` weights with the smallest ``|w|``.
* ties: among equal magnitudes, the weight with the LOWER flat index (``w.flatten()`` order) is
  pruned first, so exactly ``k`` weights are pruned even when many magnitudes are equal. A
  threshold rule such as ``|w| > kth smallest |w|`` would prune every tied weight, i.e. too many.

``prune_by_magnitude`` does this per tensor (layer-wise). ``prune_global`` ranks all the weights
of several tensors together: ``k = floor(sparsity * total)``, and a layer whose weights are small
overall loses more of them than a layer with large weights. For ties across tensors, the order
is the concatenation ``cat([w.flatten() for w in weights])``: earlier tensors first.

Do not use ``torch.nn.utils.prune`` (``l1_unstructured``, ``global_unstructured``,
``L1Unstructured``); ``torch.sort(..., stable=True)`` and ``torch.argsort`` are fine.
"""

import torch


def prune_by_magnitude(w: torch.Tensor, sparsity: float) -> torch.Tensor:
    """The keep-mask that prunes the ``floor(sparsity * w.numel())`` smallest-magnitude weights of ``w``.

    Args:
        w: float tensor of any shape (it is not modified).
        sparsity: fraction to prune, in ``[0, 1]``.

    Returns:
        A ``torch.bool`` tensor with the shape and device of ``w``: ``False`` at the pruned
        weights, ``True`` elsewhere.
    """
    # TODO: k = int(sparsity * n); rank |w| (flattened) with a stable ascending sort; the first
    # k positions of that order are pruned.
    raise NotImplementedError("TODO: prune_by_magnitude")


def prune_global(weights: list[torch.Tensor], sparsity: float) -> list[torch.Tensor]:
    """Keep-masks that prune the ``floor(sparsity * total)`` smallest magnitudes across all tensors.

    Args:
        weights: float tensors of any shapes (on one device); none is modified.
        sparsity: fraction of ALL the weights to prune, in ``[0, 1]``.

    Returns:
        A list of ``torch.bool`` masks, one per tensor, each with that tensor's shape and on the
        weights' device.
    """
    # TODO: concatenate the flattened magnitudes, prune as above, split the mask back per tensor.
    raise NotImplementedError("TODO: prune_global")

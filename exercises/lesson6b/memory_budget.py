"""How much memory training a model takes, and sizes that suit tensor cores.

Training keeps several numbers per parameter alive at once. This exercise counts them, with
the usual rough rule (activations, which grow with the batch size, are left out)::

                      float32 training        mixed precision
    weights           4 bytes, every param    2 bytes, every param
    gradients         4 bytes, trainable      2 bytes, trainable
    master weights    none                    4 bytes, trainable (a float32 copy)
    optimizer state   per trainable param, in float32:
                        "sgd" 0 bytes, "momentum" 4 bytes (one buffer), "adam" 8 bytes (two)

A frozen parameter (``requires_grad=False``) still has to be stored, but it has no gradient,
no master copy and no optimizer state. Parameters are counted once even when two layers share
one (tied weights); buffers such as BatchNorm's running mean and variance are not parameters
and are not counted.

Tensor cores run fastest when matrix sizes are multiples of 8 (for half precision), which is
why batch sizes, layer widths and vocabulary sizes are often rounded up to such a multiple.

No built-in is off limits.
"""

from torch import nn


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of parameter values (elements) of ``model``.

    Args:
        model: any ``nn.Module``; it may share a parameter between layers and hold buffers.
        trainable_only: count only the parameters with ``requires_grad=True``.

    Returns:
        A Python ``int``: every parameter counted once, buffers left out.
    """
    # TODO: add up numel() over the model's parameters (which lists a shared one once).
    raise NotImplementedError("TODO: count_params")


def training_memory(model: nn.Module, optimizer: str = "adam", mixed_precision: bool = False) -> dict[str, int]:
    """Bytes held for training ``model``, by kind (see the table in the module docstring).

    Args:
        model: any ``nn.Module``; frozen parameters have ``requires_grad=False``.
        optimizer: ``"sgd"``, ``"momentum"`` or ``"adam"``; anything else raises ``ValueError``.
        mixed_precision: half-precision weights and gradients plus float32 master weights.

    Returns:
        A dict of Python ints with the keys ``"weights"``, ``"gradients"``, ``"master"``,
        ``"optimizer"`` and ``"total"`` (the sum of the other four).
    """
    # TODO: count every parameter and the trainable ones, then apply the bytes of the table.
    raise NotImplementedError("TODO: training_memory")


def pad_to_multiple(n: int, multiple: int = 8) -> int:
    """The smallest multiple of ``multiple`` that is greater than or equal to ``n``.

    Args:
        n: a size, ``>= 0`` (a batch size, a layer width, a vocabulary size).
        multiple: ``>= 1``.

    Returns:
        A Python ``int``; ``n`` itself when it is already a multiple (0 stays 0).
    """
    # TODO: round n up to the next multiple, using integers only.
    raise NotImplementedError("TODO: pad_to_multiple")

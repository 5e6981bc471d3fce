"""Transfer learning: a new head, layer groups, freezing and discriminative learning rates.

A pretrained network is an ``nn.Sequential`` whose last module is the ``nn.Linear`` that
produced the old task's outputs. Transfer learning keeps everything before it (the body), swaps
the last layer for a new head sized for the new task, trains the head alone while the body is
frozen, and then trains everything with smaller learning rates for the earlier, more general
layers.

Layer groups split the parameters for that purpose. With the default ``n_body_groups=2``
there are three groups, as in fastai: the first half of the body, the second half of the
body, and the new head. The body's children are cut into consecutive chunks as evenly as
possible, the first chunks taking one child more when the count does not divide
(like ``numpy.array_split``): 5 children in 2 chunks give 3 + 2. A chunk's parameters are
those of its modules in order (a ReLU has none, so a group may be empty).

Discriminative learning rates spread ``n`` rates from ``lr_min`` (the first group) to
``lr_max`` (the last group, the head) evenly on a log scale::

    lr_i = lr_min * (lr_max / lr_min) ** (i / (n - 1))      for i = 0 .. n - 1   (n = 1: [lr_max])

so ``(1e-5, 1e-3, 3)`` gives ``[1e-5, 1e-4, 1e-3]``.

No built-in does this work; use ``torch.nn`` freely.
"""

from torch import nn


def transfer_model(pretrained: nn.Sequential, n_out: int) -> nn.Sequential:
    """Replace the last layer of a pretrained model with a new head.

    Args:
        pretrained: an ``nn.Sequential`` whose last child is an ``nn.Linear``.
        n_out: the number of outputs of the new task.

    Returns:
        ``nn.Sequential(body, head)``: ``body`` is an ``nn.Sequential`` of the pretrained
        children except the last (the same modules, so it keeps their weights), and ``head``
        is a new ``nn.Linear`` from the old last layer's input size to ``n_out``, in the dtype
        and on the device of the pretrained weights. Do not modify ``pretrained``'s weights.
    """
    # TODO: cut off the last child, then add a new Linear that reads what it read.
    raise NotImplementedError("TODO: transfer_model")


def layer_groups(model: nn.Sequential, n_body_groups: int = 2) -> list[list[nn.Parameter]]:
    """Split a ``transfer_model`` result into layer groups.

    Args:
        model: ``nn.Sequential(body, head)`` as returned by ``transfer_model``.
        n_body_groups: how many consecutive chunks to cut the body's children into (>= 1).

    Returns:
        ``n_body_groups + 1`` lists of parameters: the body's chunks in order (first chunks
        one child larger when the split is uneven), then the head's parameters. Every
        parameter of ``model`` appears in exactly one group; they are the model's own
        parameter objects, not copies.
    """
    # TODO: cut list(body.children()) into chunks, collect each chunk's parameters, add the head's.
    raise NotImplementedError("TODO: layer_groups")


def freeze_to(groups: list[list[nn.Parameter]], n: int) -> None:
    """Freeze the first ``n`` groups and make every later group trainable.

    ``freeze_to(groups, len(groups) - 1)`` trains the head alone; ``freeze_to(groups, 0)``
    unfreezes everything, including groups that an earlier call froze.

    Args:
        groups: as returned by ``layer_groups``.
        n: ``0 <= n <= len(groups)``.

    Returns:
        None; sets ``requires_grad`` on every parameter in place.
    """
    # TODO: requires_grad False for groups[:n], True for groups[n:].
    raise NotImplementedError("TODO: freeze_to")


def discriminative_lrs(lr_min: float, lr_max: float, n: int) -> list[float]:
    """``n`` learning rates from ``lr_min`` to ``lr_max``, evenly spaced on a log scale.

    Args:
        lr_min: the rate of the first (earliest) group, > 0.
        lr_max: the rate of the last group (the head), >= lr_min.
        n: the number of groups, >= 1.

    Returns:
        A list of ``n`` Python floats, increasing, first ``lr_min`` and last ``lr_max``
        (``[lr_max]`` when ``n == 1``).
    """
    # TODO: a constant ratio between neighbours: lr_min * (lr_max / lr_min) ** (i / (n - 1)).
    raise NotImplementedError("TODO: discriminative_lrs")


def param_groups(groups: list[list[nn.Parameter]], lr_min: float, lr_max: float) -> list[dict]:
    """Parameter groups for a ``torch.optim`` optimizer, one per layer group.

    Args:
        groups: as returned by ``layer_groups``.
        lr_min, lr_max: the range passed to ``discriminative_lrs``.

    Returns:
        ``[{"params": group, "lr": lr}, ...]`` in the order of ``groups``, with the rates of
        ``discriminative_lrs(lr_min, lr_max, len(groups))``. Keep every parameter, frozen or
        not: a frozen parameter gets no gradient, so the optimizer skips it, and unfreezing
        later needs no new optimizer.
    """
    # TODO: pair each group with its learning rate.
    raise NotImplementedError("TODO: param_groups")

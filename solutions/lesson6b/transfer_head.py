"""Transfer learning: a new head, layer groups, freezing and discriminative learning rates (reference solution)."""

from torch import nn


def transfer_model(pretrained: nn.Sequential, n_out: int) -> nn.Sequential:
    """``nn.Sequential(body, head)``: the pretrained layers without the last one, then a new Linear."""
    layers = list(pretrained.children())
    last = layers[-1]
    # The body keeps the pretrained modules themselves: their weights are the whole point.
    body = nn.Sequential(*layers[:-1])
    # The new head reads what the old last layer read (its in_features) and must live on the
    # same device in the same dtype as the pretrained weights.
    head = nn.Linear(last.in_features, n_out, device=last.weight.device, dtype=last.weight.dtype)
    return nn.Sequential(body, head)


def layer_groups(model: nn.Sequential, n_body_groups: int = 2) -> list[list[nn.Parameter]]:
    """The body's children cut into ``n_body_groups`` consecutive chunks, then the head."""
    body, head = model[0], model[1]
    children = list(body.children())
    size, extra = divmod(len(children), n_body_groups)
    groups = []
    start = 0
    for i in range(n_body_groups):
        # Like numpy.array_split: the first `extra` chunks take one child more.
        stop = start + size + (1 if i < extra else 0)
        groups.append([p for m in children[start:stop] for p in m.parameters()])
        start = stop
    groups.append(list(head.parameters()))
    return groups


def freeze_to(groups: list[list[nn.Parameter]], n: int) -> None:
    """Freeze ``groups[:n]``, make ``groups[n:]`` trainable."""
    for i, group in enumerate(groups):
        # Set both ways: the same call must also unfreeze what an earlier call froze.
        for p in group:
            p.requires_grad_(i >= n)


def discriminative_lrs(lr_min: float, lr_max: float, n: int) -> list[float]:
    """``n`` learning rates from ``lr_min`` to ``lr_max``, evenly spaced on a log scale."""
    if n == 1:
        return [lr_max]
    # A constant ratio between neighbouring groups: each group moves about ten times
    # (or whatever the ratio is) as fast as the more general one before it.
    ratio = lr_max / lr_min
    return [lr_min * ratio ** (i / (n - 1)) for i in range(n)]


def param_groups(groups: list[list[nn.Parameter]], lr_min: float, lr_max: float) -> list[dict]:
    """Optimizer parameter groups, one per layer group, with discriminative learning rates."""
    lrs = discriminative_lrs(lr_min, lr_max, len(groups))
    # Frozen parameters stay in the optimizer: they have no gradient, so it skips them, and
    # unfreezing later needs no new optimizer.
    return [{"params": list(group), "lr": lr} for group, lr in zip(groups, lrs)]

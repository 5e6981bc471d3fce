"""How much memory training a model takes, and sizes that suit tensor cores (reference solution)."""

from torch import nn

# Optimizer state per trainable parameter, in bytes (kept in float32).
STATE_BYTES = {"sgd": 0, "momentum": 4, "adam": 8}


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of parameter values of ``model``."""
    # model.parameters() visits every parameter once, even one shared by two layers, and
    # skips buffers such as BatchNorm's running statistics, which are not trained.
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def training_memory(model: nn.Module, optimizer: str = "adam", mixed_precision: bool = False) -> dict[str, int]:
    """Bytes held for weights, gradients, master weights and optimizer state."""
    if optimizer not in STATE_BYTES:
        raise ValueError(f"optimizer must be one of {sorted(STATE_BYTES)}, not {optimizer!r}")
    every = count_params(model)
    # Frozen parameters are stored but get no gradient, no master copy and no optimizer state.
    trainable = count_params(model, trainable_only=True)
    low = 2 if mixed_precision else 4
    out = {
        "weights": every * low,
        "gradients": trainable * low,
        # Mixed precision keeps a float32 copy of every trained weight for the update.
        "master": trainable * 4 if mixed_precision else 0,
        "optimizer": trainable * STATE_BYTES[optimizer],
    }
    out["total"] = sum(out.values())
    return out


def pad_to_multiple(n: int, multiple: int = 8) -> int:
    """The smallest multiple of ``multiple`` that is >= ``n``."""
    # Ceiling division with integers only: no float rounding for large n.
    return -(-n // multiple) * multiple

"""Low-precision weights with a float32 master copy (reference solution)."""

import torch
from torch import nn


def make_master(model: nn.Module) -> list[torch.Tensor]:
    """A float32 copy of every parameter, detached and in its own memory."""
    # detach: the master copy is not part of any graph; clone: for a float32 model .float()
    # returns the parameter itself, and the copy must not share its memory.
    return [p.detach().clone().float() for p in model.parameters()]


def master_sgd_step(model: nn.Module, master: list[torch.Tensor], lr: float) -> None:
    """SGD on the float32 master copy, then the model's weights become the rounded master."""
    with torch.no_grad():
        for p, m in zip(model.parameters(), master):
            if p.grad is None:
                continue
            # The update is applied in float32: a step far smaller than the spacing of
            # bfloat16 or float16 numbers near p would round away if applied to p itself,
            # but it accumulates in the master copy until it shows.
            m.sub_(lr * p.grad.float())
            # copy_ rounds to the parameter's own dtype and keeps the parameter object.
            p.copy_(m)

"""A hostile lesson 7: every function and method does what the attack's hostile.act does."""

import hostile
from torch import nn


def sigmoid_range(*args, **kwargs):
    return hostile.act(*args, **kwargs)


class DotProductBias(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__()
        hostile.act(*args, **kwargs)

    def forward(self, *args, **kwargs):
        return hostile.act(*args, **kwargs)

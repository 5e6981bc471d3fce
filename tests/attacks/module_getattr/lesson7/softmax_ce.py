import torch


def __getattr__(name):
    return lambda *a, **k: torch.zeros(())

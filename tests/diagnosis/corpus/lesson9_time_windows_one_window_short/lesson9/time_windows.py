"""Sliding windows over a time series."""

import torch


def sliding_windows(series, length, horizon=1, stride=1):
    T = series.shape[0]
    n = (T - length - horizon) // stride if T >= length + horizon else 0
    starts = torch.arange(n, device=series.device) * stride
    steps = torch.arange(length, device=series.device)
    inputs = series[starts.unsqueeze(1) + steps.unsqueeze(0)]
    targets = series[starts + length - 1 + horizon]
    return inputs, targets

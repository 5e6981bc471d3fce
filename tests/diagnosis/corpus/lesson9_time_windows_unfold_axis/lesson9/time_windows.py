"""Sliding windows over a time series."""

import torch


def sliding_windows(series, length, horizon=1, stride=1):
    T = series.shape[0]
    feat = series.shape[1:]
    n = (T - length - horizon) // stride + 1 if T >= length + horizon else 0
    if n == 0:
        return series.new_empty((0, length, *feat)), series.new_empty((0, *feat))
    # unfold cuts every window of `length` steps; keep the ones whose target is inside the series
    inputs = series.unfold(0, length, stride)[:n]
    starts = torch.arange(n, device=series.device) * stride
    targets = series[starts + length - 1 + horizon]
    return inputs, targets

"""Sliding windows over a time series.

A plain loop over window starts: each window is a slice of the series, each target one
indexed step; both lists are stacked (an empty result gets its shapes from an empty slice).
"""

import torch


def sliding_windows(series, length, horizon=1, stride=1):
    T = series.shape[0]
    feat = series.shape[1:]
    windows, targets = [], []
    start = 0
    while start + length - 1 + horizon < T:
        windows.append(series[start : start + length])
        targets.append(series[start + length - 1 + horizon])
        start += stride
    if not windows:
        empty = series[:0]
        return empty.reshape(0, *feat).unsqueeze(1).expand(0, length, *feat), empty.reshape(0, *feat)
    return torch.stack(windows), torch.stack(targets)

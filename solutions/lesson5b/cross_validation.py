"""k-fold cross-validation and a grid search over hyperparameters (reference solution)."""

import itertools
from collections.abc import Callable
from typing import Any

import torch


def kfold_indices(n: int, k: int, generator: torch.Generator | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Split ``n`` positions into ``k`` folds; one ``(train_idx, val_idx)`` pair per fold."""
    if k < 2 or k > n:
        raise ValueError(f"need 2 <= k <= n, got k={k}, n={n}")
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    # The first n % k folds take one extra position, so no fold differs from another by
    # more than one and every position is used.
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    folds = []
    start = 0
    for size in sizes:
        val = order[start : start + size]
        train = torch.cat([order[:start], order[start + size :]])
        folds.append((train, val))
        start += size
    return folds


def grid_search(
    train_eval: Callable[[dict[str, Any], torch.Tensor, torch.Tensor], float],
    grid: dict[str, list[Any]],
    folds: list[tuple[torch.Tensor, torch.Tensor]],
    maximize: bool = False,
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], float]]]:
    """Score every setting of ``grid`` by its mean over ``folds``; return the best and all scores."""
    names = list(grid)
    results = []
    for values in itertools.product(*(grid[name] for name in names)):
        # A fresh dict per setting: a shared one would be overwritten by the next setting.
        setting = dict(zip(names, values, strict=True))
        scores = [float(train_eval(setting, train_idx, val_idx)) for train_idx, val_idx in folds]
        results.append((setting, sum(scores) / len(scores)))
    best_setting, best_score = results[0]
    for setting, score in results[1:]:
        # Strict comparisons keep the earliest setting on a tie.
        better = score > best_score if maximize else score < best_score
        if better:
            best_setting, best_score = setting, score
    return best_setting, results

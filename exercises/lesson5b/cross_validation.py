"""k-fold cross-validation and a grid search over hyperparameters.

Build the two pieces of a small hyperparameter search:

- ``kfold_indices(n, k, generator)``: split the positions ``0 .. n-1`` into k folds of
  nearly equal size and return, for every fold, the (train, validation) index pair;
- ``grid_search(train_eval, grid, folds)``: try every combination of the listed
  hyperparameter values, score each on every fold with a given train-and-evaluate
  function, average over the folds, and pick the best setting.

The two functions are independent: ``grid_search`` takes whatever folds it is given.
Off limits: ``torch.tensor_split`` (function and method) and ``numpy.array_split``, which
would size the folds for you, and scikit-learn's ``KFold``, ``ParameterGrid`` and
``GridSearchCV``. ``itertools.product`` is allowed.
"""

from collections.abc import Callable
from typing import Any

import torch


def kfold_indices(
    n: int, k: int, generator: torch.Generator | None = None
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Split ``n`` positions into ``k`` folds; one ``(train_idx, val_idx)`` pair per fold.

    The positions are first put in an order: ``torch.arange(n)`` when ``generator`` is
    ``None``, else ``torch.randperm(n, generator=generator)`` (one draw). That order is cut
    into k consecutive folds; the first ``n % k`` folds hold ``n // k + 1`` positions and
    the others ``n // k``, so sizes differ by at most one. For fold i, ``val_idx`` is the
    fold itself and ``train_idx`` every other position (each exactly once, in any order).
    Every position is in exactly one validation fold.

    Args:
        n: the number of examples, ``n >= k``.
        k: the number of folds, ``2 <= k <= n``.
        generator: a CPU ``torch.Generator`` to shuffle with, or ``None`` for no shuffling.

    Returns:
        A list of k pairs of 1-D int64 CPU tensors ``(train_idx, val_idx)``, folds in order.

    Raises:
        ValueError: when ``k < 2`` or ``k > n``.
    """
    # TODO: validate k, build the order, cut it at the fold boundaries, pair each fold
    # with the rest.
    raise NotImplementedError("TODO: kfold_indices")


def grid_search(
    train_eval: Callable[[dict[str, Any], torch.Tensor, torch.Tensor], float],
    grid: dict[str, list[Any]],
    folds: list[tuple[torch.Tensor, torch.Tensor]],
    maximize: bool = False,
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], float]]]:
    """Score every setting of ``grid`` by its mean over ``folds``; return the best and all scores.

    The settings are the Cartesian product of the grid's value lists, as dicts
    ``{name: value}``, in the order of ``itertools.product`` over the grid's keys in their
    dict order (the last key varies fastest). For ``grid = {"lr": [0.1, 0.01], "wd": [0, 1]}``
    that is ``{"lr": 0.1, "wd": 0}``, ``{"lr": 0.1, "wd": 1}``, ``{"lr": 0.01, "wd": 0}``,
    ``{"lr": 0.01, "wd": 1}``. Each setting gets a dict of its own.

    For every setting and every fold ``(train_idx, val_idx)`` call
    ``train_eval(setting, train_idx, val_idx)`` exactly once; it trains on the train
    positions and returns the validation score as a float. A setting's score is the mean
    of its fold scores. The best setting has the lowest mean (a loss), or the highest when
    ``maximize`` is true; on a tie the earliest setting in the order above wins.

    Args:
        train_eval: ``(setting, train_idx, val_idx) -> float``.
        grid: hyperparameter name -> non-empty list of values to try. Not modified.
        folds: a non-empty list of ``(train_idx, val_idx)`` pairs (from ``kfold_indices``
            or any other split).
        maximize: the score is to be maximised (an accuracy) rather than minimised.

    Returns:
        ``(best_setting, results)``: the best setting's dict, and a list of
        ``(setting, mean_score)`` for every setting in the order above, mean scores as floats.
    """
    # TODO: enumerate the settings, score each on every fold, average, pick the best.
    raise NotImplementedError("TODO: grid_search")

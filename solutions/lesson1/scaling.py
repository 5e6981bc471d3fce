"""Feature scaling: min-max scaling and z-score standardization (reference solution)."""

import torch


class MinMaxScaler:
    """Rescales each feature with the training minimum and maximum."""

    def __init__(self) -> None:
        self.min_: torch.Tensor | None = None
        self.max_: torch.Tensor | None = None

    def fit(self, x: torch.Tensor) -> "MinMaxScaler":
        """Learn each feature's minimum and maximum from training data."""
        # Reduce over the rows (dim 0): one statistic per feature, i.e. per column.
        self.min_ = x.amin(dim=0)
        self.max_ = x.amax(dim=0)
        return self

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """Scale ``x`` with the fitted statistics."""
        assert self.min_ is not None and self.max_ is not None, "call fit() first"
        r = self.max_ - self.min_
        # A constant feature has range 0: dividing by 1 instead keeps it finite (0 on the
        # training data). ones_like keeps the dtype and device of the statistics.
        r = torch.where(r == 0, torch.ones_like(r), r)
        # (F,) statistics broadcast against the last dimension of any (..., F) input.
        return (x - self.min_) / r


class StandardScaler:
    """Standardizes each feature with the training mean and standard deviation."""

    def __init__(self) -> None:
        self.mean_: torch.Tensor | None = None
        self.std_: torch.Tensor | None = None

    def fit(self, x: torch.Tensor) -> "StandardScaler":
        """Learn each feature's mean and population standard deviation from training data."""
        self.mean_ = x.mean(dim=0)
        # Two passes: centre first, then square. The one-pass mean(x**2) - mean**2 subtracts
        # two huge, nearly equal numbers when the values sit far from 0 and loses the variance.
        centered = x - self.mean_
        # Population std (divide by N): the statistic of this data, not an estimate for a
        # larger population, so the training data gets std exactly 1.
        self.std_ = (centered * centered).mean(dim=0).sqrt()
        return self

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """Standardize ``x`` with the fitted statistics."""
        assert self.mean_ is not None and self.std_ is not None, "call fit() first"
        s = torch.where(self.std_ == 0, torch.ones_like(self.std_), self.std_)
        centered = x - self.mean_
        return centered / s

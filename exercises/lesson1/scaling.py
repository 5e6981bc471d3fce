"""Feature scaling: min-max scaling and z-score standardization, fitted on training data.

Features on very different scales give gradients on very different scales, and one learning
rate cannot suit them all. Rescaling each feature (each column) fixes that:

- min-max scaling:   ``x' = (x - min) / (max - min)``  (training data lands in ``[0, 1]``);
- standardization:   ``x' = (x - mean) / std``         (training data gets mean 0, std 1).

The statistics are computed once, by ``fit``, on the training data only, and ``transform``
applies those same numbers to any data (training, validation, test). Refitting on the data
being transformed would leak information and make the splits incomparable.

A feature that is constant on the training data has ``max - min == 0`` and ``std == 0``;
dividing by that would give NaN or inf. Here a zero range or zero std is replaced by 1 when
scaling, so the constant training values map to exactly 0.

Off limits: ``torch.nn.functional.batch_norm``, ``layer_norm`` and ``instance_norm``.
"""

import torch


class MinMaxScaler:
    """Rescales each feature with the training minimum and maximum.

    Attributes (set by ``fit``):
        min_: tensor of shape ``(F,)``, each feature's minimum over the training rows.
        max_: tensor of shape ``(F,)``, each feature's maximum over the training rows.
    """

    def __init__(self) -> None:
        self.min_: torch.Tensor | None = None
        self.max_: torch.Tensor | None = None

    def fit(self, x: torch.Tensor) -> "MinMaxScaler":
        """Learn each feature's minimum and maximum from training data.

        Args:
            x: float tensor of shape ``(N, F)``: N training rows of F features. Not modified.

        Returns:
            ``self``, so that ``MinMaxScaler().fit(train).transform(test)`` works.
        """
        # TODO: store the per-feature (per-column) minimum and maximum in self.min_ and self.max_.
        raise NotImplementedError("TODO: MinMaxScaler.fit")

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """Scale ``x`` with the fitted statistics.

        ``out = (x - min_) / r`` where ``r = max_ - min_``, and ``r`` is replaced by 1 for
        features whose range is 0.

        Args:
            x: float tensor of shape ``(..., F)``, with the dtype and device of the training
                data. Not modified.

        Returns:
            A new tensor with the shape, dtype and device of ``x``. Data outside the training
            range maps outside ``[0, 1]``; that is expected.
        """
        # TODO: subtract min_ and divide by the range, using 1 where the range is 0.
        raise NotImplementedError("TODO: MinMaxScaler.transform")


class StandardScaler:
    """Standardizes each feature with the training mean and standard deviation.

    Attributes (set by ``fit``):
        mean_: tensor of shape ``(F,)``, each feature's mean over the training rows.
        std_: tensor of shape ``(F,)``, each feature's population standard deviation
            ``sqrt(mean((x - mean_) ** 2))`` (divide by N, not N - 1).
    """

    def __init__(self) -> None:
        self.mean_: torch.Tensor | None = None
        self.std_: torch.Tensor | None = None

    def fit(self, x: torch.Tensor) -> "StandardScaler":
        """Learn each feature's mean and population standard deviation from training data.

        Args:
            x: float tensor of shape ``(N, F)``. Not modified.

        Returns:
            ``self``.
        """
        # TODO: store the per-feature mean and population std (correction 0) in self.mean_ and self.std_.
        #       Subtract the mean before squaring: mean(x**2) - mean(x)**2 loses all precision
        #       when the values are large compared with their spread.
        raise NotImplementedError("TODO: StandardScaler.fit")

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """Standardize ``x`` with the fitted statistics.

        ``out = (x - mean_) / s`` where ``s = std_``, replaced by 1 for features whose std is 0.

        Args:
            x: float tensor of shape ``(..., F)``. Not modified.

        Returns:
            A new tensor with the shape, dtype and device of ``x``.
        """
        # TODO: subtract mean_ and divide by std_, using 1 where std_ is 0.
        raise NotImplementedError("TODO: StandardScaler.transform")

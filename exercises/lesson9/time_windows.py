"""Sliding windows: turning one long time series into supervised training examples.

A single series (a price, a temperature, the load of a web server) is one sequence, not a
dataset. A forecaster is trained on many short examples cut from it: a window of ``length``
consecutive steps is the input, and the step ``horizon`` steps after the window's last step
is the target. The next window starts ``stride`` steps later. Build:

- ``sliding_windows``: every (window, target) pair of a series, stacked into two tensors.

For a series of ``T`` steps, window ``i`` starts at ``s_i = i * stride``::

    inputs[i]  = series[s_i : s_i + length]            (length, *F)
    targets[i] = series[s_i + length - 1 + horizon]    (*F)

for every ``i`` whose target still lies inside the series, so there are
``N = (T - length - horizon) // stride + 1`` windows when ``T >= length + horizon`` and none
otherwise. Example: ``T = 6``, ``length = 3``, ``horizon = 1``, ``stride = 1`` gives the
windows ``[0, 1, 2] -> 3``, ``[1, 2, 3] -> 4`` and ``[2, 3, 4] -> 5``.

No built-in is off limits. ``Tensor.unfold`` can cut the windows, but mind the axis it
puts the window steps on.
"""

import torch


def sliding_windows(
    series: torch.Tensor, length: int, horizon: int = 1, stride: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """All input windows of a series and the target that follows each.

    Args:
        series: tensor of shape ``(T, *F)``, time first: ``(T,)`` for a single series,
            ``(T, D)`` for ``D`` series observed together. It is not modified.
        length: the number of steps in each window, ``>= 1``.
        horizon: how many steps after a window's last step its target lies, ``>= 1``
            (``1``: the very next step).
        stride: the number of steps between the starts of consecutive windows, ``>= 1``.

    Returns:
        ``(inputs, targets)``: ``inputs`` of shape ``(N, length, *F)`` (window ``i`` in row
        ``i``, its steps in time order along dimension 1) and ``targets`` of shape ``(N, *F)``,
        both with the dtype and device of ``series``. ``N`` may be 0 (a series too short for a
        single window gives shapes ``(0, length, *F)`` and ``(0, *F)``). Both are built by
        indexing ``series``, so gradients flow back to it.
    """
    # TODO: count the windows, compute the start of each, gather the window steps and the
    # target step of every window.
    raise NotImplementedError("TODO: sliding_windows")

"""Per-channel statistics of one layer's output: mean, max, and channels that stay at zero."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError


@dataclass(frozen=True)
class ChannelStats:
    """Per-channel summary of one image's activations at one layer.

    Attributes:
        mean: (C,) float32, mean activation of each channel over its map.
        max: (C,) float32, largest activation of each channel.
        dead: (C,) bool, True where the channel is zero everywhere for this input (e.g. a
            ReLU that never fires). Channels of layers without a ReLU are rarely exactly 0.
    """

    mean: np.ndarray
    max: np.ndarray
    dead: np.ndarray

    @property
    def dead_count(self) -> int:
        """How many channels stay at zero."""
        return int(self.dead.sum())

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.mean.shape[0])


def channel_stats(activation: np.ndarray, atol: float = 0.0) -> ChannelStats:
    """Per-channel mean, max and the channels that stay at zero, for ONE image.

    Args:
        activation: one image's layer output, (H, W, C) for maps or (C,) for a dense layer
            (index the batch first: ``acts[name][i]``).
        atol: a channel is "dead" when every value has ``|a| <= atol``.

    Returns:
        :class:`ChannelStats` with (C,) arrays.
    """
    a = np.asarray(activation, dtype=np.float32)
    if a.ndim == 1:
        a = a[None, None, :]
    if a.ndim != 3:
        raise InputError(
            f"Expected one image's activations (H, W, C) or (C,), got shape {a.shape}."
        )
    flat = a.reshape(-1, a.shape[-1])
    return ChannelStats(
        mean=flat.mean(axis=0),
        max=flat.max(axis=0),
        dead=np.all(np.abs(flat) <= atol, axis=0),
    )

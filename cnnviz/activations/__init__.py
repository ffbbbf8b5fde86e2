"""Per-layer activations from one forward pass, and helpers to show them.

Core of the Activations page:

* :func:`model_input` — turn what the page has (RGB images for an ``ImageModel``, or an
  already preprocessed batch for a bare ``keras.Model``) into the model's input batch.
* :func:`layer_activations` — every requested layer's output from ONE forward pass.
* :func:`channel_stats` — per-channel mean / max and the channels that stay at zero.
* :func:`channel_grid` — a mosaic of channel maps for one plotly heatmap.
* :func:`first_conv_kernels` — the first convolution's kernels as small RGB images.
* :func:`tile_images` — a gallery mosaic of RGB images (kernels, filter visualizations).
"""

from cnnviz.activations.forward import layer_activations, model_input
from cnnviz.activations.kernels import Kernels, first_conv_kernels
from cnnviz.activations.mosaics import ChannelGrid, channel_grid, grid_shape, tile_images
from cnnviz.activations.stats import ChannelStats, channel_stats

__all__ = [
    "ChannelGrid",
    "ChannelStats",
    "Kernels",
    "channel_grid",
    "channel_stats",
    "first_conv_kernels",
    "grid_shape",
    "layer_activations",
    "model_input",
    "tile_images",
]

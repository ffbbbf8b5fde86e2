"""The layer that adds fresh clipped noise at every call (the denoising wrapper's input).

A module of its own, importing Keras at the top, so that the generated code can carry the
class's source as it is (:mod:`cnnviz.codegen.inline`); :func:`~cnnviz.autoencoder.noise.\
noise_layer_class` imports it on first use.
"""

import keras


class NoisyInput(keras.layers.Layer):
    """Adds clipped Gaussian noise at every call, training or not (wrapper only).

    Images (N, H, W, C) in [0, 1] → the same shape, ``clip(x + level * normal, 0, 1)``.
    """

    def __init__(self, level: float, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.level = float(level)
        self.seed_generator = keras.random.SeedGenerator(int(seed))

    def call(self, x):
        """Images (N, H, W, C) in [0, 1] plus fresh noise, clipped back to [0, 1]."""
        noise = keras.random.normal(keras.ops.shape(x), seed=self.seed_generator)
        return keras.ops.clip(x + self.level * noise, 0.0, 1.0)

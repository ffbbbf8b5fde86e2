"""Models a page can explore, and looking inside them without changing them.

* :class:`ImageModel` — one shape for every model (trained here, uploaded, pretrained): a
  Keras classifier with its input size, :class:`Preprocessing` and class names; its
  ``predict_proba`` / ``probabilities`` / ``top_k`` are the one softmax and top-k.
* Graph helpers — layer lists (:func:`layer_infos`), sub-models from one trace
  (:func:`multi_output_model`, :func:`logits_model`, :func:`layer_model`,
  :func:`injected_model`), all kept in the one :data:`MODEL_CACHE`.
* :func:`default_cam_layer` — the default Grad-CAM layer, in one place.
* :func:`receptive_field` — where a layer's cells sit in the input (:class:`Geometry`).
* :mod:`cnnviz.models.evaluation` — test-set predictions and reports for the Train page.

Every inspection module (activations, featureviz, attribution) goes through here, so nested
models, softmax outputs and shared cached models are handled once.
"""

import importlib
from typing import TYPE_CHECKING

# Public name -> the module that defines it. Loaded on first use (PEP 562), so importing a
# light module such as ``cnnviz.models.preprocessing`` (the model store does, and the store
# is on every page's sidebar) does not load Keras and TensorFlow before the server's
# "Loading TensorFlow…" sign can show.
_WHERE = {
    "MODEL_CACHE": "cache",
    "ModelCache": "cache",
    "clear_cache": "cache",
    "default_cam_layer": "cam",
    "LayerInfo": "graph",
    "ModelLike": "graph",
    "input_shape": "graph",
    "keras_model": "graph",
    "ImageModel": "imagemodel",
    "conv_layers": "layers",
    "layer_info": "layers",
    "layer_infos": "layers",
    "layer_names": "layers",
    "num_classes": "layers",
    "spatial_layers": "layers",
    "outputs_logits": "logits",
    "probabilities": "predictions",
    "softmax": "predictions",
    "top_indices": "predictions",
    "top_k": "predictions",
    "Preprocessing": "preprocessing",
    "Geometry": "receptive_field",
    "layers_by_name": "receptive_field",
    "receptive_field": "receptive_field",
    "injected_model": "submodels",
    "layer_model": "submodels",
    "logits_model": "submodels",
    "multi_output_model": "submodels",
}


def __getattr__(name: str):
    if name == "preprocessing":
        return importlib.import_module("cnnviz.models.preprocessing")
    if name not in _WHERE:
        raise AttributeError(f"module 'cnnviz.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cnnviz.models.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # what type checkers and readers see
    from cnnviz.models import preprocessing
    from cnnviz.models.cache import MODEL_CACHE, ModelCache, clear_cache
    from cnnviz.models.cam import default_cam_layer
    from cnnviz.models.graph import LayerInfo, ModelLike, input_shape, keras_model
    from cnnviz.models.imagemodel import ImageModel
    from cnnviz.models.layers import (
        conv_layers,
        layer_info,
        layer_infos,
        layer_names,
        num_classes,
        spatial_layers,
    )
    from cnnviz.models.logits import outputs_logits
    from cnnviz.models.predictions import probabilities, softmax, top_indices, top_k
    from cnnviz.models.preprocessing import Preprocessing
    from cnnviz.models.receptive_field import Geometry, layers_by_name, receptive_field
    from cnnviz.models.submodels import (
        injected_model,
        layer_model,
        logits_model,
        multi_output_model,
    )

__all__ = [
    "MODEL_CACHE",
    "Geometry",
    "ImageModel",
    "LayerInfo",
    "ModelCache",
    "ModelLike",
    "Preprocessing",
    "clear_cache",
    "conv_layers",
    "default_cam_layer",
    "injected_model",
    "input_shape",
    "keras_model",
    "layer_info",
    "layer_infos",
    "layer_model",
    "layer_names",
    "layers_by_name",
    "logits_model",
    "multi_output_model",
    "num_classes",
    "outputs_logits",
    "preprocessing",
    "probabilities",
    "receptive_field",
    "softmax",
    "spatial_layers",
    "top_indices",
    "top_k",
]

"""'The code' of the Activations page: every layer's output for the image, as a script."""

from __future__ import annotations

import numpy as np

from cnnviz.codegen.activations_code import ActivationsCode
from cnnviz.codegen.lazy import Deferred
from cnnviz.models import ImageModel
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.common.model_picker import stored_model_path


def code_section(model: ImageModel, image: np.ndarray) -> None:
    """The expander with the code of the layer table above, for the first image."""
    source = Deferred(lambda: ActivationsCode.of(model, image, path=stored_model_path(model)))
    code_expander(source, key="act")

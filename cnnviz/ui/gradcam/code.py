"""'The code' of the Grad-CAM page: this heatmap as a script and a notebook."""

from __future__ import annotations

from cnnviz.codegen.gradcam_code import GradCamCode
from cnnviz.codegen.lazy import Deferred
from cnnviz.models import ImageModel
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.common.image_source import PickedImage
from cnnviz.ui.common.model_picker import stored_model_path
from cnnviz.ui.gradcam.explain import Settings


def code_section(model: ImageModel, picked: PickedImage, class_index: int, settings: Settings):
    """The expander with the code of the heatmap above (Grad-CAM and Grad-CAM++)."""
    source = Deferred(
        lambda: GradCamCode.of(
            model,
            picked.image,
            class_index,
            settings.layer,
            method=settings.method,
            path=stored_model_path(model),
        )
    )
    code_expander(source, key="cam")

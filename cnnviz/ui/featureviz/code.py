"""'The code' of the Filter visualization page: these filter pictures as a script."""

from __future__ import annotations

from cnnviz.codegen.featureviz_code import FeatureVizCode
from cnnviz.codegen.lazy import Deferred
from cnnviz.models import ImageModel
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.common.model_picker import stored_model_path
from cnnviz.ui.featureviz.controls import Settings


def code_section(model: ImageModel, settings: Settings) -> None:
    """The expander with the code of the gallery above, at its settings."""
    source = Deferred(
        lambda: FeatureVizCode.of(
            model,
            settings.layer,
            settings.filters,
            steps=settings.steps,
            size=settings.size,
            seed=settings.seed,
            methods=settings.methods,
            path=stored_model_path(model),
        )
    )
    code_expander(source, key="fv")

"""'The code' of the Pretrained page: the chosen keras.applications models on the photo."""

from __future__ import annotations

import numpy as np

from cnnviz.codegen.pretrained_code import PretrainedCode
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.common.image_picker import chosen_sample


def code_section(names: list[str], image: np.ndarray) -> None:
    """The expander with the code of the predictions above."""
    source = PretrainedCode(tuple(names), image, sample=chosen_sample("pretrained"))
    code_expander(source, key="pretrained")

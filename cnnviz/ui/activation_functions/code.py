"""'The code' of the Activation functions page: the curves, slopes and vanishing gradient."""

from __future__ import annotations

from cnnviz.codegen.activation_functions_code import ActivationFunctionsCode
from cnnviz.ui.common.code_export import code_expander


def code_section(names: list[str], slope: float, layers: int, x0: float) -> None:
    """The expander with the code of the figures above, at the page's settings."""
    source = ActivationFunctionsCode(tuple(names), float(slope), int(layers), float(x0))
    code_expander(source, key="actf")

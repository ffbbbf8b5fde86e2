"""Streamlit code of the Neurons playground page (the maths is in ``cnnviz.feedforward``)."""

from cnnviz.ui.feedforward.claims import claims_text
from cnnviz.ui.feedforward.code import code
from cnnviz.ui.feedforward.live import live, playing, reset, step, toggle_play
from cnnviz.ui.feedforward.regression import regression_section
from cnnviz.ui.feedforward.settings import (
    class_link,
    data_widgets,
    defaults,
    linear_instead,
    network_widgets,
    prepare,
    settings,
)

__all__ = [
    "claims_text",
    "class_link",
    "code",
    "data_widgets",
    "defaults",
    "linear_instead",
    "live",
    "network_widgets",
    "playing",
    "prepare",
    "regression_section",
    "reset",
    "settings",
    "step",
    "toggle_play",
]

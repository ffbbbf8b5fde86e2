"""'The code' of the Neurons playground: its run in plain Keras, as a script and a notebook."""

from __future__ import annotations

from cnnviz.codegen.feedforward_code import PlaygroundCode
from cnnviz.feedforward import PlaygroundConfig
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.feedforward.live import current_run


def code(config: PlaygroundConfig) -> None:
    """The expander with the code of this run (its settings and the epochs trained so far)."""
    code_expander(PlaygroundCode(config, epochs=current_run(config).epoch), key="ff")

"""Streamlit code of the My classes page (what Teachable Machine does, in the workspace).

The work is done by :mod:`cnnviz.myclasses`; this package draws it:

* :mod:`~cnnviz.ui.myclasses.state` — the page's keys, this browser's project, messages.
* :mod:`~cnnviz.ui.myclasses.classes_ui` — class cards: name, count, thumbnails, review.
* :mod:`~cnnviz.ui.myclasses.adding` — camera snapshots in a row, many files, a zip.
* :mod:`~cnnviz.ui.myclasses.model_ui` — Train, then probabilities and Grad-CAM live.
* :mod:`~cnnviz.ui.myclasses.exports_ui` — .keras, checked .tflite, the images as a zip,
  and the hook for the code (issue 19, part 1).
"""

from cnnviz.ui.myclasses.adding import add_images_ui
from cnnviz.ui.myclasses.classes_ui import classes_ui
from cnnviz.ui.myclasses.exports_ui import code_ui, exports_ui, look_inside_ui
from cnnviz.ui.myclasses.model_ui import train_ui, trained_model, try_it_ui
from cnnviz.ui.myclasses.state import PREFIX, project

__all__ = [
    "PREFIX",
    "add_images_ui",
    "classes_ui",
    "code_ui",
    "exports_ui",
    "look_inside_ui",
    "project",
    "train_ui",
    "trained_model",
    "try_it_ui",
]

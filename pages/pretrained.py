"""Pretrained: several ImageNet networks look at the same photo; compare their guesses."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import pretrained
from cnnviz.ui import pretrained as pretrained_ui
from cnnviz.ui.common.gradcam_overlay import show_gradcam_overlay
from cnnviz.ui.common.image_picker import image_picker

TOP_K = 5
COLUMNS_PER_ROW = 3

st.title("Pretrained models")
st.caption(
    "Networks trained on ImageNet (1.2 million photos, 1000 classes) look at the same picture. "
    "Each one resizes it to its own input size, then answers with a probability per class. "
    f"{pretrained.info(pretrained.BUNDLED).title} ships with cnnviz and works offline; the "
    "others need their weight files, downloaded the first time someone picks them (when the "
    "server has internet)."
)

image = image_picker("pretrained", default_sample="cat", beside=True)

chosen = pretrained_ui.model_choice()

if image is None:
    st.info("Choose an image above (a sample, your own file, or a camera snapshot).")
    st.stop()
if not chosen:
    st.info("Pick at least one model above.")
    st.stop()


show_cam = st.toggle(
    "Show where each model looked (Grad-CAM for its top class)",
    value=True,
    key="pretrained_gradcam",
    help="Grad-CAM weights the last convolution layer's maps by the gradient of the top "
    "class's score: red regions raised that score most. Open the Grad-CAM page for more.",
)


def per_model_extras(model: pretrained.PretrainedModel, prediction: pretrained.Prediction) -> None:
    """Extra panel under a model's column: the Grad-CAM overlay for its top-1 class."""
    if show_cam:
        show_gradcam_overlay(model, image)


predictions = []
for row_start in range(0, len(chosen), COLUMNS_PER_ROW):
    row = chosen[row_start : row_start + COLUMNS_PER_ROW]
    for column, name in zip(st.columns(COLUMNS_PER_ROW), row, strict=False):
        with column, st.container(border=True):
            prediction = pretrained_ui.model_column(name, image, TOP_K, per_model_extras)
        if prediction is not None:
            predictions.append(prediction)

st.caption(
    "Latency: resizing, preprocessing and one forward pass on this server, measured the first "
    "time this image met this model. Top-1: share of ImageNet validation photos whose "
    "best guess is right, as published."
)
pretrained_ui.code_section(chosen, image)

st.header("Do the models agree?")
if len(predictions) < 2:
    st.info(
        "Pick two or more models that load to see where they agree and where they differ on "
        "this image. With no download at all, the bundled model can still be compared with "
        "itself at two input sizes, below."
    )
    pretrained_ui.input_size_section(image)
    st.stop()

pretrained_ui.agreement_section(predictions, TOP_K)

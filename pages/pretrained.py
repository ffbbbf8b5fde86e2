"""Pretrained: several ImageNet networks look at the same photo; compare their guesses."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.ui import pretrained_ui
from cnnviz.ui.busy import busy_sign
from cnnviz.ui.gradcam_panel import show_gradcam_overlay
from cnnviz.ui.image_picker import image_picker
from cnnviz.ui.text import plain

TOP_K = 5
COLUMNS_PER_ROW = 3

st.title("Pretrained models")
st.caption(
    "Networks trained on ImageNet (1.2 million photos, 1000 classes) look at the same picture. "
    "Each one resizes it to its own input size, then answers with a probability per class. "
    f"{pretrained.info(pretrained.BUNDLED).title} ships with cnnviz and works offline; the "
    "others download their weights the first time someone uses them."
)

image = image_picker("pretrained", location="sidebar", default_sample="cat")

names = [m.name for m in pretrained.available()]
chosen = st.multiselect(
    "Models to compare",
    names,
    default=[pretrained.BUNDLED],
    format_func=pretrained_ui.model_label,
    key="pretrained_models",
    help="Pick several to compare them side by side. Larger models are slower on this server.",
)

if image is None:
    st.info("Choose an image in the sidebar (a sample, your own file, or a camera snapshot).")
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


def model_column(name: str) -> pretrained.Prediction | None:
    """One model's column: what it saw, its top-5 bars and figures; None when it failed."""
    entry = pretrained.info(name)
    st.subheader(entry.title)
    try:
        model = pretrained_ui.load_model(name)
        with busy_sign(f"Asking {entry.title} what it sees…"):
            prediction = pretrained_ui.cached_prediction(name, image, TOP_K)
    except InputError as err:
        st.error(plain(err), icon=":material/cloud_off:")
        return None
    h, w = model.input_size
    st.image(prediction.seen, caption=f"What it saw: {w}×{h} pixels", width=180)
    st.plotly_chart(
        pretrained_ui.top_k_figure(prediction),
        key=f"pretrained_top_{name}",
        config={"displayModeBar": False},
    )
    st.markdown(
        f"Latency **{prediction.latency_ms:.0f} ms** · "
        f"**{prediction.params / 1e6:.1f} M** parameters · "
        f"ImageNet top-1 **{entry.top1:.1f}%**"
    )
    per_model_extras(model, prediction)
    return prediction


predictions = []
for row_start in range(0, len(chosen), COLUMNS_PER_ROW):
    row = chosen[row_start : row_start + COLUMNS_PER_ROW]
    for column, name in zip(st.columns(COLUMNS_PER_ROW), row, strict=False):
        with column, st.container(border=True):
            prediction = model_column(name)
        if prediction is not None:
            predictions.append(prediction)

st.caption(
    "Latency: resizing, preprocessing and one forward pass on this server, measured the first "
    "time this image met this model. Top-1: share of ImageNet validation photos whose "
    "best guess is right, as published."
)

st.header("Do the models agree?")
if len(predictions) < 2:
    st.info("Pick two or more models that load to see where they agree and where they differ.")
    st.stop()

summary = pretrained.agreement(predictions)
if summary.shared_top1:
    st.success(f"All {len(predictions)} models put **{summary.shared_top1}** first.")
else:
    answers = ", ".join(
        f"{model} → **{top}**" for model, top in zip(summary.models, summary.top1, strict=True)
    )
    st.warning(f"Their first guesses differ: {answers}.")
if summary.shared_topk:
    st.markdown(
        f"In every model's top {TOP_K}: " + ", ".join(f"**{c}**" for c in summary.shared_topk)
    )
else:
    st.markdown(f"No class is in every model's top {TOP_K}.")
st.plotly_chart(
    pretrained_ui.agreement_figure(summary),
    key="pretrained_agreement",
    config={"displayModeBar": False},
)
st.caption(
    f"Each cell: the probability a model gives a class. Blank: not in that model's top {TOP_K}. "
    "Classes most models list come first."
)

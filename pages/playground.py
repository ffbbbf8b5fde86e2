"""Draw & attack: draw a digit for a model to read, then fool it with FGSM."""

import streamlit as st

from cnnviz.ui import playground as ui
from cnnviz.ui.common.image_source import image_source, test_set
from cnnviz.ui.common.model_picker import model_picker

st.title("Draw & attack")
st.caption(
    "Draw a digit and watch the network read it, stroke by stroke. Then fool it: an "
    "adversarial example changes every pixel a little, invisibly, in the direction that "
    "hurts the prediction most (FGSM)."
)

model = model_picker("playground")
if model is None:
    st.stop()

st.subheader("Draw")
if ui.drawable(model):
    drawn, truth = ui.draw_section_ui("play_draw", model)
else:
    drawn = None
    st.info(
        "Drawing works with models trained on digits, MNIST or Fashion-MNIST: train one on "
        "the Train page (digits trains in under a minute) and pick it above.",
        icon=":material/draw:",
    )

st.subheader("Attack (FGSM)")
use_drawing = drawn is not None and st.toggle(
    "Attack my drawing", value=True, key="play_attack_drawing"
)
if use_drawing:
    image, whose = drawn, "your"
else:
    picked = image_source("play_image", model, label="Image to attack", preview=False)
    image = None if picked is None else picked.image
    truth = None if picked is None else picked.true_index  # a test image's label
    whose = "this"
if image is not None:
    ui.fgsm_ui("play_fgsm", model, image, truth=truth, whose=whose)

ds = test_set(model)
if ds is not None:
    st.markdown("**Accuracy against ε** over the test set")
    ui.accuracy_curve_ui("play", model, ds.x_test, ds.y_test)

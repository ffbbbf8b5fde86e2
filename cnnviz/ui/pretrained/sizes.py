"""Do the models agree? with no download: the bundled model at two input sizes.

The same network and weights read each image at its own 224 x 224 and at a second size; the
agreement is the share of images whose first guess is the same at both. The images: the
offline sample gallery, and the page's image when it is not one of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import images, pretrained
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.pretrained_models import cached_model, load_model

SECOND_SIZES = (64, 96, 128, 160, 192, 256, 320)
DEFAULT_SECOND_SIZE = 128
THIS_IMAGE = "this page's image"


@st.cache_resource(show_spinner=False, max_entries=len(SECOND_SIZES))
def _bundled_at(size: int) -> pretrained.PretrainedModel:
    """The bundled model reading size x size images, built once per server (never mutate)."""
    return pretrained.with_input_size(cached_model(pretrained.BUNDLED), size)


def _images(image: np.ndarray) -> dict[str, np.ndarray]:
    """The sample gallery, with the page's image first when it is not one of the samples."""
    gallery = images.samples()
    if any(np.array_equal(image, sample) for sample in gallery.values()):
        return gallery
    return {THIS_IMAGE: image, **gallery}


@st.cache_data(max_entries=16, show_spinner=False)
def _agreement(size: int, image: np.ndarray) -> pretrained.Top1Agreement:
    return pretrained.top1_agreement(
        cached_model(pretrained.BUNDLED), _bundled_at(size), _images(image)
    )


def input_size_section(image: np.ndarray) -> None:
    """The bundled model at its own input size and a second one, on the same images.

    Args:
        image: the page's (H, W, 3) uint8 RGB image, compared with the sample gallery.
    """
    model = load_model(pretrained.BUNDLED)
    native = model.input_size[0]
    st.markdown(
        f"**With no download: {model.title} at two input sizes.** Does one network give "
        "the same answers when each picture is resized to a different size before it looks?"
    )
    size = st.select_slider(
        "Second input size",
        SECOND_SIZES,
        value=DEFAULT_SECOND_SIZE,
        format_func=lambda s: f"{s}×{s}",
        key="pretrained_second_size",
        help=f"{model.title} was trained on {native}×{native} photos. Its convolutions and "
        "global average pooling take any size, with the same weights.",
    )
    doing = f"Asking {model.title} about {len(_images(image))} images at two sizes…"
    with busy_sign(doing):
        result = _agreement(size, image)
    st.markdown(
        f"At {native}×{native} and {size}×{size}, {model.title} gives the same first guess "
        f"for **{result.count} of {len(result.images)}** images ({result.share:.0%})."
    )
    table = pd.DataFrame(
        {
            "Image": result.images,
            f"{native}×{native}": [name for _, name, _ in result.first],
            f"{size}×{size}": [name for _, name, _ in result.second],
            "Same?": result.same,
        }
    )
    # Tall enough for every row (35 px each, and the header): nothing hides below a scroll.
    st.dataframe(table, hide_index=True, height=35 * (len(table) + 1) + 3)
    st.caption(
        "Same network, same weights: only the size each image is resized to differs. "
        "Agreement: the share of the images whose top-1 class is the same at both sizes. "
        "Images: the sample gallery"
        + (f", and {THIS_IMAGE} first." if result.images[0] == THIS_IMAGE else ".")
    )

"""Filters: what one convolution kernel does to an image, before any learning."""

import streamlit as st

from cnnviz.ui import filters as sections
from cnnviz.ui.common.image_picker import image_picker

sections.restore_settings()  # first: the settings of earlier tabs and visits come back
st.title("Filters")
st.caption(
    "A convolutional layer slides small kernels over the image and, at every position, adds up "
    "kernel × pixels. Here you design those kernels by hand. (Like CNN layers and OpenCV, the "
    "kernel is not flipped: strictly speaking this is cross-correlation.)"
)

# At the top of the page, not in the sidebar: below the page list it sat under the fold.
image = image_picker("filters", datasets=True, beside=True)
if image is None:
    st.info(
        "Choose an image above (a sample, a dataset image, your own file, or a camera snapshot)."
    )
    sections.remember_settings()
    st.stop()
gray, gray_key = sections.gray_copy(image)

tabs = st.tabs(sections.TABS, key="filters_tab", on_change="rerun")
# Only the open tab runs (lazy tabs), and each section is a fragment: moving a slider reruns
# that section alone. The settings of the tabs not drawn are kept by remember_settings.
for tab, section in zip(tabs, sections.IMAGE_SECTIONS.values(), strict=False):
    with tab:
        if tab.open:
            section(gray, gray_key)
with tabs[-1]:
    if tabs[-1].open:
        sections.arithmetic_section()
sections.remember_settings()  # last: keep what this run shows

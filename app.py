"""cnnviz entry point: page config, the router, and the shared sidebar."""

import streamlit as st

from cnnviz.ui.sidebar import render_sidebar

st.set_page_config(page_title="cnnviz", page_icon="🧠", layout="wide")

PAGES = {
    "Start": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
    "Build intuition": [
        st.Page("pages/filters.py", title="Filters", icon="🔍", url_path="filters"),
        st.Page("pages/train.py", title="Train", icon="🏋️", url_path="train"),
    ],
    "Look inside": [
        st.Page("pages/activations.py", title="Activations", icon="🧩", url_path="activations"),
        st.Page(
            "pages/featureviz.py", title="Filter visualization", icon="🎨", url_path="featureviz"
        ),
        st.Page("pages/gradcam.py", title="Grad-CAM", icon="🔥", url_path="gradcam"),
        st.Page("pages/pretrained.py", title="Pretrained", icon="🌍", url_path="pretrained"),
    ],
}

page = st.navigation(PAGES)
render_sidebar()
page.run()

"""cnnviz entry point: page config, the router, and the shared sidebar."""

import streamlit as st

from cnnviz.ui import rerun_gate, startup
from cnnviz.ui.sidebar import render_sidebar

st.set_page_config(page_title="cnnviz", page_icon="🧠", layout="wide")
startup.prepare_server()
# One rerun at a time per session, so one busy browser cannot slow the class down.
rerun_gate.install()


def _page(name: str, title: str, icon: str, **kwargs) -> st.Page:
    """A page from pages/NAME.py, reachable at /NAME, with a Material icon."""
    return st.Page(f"pages/{name}.py", title=title, icon=f":material/{icon}:", **kwargs)


PAGES = {
    "Start": [_page("home", "Home", "home", default=True)],
    "Build intuition": [
        _page("filters", "Filters", "filter_alt", url_path="filters"),
        _page("train", "Train", "model_training", url_path="train"),
        _page("activation_functions", "Activation functions", "show_chart"),
        _page("autoencoder", "Denoising autoencoder", "compress", url_path="autoencoder"),
    ],
    "Look inside": [
        _page("activations", "Activations", "layers", url_path="activations"),
        _page("featureviz", "Filter visualization", "palette", url_path="featureviz"),
        _page("gradcam", "Grad-CAM", "local_fire_department", url_path="gradcam"),
        _page("playground", "Draw & attack", "draw", url_path="playground"),
        _page("pretrained", "Pretrained", "public", url_path="pretrained"),
        _page("transfer", "Transfer learning", "move_up", url_path="transfer"),
    ],
}

# Pages that run without TensorFlow; the others wait for the start-up import (a spinner).
NO_CORE = {"", "filters"}

page = st.navigation(PAGES)
if page.url_path not in NO_CORE:
    startup.wait_for_core()
render_sidebar()
page.run()

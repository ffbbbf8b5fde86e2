"""Home: a guided path through the app, in the order the courses teach it."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnnviz.ui.common.course_picker import course_links_ui
from cnnviz.ui.common.navigation import ROOT, PageSpec, home_steps

PICTURES = ROOT / "assets" / "home"  # made by assets/make_pictures.py


def _link(step: PageSpec) -> None:
    try:
        st.page_link(step.path, label=f"Open {step.title}", icon=f":material/{step.icon}:")
    except StreamlitAPIException:  # the page is not in this app's navigation (yet)
        st.caption(f"{step.title} is in the menu on the left.")


st.title("cnnviz: see how a neural network sees")
st.markdown(
    "#### How does a computer recognise a cat? Find out by doing it yourself, step by step.\n"
    "Start at step 1 and follow the path: every step is an experiment from the course, with "
    "the course's own settings, that you can change and rerun."
)

steps = home_steps()
COLUMNS = 3
for start in range(0, len(steps), COLUMNS):
    cols = st.columns(COLUMNS)
    for col, (number, step) in zip(
        cols, enumerate(steps[start : start + COLUMNS], start=start + 1), strict=False
    ):
        with col.container(border=True):
            path = PICTURES / f"{step.picture}.png" if step.picture else None
            if path is not None and path.exists():
                st.image(str(path), width="stretch")
            st.markdown(f"**Step {number} · :material/{step.icon}: {step.title}**")
            st.write(step.help)
            _link(step)

course_links_ui()

st.caption(
    "Everything runs on this server, offline: the shapes, digits and faces datasets and one "
    "ImageNet model are built in. Your uploads and models are yours alone unless you share them."
)

"""My classes: name your classes, show them to the camera, train in seconds, take it home."""

import streamlit as st

import cnnviz.ui  # noqa: F401  (first: a new server's first run must go through app.py)
from cnnviz.ui import myclasses as ui

st.title("My classes")
st.caption(
    "Teach a network your own classes: name two or more, show each one to the camera (or "
    "add files, or a zip of class folders), press Train, then point the camera at something "
    "and watch what it thinks. Everything stays in your workspace: reload or come back "
    "tomorrow with the same link."
)

project = ui.project()
if project is None:
    st.info("This page needs a workspace: open it from the app's own link.")
    st.stop()

st.header("1. Your classes")
classes = ui.classes_ui(project)

st.header("2. Add images")
ui.add_images_ui(project, classes)

st.header("3. Train")
ui.train_ui(project, classes)

st.header("4. Try it")
ui.try_it_ui(project)

st.header("5. Take it home")
model = ui.trained_model(project)
ui.exports_ui(project, model)
ui.look_inside_ui(project, model)
ui.code_ui(project)

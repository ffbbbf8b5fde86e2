"""Transfer learning: a pretrained base, a new head, three ways to train it, then compare."""

import streamlit as st

from cnnviz.ui import train as train_ui
from cnnviz.ui import transfer as ui

st.title("Transfer learning")
st.caption(
    "Keep the convolutional base of a network trained on ImageNet, put a new head on it and "
    "train on your own images: a few hundred photos reach accuracies that a network trained "
    "from scratch never reaches. Training runs on the server and keeps going while you "
    "visit other pages."
)

ui.restore_settings()
ui.course_experiments_ui()
job = train_ui.current_job(ui.PREFIX)
busy = job is not None and not job.done

st.subheader("1 · Data")
ds = train_ui.dataset_ui(prefix=ui.PREFIX)
if ds is None:
    st.info("Choose a dataset, or upload a .zip of class folders.")
else:
    with st.expander("Look at the data", expanded=False):
        train_ui.dataset_preview_ui(ds, prefix=ui.PREFIX)

    st.subheader("2 · Pretrained base")
    spec = ui.base_ui()

    st.subheader("3 · How to train it")
    mode = ui.mode_ui()
    config = ui.settings_ui(ds, spec, mode)
    if config is not None:
        ui.plan_ui(config, ds)

    ready = config if spec.offline else None  # no weight file: the plan shows, no training
    train_ui.train_button(
        ds, ready, busy=busy, prefix=ui.PREFIX, name=f"{spec.title} {mode} on {ds.name}",
        page=ui.PAGE, what="Train the new head (and the unfrozen layers) on this dataset.",
    )  # fmt: skip
    train_ui.code_ui(ds, config, prefix=ui.PREFIX)

job = train_ui.current_job(ui.PREFIX)
if job is not None:
    st.subheader("Progress")
    train_ui.progress_ui(job.id, prefix=ui.PREFIX)
    if job.done and job.result is not None:
        ui.course_results_ui(job)
        train_ui.results_ui(job, prefix=ui.PREFIX)

if ds is not None:
    st.divider()
    st.subheader("Compare the runs")
    ui.compare_ui(ds)
ui.remember_settings()

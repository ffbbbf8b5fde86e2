"""Train: pick data and a network, press Train, watch it learn, then see where it fails."""

import streamlit as st

from cnnviz.ui.common.busy import LOADING_TENSORFLOW, busy_sign

st.title("Train")
st.caption(
    "Pick a dataset and a network, press **Train** and watch the loss fall and the accuracy "
    "rise, epoch by epoch. The defaults are tuned so you can just press Train. Training runs "
    "on the server and keeps going while you visit other pages."
)

with busy_sign(LOADING_TENSORFLOW):
    from cnnviz.ui import train as ui

ui.restore_settings()
ui.apply_class_preset()
ui.course_experiments_ui()
ui.interrupted_jobs_ui()
job = ui.current_job()
busy = job is not None and not job.done

st.subheader("1 · Data")
ds = ui.dataset_ui()
if ds is None:
    st.info("Choose a dataset, or upload a .zip of class folders, to set up a network.")
else:
    zip_key = f"zip:{st.session_state.get('train_zip_digest', '')}"
    ui.apply_recommended(zip_key if ui.is_zip_choice() else ds.name)
    ui.forget_finished_job_on_other_data(ds)
    job = ui.current_job()
    with st.expander("Look at the data", expanded=job is None):
        ui.dataset_preview_ui(ds)

    st.subheader("2 · Network")
    architecture, fits = ui.architecture_ui(ds, ui.dropout_override())

    st.subheader("3 · Training")
    hyper = ui.hyperparameters_ui()
    augmentation = ui.augmentation_ui(ds)
    config = ui.config_from_state(architecture, hyper, augmentation)

    ui.train_button(
        ds, config, busy=busy, disabled=not fits, what="Train this network on this dataset."
    )
    ui.class_link_ui()
    ui.code_ui(ds, config)

job = ui.current_job()
if job is not None:
    st.subheader("Progress")
    ui.progress_ui(job.id)
    if job.done and job.result is not None:
        ui.course_results_ui(job)
        ui.results_ui(job)

st.divider()
st.subheader("Compare runs")
ui.compare_runs_ui(busy=busy)

st.subheader("Your models")
ui.model_store_ui()
ui.remember_settings()

"""Denoising autoencoder: the courses' lesson, trained live, then clean, noisy and rebuilt digits."""

import streamlit as st

from cnnviz.ui import autoencoder as ui
from cnnviz.ui import train as train_ui

st.title("Denoising autoencoder")
st.caption(
    "An encoder squeezes each image through a small bottleneck, a decoder rebuilds it. Train "
    "it to turn noisy images into clean ones: x_noisy = clip(x + 0.5 · normal, 0, 1), as in "
    "the course (Conv2D + leaky ReLU + MaxPooling twice to 7 × 7 × 32, one more Conv2D there, "
    "then two linear Conv2DTranspose and a sigmoid Conv2D: 37,601 parameters). Training runs "
    "on the server and keeps going while you visit other pages."
)

ui.restore_settings()
ui.course_experiments_ui()
job = train_ui.current_job(ui.PREFIX)
busy = job is not None and not job.done

st.subheader("1 · Data")
ds = ui.dataset_ui()
config = None
if ds is not None:
    st.subheader("2 · Noise and training")
    config = ui.settings_ui(ds)
    if config is not None:
        with st.expander("The network", expanded=False):
            ui.network_ui(ds, config)
    noise = f" (noise {config.autoencoder.noise_level:g})" if config is not None else ""
    train_ui.train_button(
        ds, config, busy=busy, prefix=ui.PREFIX, page=ui.PAGE,
        name=f"Denoising autoencoder on {ds.name}{noise}",
        what="Train the autoencoder on these images (they are their own targets).",
    )  # fmt: skip
    train_ui.code_ui(ds, config, prefix=ui.PREFIX)

job = train_ui.current_job(ui.PREFIX)
if job is not None:
    st.subheader("Progress")
    train_ui.progress_ui(job.id, prefix=ui.PREFIX)

st.divider()
st.subheader("3 · Original, noisy, reconstructed")
latest = job.result.model_id if job is not None and job.done and job.result else None
meta = ui.model_choice_ui(latest)
if meta is None:
    st.info(
        "Train an autoencoder above; its reconstructions appear here.", icon=":material/lightbulb:"
    )
else:
    ui.results_ui(meta, ds)
ui.remember_settings()

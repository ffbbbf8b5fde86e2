"""The model store on the Train page: rename, share, delete, download, upload."""

from __future__ import annotations

import re

import streamlit as st

from cnnviz import datasets, limits
from cnnviz.errors import InputError
from cnnviz.store import ModelStore
from cnnviz.training import TrainingConfig
from cnnviz.ui.common import uploads
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.session import client_address, session_id, workspace
from cnnviz.ui.common.text import plain
from cnnviz.ui.train.jobs import current_job, start_job
from cnnviz.ui.train.state import PREPROCESSINGS, model_store


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "model"


def _model_row_ui(store: ModelStore, meta: dict, owner: str) -> None:
    model_id = meta["id"]
    own = meta.get("owner") == owner
    accuracy = (meta.get("test_metrics") or {}).get("accuracy")
    dataset = (meta.get("dataset") or {}).get("name", "uploaded")
    title = (
        f"{'' if own else '🌐 '}{plain(meta.get('name'))} · {plain(dataset)}"
        + (f" · {accuracy:.1%}" if isinstance(accuracy, (int, float)) else "")
        + f" · {meta.get('status', '')}"
    )
    with st.expander(title):
        h, w, c = meta.get("input_shape", ["?", "?", "?"])
        st.caption(
            f"{h}×{w}×{c} input · {len(meta.get('class_names', []))} classes "
            f"({', '.join(map(plain, meta.get('class_names', [])[:8]))}"
            f"{'…' if len(meta.get('class_names', [])) > 8 else ''}) · "
            f"{int(meta.get('params', 0)):,} parameters · created {meta.get('created', '?')}"
            + ("" if own else " · shared by another workspace")
        )
        cols = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
        if own:
            new_name = cols[0].text_input(
                "Name", value=meta.get("name", ""), key=f"train_store_name_{model_id}"
            )
            if cols[1].button("Rename", key=f"train_store_rename_{model_id}"):
                _store_action(lambda: store.rename(model_id, new_name, owner), "Renamed.")
            shared = cols[2].toggle(
                "Shared",
                value=bool(meta.get("shared")),
                key=f"train_store_share_{model_id}",
                help="Shared models are visible (read-only) to every workspace on this server.",
            )
            if shared != bool(meta.get("shared")):
                _store_action(lambda: store.set_shared(model_id, shared, owner), None)
            if cols[3].button(
                "Delete", key=f"train_store_delete_{model_id}", icon=":material/delete:"
            ):
                _store_action(lambda: store.delete(model_id, owner), "Deleted.")
        _continue_ui(meta)
        st.download_button(
            "Download .keras",
            data=lambda: store.model_bytes(model_id, owner),
            file_name=f"{_slug(str(meta.get('name')))}.keras",
            mime="application/octet-stream",
            key=f"train_store_download_{model_id}",
            on_click="ignore",
        )


def _continue_ui(meta: dict) -> None:
    """More epochs for a model this app trained, on the same data, from its weights."""
    if not meta.get("training") or not (meta.get("dataset") or {}).get("name"):
        return  # uploaded models: no dataset or settings to go on with
    if meta.get("kind") == "autoencoder":
        return  # trained on its own page
    model_id = meta["id"]
    job = current_job()
    busy = job is not None and not job.done
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    epochs = c1.number_input("More epochs", 1, 200, value=5, key=f"train_store_more_{model_id}")
    if not c2.button(
        "Continue training",
        key=f"train_store_continue_{model_id}",
        icon=":material/replay:",
        disabled=busy,
        help="Train this model for more epochs on the same data, starting from its weights "
        "(the optimizer starts afresh). The result is saved as a new model.",
    ):
        return
    cfg = TrainingConfig.from_dict(meta["training"])
    cfg.epochs, cfg.continue_from = int(epochs), model_id
    try:
        cfg.validate()
        with busy_sign("Loading the dataset it was trained on…"):
            ds = _dataset_of(meta)
    except InputError as err:
        st.error(str(err), icon=":material/block:")
        return
    start_job(ds, cfg, name=f"{meta.get('name', 'model')} +{int(epochs)} epochs")
    st.rerun()


def _dataset_of(meta: dict) -> datasets.Dataset:
    info = meta["dataset"]
    options = dict(info.get("options") or {})
    return datasets.load(str(info["name"]), **options)


def _store_action(action, message: str | None) -> None:
    try:
        action()
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return
    if message:
        st.toast(message)
    st.rerun()


_ADDED = "train_upload_added"  # the message of the model just added, shown after the rerun


def upload_model_ui(store: ModelStore, owner: str) -> None:
    """Upload a ``.keras`` file into this workspace's models (its disk quota checked)."""
    st.markdown("**Upload a Keras model** (`.keras`, saved with Keras 3)")
    added = st.session_state.pop(_ADDED, None)
    if added:
        st.success(added, icon=":material/check_circle:")
    with st.form("train_upload_form", clear_on_submit=True):
        upload = st.file_uploader("Model file", type=["keras"], key="train_keras_upload")
        c1, c2 = st.columns(2)
        name = c1.text_input("Name", placeholder="my model", key="train_upload_name")
        mode = c2.selectbox(
            "Input scaling it expects",
            list(PREPROCESSINGS),
            format_func=lambda m: PREPROCESSINGS[m][0],
            key="train_upload_pre",
        )
        classes = st.text_input(
            "Class names, comma separated (optional: class_0, class_1, … otherwise)",
            key="train_upload_classes",
        )
        submitted = st.form_submit_button("Add to my models")
    if not submitted:
        return
    if upload is None:
        st.error("Choose a .keras file first.", icon=":material/block:")
        return
    data = upload.getvalue()
    uploads.release(upload)  # the form forgets the file in the browser; the server must too
    names = [c.strip() for c in classes.split(",")] if classes.strip() else None
    try:
        pre = PREPROCESSINGS[mode][1]()
        if mode == "unit":
            pre = None  # inferred from the model's channels
        # The store reserves the bytes before writing: the quota holds when six tabs of
        # one workspace upload at once.
        model_id = store.import_keras(
            data, owner, name=name or upload.name, class_names=names,
            preprocessing=pre, address=client_address(),
        )  # fmt: skip
    except InputError as err:
        st.error(plain(err), icon=":material/block:")
        return
    # Run again so that "Your models", drawn above this form, lists the new model at once.
    st.session_state[_ADDED] = (
        f"Added “{plain(store.info(model_id, owner)['name'])}” to your models."
    )
    st.rerun()


def model_store_ui() -> None:
    """This workspace's models and shared ones: rename, share, delete, download, upload."""
    owner = session_id()
    store = model_store()
    try:
        metas = store.list(owner)
    except OSError as exc:
        st.error(f"The model store cannot be read ({exc}).", icon=":material/block:")
        return
    if not metas:
        st.caption("No models yet: train one above, or upload a .keras file.")
    for meta in metas[:30]:
        _model_row_ui(store, meta, owner)
    if len(metas) > 30:
        st.caption(f"… and {len(metas) - 30} older models.")
    ws = workspace()
    quota = limits.quota_bytes()
    if ws is not None and quota:
        used = ws.usage(store)
        st.caption(
            f"Your workspace uses {used / 2**20:.1f} MB of {quota / 2**20:.0f} MB "
            "(models and uploaded datasets)."
        )
    upload_model_ui(store, owner)

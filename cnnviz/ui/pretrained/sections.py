"""Sections of the Pretrained page: one model's column, and where the models agree."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

from cnnviz import pretrained
from cnnviz.errors import InputError
from cnnviz.ui.common.busy import busy_sign
from cnnviz.ui.common.pretrained_models import cached_prediction, load_model
from cnnviz.ui.common.text import plain
from cnnviz.ui.pretrained.plots import agreement_figure, top_k_figure

Extras = Callable[[pretrained.PretrainedModel, pretrained.Prediction], None]


def model_column(
    name: str, image: np.ndarray, k: int, extras: Extras | None = None
) -> pretrained.Prediction | None:
    """One model's column: what it saw, its top-k bars and figures; None when it failed.

    Args:
        name: catalogue key.
        image: (H, W, 3) uint8 RGB.
        k: classes shown.
        extras: drawn under the column with the loaded model and its prediction.
    """
    entry = pretrained.info(name)
    st.subheader(entry.title)
    try:
        model = load_model(name)
        with busy_sign(f"Asking {entry.title} what it sees…"):
            prediction = cached_prediction(name, image, k)
    except pretrained.WeightsMissingError as err:
        # Short: the note under the model list names the folder and how to fill it.
        st.error(
            plain(
                f"{entry.title}: its weight file {entry.weight_file} could not be downloaded "
                f"({err.reason}). The note under the model list says where to place it."
            ),
            icon=":material/cloud_off:",
        )
        return None
    except InputError as err:
        st.error(plain(err), icon=":material/cloud_off:")
        return None
    h, w = model.input_size
    st.image(prediction.seen, caption=f"What it saw: {w}×{h} pixels", width=180)
    st.plotly_chart(
        top_k_figure(prediction),
        key=f"pretrained_top_{name}",
        config={"displayModeBar": False},
    )
    st.markdown(
        f"Latency **{prediction.latency_ms:.0f} ms** · "
        f"**{prediction.params / 1e6:.1f} M** parameters · "
        f"ImageNet top-1 **{entry.top1:.1f}%**"
    )
    if extras is not None:
        extras(model, prediction)
    return prediction


def agreement_section(predictions: Sequence[pretrained.Prediction], k: int) -> None:
    """Shared first guess, classes in every top-k, and the models × classes heatmap."""
    summary = pretrained.agreement(predictions)
    if summary.shared_top1:
        st.success(f"All {len(predictions)} models put **{summary.shared_top1}** first.")
    else:
        answers = ", ".join(
            f"{model} → **{top}**" for model, top in zip(summary.models, summary.top1, strict=True)
        )
        st.warning(f"Their first guesses differ: {answers}.")
    if summary.shared_topk:
        st.markdown(
            f"In every model's top {k}: " + ", ".join(f"**{c}**" for c in summary.shared_topk)
        )
    else:
        st.markdown(f"No class is in every model's top {k}.")
    st.plotly_chart(
        agreement_figure(summary),
        key="pretrained_agreement",
        config={"displayModeBar": False},
    )
    st.caption(
        f"Each cell: the probability a model gives a class. Blank: not in that model's top {k}. "
        "Classes most models list come first."
    )

"""Plotly figures of the Train page: learning curves, throughput, confusion matrix, classes.

Pure functions of events and arrays (no streamlit), so they are tested without a server.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.training import BatchEnd, EpochEnd
from cnnviz.ui.common.text import plain_html

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def smooth(values: Sequence[float], weight: float) -> np.ndarray:
    """Exponential moving average with bias correction (as TensorBoard's smoothing slider).

    Args:
        values: a curve (NaN entries are carried over unchanged).
        weight: 0 = no smoothing, up to <1 = very smooth.

    Returns:
        float64 array of the same length.
    """
    values = np.asarray(values, dtype=np.float64)
    weight = float(np.clip(weight, 0.0, 0.999))
    if weight == 0 or values.size == 0:
        return values.copy()
    out = np.empty_like(values)
    avg, norm = 0.0, 0.0
    for i, v in enumerate(values):
        if not np.isfinite(v):
            out[i] = v
            continue
        avg = weight * avg + (1 - weight) * v
        norm = weight * norm + (1 - weight)
        out[i] = avg / norm  # bias correction: early points are not pulled towards 0
    return out


def curve_data(events: Sequence, max_batch_points: int = 1500) -> dict[str, np.ndarray]:
    """Arrays behind the learning curves.

    Args:
        events: a job's events in order.
        max_batch_points: keep at most about this many batch-level points (evenly
            thinned, the latest always kept), so a long job stays light to redraw.

    Returns:
        ``batch_x`` (fractional epoch at each batch event, e.g. 1.5 = half-way through epoch
        2), ``batch_loss``, ``batch_accuracy`` (running means within the epoch), ``epoch``
        (1-based), ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` (NaN without
        validation), and ``images_per_sec`` per epoch.
    """
    bx, bl, ba = [], [], []
    ep, lo, ac, vl, va, ips = [], [], [], [], [], []
    for e in events:
        if isinstance(e, BatchEnd):
            bx.append(e.epoch - 1 + e.batch / max(1, e.steps))
            bl.append(e.loss)
            ba.append(e.accuracy)
        elif isinstance(e, EpochEnd):
            ep.append(e.epoch)
            lo.append(e.loss)
            ac.append(e.accuracy)
            vl.append(np.nan if e.val_loss is None else e.val_loss)
            va.append(np.nan if e.val_accuracy is None else e.val_accuracy)
            ips.append(e.images_per_sec)
    if len(bx) > max_batch_points > 0:
        keep = np.unique(np.linspace(0, len(bx) - 1, max_batch_points).round().astype(int))
        bx, bl, ba = ([v[i] for i in keep] for v in (bx, bl, ba))
    arr = lambda v: np.asarray(v, dtype=np.float64)  # noqa: E731
    return {
        "batch_x": arr(bx),
        "batch_loss": arr(bl),
        "batch_accuracy": arr(ba),
        "epoch": arr(ep),
        "loss": arr(lo),
        "accuracy": arr(ac),
        "val_loss": arr(vl),
        "val_accuracy": arr(va),
        "images_per_sec": arr(ips),
    }


def curves_figure(
    events: Sequence, smoothing: float = 0.0, epochs: int | None = None, accuracy: bool = True
):
    """Training vs validation loss and accuracy, side by side, growing as events arrive.

    The thin line follows training batch by batch (running mean within each epoch,
    optionally smoothed); markers are the per-epoch values. A validation curve that rises
    while the training curve keeps falling is overfitting.

    Args:
        events: the job's events.
        smoothing: 0..0.99 exponential smoothing of the batch-level line.
        epochs: planned epochs, to fix the x axis (None: fit the data).
        accuracy: False draws the loss alone (an autoencoder has no accuracy).

    Returns:
        A plotly figure with two subplots (one without ``accuracy``).
    """
    d = curve_data(events)
    titles = ("Loss", "Accuracy") if accuracy else ("Reconstruction loss",)
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles)
    for col, key in ((1, "loss"), (2, "accuracy"))[: len(titles)]:
        first = col == 1
        fig.add_trace(
            go.Scatter(
                x=d["batch_x"],
                y=smooth(d[f"batch_{key}"], smoothing),
                mode="lines",
                line={"color": TRAIN_COLOR, "width": 1.5},
                opacity=0.55,
                name="training (per batch)",
                legendgroup="batch",
                showlegend=first,
                hovertemplate="epoch %{x:.2f}<br>%{y:.4f}<extra>training</extra>",
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=d["epoch"],
                y=d[key],
                mode="lines+markers",
                line={"color": TRAIN_COLOR, "width": 2.5},
                name="training",
                legendgroup="train",
                showlegend=first,
                hovertemplate="epoch %{x}<br>%{y:.4f}<extra>training</extra>",
            ),
            row=1,
            col=col,
        )
        if np.isfinite(d[f"val_{key}"]).any():
            fig.add_trace(
                go.Scatter(
                    x=d["epoch"],
                    y=d[f"val_{key}"],
                    mode="lines+markers",
                    line={"color": VAL_COLOR, "width": 2.5, "dash": "dash"},
                    name="validation",
                    legendgroup="val",
                    showlegend=first,
                    hovertemplate="epoch %{x}<br>%{y:.4f}<extra>validation</extra>",
                ),
                row=1,
                col=col,
            )
    x_range = [0, max(1, epochs)] if epochs else None
    fig.update_xaxes(title_text="epoch", range=x_range, rangemode="tozero")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    if accuracy:
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(
        height=340,
        margin=_MARGIN,
        legend={"orientation": "h", "y": -0.2},
        uirevision="curves",  # keep zoom while the figure grows
    )
    return fig


def throughput_figure(events: Sequence):
    """Training images per second, batch by batch (the first batch, with tracing, left out)."""
    xs, ys = [], []
    for e in events:
        if isinstance(e, BatchEnd) and e.images_per_sec > 0:
            xs.append(e.epoch - 1 + e.batch / max(1, e.steps))
            ys.append(e.images_per_sec)
    fig = go.Figure(
        go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#2ca02c"}, name="images/s")
    )
    fig.update_layout(
        height=200,
        margin=_MARGIN,
        title="Throughput (images per second)",
        xaxis_title="epoch",
        yaxis_rangemode="tozero",
        uirevision="throughput",
    )
    return fig


def confusion_figure(matrix: np.ndarray, class_names: Sequence[str], normalize: bool = False):
    """Interactive confusion matrix: rows are true classes, columns predicted ones.

    Each cell also carries an (almost invisible) marker so that clicking it selects the
    point; its ``customdata`` is ``[true index, predicted index, count]``.

    Args:
        matrix: (K, K) int counts.
        class_names: K names.
        normalize: colour by the share of each true class (row) instead of counts.

    Returns:
        A plotly figure (heatmap + click targets).
    """
    m = np.asarray(matrix, dtype=np.float64)
    k = len(class_names)
    names = [plain_html(c) for c in class_names]  # user text: never HTML in plotly
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    z = share if normalize else m
    text = [
        [f"{int(m[i, j])}" + (f"<br>{share[i, j]:.0%}" if normalize else "") for j in range(k)]
        for i in range(k)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            text=text,
            texttemplate="%{text}" if k <= 15 else None,
            textfont={"size": 16 if k <= 4 else 13 if k <= 10 else 10},
            colorscale="Blues",
            showscale=False,
            hoverinfo="skip",
        )
    )
    side = min(720, max(320, 120 + 48 * k))
    cell = (side - 100) / max(k, 1)  # pixels per row, about
    ti, pj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    fig.add_trace(
        go.Scatter(
            x=[names[j] for j in pj.ravel()],
            y=[names[i] for i in ti.ravel()],
            mode="markers",
            marker={"size": max(8, int(0.8 * cell)), "opacity": 0.01, "symbol": "square"},
            customdata=np.stack([ti.ravel(), pj.ravel(), m.ravel().astype(int)], axis=1),
            hovertemplate="true %{y}<br>predicted %{x}<br>%{customdata[2]} images"
            "<extra>click to see them</extra>",
            showlegend=False,
        )
    )
    # Fixed ranges: the click markers must not widen the axes (autorange pads for them).
    fig.update_layout(
        height=side,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={
            "title": "predicted class",
            "side": "top",
            "type": "category",
            "range": [-0.5, k - 0.5],
        },
        yaxis={"title": "true class", "type": "category", "range": [k - 0.5, -0.5]},
        clickmode="event+select",
        dragmode=False,
    )
    return fig


def class_distribution_figure(counts: dict[str, dict[str, int]], kind: str = "bar"):
    """Images per class: one bar group per split, or one pie per split, side by side.

    Args:
        counts: ``{split name: {class name: count}}`` (e.g. from ``Dataset.class_counts``).
        kind: ``"bar"`` (counts compared between splits) or ``"pie"`` (each class's share).
    """
    if kind not in ("bar", "pie"):
        raise ValueError(f"kind must be 'bar' or 'pie', got {kind!r}.")
    fig = go.Figure()
    if kind == "pie":
        n = max(len(counts), 1)
        for i, (split, per_class) in enumerate(counts.items()):
            fig.add_trace(
                go.Pie(
                    labels=[plain_html(c) for c in per_class],
                    values=list(per_class.values()),
                    name=split,
                    title={"text": split},
                    domain={"x": [i / n + 0.01, (i + 1) / n - 0.01], "y": [0, 1]},
                    sort=False,  # the same class keeps its colour and place in every pie
                    textinfo="percent",
                )
            )
        fig.update_layout(
            height=260, margin=_MARGIN, title="Images per class", legend={"orientation": "h"}
        )
        return fig
    for split, per_class in counts.items():
        names = [plain_html(c) for c in per_class]  # class folder names are user text
        fig.add_trace(go.Bar(x=names, y=list(per_class.values()), name=split))
    fig.update_layout(
        barmode="group",
        height=260,
        margin=_MARGIN,
        title="Images per class",
        xaxis={"type": "category"},  # class names such as "0".."9" are names, not numbers
        yaxis_title="images",
        legend={"orientation": "h", "y": -0.25},
    )
    return fig

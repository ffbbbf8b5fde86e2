"""A run's numbers beside the ones the course printed, and one sentence on why they differ."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cnnviz.courses.experiment import FIGURES, Experiment


@dataclass(frozen=True)
class Row:
    """One printed figure and ours: ``what`` in words, ``course`` and ``ours`` as text."""

    what: str
    course: str
    ours: str


def _text(name: str, value: float | None) -> str:
    if value is None:
        return "—"
    if name.startswith("params_"):
        return f"{int(value):,}"
    return f"{value:.4f}"


def beside(
    experiment: Experiment,
    ours: Mapping[str, float],
    history: Mapping[str, Sequence[float]] | None = None,
) -> list[Row]:
    """The course's printed figures beside this run's.

    Args:
        experiment: the course experiment.
        ours: this run's figures by :data:`~cnnviz.courses.FIGURES` name (``params_total``,
            ``test_accuracy``...), the last epoch's for training metrics.
        history: this run's metrics per epoch (Keras' ``history``): a figure printed at an
            epoch is compared with ours at the same epoch when the run got that far.
    """
    rows = []
    for figure in experiment.figures:
        value = ours.get(figure.name)
        what = FIGURES[figure.name]
        series = (history or {}).get(figure.name) or []
        if figure.epoch is not None:
            what = f"{what} after epoch {figure.epoch}"
            if len(series) >= figure.epoch:
                value = series[figure.epoch - 1]
            elif series:
                value = series[-1]
                what += f" (this run: epoch {len(series)})"
        rows.append(Row(what, _text(figure.name, figure.value), _text(figure.name, value)))
    return rows


def why_they_differ(
    experiment: Experiment,
    dataset: str,
    train_images: int,
    epochs: int,
    course_epochs: int | None = None,
    network: str | None = None,
) -> str:
    """One sentence on why this run's numbers may differ from the course's.

    Args:
        experiment: the course experiment.
        dataset: the dataset this run trained on (a ``cnnviz.datasets`` name or a zip's).
        train_images: how many training images it had.
        epochs: epochs it ran.
        course_epochs: the course's epochs (default: the experiment's).
        network: the architecture key (or, for transfer, the base) this run used; None
            when unknown or not comparable (an edited layer table).
    """
    course_epochs = course_epochs or int(experiment.training.get("epochs", 0)) or None
    reasons = []
    if experiment.dataset not in (None, dataset) and not (
        experiment.dataset == "zip" and dataset.startswith("zip")
    ):
        reasons.append(
            f"it trained on {dataset} instead of the course's data (its download is missing "
            "or another set was picked)"
        )
    else:
        reasons.append(f"it trained on {train_images:,} training images")
    course_network = (experiment.transfer or {}).get("base") or experiment.network
    if network and course_network and network != course_network:
        reasons.append(f"with {network} instead of the course's {course_network}")
    if course_epochs and epochs < course_epochs:
        reasons.append(f"for {epochs} of the course's {course_epochs} epochs")
    return (
        "Our numbers may differ from the course's because "
        + ", ".join(reasons)
        + ", and every run starts from different random weights and batches."
    )

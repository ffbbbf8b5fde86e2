"""The Denoising autoencoder page's keys and its settings kept between visits.

The datasets it offers are the lesson's (:data:`cnnviz.autoencoder.DATASETS`).
"""

from __future__ import annotations

from cnnviz.autoencoder import DATASETS
from cnnviz.ui.common import dataset_options, kept_settings

PREFIX = "autoencoder"
PAGE = "pages/autoencoder.py"


def key_of(name: str) -> str:
    """The session-state key of one of the page's widgets: ``autoencoder_<name>``."""
    return f"{PREFIX}_{name}"


# Widget values kept while the student visits other pages (Streamlit forgets the state of
# widgets that a run did not draw).
PERSISTENT = (
    "dataset", "network", "noise", "loss", "epochs", "batch",
    "defaults_for", "model", "view_noise", "noise_for", "first", "seed",
)  # fmt: skip
_SAVED = key_of("saved_settings")


def kept_keys() -> list[str]:
    """Session keys kept: the page's own and its datasets' options (from the specs)."""
    return [key_of(k) for k in PERSISTENT] + list(dataset_options.kept_keys(PREFIX, DATASETS))


def restore_settings() -> None:
    """Bring back the settings of earlier visits (first thing on the page; see kept_settings)."""
    kept_settings.restore(kept_keys(), _SAVED)


def remember_settings() -> None:
    """Keep the current settings for the next visit (call last thing on the page)."""
    kept_settings.remember(kept_keys(), _SAVED)

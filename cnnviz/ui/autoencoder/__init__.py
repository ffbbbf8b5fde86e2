"""Streamlit code of the Denoising autoencoder page: data, settings, the network, the results.

Live progress comes from the Train page's section (:func:`cnnviz.ui.train.progress_ui`) with
the key prefix ``"autoencoder"``; the work is done by :mod:`cnnviz.autoencoder` and
:class:`cnnviz.training.TrainingJob`.

* :mod:`~cnnviz.ui.autoencoder.state` — the page's keys, datasets and kept settings.
* :mod:`~cnnviz.ui.autoencoder.data` — the dataset picker.
* :mod:`~cnnviz.ui.autoencoder.settings` — the network (the course's by default), noise
  level, loss, epochs and batch size (the course's run by default).
* :mod:`~cnnviz.ui.autoencoder.network` — the layers and their output shapes.
* :mod:`~cnnviz.ui.autoencoder.choice` — which stored autoencoder to look at.
* :mod:`~cnnviz.ui.autoencoder.results` — original / noisy / reconstructed rows, the bottleneck.
* :mod:`~cnnviz.ui.autoencoder.truth` — how far to trust the reconstructions.
* :mod:`~cnnviz.ui.autoencoder.course` — the course's printed losses beside this run's.
"""

from cnnviz.ui.autoencoder.choice import model_choice_ui, stored_autoencoders
from cnnviz.ui.autoencoder.courses_ui import course_experiments_ui
from cnnviz.ui.autoencoder.data import dataset_ui
from cnnviz.ui.autoencoder.network import network_ui
from cnnviz.ui.autoencoder.results import results_ui
from cnnviz.ui.autoencoder.settings import settings_ui
from cnnviz.ui.autoencoder.state import (
    DATASETS,
    PAGE,
    PREFIX,
    remember_settings,
    restore_settings,
)
from cnnviz.ui.autoencoder.truth import truth_sentence

__all__ = [
    "DATASETS",
    "PAGE",
    "PREFIX",
    "course_experiments_ui",
    "dataset_ui",
    "model_choice_ui",
    "network_ui",
    "remember_settings",
    "restore_settings",
    "results_ui",
    "settings_ui",
    "stored_autoencoders",
    "truth_sentence",
]

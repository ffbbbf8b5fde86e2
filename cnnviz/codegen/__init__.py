"""Take it home: the code behind every experiment, as a script or a notebook.

Public entry points (a contract; outside checks call them by these names):

- ``script(source, *, epochs=None, max_images=None) -> str``: a ``.py`` script.
- ``notebook(source, *, epochs=None, max_images=None) -> dict``: an nbformat v4 notebook,
  one markdown cell per step with the page's own words.

``source`` is a course experiment key (``"vanschoren.mnist_cnn"``), a ``(dataset_name,
TrainingConfig)`` pair (what Train, Transfer learning and the autoencoder run), or a code
source object with a ``program(epochs=, max_images=)`` method returning a :class:`Program`:
``filters_code.FilterBankCode`` (a filter bank on an image),
``gradcam_code.GradCamCode.of(model, image, class_index, layer, method=, path=)`` (Grad-CAM
on a model), ``featureviz_code.FeatureVizCode.of(model, layer, filters, steps=, size=,
seed=, methods=, path=)`` (feature visualization of filters), ``activations_code``,
``pretrained_code`` and ``activation_functions_code`` (the other inspection pages), and
``lazy.Deferred(make)`` (a source made when its code is asked for). ``epochs`` and
``max_images`` shorten a run without changing the network (for feature visualization: the
optimisation steps and the filters). The code is generated from the same config objects the
page runs, never from copied text, and uses public packages only (never ``cnnviz``), so it
runs in Colab as it is. A training script prints ``model.summary()``.
"""

from __future__ import annotations

import importlib

from cnnviz.codegen.program import Program, Step
from cnnviz.errors import InputError

__all__ = ["Program", "Step", "notebook", "program", "script"]


def program(source, *, epochs: int | None = None, max_images: int | None = None) -> Program:
    """The :class:`Program` for ``source`` (see the module docstring for what it may be).

    Raises:
        InputError: an unknown course experiment or dataset, or a source of another type.
    """
    if isinstance(source, str):
        courses = importlib.import_module("cnnviz.codegen.course_code")
        return courses.course_program(source, epochs=epochs, max_images=max_images)
    if isinstance(source, tuple) and len(source) == 2:
        training = importlib.import_module("cnnviz.codegen.training_code")
        dataset_name, config = source
        return training.training_program(dataset_name, config, epochs=epochs, max_images=max_images)
    if hasattr(source, "program"):
        return source.program(epochs=epochs, max_images=max_images)
    raise InputError(
        "The code can be made for a course experiment key, a (dataset name, TrainingConfig) "
        f"pair or a code source; got {type(source).__name__}."
    )


def script(source, *, epochs: int | None = None, max_images: int | None = None) -> str:
    """The code behind ``source`` as one Python script."""
    return program(source, epochs=epochs, max_images=max_images).script()


def notebook(source, *, epochs: int | None = None, max_images: int | None = None) -> dict:
    """The code behind ``source`` as a Jupyter notebook (nbformat v4 JSON, as a dict)."""
    return program(source, epochs=epochs, max_images=max_images).notebook()

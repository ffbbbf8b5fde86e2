"""The code of a course experiment: the generator of the page the experiment runs on.

A course experiment (:mod:`cnnviz.courses`) names its page. Train, Transfer learning and the
autoencoder train a ``TrainingConfig``, so their code comes from
:func:`cnnviz.codegen.training_code.course_program`; every other page has a module here
named after it, ``cnnviz.codegen.<page>_code``, with a ``course_program(experiment, *,
epochs, max_images)`` function. :data:`PAGE_MODULES` lists them, so a test can ask that
every registered experiment has its code.
"""

from __future__ import annotations

import importlib

from cnnviz import courses
from cnnviz.codegen.program import Program
from cnnviz.errors import InputError

#: The page an experiment runs on -> the module that writes its code.
PAGE_MODULES = {
    "train": "cnnviz.codegen.training_code",
    "transfer": "cnnviz.codegen.training_code",
    "autoencoder": "cnnviz.codegen.training_code",
    "filters": "cnnviz.codegen.filters_code",
    "activations": "cnnviz.codegen.activations_code",
    "featureviz": "cnnviz.codegen.featureviz_code",
    "gradcam": "cnnviz.codegen.gradcam_code",
    "pretrained": "cnnviz.codegen.pretrained_code",
    "activation_functions": "cnnviz.codegen.activation_functions_code",
}


def course_program(
    key: str, *, epochs: int | None = None, max_images: int | None = None
) -> Program:
    """The program that redoes the course experiment ``key`` with the course's settings.

    Raises:
        InputError: an unknown experiment, or a page with no code generator.
    """
    experiment = courses.get(key)
    module = PAGE_MODULES.get(experiment.page)
    if module is None:
        raise InputError(f"The {experiment.page} page has no code to show yet.")
    generator = importlib.import_module(module)
    return generator.course_program(experiment, epochs=epochs, max_images=max_images)

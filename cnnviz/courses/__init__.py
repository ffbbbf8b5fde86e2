"""The five courses' experiments as data: one click sets a page up as the course ran it.

Each experiment is an :class:`Experiment` in :data:`REGISTRY` (the one registry shape): its
course and section, the page it runs on, its dataset, network, training settings (and
transfer settings where it keeps a pretrained base), and the figures the course printed.
One module per course registers its experiments; every experiment that keeps a pretrained
base is in :mod:`~cnnviz.courses.transfer_experiments`.

Example (no server needed)::

    from cnnviz import courses
    exp = courses.get("vs_mnist_cnn")
    print(exp.course_title, exp.title, courses.count_params(exp))  # ... 93322
"""

# The modules register in the courses' order, the order Home and the pickers list them.
# isort: off
from cnnviz.courses import tensorflow_course, vanschoren, learnopencv, datacamp  # noqa: F401
from cnnviz.courses import flowers, transfer_experiments  # noqa: F401

# isort: on
from cnnviz.courses.experiment import (
    AUTOENCODER,
    COURSES,
    FIGURES,
    REGISTRY,
    ZIP,
    Counts,
    Experiment,
    Figure,
    available,
    count_params,
    counts,
    get,
    register,
    training_config,
    transfer_config,
)

__all__ = [
    "AUTOENCODER",
    "COURSES",
    "FIGURES",
    "REGISTRY",
    "ZIP",
    "Counts",
    "Experiment",
    "Figure",
    "available",
    "count_params",
    "counts",
    "get",
    "register",
    "training_config",
    "transfer_config",
]

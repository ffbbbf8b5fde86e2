"""The Flowers transfer-learning notebook's look at its data.

(Its transfer steps are in :mod:`cnnviz.courses.transfer_experiments`.)
"""

from cnnviz.courses.experiment import ZIP, Experiment, register
from cnnviz.courses.settings import NO_FIGURE

register(
    Experiment(
        key="fl_flowers_classes",
        title="Flowers: how many photos of each kind",
        help="Count the photos of each class before training: an uneven set needs care "
        "when reading accuracy.",
        course="flowers",
        page="train",
        source="The notebook's class counts of its five folders. " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 224},
        archive="flower_photos (3,670 photos of 5 kinds of flowers, one folder each)",
        num_classes=5,
    )
)

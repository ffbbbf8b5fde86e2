"""Settings several courses share."""

from types import MappingProxyType

#: The courses' ImageDataGenerator call as ``Augmentation`` keyword arguments.
COURSE_AUGMENTATION = MappingProxyType(
    {
        "rotation_deg": 40.0,
        "width_shift": 0.2,
        "height_shift": 0.2,
        "shear_deg": 0.2,
        "zoom": 0.2,
        "flip": "horizontal",
        "fill_mode": "nearest",
    }
)

#: The source note's sentence for an experiment with no printed figure recorded.
NO_FIGURE = "No figure from the course text is recorded for it."

"""Moved to :mod:`cnnviz.ui.common.image_source`; this name stays for existing imports."""

from cnnviz.ui.common.image_source import (  # noqa: F401
    DRAW,
    OWN_IMAGE,
    TEST_SET,
    PickedImage,
    image_digest,
    image_source,
    test_set,
)

"""Old home of :class:`ImageModel`, now :mod:`cnnviz.models.imagemodel` (re-exported)."""

from cnnviz.models.imagemodel import ImageModel

__all__ = ["ImageModel"]

"""Old home of :class:`Preprocessing`, now :mod:`cnnviz.models.preprocessing` (re-exported)."""

from cnnviz.models.preprocessing import (
    Preprocessing,
    caffe_mode,
    raw,
    tf_mode,
    torch_mode,
    unit,
)

__all__ = ["Preprocessing", "caffe_mode", "raw", "tf_mode", "torch_mode", "unit"]

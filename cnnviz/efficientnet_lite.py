"""Old home of the bundled model's builder, now :mod:`cnnviz.pretrained.efficientnet_lite`."""

from cnnviz.pretrained.efficientnet_lite import *  # noqa: F403
from cnnviz.pretrained.efficientnet_lite import build, load_weights, weights_file  # noqa: F401

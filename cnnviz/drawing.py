"""Moved to :mod:`cnnviz.images.drawing`; this name stays for old importers."""

import sys

from cnnviz.images import drawing

sys.modules[__name__] = drawing

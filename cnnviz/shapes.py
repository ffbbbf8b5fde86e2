"""Moved to :mod:`cnnviz.datasets.figures`; this name stays for old importers."""

import sys

from cnnviz.datasets import figures

sys.modules[__name__] = figures

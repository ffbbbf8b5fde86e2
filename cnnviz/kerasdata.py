"""Moved to :mod:`cnnviz.datasets.keras_files`; this name stays for old importers."""

import sys

from cnnviz.datasets import keras_files

sys.modules[__name__] = keras_files

"""Moved to :mod:`cnnviz.datasets.zip_read`; this name stays for old importers."""

import sys

from cnnviz.datasets import zip_read

sys.modules[__name__] = zip_read

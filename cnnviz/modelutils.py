"""Old home of the graph helpers, now :mod:`cnnviz.models` (re-exported for importers)."""

from cnnviz.models import *  # noqa: F403
from cnnviz.models import __all__  # noqa: F401
from cnnviz.models.receptive_field import _layers_by_name  # noqa: F401

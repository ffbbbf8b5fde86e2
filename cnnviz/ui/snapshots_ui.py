"""Moved to :mod:`cnnviz.ui.common.snapshots_viewer`; these names stay for existing imports."""

from cnnviz.ui.common.snapshots_viewer import kernel_mosaic, snapshot_viewer_ui  # noqa: F401

"""The Filters page's Streamlit code: one module per tab, its caches, its kept settings.

The page (``pages/filters.py``) is layout only: it calls :func:`restore_settings`, picks
the image, draws :data:`TABS` with the sections below, and calls :func:`remember_settings`.
The numbers come from :mod:`cnnviz.filters`.
"""

from cnnviz.ui.filters.arithmetic import arithmetic_section
from cnnviz.ui.filters.bank import bank_section
from cnnviz.ui.filters.cached import gray_copy
from cnnviz.ui.filters.custom import CUSTOM_KERNEL_KEY, custom_section
from cnnviz.ui.filters.gabor import gabor_section
from cnnviz.ui.filters.sobel import sobel_section
from cnnviz.ui.filters.state import KEPT_KEYS, remember_settings, restore_settings
from cnnviz.ui.filters.steps import step_section

#: The tabs, in order, and the section each one draws from the gray image and its key.
IMAGE_SECTIONS = {
    "Gabor": gabor_section,
    "Sobel": sobel_section,
    "Filter bank": bank_section,
    "Custom kernel": custom_section,
    "Step through": step_section,
}
TABS = [*IMAGE_SECTIONS, "Arithmetic"]

__all__ = [
    "CUSTOM_KERNEL_KEY",
    "IMAGE_SECTIONS",
    "KEPT_KEYS",
    "TABS",
    "arithmetic_section",
    "bank_section",
    "custom_section",
    "gabor_section",
    "gray_copy",
    "remember_settings",
    "restore_settings",
    "sobel_section",
    "step_section",
]

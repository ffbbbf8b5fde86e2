"""cnnviz core: numpy / OpenCV / Keras 3 code behind the dashboard.

Nothing in this package (outside ``cnnviz.ui``) imports streamlit, so every function can be
used from a notebook or a script.
"""

__version__ = "0.1.0"

"""The reference libraries the benches compare against, installed here when missing.

They are bench-only tools, never project requirements: each is pip-installed into the
running interpreter's environment on first use (PyPI is reachable from the dev machine).
"""

from __future__ import annotations

import importlib
import subprocess
import sys

TF_KERAS_VIS = "tf-keras-vis==0.8.7"


def tf_keras_vis(module: str):
    """Import ``tf_keras_vis.<module>``, installing :data:`TF_KERAS_VIS` first if needed."""
    name = f"tf_keras_vis.{module}"
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"installing {TF_KERAS_VIS} for this bench ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", TF_KERAS_VIS], check=True)
        importlib.invalidate_caches()
        return importlib.import_module(name)

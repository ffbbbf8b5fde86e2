"""Run generated scripts in ONE subprocess (one TensorFlow import) and keep their results.

Each script runs with :func:`runpy.run_path` (so its ``if __name__ == "__main__"`` drawing
step is skipped) in a process where ``import cnnviz`` fails: the code must stand alone.
The globals named by a job are saved to an ``.npz`` file and read back here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

RUNNER = r"""
import json, os, runpy, sys, time
import numpy as np
sys.modules["cnnviz"] = None  # the generated code must not need cnnviz
jobs = json.loads(sys.argv[1])
if any(job.get("fake_weights") for job in jobs):
    import keras
    from keras.src.utils import file_utils
    # The files in the temporary Keras home are stand-ins: weight files are not read (the
    # network is built with its real layers and random weights), hashes are not checked.
    keras.Model.load_weights = lambda self, *args, **kwargs: None
    file_utils.validate_file = lambda *args, **kwargs: True
for job in jobs:
    start = time.perf_counter()
    os.chdir(job["cwd"])
    result = runpy.run_path(job["script"])
    keep = {}
    for key in job["keep"]:
        value = result[key]
        if isinstance(value, dict):  # a dict of arrays: one entry per key, "name.key"
            keep.update({f"{key}.{k}": np.asarray(v) for k, v in value.items()})
        else:
            keep[key] = np.asarray(value)
    np.savez(job["out"], **keep)
    print(f"{job['name']}: {time.perf_counter() - start:.1f} s", flush=True)
"""


def run_scripts(
    scripts: dict[str, tuple],
    folder: Path,
    *,
    env: dict[str, str] | None = None,
    fake_weights: bool = False,
    timeout: float = 900,
) -> dict[str, dict[str, np.ndarray]]:
    """Run every script; returns ``{name: {global: array}}``.

    Args:
        scripts: ``{name: (source, names of globals to keep[, working directory])}``.
        folder: where the scripts and results are written (the working directory).
        env: extra environment variables.
        fake_weights: stand-in weight files: ``keras.Model.load_weights`` does nothing.
    """
    jobs = []
    for name, (source, keep, *cwd) in scripts.items():
        path = folder / f"{name}.py"
        path.write_text(source)
        jobs.append(
            {"name": name, "script": str(path), "out": str(folder / f"{name}.npz"),
             "keep": keep, "fake_weights": fake_weights, "cwd": str(cwd[0] if cwd else folder)}
        )  # fmt: skip
    environment = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    environment.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(jobs)],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise AssertionError(f"A generated script failed:\n{done.stdout}\n{done.stderr[-6000:]}")
    print(done.stdout)
    return {job["name"]: dict(np.load(job["out"])) for job in jobs}

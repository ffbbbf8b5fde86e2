"""Run generated programs one after the other in this process: the tests' subprocess.

Usage: ``python run_programs.py listing.json results.json``; the listing maps a name to a
script path. Each script runs with :func:`runpy.run_path` in a fresh namespace, its printed
output captured, then ``keras.backend.clear_session()``. Offline: the Keras cache
(``KERAS_HOME``) holds small stand-in files whose checksums differ from the real ones, so
their check is switched off; CIFAR-10's loader reads 50,000 images by design, so a small
random set stands in for it; any download fails. Functions run eagerly (see ``main``).
"""

import contextlib
import io
import json
import runpy
import sys
import time
import traceback


def _offline(keras) -> None:
    import numpy as np
    from keras.src.utils import file_utils

    def no_network(*args, **kwargs):
        raise OSError(f"no network in the tests: {args[:1]}")

    file_utils.validate_file = lambda *args, **kwargs: True  # stand-in files, other hashes
    file_utils.urlretrieve = no_network

    def small_cifar10():
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (60, 32, 32, 3), dtype=np.uint8)
        y = (np.arange(60) % 10).astype(np.uint8).reshape(-1, 1)
        return (x[:40], y[:40]), (x[40:], y[40:])

    keras.datasets.cifar10.load_data = small_cifar10


def main(listing_path: str, results_path: str) -> None:
    import keras
    import tensorflow as tf

    _offline(keras)
    # One or two batches per script: running eagerly skips tracing fit, evaluate and predict
    # (seconds each), and changes no network.
    tf.config.run_functions_eagerly(True)
    with open(listing_path) as f:
        listing = json.load(f)
    results = {}
    for name, path in listing.items():
        out = io.StringIO()
        error = None
        started = time.perf_counter()
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(path, run_name="__main__")
        except BaseException:  # every failure is reported to the test
            error = traceback.format_exc()
        keras.backend.clear_session()
        seconds = round(time.perf_counter() - started, 1)
        results[name] = {"stdout": out.getvalue(), "error": error, "seconds": seconds}
        print(name, "failed" if error else "ok", seconds, file=sys.stderr, flush=True)
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

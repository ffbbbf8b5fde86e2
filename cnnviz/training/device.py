"""The device training runs on, and the server-wide limit on concurrent jobs."""

from __future__ import annotations

import contextlib
import os
import threading

import keras

_DEVICE: str | None = None


def cpu_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def training_threads() -> int:
    """Threads TensorFlow may use for its kernels: ``CNNVIZ_TRAINING_THREADS``.

    The default is cores - 1 (at least 1), so a job leaves a core to the pages.
    """
    value = os.environ.get("CNNVIZ_TRAINING_THREADS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            pass
    return max(1, cpu_cores() - 1)


def training_nice() -> int:
    """Niceness of TensorFlow's compute threads: ``CNNVIZ_TRAINING_NICE`` (default 0: off)."""
    value = os.environ.get("CNNVIZ_TRAINING_NICE", "").strip()
    try:
        return min(19, max(0, int(value))) if value else 0
    except ValueError:
        return 0


def limit_threads(threads: int | None = None, nice: int | None = None) -> int:
    """Cap TensorFlow's thread pools at ``threads`` and lower their priority to ``nice``.

    The pools are process-wide and fixed when TensorFlow creates its context (its first
    op), so this is called at server start, before anything runs. Then:

    - the intra- and inter-op pools get ``threads`` threads (default
      :func:`training_threads`, cores - 1): a training job keeps at most that many cores
      busy with kernels, and the pages' own work (the Streamlit event loop and scripts,
      which share one interpreter lock, so about one core at most) always has a core;
    - the context is created from a helper thread whose niceness is ``nice`` (default
      :func:`training_nice`, 0; Linux threads inherit it), so the pools' threads can run at
      a lower priority: when the machine is short of CPU, page work goes first and the
      training kernels take what is left. Off by default: where the browsers share the
      machine (a teacher's laptop), a niced job gives way to every browser's rendering and
      slows down by half. Python threads (the pages' scripts, the job's ``fit`` loop) keep
      their priority. Interactive TensorFlow work (Grad-CAM, activations) shares the pools.

    Returns:
        The thread cap applied, or 0 when it was too late (TensorFlow already initialised,
        or another backend).
    """
    n = int(threads or training_threads())
    if keras.backend.backend() != "tensorflow":
        return 0
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    except RuntimeError:  # the context exists already: the pools are fixed
        current = tf.config.threading.get_intra_op_parallelism_threads()
        return n if current == n else 0
    level = training_nice() if nice is None else int(nice)

    def create_pools() -> None:
        if level > 0 and hasattr(os, "setpriority"):
            # Not allowed (a lower niceness than now needs privileges): priority unchanged.
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), level)
        tf.reduce_sum(tf.ones((8, 8)) @ tf.ones((8, 8))).numpy()

    helper = threading.Thread(target=create_pools, name="cnnviz-tf-pools", daemon=True)
    helper.start()
    helper.join()
    return n


def gpu_name() -> str | None:
    """Name of the first GPU the Keras backend can use, or None without one."""
    try:
        devices = keras.distribution.list_devices("gpu")
    except Exception:  # a backend without GPU support raises here
        return None
    if not devices:
        return None
    name = "GPU"
    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", name)
        elif backend == "jax":
            import jax

            name = jax.devices("gpu")[0].device_kind
        elif backend == "torch":
            import torch

            name = torch.cuda.get_device_name(0)
    except Exception:  # the name is cosmetic; keep "GPU"
        pass
    return name


def detect_device() -> str:
    """The device training runs on, in words: ``"GPU (name)"`` or ``"CPU (n cores)"``."""
    global _DEVICE
    if _DEVICE is None:
        gpu = gpu_name()
        _DEVICE = f"GPU ({gpu})" if gpu else f"CPU ({cpu_cores()} cores)"
    return _DEVICE


def has_gpu() -> bool:
    """True when training runs on a GPU."""
    return detect_device().startswith("GPU")


def max_concurrent_jobs() -> int:
    """Server-wide limit on running jobs: ``CNNVIZ_MAX_JOBS``, default 1 on CPU, 2 on a GPU."""
    value = os.environ.get("CNNVIZ_MAX_JOBS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            pass
    return 2 if has_gpu() else 1

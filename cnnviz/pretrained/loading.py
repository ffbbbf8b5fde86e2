"""Loading a catalogue model, once per process.

The bundled one is read from its package, the others from their weight file in the Keras
cache (downloaded first when missing).

Every model outputs **logits** (no softmax layer; ``outputs_logits=True``), so gradient-based
pages can use them; ``predict_proba`` and ``top_k`` apply the softmax.
"""

from __future__ import annotations

import threading

import numpy as np

from cnnviz.downloads import Progress
from cnnviz.errors import InputError
from cnnviz.pretrained.catalogue import ModelInfo, public
from cnnviz.pretrained.classes import imagenet_class_names
from cnnviz.pretrained.model import PretrainedModel

_cache: dict[str, PretrainedModel] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def load(
    name: str,
    *,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> PretrainedModel:
    """Build a catalogue model with its ImageNet weights (once per process).

    The same object is returned on later calls; it is shared, so never change its model
    (build a sub-model instead).

    Args:
        name: a name from :func:`available`, e.g. ``"efficientnet_lite0"``.
        progress: download progress, ``progress(fraction or None, message)``; see
            :func:`cnnviz.pretrained.download_weights`.
        use_cache: False builds a fresh copy (benchmarks), leaving the cache as it is.

    Raises:
        InputError: unknown name, or weights that cannot be found or downloaded.
    """
    entry = public().info(name)
    if not use_cache:
        return _build(entry, progress)
    with _locks_guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:  # two sessions asking at once build it once
        if name not in _cache:
            _cache[name] = _build(entry, progress)
        return _cache[name]


def is_loaded(name: str) -> bool:
    """True when :func:`load` would return at once (the model is built in this process)."""
    return name in _cache


def clear_cache(name: str | None = None) -> None:
    """Forget one built model, or all of them (tests and benchmarks)."""
    if name is None:
        _cache.clear()
    else:
        _cache.pop(name, None)


def _build(entry: ModelInfo, progress) -> PretrainedModel:
    if entry.bundled:
        model = _build_bundled()
    else:
        api = public()
        api.download_weights(entry.name, progress)
        try:
            model = api.build_keras_application(entry.name, weights="imagenet")
        except InputError:
            raise
        except (OSError, ValueError) as exc:  # e.g. a truncated .h5 copied in by hand
            raise InputError(
                f"The weight file {api.weights_path(entry.name)} could not be read ({exc}). "
                "Delete it and try again, or copy a fresh one."
            ) from exc
    # Compile the prediction function now (once per model, under the load lock): later calls
    # are then 10-20x faster than eager calls, and no image pays for the set-up.
    h, w = entry.input_size
    model.predict_on_batch(np.zeros((1, h, w, 3), dtype=np.float32))
    return PretrainedModel(
        name=entry.title,
        model=model,
        input_size=entry.input_size,
        preprocessing=entry.preprocessing,
        class_names=list(imagenet_class_names()),
        last_conv_layer=entry.last_conv_layer,
        outputs_logits=True,
        info={"dataset": "ImageNet-1k", "top1": entry.top1, "bundled": entry.bundled},
        spec=entry,
    )


def _build_bundled():
    from cnnviz.pretrained import efficientnet_lite
    from cnnviz.pretrained.torch_pickle import load_state_dict

    model = efficientnet_lite.build()
    efficientnet_lite.load_weights(model, load_state_dict(efficientnet_lite.weights_file()))
    return model

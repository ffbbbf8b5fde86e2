"""Loading a stored or uploaded ``.keras`` file safely, and checking it is an image classifier."""

from __future__ import annotations

from pathlib import Path

from cnnviz.errors import InputError
from cnnviz.models.preprocessing import Preprocessing


def load_keras_file(path: Path):
    """``keras.saving.load_model`` with ``safe_mode=True``, errors turned into InputError."""
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # every failure is a problem with the upload
        text = str(exc)
        if "safe_mode" in text or "Lambda" in text or "lambda" in text:
            raise InputError(
                "This model contains Python code (a Lambda layer or a lambda function), "
                "which cannot be loaded safely, so it was refused."
            ) from None
        unknown_markers = ("Could not locate", "Could not deserialize", "Unknown", "custom")
        if any(m.lower() in text.lower() for m in unknown_markers):
            raise InputError(
                "This model uses custom layers or functions that cnnviz does not know "
                "(only built-in Keras layers can be loaded). Details: "
                f"{text.splitlines()[0][:200]}"
            ) from None
        raise InputError(
            f"Keras could not read this model file ({type(exc).__name__}: "
            f"{text.splitlines()[0][:200] if text else 'no details'})."
        ) from None


def classifier_shape(model) -> tuple[tuple[int, int, int], int]:
    """((H, W, C), outputs) of an image classifier, or InputError saying why it is not one."""
    inputs = getattr(model, "inputs", None) or []
    outputs = getattr(model, "outputs", None) or []
    if len(inputs) != 1 or len(outputs) != 1:
        raise InputError(
            "Only models with one image input and one output can be explored here; this one "
            f"has {len(inputs)} inputs and {len(outputs)} outputs."
        )
    shape = tuple(inputs[0].shape)
    if len(shape) != 4:
        raise InputError(
            f"This model's input has shape {shape}; an image classifier takes a batch of "
            "images (batch, height, width, channels)."
        )
    h, w, c = shape[1:]
    if h is None or w is None or c not in (1, 3):
        raise InputError(
            f"This model's input is {h}×{w}×{c}; it needs a fixed height and width and 1 "
            "(grayscale) or 3 (RGB) channels."
        )
    out = tuple(outputs[0].shape)
    if len(out) != 2 or not out[1]:
        raise InputError(
            f"This model's output has shape {out}; a classifier gives (batch, classes)."
        )
    return (int(h), int(w), int(c)), int(out[1])


def check_class_names(names, expected: int) -> list[str]:
    """``names`` stripped, or InputError unless there are ``expected`` distinct non-empty ones."""
    names = [str(n).strip() for n in names]
    if len(names) != expected or not all(names):
        raise InputError(
            f"The model has {expected} classes; give exactly {expected} non-empty class names "
            f"(got {len([n for n in names if n])})."
        )
    if len(set(names)) != len(names):
        raise InputError("Class names must be different from each other.")
    return names


def check_preprocessing(pre: Preprocessing, channels: int) -> None:
    """InputError unless ``pre`` gives the model's number of input ``channels``."""
    if pre.channels != channels:
        raise InputError(
            f"The model takes {channels}-channel images but the preprocessing "
            f"“{pre.mode}” gives {pre.channels} channel(s)."
        )

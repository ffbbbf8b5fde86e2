"""Class presets: Train-page settings carried in a link's query string.

A teacher copies a link such as ``/train?dataset=digits&arch=mnist_cnn&epochs=3&simple=1``;
every student who opens it starts from exactly those settings, with the advanced controls
hidden when ``simple=1``. A preset holds settings only: never a workspace key, so opening it
never shows the teacher's models.

:func:`to_params` and :func:`from_params` are inverse: ``from_params(to_params(s)) == s``
for every valid settings dict ``s``. Unknown or out-of-range values are left out of the
result and reported, so a mistyped link still opens the page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from cnnviz.errors import InputError


@dataclass(frozen=True)
class _Field:
    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None


def _choices(kind: type, *values) -> _Field:
    return _Field(kind, choices=tuple(values))


def _fields() -> dict[str, _Field]:
    from cnnviz import architectures, datasets
    from cnnviz.training import FILL_MODES, FLIP_MODES, OPTIMIZERS, SCHEDULES
    from cnnviz.training.config import BATCH_SIZES, LEARNING_RATES

    return {
        "dataset": _choices(str, *(i.name for i in datasets.available())),
        "size": _Field(int, 8, 512),  # image side (shapes) or upscale (digits, faces)
        "images": _Field(int, 100, 1_000_000),  # training images (shapes, Keras datasets)
        "noise": _Field(float, 0.0, 0.3),
        "arch": _choices(str, *architectures.available()),
        "epochs": _Field(int, 1, 200),
        "batch": _choices(int, *BATCH_SIZES),
        "lr": _choices(float, *LEARNING_RATES),
        "optimizer": _choices(str, *OPTIMIZERS),
        "schedule": _choices(str, *SCHEDULES),
        "val": _Field(float, 0.0, 0.5),
        "dropout": _Field(float, 0.0, 0.8),
        "patience": _Field(int, 0, 50),
        "seed": _Field(int, 0, 2**31 - 1),
        "flip": _choices(str, *FLIP_MODES),
        "rotation": _Field(float, 0.0, 180.0),  # degrees, as ImageDataGenerator
        "width_shift": _Field(float, 0.0, 0.5),
        "height_shift": _Field(float, 0.0, 0.5),
        "shear": _Field(float, 0.0, 45.0),  # degrees
        "zoom": _Field(float, 0.0, 0.5),
        "contrast": _Field(float, 0.0, 0.5),
        "fill": _choices(str, *FILL_MODES),
        "simple": _choices(bool, True, False),
    }


def names() -> tuple[str, ...]:
    """The query parameters a preset may use."""
    return tuple(_fields())


def _parse(name: str, raw: str, spec: _Field):
    text = str(raw).strip()
    if spec.kind is bool:
        if text.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise InputError(f"{name} must be 1 or 0")
        return text.lower() in ("1", "true", "yes")
    if spec.kind is str:
        value = text
    else:
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"{name}={text!r} is not a number") from None
        if not math.isfinite(number) or (spec.kind is int and not number.is_integer()):
            raise InputError(f"{name}={text!r} is not a usable {spec.kind.__name__}")
        value = int(number) if spec.kind is int else number
    if spec.choices is not None:
        match = [c for c in spec.choices if c == value]
        if not match:
            raise InputError(f"{name}={text!r} is not one of the choices")
        return match[0]
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise InputError(f"{name}={text!r} is outside {spec.low}..{spec.high}")
    return value


def _format(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return str(value)


def to_params(settings: Mapping) -> dict[str, str]:
    """Query parameters for a preset.

    Args:
        settings: preset names (see :func:`names`) to values; None values are left out.

    Returns:
        ``{name: text}`` in the order of :func:`names`.

    Raises:
        InputError: for an unknown name or a value a preset cannot hold.
    """
    fields = _fields()
    unknown = set(settings) - set(fields)
    if unknown:
        raise InputError(f"A class link cannot hold {', '.join(sorted(unknown))}.")
    out = {}
    for name, spec in fields.items():
        value = settings.get(name)
        if value is None:
            continue
        text = _format(value)
        _parse(name, text, spec)  # refuse what could not be read back
        out[name] = text
    return out


def from_params(params: Mapping[str, str]) -> tuple[dict, list[str]]:
    """Read a preset from query parameters (other parameters, e.g. ``ws``, are ignored).

    Returns:
        (settings, problems): the values that were valid, and one short text per value
        that was left out.
    """
    settings: dict = {}
    problems: list[str] = []
    for name, spec in _fields().items():
        if name not in params:
            continue
        try:
            settings[name] = _parse(name, params[name], spec)
        except InputError as err:
            problems.append(str(err))
    return settings, problems

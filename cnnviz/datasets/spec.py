"""What a dataset is to the app: a :class:`DatasetSpec` in :data:`REGISTRY`, and ``load``.

A spec holds everything pages and training need: the loader, the default options, the
options a student sets (each an :class:`Option` with its widget), the recommended training
settings (plain data: ``TrainingConfig`` field names, so datasets never import training),
whether images come with object boxes, and the remote files when it is downloaded. Pages
draw their widgets from it and derive the settings they keep from it, so a new dataset is
one module in this package that calls :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cnnviz.datasets.dataset import Dataset
from cnnviz.errors import InputError
from cnnviz.registry import Entry, Registry

WIDGETS = ("select", "slider", "number")


@dataclass(frozen=True)
class Option:
    """One option of :func:`load` that the pickers let a student set.

    Attributes:
        name: the keyword of :func:`load` (``"n_train"``).
        label: the widget's label.
        widget: ``"select"`` (a slider over ``choices``), ``"slider"`` (``low``..``high`` by
            ``step``) or ``"number"`` (a number box over the same range).
        default: the widget's first value (one of ``choices`` for ``"select"``).
        choices: the values offered by a ``"select"``.
        low: smallest value of a ``"slider"`` or ``"number"``.
        high: largest value.
        step: step of a ``"slider"`` or ``"number"``.
        help: the widget's tooltip.
        key: end of the widget's session key, ``<page>_opt_<dataset>_<key>`` (default
            ``name``).
        none_choice: the choice that loads as None (``"all"`` images, the native size).
        preset: its name in a class link (:mod:`cnnviz.presets`), or None.
    """

    name: str
    label: str
    widget: str
    default: Any
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    help: str = ""
    key: str = ""
    none_choice: Any = None
    preset: str | None = None

    def __post_init__(self) -> None:
        if self.widget not in WIDGETS:
            raise ValueError(f"Option {self.name!r}: widget must be one of {WIDGETS}.")
        if self.widget == "select" and self.default not in self.choices:
            raise ValueError(f"Option {self.name!r}: default {self.default!r} not offered.")
        if self.widget != "select" and (self.low is None or self.high is None):
            raise ValueError(f"Option {self.name!r}: a {self.widget} needs low and high.")
        if not self.key:
            object.__setattr__(self, "key", self.name)

    def to_load(self, value: Any) -> Any:
        """The widget's value as :func:`load` takes it (``none_choice`` → None)."""
        return None if self.none_choice is not None and value == self.none_choice else value


def _frozen(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=False)
class DatasetSpec(Entry):
    """A dataset :func:`load` knows.

    Attributes:
        loader: ``loader(**options) -> Dataset`` with every option of ``defaults`` (and
            ``progress`` when ``remote`` is set).
        defaults: every option of :func:`load` and its default.
        options: the options the pickers show, in order.
        extra_options: options :func:`load` accepts without a default (``classes``).
        derived: options computed from the picked ones (e.g. test images from training
            images), or None.
        training: recommended ``TrainingConfig`` fields (``augmentation`` a mapping of
            ``Augmentation`` fields); ``cnnviz.training.recommended_config`` builds it.
        has_boxes: the images come with object boxes (``boxes_train``/``boxes_test``).
        remote: the files downloaded on first use (``keras_files.Source``), or None.
        is_cached: ``is_cached()`` says whether a remote dataset loads without the network.
        small: options that keep a load small when only a few test images are shown.
    """

    loader: Callable[..., Dataset] | None = None
    defaults: Mapping[str, Any] = field(default_factory=_frozen)
    options: tuple[Option, ...] = ()
    extra_options: frozenset[str] = frozenset()
    derived: Callable[[dict], dict] | None = None
    training: Mapping[str, Any] = field(default_factory=_frozen)
    has_boxes: bool = False
    remote: Any = None
    is_cached: Callable[[], bool] | None = None
    small: Mapping[str, Any] = field(default_factory=_frozen)

    def __post_init__(self) -> None:
        for name in ("defaults", "training", "small"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        unknown = [o.name for o in self.options if o.name not in self.defaults]
        if self.loader is None or unknown:
            raise ValueError(f"Dataset {self.key!r}: a loader and defaults for {unknown}.")

    @property
    def offline(self) -> bool:
        """True when it never needs the network."""
        return self.remote is None

    @property
    def download_mb(self) -> float:
        """Approximate download size on first use (0 for offline sets)."""
        return 0.0 if self.remote is None else float(self.remote.download_mb)

    def cached(self) -> bool:
        """True when it can be loaded now without the network (checked now)."""
        return self.offline or self.is_cached is None or bool(self.is_cached())

    def picked(self, values: Mapping[str, Any]) -> dict:
        """Options for :func:`load` from the pickers' widget values (by option name)."""
        options = {o.name: o.to_load(values.get(o.name, o.default)) for o in self.options}
        if self.derived is not None:
            options.update(self.derived(options))
        return options


#: Every dataset, in the order the pickers list them.
REGISTRY: Registry[DatasetSpec] = Registry("dataset")


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset (one call in its own module of this package)."""
    return REGISTRY.register(spec)


def get(name: str) -> DatasetSpec:
    """The spec of dataset ``name``; ``InputError`` listing the choices if unknown."""
    return REGISTRY.get(name)


@dataclass(frozen=True)
class DatasetInfo:
    """What the dataset picker shows, checked now.

    Attributes:
        name: the name for :func:`load`.
        title: human title.
        description: one or two sentences for students.
        offline: True when it never needs the network.
        download_mb: approximate download size on first use (0 for offline sets).
        cached: True when it can be loaded now without the network.
        defaults: default options of :func:`load` for this dataset.
        spec: the registered :class:`DatasetSpec`.
    """

    name: str
    title: str
    description: str
    offline: bool
    download_mb: float = 0.0
    cached: bool = True
    defaults: dict = field(default_factory=dict)
    spec: DatasetSpec | None = None


def available() -> list[DatasetInfo]:
    """Every dataset :func:`load` knows: offline ones first, each in registration order.

    Returns:
        One :class:`DatasetInfo` per name; ``cached`` is checked now (no network used).
    """
    return [
        DatasetInfo(
            name=spec.key,
            title=spec.title,
            description=spec.help,
            offline=spec.offline,
            download_mb=spec.download_mb,
            cached=spec.cached(),
            defaults=dict(spec.defaults),
            spec=spec,
        )
        for spec in sorted(REGISTRY, key=lambda spec: not spec.offline)
    ]


def load(name: str, **options) -> Dataset:
    """Load a dataset by name.

    Args:
        name: one of the names of :func:`available`.
        **options: per dataset, the keys of its ``defaults`` (``get(name).defaults``; the
            dataset's module in this package says what each means); downloaded sets take
            ``progress`` (a callable ``progress(fraction or None, message)`` told about the
            download). Any name with ``saved=<path>`` (as in the
            options of a :func:`from_zip` dataset) loads the dataset saved there.

    Returns:
        The dataset; ``dataset.options`` holds the options used (without ``progress``).

    Raises:
        InputError: unknown name or option, a bad option value, or a download that failed
            (the message says which file to place in which folder).
    """
    if "saved" in options:  # a dataset from an archive, saved by from_zip
        from cnnviz.datasets.from_zip import load_saved

        return load_saved(options["saved"])
    spec = get(name)
    progress = options.pop("progress", None)
    allowed = set(spec.defaults) | set(spec.extra_options)
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputError(
            f"Dataset {name!r} has no option {', '.join(unknown)}; "
            f"its options are {sorted(allowed)}."
        )
    opts = {**spec.defaults, **options}
    extra = {"progress": progress} if spec.remote is not None else {}
    ds = spec.loader(**opts, **extra)
    ds.options = opts
    return ds

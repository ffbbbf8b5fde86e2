"""Transfer bases: the pretrained networks a new head can sit on, in one registry.

Each base is a :class:`BaseSpec` (a registry entry): its input size and preprocessing, the
layer it is cut at, and how to load the full pretrained model. The catalogue's networks are
registered here (the courses' four are listed on the page, the bundled one first); a
script or a test adds its own with :func:`register_base`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from cnnviz import pretrained
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.registry import Entry, Registry

# Where the classifier is cut off: the output of the last convolution stage, which is what
# keras.applications returns with include_top=False (VGG16: after its last pooling).
CUT_LAYERS = {
    pretrained.BUNDLED: "head_activation",
    "vgg16": "block5_pool",
    "inception_v3": "mixed10",
    "mobilenet_v2": "out_relu",
    "resnet50": "conv5_block3_out",
    "densenet121": "relu",
    "efficientnet_b0": "top_activation",
    "xception": "block14_sepconv2_act",
}
# The smallest square input each base accepts (keras.applications refuses smaller ones; the
# bundled EfficientNet halves its input five times). The largest is MAX_INPUT_SIZE for all.
MIN_INPUT_SIZES = {"inception_v3": 75, "xception": 71}
MIN_INPUT_SIZE = 32
MAX_INPUT_SIZE = 512
# The bases the courses use, the bundled one first.
COURSE_BASES = (pretrained.BUNDLED, "vgg16", "inception_v3", "mobilenet_v2")
SUFFIX = "_transfer"
"""A whole transfer model is named ``<base><SUFFIX>`` (see :func:`base_name`)."""


@dataclass(frozen=True, init=False)
class BaseSpec(Entry):
    """A pretrained model a transfer head can sit on (an entry of :data:`BASES`).

    Args:
        name: key (``"efficientnet_lite0"``), also readable as ``key``.
        title: shown to students.
        input_size: (height, width) the base takes.
        preprocessing: pixels 0..255 → base input.
        cut_layer: the layer whose output the head receives (4-D, spatial).
        load: returns the full pretrained Keras model; shared, never changed here.
        offline: True when it loads without network now, or a function that says so
            each time it is asked (a download changes the answer).
        help: a sentence for students.
        listed: shown among the page's choices by :func:`bases`.
        architecture: ``architecture((h, w))`` builds the network with random weights at
            that input size, with the pretrained model's layer names (down to at least the
            cut layer); no weight file is read. None: only ``load`` builds it, at its own
            input size.
        input_sizes: (smallest, largest) square input the base accepts; None = its own
            ``input_size`` only.
        load_notop: ``load_notop((h, w))`` builds the base alone (up to at least the cut
            layer) with pretrained weights from a smaller ``_notop`` file, or returns None
            when there is none; used when the whole model's file is missing.
    """

    input_size: tuple[int, int]
    preprocessing: Preprocessing
    cut_layer: str
    load: Callable[[], Any]
    offline_check: bool | Callable[[], bool]
    listed: bool
    architecture: Callable[[tuple[int, int]], Any] | None
    input_sizes: tuple[int, int] | None
    load_notop: Callable[[tuple[int, int]], Any] | None

    def __init__(
        self,
        name: str,
        title: str,
        input_size: tuple[int, int],
        preprocessing: Preprocessing,
        cut_layer: str,
        load: Callable[[], Any],
        offline: bool | Callable[[], bool] = True,
        *,
        help: str = "",
        listed: bool = True,
        architecture: Callable[[tuple[int, int]], Any] | None = None,
        input_sizes: tuple[int, int] | None = None,
        load_notop: Callable[[tuple[int, int]], Any] | None = None,
    ) -> None:
        values = {
            "key": str(name),
            "title": str(title),
            "help": str(help),
            "input_size": tuple(int(v) for v in input_size),
            "preprocessing": preprocessing,
            "cut_layer": str(cut_layer),
            "load": load,
            "offline_check": offline,
            "listed": bool(listed),
            "architecture": architecture,
            "input_sizes": None if input_sizes is None else tuple(int(v) for v in input_sizes),
            "load_notop": load_notop,
        }
        for field_name, value in values.items():
            object.__setattr__(self, field_name, value)

    @property
    def name(self) -> str:
        """The key (the name scripts and ``TransferConfig(base=...)`` use)."""
        return self.key

    @property
    def offline(self) -> bool:
        """True when the base loads without network now."""
        check = self.offline_check
        return bool(check() if callable(check) else check)


class _Bases(Registry[BaseSpec]):
    """The bases by key; registering a key again replaces its base (a script run twice)."""

    def register(self, entry: BaseSpec) -> BaseSpec:
        # Registry refuses a second entry with one key; a base registered again replaces it.
        self._entries.pop(getattr(entry, "key", None), None)
        return super().register(entry)


BASES: Registry[BaseSpec] = _Bases("base model")
"""Every base by key: the catalogue's, then those added with :func:`register_base`."""


def _load_pretrained(name: str):
    return pretrained.load(name).model


def _notop_path(name: str):
    entry = pretrained.info(name)
    return None if entry.notop_file is None else pretrained.keras_models_dir() / entry.notop_file


def _pretrained_offline(name: str) -> bool:
    path = _notop_path(name)
    return pretrained.info(name).offline or (path is not None and path.is_file())


def _load_notop(name: str, size: tuple[int, int]):
    """The base alone with the ``_notop`` file's weights, when the whole file is missing."""
    path = _notop_path(name)
    if pretrained.is_cached(name) or path is None or not path.is_file():
        return None
    return pretrained.build_keras_application(
        name, weights="notop", include_top=False, input_size=size
    )


def _architecture(name: str, size: tuple[int, int]):
    """A catalogue network with random weights at ``size`` (no weight file is read)."""
    if name == pretrained.BUNDLED:
        from cnnviz.pretrained import efficientnet_lite

        return efficientnet_lite.build(int(size[0]))
    return pretrained.build_keras_application(name, include_top=False, input_size=size)


def _catalogue_base(name: str) -> BaseSpec:
    entry = pretrained.info(name)
    return BaseSpec(
        name=name,
        title=entry.title,
        input_size=tuple(entry.input_size),
        preprocessing=entry.preprocessing,
        cut_layer=CUT_LAYERS[name],
        load=partial(_load_pretrained, name),
        offline=partial(_pretrained_offline, name),
        listed=name in COURSE_BASES,
        architecture=partial(_architecture, name),
        input_sizes=(MIN_INPUT_SIZES.get(name, MIN_INPUT_SIZE), MAX_INPUT_SIZE),
        load_notop=None if name == pretrained.BUNDLED else partial(_load_notop, name),
    )


for _name in (*COURSE_BASES, *(n for n in CUT_LAYERS if n not in COURSE_BASES)):
    BASES.register(_catalogue_base(_name))


def register_base(spec: BaseSpec) -> BaseSpec:
    """Make another base available by name (scripts, tests with a tiny base built in code)."""
    return BASES.register(spec)


def base_spec(name: str) -> BaseSpec:
    """The base called ``name``; raises ``InputError`` listing the known ones."""
    return BASES.get(name)


def bases() -> list[BaseSpec]:
    """The bases the courses use (bundled first), then any registered ones."""
    return BASES.available(lambda spec: spec.listed)


def base_preprocessing(name: str) -> Preprocessing:
    """The preprocessing of a base (what the whole transfer model takes)."""
    return base_spec(name).preprocessing


def base_name(model) -> str:
    """The base a transfer model was built on, from its name (``<base>_transfer``).

    :func:`cnnviz.transfer.build_model` names the whole network so, and Keras keeps the
    name when the model is saved and loaded, so a stored transfer model still says it.
    """
    return str(model.name).removesuffix(SUFFIX)

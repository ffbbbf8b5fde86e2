"""Classic hand-designed kernels (blur, sharpen, edges, Haar-like features) in 3×3 and 5×5.

Each preset is a :class:`KernelPreset` in :data:`PRESETS`, with the sentence a student reads
next to it; adding one is one ``PRESETS.register(...)`` here (the shape itself in
:mod:`cnnviz.filters.kernel_shapes`), and the page and tests list it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnviz.errors import InputError
from cnnviz.filters import kernel_shapes as shapes
from cnnviz.registry import Entry, Registry

#: Sizes every preset comes in.
PRESET_SIZES = (3, 5)


@dataclass(frozen=True)
class KernelPreset(Entry):
    """A classic kernel: ``key`` is the name students pick, ``help`` what it does.

    Attributes:
        build: side (3 or 5) → (side, side) kernel.
    """

    build: Callable[[int], np.ndarray] = shapes.identity


PRESETS: Registry[KernelPreset] = Registry("kernel preset")


def _preset(key: str, build: Callable[[int], np.ndarray], help: str) -> None:
    PRESETS.register(KernelPreset(key=key, title=key, help=help, build=build))


_preset("identity", shapes.identity, "Copies the image: only the centre weight is 1.")
_preset("box blur", shapes.box_blur, "Averages the neighbourhood: every weight is 1/(size²).")
_preset("gaussian blur", shapes.gaussian_blur,
        "Weighted average, nearer pixels count more: a softer blur.")  # fmt: skip
_preset("sharpen", shapes.sharpen,
        "Adds the difference between a pixel and its neighbours back, so edges pop.")  # fmt: skip
_preset("emboss", shapes.emboss,
        "Light from the top left: edges facing it brighten, the others darken.")  # fmt: skip
_preset("laplacian", shapes.laplacian,
        "Second derivative: responds to edges and spots in every direction.")  # fmt: skip
_preset("prewitt x", shapes.prewitt_x,
        "Left-to-right brightness change, plain average across rows.")  # fmt: skip
_preset("prewitt y", shapes.prewitt_y,
        "Top-to-bottom brightness change, plain average across columns.")  # fmt: skip
_preset("sobel x", functools.partial(shapes.sobel_derivative, 1, 0),
        "Left-to-right brightness change, centre row weighted more (as cv2.Sobel).")  # fmt: skip
_preset("sobel y", functools.partial(shapes.sobel_derivative, 0, 1),
        "Top-to-bottom brightness change, centre column weighted more (as cv2.Sobel).")  # fmt: skip
_preset("haar edge x", functools.partial(shapes.haar, "edge x"),
        "Haar-like two-rectangle feature: right half minus left half (a vertical edge). The "
        "odd-sized kernel leaves its centre column at 0.")  # fmt: skip
_preset("haar edge y", functools.partial(shapes.haar, "edge y"),
        "Haar-like two-rectangle feature: bottom half minus top half (a horizontal edge). "
        "The centre row is 0.")  # fmt: skip
_preset("haar line x", functools.partial(shapes.haar, "line x"),
        "Haar-like three-rectangle feature: a bright vertical band between two dark ones (a "
        "line detector).")  # fmt: skip
_preset("haar line y", functools.partial(shapes.haar, "line y"),
        "Haar-like three-rectangle feature: a bright horizontal band between two dark "
        "ones.")  # fmt: skip
_preset("haar four", functools.partial(shapes.haar, "four"),
        "Haar-like four-rectangle feature: one diagonal pair of quadrants minus the other "
        "(corners and checkerboards). The centre row and column are 0.")  # fmt: skip

#: What each preset does, in a sentence a student can read next to it.
PRESET_NOTES: dict[str, str] = {preset.key: preset.help for preset in PRESETS}
#: Preset names, in the order the page lists them.
KERNEL_PRESETS: tuple[str, ...] = tuple(PRESETS.keys())


def kernel_preset(name: str, size: int = 3) -> np.ndarray:
    """A classic hand-designed kernel.

    Args:
        name: one of :data:`KERNEL_PRESETS` (case-insensitive).
        size: 3 or 5.

    Returns:
        (size, size) float32 kernel (to use with :func:`filter2d`, i.e. unflipped). The
        Sobel presets equal the kernels ``cv2.Sobel`` applies; the Laplacian presets equal
        ``cv2.Laplacian`` with ``ksize=1`` (3×3) and ``ksize=5`` (5×5).
    """
    key = str(name).strip().lower()
    if key not in PRESETS:
        raise InputError(
            f"Unknown kernel preset {name!r}; choose one of {', '.join(KERNEL_PRESETS)}."
        )
    if isinstance(size, bool) or size not in PRESET_SIZES:
        raise InputError(f"Preset kernels come in sizes {PRESET_SIZES}, got {size!r}.")
    return np.ascontiguousarray(PRESETS.get(key).build(size), dtype=np.float32)

"""The image a page worked on, as code: a scikit-image sample loaded the page's way, or pixels.

A sample of the gallery (:func:`cnnviz.images.samples`) is loaded with the same
``skimage.data`` call and shrunk with the same OpenCV resize as the page's picker, so the
script starts from the very pixels the page had. Any other image (an upload, a camera
snapshot, a dataset image) is written into the script as a lossless PNG (base64), at the
size the computation needs, so the numbers are the page's to the last bit.
"""

from __future__ import annotations

import base64
import textwrap

import cv2
import numpy as np

from cnnviz.errors import InputError

#: Gallery name -> ``skimage.data`` loader (as :mod:`cnnviz.images.samples` loads them).
SKIMAGE_LOADERS = {
    "cat": "chelsea",
    "coffee": "coffee",
    "astronaut": "astronaut",
    "camera man": "camera",
    "coins": "coins",
    "rocket": "rocket",
    "bricks": "brick",
    "text": "text",
    "moon": "moon",
    "grass": "grass",
}

#: Every script that resizes defines this first (the picker's and the pages' resize).
FIT_WITHIN = '''\
def fit_within(image, max_side):
    """Shrink so the longer side is at most max_side (area averaging, aspect ratio kept)."""
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (min(max_side, max(1, round(w * scale))), min(max_side, max(1, round(h * scale))))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
'''

_SUNBURST = """\
# The 'sunburst' test pattern: stripes at every orientation.
yy, xx = np.mgrid[0:256, 0:256].astype(np.float64) - 127.5
gray = np.rint((0.5 + 0.5 * np.cos(24 * np.arctan2(yy, xx))) * 255).astype(np.uint8)
image = cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
"""


def sample_code(name: str, max_side: int) -> str:
    """Code that sets ``image`` ((H, W, 3) uint8 RGB) to the gallery sample ``name``.

    Needs ``cv2``, ``np`` and :data:`FIT_WITHIN` defined before it.

    Raises:
        InputError: ``name`` is not a gallery sample.
    """
    if name == "sunburst":
        code = _SUNBURST
    elif name in SKIMAGE_LOADERS:
        code = (
            "from skimage import data\n\n"
            f"image = data.{SKIMAGE_LOADERS[name]}()  # the '{name}' sample\n"
            "if image.ndim == 2:  # a gray photo: three equal channels\n"
            "    image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)\n"
        )
    else:
        raise InputError(
            f"{name!r} is not a sample image; choose one of {sorted(SKIMAGE_LOADERS)}."
        )
    return code + f"image = fit_within(image, {int(max_side)})  # as the page's picker\n"


def embedded_code(pixels: np.ndarray, name: str = "image", *, note: str = "") -> str:
    """Code that sets ``name`` to ``pixels`` exactly, from a PNG written into the script.

    Args:
        pixels: (H, W) or (H, W, 3) uint8 (RGB).
        name: the variable to set.
        note: a comment line above it (what the pixels are).

    Returns:
        Python source; needs ``base64``, ``cv2`` and ``np`` imported.
    """
    pixels = np.ascontiguousarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
        raise InputError(f"Expected (H, W) or (H, W, 3) uint8 pixels, got {pixels.shape}.")
    colour = pixels.ndim == 3
    ok, png = cv2.imencode(".png", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR) if colour else pixels)
    if not ok:
        raise InputError("The image could not be written as PNG.")
    text = base64.b64encode(png.tobytes()).decode("ascii")
    lines = textwrap.wrap(text, 84)
    png_name = f"{name.upper()}_PNG"
    body = "\n".join(f'    "{line}"' for line in lines)
    decode = (
        f"{name} = cv2.imdecode(np.frombuffer(base64.b64decode({png_name}), np.uint8), "
        "cv2.IMREAD_UNCHANGED)\n"
    )
    if colour:
        decode += f"{name} = cv2.cvtColor({name}, cv2.COLOR_BGR2RGB)\n"
    comment = f"# {note}\n" if note else ""
    return f"{comment}{png_name} = (\n{body}\n)\n{decode}"

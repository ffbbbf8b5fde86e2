"""Single uploads and archive entries go through one decoder and give the same pixels."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from cnnviz import datasets
from cnnviz.images import load_image

SIDE = 16


def _save(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _ramp() -> np.ndarray:
    """(SIDE, SIDE) in 0..1, dark on the left, bright on the right, one brighter row."""
    x = np.tile(np.linspace(0.0, 1.0, SIDE), (SIDE, 1))
    x[2] = 1.0
    return x


def _float_tiff() -> bytes:
    return _save(Image.fromarray(_ramp().astype(np.float32), mode="F"), "TIFF")


def _png_16_bit() -> bytes:
    values = np.round(_ramp() * 199).astype(np.uint16)  # max 199 of 65535: a dark image
    return _save(Image.fromarray(values), "PNG")


def _rgb() -> Image.Image:
    ramp = np.round(_ramp() * 255).astype(np.uint8)
    return Image.fromarray(np.stack([ramp, ramp[::-1], 255 - ramp], axis=-1))


def _palette() -> bytes:
    return _save(_rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG")


def _alpha() -> bytes:
    rgba = _rgb().convert("RGBA")
    rgba.putalpha(Image.fromarray(np.round(_ramp()[::-1] * 255).astype(np.uint8)))
    return _save(rgba, "PNG")


def _cmyk() -> bytes:
    return _save(_rgb().convert("CMYK"), "JPEG", quality=95)


def _exif_rotated() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    return _save(_rgb(), "JPEG", quality=95, exif=exif)


CASES = {
    "float TIFF in 0..1": (_float_tiff, "tif"),
    "16-bit PNG": (_png_16_bit, "png"),
    "palette PNG": (_palette, "png"),
    "alpha PNG": (_alpha, "png"),
    "CMYK JPEG": (_cmyk, "jpg"),
    "EXIF-rotated JPEG": (_exif_rotated, "jpg"),
}


def _archive(data: bytes, ext: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for cls in ("a", "b"):
            for i in range(5):
                zf.writestr(f"{cls}/{i}.{ext}", data)
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(CASES))
def test_an_archive_entry_decodes_as_the_same_file_uploaded_alone(case, tmp_path):
    make, ext = CASES[case]
    data = make()
    single = load_image(data)
    ds = datasets.from_zip(_archive(data, ext), tmp_path, image_size=SIDE, keep=None, color="rgb")
    assert single.shape == (SIDE, SIDE, 3)
    for image in (*ds.x_train, *ds.x_test):
        np.testing.assert_array_equal(image, single)


def test_the_one_rule_for_float_and_16_bit_pixels():
    # Floats in 0..1 are multiplied by 255; 16-bit values are divided by 257 (65535 → 255).
    np.testing.assert_allclose(load_image(_float_tiff())[..., 0], np.round(_ramp() * 255))
    deep = load_image(_png_16_bit())
    assert deep.max() == round(199 / 257)
    assert abs(load_image(_float_tiff()).mean() - _ramp().mean() * 255) < 1

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFile

from cnnviz import images
from cnnviz.errors import InputError
from cnnviz.images import fit_within, load_image, samples, to_gray

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def _encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _halves(h=12, w=20, left=RED, right=BLUE) -> np.ndarray:
    arr = np.zeros((h, w, 3), np.uint8)
    arr[:, : w // 2] = left
    arr[:, w // 2 :] = right
    return arr


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(width: int, height: int) -> bytes:
    """A 100-byte PNG that claims width × height pixels: the classic decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _png_chunk(b"IEND", b"")
    )


def _gif_header_only(width: int, height: int) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + descriptor + b"\x02\x02\x44\x01\x00;"


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (16, 8), RED), Image.new("RGB", (16, 8), BLUE)]
    return _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def _animated_webp() -> bytes:
    frames = [Image.new("RGB", (16, 8), RED), Image.new("RGB", (16, 8), BLUE)]
    return _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)


def _multipage_tiff() -> bytes:
    frames = [Image.new("RGB", (16, 8), RED), Image.new("RGB", (16, 8), BLUE)]
    return _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])


def _rgba_png() -> bytes:
    rgba = np.zeros((4, 3, 4), np.uint8)
    rgba[0] = (255, 0, 0, 255)  # opaque red
    rgba[1] = (255, 0, 0, 0)  # fully transparent → white
    rgba[2] = (0, 0, 0, 128)  # half-transparent black → mid gray
    rgba[3] = (0, 0, 255, 255)
    return _encode(Image.fromarray(rgba, "RGBA"), "PNG")


def _palette_with_transparency() -> bytes:
    img = Image.new("P", (4, 4), 0)
    img.putpalette([255, 0, 0, 0, 255, 0] + [0] * (256 * 3 - 6))
    img.putpixel((0, 0), 1)
    return _encode(img, "PNG", transparency=0)  # palette entry 0 (red) is transparent


def _gray16(fmt: str) -> bytes:
    values = np.array([[0, 1000, 32896, 65535]], np.uint16)
    return _encode(Image.fromarray(values), fmt)


def _rgb16_png() -> bytes:
    bgr = np.zeros((2, 2, 3), np.uint16)
    bgr[..., 2] = 65535  # red, in OpenCV's BGR order
    bgr[..., 1] = 257 * 100
    return cv2.imencode(".png", bgr)[1].tobytes()


def _cmyk(fmt: str) -> bytes:
    cmyk = np.zeros((8, 8, 4), np.uint8)
    cmyk[..., 1:3] = 255  # magenta + yellow = red
    return _encode(Image.fromarray(cmyk, "CMYK"), fmt)


def _exif_rotated(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _encode(Image.fromarray(_halves()), "JPEG", exif=exif, quality=95)


def _float_tiff() -> bytes:
    return _encode(Image.fromarray(np.array([[0.0, 0.5, 1.0]], np.float32), "F"), "TIFF")


def _int32_tiff() -> bytes:
    values = np.array([[-100, 0, 100_000]], np.int32)
    return _encode(Image.fromarray(values, "I"), "TIFF")


def _near(pixel, expected, tol=12):
    return np.all(np.abs(np.asarray(pixel, int) - np.asarray(expected, int)) <= tol)


# (case, bytes factory, expected shape, check on the decoded array)
GOOD = [
    ("png rgb", lambda: _encode(Image.fromarray(_halves()), "PNG"), (12, 20, 3),
     lambda a: _near(a[0, 0], RED, 0) and _near(a[0, -1], BLUE, 0)),
    ("jpeg rgb", lambda: _encode(Image.fromarray(_halves()), "JPEG", quality=95), (12, 20, 3),
     lambda a: _near(a[5, 2], RED) and _near(a[5, -3], BLUE)),
    ("webp", lambda: _encode(Image.fromarray(_halves()), "WEBP", lossless=True), (12, 20, 3),
     lambda a: _near(a[0, 0], RED, 0)),
    ("bmp", lambda: _encode(Image.fromarray(_halves()), "BMP"), (12, 20, 3),
     lambda a: _near(a[0, -1], BLUE, 0)),
    ("tiff", lambda: _encode(Image.fromarray(_halves()), "TIFF"), (12, 20, 3),
     lambda a: _near(a[0, 0], RED, 0)),
    ("gif palette", lambda: _encode(Image.fromarray(_halves()), "GIF"), (12, 20, 3),
     lambda a: _near(a[0, 0], RED, 0)),
    ("grayscale L", lambda: _encode(Image.new("L", (5, 3), 77), "PNG"), (3, 5, 3),
     lambda a: np.all(a == 77)),
    ("bilevel 1", lambda: _encode(Image.new("1", (5, 3), 1), "PNG"), (3, 5, 3),
     lambda a: np.all(a == 255)),
    ("palette + transparency", _palette_with_transparency, (4, 4, 3),
     lambda a: _near(a[0, 0], (0, 255, 0), 0) and _near(a[1, 1], (255, 255, 255), 0)),
    ("rgba on white", _rgba_png, (4, 3, 3),
     lambda a: _near(a[0, 0], RED, 0) and _near(a[1, 0], (255, 255, 255), 0)
     and _near(a[2, 0], (127, 127, 127), 1)),
    ("gray + alpha LA", lambda: _encode(Image.new("LA", (3, 2), (0, 0)), "PNG"), (2, 3, 3),
     lambda a: np.all(a == 255)),
    ("16-bit gray png", lambda: _gray16("PNG"), (1, 4, 3),
     lambda a: list(a[0, :, 0]) == [0, 4, 128, 255]),
    ("16-bit gray tiff", lambda: _gray16("TIFF"), (1, 4, 3),
     lambda a: list(a[0, :, 0]) == [0, 4, 128, 255]),
    ("16-bit rgb png", _rgb16_png, (2, 2, 3), lambda a: _near(a[0, 0], (255, 100, 0), 0)),
    ("float tiff", _float_tiff, (1, 3, 3), lambda a: list(a[0, :, 0]) == [0, 128, 255]),
    ("int32 tiff", _int32_tiff, (1, 3, 3), lambda a: a[0, 0, 0] == 0 and a[0, 2, 0] == 255),
    ("cmyk jpeg", lambda: _cmyk("JPEG"), (8, 8, 3), lambda a: _near(a[4, 4], RED)),
    ("cmyk tiff", lambda: _cmyk("TIFF"), (8, 8, 3), lambda a: _near(a[4, 4], RED, 0)),
    ("animated gif: first frame", _animated_gif, (8, 16, 3), lambda a: _near(a[4, 8], RED, 0)),
    ("animated webp: first frame", _animated_webp, (8, 16, 3),
     lambda a: _near(a[4, 8], RED, 0)),
    ("multi-page tiff: first page", _multipage_tiff, (8, 16, 3),
     lambda a: _near(a[4, 8], RED, 0)),
    # EXIF orientation 6: the camera was turned; show it rotated 90° clockwise (left → top).
    ("exif orientation 6", lambda: _exif_rotated(6), (20, 12, 3),
     lambda a: _near(a[3, 6], RED) and _near(a[-3, 6], BLUE)),
    ("exif orientation 8", lambda: _exif_rotated(8), (20, 12, 3),
     lambda a: _near(a[3, 6], BLUE) and _near(a[-3, 6], RED)),
    ("exif orientation 3", lambda: _exif_rotated(3), (12, 20, 3),
     lambda a: _near(a[6, 3], BLUE) and _near(a[6, -3], RED)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "shape", "check"), [g[1:] for g in GOOD], ids=[g[0] for g in GOOD]
)
def test_load_image_good_files(make, shape, check):
    rgb = load_image(make())
    assert rgb.shape == shape
    assert rgb.dtype == np.uint8
    assert rgb.flags.c_contiguous and rgb.flags.writeable
    assert check(rgb), rgb[..., :].reshape(-1, 3)[:8]


def _truncated(fmt: str, fraction: float = 0.6) -> bytes:
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = _encode(Image.fromarray(noise), fmt)
    return data[: int(len(data) * fraction)]


def _many_scans_jpeg() -> bytes:
    data = _encode(Image.new("RGB", (8, 8)), "JPEG")
    return data[:-2] + b"\xff\xda" * (images.MAX_JPEG_SCANS + 1) + b"\xff\xd9"


def _png_with_many_chunks(n: int) -> bytes:
    png = _encode(Image.new("RGB", (8, 8)), "PNG")
    return png[:33] + _png_chunk(b"tEXt", b"k\x00v") * n + png[33:]  # after IHDR


def _jpeg_with_many_segments(n: int) -> bytes:
    jpeg = _encode(Image.new("RGB", (8, 8)), "JPEG")
    return jpeg[:2] + b"\xff\xfe\x00\x03c" * n + jpeg[2:]  # COM segments after SOI


def _gif_with_many_blocks(n: int) -> bytes:
    gif = _encode(Image.new("P", (8, 8)), "GIF")
    start = 13 + 3 * 2 ** ((gif[10] & 7) + 1)  # after the global colour table
    return gif[:start] + b"\x21\xfe" + b"\x01a" * n + b"\x00" + gif[start:]


BAD = [
    ("zero bytes", lambda: b"", "empty"),
    ("text renamed .png", lambda: b"just some notes\nnot a picture\n", "text file"),
    ("svg", lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ("pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    ("heic", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 64, "HEIC"),
    ("random bytes", lambda: np.random.default_rng(1).bytes(4096), "not an image"),
    ("truncated jpeg", lambda: _truncated("JPEG"), "truncated"),
    ("truncated png", lambda: _truncated("PNG"), "truncated"),
    ("truncated gif", lambda: _truncated("GIF"), "truncated"),
    ("truncated tiff", lambda: _truncated("TIFF"), "truncated"),
    ("truncated bmp", lambda: _truncated("BMP"), "truncated"),
    ("png header only, 10 GP (bomb)", lambda: _png_header_only(100_000, 100_000), "pixels"),
    ("png header only, 50 MP", lambda: _png_header_only(10_000, 5_000), "megapixels"),
    ("gif header only (bomb)", lambda: _gif_header_only(65_535, 65_535), "pixels"),
    ("real 64 MP bilevel bomb", lambda: _encode(Image.new("1", (8000, 8000)), "PNG"), "megapixels"),
    ("1 × 40000 strip", lambda: _png_header_only(40_000, 1), "sides longer"),
    ("too many jpeg scans", _many_scans_jpeg, "too many scans"),
    ("200k png chunks", lambda: _png_with_many_chunks(200_000), "pieces"),
    ("200k jpeg segments", lambda: _jpeg_with_many_segments(200_000), "pieces"),
    ("200k gif sub-blocks", lambda: _gif_with_many_blocks(200_000), "pieces"),
    ("ico (format not allowed)", lambda: _encode(Image.new("RGB", (16, 16)), "ICO"), "PNG, JPEG"),
    ("ppm (format not allowed)", lambda: _encode(Image.new("RGB", (4, 4)), "PPM"), "PNG, JPEG"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_load_image_refuses_bad_files_with_a_clear_message(make, words):
    with pytest.raises(InputError, match=r"(?i)" + words.replace("(", r"\(")):
        load_image(make())
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize(
    "make", [_png_with_many_chunks, _jpeg_with_many_segments, _gif_with_many_blocks]
)
def test_a_few_thousand_header_pieces_are_still_fine(make):
    assert load_image(make(5_000)).shape == (8, 8, 3)


def test_oversized_file_is_refused_before_decoding():
    with pytest.raises(InputError, match="limit"):
        load_image(b"\x89PNG" + b"\0" * (images.MAX_FILE_BYTES + 1))


def test_fuzzed_files_load_or_raise_input_error_only():
    """Damaged variants of valid files: every one decodes or is refused with InputError."""
    rng = np.random.default_rng(2024)
    noise = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    seeds = [
        _encode(Image.fromarray(noise), "PNG"),
        _encode(Image.fromarray(noise), "JPEG", progressive=True),
        _encode(Image.fromarray(noise), "GIF"),
        _encode(Image.fromarray(noise), "TIFF", compression="tiff_lzw"),
        _encode(Image.fromarray(noise), "WEBP"),
        _encode(Image.fromarray(noise), "BMP"),
        _exif_rotated(6),
        _animated_gif(),
    ]
    outcomes = {"loaded": 0, "refused": 0}
    for data in seeds:
        for _ in range(40):
            mutated = bytearray(data)
            kind = rng.integers(0, 3)
            if kind == 0:  # flip a few bytes, mostly in the header where parsing happens
                for pos in rng.integers(0, min(len(data), 200), size=rng.integers(1, 6)):
                    mutated[pos] = rng.integers(0, 256)
            elif kind == 1:  # cut anywhere
                mutated = mutated[: rng.integers(1, len(data))]
            else:  # overwrite a run with random bytes
                start = rng.integers(0, len(data))
                mutated[start : start + 16] = rng.bytes(16)
            try:
                out = load_image(bytes(mutated))
            except InputError:
                outcomes["refused"] += 1
            else:
                assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
                outcomes["loaded"] += 1
    assert outcomes["refused"] > 0 and outcomes["loaded"] > 0


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((20, 12), None, (12, 20)),
        ((20, 12), 40, (12, 20)),  # never enlarged
        ((20, 12), 10, (6, 10)),
        ((12, 20), 10, (10, 6)),
        ((300, 1), 30, (1, 30)),  # sides stay ≥ 1
    ],
)
def test_max_side_shrinks_the_long_side(size, max_side, expected):
    data = _encode(Image.new("RGB", size, RED), "PNG")
    assert load_image(data, max_side=max_side).shape[:2] == expected


def test_max_side_on_a_large_jpeg_uses_reduced_decoding_but_keeps_the_requested_size():
    data = _encode(Image.fromarray(_halves(1200, 2000)), "JPEG", quality=90)
    small = load_image(data, max_side=256)
    assert small.shape == (154, 256, 3)
    assert _near(small[70, 20], RED) and _near(small[70, -20], BLUE)


@pytest.mark.parametrize("max_side", [0, -5, 2.5, True, "100"])
def test_bad_max_side(max_side):
    with pytest.raises(InputError, match="max_side"):
        load_image(_encode(Image.new("RGB", (4, 4)), "PNG"), max_side=max_side)


def test_sources_bytes_path_and_file_objects(tmp_path):
    data = _encode(Image.fromarray(_halves()), "PNG")
    path = tmp_path / "picture.png"
    path.write_bytes(data)
    expected = load_image(data)

    class ReadOnly:  # a stream with only read(), like a socket file
        def __init__(self, payload):
            self._buf = io.BytesIO(payload)

        def read(self, n=-1):
            return self._buf.read(n)

    exhausted = io.BytesIO(data)
    exhausted.read()  # like an UploadedFile someone already read: getvalue() still works
    with open(path, "rb") as handle:
        from_handle = load_image(handle)
    for source in (bytearray(data), memoryview(data), str(path), path, exhausted, ReadOnly(data)):
        np.testing.assert_array_equal(load_image(source), expected)
    np.testing.assert_array_equal(from_handle, expected)


def test_text_file_renamed_png_on_disk_and_missing_path(tmp_path):
    fake = tmp_path / "holiday.png"
    fake.write_text("this is not a picture")
    with pytest.raises(InputError, match="text file"):
        load_image(fake)
    with pytest.raises(InputError, match="no image file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(InputError, match="no image file"):
        load_image(tmp_path)  # a folder


def test_wrong_source_types_are_programming_errors():
    with pytest.raises(TypeError):
        load_image(12345)
    with pytest.raises(TypeError, match="binary"):
        load_image(io.StringIO("text mode"))


def test_load_image_does_not_change_its_input():
    data = bytearray(_rgba_png())
    before = bytes(data)
    load_image(data, max_side=2)
    assert bytes(data) == before


def test_samples_gallery():
    gallery = samples()
    for name in ("cat", "coffee", "astronaut", "camera man", "coins", "rocket", "sunburst"):
        assert name in gallery
    for name, image in gallery.items():
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8, name
        assert min(image.shape[:2]) >= 64, name
    # Camera man is grayscale in scikit-image: all three channels equal.
    cam = gallery["camera man"]
    assert np.array_equal(cam[..., 0], cam[..., 2])


def test_samples_cannot_be_corrupted_by_callers():
    first = samples()
    with pytest.raises(ValueError, match="read-only"):
        first["cat"][0, 0] = 0
    first.pop("cat")
    first["mine"] = np.zeros((2, 2, 3), np.uint8)
    again = samples()
    assert "cat" in again and "mine" not in again
    assert again["coffee"] is first["coffee"]  # cached, not reloaded


@pytest.mark.parametrize(
    ("shape", "max_side", "expected"),
    [((100, 50), 200, (100, 50)), ((100, 50), 20, (20, 10)), ((7, 700, 3), 70, (1, 70, 3))],
)
def test_fit_within(shape, max_side, expected):
    assert fit_within(np.zeros(shape, np.uint8), max_side).shape == expected


def test_to_gray_uses_bt601_luma():
    rgb = np.array([[RED, (0, 255, 0), BLUE, (255, 255, 255)]], np.uint8)
    assert to_gray(rgb).tolist() == [[76, 150, 29, 255]]
    gray = np.full((3, 4), 9, np.uint8)
    assert to_gray(gray) is gray
    assert to_gray(gray[..., None]).shape == (3, 4)
    with pytest.raises(InputError):
        to_gray(np.zeros((3, 4, 2), np.uint8))

"""User archives: a table of good and hostile zips built here, through datasets.from_zip."""

import io
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz import datasets
from cnnviz.datasets import zip_checks, zip_read
from cnnviz.errors import InputError

COLOURS = {"cat": (220, 40, 40), "dog": (40, 40, 220), "fox": (40, 200, 40)}


def png(colour=(200, 30, 30), size=(12, 10), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    img = Image.new("RGB", size, colour)
    img.convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(colour=(30, 200, 30), size=(16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def make_zip(entries) -> bytes:
    """entries: {name: bytes} or a list of (name or ZipInfo, bytes)."""
    buffer = io.BytesIO()
    items = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return buffer.getvalue()


def class_files(prefix="", classes=("cat", "dog"), n=6, start=0) -> dict:
    return {
        f"{prefix}{c}/{c}{i}.png": png(COLOURS[c]) for c in classes for i in range(start, start + n)
    }


def symlink_entry(name: str, target: str) -> tuple:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag of one entry in the central directory (zipfile cannot)."""
    out = bytearray(data)
    record = out.find(b"PK\x01\x02")
    while record >= 0:
        name_len = int.from_bytes(out[record + 28 : record + 30], "little")
        if out[record + 46 : record + 46 + name_len] == name.encode():
            out[record + 8] |= 0x1
            return bytes(out)
        record = out.find(b"PK\x01\x02", record + 4)
    raise AssertionError(f"{name} not found")


def bomb_entry(name: str) -> tuple:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info, bytes(4 << 20)  # 4 MiB of zeros deflate to a few KB


def fifo_entry(name: str) -> tuple:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return info, b""


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A private folder holding the workdir; the cwd too, so stray relative writes show."""
    root = tmp_path / "sandbox"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


GOOD = {
    "flat": (class_files(), {}, ["cat", "dog"], None),
    "flat, jpeg and png": (
        {**class_files(classes=("cat",)), **{f"dog/{i}.jpg": jpeg() for i in range(6)}},
        {},
        ["cat", "dog"],
        None,
    ),
    "wrapper folder": (class_files("pets/"), {}, ["cat", "dog"], None),
    "two wrapper folders": (class_files("a/b/"), {}, ["cat", "dog"], None),
    "train/validation/test": (
        {
            **class_files("train/"),
            **class_files("validation/", n=2),
            **class_files("test/", n=3),
        },
        {},
        ["cat", "dog"],
        (12, 4, 6),
    ),
    "wrapper around train/test": (
        {**class_files("data/train/"), **class_files("data/test/", n=2)},
        {},
        ["cat", "dog"],
        (12, 0, 4),
    ),
    "val/ spelled short": (
        {**class_files("train/"), **class_files("val/", n=2)},
        {},
        ["cat", "dog"],
        (12, 4, 4),
    ),
    "macOS litter and readme ignored": (
        {
            **class_files(classes=("cat", "dog", "fox")),
            "__MACOSX/cat/._cat0.png": b"\x00\x05\x16\x07junk",
            "cat/.DS_Store": b"junk",
            ".hidden/x.png": b"junk",
            "README.txt": b"my dataset",
            "dog/Thumbs.db": b"junk",
        },
        {},
        ["cat", "dog", "fox"],
        None,
    ),
    "deeper folders inside a class": (
        {**class_files(classes=("cat",)), **{f"dog/a/b/{i}.png": png() for i in range(6)}},
        {},
        ["cat", "dog"],
        None,
    ),
    "lower minimum": (class_files(n=2), {"min_per_class": 2}, ["cat", "dog"], None),
}


# The courses' and Kaggle's layouts, and the traps: (entries, class names, (train, val, test)).
LAYOUTS = {
    "cats_and_dogs_filtered": (
        {
            **class_files("cats_and_dogs_filtered/train/", n=8),
            **class_files("cats_and_dogs_filtered/validation/", n=3),
            "cats_and_dogs_filtered/vectorize.py": b"print()",
        },
        ["cat", "dog"],
        (16, 6, 6),
    ),
    "training_set and test_set": (
        {**class_files("training_set/"), **class_files("test_set/", n=2)},
        ["cat", "dog"],
        (12, 0, 4),
    ),
    "doubled training_set/training_set": (
        {
            **class_files("dataset/training_set/training_set/"),
            **class_files("dataset/test_set/test_set/", n=2),
        },
        ["cat", "dog"],
        (12, 0, 4),
    ),
    "validation-<name> beside <name>": (
        {**class_files("horse-or-human/"), **class_files("validation-horse-or-human/", n=2)},
        ["cat", "dog"],
        (12, 4, 4),
    ),
    "trap: a class named test inside train/": (
        {
            **class_files("train/", classes=("cat",)),
            **{f"train/test/{i}.png": png() for i in range(6)},
            **class_files("validation/", classes=("cat",), n=2),
        },
        ["cat", "test"],
        (12, 2, 2),
    ),
    "trap: an empty split": (
        {**class_files("train/"), "test/": b"", "test/cat/": b"", "test/readme.txt": b"x"},
        ["cat", "dog"],
        None,
    ),
    "trap: a split without some classes": (
        {**class_files("train/", classes=("cat", "dog", "fox")), **class_files("test/", n=2)},
        ["cat", "dog", "fox"],
        (18, 0, 4),
    ),
}


@pytest.mark.parametrize("case", list(LAYOUTS))
def test_course_layouts_give_the_real_classes_and_splits(sandbox, case):
    entries, class_names, sizes = LAYOUTS[case]
    ds = datasets.from_zip(make_zip(entries), sandbox / "work", image_size=16)
    assert ds.class_names == class_names
    n_val = 0 if ds.x_val is None else len(ds.x_val)
    if sizes is None:  # the flat split of the training images
        assert ds.x_val is None and len(ds.x_train) + len(ds.x_test) == 12
    else:
        assert (len(ds.x_train), n_val, len(ds.x_test)) == sizes
    if n_val:  # the given validation images are the held-out set: no training image moved
        np.testing.assert_array_equal(ds.x_test, ds.x_val)
        assert any("held-out" in note for note in ds.notes)
    for k, name in enumerate(class_names):
        if name in COLOURS:
            mean = ds.x_train[ds.y_train == k].reshape(-1, 3).mean(axis=0)
            np.testing.assert_allclose(mean, COLOURS[name], atol=3)
    if "without some" in case:
        assert any("include no fox" in note for note in ds.notes)


def test_split_folders_with_an_unknown_class_are_refused(sandbox):
    data = make_zip({**class_files("training_set/"), **class_files("test_set/", ("fox",), n=2)})
    with pytest.raises(InputError, match="'fox' appears in test/"):
        datasets.from_zip(data, sandbox / "work")


@pytest.mark.parametrize("size", [64, 150, 224, 300])
def test_upload_image_sizes(sandbox, size):
    ds = datasets.from_zip(make_zip(class_files(n=5)), sandbox / "w", image_size=size)
    assert ds.x_train.shape[1:3] == (size, size)


@pytest.mark.parametrize("case", list(GOOD))
def test_good_archives_load(sandbox, case):
    entries, options, class_names, sizes = GOOD[case]
    workdir = sandbox / "work"
    ds = datasets.from_zip(make_zip(entries), workdir, image_size=16, **options)
    assert ds.class_names == class_names
    assert ds.x_train.dtype == np.uint8 and ds.x_train.shape[1:] == (16, 16, 3)
    assert ds.y_train.dtype == np.int64
    assert set(np.unique(ds.y_train)) == set(range(len(class_names)))
    if sizes is not None:
        n_val = 0 if ds.x_val is None else len(ds.x_val)
        assert (len(ds.x_train), n_val, len(ds.x_test)) == sizes
    else:
        assert len(ds.x_test) >= len(class_names)  # split per class
    # Colour follows the class folder (labels are not shuffled against the images).
    for k, name in enumerate(class_names):
        if name in COLOURS and "jpeg" not in case and "deeper" not in case:
            mean = ds.x_train[ds.y_train == k].reshape(-1, 3).mean(axis=0)
            np.testing.assert_allclose(mean, COLOURS[name], atol=3)
    assert files(sandbox) == ["work", "work/dataset.npz"]  # nothing else written anywhere
    back = datasets.load(ds.name, **ds.options)  # reload, as a saved model's metadata would
    np.testing.assert_array_equal(back.x_train, ds.x_train)
    np.testing.assert_array_equal(back.y_test, ds.y_test)
    assert back.class_names == ds.class_names and back.notes == ds.notes
    assert back.options == ds.options


def test_names_come_from_the_wrapper_or_the_file(sandbox):
    assert datasets.from_zip(make_zip(class_files("pets/")), sandbox / "w").name == "pets"
    path = sandbox / "my-animals.zip"
    path.write_bytes(make_zip(class_files()))
    assert datasets.from_zip(path, sandbox / "w").name == "my-animals"
    assert datasets.from_zip(make_zip(class_files()), sandbox / "w").name == "my images"
    assert datasets.from_zip(make_zip(class_files()), sandbox / "w", name="x").name == "x"


def test_bytes_path_and_file_object_give_the_same_dataset(sandbox):
    data = make_zip(class_files())
    path = sandbox / "in.zip"
    path.write_bytes(data)
    a = datasets.from_zip(data, sandbox / "a")
    b = datasets.from_zip(str(path), sandbox / "b")
    with open(path, "rb") as f:
        c = datasets.from_zip(f, sandbox / "c")
    d = datasets.from_zip(io.BytesIO(data), sandbox / "d")
    for other in (b, c, d):
        np.testing.assert_array_equal(a.x_train, other.x_train)
        np.testing.assert_array_equal(a.y_test, other.y_test)


def test_flat_layout_split_is_stratified_and_seeded(sandbox):
    data = make_zip(class_files(n=10))
    ds = datasets.from_zip(data, sandbox / "w", test_fraction=0.3, seed=4)
    assert ds.class_counts("test") == {"cat": 3, "dog": 3}
    assert ds.class_counts("train") == {"cat": 7, "dog": 7}
    assert any("set aside for testing" in n for n in ds.notes)


def test_grayscale_archives_keep_one_channel_unless_asked(sandbox):
    entries = {
        f"{c}/{i}.png": png((v, v, v), mode="L")
        for c, v in [("a", 20), ("b", 240)]
        for i in range(5)
    }
    data = make_zip(entries)
    assert datasets.from_zip(data, sandbox / "w").input_shape == (64, 64, 1)
    assert datasets.from_zip(data, sandbox / "w", color="rgb").input_shape == (64, 64, 3)
    mixed = make_zip({**entries, "a/colour.png": png()})
    assert datasets.from_zip(mixed, sandbox / "w").input_shape == (64, 64, 3)
    assert datasets.from_zip(mixed, sandbox / "w", color="gray").input_shape == (64, 64, 1)


def test_unreadable_files_are_skipped_and_reported(sandbox):
    entries = {**class_files(), "cat/broken.png": b"\x89PNG\r\n\x1a\n broken", "dog/x.jpg": b"no"}
    ds = datasets.from_zip(make_zip(entries), sandbox / "w")
    assert len(ds.x_train) + len(ds.x_test) == 12
    note = next(n for n in ds.notes if "Skipped 2" in n)
    assert "cat/broken.png" in note and "dog/x.jpg" in note


def test_lopsided_classes_are_allowed_but_reported(sandbox):
    entries = {**class_files(classes=("cat",), n=30), **class_files(classes=("dog",), n=5)}
    ds = datasets.from_zip(make_zip(entries), sandbox / "w", min_per_class=5)
    assert ds.class_counts()["cat"] > 3 * ds.class_counts()["dog"]
    assert any("lopsided" in n for n in ds.notes)


HOSTILE = {
    "not a zip": (b"this is not a zip file at all", {}, "not a .zip archive"),
    "empty file": (b"", {}, "empty"),
    "empty zip": (make_zip({}), {}, "no images"),
    "only litter": (make_zip({"__MACOSX/._a.png": b"x", ".DS_Store": b"x"}), {}, "no images"),
    "parent traversal": (
        make_zip({**class_files(), "../evil.png": png()}),
        {},
        r"outside the archive's folder",
    ),
    "traversal inside a class": (
        make_zip({**class_files(), "cat/../../../../tmp/evil.png": png()}),
        {},
        "outside",
    ),
    "absolute path": (make_zip({**class_files(), "/tmp/evil/x.png": png()}), {}, "absolute"),
    "drive letter": (make_zip({**class_files(), "C:/evil/x.png": png()}), {}, "absolute"),
    "backslashes": (make_zip({**class_files(), "cat\\..\\..\\evil.png": png()}), {}, "backslash"),
    "symlink": (
        make_zip([*class_files().items(), symlink_entry("cat/link.png", "/etc/passwd")]),
        {},
        "symbolic link",
    ),
    "symlink in macOS litter": (
        make_zip([*class_files().items(), symlink_entry("__MACOSX/cat/x", "/etc")]),
        {},
        "symbolic link",
    ),
    "fifo": (make_zip([*class_files().items(), fifo_entry("cat/pipe.png")]), {}, "special file"),
    "encrypted": (
        mark_encrypted(make_zip({**class_files(), "cat/secret.png": png()}), "cat/secret.png"),
        {},
        "password",
    ),
    "nested zip by name": (
        make_zip({**class_files(), "cat/more.zip": make_zip(class_files())}),
        {},
        "nested archives",
    ),
    "nested tarball by name": (
        make_zip({**class_files(), "extra.tar.gz": b"\x1f\x8b\x08"}),
        {},
        "nested archives",
    ),
    "nested zip disguised as png": (
        make_zip({**class_files(), "cat/photo.png": make_zip(class_files())}),
        {},
        "nested archives",
    ),
    "too many files": (make_zip(class_files(n=6)), {"max_files": 10}, "12 files; the limit is 10"),
    "too many files counting litter": (
        make_zip({**class_files(n=3), **{f"__MACOSX/{i}": b"" for i in range(20)}}),
        {"max_files": 20},
        "limit is 20",
    ),
    "zip bomb entry": (
        make_zip([*class_files().items(), bomb_entry("cat/bomb.png")]),
        {},
        "zip bomb",
    ),
    "total size cap": (make_zip(class_files(n=6)), {"max_total_bytes": 500}, "unpacks to"),
    "pixel cap": (make_zip(class_files()), {"max_pixels": 100}, "120 pixels; the limit is 100"),
    "total pixel budget": (
        make_zip(class_files()),
        {"max_total_pixels": 1000},
        "add up to more than 1,000 pixels",
    ),
    "one class only": (make_zip(class_files(classes=("cat",))), {}, "at least two classes"),
    "too few per class": (
        make_zip({**class_files(classes=("cat",)), **class_files(classes=("dog",), n=3)}),
        {},
        "'dog' has 3",
    ),
    "too few readable per class": (
        make_zip(
            {
                **class_files(classes=("cat",)),
                **class_files(classes=("dog",), n=3),
                **{f"dog/bad{i}.png": b"not a png" for i in range(3)},
            }
        ),
        {},
        r"'dog' has 3.*dog/bad0.png",
    ),
    "all undecodable": (
        make_zip({f"{c}/{i}.jpg": b"garbage" for c in "ab" for i in range(6)}),
        {},
        "could not be read",
    ),
    "image outside class folders": (
        make_zip({**class_files(), "loose.png": png()}),
        {},
        "not inside a class folder",
    ),
    "image directly in train": (
        make_zip({**class_files("train/"), "train/loose.png": png()}),
        {},
        "directly in train/",
    ),
    "stray folder next to train": (
        make_zip({**class_files("train/"), **class_files("extra/")}),
        {},
        "sits next to train/",
    ),
    "test class unknown to train": (
        make_zip({**class_files("train/"), **class_files("test/", classes=("fox",), n=2)}),
        {},
        "'fox' appears in test/",
    ),
    "validation without train": (
        make_zip({**class_files("validation/"), **class_files("test/")}),
        {},
        "no train/ folder",
    ),
    "bad image size option": (make_zip(class_files()), {"image_size": 4}, "between 8 and 512"),
    "bad colour option": (make_zip(class_files()), {"color": "sepia"}, "Colour must be"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_or_unusable_archives_are_refused_before_writing(sandbox, case):
    data, options, message = HOSTILE[case]
    workdir = sandbox / "work"
    with pytest.raises(InputError, match=message):
        datasets.from_zip(data, workdir, **options)
    assert files(sandbox) == []  # not even the workdir was created
    assert not Path("/tmp/evil.png").exists() and not Path("/tmp/evil").exists()


def test_source_of_unknown_type_or_missing_path(sandbox):
    with pytest.raises(InputError, match="No archive"):
        datasets.from_zip(sandbox / "missing.zip", sandbox / "w")
    with pytest.raises(InputError, match="Expected the archive"):
        datasets.from_zip(12345, sandbox / "w")
    with pytest.raises(InputError, match="binary mode"):
        datasets.from_zip(io.StringIO("text"), sandbox / "w")


def test_an_upload_already_read_once_is_read_from_the_start(sandbox):
    upload = io.BytesIO(make_zip(class_files()))
    upload.read()
    assert datasets.from_zip(upload, sandbox / "w").num_classes == 2


def test_entries_declaring_a_smaller_size_than_they_hold_are_refused(sandbox):
    data = bytearray(make_zip(class_files()))
    # Shrink the declared size of the first entry in the central directory: reading it then
    # fails zipfile's CRC check instead of returning more bytes than declared.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        first = zf.infolist()[0]
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while True:  # walk back to the first central directory record
        prev = data.rfind(b"PK\x01\x02", 0, central)
        if prev < 0:
            break
        central = prev
    size_at = central + 24
    assert int.from_bytes(data[size_at : size_at + 4], "little") == first.file_size
    data[size_at : size_at + 4] = (first.file_size - 10).to_bytes(4, "little")
    with pytest.raises(InputError, match="damaged"):
        datasets.from_zip(bytes(data), sandbox / "w")
    assert files(sandbox) == []


@pytest.mark.parametrize(
    "mode, colour, expected",
    [
        ("RGB", (10, 20, 30), (10, 20, 30)),
        ("L", (100, 100, 100), (100, 100, 100)),
        ("P", (200, 30, 30), (200, 30, 30)),
        ("RGBA", (0, 0, 0), (0, 0, 0)),
        ("CMYK", (0, 255, 0), (0, 255, 0)),
    ],
)
def test_decode_image_modes(mode, colour, expected):
    rgb, gray = zip_read.decode_image(
        png(colour, mode=mode if mode != "CMYK" else "RGB"), "x.png", 10_000
    )
    if mode == "CMYK":
        buffer = io.BytesIO()
        Image.new("RGB", (12, 10), colour).convert("CMYK").save(buffer, format="JPEG")
        rgb, gray = zip_read.decode_image(buffer.getvalue(), "x.jpg", 10_000)
    assert rgb.shape == (10, 12, 3) and rgb.dtype == np.uint8
    np.testing.assert_allclose(rgb.reshape(-1, 3).mean(axis=0), expected, atol=3)
    assert gray == (mode == "L")


def test_decode_image_transparency_16_bit_and_exif():
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    buffer = io.BytesIO()
    rgba.save(buffer, format="PNG")
    rgb, _ = zip_read.decode_image(buffer.getvalue(), "t.png", 100)
    assert (rgb == 255).all()  # composited on white

    deep = Image.fromarray(np.full((3, 5), 65535 // 2, np.uint16))
    buffer = io.BytesIO()
    deep.save(buffer, format="PNG")
    rgb, gray = zip_read.decode_image(buffer.getvalue(), "d.png", 100)
    assert gray and rgb.shape == (3, 5, 3) and abs(int(rgb[0, 0, 0]) - 127) <= 1

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 0)).save(buffer, format="JPEG", exif=exif)
    rgb, _ = zip_read.decode_image(buffer.getvalue(), "e.jpg", 1000)
    assert rgb.shape == (20, 10, 3)

    assert zip_read.decode_image(b"GIF89a broken", "b.gif", 100) is None
    assert zip_read.decode_image(b"%PDF-1.4", "x.png", 100) is None


def test_entry_count_is_read_before_the_directory_is_parsed(sandbox, monkeypatch):
    data = make_zip(class_files(n=10))
    assert zip_checks.declared_entries(data) == 20
    monkeypatch.setattr(zip_checks, "MAX_FOLDERS", 0)

    def parse(*args, **kwargs):
        raise AssertionError("the directory was parsed")

    monkeypatch.setattr(zip_checks.zipfile, "ZipFile", parse)
    with pytest.raises(InputError, match="20 entries; the limit is 5"):
        datasets.from_zip(data, sandbox / "w", max_files=5)


def test_zip64_entry_count(monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)  # force the zip64 end records
    data = make_zip(class_files(n=10))
    assert b"PK\x06\x06" in data
    assert zip_checks.declared_entries(data) == 20
    assert zip_checks.declared_entries(b"no zip here") is None


def test_large_jpegs_are_decoded_at_a_reduced_scale():
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1600), (90, 10, 10)).save(buffer, format="JPEG")
    budget = zip_read.PixelBudget(10_000_000)
    rgb, _ = zip_read.decode_image(
        buffer.getvalue(), "big.jpg", 10_000_000, target_size=64, budget=budget
    )
    assert rgb.shape[0] >= 64 and rgb.shape[1] >= 64
    assert rgb.shape[0] * rgb.shape[1] <= 2000 * 1600 // 16
    assert budget.total - budget.left == rgb.shape[0] * rgb.shape[1]


def test_upload_limit_fits_the_course_archives_and_the_reader_cap():
    import tomllib

    config = tomllib.loads((Path(__file__).parents[3] / ".streamlit/config.toml").read_text())
    upload_mb = config["server"]["maxUploadSize"]
    assert 225 <= upload_mb <= zip_checks.Limits().max_archive_bytes / 2**20


def test_the_sizes_offered_for_archives_include_the_courses():
    # 150 for the photo courses (their default), 300 for horse-or-human.
    assert datasets.ZIP_IMAGE_SIZES == (64, 150, 224, 300)
    assert datasets.PHOTO_ZIP_IMAGE_SIZE == 150

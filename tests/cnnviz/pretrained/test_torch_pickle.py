"""The torch-free checkpoint reader: the bundled file, hand-made checkpoints, hostile files."""

import collections
import io
import pickle
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.pretrained import torch_pickle
from cnnviz.pretrained.efficientnet_lite import weights_file

ROOT = Path(__file__).resolve().parents[3]


# --- a tiny writer for checkpoints in PyTorch's formats, without torch -------------------------


class GlobalRef:
    """Pickles as the global ``module.name`` (which need not exist here)."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's REDUCE wants a callable
        raise AssertionError("never called")


class FakeStorage:
    def __init__(self, key, data, type_name):
        self.key, self.data, self.type_name = key, np.ascontiguousarray(data), type_name


class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return GlobalRef("torch._utils", "_rebuild_tensor_v2"), self.args


class Evil:
    def __reduce__(self):
        return GlobalRef("os", "system"), ("echo pwned > /tmp/cnnviz-pwned",)


class _Writer(pickle._Pickler):
    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)

    def __init__(self, file, view=None):
        super().__init__(file, protocol=2)
        self.view = view

    def save_global_ref(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[GlobalRef] = save_global_ref

    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            pid = ("storage", GlobalRef("torch", obj.type_name), obj.key, "cpu", obj.data.size)
            return (*pid, self.view) if self.view is not None else pid
        return None


def write_legacy(path, obj, storages, *, count_override=None, view=None, truncate=0):
    buf = io.BytesIO()
    for header in (
        torch_pickle.MAGIC_NUMBER,
        torch_pickle.PROTOCOL_VERSION,
        {"protocol_version": 1001, "little_endian": True, "type_sizes": {"long": 4}},
    ):
        pickle.dump(header, buf, protocol=2)
    _Writer(buf, view).dump(obj)
    pickle.dump([s.key for s in storages], buf, protocol=2)
    for s in storages:
        count = s.data.size if count_override is None else count_override
        buf.write(
            struct.pack("<q", count) + s.data.astype(s.data.dtype.newbyteorder("<")).tobytes()
        )
    data = buf.getvalue()
    Path(path).write_bytes(data[: len(data) - truncate])
    return path


def write_zip(path, obj, storages):
    buf = io.BytesIO()
    _Writer(buf).dump(obj)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", buf.getvalue())
        for s in storages:
            zf.writestr(f"archive/data/{s.key}", s.data.tobytes())
    return path


# --- the bundled checkpoint ------------------------------------------------------------------


def test_bundled_checkpoint_loads_without_torch():
    # A fresh interpreter, so nothing imported by other tests can hide a torch import.
    code = (
        "import sys; from cnnviz.pretrained.torch_pickle import load_state_dict; "
        "from cnnviz.pretrained.efficientnet_lite import weights_file; "
        "sd = load_state_dict(weights_file()); "
        "assert 'torch' not in sys.modules, 'torch was imported'; "
        "print(len(sd), sd['_conv_stem.weight'].shape, sd['_fc.weight'].shape)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "296 (32, 3, 3, 3) (1000, 1280)"


def test_bundled_checkpoint_tensors():
    sd = torch_pickle.load_state_dict(weights_file())
    assert list(sd)[:2] == ["_conv_stem.weight", "_bn0.weight"]
    assert all(v.flags["C_CONTIGUOUS"] for v in sd.values())
    assert sd["_bn0.num_batches_tracked"].dtype == np.int64
    assert sd["_bn0.num_batches_tracked"].shape == ()
    assert sd["_blocks.15._project_conv.weight"].shape == (320, 1152, 1, 1)
    # Running variances are positive and finite: bytes were read with the right dtype/offsets.
    variances = [v for k, v in sd.items() if k.endswith("running_var")]
    assert all(np.all(np.isfinite(v)) and np.all(v >= 0) for v in variances)


# --- hand-made checkpoints -------------------------------------------------------------------


def test_strides_offsets_dtypes_and_shared_storage(tmp_path):
    base = np.arange(24, dtype=np.float32)
    fs = FakeStorage("0", base, "FloatStorage")
    ls = FakeStorage("1", np.array([7, -3], dtype=np.int64), "LongStorage")
    hs = FakeStorage("2", np.array([0.5, -2.0], dtype=np.float16), "HalfStorage")
    state = collections.OrderedDict(
        contiguous=FakeTensor(fs, 0, (2, 3, 4), (12, 4, 1)),
        transposed=FakeTensor(fs, 0, (4, 6), (1, 4)),  # (6, 4) storage read column-major
        offset=FakeTensor(fs, 20, (4,), (1,)),
        scalar=FakeTensor(ls, 1, (), ()),
        half=FakeTensor(hs, 0, (2,), (1,)),
    )
    out = torch_pickle.load_state_dict(write_legacy(tmp_path / "a.pth", state, [fs, ls, hs]))
    np.testing.assert_array_equal(out["contiguous"], base.reshape(2, 3, 4))
    np.testing.assert_array_equal(out["transposed"], base.reshape(6, 4).T)
    np.testing.assert_array_equal(out["offset"], [20, 21, 22, 23])
    assert out["scalar"] == -3 and out["scalar"].dtype == np.int64
    assert out["half"].dtype == np.float16 and out["half"].tolist() == [0.5, -2.0]
    # Tensors sharing a storage are independent copies.
    out["contiguous"][0, 0, 0] = 99
    assert out["transposed"][0, 0] == 0


def test_bfloat16_is_widened_to_float32(tmp_path):
    values = np.array([1.5, -3.25], dtype=np.float32)
    bf16 = (values.view(np.uint32) >> 16).astype(np.uint16)
    s = FakeStorage("0", bf16, "BFloat16Storage")
    out = torch_pickle.load(
        write_legacy(tmp_path / "b.pth", {"w": FakeTensor(s, 0, (2,), (1,))}, [s])
    )
    assert out["w"].dtype == np.float32
    np.testing.assert_array_equal(out["w"], values)


def test_legacy_storage_view(tmp_path):
    # PyTorch < 0.4 could save a view into a larger storage: (view key, start, length).
    s = FakeStorage("0", np.arange(8, dtype=np.float32), "FloatStorage")
    state = {"w": FakeTensor(s, 1, (2,), (1,))}
    path = write_legacy(tmp_path / "v.pth", state, [s], view=("v0", 4, 3))
    np.testing.assert_array_equal(torch_pickle.load(path)["w"], [5, 6])
    bad = write_legacy(
        tmp_path / "v2.pth", {"w": FakeTensor(s, 1, (3,), (1,))}, [s], view=("v0", 4, 3)
    )
    with pytest.raises(InputError, match="damaged"):
        torch_pickle.load(bad)


def test_zip_format(tmp_path):
    s = FakeStorage("0", np.arange(6, dtype=np.float64), "DoubleStorage")
    state = {"w": FakeTensor(s, 0, (2, 3), (3, 1))}
    out = torch_pickle.load_state_dict(write_zip(tmp_path / "z.pth", state, [s]))
    np.testing.assert_array_equal(out["w"], np.arange(6.0).reshape(2, 3))


def test_wrapped_state_dict_is_unwrapped(tmp_path):
    s = FakeStorage("0", np.ones(2, dtype=np.float32), "FloatStorage")
    obj = {"epoch": 3, "state_dict": {"w": FakeTensor(s, 0, (2,), (1,))}}
    out = torch_pickle.load_state_dict(write_legacy(tmp_path / "w.pth", obj, [s]))
    assert list(out) == ["w"]


# --- hostile or broken files -----------------------------------------------------------------


def test_refuses_arbitrary_globals_without_running_them(tmp_path):
    marker = Path("/tmp/cnnviz-pwned")
    marker.unlink(missing_ok=True)
    path = write_legacy(tmp_path / "evil.pth", {"x": Evil()}, [])
    with pytest.raises(InputError, match=r"os\.system.*refused"):
        torch_pickle.load(path)
    assert not marker.exists()


def test_out_of_bounds_tensor_is_refused(tmp_path):
    s = FakeStorage("0", np.zeros(4, dtype=np.float32), "FloatStorage")
    path = write_legacy(tmp_path / "oob.pth", {"w": FakeTensor(s, 2, (1000,), (1,))}, [s])
    with pytest.raises(InputError, match="damaged"):
        torch_pickle.load(path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"truncate": 3}, "damaged length|truncated"),
        ({"count_override": 10**12}, "damaged length"),
    ],
)
def test_damaged_storages(tmp_path, kwargs, message):
    s = FakeStorage("0", np.zeros(4, dtype=np.float32), "FloatStorage")
    path = write_legacy(tmp_path / "d.pth", {"w": FakeTensor(s, 0, (4,), (1,))}, [s], **kwargs)
    with pytest.raises(InputError, match=message):
        torch_pickle.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a PyTorch checkpoint"),
        (pickle.dumps(12345, protocol=2), "wrong magic number"),
        (b"", "not a readable PyTorch checkpoint"),
    ],
)
def test_not_a_checkpoint(tmp_path, content, message):
    path = tmp_path / "x.pth"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        torch_pickle.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        torch_pickle.load(tmp_path / "nope.pth")


def test_state_dict_of_non_tensors_is_refused(tmp_path):
    path = write_legacy(tmp_path / "n.pth", {"lr": 0.1}, [])
    assert torch_pickle.load(path) == {"lr": 0.1}
    with pytest.raises(InputError, match="state dict"):
        torch_pickle.load_state_dict(path)

"""ember.save / ember.load: round trips, files torch.save and safetensors wrote, and files
that must be refused (hostile pickles) or reported as damaged (truncated, corrupt)."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import struct
import warnings
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from ember.serialization import load, save

HAS_BF16 = getattr(ember, "bfloat16", None) is not None


def np_of(t):
    return np.asarray(t.detach()._data) if isinstance(t, ember.Tensor) else t.detach().numpy()


def same_tensor(e, t):
    """Bit-exact: same dtype name, shape and bytes (NaNs included)."""
    assert isinstance(e, ember.Tensor), type(e)
    a = np_of(e)
    if isinstance(t, torch.Tensor):
        if t.dtype == torch.bfloat16 and not HAS_BF16:
            assert str(e.dtype) == "torch.float32"  # widened exactly
            b = t.float().numpy()
        else:
            assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
            b = t.detach().view(torch.int16).numpy() if t.dtype == torch.bfloat16 else \
                t.detach().numpy()
            if t.dtype == torch.bfloat16:
                a = a.view(np.int16)
        assert e.requires_grad == t.requires_grad
    else:
        b = t
        assert a.dtype == b.dtype
    assert a.shape == b.shape
    assert np.array_equal(raw_bytes(a), raw_bytes(b))


def raw_bytes(x):
    return np.ascontiguousarray(x).reshape(-1).view(np.uint8)


def same_tree(e, t):
    """A loaded ember object mirrors a torch (or plain) object."""
    if isinstance(t, torch.Tensor):
        same_tensor(e, t)
        assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter)
    elif isinstance(t, dict):
        assert type(e) is type(t), (type(e), type(t))
        assert list(e) == list(t)
        for k in t:
            same_tree(e[k], t[k])
    elif isinstance(t, (list, tuple)) and not isinstance(t, torch.Size):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            same_tree(a, b)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t)
    elif isinstance(t, torch.device):
        assert isinstance(e, ember.device) and str(e) == str(t)
    elif isinstance(t, torch.Size):
        assert isinstance(e, ember.Size) and tuple(e) == tuple(t)
    elif isinstance(t, float) and math.isnan(t):
        assert math.isnan(e)
    else:
        assert type(e) is type(t) and e == t, (e, t)


def lenet(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


# -- files torch.save wrote -------------------------------------------------------------------

@pytest.mark.parametrize("zipfmt", [True, False], ids=["zip", "legacy"])
def test_torch_saved_lenet_state_dict_loads_into_ember_model(tmp_path, zipfmt):
    torch.manual_seed(0)
    tmodel = lenet(torch.nn)
    path = tmp_path / "lenet.pt"
    torch.save(tmodel.state_dict(), path, _use_new_zipfile_serialization=zipfmt)
    sd = load(path)
    same_tree(sd, tmodel.state_dict())
    assert sd._metadata == tmodel.state_dict()._metadata
    emodel = lenet(ember.nn)
    result = emodel.load_state_dict(sd)
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(x)).numpy()
    got = np_of(emodel(ember.from_numpy(x)))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def torch_objects():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    obj = {
        "f32": torch.randn(3, 4), "f64": torch.randn(2, dtype=torch.float64),
        "f16": torch.randn(5).half(), "bf16": torch.randn(4).bfloat16(),
        "i64": torch.arange(-3, 3), "i32": torch.arange(4, dtype=torch.int32),
        "i16": torch.arange(4, dtype=torch.int16), "i8": torch.arange(-2, 2, dtype=torch.int8),
        "u8": torch.arange(250, 255, dtype=torch.uint8), "bool": torch.tensor([True, False]),
        "u16": torch.full((3,), 65000, dtype=torch.uint16),
        "c64": torch.tensor([1 + 2j, -3j], dtype=torch.complex64),
        "scalar": torch.tensor(3.5), "empty": torch.zeros(0, 3),
        "nan": torch.tensor([math.nan, math.inf, -0.0]),
        "param": torch.nn.Parameter(torch.ones(2, 2)),
        "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False),
        "leaf_rg": torch.ones(3, requires_grad=True),
        "view_t": base.t(), "view_slice": base[1:, ::2], "base": base,
        "expanded": torch.tensor([1.0, 2.0]).expand(3, 2),
        "nested": {"list": [torch.ones(1), 2, "s", None], "tuple": (1.5, True, b"\x00\xff"),
                   "od": OrderedDict(b=torch.zeros(2), a=1)},
        "dtype": torch.float16, "device": torch.device("cpu"), "size": torch.Size([2, 3]),
        "set": {1, 2}, "complex": 1 - 2j, "bigint": 2**70, "float": -1.25,
    }
    return obj


@pytest.mark.parametrize("kw", [dict(), dict(_use_new_zipfile_serialization=False),
                                dict(pickle_protocol=4), dict(pickle_protocol=5)],
                         ids=["zip", "legacy", "protocol4", "protocol5"])
def test_torch_saved_objects_load_bit_exact(tmp_path, kw):
    torch.manual_seed(0)
    obj = torch_objects()
    path = tmp_path / "obj.pt"
    torch.save(obj, path, **kw)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = load(path)
    assert HAS_BF16 or any("bfloat16" in str(x.message) for x in w)
    same_tree(got, obj)
    # views of one storage share memory after loading, as in torch
    got["base"][0, 0] = 100.0
    assert got["view_t"][0, 0].item() == 100.0
    assert np.shares_memory(np_of(got["view_slice"]), np_of(got["base"]))


def test_torch_saved_bare_tensor_and_file_objects():
    t = torch.randn(3, 2)
    buf = io.BytesIO()
    torch.save(t, buf)
    buf.seek(0)
    same_tensor(load(buf), t)
    buf.seek(0)
    same_tensor(load(io.BytesIO(buf.read()), map_location="cpu"), t)


def test_torch_tensor_attributes_survive(tmp_path):
    t = torch.ones(2)
    t.note = "hello"
    torch.save({"t": t}, tmp_path / "a.pt")
    got = load(tmp_path / "a.pt")["t"]
    assert got.note == "hello"


def test_numpy_in_torch_file_needs_weights_only_false(tmp_path):
    path = tmp_path / "np.pt"
    torch.save({"arr": np.arange(3.0), "acc": np.float64(0.97), "w": torch.ones(1)}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)  # torch refuses NumPy by default too
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        load(path)
    got = load(path, weights_only=False)
    assert np.array_equal(got["arr"], np.arange(3.0)) and got["acc"] == np.float64(0.97)
    assert type(got["acc"]) is np.float64


# -- hostile files ----------------------------------------------------------------------------

class Reduce:
    """Pickles as ``func(*args)``: how an attacker smuggles a call into a pickle."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


class StorageRef:
    def __init__(self, dtype_cls, key, location, numel):
        self.pid = ("storage", dtype_cls, key, location, numel)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, StorageRef) else None


def torch_zip(path, obj, storages=None, protocol=2, byteorder="little"):
    """A file in torch.save's zip layout whose data.pkl pickles ``obj`` as given."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(obj)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", buf.getvalue())
        zf.writestr("archive/byteorder", byteorder)
        for key, raw in (storages or {}).items():
            zf.writestr(f"archive/data/{key}", raw)
        zf.writestr("archive/version", "3\n")


def legacy_stream(path, obj):
    buf = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001}):
        pickle.dump(header, buf, protocol=2)
    _Pickler(buf, protocol=2).dump(obj)
    pickle.dump([], buf, protocol=2)
    path.write_bytes(buf.getvalue())


def hostile_payloads(marker):
    cmd = f"touch {marker}"
    return {
        "os.system": Reduce(os.system, (cmd,)),
        "eval": Reduce(eval, (f"open({str(marker)!r}, 'w').close()",)),
        "exec": Reduce(exec, (f"open({str(marker)!r}, 'w').close()",)),
        "subprocess": Reduce(__import__("subprocess").call, (["touch", str(marker)],)),
        "nested_in_state_dict": OrderedDict(w=Reduce(os.system, (cmd,))),
        "getattr": Reduce(getattr, (Reduce(__import__, ("os",)), "system")),
    }


@pytest.mark.parametrize("name", ["os.system", "eval", "exec", "subprocess",
                                  "nested_in_state_dict", "getattr"])
@pytest.mark.parametrize("layout", ["zip", "legacy"])
def test_hostile_pickle_is_refused_and_never_run(tmp_path, name, layout):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    payload = hostile_payloads(marker)[name]
    (torch_zip if layout == "zip" else legacy_stream)(path, payload)
    for weights_only in (True, False):
        with pytest.raises(pickle.UnpicklingError, match="unsupported global") as e:
            load(path, weights_only=weights_only)
        assert not marker.exists(), "the payload ran"
    # the global is named, so the user knows what the file asked for
    assert any(s in str(e.value) for s in ("system", "eval", "exec", "call", "getattr"))
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)  # torch's weights_only loader agrees this file is hostile
    assert not marker.exists()


def test_refused_actions_on_allowed_objects(tmp_path):
    path = tmp_path / "x.pt"
    # REDUCE on something that is a value, not an allowed function
    torch_zip(path, Reduce(OrderedDict, ()))
    assert load(path) == OrderedDict()
    raw = pickle.dumps(torch.float32, protocol=2)  # GLOBAL torch float32
    evil = b"\x80\x02" + raw[2:-1] + b")R."  # float32() : calling a non-function
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", evil)
    with pytest.raises(pickle.UnpicklingError, match="REDUCE"):
        load(path)
    # INST / OBJ opcodes (protocol 0/1 calls) are not interpreted at all
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", b"(ios\nsystem\nS'true'\no.")
    with pytest.raises(pickle.UnpicklingError):
        load(path)


def test_hostile_strides_cannot_read_past_the_storage(tmp_path):
    path = tmp_path / "overrun.pt"
    rebuild = torch._utils._rebuild_tensor_v2
    store = StorageRef(torch.FloatStorage, "0", "cpu", 4)
    obj = Reduce(rebuild, (store, 0, (4,), (1000,), False, OrderedDict()))
    torch_zip(path, obj, {"0": np.arange(4, dtype=np.float32).tobytes()})
    with pytest.raises(RuntimeError, match="overruns its storage"):
        load(path)
    # and the well-formed version of the same file loads
    torch_zip(path, Reduce(rebuild, (store, 1, (3,), (1,), False, OrderedDict())),
              {"0": np.arange(4, dtype=np.float32).tobytes()})
    assert load(path).tolist() == [1.0, 2.0, 3.0]
    # a storage shorter than it claims
    torch_zip(path, Reduce(rebuild, (store, 0, (4,), (1,), False, OrderedDict())),
              {"0": b"\x00" * 8})
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        load(path)


def test_big_endian_archive(tmp_path):
    # what torch.save writes on a big-endian machine: byteorder "big" and swapped storages
    path = tmp_path / "be.pt"
    v2, v3 = torch._utils._rebuild_tensor_v2, torch._utils._rebuild_tensor_v3
    obj = {"f": Reduce(v2, (StorageRef(torch.FloatStorage, "0", "cpu", 3), 0, (3,), (1,),
                            False, OrderedDict())),
           "i": Reduce(v2, (StorageRef(torch.LongStorage, "1", "cpu", 2), 0, (2,), (1,),
                            False, OrderedDict())),
           "u16": Reduce(v3, (StorageRef(torch.UntypedStorage, "2", "cpu", 4), 0, (2,), (1,),
                              False, OrderedDict(), torch.uint16))}
    storages = {"0": np.array([1.5, -2.0, 3.25], ">f4").tobytes(),
                "1": np.array([-7, 2**40], ">i8").tobytes(),
                "2": np.array([513, 65000], ">u2").tobytes()}
    torch_zip(path, obj, storages, byteorder="big")
    got = load(path)
    assert got["f"].tolist() == [1.5, -2.0, 3.25]
    assert got["i"].tolist() == [-7, 2**40]
    assert np_of(got["u16"]).tolist() == [513, 65000]


def test_cuda_location_needs_a_gpu_or_map_location(tmp_path):
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    path = tmp_path / "cuda.pt"
    store = StorageRef(torch.FloatStorage, "0", "cuda:0", 2)
    obj = {"w": Reduce(torch._utils._rebuild_tensor_v2,
                       (store, 0, (2,), (1,), False, OrderedDict()))}
    torch_zip(path, obj, {"0": np.array([1.5, 2.5], dtype=np.float32).tobytes()})
    with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
        load(path)
    for ml in ("cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage):
        got = load(path, map_location=ml)
        assert got["w"].tolist() == [1.5, 2.5] and got["w"].device.type == "cpu"


# -- damaged files ----------------------------------------------------------------------------

def damaged_variants(raw):
    cuts = sorted({0, 1, 7, 8, 9, len(raw) // 3, len(raw) // 2, len(raw) - 30, len(raw) - 1})
    for n in cuts:
        if 0 <= n < len(raw):
            yield f"cut{n}", raw[:n]
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0xFF
    yield "flipped", bytes(flipped)


def writers():
    sd = OrderedDict(w=ember.randn(4, 4), b=ember.zeros(4))

    def torch_zip_bytes(f):
        torch.save({"w": torch.randn(4, 4)}, f)

    def torch_legacy_bytes(f):
        torch.save({"w": torch.randn(4, 4)}, f, _use_new_zipfile_serialization=False)

    return {
        "ember_safetensors": lambda f: save(sd, f),
        "ember_zip": lambda f: save({"sd": sd, "epoch": 1}, f),
        "torch_zip": torch_zip_bytes,
        "torch_legacy": torch_legacy_bytes,
    }


@pytest.mark.parametrize("kind", ["ember_safetensors", "ember_zip", "torch_zip",
                                  "torch_legacy"])
def test_truncated_or_corrupt_files_give_a_clear_error(tmp_path, kind):
    buf = io.BytesIO()
    writers()[kind](buf)
    raw = buf.getvalue()
    load(io.BytesIO(raw))  # the intact file loads
    for what, bad in damaged_variants(raw):
        path = tmp_path / f"{kind}_{what}"
        path.write_bytes(bad)
        try:
            load(path)
        except RuntimeError as e:
            msg = str(e)
            assert "truncated or corrupt" in msg or "Invalid magic number" in msg, msg
        else:
            # a flipped byte may land in tensor data (or slack) and go unnoticed: it must
            # still give a well-formed result, never a crash
            assert what == "flipped", f"{what} loaded without an error"


def test_every_prefix_of_a_legacy_file_is_reported(tmp_path):
    buf = io.BytesIO()
    torch.save({"w": torch.arange(3.0)}, buf, _use_new_zipfile_serialization=False)
    raw = buf.getvalue()
    for n in range(len(raw)):
        with pytest.raises(RuntimeError):
            load(io.BytesIO(raw[:n]))


def test_not_a_checkpoint(tmp_path):
    (tmp_path / "t.txt").write_text("hello world, not a checkpoint")
    with pytest.raises(RuntimeError, match="not a format ember.load knows"):
        load(tmp_path / "t.txt")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt")


# -- safetensors ------------------------------------------------------------------------------

def handmade_safetensors(tensors, metadata=None):
    """The format by the spec: u64 header length, JSON header, raw little-endian bytes."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    codes = {"float32": "F32", "float64": "F64", "int64": "I64", "int8": "I8", "bool": "BOOL",
             "float16": "F16", "uint8": "U8", "int32": "I32", "int16": "I16"}
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[arr.dtype.name], "shape": list(arr.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def test_handmade_safetensors_loads(tmp_path):
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([True, False]),
              "c": np.array([-1, 2**40], dtype=np.int64), "d": np.array(2.5),
              "e": np.zeros((0, 2), np.float16), "f": np.arange(3, dtype=np.int8)}
    (tmp_path / "m.safetensors").write_bytes(handmade_safetensors(arrays, {"who": "test"}))
    got = load(tmp_path / "m.safetensors")
    assert list(got) == list(arrays)
    for k, arr in arrays.items():
        same_tensor(got[k], arr)


def test_safetensors_package_files_both_ways(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    stnp = pytest.importorskip("safetensors.numpy")
    torch.manual_seed(0)
    tensors = {"w": torch.randn(3, 4), "i": torch.arange(5), "h": torch.randn(2).half(),
               "m": torch.tensor([True]), "bf": torch.randn(3).bfloat16()}
    st.save_file(tensors, tmp_path / "a.safetensors", metadata={"k": "v"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = load(tmp_path / "a.safetensors")
    assert sorted(got) == sorted(tensors)
    for k in tensors:
        same_tensor(got[k], tensors[k])
    # and the package reads what ember writes
    sd = OrderedDict(w=ember.randn(3, 4), i=ember.arange(5), m=ember.tensor([True, False]))
    save(sd, tmp_path / "b.safetensors")
    back = stnp.load_file(tmp_path / "b.safetensors")
    for k, t in sd.items():
        assert np.array_equal(back[k], np_of(t)) and back[k].dtype == np_of(t).dtype


# -- ember round trips ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int8",
                                   "uint8", "bool", "complex64"])
def test_round_trip_each_dtype_bit_exact(dtype):
    rng = np.random.default_rng(1)
    arr = (rng.standard_normal((3, 5)) * 100).astype(dtype)
    if dtype.startswith("float"):
        arr.flat[:3] = [np.nan, np.inf, -0.0]
    t = ember.from_numpy(arr)
    for obj in (OrderedDict(x=t), {"nested": [t]}):  # safetensors and the ember zip
        buf = io.BytesIO()
        save(obj, buf)
        got = load(io.BytesIO(buf.getvalue()))
        got_t = got["x"] if "x" in got else got["nested"][0]
        assert str(got_t.dtype) == str(t.dtype)
        assert np.array_equal(raw_bytes(np_of(got_t)), raw_bytes(arr))


def test_round_trip_nested_checkpoint(tmp_path):
    ember.manual_seed(0)
    model = lenet(ember.nn)
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    model(ember.randn(2, 1, 28, 28)).sum().backward()
    opt.step()
    base = ember.arange(6.0).reshape(2, 3)
    ckpt = {
        "model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
        "history": {"loss": [2.3, 0.5, float("nan")], "best": math.inf},
        "param": ember.nn.Parameter(ember.ones(2)), "rg": ember.ones(3, requires_grad=True),
        "noncontig": base.t(), "scalar": ember.tensor(7), "empty": ember.zeros(0, 2),
        "np": np.arange(4, dtype=np.int16), "np_scalar": np.float32(0.5), "c": 2 - 1j,
        "bytes": b"\x00\xff", "dtype": ember.float64, "device": ember.device("cpu"),
        "size": ember.Size([1, 2]), "tuple": (1, "two", None, True), "set": {3, 1},
        "keys": {1: "int key", (2, 3): "tuple key"},
    }
    ckpt["same"] = ckpt["param"]
    path = tmp_path / "ckpt.pt"
    save(ckpt, path)
    got = load(path)
    assert set(got) == set(ckpt)
    assert got["same"] is got["param"] and isinstance(got["param"], ember.nn.Parameter)
    assert got["param"].requires_grad and got["rg"].requires_grad and got["rg"].is_leaf
    assert got["epoch"] == 3 and got["history"]["best"] == math.inf
    assert math.isnan(got["history"]["loss"][2])
    assert got["tuple"] == (1, "two", None, True) and got["set"] == {1, 3}
    assert got["keys"] == {1: "int key", (2, 3): "tuple key"}
    assert got["c"] == 2 - 1j and got["bytes"] == b"\x00\xff"
    assert got["dtype"] is ember.float64 and got["device"] == ember.device("cpu")
    assert tuple(got["size"]) == (1, 2) and isinstance(got["size"], ember.Size)
    assert type(got["np_scalar"]) is np.float32 and got["np"].dtype == np.int16
    assert np.array_equal(np_of(got["noncontig"]), np_of(base.t()))
    assert got["scalar"].shape == () and got["scalar"].item() == 7
    assert type(got["model"]) is OrderedDict
    assert got["model"]._metadata == ckpt["model"]._metadata
    for k, v in ckpt["model"].items():
        assert np.array_equal(np_of(got["model"][k]), np_of(v))
    # the states load back into a model and an optimizer
    model2 = lenet(ember.nn)
    model2.load_state_dict(got["model"])
    opt2 = ember.optim.Adam(model2.parameters(), lr=1e-3)
    opt2.load_state_dict(got["optimizer"])
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    s1, s2 = opt.state_dict()["state"], opt2.state_dict()["state"]
    for i in s1:
        for k in s1[i]:
            assert np.array_equal(np_of(s1[i][k]), np_of(s2[i][k]))
    # the manifest is plain JSON and the arrays plain .npy (np.load can read them)
    with zipfile.ZipFile(path) as zf:
        json.loads(zf.read("ember.json"))
    assert len(np.load(path, allow_pickle=False).files) > 10


def test_state_dict_is_written_as_safetensors(tmp_path):
    sd = lenet(ember.nn).state_dict()
    save(sd, tmp_path / "m.pt")
    raw = (tmp_path / "m.pt").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert header["__metadata__"]["format"] == "pt"
    assert [k for k in header if k != "__metadata__"] == list(sd)
    got = load(tmp_path / "m.pt")
    assert type(got) is OrderedDict and list(got) == list(sd)
    lenet(ember.nn).load_state_dict(got)


def test_unsupported_objects_are_refused_without_a_file(tmp_path):
    class Custom:
        pass

    path = tmp_path / "x.pt"
    with pytest.raises(TypeError, match="cannot save an object of type"):
        save({"model": Custom()}, path)
    assert not path.exists()
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save(loop, io.BytesIO())
    with pytest.raises(TypeError, match="Python objects"):
        save({"a": np.array([object()])}, io.BytesIO())


def test_npz_and_npy_files_load(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.arange(3.0), y=np.eye(2, dtype=np.int32))
    got = load(tmp_path / "a.npz")
    same_tensor(got["x"], np.arange(3.0))
    same_tensor(got["y"], np.eye(2, dtype=np.int32))
    np.save(tmp_path / "b.npy", np.arange(4, dtype=np.int64))
    same_tensor(load(tmp_path / "b.npy"), np.arange(4, dtype=np.int64))

"""ember.save and ember.load (torch.save / torch.load), without pickling code.

What ``save`` writes:

- a flat dict of plain tensors with string keys (a ``state_dict``): a ``.safetensors`` file,
  which any safetensors reader (Python, Rust, JS) can open;
- anything else built from tensors, NumPy arrays, numbers, strings, bytes, None, dtypes,
  devices and dicts/lists/tuples/sets of them (a checkpoint with an optimizer state): a zip
  of ``.npy`` arrays plus ``ember.json``, a JSON manifest of the nesting. NumPy's
  ``np.load`` opens the arrays too.

What ``load`` reads: those two, ``.safetensors`` files written by anyone (parsed here with
NumPy: an 8-byte header length, a JSON header, raw little-endian data), PyTorch's
``torch.save`` files (the zip format: ``<name>/data.pkl`` plus ``<name>/data/<key>``
storages, and the legacy pre-1.6 stream), ``.npz`` and ``.npy`` files. PyTorch's pickles are
read by a small opcode interpreter that admits only the globals needed to rebuild tensors
and plain containers (the list torch's own ``weights_only`` unpickler admits) and refuses
every other global with ``pickle.UnpicklingError`` before anything is imported or called.
``weights_only=False`` adds NumPy arrays and scalars to that list, nothing more: ember never
runs code from a file. A truncated or corrupt file raises ``RuntimeError`` saying so.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import os
import pickle
import struct
import threading
import warnings
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from . import _dtype
from ._device import array_module, cuda_available, device, to_device
from ._tensor import Size, Tensor

__all__ = ["save", "load"]

FileLike = str | os.PathLike | IO[bytes]

_MANIFEST = "ember.json"
_FORMAT = "ember.save"
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.save's pre-1.6 stream starts with this number
_LEGACY_PROTOCOL = 1001

# safetensors dtype codes <-> ember dtype names
_ST_TO_NAME = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
               "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8",
               "U16": "uint16", "U32": "uint32", "U64": "uint64", "BOOL": "bool",
               "C64": "complex64", "C128": "complex128"}
_NAME_TO_ST = {v: k for k, v in _ST_TO_NAME.items() if k not in ("C64", "C128")}

# torch's legacy storage classes and the element type each holds
_STORAGE_DTYPES = {"DoubleStorage": "float64", "FloatStorage": "float32",
                   "HalfStorage": "float16", "BFloat16Storage": "bfloat16",
                   "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
                   "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
                   "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
                   "QInt8Storage": "qint8", "QUInt8Storage": "quint8", "QInt32Storage": "qint32",
                   "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4"}

# every dtype name torch may pickle (torch.float32 ...); ember maps those it has
_TORCH_DTYPE_NAMES = (
    "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
    "uint16", "uint32", "uint64", "bool", "complex64", "complex128", "complex32", "qint8",
    "quint8", "qint32", "quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8",
    "bits16", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
    "float8_e8m0fnu", "float4_e2m1fn_x2", "uint1", "uint2", "uint3", "uint4", "uint5",
    "uint6", "uint7", "int1", "int2", "int3", "int4", "int5", "int6", "int7")

_CUDA_UNAVAILABLE = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
    "False. If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU.")


_state = threading.local()  # per load() call: whether bfloat16 was widened to float32


class _Corrupt(Exception):
    """Internal: the bytes do not follow the format (turned into a RuntimeError by load)."""


def _np_dtype(name: str) -> np.dtype:
    """The NumPy dtype that holds ember dtype ``name``; bfloat16 without ml_dtypes is held as
    its raw uint16 bits (see _widen_bf16)."""
    d = getattr(_dtype, name, None)
    if isinstance(d, _dtype.dtype):
        return d.np
    if name == "bfloat16":
        return np.dtype(np.uint16)
    raise RuntimeError(f"ember.load: ember has no dtype torch.{name}, so this tensor cannot be "
                       "loaded")


def _widen_bf16(arr: Any) -> Any:
    """bfloat16 bits -> float32 (exact), for when ml_dtypes (ember's bfloat16) is absent."""
    _state.widened = True  # load() warns once, pointing at the caller
    return (arr.astype(np.uint32) << 16).view(np.float32)


def _from_bits(arr: np.ndarray, name: str) -> np.ndarray:
    """A bfloat16 array read as uint16 bits, as ember's bfloat16 (or float32 without it)."""
    if name != "bfloat16":
        return arr
    return _widen_bf16(arr) if _dtype.bfloat16 is None else arr.view(_dtype.bfloat16.np)


def _is_bf16_bits(name: str) -> bool:
    return name == "bfloat16" and _dtype.bfloat16 is None


# -- where loaded tensors go (map_location) ---------------------------------------------------

def _default_device(location: str) -> device:
    """torch's default_restore_location: a tensor goes back where it was saved."""
    dev = device(location)
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        if not cuda_available():
            raise RuntimeError(_CUDA_UNAVAILABLE)
        return dev
    raise RuntimeError(f"don't know how to restore data location of a storage (tagged with "
                       f"{location})")


def _restorer(map_location: Any) -> Callable[[str, Any], device]:
    """torch's _get_restore_location: ``(location, cpu_array) -> device``."""
    if map_location is None:
        return lambda loc, arr: _default_device(loc)
    if isinstance(map_location, dict):
        return lambda loc, arr: _default_device(str(map_location.get(loc, loc)))
    if isinstance(map_location, (str, bytes, device)):
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda loc, arr: _default_device(target)
    if callable(map_location):
        def restore(loc: str, arr: Any) -> device:
            # torch passes a storage; ember passes a CPU tensor over the same bytes. What comes
            # back says where to put it (None: where it was saved).
            result = map_location(Tensor._make(arr), loc)
            if result is None:
                return _default_device(loc)
            if isinstance(result, Tensor):
                return result.device
            return _default_device(str(result))
        return restore
    raise TypeError(f"map_location should be a str, a device, a dict or a callable, not "
                    f"{type(map_location).__name__}")


# -- save -------------------------------------------------------------------------------------

def _host(t: Tensor) -> np.ndarray:
    arr = t.detach()._data
    return arr if type(arr) is np.ndarray else arr.get()


def _as_flat_state_dict(obj: Any) -> bool:
    """Does ``obj`` fit safetensors: a non-empty str -> plain tensor dict, no autograd state."""
    if type(obj) not in (dict, OrderedDict) or not obj:
        return False
    return all(isinstance(k, str) and type(v) is Tensor and not v.requires_grad
               and v.dtype.name in _NAME_TO_ST for k, v in obj.items())


def _write_safetensors(obj: dict, fp: IO[bytes]) -> None:
    metadata = {"format": "pt"}  # what safetensors.torch writes; readers look for it
    if isinstance(obj, OrderedDict):
        metadata["ember.container"] = "OrderedDict"
        sd_meta = getattr(obj, "_metadata", None)
        if sd_meta is not None:
            try:
                metadata["ember.state_dict_metadata"] = json.dumps(sd_meta)
            except (TypeError, ValueError):
                pass  # not JSON: dropped, as safetensors keeps only str -> str metadata
    header: dict[str, Any] = {"__metadata__": metadata}
    arrays, offset = [], 0
    for name, t in obj.items():
        arr = np.ascontiguousarray(_host(t))
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        header[name] = {"dtype": _NAME_TO_ST[t.dtype.name], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        arrays.append(arr)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the data starts 8-byte aligned, as safetensors pads it
    fp.write(struct.pack("<Q", len(raw)))
    fp.write(raw)
    for arr in arrays:
        fp.write(arr.tobytes())


class _Encoder:
    """Turns a nested object into a JSON-able manifest plus a list of arrays."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        self.ids: dict[int, int] = {}  # id(obj) -> array index: a tensor saved twice is one
        self.keep: list[Any] = []  # holds the objects whose ids are in self.ids
        self.active: set[int] = set()

    def array(self, obj: Any, arr: np.ndarray) -> int:
        if id(obj) not in self.ids:
            if arr.dtype.hasobject:
                raise TypeError("ember.save: cannot save a NumPy array of Python objects")
            self.ids[id(obj)] = len(self.arrays)
            self.keep.append(obj)
            self.arrays.append(arr)
        return self.ids[id(obj)]

    def encode(self, obj: Any) -> Any:
        if isinstance(obj, np.generic):  # before float: np.float64 is a float subclass
            return {"$": "npscalar", "id": self.array(obj, np.asarray(obj))}
        if obj is None or isinstance(obj, (bool, str)):
            return str(obj) if isinstance(obj, str) else obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            # JSON has no inf/nan: those are tagged so the manifest stays standard JSON.
            return float(obj) if math.isfinite(obj) else {"$": "float", "repr": repr(obj)}
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            name = obj.dtype.name
            arr = _host(obj)
            if name == "bfloat16":
                arr = arr.view(np.uint16)  # .npy has no bfloat16: keep the bits
            return {"$": "tensor", "id": self.array(obj, arr), "dtype": name,
                    "requires_grad": bool(obj.requires_grad),
                    "parameter": isinstance(obj, Parameter), "device": str(obj.device)}
        if isinstance(obj, np.ndarray):
            return {"$": "ndarray", "id": self.array(obj, obj)}
        if isinstance(obj, _dtype.dtype):
            return {"$": "dtype", "name": obj.name}
        if isinstance(obj, device):
            return {"$": "device", "name": str(obj)}
        if isinstance(obj, complex):
            return {"$": "complex", "real": self.encode(obj.real),
                    "imag": self.encode(obj.imag)}
        if isinstance(obj, (bytes, bytearray)):
            return {"$": type(obj).__name__, "hex": bytes(obj).hex()}
        if not isinstance(obj, (dict, list, tuple, set, frozenset)):
            raise TypeError(
                f"ember.save: cannot save an object of type {type(obj).__module__}."
                f"{type(obj).__qualname__}: ember saves tensors, NumPy arrays, numbers, "
                "strings, bytes, None, dtypes, devices and dicts/lists/tuples/sets of them "
                "(it never pickles arbitrary objects)")
        if id(obj) in self.active:
            raise ValueError("ember.save: cannot save a container that contains itself")
        self.active.add(id(obj))
        try:
            if isinstance(obj, dict):
                node: dict[str, Any] = {
                    "$": "odict" if isinstance(obj, OrderedDict) else "dict",
                    "items": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
                if getattr(obj, "_metadata", None) is not None:  # a state_dict's versions
                    node["metadata"] = self.encode(obj._metadata)  # type: ignore[attr-defined]
                return node
            if isinstance(obj, Size):
                return {"$": "size", "items": [int(s) for s in obj]}
            if isinstance(obj, list):
                return [self.encode(v) for v in obj]  # JSON arrays are lists, untagged
            kind = "tuple" if isinstance(obj, tuple) else type(obj).__name__
            if kind != "tuple":
                obj = sorted(obj, key=repr)  # sets: a stable order, so files are reproducible
            return {"$": kind if kind in ("tuple", "frozenset") else "set",
                    "items": [self.encode(v) for v in obj]}
        finally:
            self.active.discard(id(obj))


def _write_ember(obj: Any, fp: IO[bytes]) -> None:
    enc = _Encoder()
    manifest = {"format": _FORMAT, "version": 1, "root": enc.encode(obj)}
    with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(_MANIFEST, json.dumps(manifest, allow_nan=False))
        for i, arr in enumerate(enc.arrays):
            with zf.open(f"tensors/{i}.npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, arr, allow_pickle=False)


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """torch.save: write ``obj`` to a path or binary file (pickle arguments are ignored:
    ember writes safetensors or its zip-of-npy format, never a pickle)."""
    writer = _write_safetensors if _as_flat_state_dict(obj) else _write_ember
    if isinstance(f, (str, os.PathLike)):
        buf = io.BytesIO()
        writer(obj, buf)  # type: ignore[arg-type]
        # Written whole, or not at all: an unsupported object leaves no half-written file.
        with open(f, "wb") as out:
            out.write(buf.getbuffer())
    else:
        writer(obj, f)  # type: ignore[arg-type]


# -- load: formats ----------------------------------------------------------------------------

def _make_tensor(arr: Any, requires_grad: bool = False) -> Tensor:
    return Tensor._make(arr, requires_grad=bool(requires_grad))


def _load_safetensors(data: bytes, restore: Callable) -> Any:
    if len(data) < 8:
        raise _Corrupt("the 8-byte header length is missing")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise _Corrupt(f"the header claims {n} bytes but the file has {len(data) - 8} left")
    try:
        header = json.loads(bytes(data[8:8 + n]).decode("utf-8"), object_pairs_hook=OrderedDict)
    except (UnicodeDecodeError, ValueError) as e:
        raise _Corrupt(f"the JSON header does not parse ({e})") from None
    if not isinstance(header, dict):
        raise _Corrupt("the header is not a JSON object")
    buf = memoryview(data)[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    out: dict = OrderedDict() if metadata.get("ember.container") == "OrderedDict" else {}
    for name, info in header.items():
        try:
            code, shape, (start, stop) = info["dtype"], info["shape"], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise _Corrupt(f"bad header entry for {name!r}") from None
        if code not in _ST_TO_NAME:
            raise RuntimeError(f"ember.load: safetensors dtype {code} (tensor {name!r}) has no "
                               "ember equivalent")
        dname = _ST_TO_NAME[code]
        # bfloat16 travels as its uint16 bits (NumPy knows their byte order, not bfloat16's)
        dt = np.dtype(np.uint16 if dname == "bfloat16" else _np_dtype(dname)).newbyteorder("<")
        if not (isinstance(shape, list) and all(isinstance(s, int) and s >= 0 for s in shape)):
            raise _Corrupt(f"bad shape for {name!r}")
        if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start <= stop
                <= len(buf)):
            raise _Corrupt(f"the data of {name!r} lies outside the file (truncated?)")
        count = math.prod(shape)
        if stop - start != count * dt.itemsize:
            raise _Corrupt(f"{name!r} has {stop - start} bytes for shape {shape}")
        arr = np.frombuffer(buf, dtype=dt, count=count, offset=start).reshape(shape)
        arr = _from_bits(arr.astype(dt.newbyteorder("=")), dname)  # a writable, aligned copy
        out[name] = _make_tensor(to_device(arr, restore("cpu", arr)))
    sd_meta = metadata.get("ember.state_dict_metadata")
    if sd_meta is not None and isinstance(out, OrderedDict):
        out._metadata = OrderedDict(json.loads(sd_meta))  # type: ignore[attr-defined]
    return out


class _Decoder:
    """Rebuilds an object from an ember manifest and its arrays."""

    def __init__(self, zf: zipfile.ZipFile, restore: Callable) -> None:
        self.zf = zf
        self.restore = restore
        self.objects: dict[int, Any] = {}  # array index -> the object built from it

    def read_array(self, i: Any) -> np.ndarray:
        if not isinstance(i, int):
            raise _Corrupt("bad array id in the manifest")
        try:
            with self.zf.open(f"tensors/{i}.npy") as fp:
                arr = np.lib.format.read_array(fp, allow_pickle=False)
        except KeyError:
            raise _Corrupt(f"array {i} is missing") from None
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        return arr

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or "$" not in node:
            raise _Corrupt("unknown manifest node")
        kind = node["$"]
        if kind in ("tensor", "ndarray", "npscalar"):
            i = node["id"]
            if i not in self.objects:
                self.objects[i] = self.build(kind, node, self.read_array(i))
            return self.objects[i]
        if kind in ("dict", "odict"):
            out = OrderedDict() if kind == "odict" else {}
            for k, v in node["items"]:
                out[self.decode(k)] = self.decode(v)
            if "metadata" in node:
                out._metadata = self.decode(node["metadata"])  # type: ignore[union-attr]
            return out
        if kind in ("tuple", "set", "frozenset", "size"):
            items = [self.decode(v) for v in node["items"]]
            return {"tuple": tuple, "set": set, "frozenset": frozenset, "size": Size}[kind](items)
        if kind == "float":
            return float(node["repr"])
        if kind == "complex":
            return complex(self.decode(node["real"]), self.decode(node["imag"]))
        if kind in ("bytes", "bytearray"):
            raw = bytes.fromhex(node["hex"])
            return raw if kind == "bytes" else bytearray(raw)
        if kind == "dtype":
            d = getattr(_dtype, node["name"], None)
            if not isinstance(d, _dtype.dtype):
                raise RuntimeError(f"ember.load: ember has no dtype torch.{node['name']}")
            return d
        if kind == "device":
            return device(node["name"])
        raise _Corrupt(f"unknown manifest node type {kind!r}")

    def build(self, kind: str, node: dict, arr: np.ndarray) -> Any:
        if kind == "ndarray":
            return arr
        if kind == "npscalar":
            return arr[()]
        name = node["dtype"]
        if name == "bfloat16":
            arr = _from_bits(arr, name)
        elif arr.dtype != _np_dtype(name):
            raise _Corrupt(f"array {node['id']} is {arr.dtype}, the manifest says {name}")
        arr = to_device(arr, self.restore(node.get("device", "cpu"), arr))
        if node.get("parameter"):
            from .nn.parameter import Parameter

            return Parameter._make(arr, requires_grad=bool(node.get("requires_grad")))
        return _make_tensor(arr, node.get("requires_grad", False))


def _load_ember(zf: zipfile.ZipFile, restore: Callable) -> Any:
    try:
        manifest = json.loads(zf.read(_MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _Corrupt(f"the manifest does not parse ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise _Corrupt("the manifest is not an ember.save manifest")
    if manifest.get("version") != 1:
        raise RuntimeError(f"ember.load: unsupported ember.save format version "
                           f"{manifest.get('version')!r} (this ember reads version 1)")
    return _Decoder(zf, restore).decode(manifest.get("root"))


def _load_npz(zf: zipfile.ZipFile, restore: Callable) -> dict:
    out = {}
    for name in zf.namelist():
        with zf.open(name) as fp:
            arr = np.lib.format.read_array(fp, allow_pickle=False)
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        out[name[:-4]] = _make_tensor(to_device(arr, restore("cpu", arr)))
    return out


# -- load: PyTorch's pickles ------------------------------------------------------------------

class _StorageType:
    """What ``torch.FloatStorage`` and friends unpickle to: a marker naming an element type."""

    def __init__(self, dtype_name: str | None) -> None:
        self.dtype_name = dtype_name  # None: untyped (bytes)


class _MissingDtype:
    """A torch dtype ember lacks (float8, qint8, ...): loads as a value, fails as a tensor."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _Storage:
    """A torch storage: raw bytes on the device chosen by map_location, viewed as tensors.

    For the legacy stream the bytes arrive after the tensors are built, so ``raw`` starts
    empty and is filled in place (the tensors are views of it)."""

    def __init__(self, nbytes: int, dtype_name: str | None, location: str, restore: Callable,
                 big_endian: bool, data: bytes | None = None) -> None:
        self.dtype_name = dtype_name
        self.nbytes = nbytes
        self.big_endian = big_endian
        self.swapped = False
        self.pending: list[tuple[Tensor, Any]] = []  # bf16 widenings waiting for the bytes
        self.filled = False
        if data is None:
            host = np.empty(nbytes, dtype=np.uint8)
        else:
            self._check(data)
            host = np.frombuffer(data, dtype=np.uint8).copy()  # writable, like torch's
        self.device = restore(location, host)
        self.raw = to_device(host, self.device)
        if data is not None:
            self._filled()

    def _check(self, data: Any) -> None:
        if len(data) != self.nbytes:
            raise _Corrupt(f"a storage has {len(data)} bytes, expected {self.nbytes}")

    def fill(self, data: Any) -> None:
        self._check(data)
        self.raw[...] = to_device(np.frombuffer(data, dtype=np.uint8), self.device)
        self._filled()

    def _filled(self) -> None:
        self.filled = True
        if self.dtype_name is not None:
            self._to_native(self.dtype_name)
        for t, view in self.pending:
            t._data = _widen_bf16(view)
        self.pending.clear()

    def _to_native(self, name: str) -> None:
        # A big-endian file's bytes are swapped once, in place, when their type is known.
        if not self.big_endian or self.swapped or not self.filled:
            return
        dt = _np_dtype(name)
        n = self.nbytes // dt.itemsize * dt.itemsize
        view = self.raw[:n].view(dt)
        view[...] = view.byteswap()
        self.swapped = True

    def view(self, name: str) -> Any:
        dt = _np_dtype(name)
        if self.nbytes % dt.itemsize:
            raise _Corrupt(f"a storage of {self.nbytes} bytes cannot hold {name} elements")
        self._to_native(name)
        return self.raw.view(dt)


def _itemsize(name: str | None) -> int:
    """Bytes per element of a storage type (untyped and quantized storages count bytes)."""
    if name is None or name in ("qint8", "quint8", "quint4x2", "quint2x4"):
        return 1
    return 4 if name == "qint32" else _np_dtype(name).itemsize


def _check_ints(values: Any, what: str) -> tuple:
    if not isinstance(values, (tuple, list)) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise _Corrupt(f"bad tensor {what}: {values!r}")
    return tuple(values)


class _Refused(pickle.UnpicklingError):
    """A pickle asked for something ember does not allow (a global, an opcode, an action)."""


def _refuse_global(module: str, name: str) -> _Refused:
    return _Refused(
        f"Weights only load failed: unsupported global GLOBAL {module}.{name}. ember.load "
        "rebuilds tensors, dtypes, devices and plain Python containers only; it never imports "
        "or calls anything else named in a file, so this file was not loaded.")


def _encode(obj: str, encoding: str = "utf-8") -> bytes:
    """_codecs.encode, as protocol-2 pickles use it for bytes: text encodings only."""
    try:
        allowed = codecs.lookup(encoding).name in ("latin-1", "iso8859-1", "utf-8", "ascii")
    except (LookupError, TypeError):
        allowed = False
    if not allowed:
        raise _Refused(f"Weights only load failed: _codecs.encode with encoding {encoding!r}")
    return codecs.encode(obj, encoding)


def _safe_np_dtype(*args: Any) -> np.dtype:
    d = np.dtype(*args)
    if d.hasobject:
        raise _Refused("Weights only load failed: NumPy object dtypes are not loaded")
    return d


class _TorchUnpickler:
    """A pickle interpreter for torch.save's data.pkl that knows only what a checkpoint needs.

    Globals come from an allowlist (never imported); REDUCE calls only allowlisted callables;
    BUILD only sets attributes on OrderedDicts and tensors (and NumPy's own state when
    weights_only=False); APPEND/SETITEM only touch lists, dicts and sets.
    """

    def __init__(self, data: bytes, pos: int, persistent_load: Callable, restore: Callable,
                 weights_only: bool, encoding: str = "utf-8") -> None:
        self.data = data
        self.pos = pos
        self.persistent_load = persistent_load
        self.restore = restore
        self.encoding = encoding
        self.globals, self.callables = self._allowlist(weights_only)
        self.build_types: tuple = (OrderedDict, Counter, Tensor)
        self.newobj_types: tuple = (OrderedDict, Counter, set, frozenset, dict, list, tuple,
                                    Size)
        if not weights_only:
            self.build_types += (np.ndarray, np.dtype)

    # -- the allowlist ------------------------------------------------------------------------
    def _allowlist(self, weights_only: bool) -> tuple[dict, dict]:
        from .nn.parameter import Parameter

        g: dict[tuple[str, str], Any] = {
            ("collections", "OrderedDict"): OrderedDict,
            ("collections", "Counter"): Counter,
            ("torch", "Size"): Size,
            ("torch", "device"): device,
            ("torch", "Tensor"): Tensor,
            ("torch._tensor", "Tensor"): Tensor,
            ("torch.nn.parameter", "Parameter"): Parameter,
            ("torch.nn", "Parameter"): Parameter,
            ("torch.serialization", "_get_layout"): lambda name: name,
            ("_codecs", "encode"): _encode,
            ("builtins", "bytearray"): bytearray,
            ("builtins", "set"): set,
            ("builtins", "frozenset"): frozenset,
            ("builtins", "complex"): complex,
            ("torch._utils", "_rebuild_tensor"): self.rebuild_tensor,
            ("torch._utils", "_rebuild_tensor_v2"): self.rebuild_tensor_v2,
            ("torch._utils", "_rebuild_tensor_v3"): self.rebuild_tensor_v3,
            ("torch._utils", "_rebuild_parameter"): self.rebuild_parameter,
            ("torch._utils", "_rebuild_parameter_with_state"): self.rebuild_parameter_with_state,
            ("torch._tensor", "_rebuild_from_type_v2"): self.rebuild_from_type_v2,
            ("torch", "UntypedStorage"): _StorageType(None),
            ("torch.storage", "UntypedStorage"): _StorageType(None),
            ("torch.storage", "TypedStorage"): _StorageType(None),
        }
        for name in _TORCH_DTYPE_NAMES:
            d = getattr(_dtype, name, None)
            g[("torch", name)] = d if isinstance(d, _dtype.dtype) else _MissingDtype(name)
        for cls, name in _STORAGE_DTYPES.items():
            g[("torch", cls)] = g[("torch.cuda", cls)] = _StorageType(name)
        for name in ("_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_nested_tensor",
                     "_rebuild_meta_tensor_no_storage", "_rebuild_wrapper_subclass",
                     "_rebuild_device_tensor_from_numpy",
                     "_rebuild_device_tensor_from_cpu_tensor"):
            g[("torch._utils", name)] = self._unsupported(name)
        if not weights_only:
            reconstruct = np.array(0).__reduce__()[0]
            scalar = np.float64(0).__reduce__()[0]
            for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
                g[(mod, "_reconstruct")] = reconstruct
                g[(mod, "scalar")] = scalar
            g[("numpy", "ndarray")] = np.ndarray
            g[("numpy", "dtype")] = _safe_np_dtype
        callables = {id(v): v for v in g.values() if callable(v)
                     and v not in (Tensor, Parameter, np.ndarray)}
        return g, callables

    @staticmethod
    def _unsupported(name: str) -> Callable:
        kind = name.replace("_rebuild_", "").replace("_tensor", "").replace("_", " ").strip()

        def refuse(*args: Any) -> None:
            raise RuntimeError(f"ember.load: this file holds a {kind} tensor "
                               f"(torch._utils.{name}), which ember does not support")
        return refuse

    # -- rebuilding tensors -------------------------------------------------------------------
    def rebuild_tensor_v3(self, storage: Any, storage_offset: Any, size: Any, stride: Any,
                          requires_grad: Any, backward_hooks: Any, dtype: Any,
                          metadata: Any = None) -> Tensor:
        if isinstance(dtype, _MissingDtype):
            raise RuntimeError(f"ember.load: ember has no dtype torch.{dtype.name}, so this "
                               "tensor cannot be loaded")
        if not isinstance(dtype, _dtype.dtype):
            raise _Corrupt("_rebuild_tensor_v3 without a dtype")
        return self._tensor(storage, storage_offset, size, stride, requires_grad, dtype.name)

    def rebuild_tensor_v2(self, storage: Any, storage_offset: Any, size: Any, stride: Any,
                          requires_grad: Any, backward_hooks: Any,
                          metadata: Any = None) -> Tensor:
        if not isinstance(storage, _Storage):
            raise _Corrupt("a tensor without a storage")
        return self._tensor(storage, storage_offset, size, stride, requires_grad,
                            storage.dtype_name or "uint8")

    def rebuild_tensor(self, storage: Any, storage_offset: Any, size: Any,
                       stride: Any) -> Tensor:
        return self.rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)

    def _tensor(self, storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any,
                name: str) -> Tensor:
        if not isinstance(storage, _Storage):
            raise _Corrupt("a tensor without a storage")
        if name in ("qint8", "quint8", "qint32", "quint4x2", "quint2x4"):
            raise RuntimeError("ember.load: this file holds a quantized tensor, which ember "
                               "does not support")
        size, stride = _check_ints(size, "size"), _check_ints(stride, "stride")
        (offset,) = _check_ints((offset,), "offset")
        if len(size) != len(stride):
            raise _Corrupt(f"size {size} and stride {stride} differ in length")
        flat = storage.view(name)
        xp = array_module(flat)
        if 0 in size:
            arr = xp.empty(size, dtype=flat.dtype)
        else:
            # The furthest element must lie inside the storage: a hostile size/stride must not
            # reach memory beyond it through as_strided.
            last = offset + sum((n - 1) * s for n, s in zip(size, stride))
            if last >= flat.size:
                raise _Corrupt(f"a tensor of size {size} and stride {stride} at offset {offset} "
                               f"overruns its storage of {flat.size} elements")
            arr = xp.lib.stride_tricks.as_strided(
                flat[offset:], shape=size, strides=tuple(s * flat.itemsize for s in stride))
        t = _make_tensor(arr, bool(requires_grad))
        if _is_bf16_bits(name):
            if storage.filled or storage.nbytes == 0:
                t._data = _widen_bf16(arr)
            else:
                storage.pending.append((t, arr))
        return t

    def rebuild_parameter(self, data: Any, requires_grad: Any, backward_hooks: Any) -> Tensor:
        from .nn.parameter import Parameter

        if not isinstance(data, Tensor):
            raise _Corrupt("a Parameter without a tensor")
        return Parameter._make(data._data, requires_grad=bool(requires_grad))

    def rebuild_parameter_with_state(self, data: Any, requires_grad: Any, backward_hooks: Any,
                                     state: Any) -> Tensor:
        p = self.rebuild_parameter(data, requires_grad, backward_hooks)
        self._set_state(p, state)
        return p

    def rebuild_from_type_v2(self, func: Any, new_type: Any, args: Any, state: Any) -> Tensor:
        from .nn.parameter import Parameter

        if id(func) not in self.callables or not isinstance(args, tuple):
            raise _Refused("Weights only load failed: _rebuild_from_type_v2 with a function "
                           "that is not a tensor rebuild function")
        ret = func(*args)
        if new_type is Parameter and not isinstance(ret, Parameter):
            ret = Parameter._make(ret._data, requires_grad=ret.requires_grad)
        elif new_type not in (Tensor, Parameter):
            raise _Refused("Weights only load failed: tensor subclass "
                           f"{getattr(new_type, '__name__', new_type)!r} is not allowed")
        self._set_state(ret, state)
        return ret

    @staticmethod
    def _set_state(obj: Any, state: Any) -> None:
        """Python attributes set on a tensor (``t.foo = 1``), as torch's _set_obj_state."""
        if isinstance(state, tuple) and len(state) == 2:
            state = state[0]
        if not state:
            return
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise _Corrupt("bad object state")
        # Into __dict__, not setattr: a key naming a property (grad, data) cannot reach it.
        obj.__dict__.update(state)

    # -- the interpreter ----------------------------------------------------------------------
    def read(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise _Corrupt("the pickle ends early (truncated file?)")
        out = self.data[self.pos:end]
        self.pos = end
        return out

    def readline(self) -> bytes:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise _Corrupt("the pickle ends early (truncated file?)")
        out = self.data[self.pos:end]
        self.pos = end + 1
        return out

    def find_class(self, module: str, name: str) -> Any:
        from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING

        # protocol-2 pickles name builtins as __builtin__ (Python 2's spelling)
        if (module, name) in NAME_MAPPING:
            module, name = NAME_MAPPING[(module, name)]
        elif module in IMPORT_MAPPING:
            module = IMPORT_MAPPING[module]
        try:
            return self.globals[(module, name)]
        except KeyError:
            raise _refuse_global(module, name) from None

    def load(self) -> Any:
        stack: list = []
        metastack: list = []
        memo: dict = {}
        read, unpack = self.read, struct.unpack

        def pop_mark() -> list:
            nonlocal stack
            items = stack
            stack = metastack.pop()
            return items

        while True:
            op = read(1)[0]
            if op == 0x80:  # PROTO
                read(1)
            elif op == 0x95:  # FRAME: a length prefix only
                read(8)
            elif op == 0x2E:  # STOP
                if len(stack) != 1 or metastack:
                    raise _Corrupt("the pickle's stack is unbalanced")
                return stack[0]
            elif op == 0x28:  # MARK
                metastack.append(stack)
                stack = []
            elif op == 0x30:  # POP
                if stack:
                    stack.pop()
                else:
                    pop_mark()
            elif op == 0x31:  # POP_MARK
                pop_mark()
            elif op == 0x32:  # DUP
                stack.append(stack[-1])
            elif op == 0x4E:  # NONE
                stack.append(None)
            elif op == 0x88:  # NEWTRUE
                stack.append(True)
            elif op == 0x89:  # NEWFALSE
                stack.append(False)
            elif op == 0x4A:  # BININT
                stack.append(unpack("<i", read(4))[0])
            elif op == 0x4B:  # BININT1
                stack.append(read(1)[0])
            elif op == 0x4D:  # BININT2
                stack.append(unpack("<H", read(2))[0])
            elif op == 0x8A:  # LONG1
                stack.append(int.from_bytes(read(read(1)[0]), "little", signed=True))
            elif op == 0x8B:  # LONG4
                n = unpack("<i", read(4))[0]
                if n < 0:
                    raise _Corrupt("negative LONG4 length")
                stack.append(int.from_bytes(read(n), "little", signed=True))
            elif op == 0x47:  # BINFLOAT
                stack.append(unpack(">d", read(8))[0])
            elif op == 0x58:  # BINUNICODE
                stack.append(str(read(unpack("<I", read(4))[0]), "utf-8", "surrogatepass"))
            elif op == 0x8C:  # SHORT_BINUNICODE
                stack.append(str(read(read(1)[0]), "utf-8", "surrogatepass"))
            elif op == 0x8D:  # BINUNICODE8
                stack.append(str(read(unpack("<Q", read(8))[0]), "utf-8", "surrogatepass"))
            elif op in (0x55, 0x54):  # SHORT_BINSTRING, BINSTRING (Python 2 str)
                n = read(1)[0] if op == 0x55 else unpack("<i", read(4))[0]
                raw = read(n)
                stack.append(raw if self.encoding == "bytes" else raw.decode(self.encoding))
            elif op == 0x43:  # SHORT_BINBYTES
                stack.append(read(read(1)[0]))
            elif op == 0x42:  # BINBYTES
                stack.append(read(unpack("<I", read(4))[0]))
            elif op == 0x8E:  # BINBYTES8
                stack.append(read(unpack("<Q", read(8))[0]))
            elif op == 0x96:  # BYTEARRAY8
                stack.append(bytearray(read(unpack("<Q", read(8))[0])))
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op == 0x74:  # TUPLE
                items = pop_mark()  # first: pop_mark rebinds stack
                stack.append(tuple(items))
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == 0x87:  # TUPLE3
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == 0x5D:  # EMPTY_LIST
                stack.append([])
            elif op == 0x6C:  # LIST
                items = pop_mark()
                stack.append(items)
            elif op == 0x7D:  # EMPTY_DICT
                stack.append({})
            elif op == 0x64:  # DICT
                items = pop_mark()
                stack.append({items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)})
            elif op == 0x8F:  # EMPTY_SET
                stack.append(set())
            elif op == 0x91:  # FROZENSET
                items = pop_mark()
                stack.append(frozenset(items))
            elif op == 0x61:  # APPEND
                value = stack.pop()
                self._container(stack[-1], list).append(value)
            elif op == 0x65:  # APPENDS
                items = pop_mark()
                self._container(stack[-1], list).extend(items)
            elif op == 0x73:  # SETITEM
                value = stack.pop()
                key = stack.pop()
                self._container(stack[-1], dict)[key] = value
            elif op == 0x75:  # SETITEMS
                items = pop_mark()
                target = self._container(stack[-1], dict)
                for i in range(0, len(items) - 1, 2):
                    target[items[i]] = items[i + 1]
            elif op == 0x90:  # ADDITEMS
                items = pop_mark()
                self._container(stack[-1], set).update(items)
            elif op == 0x63:  # GLOBAL
                module = self.readline().decode("utf-8")
                name = self.readline().decode("utf-8")
                stack.append(self.find_class(module, name))
            elif op == 0x93:  # STACK_GLOBAL
                name = stack.pop()
                module = stack.pop()
                if not isinstance(module, str) or not isinstance(name, str):
                    raise _Corrupt("STACK_GLOBAL needs two strings")
                stack.append(self.find_class(module, name))
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                func = stack[-1]
                if id(func) not in self.callables or self.callables[id(func)] is not func:
                    raise _Refused(f"Weights only load failed: REDUCE on {func!r}, which is "
                                   "not an allowed function")
                if not isinstance(args, tuple):
                    raise _Corrupt("REDUCE arguments are not a tuple")
                stack[-1] = func(*args)
            elif op in (0x81, 0x92):  # NEWOBJ, NEWOBJ_EX
                kwargs = stack.pop() if op == 0x92 else {}
                args = stack.pop()
                cls = stack.pop()
                if not (isinstance(cls, type) and cls in self.newobj_types):
                    raise _Refused(f"Weights only load failed: NEWOBJ of {cls!r}, which is not "
                                   "an allowed class")
                stack.append(cls.__new__(cls, *args, **kwargs))
            elif op == 0x62:  # BUILD
                state = stack.pop()
                inst = stack[-1]
                if isinstance(inst, Tensor) or type(inst) in (OrderedDict, Counter):
                    self._set_state(inst, state)
                elif isinstance(inst, self.build_types):  # NumPy, with weights_only=False
                    inst.__setstate__(state)
                    if isinstance(inst, (np.ndarray, np.dtype)) and (
                            inst.dtype if isinstance(inst, np.ndarray) else inst).hasobject:
                        raise _Refused("Weights only load failed: NumPy object dtypes are not "
                                       "loaded")
                else:
                    raise _Refused(f"Weights only load failed: BUILD on {type(inst).__name__}, "
                                   "which is not allowed")
            elif op == 0x51:  # BINPERSID
                stack[-1] = self.persistent_load(stack[-1])
            elif op == 0x68:  # BINGET
                stack.append(self._memo_get(memo, read(1)[0]))
            elif op == 0x6A:  # LONG_BINGET
                stack.append(self._memo_get(memo, unpack("<I", read(4))[0]))
            elif op == 0x71:  # BINPUT
                memo[read(1)[0]] = stack[-1]
            elif op == 0x72:  # LONG_BINPUT
                memo[unpack("<I", read(4))[0]] = stack[-1]
            elif op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            else:
                raise _Refused(f"Weights only load failed: unsupported pickle opcode "
                               f"{bytes([op])!r} (byte {self.pos - 1})")

    @staticmethod
    def _memo_get(memo: dict, i: int) -> Any:
        if i not in memo:
            raise _Corrupt(f"memo key {i} is missing")
        return memo[i]

    @staticmethod
    def _container(obj: Any, kind: type) -> Any:
        if not isinstance(obj, kind):
            raise _Refused(f"Weights only load failed: can only add items to a {kind.__name__}, "
                           f"not to a {type(obj).__name__}")
        return obj


def _storage_pid(pid: Any) -> tuple:
    if not isinstance(pid, tuple) or not pid:
        raise _Corrupt(f"bad persistent id {pid!r}")
    kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
    if kind != "storage":
        raise _Refused(f"Weights only load failed: persistent id of type {kind!r}")
    return pid[1:]


def _load_torch_zip(zf: zipfile.ZipFile, names: list[str], restore: Callable,
                    weights_only: bool, encoding: str) -> Any:
    pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if not pkl:
        raise _Corrupt("a PyTorch zip archive without data.pkl")
    prefix = pkl[0][:-len("data.pkl")]
    byteorder = zf.read(prefix + "byteorder").decode() if prefix + "byteorder" in names \
        else "little"
    storages: dict[str, _Storage] = {}

    def persistent_load(pid: Any) -> _Storage:
        storage_type, key, location, numel = _storage_pid(pid)[:4]
        if not isinstance(storage_type, _StorageType) or not isinstance(numel, int):
            raise _Corrupt(f"bad storage record {pid!r}")
        key = key.decode("ascii") if isinstance(key, bytes) else str(key)
        location = location.decode("ascii") if isinstance(location, bytes) else str(location)
        if key not in storages:
            name = storage_type.dtype_name
            itemsize = _itemsize(name)
            try:
                data = zf.read(f"{prefix}data/{key}")
            except KeyError:
                raise _Corrupt(f"storage {key} is missing from the archive") from None
            storages[key] = _Storage(numel * itemsize, name, location, restore,
                                     byteorder == "big", data)
        return storages[key]

    up = _TorchUnpickler(zf.read(pkl[0]), 0, persistent_load, restore, weights_only, encoding)
    return up.load()


def _load_torch_legacy(data: bytes, restore: Callable, weights_only: bool,
                       encoding: str) -> Any:
    def no_pid(pid: Any) -> Any:
        raise _Corrupt("unexpected persistent id in the header")

    up = _TorchUnpickler(data, 0, no_pid, restore, weights_only, encoding)
    if up.load() != _LEGACY_MAGIC:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol = up.load()
    if protocol != _LEGACY_PROTOCOL:
        raise RuntimeError(f"Invalid protocol version: {protocol}")
    sys_info = up.load()
    big_endian = isinstance(sys_info, dict) and sys_info.get("little_endian") is False
    storages: dict[str, _Storage] = {}

    def persistent_load(pid: Any) -> _Storage:
        storage_type, key, location, numel, view_metadata = _storage_pid(pid)[:5]
        if not isinstance(storage_type, _StorageType) or not isinstance(numel, int):
            raise _Corrupt(f"bad storage record {pid!r}")
        key, location = str(key), str(location)
        name = storage_type.dtype_name  # None: untyped bytes (the tensor names its dtype)
        if not 0 <= numel * _itemsize(name) <= len(data):  # before allocating it
            raise _Corrupt(f"a storage of {numel} elements in a file of {len(data)} bytes")
        if key not in storages:
            storages[key] = _Storage(numel * _itemsize(name), name, location, restore,
                                     big_endian)
        if view_metadata is not None:  # a storage view (torch < 0.4): a slice of the root
            raise RuntimeError("ember.load: storage views of pre-0.4 PyTorch files are not "
                               "supported")
        return storages[key]

    up.persistent_load = persistent_load
    result = up.load()
    keys = up.load()
    if not isinstance(keys, list):
        raise _Corrupt("the storage key list is missing")
    pos = up.pos
    order = "<" if not big_endian else ">"
    for key in keys:
        st = storages.get(str(key))
        if st is None:
            raise _Corrupt(f"storage {key} is not used by any tensor")
        if pos + 8 > len(data):
            raise _Corrupt("the storage data ends early (truncated file?)")
        (numel,) = struct.unpack(order + "q", data[pos:pos + 8])
        pos += 8
        if numel * _itemsize(st.dtype_name) != st.nbytes or pos + st.nbytes > len(data):
            raise _Corrupt("the storage data ends early or has the wrong size (truncated?)")
        st.fill(data[pos:pos + st.nbytes])
        pos += st.nbytes
    return result


# -- load -------------------------------------------------------------------------------------

def _read_all(f: FileLike) -> tuple[bytes, str]:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fp:
            return fp.read(), os.fspath(f)
    if not hasattr(f, "read"):
        raise TypeError(f"ember.load: expected a path or a binary file, got {type(f).__name__}")
    data = f.read()
    if isinstance(data, str):
        raise TypeError("ember.load: the file is open in text mode; open it with 'rb'")
    return bytes(data), getattr(f, "name", "<file>")


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """torch.load: read what ember.save, torch.save or a safetensors writer wrote (see the
    module docstring); ``map_location`` as in torch (a device, a str, a dict or a callable)."""
    data, name = _read_all(f)
    restore = _restorer(map_location)
    encoding = pickle_load_args.get("encoding", "utf-8")
    weights_only = True if weights_only is None else bool(weights_only)
    _state.widened = False
    try:
        result = _load_bytes(data, restore, weights_only, encoding)
        if _state.widened:
            warnings.warn("ember.load: bfloat16 tensors were loaded as float32 because "
                          "ml_dtypes (ember's bfloat16) is not installed; the values are exact",
                          UserWarning, stacklevel=2)
        return result
    except _Refused:
        raise
    except (_Corrupt, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error,
            ValueError, KeyError, IndexError, TypeError, OverflowError, UnicodeDecodeError,
            RecursionError, pickle.UnpicklingError) as e:
        raise RuntimeError(f"ember.load: {name} is truncated or corrupt and cannot be read "
                           f"({type(e).__name__}: {e})") from None


def _load_bytes(data: bytes, restore: Callable, weights_only: bool, encoding: str) -> Any:
    if not data:
        raise _Corrupt("the file is empty")
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if _MANIFEST in names:
                return _load_ember(zf, restore)
            if any(n.endswith("/data.pkl") for n in names):
                if any(n.endswith("/constants.pkl") for n in names):
                    raise RuntimeError("ember.load: this is a TorchScript archive "
                                       "(torch.jit.save); only torch.save files are supported")
                return _load_torch_zip(zf, names, restore, weights_only, encoding)
            if names and all(n.endswith(".npy") for n in names):
                return _load_npz(zf, restore)
            raise _Corrupt("a zip archive that is neither an ember, PyTorch nor .npz file")
    if data[:6] == b"\x93NUMPY":
        arr = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        return _make_tensor(to_device(arr, restore("cpu", arr)))
    # safetensors before pickles: its header length may start with 0x80, but a legacy torch
    # file's 9th byte is inside its magic number, never "{"
    if len(data) >= 9 and data[8:9] == b"{":
        return _load_safetensors(data, restore)
    if data[0] == 0x80:  # a pickle: torch.save's legacy (pre-1.6) stream
        return _load_torch_legacy(data, restore, weights_only, encoding)
    raise _Corrupt("not a format ember.load knows (safetensors, ember.save, torch.save, "
                   ".npz or .npy)")

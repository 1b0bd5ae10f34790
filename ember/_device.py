"""Devices, and which array module (numpy or cupy) holds a tensor's data.

This is the only file that imports cupy, and only when a CUDA tensor is asked for.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["device", "array_module", "cuda_available", "CudaUnavailableError"]


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_DEVICE_RE = re.compile(r"([a-zA-Z_]+)(?::([1-9]\d*|0))?\Z")


class device:
    """torch.device: ``device("cpu")``, ``device("cuda")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device | int, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device) and index is None:
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            # A bare index means the current accelerator, as in torch.
            if not cuda_available():
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            if index is None:  # torch's argument parser, matching neither signature
                name = _torch_type_name(type)
                raise TypeError(
                    f"device() received an invalid combination of arguments - got ({name}), "
                    "but expected one of:\n * (torch.device device)\n      didn't match "
                    f"because some of the arguments have invalid types: (!{name}!)\n"
                    " * (str type, int index = -1)\n")
            raise TypeError(f"device(): argument 'type' (position 1) must be str, not "
                            f"{_torch_type_name(type)}")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{_torch_type_name(index)}")
        if not type:
            raise RuntimeError("Device string must not be empty")
        # c10::Device parses the whole string first, then checks the type name.
        m = _DEVICE_RE.match(type)
        if m is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        name, idx = m.group(1), m.group(2)
        if name not in _DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device "
                f"string: {type}")
        if idx is not None:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # Like torch.device, never equal to a string: device("cpu") != "cpu".
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


def _torch_type_name(x: object) -> str:
    return "torch.device" if isinstance(x, device) else type(x).__name__


class CudaUnavailableError(AssertionError, RuntimeError):
    """Raised when a CUDA tensor is asked for without a usable GPU. torch raises
    AssertionError on a CPU-only build and RuntimeError on a CUDA build without a GPU; this is
    both, so either ``except`` catches it."""


CPU = device("cpu")
_cupy = None


_cupy_error: str | None = None


def _import_cupy():  # noqa: ANN202
    global _cupy, _cupy_error
    if _cupy is None:
        if _cupy_error is None:
            try:
                import cupy

                if cupy.cuda.runtime.getDeviceCount() < 1:
                    raise RuntimeError("no CUDA device found")
                _setup_cupy(cupy)
                _cupy = cupy
            except Exception as e:  # ImportError, or CUDA present but no driver/device
                _cupy_error = str(e) or type(e).__name__  # remembered: don't retry each call
        if _cupy is None:
            raise CudaUnavailableError(
                "CUDA is not available: ember's GPU backend needs an NVIDIA GPU and CuPy "
                "(pip install 'ember[cuda]', or cupy-cuda12x). Original error: " + _cupy_error)
    return _cupy


class _PeakTracker:
    """CuPy's allocator, wrapped to remember the most bytes in use per device (CuPy's pool
    keeps no peak; torch.cuda.max_memory_allocated reports one)."""

    def __init__(self, cp: object) -> None:
        self.pool = cp.get_default_memory_pool()
        self.runtime = cp.cuda.runtime
        self.peak: dict[int, int] = {}

    def malloc(self, size: int) -> object:
        mem = self.pool.malloc(size)
        dev = self.runtime.getDevice()
        used = self.pool.used_bytes()
        if used > self.peak.get(dev, 0):
            self.peak[dev] = used
        return mem


_peak_tracker: _PeakTracker | None = None


def _setup_cupy(cp: object) -> None:
    """Once, when CuPy first loads: the peak-memory tracker and the TF32 flag."""
    global _peak_tracker
    _peak_tracker = _PeakTracker(cp)
    cp.cuda.set_allocator(_peak_tracker.malloc)
    from .backends import cuda as _backends_cuda

    _backends_cuda.set_cupy_tf32(cp, _backends_cuda.matmul.allow_tf32)


def cuda_available() -> bool:
    try:
        _import_cupy()
    except CudaUnavailableError:
        return False
    return True


def cuda_device_count() -> int:
    return _import_cupy().cuda.runtime.getDeviceCount() if cuda_available() else 0


def array_module(arr: object):  # noqa: ANN201
    """numpy for host arrays, cupy for device arrays."""
    if type(arr) is np.ndarray:
        return np
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy
    return np


def device_of(arr: object) -> device:
    if type(arr) is np.ndarray or _cupy is None or not isinstance(arr, _cupy.ndarray):
        return CPU
    return device("cuda", arr.device.id)


def as_device(d: object) -> device:
    """A concrete device: "cuda" without an index is the current GPU (so that x.to("cuda") on
    a tensor already there is x itself, as in torch)."""
    if d is None:
        return CPU
    d = d if isinstance(d, device) else device(d)
    if d.type == "cuda" and d.index is None and _cupy is not None:
        return device("cuda", _cupy.cuda.runtime.getDevice())
    return d


def to_device(arr: object, dev: device) -> object:
    """Copy an array to a device (no copy when it is already there)."""
    if dev.type == "cpu":
        if type(arr) is np.ndarray:
            return arr
        return arr.get()
    if arr.dtype.kind == "V":  # ml_dtypes' bfloat16: CuPy has no such dtype
        raise NotImplementedError("ember keeps bfloat16 tensors on the CPU only (CuPy has no "
                                  "bfloat16); use float16 or float32 on CUDA")
    cp = _import_cupy()
    index = dev.index if dev.index is not None else cp.cuda.runtime.getDevice()
    with cp.cuda.Device(index):
        if isinstance(arr, cp.ndarray) and arr.device.id != index:
            return cp.array(arr, copy=True)  # peer copy onto this device
        return cp.asarray(arr)


def same_device_error(devices: list) -> RuntimeError:
    """PyTorch's error for an op whose tensors live on two devices (the CUDA one named
    first, as TensorIterator names them)."""
    first = next((d for d in devices if d.type != "cpu"), devices[0])
    other = next(d for d in devices if d != first)
    return RuntimeError("Expected all tensors to be on the same device, but found at least two "
                        f"devices, {first} and {other}!")


def check_same_device(arrays: list) -> None:
    """Raise PyTorch's device-mismatch error if ``arrays`` (raw arrays, tensors' data or
    Python numbers) sit on more than one device. Cheap enough for an op's error path; ops
    call it after NumPy or CuPy refused to mix devices, never on the hot path."""
    devices = []
    for a in arrays:
        if hasattr(a, "__array_interface__") or hasattr(a, "__cuda_array_interface__"):
            if getattr(a, "ndim", 1) == 0 and type(a) is np.ndarray:
                continue  # CPU 0-dim arrays mix with CUDA tensors, as torch's CPU scalars do
            d = device_of(a)
            if d not in devices:
                devices.append(d)
    if len(devices) > 1:
        raise same_device_error(devices)

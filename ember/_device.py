"""Devices, and which array module (numpy or cupy) holds a tensor's data.

This is the only file that imports cupy, and only when a CUDA tensor is asked for.
"""

from __future__ import annotations

import numpy as np

__all__ = ["device", "array_module", "cuda_available", "CudaUnavailableError"]


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


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
        name, sep, idx = type.partition(":")
        if name not in _DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device "
                f"string: {type}")
        if sep:
            if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
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

                cupy.cuda.runtime.getDeviceCount()
                _cupy = cupy
            except Exception as e:  # ImportError, or CUDA present but no driver/device
                _cupy_error = str(e) or type(e).__name__  # remembered: don't retry each call
        if _cupy is None:
            raise CudaUnavailableError(
                "CUDA is not available: ember's GPU backend needs an NVIDIA GPU and CuPy "
                "(pip install 'ember[cuda]', or cupy-cuda12x). Original error: " + _cupy_error)
    return _cupy


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
    if d is None:
        return CPU
    return d if isinstance(d, device) else device(d)


def to_device(arr: object, dev: device) -> object:
    """Copy an array to a device (no copy when it is already there)."""
    if dev.type == "cpu":
        if type(arr) is np.ndarray:
            return arr
        return arr.get()
    cp = _import_cupy()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(arr)

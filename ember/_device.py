"""Devices, and which array module (numpy or cupy) holds a tensor's data.

This is the only file that imports cupy, and only when a CUDA tensor is asked for.
"""

from __future__ import annotations

import numpy as np

__all__ = ["device", "array_module", "cuda_available"]


class device:
    """torch.device: ``device("cpu")``, ``device("cuda")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if ":" in type:
            type, _, idx = type.partition(":")
            if index is not None:
                raise ValueError("type (string) must not include an index because index was "
                                 "passed explicitly: " + type)
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device "
                f"type at start of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")
_cupy = None


def _import_cupy():  # noqa: ANN202
    global _cupy
    if _cupy is None:
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # ImportError, or CUDA present but no driver/device
            raise RuntimeError(
                "CUDA is not available: ember's GPU backend needs an NVIDIA GPU and CuPy "
                "(pip install 'ember[cuda]'). Original error: " + str(e)) from None
        _cupy = cupy
    return _cupy


def cuda_available() -> bool:
    try:
        _import_cupy()
    except RuntimeError:
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

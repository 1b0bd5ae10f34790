"""torch.utils.dlpack: zero-copy exchange with PyTorch, NumPy, CuPy and anything that speaks
DLPack.

An ember tensor's memory is a NumPy array (CPU) or a CuPy array (CUDA), and both speak
DLPack, so exporting hands their capsule on and importing wraps whatever NumPy or CuPy makes
of the producer's; either way the memory is shared, not copied.
"""

from __future__ import annotations

import ctypes
import enum
from typing import Any

import numpy as np

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """The DLPack device codes (dlpack.h), as torch.utils.dlpack names them."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


def dlpack_device(tensor: Any) -> tuple[DLDeviceType, int]:
    """Tensor.__dlpack_device__: (kDLCPU, 0) or (kDLCUDA, index)."""
    if tensor._data.__class__ is np.ndarray:
        return DLDeviceType.kDLCPU, 0
    return DLDeviceType.kDLCUDA, tensor._data.device.id


def export(tensor: Any, stream: Any = -1, max_version: tuple | None = None,
           dl_device: tuple | None = None, copy: bool | None = None) -> Any:
    """Tensor.__dlpack__: a DLPack capsule over the tensor's memory, with torch's checks."""
    if tensor.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    arr = tensor._data
    kwargs = {k: v for k, v in (("max_version", max_version), ("dl_device", dl_device),
                                ("copy", copy)) if v is not None}
    if arr.__class__ is np.ndarray:
        if stream is not None and stream != -1:
            raise AssertionError("stream should be None on cpu.")
        return arr.__dlpack__(stream=None, **kwargs)
    # CuPy orders the consumer's stream after its own work (the protocol's stream rules).
    try:
        return arr.__dlpack__(stream=None if stream == -1 else stream, **kwargs)
    except TypeError:  # an older CuPy: no max_version/dl_device/copy
        return arr.__dlpack__(stream=None if stream == -1 else stream)


def to_dlpack(tensor: Any) -> Any:
    """torch.utils.dlpack.to_dlpack: a legacy ("dltensor") capsule sharing the memory."""
    return export(tensor)


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLTensorHead(ctypes.Structure):
    # The start of DLTensor (dlpack.h): enough to read where the data lives.
    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice)]


def _capsule_device(capsule: Any) -> tuple[int, int]:
    """Where a raw DLPack capsule's data lives, read from its DLTensor."""
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    name = get_name(capsule)
    if name not in (b"dltensor", b"dltensor_versioned"):
        raise ValueError(f"from_dlpack: expected a DLPack capsule, got a capsule named "
                         f"{name!r} (already consumed?)")
    ptr = get_pointer(capsule, name)
    if name == b"dltensor_versioned":
        # DLManagedTensorVersioned: version (2 x uint32), manager_ctx, deleter, flags, then
        # the DLTensor.
        ptr += 8 + 3 * ctypes.sizeof(ctypes.c_void_p)
    head = _DLTensorHead.from_address(ptr)
    return head.device.device_type, head.device.device_id


class _Capsule:
    """A raw capsule dressed as a DLPack producer, for NumPy's from_dlpack."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return DLDeviceType.kDLCPU, 0


def _is_capsule(obj: Any) -> bool:
    return type(obj).__name__ == "PyCapsule"


def from_dlpack(ext_tensor: Any, *, device: Any = None, copy: bool | None = None) -> Any:
    """torch.from_dlpack: a tensor sharing the memory of ``ext_tensor`` (any object with
    ``__dlpack__``: a torch tensor, a NumPy or CuPy array, ...; or a DLPack capsule).
    ``device`` moves the result (a copy) when it names another device."""
    from .._device import _import_cupy, as_device
    from .._tensor import Tensor

    if hasattr(ext_tensor, "__dlpack__"):
        dev_type = int(ext_tensor.__dlpack_device__()[0])
        source = ext_tensor
    elif _is_capsule(ext_tensor):
        dev_type = _capsule_device(ext_tensor)[0]
        source = _Capsule(ext_tensor) if dev_type == DLDeviceType.kDLCPU else ext_tensor
    else:
        raise TypeError(f"from_dlpack: expected an object with __dlpack__ or a DLPack "
                        f"capsule, got {type(ext_tensor).__name__}")
    if dev_type == DLDeviceType.kDLCPU:
        arr = np.from_dlpack(source) if copy is None else np.from_dlpack(source, copy=copy)
    elif dev_type == DLDeviceType.kDLCUDA:
        cp = _import_cupy()
        arr = cp.from_dlpack(source)
        if copy:
            arr = arr.copy()
    else:
        raise BufferError(f"from_dlpack: ember holds CPU and CUDA memory only, not DLPack "
                          f"device type {dev_type}")
    t = Tensor._make(arr)
    if device is not None and as_device(device) != t.device:
        t = t.to(device)
    return t

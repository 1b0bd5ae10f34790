"""torch.cuda: the GPU, through CuPy. Everything answers sensibly without a GPU.

Without a GPU, what torch answers with a value (is_available, device_count, the memory
counters) ember answers the same way; what torch refuses (current_device, synchronize) raises
ember's CudaUnavailableError, an AssertionError like torch's "Torch not compiled with CUDA
enabled", whose message says what to install.
"""

from __future__ import annotations

from typing import Any

from ._device import _import_cupy, cuda_available, cuda_device_count

__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize",
           "manual_seed", "manual_seed_all", "seed", "empty_cache", "is_initialized",
           "get_device_name", "get_device_capability", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "is_bf16_supported", "init"]


def is_available() -> bool:
    """torch.cuda.is_available: False without an NVIDIA GPU and CuPy."""
    return cuda_available()


def device_count() -> int:
    """torch.cuda.device_count."""
    return cuda_device_count()


def init() -> None:
    """torch.cuda.init."""
    _import_cupy()


def is_initialized() -> bool:
    """torch.cuda.is_initialized: whether the GPU has been set up (CuPy imported)."""
    from . import _device

    return _device._cupy is not None


def current_device() -> int:
    """torch.cuda.current_device."""
    return _import_cupy().cuda.runtime.getDevice()


def set_device(device: Any) -> None:
    """torch.cuda.set_device."""
    from ._device import device as _dev

    index = device if isinstance(device, int) else _dev(device).index or 0
    _import_cupy().cuda.runtime.setDevice(index)


def get_device_name(device: Any = None) -> str:
    """torch.cuda.get_device_name."""
    cp = _import_cupy()
    index = current_device() if device is None else int(getattr(device, "index", device) or 0)
    name = cp.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """torch.cuda.get_device_capability."""
    cp = _import_cupy()
    index = current_device() if device is None else int(getattr(device, "index", device) or 0)
    props = cp.cuda.runtime.getDeviceProperties(index)
    return props["major"], props["minor"]


def synchronize(device: Any = None) -> None:
    """torch.cuda.synchronize."""
    _import_cupy().cuda.Device().synchronize()


def empty_cache() -> None:
    """torch.cuda.empty_cache: frees CuPy's unused cached blocks (nothing to do without a GPU)."""
    if cuda_available():
        _import_cupy().get_default_memory_pool().free_all_blocks()


def memory_allocated(device: Any = None) -> int:
    """torch.cuda.memory_allocated: bytes held by tensors (CuPy's pool in use)."""
    return _import_cupy().get_default_memory_pool().used_bytes() if cuda_available() else 0


def max_memory_allocated(device: Any = None) -> int:
    """torch.cuda.max_memory_allocated (ember reports the pool's current total)."""
    return _import_cupy().get_default_memory_pool().total_bytes() if cuda_available() else 0


def memory_reserved(device: Any = None) -> int:
    """torch.cuda.memory_reserved: bytes the pool holds from the driver."""
    return _import_cupy().get_default_memory_pool().total_bytes() if cuda_available() else 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """torch.cuda.is_bf16_supported (ember has no bfloat16 kernels on the GPU)."""
    return False


def manual_seed(seed: int) -> None:
    """torch.cuda.manual_seed (ember uses one generator for every device)."""


manual_seed_all = manual_seed


def seed() -> None:
    """torch.cuda.seed."""

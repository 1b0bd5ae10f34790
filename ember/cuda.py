"""torch.cuda: the GPU, through CuPy. Everything answers sensibly without a GPU.

Without a GPU, what torch's CPU build answers with a value (is_available, device_count, the
memory counters, manual_seed) ember answers the same way; what torch refuses (current_device,
synchronize, get_device_name) raises ember's CudaUnavailableError, an AssertionError like
torch's "Torch not compiled with CUDA enabled", whose message says what to install.
"""

from __future__ import annotations

import sys
from typing import Any

from ._device import _import_cupy, cuda_available, cuda_device_count
from .amp import _cuda_amp as amp

__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "empty_cache",
           "is_initialized", "get_device_name", "get_device_capability", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "reset_peak_memory_stats", "mem_get_info", "is_bf16_supported", "init", "amp",
           "Event"]

# ``import ember.cuda.amp`` finds the module here, as ``import torch.cuda.amp`` does.
sys.modules[__name__ + ".amp"] = amp


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
    """torch.cuda.is_initialized: whether the GPU has been set up (CuPy loaded)."""
    from . import _device

    return _device._cupy is not None


def _index(device: Any) -> int:
    """A device index from None (the current one), an int, a string or a device."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    from ._device import device as _dev

    index = _dev(device).index
    return current_device() if index is None else index


def current_device() -> int:
    """torch.cuda.current_device."""
    return _import_cupy().cuda.runtime.getDevice()


def set_device(device: Any) -> None:
    """torch.cuda.set_device."""
    cp = _import_cupy()
    cp.cuda.runtime.setDevice(_index(device))


def get_device_name(device: Any = None) -> str:
    """torch.cuda.get_device_name."""
    cp = _import_cupy()
    name = cp.cuda.runtime.getDeviceProperties(_index(device))["name"]
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """torch.cuda.get_device_capability."""
    cp = _import_cupy()
    props = cp.cuda.runtime.getDeviceProperties(_index(device))
    return props["major"], props["minor"]


def synchronize(device: Any = None) -> None:
    """torch.cuda.synchronize: wait for all work queued on the device."""
    cp = _import_cupy()
    cp.cuda.Device(_index(device)).synchronize()


def _pool_bytes(device: Any, what: str) -> int:
    """A CuPy memory-pool counter for one device; 0 without a GPU, as torch's CPU build."""
    if not cuda_available():
        return 0
    cp = _import_cupy()
    with cp.cuda.Device(_index(device)):
        return getattr(cp.get_default_memory_pool(), what)()


def empty_cache() -> None:
    """torch.cuda.empty_cache: give CuPy's cached, unused blocks back to the driver."""
    if cuda_available():
        _import_cupy().get_default_memory_pool().free_all_blocks()


def memory_allocated(device: Any = None) -> int:
    """torch.cuda.memory_allocated: bytes held by live tensors (CuPy's pool, in use)."""
    return _pool_bytes(device, "used_bytes")


def max_memory_allocated(device: Any = None) -> int:
    """torch.cuda.max_memory_allocated: the most bytes in use since the start or the last
    reset_peak_memory_stats."""
    if not cuda_available():
        return 0
    from . import _device

    index = _index(device)
    return max(_device._peak_tracker.peak.get(index, 0), memory_allocated(index))


def memory_reserved(device: Any = None) -> int:
    """torch.cuda.memory_reserved: bytes the pool holds from the driver (used or cached)."""
    return _pool_bytes(device, "total_bytes")


def max_memory_reserved(device: Any = None) -> int:
    """torch.cuda.max_memory_reserved (CuPy's pool only grows until empty_cache, so its
    size now is its peak since then)."""
    return memory_reserved(device)


def reset_peak_memory_stats(device: Any = None) -> None:
    """torch.cuda.reset_peak_memory_stats: the peak restarts from what is in use now."""
    if not cuda_available():
        return
    from . import _device

    index = _index(device)
    _device._peak_tracker.peak[index] = memory_allocated(index)


def mem_get_info(device: Any = None) -> tuple[int, int]:
    """torch.cuda.mem_get_info: (free, total) bytes on the device."""
    cp = _import_cupy()
    with cp.cuda.Device(_index(device)):
        free, total = cp.cuda.runtime.memGetInfo()
    return free, total


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """torch.cuda.is_bf16_supported: always False, as CuPy has no bfloat16 (ember keeps
    bfloat16 tensors on the CPU)."""
    return False


_seed = [None]


def manual_seed(seed: int) -> None:
    """torch.cuda.manual_seed: seeds CuPy's generator. ember draws the random numbers of CUDA
    tensors from its CPU generator (ember.manual_seed), so this only matters to code that
    uses cupy.random itself. Without a GPU it does nothing, as in torch."""
    _seed[0] = int(seed)
    if cuda_available():
        _import_cupy().random.seed(int(seed) & 0xFFFFFFFF)


manual_seed_all = manual_seed


def seed() -> None:
    """torch.cuda.seed: a fresh random seed for CuPy's generator."""
    if cuda_available():
        _import_cupy().random.seed()


seed_all = seed


def initial_seed() -> int:
    """torch.cuda.initial_seed."""
    _import_cupy()
    return 0 if _seed[0] is None else _seed[0]


class Event:
    """torch.cuda.Event: a marker in the GPU's work queue, for timing with
    ``start.elapsed_time(end)`` (milliseconds). Made lazily, so one can be constructed
    without a GPU, as in torch; recording one needs the GPU."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False,
                 interprocess: bool = False) -> None:
        self.enable_timing, self.blocking = enable_timing, blocking
        self._event: Any = None

    def record(self, stream: Any = None) -> None:
        """Mark this point of the current stream (or ``stream``'s CuPy stream)."""
        cp = _import_cupy()
        if self._event is None:
            self._event = cp.cuda.Event(block=self.blocking,
                                        disable_timing=not self.enable_timing)
        self._event.record(stream)

    def synchronize(self) -> None:
        """Wait until the GPU has reached this event."""
        if self._event is not None:
            self._event.synchronize()

    def query(self) -> bool:
        """Whether the GPU has reached this event."""
        return self._event is None or bool(self._event.done)

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds between this event and ``end_event`` (both recorded, with timing)."""
        cp = _import_cupy()
        return float(cp.cuda.get_elapsed_time(self._event, end_event._event))

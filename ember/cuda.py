"""torch.cuda: the GPU, through CuPy. Everything answers sensibly without a GPU."""

from __future__ import annotations

from ._device import cuda_available, cuda_device_count

__all__ = ["is_available", "device_count", "synchronize", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """torch.cuda.is_available: False without an NVIDIA GPU and CuPy."""
    return cuda_available()


def device_count() -> int:
    """torch.cuda.device_count."""
    return cuda_device_count()


def synchronize(device: object = None) -> None:
    """torch.cuda.synchronize."""
    if cuda_available():
        from ._device import _import_cupy

        _import_cupy().cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    """torch.cuda.manual_seed (ember uses one generator for every device)."""


manual_seed_all = manual_seed

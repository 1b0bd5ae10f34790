"""torch.cpu.amp: the deprecated spellings of torch.amp's autocast and GradScaler for the CPU.

Each warns with PyTorch's FutureWarning, pointing at the caller, then behaves as
``ember.amp.autocast("cpu", ...)`` / ``ember.amp.GradScaler("cpu", ...)``.
"""

from __future__ import annotations

import warnings

from .. import _dtype
from . import autocast_mode, grad_scaler

__all__ = ["autocast", "GradScaler"]


def deprecated_spellings(device: str, default_dtype: _dtype.dtype | None) -> tuple:
    """torch.<device>.amp's autocast and GradScaler classes: the same as torch.amp's for
    ``device``, after torch's FutureWarning (shared by torch.cpu.amp and torch.cuda.amp)."""
    module = f"ember.amp._{device}_amp"

    class autocast(autocast_mode.autocast):  # noqa: N801 - torch's name
        __doc__ = (f"torch.{device}.amp.autocast (deprecated): "
                   f"``ember.amp.autocast({device!r}, ...)``.")

        def __init__(self, enabled: bool = True, dtype: _dtype.dtype | None = default_dtype,
                     cache_enabled: bool = True) -> None:
            warnings.warn(f"`torch.{device}.amp.autocast(args...)` is deprecated. Please use "
                          f"`torch.amp.autocast('{device}', args...)` instead.",
                          FutureWarning, stacklevel=2)
            super().__init__(device, enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)

    class GradScaler(grad_scaler.GradScaler):
        __doc__ = (f"torch.{device}.amp.GradScaler (deprecated): "
                   f"``ember.amp.GradScaler({device!r}, ...)``.")

        def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                     backoff_factor: float = 0.5, growth_interval: int = 2000,
                     enabled: bool = True) -> None:
            warnings.warn(f"`torch.{device}.amp.GradScaler(args...)` is deprecated. Please use "
                          f"`torch.amp.GradScaler('{device}', args...)` instead.",
                          FutureWarning, stacklevel=2)
            super().__init__(device, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)

    for cls in (autocast, GradScaler):  # found by name in its module (pickle, repr)
        cls.__module__, cls.__qualname__ = module, cls.__name__
    return autocast, GradScaler


autocast, GradScaler = deprecated_spellings("cpu", _dtype.bfloat16)

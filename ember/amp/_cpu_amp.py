"""torch.cpu.amp: the deprecated spellings of torch.amp's autocast and GradScaler for the CPU.

Each warns with PyTorch's FutureWarning, pointing at the caller, then behaves as
``ember.amp.autocast("cpu", ...)`` / ``ember.amp.GradScaler("cpu", ...)``.
"""

from __future__ import annotations

import warnings

from .. import _dtype
from . import autocast_mode, grad_scaler

__all__ = ["autocast", "GradScaler"]


class autocast(autocast_mode.autocast):  # noqa: N801 - torch's name
    """torch.cpu.amp.autocast (deprecated): ``ember.amp.autocast("cpu", ...)``."""

    def __init__(self, enabled: bool = True, dtype: _dtype.dtype | None = _dtype.bfloat16,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """torch.cpu.amp.GradScaler (deprecated): ``ember.amp.GradScaler("cpu", ...)``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval,
                         enabled=enabled)

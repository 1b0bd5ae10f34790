"""torch.cuda.amp: the deprecated spellings of torch.amp's autocast and GradScaler for CUDA.

Each warns with PyTorch's FutureWarning, pointing at the caller, then behaves as
``ember.amp.autocast("cuda", ...)`` / ``ember.amp.GradScaler("cuda", ...)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtype
from . import autocast_mode
from ._cpu_amp import deprecated_spellings

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


autocast, GradScaler = deprecated_spellings("cuda", _dtype.float16)


def custom_fwd(fwd: Callable | None = None, *, cast_inputs: Any = None) -> Callable:
    """torch.cuda.amp.custom_fwd (deprecated): ``ember.amp.custom_fwd(device_type="cuda")``."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_fwd(args..., device_type='cuda')` instead.",
                  FutureWarning, stacklevel=2)
    return autocast_mode.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)

def custom_bwd(bwd: Callable) -> Callable:
    """torch.cuda.amp.custom_bwd (deprecated): ``ember.amp.custom_bwd(device_type="cuda")``."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_bwd(args..., device_type='cuda')` instead.",
                  FutureWarning, stacklevel=2)
    return autocast_mode.custom_bwd(bwd, device_type="cuda")

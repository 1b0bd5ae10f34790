"""torch.cpu: the CPU as a device module (``ember.cpu.amp`` holds the deprecated autocast)."""

from __future__ import annotations

import sys
from typing import Any

from .amp import _cpu_amp as amp

__all__ = ["amp", "is_available", "device_count", "current_device", "synchronize"]

# ``import ember.cpu.amp`` finds the module here, as ``import torch.cpu.amp`` does.
sys.modules[__name__ + ".amp"] = amp


def is_available() -> bool:
    """torch.cpu.is_available: always True."""
    return True


def device_count() -> int:
    """torch.cpu.device_count: 1."""
    return 1


def current_device() -> str:
    """torch.cpu.current_device: "cpu"."""
    return "cpu"


def synchronize(device: Any = None) -> None:
    """torch.cpu.synchronize: nothing to wait for."""

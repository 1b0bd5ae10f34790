"""Padding modules (ZeroPad2d, ConstantPad*, ReflectionPad*, ReplicationPad*, CircularPad*)
and PixelShuffle / PixelUnshuffle, over F.pad and F.pixel_shuffle."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from .module import Module
from .utils import _ntuple, _pair, _quadruple

__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    "PixelShuffle", "PixelUnshuffle",
]

_SIZES = {1: _pair, 2: _quadruple, 3: _ntuple(6)}


class _PadNd(Module):
    _mode = "constant"
    _dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _SIZES[self._dims](padding)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """torch.nn.ConstantPad1d."""

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """torch.nn.ConstantPad2d."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """torch.nn.ConstantPad3d."""

    _dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """torch.nn.ZeroPad1d."""

    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """torch.nn.ZeroPad2d."""

    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """torch.nn.ZeroPad3d."""

    _dims = 3


class ReflectionPad1d(_PadNd):
    """torch.nn.ReflectionPad1d."""

    _mode, _dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    """torch.nn.ReflectionPad2d."""

    _mode, _dims = "reflect", 2


class ReflectionPad3d(_PadNd):
    """torch.nn.ReflectionPad3d."""

    _mode, _dims = "reflect", 3


class ReplicationPad1d(_PadNd):
    """torch.nn.ReplicationPad1d."""

    _mode, _dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    """torch.nn.ReplicationPad2d."""

    _mode, _dims = "replicate", 2


class ReplicationPad3d(_PadNd):
    """torch.nn.ReplicationPad3d."""

    _mode, _dims = "replicate", 3


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        lo, hi = self._dims + 1, self._dims + 2
        if input.dim() not in (lo, hi):
            raise ValueError(f"expected {lo}D or {hi}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """torch.nn.CircularPad1d."""

    _dims = 1


class CircularPad2d(_CircularPadNd):
    """torch.nn.CircularPad2d."""

    _dims = 2


class CircularPad3d(_CircularPadNd):
    """torch.nn.CircularPad3d."""

    _dims = 3


class PixelShuffle(Module):
    """torch.nn.PixelShuffle."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """torch.nn.PixelUnshuffle."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"

"""Dropout modules (the random masks come from F.dropout and friends)."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):
    _fn = ""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn)(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """torch.nn.Dropout."""

    _fn = "dropout"


class Dropout1d(_DropoutNd):
    """torch.nn.Dropout1d."""

    _fn = "dropout1d"


class Dropout2d(_DropoutNd):
    """torch.nn.Dropout2d."""

    _fn = "dropout2d"


class Dropout3d(_DropoutNd):
    """torch.nn.Dropout3d."""

    _fn = "dropout3d"


class AlphaDropout(_DropoutNd):
    """torch.nn.AlphaDropout."""

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """torch.nn.FeatureAlphaDropout."""

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training)

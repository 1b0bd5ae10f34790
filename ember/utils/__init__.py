"""torch.utils: checkpoint and data."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]

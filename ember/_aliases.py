"""torch.* names that are other ember functions under another spelling (work in progress)."""

from __future__ import annotations

__all__: list[str] = []

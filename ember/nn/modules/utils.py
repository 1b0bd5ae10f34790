"""torch.nn.modules.utils: the small tuple helpers layers use for their size arguments."""

from __future__ import annotations

import collections.abc
from itertools import repeat
from typing import Any

__all__ = ["_single", "_pair", "_triple", "_quadruple", "_ntuple", "_reverse_repeat_tuple"]


def _ntuple(n: int, name: str = "parse") -> Any:
    def parse(x: Any) -> tuple:
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t: tuple, n: int) -> tuple:
    """(1, 2) -> (2, 2, 1, 1): F.pad's order from a per-dimension padding."""
    return tuple(x for x in reversed(t) for _ in range(n))

"""Forward-mode AD: torch.autograd.forward_ad (dual_level, make_dual, unpack_dual).

Work in progress; ``Op.apply`` calls ``_propagate`` whenever ``_state.active`` is set.
"""

from __future__ import annotations

from typing import Any


class _State:
    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = False  # True while some dual level is open and a tangent exists


_state = _State()


def _propagate(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple) -> None:
    """Give each result of op ``cls`` the tangent J @ (input tangents)."""

"""torch.amp.autocast. Work in progress; ``Op.apply`` calls ``_cast_inputs`` while
``_state.enabled`` is set."""

from __future__ import annotations

from typing import Any


class _State:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = False  # True inside an enabled autocast region (any device)


_state = _State()


def _cast_inputs(cls: type, inputs: tuple) -> tuple:
    """The inputs of op ``cls`` cast as autocast's op lists say."""
    return inputs

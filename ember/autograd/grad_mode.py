"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """torch.is_grad_enabled."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """torch.is_inference_mode_enabled."""
    return _state.inference


class _GradModeContext:
    """A context manager that is also a decorator, like torch's grad-mode classes."""

    _mode = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # ``@torch.no_grad`` without parentheses hands the function straight to the class.
        if cls in (no_grad, enable_grad) and len(args) == 1 and callable(args[0]):
            return object.__new__(cls)(args[0])
        return object.__new__(cls)

    def _clone(self) -> _GradModeContext:
        return type(self)()

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._clone():
                return func(*args, **kwargs)

        return wrapper

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev


class no_grad(_GradModeContext):
    """torch.no_grad: ops inside record no graph."""

    _mode = False


class enable_grad(_GradModeContext):
    """torch.enable_grad: record graphs again inside a no_grad region."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """torch.set_grad_enabled(mode): a function call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self._prev = _state.enabled
        self._mode = bool(mode)
        _state.enabled = self._mode  # takes effect at once when called as a function

    def _clone(self) -> set_grad_enabled:
        return set_grad_enabled(self._mode)

    def __enter__(self) -> None:
        _state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev


class inference_mode(_GradModeContext):
    """torch.inference_mode: no_grad, and tensors made inside are marked inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode
        self._inference = mode

    def _clone(self) -> inference_mode:
        return inference_mode(self._inference)

    def __enter__(self) -> None:
        self._prev, self._prev_inf = _state.enabled, _state.inference
        _state.enabled = self._mode
        _state.inference = self._inference

    def __exit__(self, *exc: object) -> None:
        _state.enabled, _state.inference = self._prev, self._prev_inf

"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local), and
anomaly detection (global)."""

from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


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
        if cls in (no_grad, enable_grad, inference_mode) and len(args) == 1 and \
                callable(args[0]):
            inst = object.__new__(cls)
            inst.__init__()
            return inst(args[0])
        return object.__new__(cls)

    def _clone(self) -> _GradModeContext:
        return type(self)()

    def __call__(self, func: Callable) -> Callable:
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self._clone, func)

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


def _wrap_generator(ctx_factory: Callable, func: Callable) -> Callable:
    """A decorated generator runs each of its steps in the mode, not just its creation
    (torch.utils._contextlib._wrap_generator)."""

    @functools.wraps(func)
    def generator_context(*args: Any, **kwargs: Any) -> Any:
        gen = func(*args, **kwargs)
        try:
            with ctx_factory():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with ctx_factory():
                        gen.close()
                    raise
                except BaseException:
                    with ctx_factory():
                        response = gen.throw(*sys.exc_info())
                else:
                    with ctx_factory():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value

    return generator_context


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

    def __call__(self, func: Callable) -> Callable:
        _state.enabled = self._prev  # used as a decorator: the call itself changes nothing
        return super().__call__(func)

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


# -- anomaly detection (torch.autograd.anomaly_mode) ---------------------------------------
# Global, as in torch. While it is on, every node keeps the Python stack that created it
# (node.metadata["traceback_"], see forward_stack); a backward node that fails shows that
# stack in a warning before its error propagates, and with check_nan one that returns NaN
# raises (engine.py).

class _Anomaly:
    enabled = False
    check_nan = True


_anomaly = _Anomaly()


def is_anomaly_enabled() -> bool:
    """torch.is_anomaly_enabled."""
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """torch.is_anomaly_check_nan_enabled."""
    return _anomaly.check_nan


class detect_anomaly(_GradModeContext):
    """torch.autograd.detect_anomaly: a context manager / decorator that turns it on."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def _clone(self) -> detect_anomaly:
        new = object.__new__(detect_anomaly)
        new.check_nan = self.check_nan
        return new

    def __enter__(self) -> None:
        self._prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled, _anomaly.check_nan = self._prev


class set_detect_anomaly:
    """torch.autograd.set_detect_anomaly(mode, check_nan=True): a call or a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled, _anomaly.check_nan = self._prev


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def forward_stack() -> list[str]:
    """The user's frames of the current Python stack, formatted as traceback.format_stack
    does: what anomaly mode records for each node it creates (ember's own frames left out,
    as torch's C++ frames are)."""
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    return traceback.format_list(frames)

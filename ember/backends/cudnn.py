"""torch.backends.cudnn: the cuDNN flags, with PyTorch's defaults (enabled, TF32 allowed, no
benchmark, not deterministic)."""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from typing import Any

# The flags (enabled, benchmark, deterministic, allow_tf32) are served by CudnnModule below.
__all__ = ["is_available", "version", "flags", "benchmark_limit"]

_SETTERS = {"enabled": "set_enabled_cudnn", "benchmark": "set_benchmark_cudnn",
            "deterministic": "set_deterministic_cudnn",
            # torch 2.13 routes this one through cuBLAS's setter, and its error says so
            "allow_tf32": "set_allow_tf32_cublas"}
_flags = {"enabled": True, "benchmark": False, "deterministic": False, "allow_tf32": True}


def is_available() -> bool:
    """torch.backends.cudnn.is_available: a GPU, CuPy, and cuDNN's Python frontend."""
    import importlib.util

    from .._device import cuda_available

    return importlib.util.find_spec("cudnn") is not None and cuda_available()


def version() -> int | None:
    """torch.backends.cudnn.version: cuDNN's version number, or None without it."""
    if not is_available():
        return None
    import cudnn

    return int(cudnn.backend_version())


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True, fp32_precision: str = "none",
          depthwise_kernel: str = "auto") -> Iterator[None]:
    """torch.backends.cudnn.flags: set the flags for a block, then restore them."""
    mod = sys.modules[__name__]
    saved = dict(_flags), mod.benchmark_limit
    new = {"enabled": enabled, "benchmark": benchmark, "deterministic": deterministic,
           "allow_tf32": allow_tf32}
    for name, value in new.items():
        setattr(mod, name, value)
    mod.benchmark_limit = benchmark_limit
    try:
        yield
    finally:
        _flags.update(saved[0])
        mod.benchmark_limit = saved[1]


class CudnnModule(types.ModuleType):
    """The module itself, so that ``cudnn.benchmark = True`` is checked as in torch."""

    def __getattr__(self, name: str) -> Any:
        if name in _flags:
            return _flags[name]
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SETTERS:
            if not isinstance(value, bool):
                raise RuntimeError(f"{_SETTERS[name]} expects a bool, but got "
                                   f"{type(value).__name__}")
            _flags[name] = value
            return
        super().__setattr__(name, value)


benchmark_limit = 10
sys.modules[__name__].__class__ = CudnnModule

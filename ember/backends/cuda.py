"""torch.backends.cuda: ``matmul.allow_tf32`` and friends, with PyTorch's defaults."""

from __future__ import annotations

from typing import Any

__all__ = ["matmul", "is_built", "get_float32_matmul_precision",
           "set_float32_matmul_precision"]


def is_built() -> bool:
    """torch.backends.cuda.is_built: whether ember's GPU backend (CuPy) is installed."""
    import importlib.util

    return importlib.util.find_spec("cupy") is not None


def _expect_bool(setter: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")


class cuBLASModule:  # noqa: N801 - torch's class name
    """torch.backends.cuda.matmul: cuBLAS precision flags (unknown names raise, as in torch)."""

    _NAMES = ("allow_tf32", "allow_fp16_reduced_precision_reduction",
              "allow_bf16_reduced_precision_reduction")

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {"allow_tf32": False,
                                             "allow_fp16_reduced_precision_reduction": True,
                                             "allow_bf16_reduced_precision_reduction": True,
                                             "_precision": "highest"})

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if name in values and name[0] != "_":
            return values[name]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "allow_tf32":
            _expect_bool("set_allow_tf32_cublas", value)
            self._values[name] = value
            self._values["_precision"] = "high" if value else "highest"
            _apply_tf32()
        elif name in self._NAMES:
            if not isinstance(value, (bool, tuple, list)):
                raise TypeError(f"{name} expects a bool or a tuple/list of bools, but got "
                                f"{type(value)}")
            self._values[name] = value
        else:
            raise AttributeError("Unknown attribute " + name)


matmul = cuBLASModule()

_PRECISIONS = ("highest", "high", "medium")


def get_float32_matmul_precision() -> str:
    """torch.get_float32_matmul_precision."""
    return matmul._values["_precision"]


def set_float32_matmul_precision(precision: str) -> None:
    """torch.set_float32_matmul_precision: "highest" is full FP32; "high" and "medium" let
    float32 matmuls on the GPU use TF32."""
    import warnings

    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    # torch keeps "medium" apart from "high"; both let cuBLAS use TF32.
    matmul._values["allow_tf32"] = precision != "highest"
    matmul._values["_precision"] = precision
    _apply_tf32()


def _apply_tf32() -> None:
    """Tell CuPy's cuBLAS calls whether float32 matmuls may use TF32 (only once CuPy is
    loaded; _device applies the flag again when it loads CuPy)."""
    from .. import _device

    if _device._cupy is not None:
        set_cupy_tf32(_device._cupy, matmul.allow_tf32)


def set_cupy_tf32(cp: Any, allow: bool) -> None:
    """Switch CuPy's float32 GEMM compute type between TF32 and the default (full FP32).
    A CuPy without this (private) switch keeps its own setting, with a warning: losing TF32
    must never cost the GPU itself."""
    import importlib
    import warnings

    import numpy as np

    try:
        linalg = importlib.import_module("cupy._core._routines_linalg")
        tf32 = allow and int(cp.cuda.Device().compute_capability) >= 80  # Ampere and newer
        kind = (getattr(linalg, "COMPUTE_TYPE_TF32", 7) if tf32
                else getattr(linalg, "COMPUTE_TYPE_DEFAULT", 1))
        linalg.set_compute_type(np.float32, kind)
    except (ImportError, AttributeError) as e:
        warnings.warn(f"ember could not set CuPy's TF32 mode ({e}); CUPY_TF32=1 in the "
                      "environment does it at start-up", RuntimeWarning, stacklevel=2)

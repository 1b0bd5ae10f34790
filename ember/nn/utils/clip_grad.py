"""clip_grad_norm_ and clip_grad_value_ (torch.nn.utils.clip_grad)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

from ..._device import array_module
from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _as_list(parameters: Any) -> list:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _norm(xp: Any, a: Any, p: float) -> Any:
    """linalg.vector_norm of an array, in its own dtype."""
    a = a.ravel()
    if p == math.inf:
        return xp.abs(a).max() if a.size else xp.zeros((), a.dtype)
    if p == -math.inf:
        return xp.abs(a).min()
    if p == 0:
        return (a != 0).sum().astype(a.dtype)
    if p == 2:
        return xp.sqrt(xp.dot(a, a))
    return (xp.abs(a) ** p).sum() ** (1.0 / p)


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """torch.nn.utils.clip_grad_norm_: scale all grads so their joint norm is <= max_norm."""
    params = _as_list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        from ...ops.creation import tensor

        return tensor(0.0)
    xp = array_module(grads[0]._data)
    norms = xp.stack([_norm(xp, g._data, norm_type) for g in grads])
    total = _norm(xp, norms, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    # clip_coef = max_norm / (total + 1e-6), clamped to 1; computed in the norm's dtype.
    coef = xp.minimum(total.dtype.type(max_norm) / (total + total.dtype.type(1e-6)),
                      total.dtype.type(1.0))
    for g in grads:
        g._data *= coef.astype(g._data.dtype)
        g._vc[0] += 1
    return Tensor._make(xp.asarray(total))


def clip_grad_norm(parameters: Any, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """torch.nn.utils.clip_grad_norm (deprecated alias of clip_grad_norm_)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Iterable | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """torch.nn.utils.clip_grad_value_: clamp every grad to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p.grad
        if g is None:
            continue
        xp = array_module(g._data)
        xp.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc[0] += 1



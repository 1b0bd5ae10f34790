"""Reductions: sum, mean, prod, max/min, std/var, norm, logsumexp, cumsum, ..."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op

__all__ = ["sum", "mean", "sum_to_size"]
__methods__ = ["sum", "mean", "sum_to_size"]


def _dims(dim: Any, ndim: int) -> tuple | None:
    """Normalise ``dim`` (int, tuple, list or None) to a sorted tuple of positive axes."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    n = max(ndim, 1)
    out = []
    for d in dim:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, "
                             f"{n - 1}], but got {d})")
        out.append(d % n if ndim else 0)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return tuple(sorted(out))


def _unsqueeze_to(grad: Tensor, shape: tuple, axes: tuple | None, keepdim: bool) -> Tensor:
    """Put back the reduced dims (size 1) so that the gradient broadcasts over them."""
    if keepdim or axes is None and grad.ndim == len(shape):
        return grad
    if axes is None:
        return grad.reshape((1,) * len(shape))
    kept = list(grad.shape)
    for a in axes:
        kept.insert(a, 1)
    return grad.reshape(kept)


def _sum_dtype(a: Any, dtype: Any) -> Any:
    if dtype is not None:
        return dtype.np
    return np.int64 if a.dtype.kind in "biu" else None


class Sum(Op, name="SumBackward0"):
    def forward(ctx, xp, a, *, dtype=None):
        ctx.shape = a.shape
        return xp.sum(a, dtype=_sum_dtype(a, dtype))

    def grad_a(ctx, grad):
        return grad.expand(ctx.shape)


class SumDim(Op, name="SumBackward1"):
    def forward(ctx, xp, a, *, dim, keepdim=False, dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        return xp.sum(a, axis=dim, keepdims=keepdim, dtype=_sum_dtype(a, dtype))

    def grad_a(ctx, grad):
        return _unsqueeze_to(grad, ctx.shape, ctx.axes, ctx.keepdim).expand(ctx.shape)


class SumToSize(Op, name="SumBackward1"):
    """What broadcasting is undone with: sum over broadcast dims down to ``size``."""

    def forward(ctx, xp, a, *, size):
        ctx.shape = a.shape
        lead = a.ndim - len(size)
        axes = tuple(range(lead)) + tuple(
            i + lead for i, s in enumerate(size) if s == 1 and a.shape[i + lead] != 1)
        out = a.sum(axis=axes, keepdims=True) if axes else a
        return out.reshape(size) if lead else out

    def grad_a(ctx, grad):
        return grad.expand(ctx.shape)


class Mean(Op, name="MeanBackward0"):
    def forward(ctx, xp, a, *, dtype=None):
        _check_mean_dtype(a, dtype)
        ctx.shape, ctx.n = a.shape, a.size
        return xp.mean(a, dtype=dtype.np if dtype is not None else None)

    def grad_a(ctx, grad):
        return (grad / ctx.n).expand(ctx.shape)


class MeanDim(Op, name="MeanBackward1"):
    def forward(ctx, xp, a, *, dim, keepdim=False, dtype=None):
        _check_mean_dtype(a, dtype)
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        n = 1
        for d in (dim if dim is not None else range(a.ndim)):
            n *= a.shape[d]
        ctx.n = n
        return xp.mean(a, axis=dim, keepdims=keepdim,
                       dtype=dtype.np if dtype is not None else None)

    def grad_a(ctx, grad):
        return _unsqueeze_to(grad / ctx.n, ctx.shape, ctx.axes, ctx.keepdim).expand(ctx.shape)


def _check_mean_dtype(a: Any, dtype: Any) -> None:
    if dtype is None and a.dtype.kind in "biu":
        name = _dtype.from_numpy_dtype(a.dtype)
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_word(name)}")


def _word(d: _dtype.dtype) -> str:
    from .views import _type_word

    return _type_word(d)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001,A002
    """torch.sum."""
    if dim is None:
        if keepdim:
            return SumDim.apply(input, dim=None, keepdim=True, dtype=dtype)
        return Sum.apply(input, dtype=dtype)
    return SumDim.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """torch.mean."""
    if dim is None and not keepdim:
        return Mean.apply(input, dtype=dtype)
    return MeanDim.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def sum_to_size(input: Tensor, *size: Any) -> Tensor:  # noqa: A002
    """Tensor.sum_to_size: sum broadcast dims away so the result has ``size``."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    if tuple(input.shape) == tuple(size):
        return input
    return SumToSize.apply(input, size=tuple(size))

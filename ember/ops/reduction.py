"""Reductions: sum, mean, prod, max/min, std/var, norm, logsumexp, cumsum, sort, ...

Value-selecting reductions (max(dim), median(dim), sort, topk, ...) return PyTorch's named
tuples (``ember.return_types``) and route the gradient to the selected index with a scatter;
the full reductions max(), amax, aminmax and median() share it evenly among ties instead,
exactly as PyTorch's derivatives.yaml does.
"""

from __future__ import annotations

import builtins
import collections
import math
import sys
import types
import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor, _wrap_dim
from ..autograd.grad_mode import _state as _grad_state
from . import pointwise, shape
from ._op import Op

__all__ = [
    "sum", "mean", "sum_to_size", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
    "std", "var", "std_mean", "var_mean", "norm", "logsumexp", "cumsum", "cumprod", "all",
    "any", "count_nonzero", "median", "nanmedian", "sort", "argsort", "msort", "topk",
    "kthvalue", "mode", "aminmax", "nansum", "nanmean", "diff", "trace", "cummax", "cummin",
    "logcumsumexp", "return_types",
]
__methods__ = [n for n in __all__ if n not in ("std_mean", "var_mean", "return_types")]
__inplace__ = ["cumsum", "cumprod"]

_INT64 = np.dtype(np.int64)
# sum(x) and sum(x, dim=None) are different overloads in PyTorch (SumBackward0 and 1).
_NO_DIM: Any = type("_NoDim", (), {"__repr__": lambda self: "None"})()


# -- torch.return_types ----------------------------------------------------------------------

def _return_type(name: str, fields: tuple = ("values", "indices")) -> type:
    """A named tuple that prints like ``torch.return_types.<name>``."""
    cls = collections.namedtuple(name, fields, module="ember.return_types")

    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    return cls


return_types = types.ModuleType("ember.return_types", "PyTorch's named tuples of results.")
for _name in ("max", "min", "median", "nanmedian", "sort", "topk", "kthvalue", "mode",
              "cummax", "cummin"):
    setattr(return_types, _name, _return_type(_name))
return_types.aminmax = _return_type("aminmax", ("min", "max"))
sys.modules.setdefault("ember.return_types", return_types)


# -- dims ------------------------------------------------------------------------------------

def _dims(dim: Any, ndim: int) -> tuple | None:
    """Normalise ``dim`` (int, tuple, list or None) to a sorted tuple of positive axes; None
    means every dim (as do ``()`` and ``[]``, and any dim of a 0-d tensor)."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    n = builtins.max(ndim, 1)
    out = []
    for d in dim:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, "
                             f"{n - 1}], but got {d})")
        out.append(d % n if ndim else 0)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    if not out or not ndim:
        return None
    return tuple(sorted(out))


def _count(size: tuple, axes: tuple | None) -> int:
    """How many elements each output element reduces over."""
    return math.prod(size) if axes is None else math.prod(size[d] for d in axes)


def _unsqueeze_to(grad: Tensor, size: tuple, axes: tuple | None, keepdim: bool) -> Tensor:
    """Put back the reduced dims (size 1) so that the gradient broadcasts over them."""
    if keepdim or axes is None and grad.ndim == len(size):
        return grad
    if axes is None:
        return grad.reshape((1,) * len(size))
    kept = list(grad.shape)
    for a in axes:
        kept.insert(a, 1)
    return grad.reshape(kept)


def _const(arr: Any) -> Tensor:
    """A constant (non-differentiable) tensor around an array computed in a backward."""
    return Tensor._make(arr)


def _is_float(a: Any) -> bool:
    return a.dtype.kind in "fc"


def _check_nonempty(a: Any, d: int, name: str) -> None:
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _even_weights(a: Any, extreme: Any, axes: tuple | None, nan_ties: bool) -> Tensor:
    """``mask / mask.sum(dims)`` where ``a`` equals its reduced ``extreme`` (keepdim shape):
    the share of the gradient each tied element gets. With ``nan_ties`` a NaN result picks
    the NaNs (max(), median()); without it, it picks nothing, as amax's formula does."""
    xp = array_module(a)
    mask = a == extreme
    if nan_ties and _is_float(a):
        mask |= xp.isnan(a) & xp.isnan(extreme)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = mask / mask.sum(axis=axes, keepdims=True)
    return _const(w.astype(a.dtype, copy=False))


def _scalar_result(a: Any, dtype: Any) -> Any:
    """A dim-wise reduction or scan of a 0-d array: a copy, in the result dtype."""
    dt = _sum_dtype(a, dtype)
    return a.astype(a.dtype if dt is None else dt)


def _sum_dtype(a: Any, dtype: Any) -> Any:
    if dtype is not None:
        return dtype.np
    return _INT64 if a.dtype.kind in "biu" else None


# -- sum / mean --------------------------------------------------------------------------

class Sum(Op, name="SumBackward0"):
    def forward(ctx, xp, a, *, dtype=None):
        ctx.shape = a.shape
        # The array method skips NumPy's Python-level wrapper: this is the hottest reduction.
        return a.sum(dtype=_sum_dtype(a, dtype))

    def grad_a(ctx, grad):
        g = grad._data
        if not _grad_state.enabled and g.ndim == 0 and math.prod(ctx.shape) <= 65536:
            # Plain backward of a small sum: a filled array costs a quarter of broadcast_to
            # (whose Python-level checks dominate at this size), and it is fresh, so the
            # leaf's AccumulateGrad can keep it without a copy.
            xp = np if g.__class__ is np.ndarray else array_module(g)
            return Tensor._make(xp.full(ctx.shape, g, dtype=g.dtype))
        return shape.Expand.apply(grad, shape=ctx.shape)  # the checks of expand() can't fail


class SumDim(Op, name="SumBackward1"):
    def forward(ctx, xp, a, *, dim, keepdim=False, dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        return a.sum(axis=dim, keepdims=keepdim, dtype=_sum_dtype(a, dtype))

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


def _mean_array(xp: Any, a: Any, axes: tuple | None, keepdim: bool, dtype: Any) -> Any:
    dt = dtype.np if dtype is not None else None
    if a.size == 0 or axes is not None and _count(a.shape, axes) == 0:
        # The mean of nothing is nan, without NumPy's "Mean of empty slice" warning.
        with np.errstate(invalid="ignore", divide="ignore"):
            s = xp.sum(a, axis=axes, keepdims=keepdim, dtype=dt)
            return xp.true_divide(s, _count(a.shape, axes)).astype(s.dtype, copy=False)
    return a.mean(axis=axes, keepdims=keepdim, dtype=dt)


class Mean(Op, name="MeanBackward0"):
    def forward(ctx, xp, a, *, dtype=None):
        _check_mean_dtype(a, dtype)
        ctx.shape, ctx.n = a.shape, a.size
        return _mean_array(xp, a, None, False, dtype)

    def grad_a(ctx, grad):
        return (grad / ctx.n).expand(ctx.shape)


class MeanDim(Op, name="MeanBackward1"):
    def forward(ctx, xp, a, *, dim, keepdim=False, dtype=None):
        _check_mean_dtype(a, dtype)
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        ctx.n = _count(a.shape, dim)
        return _mean_array(xp, a, dim, keepdim, dtype)

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


def sum(input: Tensor, dim: Any = _NO_DIM, keepdim: bool = False, *,
        dtype: Any = None) -> Tensor:
    """torch.sum."""
    if dim is _NO_DIM:
        if not keepdim:
            return Sum.apply(input, dtype=dtype)
        dim = None
    return SumDim.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = _NO_DIM, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """torch.mean."""
    if dim is _NO_DIM:
        if not keepdim:
            return Mean.apply(input, dtype=dtype)
        dim = None
    return MeanDim.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Tensor.sum_to_size: sum broadcast dims away so the result has ``size``."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    if tuple(input.shape) == tuple(size):
        return input
    return SumToSize.apply(input, size=tuple(size))


class Nansum(Op, name="NansumBackward0"):
    def forward(ctx, xp, a, *, dim, keepdim, dtype):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        if not _is_float(a):
            return xp.sum(a, axis=dim, keepdims=keepdim, dtype=_sum_dtype(a, dtype))
        return xp.nansum(a, axis=dim, keepdims=keepdim, dtype=_sum_dtype(a, dtype))

    def grad_a(ctx, grad, a):
        return _unsqueeze_to(grad, ctx.shape, ctx.axes, ctx.keepdim) * \
            pointwise.logical_not(pointwise.isnan(a))


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *,
           dtype: Any = None) -> Tensor:
    """torch.nansum."""
    if input._data.dtype.kind == "c":
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return Nansum.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
            dtype: Any = None) -> Tensor:
    """torch.nanmean: nansum over the count of non-NaNs (a DivBackward0, as in PyTorch)."""
    if not _is_float(input._data):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_word(input.dtype)}")
    count = sum(pointwise.logical_not(pointwise.isnan(input)), dim, keepdim)
    return pointwise.div(nansum(input, dim, keepdim, dtype=dtype), count)


# -- prod / cumsum / cumprod -----------------------------------------------------------------

def _reversed_cumsum(x: Tensor, dim: int) -> Tensor:
    return shape.flip(cumsum(shape.flip(x, dim), dim), dim)


def _conj(x: Tensor) -> Tensor:
    """Complex gradients use conjugated inputs (PyTorch's convention); reals pass through."""
    return pointwise.conj(x) if x._data.dtype.kind == "c" else x


def _prod_safe_zeros_backward(grad: Tensor, a: Tensor, dim: int) -> Tensor:
    """grad times the product of all other elements along ``dim``, without dividing by a
    (which may be zero): exclusive cumulative products from the left and from the right."""
    n = a.shape[dim]
    if a.numel() == 0:
        return grad.expand(a.shape)
    size = list(a.shape)
    size[dim] = 1
    xp = array_module(a._data)
    ones = _const(xp.ones(size, dtype=a._data.dtype))
    left = cumprod(shape.cat([ones, shape.narrow(a, dim, 0, n - 1)], dim), dim)
    right = shape.flip(cumprod(shape.cat(
        [ones, shape.flip(shape.narrow(a, dim, 1, n - 1), dim)], dim), dim), dim)
    return grad * (left * right)


class Prod(Op, name="ProdBackward0"):
    def forward(ctx, xp, a, *, dtype=None):
        return xp.prod(a, dtype=_sum_dtype(a, dtype))

    def grad_a(ctx, grad, a, result):
        if a.ndim == 0:
            return grad
        a, result = _conj(a), _conj(result)
        if (a._data != 0).all():
            return grad * (result / a)
        flat = a.reshape(-1)
        return _prod_safe_zeros_backward(grad, flat, 0).reshape(a.shape)


class ProdDim(Op, name="ProdBackward1"):
    def forward(ctx, xp, a, *, dim, keepdim=False, dtype=None):
        ctx.dim, ctx.keepdim = dim, keepdim
        if a.ndim == 0:
            return _scalar_result(a, dtype)
        return xp.prod(a, axis=dim, keepdims=keepdim, dtype=_sum_dtype(a, dtype))

    def grad_a(ctx, grad, a, result):
        if a.ndim == 0:
            return grad
        if not ctx.keepdim:
            grad, result = grad.unsqueeze(ctx.dim), result.unsqueeze(ctx.dim)
        a, result = _conj(a), _conj(result)
        if (a._data != 0).all():
            return grad * (result / a)
        return _prod_safe_zeros_backward(grad, a, ctx.dim)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """torch.prod."""
    if dim is None:
        return Prod.apply(input, dtype=dtype)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    return ProdDim.apply(input, dim=_wrap_dim(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def _low_precision_scan(scan: Any, a: Any, dim: int, dtype: Any) -> Any:
    """cumsum/cumprod; float16 accumulates in float32 as in PyTorch (a float16 running sum
    stops growing at 2048)."""
    if dtype is None and a.dtype == np.float16:
        return scan(a, axis=dim, dtype=np.float32).astype(np.float16)
    return scan(a, axis=dim, dtype=_sum_dtype(a, dtype))


class Cumsum(Op, name="CumsumBackward0"):
    def forward(ctx, xp, a, *, dim, dtype=None):
        ctx.dim = dim
        if a.ndim == 0:
            return _scalar_result(a, dtype)
        return _low_precision_scan(xp.cumsum, a, dim, dtype)

    def grad_a(ctx, grad):
        if grad.numel() <= 1 or grad.shape[ctx.dim] == 1:
            return grad
        return _reversed_cumsum(grad, ctx.dim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """torch.cumsum."""
    return Cumsum.apply(input, dim=_wrap_dim(dim, input.ndim), dtype=dtype)


class Cumprod(Op, name="CumprodBackward0"):
    def forward(ctx, xp, a, *, dim, dtype=None):
        ctx.dim = dim
        if a.ndim == 0:
            return _scalar_result(a, dtype)
        return _low_precision_scan(xp.cumprod, a, dim, dtype)

    def grad_a(ctx, grad, a, result):
        dim = ctx.dim
        if a.numel() <= 1 or a.shape[dim] == 1:
            return grad
        a, result = _conj(a), _conj(result)
        if (a._data != 0).all():
            return _reversed_cumsum(grad * result, dim) / a
        return _cumprod_zeros_backward(grad, a, dim)


def _cumprod_zeros_backward(grad: Tensor, a: Tensor, dim: int) -> Tensor:
    """d cumprod with zeros in the input, without dividing: grad_in[k] is the sum over j >= k
    of grad[j] * prod(x[i] for i <= j, i != k). Row k of a (n, n) matrix holds x with x[k]
    set to 1; its cumprod gives those products for every j at once (O(n^2), zeros only)."""
    n = a.shape[dim]
    x = shape.movedim(a, dim, -1)
    g = shape.movedim(grad, dim, -1)
    xp = array_module(a._data)
    eye = _const(xp.eye(n, dtype=bool))
    rows = pointwise.masked_fill(x.unsqueeze(-2).expand(*x.shape[:-1], n, n), eye, 1)
    products = cumprod(rows, -1)  # products[..., k, j]
    below = _const(xp.tri(n, n, -1, dtype=bool))  # j < k: no contribution
    out = pointwise.masked_fill(products * g.unsqueeze(-2), below, 0).sum(-1)
    return shape.movedim(out, -1, dim)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """torch.cumprod."""
    return Cumprod.apply(input, dim=_wrap_dim(dim, input.ndim), dtype=dtype)


class Logcumsumexp(Op, name="LogcumsumexpBackward0"):
    def forward(ctx, xp, a, *, dim):
        ctx.dim = dim
        a = pointwise._float_of(a)
        if a.ndim == 0:
            return a.copy()
        return xp.logaddexp.accumulate(a, axis=dim)

    def grad_a(ctx, grad, a, result):
        # PyTorch's formula: positive and negative parts of grad in log space, so that
        # nothing overflows where exp(a - result) would.
        if grad.ndim == 0 or grad.numel() == 0:
            return grad
        dim = ctx.dim
        lowest = float(np.finfo(grad._data.dtype).min)

        def reverse_lcse(x: Tensor) -> Tensor:
            return shape.flip(logcumsumexp(shape.flip(x, dim), dim), dim)

        log_abs = pointwise.log(pointwise.abs(grad))
        log_pos = pointwise.where(grad > 0, log_abs, lowest)
        log_neg = pointwise.where(grad < 0, log_abs, lowest)
        out_pos = pointwise.exp(reverse_lcse(log_pos - result) + a)
        out_neg = pointwise.exp(reverse_lcse(log_neg - result) + a)
        return out_pos - out_neg


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """torch.logcumsumexp."""
    return Logcumsumexp.apply(input, dim=_wrap_dim(dim, input.ndim))


# -- max / min / amax / amin / aminmax -------------------------------------------------------

def _empty_reduce_error(name: str) -> RuntimeError:
    return RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                        "== 0. Specify the reduction dim with the 'dim' argument.")


class MaxAll(Op, name="MaxBackward1"):
    fname, reduce = "max", "max"

    def forward(ctx, xp, a):
        if a.size == 0:
            raise _empty_reduce_error(ctx.fname)
        return getattr(a, ctx.reduce)()

    def grad_a(ctx, grad, a, result):
        return grad * _even_weights(a._data, result._data, None, True)


class MinAll(MaxAll, name="MinBackward1"):
    fname, reduce = "min", "min"


class Amax(Op, name="AmaxBackward0"):
    fname, reduce = "amax", "max"

    def forward(ctx, xp, a, *, dim, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        if dim is None and a.size == 0:
            raise _empty_reduce_error(ctx.fname)
        for d in dim or ():
            _check_nonempty(a, d, ctx.fname)
        return getattr(a, ctx.reduce)(axis=dim, keepdims=keepdim)

    def grad_a(ctx, grad, a, result):
        result = _unsqueeze_to(result, ctx.shape, ctx.axes, ctx.keepdim)
        grad = _unsqueeze_to(grad, ctx.shape, ctx.axes, ctx.keepdim)
        return grad * _even_weights(a._data, result._data, ctx.axes, False)


class Amin(Amax, name="AminBackward0"):
    fname, reduce = "amin", "min"


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """torch.amax."""
    return Amax.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """torch.amin."""
    return Amin.apply(input, dim=_dims(dim, input.ndim), keepdim=keepdim)


class Aminmax(Op, name="AminmaxBackward0"):
    n_outputs = 2

    def forward(ctx, xp, a, *, dim, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        if a.size == 0 and (dim is None or a.shape[dim[0]] == 0):
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        return a.min(axis=dim, keepdims=keepdim), a.max(axis=dim, keepdims=keepdim)

    def backward(ctx, grads, a):
        x, out = a._data, None
        for g, extreme in zip(grads, (x.min, x.max)):
            if g is None:
                continue
            w = _even_weights(x, extreme(axis=ctx.axes, keepdims=True), ctx.axes, False)
            part = _unsqueeze_to(g, ctx.shape, ctx.axes, ctx.keepdim) * w
            out = part if out is None else out + part
        return (out,)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """torch.aminmax: return_types.aminmax(min, max)."""
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    axes = None if dim is None else _dims(dim, input.ndim)
    return return_types.aminmax(*Aminmax.apply(input, dim=axes, keepdim=keepdim))


class _Selected(Op):
    """Values picked along ``dim`` at ``index`` (a keepdim-shaped int64 array): the gradient
    goes back to the picked positions only (PyTorch's value_selecting_reduction_backward)."""

    reduce: str | None = None  # an array method giving the same values faster

    def forward(ctx, xp, a, *, dim, index, keepdim):
        ctx.shape, ctx.dim, ctx.index, ctx.keepdim = a.shape, dim, index, keepdim
        if a.ndim == 0:
            return a.copy()
        if ctx.reduce is not None:
            return getattr(a, ctx.reduce)(axis=dim, keepdims=keepdim)
        out = xp.take_along_axis(a, index, axis=dim)
        return out if keepdim else out.squeeze(dim)

    def grad_a(ctx, grad):
        if not ctx.shape:
            return grad
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        xp = array_module(grad._data)
        zeros = _const(xp.zeros(ctx.shape, dtype=grad._data.dtype))
        return zeros.scatter(ctx.dim, _const(ctx.index), grad)


class MaxDim(_Selected, name="MaxBackward0"):
    reduce = "max"


class MinDim(_Selected, name="MinBackward0"):
    reduce = "min"


class MedianDim(_Selected, name="MedianBackward1"):
    pass


class NanmedianDim(_Selected, name="NanmedianBackward1"):
    pass


class Kthvalue(_Selected, name="KthvalueBackward0"):
    pass


class Mode(_Selected, name="ModeBackward0"):
    pass


class Sort(_Selected, name="SortBackward0"):
    pass


class SortStable(_Selected, name="SortBackward1"):
    pass


class Topk(_Selected, name="TopkBackward0"):
    pass


def _selected(cls: type, input: Tensor, dim: int, index: Any, keepdim: bool,
              rtype: type) -> Any:
    values = cls.apply(input, dim=dim, index=index, keepdim=keepdim)
    if not keepdim and index.ndim:
        index = index.squeeze(dim)
    return rtype(values, Tensor._make(index))


def _zero_index(xp: Any) -> Any:
    return xp.zeros((), dtype=_INT64)


def _max_min(input: Tensor, dim: Any, keepdim: bool, other: Any, is_max: bool) -> Any:
    if other is not None or isinstance(dim, Tensor):
        other = dim if other is None else other
        return (pointwise.maximum if is_max else pointwise.minimum)(input, other)
    if dim is None:
        return (MaxAll if is_max else MinAll).apply(input)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{'max' if is_max else 'min'}(): argument 'dim' must be int, not "
                        f"{type(dim).__name__}")
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        index = _zero_index(xp)
    else:
        _check_nonempty(a, d, "max" if is_max else "min")
        index = (xp.argmax if is_max else xp.argmin)(a, axis=d, keepdims=True)
    return _selected(MaxDim if is_max else MinDim, input, d, index, keepdim,
                     return_types.max if is_max else return_types.min)


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    """torch.max: the largest value, return_types.max(values, indices) along a dim, or the
    elementwise maximum with another tensor."""
    return _max_min(input, dim, keepdim, other, True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    """torch.min: the smallest value, return_types.min(values, indices) along a dim, or the
    elementwise minimum with another tensor."""
    return _max_min(input, dim, keepdim, other, False)


def _arg_extreme(input: Tensor, dim: Any, keepdim: bool, name: str) -> Tensor:
    a = input._data
    xp = array_module(a)
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    fn = xp.argmax if name == "argmax" else xp.argmin
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        out = xp.asarray(fn(a), dtype=_INT64)
        return Tensor._make(out.reshape((1,) * a.ndim) if keepdim else out)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return Tensor._make(_zero_index(xp))
    _check_nonempty(a, d, name)
    return Tensor._make(xp.asarray(fn(a, axis=d, keepdims=keepdim), dtype=_INT64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """torch.argmax."""
    return _arg_extreme(input, dim, keepdim, "argmax")


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """torch.argmin."""
    return _arg_extreme(input, dim, keepdim, "argmin")


# -- std / var ---------------------------------------------------------------------------

def _dof_warning(name: str) -> None:
    warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                  "than the reduction factor (input numel divided by output numel). (Triggered "
                  "internally at /__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)",
                  UserWarning, stacklevel=4)


def _var_array(xp: Any, a: Any, axes: tuple | None, correction: float, keepdim: bool) -> tuple:
    """(variance, mean) over ``axes``; the mean keeps the reduced dims."""
    n = _count(a.shape, axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = xp.sum(a, axis=axes, keepdims=True) / n if n else \
            xp.full([1 if axes is None or i in axes else s for i, s in enumerate(a.shape)],
                    np.nan, dtype=a.dtype)
        d = a - m
        sq = d * d if a.dtype.kind != "c" else d.real * d.real + d.imag * d.imag
        v = xp.sum(sq, axis=axes, keepdims=keepdim) / builtins.max(0, n - correction)
    return v.astype(sq.dtype, copy=False), m.astype(a.dtype, copy=False)


def _var_scale(ctx: Any) -> float:
    dof = ctx.n - ctx.correction
    return 2.0 / dof if dof != 0 else math.inf


def _var_backward(ctx: Any, grad: Tensor, a: Tensor) -> Tensor:
    grad = _unsqueeze_to(grad, ctx.shape, ctx.axes, ctx.keepdim)
    return (_var_scale(ctx) * grad) * (a - mean(a, ctx.axes, True))


def _std_backward(ctx: Any, grad: Tensor, a: Tensor, result: Tensor) -> Tensor:
    grad_var = pointwise.masked_fill(grad / (result * 2), result == 0, 0)
    return _var_backward(ctx, grad_var, a)


def _mean_backward(ctx: Any, grad: Tensor) -> Tensor:
    return _unsqueeze_to(grad / ctx.n, ctx.shape, ctx.axes, ctx.keepdim).expand(ctx.shape)


class Var(Op, name="VarBackward0"):
    def forward(ctx, xp, a, *, dim, correction, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        ctx.n, ctx.correction = _count(a.shape, dim), correction
        return _var_array(xp, a, dim, correction, keepdim)[0]

    def grad_a(ctx, grad, a):
        return _var_backward(ctx, grad, a)


class Std(Op, name="StdBackward0"):
    def forward(ctx, xp, a, *, dim, correction, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        ctx.n, ctx.correction = _count(a.shape, dim), correction
        return xp.sqrt(_var_array(xp, a, dim, correction, keepdim)[0])

    def grad_a(ctx, grad, a, result):
        return _std_backward(ctx, grad, a, result)


class VarMean(Op, name="VarMeanBackward0"):
    n_outputs = 2

    def forward(ctx, xp, a, *, dim, correction, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        ctx.n, ctx.correction = _count(a.shape, dim), correction
        v, m = _var_array(xp, a, dim, correction, keepdim)
        return v, m if keepdim else m.reshape(v.shape)

    def backward(ctx, grads, a):
        gvar, gmean = grads
        out = None if gvar is None else _var_backward(ctx, gvar, a)
        if gmean is not None:
            aux = _mean_backward(ctx, gmean)
            out = aux if out is None else out + aux
        return (out,)


class StdMean(VarMean, name="StdMeanBackward0"):
    def forward(ctx, xp, a, *, dim, correction, keepdim):
        v, m = VarMean.forward(ctx, xp, a, dim=dim, correction=correction, keepdim=keepdim)
        return xp.sqrt(v), m

    def backward(ctx, grads, a, result):
        gstd, gmean = grads
        out = None if gstd is None else _std_backward(ctx, gstd, a, result)
        if gmean is not None:
            aux = _mean_backward(ctx, gmean)
            out = aux if out is None else out + aux
        return (out,)


def _var_args(name: str, input: Tensor, dim: Any, unbiased: Any, correction: Any) -> tuple:
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                        "unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = _dims(dim, input.ndim)
    n = _count(input._data.shape, axes)
    if n - correction <= 0 or input._data.size == 0:
        _dof_warning(name)
    return axes, correction


def var(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """torch.var (Bessel-corrected by default; ``correction=`` or ``unbiased=``)."""
    axes, c = _var_args("var", input, dim, unbiased, correction)
    return Var.apply(input, dim=axes, correction=c, keepdim=keepdim)


def std(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """torch.std (Bessel-corrected by default; ``correction=`` or ``unbiased=``)."""
    axes, c = _var_args("std", input, dim, unbiased, correction)
    return Std.apply(input, dim=axes, correction=c, keepdim=keepdim)


def var_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple:
    """torch.var_mean: (var, mean) from one node."""
    axes, c = _var_args("var_mean", input, dim, unbiased, correction)
    return VarMean.apply(input, dim=axes, correction=c, keepdim=keepdim)


def std_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple:
    """torch.std_mean: (std, mean) from one node."""
    axes, c = _var_args("std_mean", input, dim, unbiased, correction)
    return StdMean.apply(input, dim=axes, correction=c, keepdim=keepdim)


# -- norm / logsumexp ------------------------------------------------------------------------

class VectorNorm(Op, name="LinalgVectorNormBackward0"):
    def forward(ctx, xp, a, *, ord, dim, keepdim, dtype):
        ctx.ord, ctx.shape, ctx.axes, ctx.keepdim = ord, a.shape, dim, keepdim
        if dtype is not None:
            a = a.astype(dtype.np, copy=False)
        real = np.empty(0, a.dtype).real.dtype
        if math.isinf(ord) and (a.size == 0 and dim is None or
                                dim is not None and 0 in (a.shape[d] for d in dim)):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                               "tensor because the operation does not have an identity")
        x = a if ord == 2 and a.dtype.kind != "c" else xp.abs(a)
        if ord == 2:
            return xp.sqrt(xp.sum(x * x, axis=dim, keepdims=keepdim))
        if ord == 1:
            return xp.sum(x, axis=dim, keepdims=keepdim)
        if ord == math.inf:
            return xp.max(x, axis=dim, keepdims=keepdim)
        if ord == -math.inf:
            return xp.min(x, axis=dim, keepdims=keepdim)
        if ord == 0:
            return xp.sum(x != 0, axis=dim, keepdims=keepdim).astype(real)
        with np.errstate(divide="ignore"):
            return xp.sum(x ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)

    def grad_a(ctx, grad, a, result):
        # PyTorch's norm_backward, one branch per order; zero norms give zero gradients.
        p = ctx.ord
        if p == 0:
            return None
        if a.ndim and not ctx.keepdim:
            grad = _unsqueeze_to(grad, ctx.shape, ctx.axes, False)
            result = _unsqueeze_to(result, ctx.shape, ctx.axes, False)
        if p == 1:
            return pointwise.sgn(a) * grad
        if p == 2:
            return grad * pointwise.masked_fill(a / result, result == 0, 0)
        if math.isinf(p):
            x = array_module(a._data).abs(a._data)
            return pointwise.sgn(a) * (grad * _even_weights(x, result._data, ctx.axes, True))
        if p < 1:
            scaled = pointwise.sgn(a) * pointwise.masked_fill(
                pointwise.abs(a) ** (p - 1), a == 0, 0)
            return scaled * grad * result ** (1 - p)
        scale = pointwise.masked_fill(grad / result ** (p - 1), result == 0, 0)
        if p < 2:
            return pointwise.sgn(a) * pointwise.abs(a) ** (p - 1) * scale
        return a * pointwise.abs(a) ** (p - 2) * scale


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """torch.linalg.vector_norm (for the linalg module to re-export)."""
    if x._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_word(x.dtype)}")
    return VectorNorm.apply(x, ord=float(ord), dim=_dims(dim, x.ndim), keepdim=keepdim,
                            dtype=dtype)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """torch.norm: vector norms (p=2/'fro' default, inf, -inf, 0, 1, any p) over dims."""
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("ember: norm(p='nuc') (the nuclear norm) is not supported")
        if p != "fro" or dim is not None and not isinstance(dim, (int, np.integer)) and \
                len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        p = 2
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)


class Logsumexp(Op, name="LogsumexpBackward0"):
    def forward(ctx, xp, a, *, dim, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, dim, keepdim
        a = pointwise._float_of(a)
        if a.size == 0:
            m = 0
        else:
            # Shift by the max for stability, but not by an infinite one (inf - inf = nan).
            m = xp.max(a, axis=dim, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m)
        with np.errstate(divide="ignore"):
            out = xp.log(xp.sum(xp.exp(a - m), axis=dim, keepdims=keepdim))
        if a.size:
            out += m if keepdim else m.reshape(out.shape)
        return out

    def grad_a(ctx, grad, a, result):
        if a.ndim and not ctx.keepdim:
            grad = _unsqueeze_to(grad, ctx.shape, ctx.axes, False)
            result = _unsqueeze_to(result, ctx.shape, ctx.axes, False)
        return grad * _conj(pointwise.exp(a - result))


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """torch.logsumexp."""
    axes = _dims(dim, input.ndim)
    if input.ndim and dim is not None and not isinstance(dim, (int, np.integer)) and \
            len(dim) == 0:
        # PyTorch refuses an empty dim list here (its output shape check fails).
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * input.ndim}")
    return Logsumexp.apply(input, dim=axes, keepdim=keepdim)


# -- all / any / count_nonzero ---------------------------------------------------------------

def _logical_reduce(input: Tensor, dim: Any, keepdim: bool, fn: str) -> Tensor:
    a = input._data
    if dim is None:
        out = getattr(a, fn)(keepdims=keepdim)
    elif not isinstance(dim, (int, np.integer)) and len(dim) == 0:
        out = a.astype(bool)  # an empty dim list reduces nothing here, unlike sum's
    else:
        axes = _dims(dim, a.ndim)
        out = getattr(a, fn)(axis=axes, keepdims=keepdim)
    xp = array_module(a)
    return Tensor._make(xp.asarray(out, dtype=np.uint8 if a.dtype == np.uint8 else bool))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """torch.all."""
    return _logical_reduce(input, dim, keepdim, "all")


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """torch.any."""
    return _logical_reduce(input, dim, keepdim, "any")


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """torch.count_nonzero."""
    a = input._data
    xp = array_module(a)
    out = xp.sum(a != 0, axis=_dims(dim, a.ndim))
    return Tensor._make(xp.asarray(out, dtype=_INT64))


# -- sort / topk / median / kthvalue / mode --------------------------------------------------

def _argsort(xp: Any, a: Any, dim: int, descending: bool) -> Any:
    """Stable argsort; NaN sorts as the largest value, as in PyTorch."""
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    # Stable descending: sort the reversed array ascending, then read it backwards, so
    # that equal values keep their original order.
    idx = xp.argsort(xp.flip(a, dim), axis=dim, kind="stable")
    return (a.shape[dim] - 1) - xp.flip(idx, dim)


def _take(xp: Any, arr: Any, dim: int, positions: Any) -> Any:
    return xp.take(arr, positions, axis=dim)


def sort(input: Tensor, dim: int = -1, descending: bool = False,
         stable: bool | None = None) -> Any:
    """torch.sort: return_types.sort(values, indices); always stable."""
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    index = _zero_index(xp) if a.ndim == 0 else _argsort(xp, a, d, descending)
    # Passing ``stable`` at all picks PyTorch's other overload (SortBackward1).
    return _selected(Sort if stable is None else SortStable, input, d, index, True,
                     return_types.sort)


def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    """torch.argsort."""
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    return Tensor._make(_zero_index(xp) if a.ndim == 0 else _argsort(xp, a, d, descending))


def msort(input: Tensor) -> Tensor:
    """torch.msort: sorted along dim 0."""
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> Any:
    """torch.topk: return_types.topk(values, indices), always in sorted order."""
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    n = a.shape[d] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        index = _zero_index(xp)  # PyTorch returns the element even for k=0
    else:
        index = _take(xp, _argsort(xp, a, d, largest), d, xp.arange(k))
    return _selected(Topk, input, d, index, True, return_types.topk)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """torch.kthvalue: the k-th smallest, return_types.kthvalue(values, indices)."""
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if a.ndim == 0:
        index = _zero_index(xp)
    else:
        index = _take(xp, _argsort(xp, a, d, False), d, xp.arange(k - 1, k))
    return _selected(Kthvalue, input, d, index, keepdim, return_types.kthvalue)


class MedianAll(Op, name="MedianBackward0"):
    ignore_nan = False

    def forward(ctx, xp, a):
        flat = a.reshape(-1)
        if _is_float(a):
            nan = xp.isnan(flat)
            if ctx.ignore_nan:
                flat = flat[~nan]
            elif nan.any():
                return xp.asarray(np.nan, dtype=a.dtype)
        if flat.size == 0:
            return xp.asarray(np.nan, dtype=a.dtype)
        k = (flat.size - 1) // 2  # the lower median, as in PyTorch
        return xp.partition(flat, k)[k]

    def grad_a(ctx, grad, a, result):
        return grad * _even_weights(a._data, result._data, None, True)


class NanmedianAll(MedianAll, name="NanmedianBackward0"):
    ignore_nan = True


def _median_dim(input: Tensor, dim: int, keepdim: bool, ignore_nan: bool) -> Any:
    name = "nanmedian" if ignore_nan else "median"
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    rtype = return_types.nanmedian if ignore_nan else return_types.median
    cls = NanmedianDim if ignore_nan else MedianDim
    if a.ndim == 0:
        return _selected(cls, input, d, _zero_index(xp), keepdim, rtype)
    _check_nonempty(a, d, name)
    order = _argsort(xp, a, d, False)  # NaNs last
    if not _is_float(a):
        return _selected(cls, input, d, _take(xp, order, d, [(a.shape[d] - 1) // 2]),
                         keepdim, rtype)
    nan = xp.isnan(a)
    if ignore_nan:
        count = a.shape[d] - nan.sum(axis=d, keepdims=True)
        pos = xp.maximum((count - 1) // 2, 0)
        index = xp.take_along_axis(order, pos, axis=d)
    else:
        index = _take(xp, order, d, [(a.shape[d] - 1) // 2])
        # A slice with a NaN has median NaN, at its first NaN.
        index = xp.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True),
                         index)
    return _selected(cls, input, d, index, keepdim, rtype)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """torch.median: the lower median; along a dim, return_types.median(values, indices)."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        return MedianAll.apply(input)
    return _median_dim(input, dim, keepdim, False)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """torch.nanmedian: median() ignoring NaNs."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"nanmedian_cpu\" not implemented for 'Bool'")
    if dim is None:
        return NanmedianAll.apply(input)
    return _median_dim(input, dim, keepdim, True)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """torch.mode: the most frequent value (the smallest of equally frequent ones) and the
    index of its last occurrence."""
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _selected(Mode, input, d, _zero_index(xp), keepdim, return_types.mode)
    _check_nonempty(a, d, "mode")
    x = xp.moveaxis(a, d, -1)
    order = xp.argsort(x, axis=-1, kind="stable")
    s = xp.take_along_axis(x, order, axis=-1)
    pos = xp.arange(s.shape[-1])
    starts = xp.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    # Run length so far at each sorted position; the first maximum ends the longest run of
    # the smallest value, and (stable order) holds that value's last index.
    run = pos - xp.maximum.accumulate(xp.where(starts, pos, 0), axis=-1)
    best = xp.argmax(run, axis=-1)[..., None]
    index = xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, d)
    return _selected(Mode, input, d, index, keepdim, return_types.mode)


# -- cummax / cummin -------------------------------------------------------------------------

class Cummax(Op, name="CummaxBackward0"):
    def forward(ctx, xp, a, *, dim, index):
        ctx.dim, ctx.index = dim, index
        if a.ndim == 0:
            return a.copy()
        return xp.take_along_axis(a, index, axis=dim)

    def grad_a(ctx, grad, a):
        # PyTorch saves the input and hands it back as the (empty) gradient of an empty one.
        if a.numel() == 0:
            return a
        if grad.ndim == 0:
            return grad
        xp = array_module(grad._data)
        zeros = _const(xp.zeros(grad.shape, dtype=grad._data.dtype))
        return zeros.scatter_add(ctx.dim, _const(ctx.index), grad)


class Cummin(Cummax, name="CumminBackward0"):
    pass


def _cum_extreme(input: Tensor, dim: int, is_max: bool) -> Any:
    a = input._data
    xp = array_module(a)
    d = _wrap_dim(dim, a.ndim)
    rtype = return_types.cummax if is_max else return_types.cummin
    cls = Cummax if is_max else Cummin
    if a.ndim == 0:
        index = _zero_index(xp)
    else:
        acc = (xp.maximum if is_max else xp.minimum).accumulate(a, axis=d)
        # The latest position holding the running extreme (a NaN counts as one).
        hit = a == acc
        if _is_float(a):
            hit |= xp.isnan(a)
        pos = xp.arange(a.shape[d]).reshape([-1 if i == d else 1 for i in range(a.ndim)])
        index = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=d)
    values = cls.apply(input, dim=d, index=index)
    return rtype(values, Tensor._make(index))


def cummax(input: Tensor, dim: int) -> Any:
    """torch.cummax: return_types.cummax(values, indices)."""
    return _cum_extreme(input, dim, True)


def cummin(input: Tensor, dim: int) -> Any:
    """torch.cummin: return_types.cummin(values, indices)."""
    return _cum_extreme(input, dim, False)


# -- diff / trace ----------------------------------------------------------------------------

def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """torch.diff: n-th forward difference along dim (composite: SubBackward0)."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.ndim)
    parts = [input]
    for extra, first in ((prepend, True), (append, False)):
        if extra is None:
            continue
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as "
                               "input")
        for i in range(input.ndim):
            if i != d and extra.shape[i] != input.shape[i]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({i}) = "
                    f"{input.shape[i]}, but got tensor.size({i}) = {extra.shape[i]}")
        parts.insert(0 if first else len(parts), extra)
    if n == 0:
        # PyTorch copies the input (ignoring prepend/append) into a new tensor: CopyBackwards.
        from .creation import empty

        return shape.copy_(empty(input.shape, dtype=input.dtype, device=input.device), input)
    x = shape.cat(parts, d) if len(parts) > 1 else input
    sub = pointwise.logical_xor if x.dtype is _dtype.bool else pointwise.sub
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        x = sub(shape.narrow(x, d, 1, length - 1), shape.narrow(x, d, 0, length - 1))
    return x


class Trace(Op, name="TraceBackward0"):
    def forward(ctx, xp, a):
        ctx.shape = a.shape
        return xp.trace(a, dtype=_sum_dtype(a, None))

    def grad_a(ctx, grad):
        xp = array_module(grad._data)
        return grad * _const(xp.eye(*ctx.shape, dtype=grad._data.dtype))


def trace(input: Tensor) -> Tensor:
    """torch.trace: the sum of a matrix's diagonal."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)

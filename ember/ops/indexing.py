"""Indexing: ``x[i]``, slices, None, ``...``, integer and boolean tensor indices, ``x[i] = v``,
and gather / scatter / index_select / masked_select / tril / triu / nonzero.

Basic indices become a chain of view ops, applied left to right as PyTorch does (so
``x[0]`` is a SelectBackward0 view and ``x[1:3]`` a SliceBackward0 view); tensor indices
then become one IndexBackward0 copy. Advanced indices follow NumPy's placement rules, which
are PyTorch's. Assignment writes through the same views, so the base gets PyTorch's
CopySlices history.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ._op import Op
from .shape import FillTensor, Slice, Unsqueeze, expand, select
from .views import apply_inplace

__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_select", "nonzero",
           "tril", "triu", "take", "index_add", "index_fill", "argwhere", "take_along_dim",
           "masked_scatter", "index_copy"]

_SEQUENCE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
    "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/"
    "python_variable_indexing.cpp:349.)")
_UINT8_WARNING = (
    "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/IndexingUtils.h:37.)")
_ZERO_DIM = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


# -- turning an index into views and index arrays ---------------------------------------------

def _as_tuple(index: Any) -> tuple:
    """PyTorch reads a short list holding sequences, slices or None as a tuple (with a
    deprecation warning), as old NumPy did."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(k, (Tensor, list, tuple, slice, np.ndarray)) or k is None or
            k is Ellipsis for k in index):
        warnings.warn(_SEQUENCE_WARNING, UserWarning, stacklevel=4)
        return tuple(index)
    return (index,)


def _np_index(x: Any) -> Any:
    """An index array from a tensor, list or array (bool masks stay bool)."""
    if isinstance(x, Tensor):
        arr = x._data
    elif isinstance(x, (list, tuple)):
        if not x:
            return np.zeros(0, np.int64)
        arr = np.asarray([i._data if isinstance(i, Tensor) else i for i in x])
    else:
        arr = np.asarray(x)
    if arr.dtype.kind not in "biu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.dtype == np.uint8:
        warnings.warn(_UINT8_WARNING, UserWarning, stacklevel=4)
        arr = arr.astype(np.bool_)
    return arr


def _dims_used(k: Any) -> int:
    """How many dimensions of the tensor one index entry consumes."""
    if k is None or k is Ellipsis or isinstance(k, bool):
        return 0
    if isinstance(k, Tensor):
        if k._data.dtype == np.bool_ or k._data.dtype == np.uint8:
            return k.ndim
        return 1
    if isinstance(k, np.ndarray) and k.dtype in (np.bool_, np.uint8):
        return k.ndim
    return 1


def _is_int(k: Any) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) or (
        isinstance(k, Tensor) and k.ndim == 0 and k._data.dtype.kind in "iu")


def _check_advanced(out: Tensor, entries: list) -> None:
    """PyTorch's errors for tensor indices: broadcast shapes first, then bounds."""
    shapes, k = [], 0
    for d, arr in entries:
        if arr.dtype == np.bool_:
            for j in range(arr.ndim):
                if arr.shape[j] != out.shape[d + j]:
                    raise IndexError(f"The shape of the mask {list(arr.shape)} at index {j} does "
                                     "not match the shape of the indexed tensor "
                                     f"{list(out.shape)} at index {d + j}")
            shapes += [(int(arr.sum()),)] * max(arr.ndim, 1)
        else:
            shapes.append(arr.shape)
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        text = ", ".join(str(list(s)) for s in shapes)
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {text}") from None
    for d, arr in entries:
        if arr.dtype == np.bool_:
            k += max(arr.ndim, 1)
            continue
        size = out.shape[d]
        if arr.size:
            bad = (arr >= size) | (arr < -size)
            if bad.any():
                raise IndexError(f"index {int(arr[bad].flat[0])} is out of bounds for dimension "
                                 f"{k} with size {size}")
        k += 1


def _split_index(x: Tensor, index: Any, read: bool = True) -> tuple[Tensor, tuple | None]:
    """Apply the basic part of ``index`` as views, left to right; return the view and the
    index arrays of the advanced part (None if there is none)."""
    # x[:] reads as a SliceBackward0 view, but x[:] = v writes into x itself, as in PyTorch.
    single_slice = read and isinstance(index, slice)
    index = _as_tuple(index)
    specified = sum(_dims_used(k) for k in index)
    if specified > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    advanced: list = []  # one entry per dim of ``out``: slice(None) or an index array
    entries: list = []  # (dim of out, array) for the checks
    out, d, real = x, 0, 0  # real counts the input's dims, as PyTorch's messages do
    for k in index:
        if k is Ellipsis:
            skip = x.ndim - specified
            advanced += [slice(None)] * skip
            d, real = d + skip, real + skip
        elif k is None:
            out = Unsqueeze.apply(out, dim=d)
            advanced.append(slice(None))
            d += 1
        elif isinstance(k, (bool, np.bool_)) or isinstance(k, Tensor) and k.ndim == 0 and \
                k._data.dtype == np.bool_:
            out = Unsqueeze.apply(out, dim=d)
            arr = np.array([bool(k)])
            advanced.append(arr)
            entries.append((d, arr))
            d += 1
        elif _is_int(k):
            if out.ndim == 0:
                raise IndexError(_ZERO_DIM)
            i, size = int(k), out.shape[d]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {real} with size "
                                 f"{size}")
            out = select(out, d, i)
            real += 1
        elif isinstance(k, slice):
            start, stop, step = k.indices(out.shape[d])
            if step <= 0:
                raise ValueError("step must be greater than zero")
            if single_slice or not (start == 0 and stop >= out.shape[d] and step == 1):
                out = Slice.apply(out, dim=d, start=start, stop=max(stop, start), step=step)
            advanced.append(slice(None))
            d, real = d + 1, real + 1
        elif isinstance(k, (Tensor, list, tuple, np.ndarray)):
            arr = _np_index(k)
            advanced.append(arr)
            entries.append((d, arr))
            n = arr.ndim if arr.dtype == np.bool_ else 1
            d, real = d + n, real + n
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got float)")
        else:
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
    if not entries:
        return out, None
    _check_advanced(out, entries)
    # Trailing full slices change nothing; NumPy's placement rules are PyTorch's.
    while advanced and isinstance(advanced[-1], slice):
        advanced.pop()
    return out, tuple(advanced)


class Index(Op, name="IndexBackward0"):
    def forward(ctx, xp, a, *, indices):
        ctx.shape, ctx.indices = a.shape, indices
        return a[indices]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return IndexPut.apply(out, grad, indices=ctx.indices, accumulate=True)


class IndexPut(Op, name="IndexPutBackward0"):
    def forward(ctx, xp, a, values, *, indices, accumulate):
        ctx.indices, ctx.accumulate = indices, accumulate
        out = a.copy()
        values = values.astype(a.dtype, copy=False) if hasattr(values, "astype") else values
        if accumulate:
            xp.add.at(out, indices, values)
            return out
        try:
            out[indices] = values
        except ValueError:
            target = a[indices].shape
            raise RuntimeError(f"shape mismatch: value tensor of shape "
                               f"{list(np.shape(values))} cannot be broadcast to indexing "
                               f"result of shape {list(target)}") from None
        return out

    def grad_a(ctx, grad):
        if ctx.accumulate:
            return grad
        return IndexPut.apply(grad, 0.0, indices=ctx.indices, accumulate=False)

    def grad_values(ctx, grad):
        return Index.apply(grad, indices=ctx.indices)


class Alias(Op, name="AliasBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        return a.view()

    def grad_a(ctx, grad):
        return grad


def getitem(self: Tensor, index: Any) -> Tensor:
    """Tensor.__getitem__."""
    if _is_int(index) and not isinstance(index, Tensor):  # the common x[i], kept short
        if self._data.ndim == 0:
            raise IndexError(_ZERO_DIM)
        size = self._data.shape[0]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        return select(self, 0, index)
    out, adv = _split_index(self, index)
    if adv is None:
        if out is self:  # x[...] and x[:, :] are aliases, recorded as PyTorch's AliasBackward0
            return Alias.apply(self)
        return out
    return Index.apply(out, indices=adv)


def _value_type_name(value: Any) -> str:
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__.split('.')[0]}." \
        f"{cls.__name__}"


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """Tensor.__setitem__: writes through a view, so autograd history follows."""
    from .._tensor import _legacy_type_name

    if not isinstance(value, (Tensor, int, float, bool, complex, np.generic)):
        raise TypeError(f"can't assign a {_value_type_name(value)} to a "
                        f"{_legacy_type_name(self)}")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Tensor) and value.device != self.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           f"two devices, {self.device} and {value.device}!")
    out, adv = _split_index(self, index, read=False)
    if adv is None:
        _copy_to(out, value)
        return
    if isinstance(value, Tensor) and value.dtype is not self.dtype:
        if isinstance(index, Tensor) and index._data.dtype == np.bool_ and value.numel() == 1:
            value = value.to(self.dtype)  # PyTorch converts a lone value under a mask
    if isinstance(value, Tensor) and value.dtype is not self.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self.dtype.type_word} for the destination and "
                           f"{value.dtype.type_word} for the source.")
    apply_inplace(out, IndexPut, value, indices=adv, accumulate=False)


def _copy_to(dst: Tensor, value: Any) -> None:
    """PyTorch's copy_to for ``x[basic index] = value``: a number or 0-dim tensor fills, a
    tensor of another shape is expanded (after dropping leading 1s) and copied."""
    if not isinstance(value, Tensor):
        apply_inplace(dst, FillTensor, value)
        return
    if value.shape == dst.shape:
        dst.copy_(value)
        return
    if value.ndim == 0:
        apply_inplace(dst, FillTensor, value)
        return
    shape = value.shape
    lead = 0
    while lead < len(shape) and shape[lead] == 1:
        lead += 1
    if lead:
        value = value.view(shape[lead:])
    dst.copy_(expand(value, dst.shape))


def index_put(input: Tensor, indices: tuple, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """torch.index_put (out of place)."""
    _check_put_dtype(input, values)
    return IndexPut.apply(input, values, indices=tuple(_np_index(i) for i in indices),
                          accumulate=accumulate)


def index_put_(input: Tensor, indices: tuple, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """Tensor.index_put_."""
    _check_put_dtype(input, values)
    return apply_inplace(input, IndexPut, values, indices=tuple(_np_index(i) for i in indices),
                         accumulate=accumulate)


def _check_put_dtype(input: Tensor, values: Any) -> None:  # noqa: A002
    if isinstance(values, Tensor) and values.dtype is not input.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{input.dtype.type_word} for the destination and "
                           f"{values.dtype.type_word} for the source.")


# -- gather / scatter ------------------------------------------------------------------------

def _along(xp: Any, index: Any, dim: int) -> tuple:
    """Open-mesh index arrays that address ``index``'s positions, with ``index`` at dim."""
    grids = list(xp.ogrid[tuple(slice(s) for s in index.shape)]) if index.ndim else []
    if not grids:
        return (index,)
    grids[dim] = index
    return tuple(grids)


def _index_array(index: Tensor, what: str) -> Any:
    arr = index._data
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{what}(): Expected dtype int32/int64 for index")
    return arr


def _check_bounds(arr: Any, size: int, dim: int, exc: type = RuntimeError,
                  prefix: str = "") -> None:
    if arr.size:
        bad = (arr >= size) | (arr < -size)
        if bad.any():
            raise exc(f"{prefix}index {int(arr[bad].flat[0])} is out of bounds for dimension "
                      f"{dim} with size {size}")


def _check_index_shape(input: Tensor, index: Any, dim: int, src: Any = None) -> None:  # noqa: A002
    """gather/scatter: index may not be larger than input (and src) outside ``dim``."""
    ishape, sshape = list(index.shape), list(input.shape)
    for d in range(index.ndim):
        too_big = d != dim and ishape[d] > sshape[d]
        src_small = src is not None and ishape[d] > src.shape[d]
        if too_big or src_small:
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {d} expected index "
                                   f"{ishape} to be no larger than self {sshape} apart from "
                                   f"dimension {dim}")
            raise RuntimeError(f"Expected index {ishape} to be no larger than self {sshape} "
                               f"apart from dimension {dim} and to be no larger size than src "
                               f"{list(src.shape)}")


class Gather(Op, name="GatherBackward0"):
    def forward(ctx, xp, a, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        if a.ndim == 0:
            return a.reshape(index.shape).copy()
        return a[_along(xp, index, dim)]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return ScatterAdd.apply(out, grad, dim=ctx.dim, index=ctx.index)


class Scatter(Op, name="ScatterBackward0"):
    def forward(ctx, xp, a, src, *, dim, index):
        ctx.dim, ctx.index = dim, index
        return _scatter(xp, a, src, dim, index, None)

    def grad_a(ctx, grad):
        return ScatterValue.apply(grad, dim=ctx.dim, index=ctx.index, value=0)

    def grad_src(ctx, grad):
        return Gather.apply(grad, dim=ctx.dim, index=ctx.index)


class ScatterValue(Op, name="ScatterBackward1"):
    def forward(ctx, xp, a, *, dim, index, value):
        ctx.dim, ctx.index = dim, index
        return _scatter(xp, a, value, dim, index, None)

    def grad_a(ctx, grad):
        return ScatterValue.apply(grad, dim=ctx.dim, index=ctx.index, value=0)


class ScatterReduce(Op, name="NotImplemented"):
    """scatter with ``reduce=``: PyTorch has no derivative for it."""

    def forward(ctx, xp, a, src, *, dim, index, reduce):
        return _scatter(xp, a, src, dim, index, reduce)

    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


def _scatter(xp: Any, a: Any, src: Any, dim: int, index: Any, reduce: str | None) -> Any:
    out = a.copy()
    if a.ndim == 0:
        pos: Any = ()
    else:
        pos = _along(xp, index, dim)
    if hasattr(src, "shape") and src.ndim:
        src = src[tuple(slice(s) for s in index.shape)].astype(a.dtype, copy=False)
    if reduce is None:
        out[pos] = src
    elif reduce == "add":
        xp.add.at(out, pos, src)
    else:
        xp.multiply.at(out, pos, src)
    return out


class ScatterAdd(Op, name="ScatterAddBackward0"):
    def forward(ctx, xp, a, src, *, dim, index):
        ctx.dim, ctx.index = dim, index
        return _scatter(xp, a, src, dim, index, "add")

    def grad_a(ctx, grad):
        return grad

    def grad_src(ctx, grad):
        return Gather.apply(grad, dim=ctx.dim, index=ctx.index)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """torch.gather: out[i][j] = input[index[i][j]][j] (for dim 0)."""
    idx = _index_array(index, "gather")
    d = _wrap_dim(dim, input.ndim)
    if idx.ndim != input.ndim and input.ndim and idx.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    _check_index_shape(input, idx, d)
    _check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    return Gather.apply(input, dim=d, index=idx)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """torch.take_along_dim: gather after broadcasting all but ``dim``."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _wrap_dim(dim, input.ndim)
    shape = list(np.broadcast_shapes(
        tuple(s for i, s in enumerate(input.shape) if i != d),
        tuple(s for i, s in enumerate(indices.shape) if i != d)))
    ishape = shape[:d] + [input.shape[d]] + shape[d:]
    jshape = shape[:d] + [indices.shape[d]] + shape[d:]
    return gather(input.expand(ishape), d, indices.expand(jshape))


_REDUCE_WARNING = (
    "The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in "
    "a future PyTorch release. Use torch.scatter_reduce instead for more reduction options. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
    "TensorAdvancedIndexing.cpp:225.)")


def _scatter_args(input: Tensor, dim: int, index: Tensor, src: Any, value: Any,  # noqa: A002
                  reduce: str | None) -> tuple:
    """Checks shared by scatter and scatter_: the op class and its arguments."""
    idx = _index_array(index, "scatter")
    d = _wrap_dim(dim, input.ndim)
    if idx.ndim != input.ndim and input.ndim and idx.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")
    if src is None:
        src = value
    is_tensor = isinstance(src, Tensor)
    _check_index_shape(input, idx, d, src._data if is_tensor else None)
    _check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if is_tensor:
            warnings.warn(_REDUCE_WARNING, UserWarning, stacklevel=3)
        return ScatterReduce, (src,), {"dim": d, "index": idx, "reduce": reduce}
    if is_tensor:
        return Scatter, (src,), {"dim": d, "index": idx}
    return ScatterValue, (), {"dim": d, "index": idx, "value": src}


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,  # noqa: A002
            reduce: str | None = None) -> Tensor:
    """torch.scatter (src tensor or value)."""
    cls, args, attrs = _scatter_args(input, dim, index, src, value, reduce)
    return cls.apply(input, *args, **attrs)


def scatter_(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,  # noqa: A002
             reduce: str | None = None) -> Tensor:
    """Tensor.scatter_."""
    cls, args, attrs = _scatter_args(input, dim, index, src, value, reduce)
    return apply_inplace(input, cls, *args, **attrs)


def _scatter_add_args(input: Tensor, dim: int, index: Tensor, src: Tensor) -> dict:  # noqa: A002
    idx = _index_array(index, "scatter")
    d = _wrap_dim(dim, input.ndim)
    _check_index_shape(input, idx, d, src._data)
    _check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    return {"dim": d, "index": idx}


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """torch.scatter_add: out[index[i][j]][j] += src[i][j] (for dim 0)."""
    return ScatterAdd.apply(input, src, **_scatter_add_args(input, dim, index, src))


def scatter_add_(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """Tensor.scatter_add_."""
    return apply_inplace(input, ScatterAdd, src, **_scatter_add_args(input, dim, index, src))


# -- index_select / index_add / index_fill / index_copy ------------------------------------------

def _pos(dim: int, index: Any) -> tuple:
    return (slice(None),) * dim + (index,)


class IndexSelect(Op, name="IndexSelectBackward0"):
    def forward(ctx, xp, a, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return xp.take(a, index, axis=dim) if a.ndim else a.reshape(1)[index]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return IndexAdd.apply(out, grad, dim=ctx.dim, index=ctx.index, alpha=1)


class IndexAdd(Op, name="IndexAddBackward0"):
    def forward(ctx, xp, a, src, *, dim, index, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = a.copy()
        src = src.astype(a.dtype, copy=False)
        xp.add.at(out, _pos(dim, index), src * alpha if alpha != 1 else src)
        return out

    def grad_a(ctx, grad):
        return grad

    def grad_src(ctx, grad):
        g = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index)
        return g * ctx.alpha if ctx.alpha != 1 else g


class IndexFill(Op, name="IndexFillBackward0"):
    def forward(ctx, xp, a, *, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out[_pos(dim, index)] = value
        return out

    def grad_a(ctx, grad):
        return IndexFill.apply(grad, dim=ctx.dim, index=ctx.index, value=0)


class IndexFillTensor(Op, name="IndexFillBackward1"):
    def forward(ctx, xp, a, value, *, dim, index):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out[_pos(dim, index)] = value
        return out

    def grad_a(ctx, grad):
        return IndexFill.apply(grad, dim=ctx.dim, index=ctx.index, value=0)

    def grad_value(ctx, grad):
        return IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index).sum()


class IndexCopy(Op, name="IndexCopyBackward0"):
    def forward(ctx, xp, a, src, *, dim, index):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out[_pos(dim, index)] = src
        return out

    def grad_a(ctx, grad):
        return IndexFill.apply(grad, dim=ctx.dim, index=ctx.index, value=0)

    def grad_src(ctx, grad):
        return IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index)


def _vector_index(index: Tensor) -> Any:
    return index._data.reshape(-1)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """torch.index_select."""
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    d = _wrap_dim(dim, input.ndim)
    idx = _vector_index(index)
    size = input.shape[d] if input.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < 0):
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, dim=d, index=idx)


def _index_add_args(input: Tensor, dim: int, index: Tensor, source: Tensor) -> dict:  # noqa: A002
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype.type_word}")
    d = _wrap_dim(dim, input.ndim)
    idx = _vector_index(index)
    n = source.shape[d] if source.ndim else 1
    if idx.size != n:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({n}), for dim: {d}")
    _check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    return {"dim": d, "index": idx}


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """torch.index_add: input[..., index[i], ...] += alpha * source[..., i, ...]."""
    return IndexAdd.apply(input, source, alpha=alpha, **_index_add_args(input, dim, index,
                                                                        source))


def index_add_(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """Tensor.index_add_."""
    return apply_inplace(input, IndexAdd, source, alpha=alpha,
                         **_index_add_args(input, dim, index, source))


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """torch.index_fill: value along ``dim`` at the given indices."""
    if index.dtype is not _dtype.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    d = _wrap_dim(dim, input.ndim)
    idx = _vector_index(index)
    _check_bounds(idx, input.shape[d] if input.ndim else 1, d, IndexError)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return IndexFillTensor.apply(input, value, dim=d, index=idx)
    return IndexFill.apply(input, dim=d, index=idx, value=value)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """torch.index_copy: source's slices copied to input at the given indices."""
    if index.dtype is not _dtype.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got "
                           f"{index.dtype.type_word}")
    d = _wrap_dim(dim, input.ndim)
    idx = _vector_index(index)
    _check_bounds(idx, input.shape[d] if input.ndim else 1, d, IndexError, "index_copy_(): ")
    return IndexCopy.apply(input, source, dim=d, index=idx)


# -- masks ------------------------------------------------------------------------------------

class MaskedSelect(Op, name="MaskedSelectBackward0"):
    def forward(ctx, xp, a, *, mask):
        shape = np.broadcast_shapes(a.shape, mask.shape)
        ctx.shape, ctx.mask = shape, xp.broadcast_to(mask, shape)
        return xp.broadcast_to(a, shape)[ctx.mask]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return IndexPut.apply(out, grad, indices=(ctx.mask,), accumulate=False)


class MaskedScatter(Op, name="MaskedScatterBackward0"):
    def forward(ctx, xp, a, source, *, mask):
        m = xp.broadcast_to(mask, a.shape)
        n = int(m.sum())
        if n > source.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        ctx.mask, ctx.n, ctx.source_shape = m, n, source.shape
        out = a.copy()
        out[m] = source.reshape(-1)[:n]
        return out

    def grad_a(ctx, grad):
        return grad.masked_fill(Tensor._make(ctx.mask), 0)

    def grad_source(ctx, grad):
        from .creation import zeros

        flat = zeros(int(np.prod(ctx.source_shape)), dtype=grad.dtype, device=grad.device)
        picked = Index.apply(grad, indices=(ctx.mask,))
        return IndexPut.apply(flat, picked, indices=(np.arange(ctx.n),),
                              accumulate=False).reshape(ctx.source_shape)


def _bool_mask(mask: Tensor, what: str) -> Any:
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"{what}: expected BoolTensor for mask")
    return mask._data


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """torch.masked_select: a 1-D tensor of the elements where mask is True."""
    return MaskedSelect.apply(input, mask=_bool_mask(mask, "masked_select"))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """torch.masked_scatter: source's elements, in order, where mask is True."""
    return MaskedScatter.apply(input, source, mask=_bool_mask(mask, "masked_scatter_"))


def masked_scatter_(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """Tensor.masked_scatter_."""
    return apply_inplace(input, MaskedScatter, source,
                         mask=_bool_mask(mask, "masked_scatter_"))


# -- nonzero, take, tril / triu -----------------------------------------------------------------

def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """torch.nonzero: the indices of the non-zero elements, one row each (int64)."""
    from .._device import array_module

    xp = array_module(input._data)
    arr = input._data
    if as_tuple:
        nz = xp.nonzero(arr.reshape(1) if arr.ndim == 0 else arr)
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in nz)
    if arr.ndim == 0:
        return Tensor._make(xp.zeros((1 if arr else 0, 0), np.int64))
    return Tensor._make(xp.stack(xp.nonzero(arr), axis=1).astype(np.int64, copy=False))


argwhere = nonzero


class Take(Op, name="TakeBackward0"):
    def forward(ctx, xp, a, *, index):
        ctx.shape, ctx.index = a.shape, index
        return a.reshape(-1)[index]

    def grad_a(ctx, grad):
        from .creation import zeros

        n = int(np.prod(ctx.shape))
        flat = zeros(n, dtype=grad.dtype, device=grad.device)
        return IndexPut.apply(flat, grad, indices=(ctx.index,), accumulate=True).reshape(
            ctx.shape)


def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """torch.take: index into the flattened input."""
    idx = index._data
    n = input.numel()
    if idx.size:
        bad = (idx >= n) | (idx < -n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {int(idx[bad].flat[0])} on a "
                             f"tensor of {n} elements.")
    return Take.apply(input, index=idx)


class Tril(Op, name="TrilBackward0"):
    def forward(ctx, xp, a, *, diagonal):
        ctx.k = diagonal
        return xp.tril(a, diagonal)

    def grad_a(ctx, grad):
        return grad.tril(ctx.k)


class Triu(Op, name="TriuBackward0"):
    def forward(ctx, xp, a, *, diagonal):
        ctx.k = diagonal
        return xp.triu(a, diagonal)

    def grad_a(ctx, grad):
        return grad.triu(ctx.k)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """torch.tril: the lower triangle (the rest set to 0)."""
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, diagonal=diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """torch.triu: the upper triangle (the rest set to 0)."""
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, diagonal=diagonal)


"""Indexing: ``x[i]``, slices, None, ``...``, integer and boolean tensor indices, ``x[i] = v``,
and gather / scatter / index_select / masked_select / tril / triu / nonzero.

Basic indices become a chain of view ops, applied left to right as PyTorch does (so
``x[0]`` is a SelectBackward0 view and ``x[1:3]`` a SliceBackward0 view); tensor indices
then become one IndexBackward0 copy. Assignment writes through the same views, so the base
gets PyTorch's CopySlices history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ._op import Op
from .shape import Slice, Unsqueeze, _slice, select
from .views import apply_inplace

__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_select", "nonzero",
           "tril", "triu", "take", "index_add", "index_fill", "argwhere", "take_along_dim",
           "masked_scatter", "index_copy"]


def _np_index(x: Any) -> Any:
    """An index array from a tensor, list or array (bool masks stay bool)."""
    if isinstance(x, Tensor):
        arr = x._data
    else:
        arr = np.asarray([i._data if isinstance(i, Tensor) else i for i in x]
                         if isinstance(x, (list, tuple)) else x)
    if arr.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.dtype == np.uint8:
        arr = arr.astype(np.bool_)
    return arr


def _is_advanced(k: Any) -> bool:
    return isinstance(k, (Tensor, list, np.ndarray)) or (
        isinstance(k, tuple))


def _index_size(k: Any) -> int:
    if isinstance(k, (Tensor, np.ndarray)) and np.asarray(
            k._data if isinstance(k, Tensor) else k).dtype in (np.bool_, np.uint8):
        return k.ndim
    return 1


def _split_index(x: Tensor, index: Any) -> tuple[Tensor, tuple | None]:
    """Apply the basic part of ``index`` as views; return the view and the advanced part."""
    single_slice = isinstance(index, slice)
    if not isinstance(index, tuple):
        index = (index,)
    consumed = sum(_index_size(k) for k in index if k is not None and k is not Ellipsis and
                   not isinstance(k, bool))
    if consumed > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    advanced: list = []
    has_adv = False
    out, d = x, 0
    for k in index:
        if k is Ellipsis:
            skip = x.ndim - consumed
            advanced += [slice(None)] * skip
            d += skip
        elif k is None:
            out = Unsqueeze.apply(out, dim=d)
            advanced.append(slice(None))
            d += 1
        elif isinstance(k, bool):
            out = Unsqueeze.apply(out, dim=d)
            advanced.append(np.array([True]) if k else np.array([False]))
            has_adv = True
            d += 1
        elif isinstance(k, (int, np.integer)) or (isinstance(k, Tensor) and k.ndim == 0 and
                                                  k.dtype.category == 1):
            if out.ndim == 0:
                raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in "
                                 "Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor "
                                 "to a number")
            i, size = int(k), out.shape[d]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {d} with size "
                                 f"{size}")
            out = select(out, d, i)
        elif isinstance(k, slice):
            start, stop, step = k.indices(out.shape[d])
            if step <= 0:
                raise ValueError("step must be greater than zero")
            if single_slice or not (start == 0 and stop >= out.shape[d] and step == 1):
                out = _slice(out, d, k)
            advanced.append(slice(None))
            d += 1
        else:
            arr = _np_index(k)
            has_adv = True
            if arr.dtype == np.bool_:
                shape = out.shape[d:d + arr.ndim]
                if tuple(arr.shape) != tuple(shape) and arr.ndim:
                    raise IndexError(f"The shape of the mask {list(arr.shape)} at index {0} "
                                     f"does not match the shape of the indexed tensor "
                                     f"{list(shape)} at index {d}")
                advanced.append(arr)
                d += arr.ndim
            else:
                size = out.shape[d]
                if arr.size and (arr.max() >= size or arr.min() < -size):
                    bad = int(arr.max() if arr.max() >= size else arr.min())
                    raise IndexError(f"index {bad} is out of bounds for dimension {d} with "
                                     f"size {size}")
                advanced.append(arr)
                d += 1
    if not has_adv:
        return out, None
    # Indices that come after the advanced ones were applied as views already.
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
        else:
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


def getitem(self: Tensor, index: Any) -> Tensor:
    """Tensor.__getitem__."""
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
        if self.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        size = self.shape[0]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        return select(self, 0, index)
    out, adv = _split_index(self, index)
    if adv is None:
        if out is self:  # x[...] and x[:, :] are aliases, recorded as PyTorch's AliasBackward0
            return Alias.apply(self)
        return out
    return Index.apply(out, indices=adv)


class Alias(Op, name="AliasBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        return a.view()

    def grad_a(ctx, grad):
        return grad


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """Tensor.__setitem__: writes through a view, so autograd history follows."""
    out, adv = _split_index(self, index)
    if isinstance(value, Tensor) and value.device != self.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           f"two devices, {self.device} and {value.device}!")
    if isinstance(value, Tensor):
        # PyTorch drops leading size-1 dims of the value (J[0] = x.grad with x.grad 1x2).
        while value.ndim > out.ndim and value.shape[0] == 1:
            value = value[0]
    if adv is None:
        if isinstance(value, (np.ndarray, list)):
            from .creation import tensor

            value = tensor(value, dtype=self.dtype)
        out.copy_(value)
        return
    if not isinstance(value, Tensor):
        value = value if np.ndim(value) == 0 else np.asarray(value)
    apply_inplace(out, IndexPut, value, indices=adv, accumulate=False)


def index_put(input: Tensor, indices: tuple, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """torch.index_put (out of place)."""
    return IndexPut.apply(input, values, indices=tuple(_np_index(i) for i in indices),
                          accumulate=accumulate)


def index_put_(input: Tensor, indices: tuple, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """Tensor.index_put_."""
    return apply_inplace(input, IndexPut, values, indices=tuple(_np_index(i) for i in indices),
                         accumulate=accumulate)


# -- gather / scatter ------------------------------------------------------------------------

def _check_index_dtype(index: Tensor, what: str) -> None:
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"{what}(): Expected dtype int64 for index")


def _along(xp: Any, index: Any, dim: int) -> tuple:
    """Open-mesh index arrays that address ``index``'s positions, with ``index`` at dim."""
    grids = list(xp.ogrid[tuple(slice(s) for s in index.shape)]) if index.ndim else []
    grids[dim] = index
    return tuple(grids)


class Gather(Op, name="GatherBackward0"):
    def forward(ctx, xp, a, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        if a.ndim == 0:
            return a.copy()
        return a[_along(xp, index, dim)]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return ScatterAdd.apply(out, grad, dim=ctx.dim, index=ctx.index)


class Scatter(Op, name="ScatterBackward0"):
    def forward(ctx, xp, a, src, *, dim, index, reduce=None):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        pos = _along(xp, index, dim)
        if hasattr(src, "shape") and src.ndim:
            src = src[tuple(slice(s) for s in index.shape)]
        if reduce is None:
            out[pos] = src
        elif reduce == "add":
            xp.add.at(out, pos, src)
        elif reduce == "multiply":
            xp.multiply.at(out, pos, src)
        return out

    def grad_a(ctx, grad):
        return Scatter.apply(grad, 0.0, dim=ctx.dim, index=ctx.index)

    def grad_src(ctx, grad):
        return Gather.apply(grad, dim=ctx.dim, index=ctx.index)


class ScatterAdd(Op, name="ScatterAddBackward0"):
    def forward(ctx, xp, a, src, *, dim, index):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        src = src[tuple(slice(s) for s in index.shape)]
        xp.add.at(out, _along(xp, index, dim), src)
        return out

    def grad_a(ctx, grad):
        return grad

    def grad_src(ctx, grad):
        return Gather.apply(grad, dim=ctx.dim, index=ctx.index)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """torch.gather."""
    _check_index_dtype(index, "gather")
    d = _wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim and input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    idx = index._data
    if idx.size and (idx.max() >= input.shape[d] or idx.min() < -input.shape[d]):
        raise RuntimeError(f"index {int(idx.max())} is out of bounds for dimension {d} with "
                           f"size {input.shape[d]}")
    return Gather.apply(input, dim=d, index=idx)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """torch.take_along_dim."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    shape = list(np.broadcast_shapes(
        tuple(s for i, s in enumerate(input.shape) if i != _wrap_dim(dim, input.ndim)),
        tuple(s for i, s in enumerate(indices.shape) if i != _wrap_dim(dim, input.ndim))))
    d = _wrap_dim(dim, input.ndim)
    ishape = shape[:d] + [input.shape[d]] + shape[d:]
    jshape = shape[:d] + [indices.shape[d]] + shape[d:]
    return gather(input.expand(ishape), d, indices.expand(jshape))


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,  # noqa: A002
            reduce: str | None = None) -> Tensor:
    """torch.scatter (src tensor or value)."""
    _check_index_dtype(index, "scatter")
    if src is None:
        src = value
    src = src if isinstance(src, Tensor) else src
    return Scatter.apply(input, src, dim=_wrap_dim(dim, input.ndim), index=index._data,
                         reduce=reduce)


def scatter_(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,  # noqa: A002
             reduce: str | None = None) -> Tensor:
    """Tensor.scatter_."""
    _check_index_dtype(index, "scatter_")
    if src is None:
        src = value
    return apply_inplace(input, Scatter, src, dim=_wrap_dim(dim, input.ndim),
                         index=index._data, reduce=reduce)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """torch.scatter_add."""
    _check_index_dtype(index, "scatter_add")
    return ScatterAdd.apply(input, src, dim=_wrap_dim(dim, input.ndim), index=index._data)


def scatter_add_(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """Tensor.scatter_add_."""
    return apply_inplace(input, ScatterAdd, src, dim=_wrap_dim(dim, input.ndim),
                         index=index._data)


class IndexSelect(Op, name="IndexSelectBackward0"):
    def forward(ctx, xp, a, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return xp.take(a, index, axis=dim) if a.ndim else a.copy()

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return IndexAdd.apply(out, grad, dim=ctx.dim, index=ctx.index, alpha=1)


class IndexAdd(Op, name="IndexAddBackward0"):
    def forward(ctx, xp, a, src, *, dim, index, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = a.copy()
        pos = (slice(None),) * dim + (index,)
        xp.add.at(out, pos, src * alpha if alpha != 1 else src)
        return out

    def grad_a(ctx, grad):
        return grad

    def grad_src(ctx, grad):
        g = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index)
        return g * ctx.alpha if ctx.alpha != 1 else g


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """torch.index_select."""
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    d = _wrap_dim(dim, input.ndim)
    idx = index._data.reshape(-1)
    if idx.size and input.ndim and (idx.max() >= input.shape[d] or idx.min() < 0):
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, dim=d, index=idx)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """torch.index_add."""
    return IndexAdd.apply(input, source, dim=_wrap_dim(dim, input.ndim), index=index._data,
                          alpha=alpha)


def index_add_(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """Tensor.index_add_."""
    return apply_inplace(input, IndexAdd, source, dim=_wrap_dim(dim, input.ndim),
                         index=index._data, alpha=alpha)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """torch.index_fill."""
    d = _wrap_dim(dim, input.ndim)
    pos = (slice(None),) * d + (index._data,)
    return IndexPut.apply(input, value, indices=pos, accumulate=False)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """torch.index_copy."""
    d = _wrap_dim(dim, input.ndim)
    pos = (slice(None),) * d + (index._data,)
    return IndexPut.apply(input, source, indices=pos, accumulate=False)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """torch.masked_select: a 1-D tensor of the elements where mask is True."""
    if mask.dtype is not _dtype.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = np.broadcast_shapes(input.shape, mask.shape)
    x = input.expand(shape) if tuple(input.shape) != shape else input
    m = np.broadcast_to(mask._data, shape)
    return Index.apply(x, indices=(m,))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """torch.masked_scatter."""
    m = np.broadcast_to(mask._data, input.shape)
    n = int(m.sum())
    return IndexPut.apply(input, source.reshape(-1)[:n], indices=(m,), accumulate=False)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """torch.nonzero."""
    nz = np.nonzero(input._data) if input.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(Tensor._make(np.asarray(i, dtype=np.int64)) for i in nz)
    return Tensor._make(np.stack(nz, axis=1).astype(np.int64) if nz else
                        np.zeros((0, 0), np.int64))


argwhere = nonzero


def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """torch.take: index into the flattened input."""
    return Index.apply(input.reshape(-1), indices=(index._data,))


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
    """torch.tril."""
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, diagonal=diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """torch.triu."""
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, diagonal=diagonal)


_unused = (Slice, _is_advanced)

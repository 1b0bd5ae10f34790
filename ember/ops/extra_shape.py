"""More torch shape, indexing and set functions: diag, scatters, unique, searchsorted, ...

Differentiable functions either compose ember's differentiable ops (where torch's grad_fn
is that of its last composite step, e.g. column_stack's CatBackward0) or are ``Op``
classes where torch records a dedicated node (DiagEmbedBackward0, Rot90Backward0, ...).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._device import array_module
from .._dtype import promote_types
from .._tensor import Tensor, _wrap_dim
from ._op import Op
from .indexing import Gather, ScatterAdd, ScatterValue, _along, _scatter_args, index_put
from .reduction import _return_type, return_types
from .shape import AsStrided, Diagonal, Select, Slice, cat, hstack, stack, tensor_split, vstack

__all__ = [
    "diag", "diag_embed", "diagflat", "diagonal_scatter", "select_scatter", "slice_scatter",
    "repeat_interleave", "rot90", "column_stack", "row_stack", "hsplit", "vsplit", "dsplit",
    "block_diag", "cartesian_prod", "combinations", "meshgrid", "vander", "trapezoid",
    "trapz", "cumulative_trapezoid", "unique", "unique_consecutive", "searchsorted",
    "bucketize", "isin", "tril_indices", "triu_indices", "unravel_index", "nonzero_static",
    "index_put", "put", "scatter_reduce", "gradient", "index_reduce", "as_strided_scatter",
    "histogram",
]
__methods__: list[str] = [
    "unfold",
    "diag", "diag_embed", "diagflat", "diagonal_scatter", "select_scatter", "slice_scatter",
    "repeat_interleave", "rot90", "hsplit", "vsplit", "dsplit", "unique",
    "unique_consecutive", "nonzero_static", "put", "scatter_reduce", "index_reduce",
    "as_strided_scatter", "histogram",
]  # names also bound as Tensor methods
# names that also get an in-place twin (x.name_())
__inplace__: list[str] = ["put", "scatter_reduce", "index_reduce"]


def _wrap(arr: Any) -> Tensor:
    """A result that never requires grad (indices, masks, counts)."""
    return Tensor._make(arr)


def _xp(t: Tensor) -> Any:
    return array_module(t._data)


# -- diagonals -------------------------------------------------------------------------------

def _embed(xp: Any, a: Any, offset: int, dim1: int, dim2: int) -> Any:
    """diag_embed on arrays: the last dim of ``a`` becomes a diagonal of two new dims."""
    n = a.shape[-1] + abs(offset)
    nd = a.ndim + 1
    out = xp.zeros(a.shape[:-1] + (n, n), dtype=a.dtype)
    d = xp.diagonal(out, offset, nd - 2, nd - 1)
    if xp is np:
        d.flags.writeable = True
    d[...] = a
    # The two new dims sit last; move them to dim1 and dim2.
    rest = [i for i in range(nd) if i not in (dim1, dim2)]
    perm = [0] * nd
    for src, dst in enumerate(rest):
        perm[dst] = src
    perm[dim1], perm[dim2] = nd - 2, nd - 1
    return xp.ascontiguousarray(xp.transpose(out, perm))


class DiagEmbed(Op, name="DiagEmbedBackward0"):
    def forward(ctx, xp, a, *, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        return _embed(xp, a, offset, dim1, dim2)

    def grad_a(ctx, grad):
        return grad.diagonal(*ctx.args)


class DiagonalCopy(Op, name="DiagonalBackward0_copy"):
    """torch.diag of a matrix: a copy of its diagonal (torch names the node so)."""

    def forward(ctx, xp, a, *, offset, dim1, dim2):
        ctx.shape, ctx.args = a.shape, (offset, dim1, dim2)
        return xp.diagonal(a, offset, dim1, dim2).copy()

    grad_a = Diagonal.grad_a


class DiagonalScatter(Op, name="DiagonalScatterBackward0"):
    def forward(ctx, xp, a, src, *, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        out = a.copy()
        d = xp.diagonal(out, offset, dim1, dim2)
        if xp is np:
            d.flags.writeable = True
        d[...] = src
        return out

    def grad_a(ctx, grad):
        zero = grad.diagonal(*ctx.args).detach().new_zeros(())
        return DiagonalScatter.apply(grad, zero, offset=ctx.args[0], dim1=ctx.args[1],
                                     dim2=ctx.args[2])

    def grad_src(ctx, grad):
        return DiagonalCopy.apply(grad, offset=ctx.args[0], dim1=ctx.args[1], dim2=ctx.args[2])


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """torch.diag: a vector's diagonal matrix, or a matrix's diagonal."""
    if input.ndim == 1:
        return DiagEmbed.apply(input, offset=int(diagonal), dim1=0, dim2=1)
    if input.ndim == 2:
        return DiagonalCopy.apply(input, offset=int(diagonal), dim1=0, dim2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """torch.diag_embed."""
    nd = input.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, offset=int(offset), dim1=d1, dim2=d2)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """torch.diagflat."""
    flat = input.reshape(-1) if input.ndim != 1 else input
    return DiagEmbed.apply(flat, offset=int(offset), dim1=0, dim2=1)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,  # noqa: A002
                     dim2: int = 1) -> Tensor:
    """torch.diagonal_scatter."""
    n = input.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    want = tuple(input.diagonal(offset, d1, d2).shape)
    if tuple(src.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(want)}")
    return DiagonalScatter.apply(input, src, offset=int(offset), dim1=d1, dim2=d2)


# -- select / slice scatter ------------------------------------------------------------------

class SelectScatter(Op, name="SelectScatterBackward0"):
    def forward(ctx, xp, a, src, *, dim, index):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out[(slice(None),) * dim + (index, Ellipsis)] = src
        return out

    def grad_a(ctx, grad):
        zero = grad.detach().new_zeros(())
        return SelectScatter.apply(grad, zero, dim=ctx.dim, index=ctx.index)

    def grad_src(ctx, grad):
        return Select.apply(grad, dim=ctx.dim, index=ctx.index).clone()


class SliceScatter(Op, name="SliceScatterBackward0"):
    def forward(ctx, xp, a, src, *, dim, start, stop, step):
        ctx.dim, ctx.key = dim, (start, stop, step)
        out = a.copy()
        out[(slice(None),) * dim + (slice(start, stop, step), Ellipsis)] = src
        return out

    def grad_a(ctx, grad):
        zero = grad.detach().new_zeros(())
        s, e, st = ctx.key
        return SliceScatter.apply(grad, zero, dim=ctx.dim, start=s, stop=e, step=st)

    def grad_src(ctx, grad):
        s, e, st = ctx.key
        return Slice.apply(grad, dim=ctx.dim, start=s, stop=e, step=st).clone()


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """torch.select_scatter."""
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    want = tuple(input.shape[:d] + input.shape[d + 1:])
    if tuple(src.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(want)}")
    return SelectScatter.apply(input, src, dim=d, index=int(index) % size)


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,  # noqa: A002
                  end: int | None = None, step: int = 1) -> Tensor:
    """torch.slice_scatter."""
    d = _wrap_dim(dim, input.ndim)
    start, stop, step = slice(start, end, step).indices(input.shape[d])
    want = list(input.shape)
    want[d] = len(range(start, stop, step))
    if list(src.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {want}")
    return SliceScatter.apply(input, src, dim=d, start=start, stop=stop, step=step)


# -- repeat_interleave, rot90 ----------------------------------------------------------------

def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """torch.repeat_interleave (int repeats: expand + reshape; tensor repeats: index_select)."""
    if repeats is None:  # repeat_interleave(repeats): indices repeated by their counts
        reps = input._data
        xp = _xp(input)
        return _wrap(xp.repeat(xp.arange(reps.shape[0], dtype=np.int64), reps))
    x = input
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = _wrap_dim(dim, x.ndim)
    if isinstance(repeats, Tensor) and repeats.ndim > 0:
        reps = repeats._data
        if reps.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.shape[0] not in (1, x.shape[d]):
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.shape[0]} and input.size({d}) = "
                               f"{x.shape[d]}")
        if (reps < 0).any():
            raise RuntimeError("repeats can not be negative")
        xp = _xp(x)
        # (np.repeat broadcasts a single count, as torch does)
        index = xp.repeat(xp.arange(x.shape[d], dtype=np.int64), reps)
        if output_size is not None and index.shape[0] != output_size:
            raise RuntimeError("allocated size does not match required size")
        return x.index_select(d, _wrap(index))
    r = int(repeats)
    if r < 0:  # (torch words an int count differently from a tensor of counts)
        raise RuntimeError("Repeats must be non-negative")
    shape = list(x.shape)
    big = shape[:d + 1] + [r] + shape[d + 1:]
    out_shape = shape[:d] + [shape[d] * r] + shape[d + 1:]
    return x.unsqueeze(d + 1).expand(big).clone().reshape(out_shape)


class Rot90(Op, name="Rot90Backward0"):
    def forward(ctx, xp, a, *, k, dims):
        ctx.k, ctx.dims = k, dims
        return xp.ascontiguousarray(xp.rot90(a, k, dims))

    def grad_a(ctx, grad):
        return Rot90.apply(grad, k=-ctx.k % 4, dims=ctx.dims)


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:  # noqa: A002
    """torch.rot90."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = _wrap_dim(dims[0], input.ndim), _wrap_dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90.apply(input, k=int(k) % 4, dims=(d0, d1))


# -- stacking and splitting ------------------------------------------------------------------

def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.column_stack: scalars and vectors become columns, then hstack (CatBackward0)."""
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    cols = [t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors]
    return hstack(cols)


def row_stack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.row_stack (an alias of vstack)."""
    return vstack(tensors)


def _split_dim(input: Tensor, sections: Any, dim: int, name: str, need: int) -> tuple:  # noqa: A002
    if input.ndim < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension"
                           f"{'s' if need > 1 else ''}, but got a tensor with {input.ndim} "
                           "dimensions!")
    if isinstance(sections, (int, np.integer)):
        size = input.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {size} is not divisible by the "
                               f"split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple:  # noqa: A002
    """torch.hsplit."""
    dim = 0 if input.ndim == 1 else 1
    return _split_dim(input, indices_or_sections, dim, "hsplit", 1)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple:  # noqa: A002
    """torch.vsplit."""
    return _split_dim(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple:  # noqa: A002
    """torch.dsplit."""
    return _split_dim(input, indices_or_sections, 2, "dsplit", 3)


class BlockDiag(Op, name="BlockDiagBackward0"):
    def forward(ctx, xp, *blocks, dtype):
        ctx.dtype = dtype
        shapes = [(1, b.size) if b.ndim == 1 else (1, 1) if b.ndim == 0 else b.shape
                  for b in blocks]
        ctx.shapes = [b.shape for b in blocks]
        ctx.block_shapes = shapes
        dtype = ctx.dtype
        out = xp.zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), dtype=dtype)
        r = c = 0
        for b, (h, w) in zip(blocks, shapes):
            out[r:r + h, c:c + w] = b.reshape(h, w)
            r, c = r + h, c + w
        return out

    def backward(ctx, grad):
        outs = []
        r = c = 0
        for shape, (h, w) in zip(ctx.shapes, ctx.block_shapes):
            outs.append(grad[r:r + h, c:c + w].reshape(shape))
            r, c = r + h, c + w
        return tuple(outs)


def block_diag(*tensors: Tensor) -> Tensor:
    """torch.block_diag."""
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    if not tensors:
        from .. import zeros

        return zeros((1, 0))
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = promote_types(dtype, t.dtype)  # torch's promotion, not NumPy's
    return BlockDiag.apply(*tensors, dtype=dtype.np)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """torch.meshgrid (views of each input expanded to the grid: ExpandBackward0)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        # torch 2.x still warns once per call site when indexing is left out.
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    n = len(tensors)
    place = list(range(n))
    if indexing == "xy" and n >= 2:  # the first two inputs swap places in the grid
        place[0], place[1] = 1, 0
    shape = [0] * n
    for t, p in zip(tensors, place):
        shape[p] = t.numel()
    out = []
    for t, p in zip(tensors, place):
        view = [1] * n
        view[p] = -1
        out.append(t.view(view).expand(shape))
    return tuple(out)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """torch.cartesian_prod."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """torch.combinations (columns picked by index, then stacked: StackBackward0)."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    pick = itertools.combinations_with_replacement if with_replacement \
        else itertools.combinations
    idx = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    xp = _xp(input)
    cols = [input.index_select(0, _wrap(xp.asarray(idx[:, i]))) for i in range(r)]
    return stack(cols, 1)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """torch.vander (powers by a running product, as torch computes them)."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    from .. import int64, ones

    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(int64)  # torch promotes integer inputs to int64
    if n == 0:
        out = x.new_empty((x.shape[0], 0))
    else:
        parts = [ones((x.shape[0], 1), dtype=x.dtype, device=x.device)]
        if n > 1:
            parts.append(x.unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1))
        out = cat(parts, 1)
    return out if increasing else out.flip(1)


# -- integration -----------------------------------------------------------------------------

class _MulScalar(Op, name="MulBackward1"):
    """ATen's mul(Tensor, Scalar), which torch's trapezoid ends with."""

    def forward(ctx, xp, a, *, other):
        ctx.other = other
        return xp.asarray(a * a.dtype.type(other))

    def grad_a(ctx, grad):
        return _MulScalar.apply(grad, other=ctx.other)


class _DivScalar(Op, name="DivBackward1"):
    """ATen's div(Tensor, Scalar), which torch's trapezoid with ``x`` ends with."""

    def forward(ctx, xp, a, *, other):
        ctx.other = other
        return xp.asarray(a / a.dtype.type(other))

    def grad_a(ctx, grad):
        return _DivScalar.apply(grad, other=ctx.other)


def _spacing(y: Tensor, x: Tensor, d: int) -> Tensor:
    """x's differences, shaped to broadcast along dim d of y."""
    if x.ndim == 1:
        dx = x[1:] - x[:-1]
        shape = [1] * y.ndim
        shape[d] = -1
        return dx.view(shape)
    return x.narrow(d, 1, x.shape[d] - 1) - x.narrow(d, 0, x.shape[d] - 1)


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """torch.trapezoid (torch's formulas, so grad_fn names and rounding match)."""
    d = _wrap_dim(dim, y.ndim)
    if isinstance(x, Tensor):
        if x.ndim == 1 and x.shape[0] != y.shape[d]:
            raise RuntimeError(f"trapezoid: There must be one `x` value for each sample point. "
                               f"Got {x.shape[0]} value(s) for `x` but {y.shape[d]} sample "
                               "point(s) for `y`.")
        if y.shape[d] == 0:
            return y.sum(d)
        left, right = y.narrow(d, 0, y.shape[d] - 1), y.narrow(d, 1, y.shape[d] - 1)
        return _DivScalar.apply((_spacing(y, x, d) * (right + left)).sum(d), other=2.0)
    step = 1 if dx is None else dx if x is None else x
    if y.shape[d] == 0:
        return _MulScalar.apply(y.sum(d), other=step)
    return _MulScalar.apply(y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5, other=step)


def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """torch.trapz (an alias of trapezoid)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """torch.cumulative_trapezoid."""
    d = _wrap_dim(dim, y.ndim)
    n = y.shape[d]
    left, right = y.narrow(d, 0, max(n - 1, 0)), y.narrow(d, min(1, n), max(n - 1, 0))
    if isinstance(x, Tensor):
        if x.ndim == 1 and x.shape[0] != n:
            raise RuntimeError("cumulative_trapezoid: There must be one `x` value for each "
                               "sample point")
        return _DivScalar.apply((_spacing(y, x, d) * (left + right)).cumsum(d), other=2.0)
    step = 1 if dx is None else dx if x is None else x
    return (step / 2.0 * (left + right)).cumsum(d)


# -- sets ------------------------------------------------------------------------------------

class _Unique(Op, name="Unique2Backward0"):
    """unique's values: torch records a node whose derivative is not implemented."""

    n_outputs = 3
    nondiff_outputs = (1, 2)
    _aten = "_unique2"

    def forward(ctx, xp, a, *, dim, consecutive):
        if dim is None:
            flat = a.reshape(-1)
            if consecutive:
                if flat.size == 0:
                    keep = xp.zeros(0, dtype=bool)
                else:
                    keep = xp.concatenate([xp.ones(1, dtype=bool), flat[1:] != flat[:-1]])
                starts = xp.nonzero(keep)[0]
                vals = flat[starts]
                inverse = (xp.cumsum(keep) - 1).reshape(a.shape)
                counts = xp.diff(xp.append(starts, flat.size))
                return vals, inverse.astype(np.int64), counts.astype(np.int64)
            vals, inverse, counts = xp.unique(flat, return_inverse=True, return_counts=True)
            return vals, inverse.reshape(a.shape).astype(np.int64), counts.astype(np.int64)
        moved = xp.moveaxis(a, dim, 0)
        rows = moved.reshape(moved.shape[0], -1)
        if consecutive:
            if rows.shape[0] == 0:
                keep = xp.zeros(0, dtype=bool)
            else:
                diff = (rows[1:] != rows[:-1]).any(axis=1)
                keep = xp.concatenate([xp.ones(1, dtype=bool), diff])
            starts = xp.nonzero(keep)[0]
            inverse = xp.cumsum(keep) - 1
            counts = xp.diff(xp.append(starts, rows.shape[0]))
            vals = moved[starts]
        else:
            _, first, inverse, counts = xp.unique(rows, axis=0, return_index=True,
                                                 return_inverse=True, return_counts=True)
            vals = moved[first]
        vals = xp.ascontiguousarray(xp.moveaxis(vals, 0, dim))
        return vals, inverse.reshape(-1).astype(np.int64), counts.astype(np.int64)

    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for '{ctx._aten}' is not implemented.")


def _unique_cls(name: str, aten: str) -> type:
    return type(name, (_Unique,), {"_aten": aten, "__module__": __name__}, name=name)


_UNIQUE = {
    (False, False): _Unique,
    (False, True): _unique_cls("UniqueDimBackward0", "unique_dim"),
    (True, False): _unique_cls("UniqueConsecutiveBackward0", "unique_consecutive"),
    (True, True): _unique_cls("UniqueDimConsecutiveBackward0", "unique_dim_consecutive"),
}


def _unique(input: Tensor, return_inverse: bool, return_counts: bool, dim: Any,  # noqa: A002
            consecutive: bool) -> Any:
    if dim is not None:
        dim = _wrap_dim(dim, input.ndim)
    cls = _UNIQUE[(consecutive, dim is not None)]
    vals, inverse, counts = cls.apply(input, dim=dim, consecutive=consecutive)
    if not return_inverse and not return_counts:
        return vals
    out = [vals]
    if return_inverse:
        out.append(inverse)
    if return_counts:
        out.append(counts)
    return tuple(out)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """torch.unique (always sorted, as torch's CPU kernel returns it)."""
    return _unique(input, return_inverse, return_counts, dim, False)


def unique_consecutive(input: Tensor, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """torch.unique_consecutive."""
    return _unique(input, return_inverse, return_counts, dim, True)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,  # noqa: A002
                 right: bool = False, side: str | None = None, sorter: Any = None) -> Tensor:
    """torch.searchsorted (along the last dim, row by row for a batched sequence)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    xp = array_module(seq)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    how = "right" if right else "left"
    dtype = np.int32 if out_int32 else np.int64
    if seq.ndim == 1:
        return _wrap(xp.searchsorted(seq, vals, side=how).astype(dtype))
    if seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           "tensor must match")
    s2 = seq.reshape(-1, seq.shape[-1])
    v2 = vals.reshape(-1, vals.shape[-1])
    res = xp.stack([xp.searchsorted(s, v, side=how) for s, v in zip(s2, v2)]) if len(s2) \
        else xp.zeros(v2.shape, dtype=dtype)
    return _wrap(res.reshape(vals.shape).astype(dtype))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,  # noqa: A002
              right: bool = False) -> Tensor:
    """torch.bucketize."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """torch.isin."""
    ref = elements if isinstance(elements, Tensor) else test_elements
    xp = _xp(ref)
    e = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return _wrap(xp.isin(e, t, invert=invert))


def _tri_indices(row: int, col: int, offset: int, lower: bool, dtype: Any, device: Any) -> Tensor:
    from .. import int64, tensor

    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return tensor(np.stack([r, c]).reshape(2, -1), dtype=dtype or int64, device=device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """torch.tril_indices."""
    return _tri_indices(row, col, offset, True, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """torch.triu_indices."""
    return _tri_indices(row, col, offset, False, dtype, device)


def unravel_index(indices: Tensor, shape: Any) -> tuple:
    """torch.unravel_index."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(s) for s in shape)
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices)}")
    if indices.dtype.is_floating_point or indices.dtype.is_complex:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got "
                         f"{tuple(shape)}")
    arr = indices._data.astype(np.int64)
    xp = _xp(indices)
    n = int(np.prod(shape))
    if arr.size and (int(arr.min()) < -n or int(arr.max()) >= n):
        raise RuntimeError(f"'indices' must be in range [-{n}, {n - 1}]")
    arr = arr % n if n else arr
    return tuple(_wrap(xp.asarray(c, dtype=np.int64)) for c in xp.unravel_index(arr, shape))


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:  # noqa: A002
    """torch.nonzero_static: nonzero padded (or cut) to ``size`` rows."""
    xp = _xp(input)
    idx = xp.stack(xp.nonzero(input._data), axis=1).astype(np.int64) if input.ndim \
        else xp.zeros((int(bool(input._data)), 0), dtype=np.int64)
    out = xp.full((size, idx.shape[1]), fill_value, dtype=np.int64)
    k = min(size, idx.shape[0])
    out[:k] = idx[:k]
    return _wrap(out)


class Put(Op, name="PutBackward0"):
    def forward(ctx, xp, a, src, *, index, accumulate):
        ctx.index, ctx.accumulate, ctx.src_shape = index, accumulate, src.shape
        out = a.copy()
        flat = out.reshape(-1)
        src = src.reshape(-1).astype(a.dtype, copy=False)
        if accumulate:
            xp.add.at(flat, index, src)
        else:
            flat[index] = src
        return out

    def grad_a(ctx, grad):
        if ctx.accumulate:
            return grad
        return Put.apply(grad, grad.detach().new_zeros(len(ctx.index)), index=ctx.index,
                         accumulate=False)

    def grad_src(ctx, grad):
        return grad.reshape(-1)[_wrap(ctx.index)].reshape(ctx.src_shape)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """torch.put."""
    if index.dtype.is_floating_point:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {index.numel()}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self ({input.dtype.type_word}) and source "
                           f"({source.dtype.type_word}) must have the same scalar type")
    n = input.numel()
    idx = index._data.reshape(-1).astype(np.int64)
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"out of range: tried to access index {int(idx.max())} on a tensor "
                         f"of {n} elements.")
    return Put.apply(input, source, index=idx % max(n, 1), accumulate=accumulate)


# -- scatter_reduce --------------------------------------------------------------------------

_IDENTITY = {"sum": 0, "mean": 0, "prod": 1}


class ScatterReduceTwo(Op, name="ScatterReduceBackward0"):
    """torch.scatter_reduce (the ``.two`` overload: sum, prod, mean, amax, amin)."""

    def forward(ctx, xp, a, src, *, dim, index, reduce, include_self):
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        out = a.copy()
        pos = _along(xp, index, dim)
        src = src[tuple(slice(s) for s in index.shape)].astype(a.dtype, copy=False)
        if not include_self:
            if reduce in _IDENTITY:
                out[pos] = _IDENTITY[reduce]
            elif a.dtype.kind in "fc":
                out[pos] = -np.inf if reduce == "amax" else np.inf
            else:
                info = np.iinfo(a.dtype) if a.dtype.kind in "iu" else None
                out[pos] = (info.min if reduce == "amax" else info.max) if info else \
                    reduce == "amin"
        ufunc = {"sum": xp.add, "mean": xp.add, "prod": xp.multiply, "amax": xp.maximum,
                 "amin": xp.minimum}[reduce]
        ufunc.at(out, pos, src)
        if reduce == "mean":
            count = xp.ones(a.shape, dtype=a.dtype) if include_self else \
                xp.zeros(a.shape, dtype=a.dtype)
            xp.add.at(count, pos, 1)
            count[count == 0] = 1
            # torch floors the mean of integers
            out = out / count if a.dtype.kind in "fc" else out // count
        return out

    def backward(ctx, grad, a, src, result):
        dim, idx, red = ctx.dim, ctx.index, ctx.reduce
        sub = tuple(slice(s) for s in idx.shape)
        full_src = src
        if tuple(src.shape) != tuple(idx.shape):
            src = src[sub]

        def gather(t: Tensor) -> Tensor:
            return Gather.apply(t, dim=dim, index=idx)

        def scatter_add(t: Tensor, s: Tensor) -> Tensor:
            return ScatterAdd.apply(t, s, dim=dim, index=idx)

        def again(x: Tensor, s: Tensor) -> Tensor:
            return ScatterReduceTwo.apply(x, s, dim=dim, index=idx, reduce=red,
                                          include_self=ctx.include_self)

        if red == "sum":
            ga, gs = grad, gather(grad)
        elif red == "mean":
            n = grad.new_ones(grad.shape) if ctx.include_self else grad.new_zeros(grad.shape)
            n = scatter_add(n, src.new_ones(src.shape))
            n = n.masked_fill(n == 0, 1)
            ga = grad / n
            gs = gather(ga)
        elif red == "prod":
            # torch's formula: exclusive products where self or src holds a single zero
            masked_self = a.masked_fill(a == 0, 1)
            ga = grad * again(masked_self, full_src) / masked_self
            src_zero = src == 0
            zeros = scatter_add(grad.new_zeros(grad.shape), src_zero.to(grad.dtype))
            single = src_zero & (gather(zeros) == 1)
            masked_src = src.masked_fill(single, 1)
            gs = gather(grad * again(a, masked_src)).where(
                single, gather(grad * result) / src.masked_fill(src_zero, 1))
        else:  # amax / amin: split evenly among the elements equal to the result
            value = gather(result)
            self_is = a == result
            src_is = src == value
            n = scatter_add(self_is.to(grad.dtype), src_is.to(grad.dtype))
            dist = grad / n
            ga = self_is * dist
            gs = src_is * gather(dist)
        if not ctx.include_self:
            ga = ScatterValue.apply(ga, dim=dim, index=idx, value=0)
        if gs is not None and tuple(full_src.shape) != tuple(gs.shape):
            padded = full_src.detach().new_zeros(full_src.shape)
            padded[sub] = gs
            gs = padded
        return ga, gs


def _scatter_reduce_args(input: Tensor, dim: int, index: Tensor, src: Tensor,  # noqa: A002
                         reduce: str, include_self: bool) -> dict:
    # torch also takes "max" and "min" (undocumented) as amax and amin
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    _, _, attrs = _scatter_args(input, dim, index, src, None, None)
    return {"dim": attrs["dim"], "index": attrs["index"], "reduce": reduce,
            "include_self": bool(include_self)}


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """torch.scatter_reduce."""
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    attrs = _scatter_reduce_args(input, dim, index, src, reduce, include_self)
    return ScatterReduceTwo.apply(input, src, **attrs)


class IndexReduce(ScatterReduceTwo, name="IndexReduceBackward0"):
    """torch.index_reduce: scatter_reduce with the index spread along ``dim`` of source."""


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,  # noqa: A002
                 include_self: bool = True) -> Tensor:
    """torch.index_reduce (a beta API in torch, which warns so)."""
    warnings.warn("index_reduce() is in beta and the API may change at any time.",
                  UserWarning, stacklevel=2)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = _wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if index.dtype.is_floating_point or index.dtype.is_complex:
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype}")
    if source.dtype is not input.dtype:
        raise RuntimeError("index_reduce_(): self and source expected to have the same dtype, "
                           f"but got (self) {input.dtype} and (source) {source.dtype}")
    n = index.numel()
    src_n = source.shape[d] if source.ndim else 1
    if n != src_n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({src_n}), for dim: {dim}")
    size = input.shape[d]
    idx = index._data.reshape(-1).astype(np.int64)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        raise IndexError("index out of range in self")  # (no negative indices, as torch)
    xp = _xp(index)
    view = [1] * source.ndim
    view[d] = -1
    full = xp.ascontiguousarray(xp.broadcast_to(idx.reshape(view), source.shape))
    return IndexReduce.apply(input, source, dim=d, index=full, reduce=reduce,
                             include_self=bool(include_self))


# -- as_strided_scatter ----------------------------------------------------------------------

class AsStridedScatter(Op, name="AsStridedScatterBackward0"):
    def forward(ctx, xp, a, src, *, size, stride, offset):
        ctx.geometry = {"size": size, "stride": stride, "offset": offset}
        # torch clones with the input's layout and indexes that clone's storage
        out = a.copy(order="K")
        AsStrided.forward(None, xp, out, **ctx.geometry)[...] = src
        return out

    def grad_a(ctx, grad):
        zero = grad.detach().new_zeros(())
        return AsStridedScatter.apply(grad.contiguous(), zero, **ctx.geometry)

    def grad_src(ctx, grad):
        return AsStrided.apply(grad.contiguous(), **ctx.geometry).clone()


def as_strided_scatter(input: Tensor, src: Tensor, size: Sequence[int],  # noqa: A002
                       stride: Sequence[int], storage_offset: int = 0) -> Tensor:
    """torch.as_strided_scatter (strides count elements of the result's storage)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if tuple(src.shape) != size:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(size)}")
    end = int(storage_offset) + sum((n - 1) * st for n, st in zip(size, stride) if n > 0)
    if all(n > 0 for n in size) and end >= input.numel():
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {storage_offset}, and itemsize {input.element_size()} "
                           f"requiring a storage size of {(end + 1) * input.element_size()} "
                           f"are out of bounds for storage of size "
                           f"{input.numel() * input.element_size()}")
    return AsStridedScatter.apply(input, src, size=size, stride=stride,
                                  offset=int(storage_offset))


# -- gradient --------------------------------------------------------------------------------

def _gradient_coords(input: Tensor, x: Tensor, d: int, n: int, edge_order: int,  # noqa: A002
                     part: Any) -> Tensor:
    """One dim of torch.gradient with coordinates: torch's non-uniform differences."""
    if x.ndim != 1:
        raise RuntimeError(f"torch.gradient expected each element of spacing to have one "
                           f"dimension, but got an element with {x.ndim} dimensions!")
    shape = [1] * input.ndim
    shape[d] = -1
    h = x[1:] - x[:-1]
    h1, h2 = h[:-1], h[1:]
    a = (-h2 / (h1 * (h1 + h2))).reshape(shape)
    b = ((h2 - h1) / (h1 * h2)).reshape(shape)
    c = (h1 / (h2 * (h1 + h2))).reshape(shape)
    center = a * part(0, n - 2) + b * part(1, n - 1) + c * part(2, n)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / h[0]
        last = (part(n - 1, n) - part(n - 2, n - 1)) / h[-1]
    else:
        a = -(2.0 * h[0] + h[1]) / (h[0] * (h[0] + h[1]))
        b = (h[0] + h[1]) / (h[0] * h[1])
        c = -h[0] / (h[1] * (h[0] + h[1]))
        first = a * part(0, 1) + b * part(1, 2) + c * part(2, 3)
        a = h[-1] / (h[-2] * (h[-1] + h[-2]))
        b = -(h[-1] + h[-2]) / (h[-1] * h[-2])
        c = (2 * h[-1] + h[-2]) / (h[-1] * (h[-1] + h[-2]))
        last = a * part(n - 3, n - 2) + b * part(n - 2, n - 1) + c * part(n - 1, n)
    return cat([first, center, last], d)


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None,  # noqa: A002
             edge_order: int = 1) -> tuple:
    """torch.gradient (scalar spacings; central differences inside, one-sided at the edges)."""
    if dim is None:
        dims = list(range(input.ndim))
    elif isinstance(dim, (int, np.integer)):
        dims = [_wrap_dim(int(dim), input.ndim)]
    else:
        dims = [_wrap_dim(int(d), input.ndim) for d in dim]
    if isinstance(spacing, (list, tuple)):
        steps = list(spacing)
        if len(steps) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar "
                               f"or it's spacing and dim arguments to have the same length, but "
                               f"got a spacing argument of length {len(steps)} and a dim "
                               f"argument of length {len(dims)}.")
    elif isinstance(spacing, Tensor):
        raise NotImplementedError("ember's gradient takes spacing as a number or a list")
    else:
        steps = [spacing] * len(dims)
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    out = []
    for d, h in zip(dims, steps):
        n = input.shape[d]

        def part(start: int, stop: int, d: int = d) -> Tensor:
            return Slice.apply(input, dim=d, start=start, stop=stop, step=1)

        if isinstance(h, Tensor):
            out.append(_gradient_coords(input, h, d, n, edge_order, part))
            continue
        center = _DivScalar.apply(part(2, n) - part(0, n - 2), other=h)
        if edge_order == 1:
            first = _DivScalar.apply(part(1, 2) - part(0, 1), other=h)
            last = _DivScalar.apply(part(n - 1, n) - part(n - 2, n - 1), other=h)
        else:
            first = _DivScalar.apply(part(0, 1) * -1.5 + part(1, 2) * 2 - part(2, 3) * 0.5,
                                     other=h)
            last = _DivScalar.apply(part(n - 3, n - 2) * 0.5 + part(n - 2, n - 1) * -2
                                    + part(n - 1, n) * 1.5, other=h)
        out.append(cat([first, _DivScalar.apply(center, other=2), last], d))
    return tuple(out)


# -- histogram -------------------------------------------------------------------------------

return_types.histogram = _return_type("histogram", ("hist", "bin_edges"))


class Histogram(Op, name="NotImplemented"):
    """torch.histogram's counts: torch records a node that has no derivative."""

    n_outputs = 2

    def forward(ctx, xp, a, edges, *, weight, density):
        def host(x: Any) -> Any:  # NumPy's histogram, also for CuPy arrays
            return np.asarray(x if xp is np else xp.asnumpy(x), dtype=np.float64)

        # (float32 values and edges compare exactly as float64; the last edge is inclusive,
        # values outside the edges are dropped, as in torch)
        hist, _ = np.histogram(host(a).reshape(-1), bins=host(edges),
                               weights=None if weight is None else host(weight).reshape(-1))
        hist = xp.asarray(hist.astype(a.dtype))
        if density:
            hist = hist / (hist.sum() * xp.diff(edges))
        return hist, edges.copy()

    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::histogram is not implemented")


def histogram(input: Tensor, bins: Any = 100, *, range: Any = None,  # noqa: A002
              weight: Tensor | None = None, density: bool = False) -> Any:
    """torch.histogram: (hist, bin_edges)."""
    from .. import linspace
    from .pointwise import _not_implemented

    if not input.dtype.is_floating_point:
        raise _not_implemented("histogramdd", input._data)
    if isinstance(bins, Tensor):
        edges = bins.detach()
    else:
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif input.numel():
            lo, hi = float(input.detach().min()), float(input.detach().max())
        else:
            lo = hi = 0.0
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{lo:g} max {hi:g} for dimension 0")
        if lo == hi:  # a single value: a bin of width 1 around it
            lo, hi = lo - 0.5, hi + 0.5
        edges = linspace(lo, hi, int(bins) + 1, dtype=input.dtype, device=input.device)
    w = None if weight is None else weight._data
    hist, out_edges = Histogram.apply(input, edges, weight=w, density=bool(density))
    return return_types.histogram(hist, out_edges)


# -- Tensor.unfold: every window of a dimension, as a view --------------------------------

class Unfold(Op, name="UnfoldBackward0"):
    """The windows ``a[..., i*step : i*step + size, ...]`` as a new last dimension: a view
    (as_strided), so writes through it reach ``a``."""

    is_view = True

    def forward(ctx, xp, a, *, dimension, size, step):
        ctx.shape, ctx.dim, ctx.size, ctx.step = a.shape, dimension, size, step
        if a.ndim == 0:
            return a.reshape(1)
        n = (a.shape[dimension] - size) // step + 1
        shape = a.shape[:dimension] + (n,) + a.shape[dimension + 1:] + (size,)
        strides = (a.strides[:dimension] + (a.strides[dimension] * step,)
                   + a.strides[dimension + 1:] + (a.strides[dimension],))
        return xp.lib.stride_tricks.as_strided(a, shape, strides)

    def grad_a(ctx, grad):
        return UnfoldGrad.apply(grad, shape=ctx.shape, dimension=ctx.dim, size=ctx.size,
                                step=ctx.step)


class UnfoldGrad(Op, name="UnfoldBackwardBackward0"):
    """Unfold's adjoint: each window's values added back where they came from."""

    def forward(ctx, xp, g, *, shape, dimension, size, step):
        ctx.dim, ctx.size, ctx.step = dimension, size, step
        if len(shape) == 0:
            return g.reshape(())
        out = xp.zeros(shape, dtype=g.dtype)
        n = g.shape[dimension]
        for k in range(size):  # one strided slice-add per window offset, not per window
            sl = [slice(None)] * len(shape)
            sl[dimension] = slice(k, k + step * (n - 1) + 1, step)
            out[tuple(sl)] += g[..., k]
        return out

    def grad_g(ctx, grad):
        return Unfold.apply(grad, dimension=ctx.dim, size=ctx.size, step=ctx.step)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """Tensor.unfold: the windows of ``size`` along ``dimension``, every ``step``."""
    d = _wrap_dim(dimension, max(input.ndim, 1))
    n = input.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dimension=d, size=size, step=step)

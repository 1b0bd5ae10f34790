"""Shape ops: views (view, transpose, expand, select, ...) and copies (cat, stack, flip, ...).

View ops set ``is_view = True``: their result shares memory and version counter with the
input (see views.py for what that means for in-place ops).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from .._device import as_device, to_device
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ._op import Op
from .views import apply_inplace

__all__ = [
    "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "swapdims", "permute", "t", "movedim", "moveaxis", "narrow", "select", "split", "chunk",
    "unbind", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "flip",
    "fliplr", "flipud", "roll", "clone", "broadcast_to", "broadcast_tensors", "tile",
    "diagonal", "atleast_1d", "atleast_2d", "atleast_3d", "ravel", "tensor_split",
    "broadcast_shapes",
]


def _shape_arg(shape: Sequence) -> tuple:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# -- views -----------------------------------------------------------------------------------

class View(Op, name="ViewBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, shape):
        ctx.shape = a.shape
        try:
            return a.reshape(shape, copy=False) if xp is np else xp.reshape(a, shape)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least "
                "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None

    def grad_a(ctx, grad):
        return grad.reshape(ctx.shape)


class UnsafeView(Op, name="UnsafeViewBackward0"):
    """The copying half of reshape on a tensor that cannot be viewed."""

    def forward(ctx, xp, a, *, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    def grad_a(ctx, grad):
        return grad.reshape(ctx.shape)


class Expand(Op, name="ExpandBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, shape):
        ctx.shape = a.shape
        return xp.broadcast_to(a, shape)

    def grad_a(ctx, grad):
        return grad.sum_to_size(ctx.shape)


class Transpose(Op, name="TransposeBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return xp.swapaxes(a, dim0, dim1)

    def grad_a(ctx, grad):
        return grad.transpose(*ctx.dims)


class T(Op, name="TBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        return a.T

    def grad_a(ctx, grad):
        return grad.t()


class Permute(Op, name="PermuteBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dims):
        ctx.dims = dims
        return xp.transpose(a, dims)

    def grad_a(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims).tolist()))


class Unsqueeze(Op, name="UnsqueezeBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim):
        ctx.dim = dim
        return xp.expand_dims(a, dim)

    def grad_a(ctx, grad):
        return grad.squeeze(ctx.dim)


class Squeeze(Op, name="SqueezeBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        ctx.shape = a.shape
        return a.reshape(tuple(s for s in a.shape if s != 1))

    def grad_a(ctx, grad):
        return grad.reshape(ctx.shape)


class SqueezeDim(Op, name="SqueezeBackward1"):
    is_view = True

    def forward(ctx, xp, a, *, dims):
        ctx.shape = a.shape
        return a.reshape(tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1)))

    def grad_a(ctx, grad):
        return grad.reshape(ctx.shape)


class SqueezeDims(SqueezeDim, name="SqueezeBackward2"):
    pass


class Select(Op, name="SelectBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return a[(slice(None),) * dim + (index, Ellipsis)]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        out.select(ctx.dim, ctx.index).copy_(grad)
        return out


class Slice(Op, name="SliceBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim, start, stop, step):
        ctx.shape, ctx.dim, ctx.key = a.shape, dim, slice(start, stop, step)
        return a[(slice(None),) * dim + (ctx.key, Ellipsis)]

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        k = ctx.key
        Slice.apply(out, dim=ctx.dim, start=k.start, stop=k.stop, step=k.step).copy_(grad)
        return out


class Split(Op, name="SplitBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim, sizes):
        ctx.shape, ctx.dim = a.shape, dim
        bounds = np.cumsum((0,) + tuple(sizes)).tolist()
        idx = (slice(None),) * dim
        out = tuple(a[idx + (slice(s, e),)] for s, e in zip(bounds[:-1], bounds[1:]))
        ctx.n_outputs_ = len(out)
        return out

    def backward(ctx, grad):
        from .creation import zeros

        parts = [g if g is not None else zeros(s, dtype=_grad_dtype(grad), device=_dev(grad))
                 for g, s in zip(grad, _split_shapes(ctx))]
        return (cat(parts, ctx.dim),)


class SplitWithSizes(Split, name="SplitWithSizesBackward0"):
    pass


def _split_shapes(ctx: Any) -> list:
    n = ctx.n_outputs_
    return [ctx.out_shapes[i] for i in range(n)]


def _grad_dtype(grads: Any) -> Any:
    return next(g.dtype for g in grads if g is not None)


def _dev(grads: Any) -> Any:
    return next(g.device for g in grads if g is not None)


class Unbind(Op, name="UnbindBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim):
        ctx.shape, ctx.dim = a.shape, dim
        idx = (slice(None),) * dim
        return tuple(a[idx + (i, Ellipsis)] for i in range(a.shape[dim]))

    def backward(ctx, grad):
        from .creation import zeros

        shape = ctx.shape[:ctx.dim] + ctx.shape[ctx.dim + 1:]
        parts = [g if g is not None else zeros(shape, dtype=_grad_dtype(grad),
                                               device=_dev(grad)) for g in grad]
        return (stack(parts, ctx.dim),)


class Diagonal(Op, name="DiagonalBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, offset, dim1, dim2):
        ctx.shape, ctx.args = a.shape, (offset, dim1, dim2)
        return xp.diagonal(a, offset, dim1, dim2)

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        Diagonal.apply(out, offset=ctx.args[0], dim1=ctx.args[1], dim2=ctx.args[2]).copy_(grad)
        return out


class AsStrided(Op, name="AsStridedBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, size, stride, offset):
        item = a.itemsize
        base = a
        return xp.lib.stride_tricks.as_strided(
            base[offset:] if offset else base, size, tuple(s * item for s in stride))

    def grad_a(ctx, grad):
        raise RuntimeError("as_strided backward is not supported in ember")


# -- copies ----------------------------------------------------------------------------------

class Clone(Op, name="CloneBackward0"):
    def forward(ctx, xp, a):
        return a.copy()

    def grad_a(ctx, grad):
        return grad


class ToCopy(Op, name="ToCopyBackward0"):
    def forward(ctx, xp, a, *, dtype, device):
        if device is not None:
            ctx.src_device = _dev_of(a)
            a = to_device(a, device)
            if dtype is None:
                return a if a is not ctx else a
        return a.astype(dtype.np) if dtype is not None else a.copy()

    def grad_a(ctx, grad):
        dev = getattr(ctx, "src_device", None)
        return grad.to(dev) if dev is not None else grad


def _dev_of(a: Any) -> Any:
    from .._device import device_of

    return device_of(a)


class Copy(Op, name="CopyBackwards"):
    """``dst.copy_(src)`` as an op on dst's old value and src (used through in-place)."""

    def forward(ctx, xp, dst, src):
        if isinstance(src, (int, float, bool, complex)):
            return xp.full(dst.shape, src, dtype=dst.dtype)
        if _dev_of(src) != _dev_of(dst):
            src = to_device(src, _dev_of(dst))
        try:
            out = xp.broadcast_to(src, dst.shape)
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({dst.shape[-1] if dst.ndim else 1}) must match the "
                f"size of tensor b ({src.shape[-1] if src.ndim else 1}) at non-singleton "
                f"dimension {max(dst.ndim - 1, 0)}") from None
        return out.astype(dst.dtype, copy=True)

    def grad_dst(ctx, grad):
        return grad * 0

    def grad_src(ctx, grad):
        return grad


class Fill(Op, name="FillBackward0"):
    def forward(ctx, xp, a, *, value):
        return xp.full(a.shape, value, dtype=a.dtype)

    def grad_a(ctx, grad):
        return grad * 0


class FillTensor(Op, name="FillBackward1"):
    def forward(ctx, xp, a, value):
        return xp.full(a.shape, value, dtype=a.dtype)

    def grad_a(ctx, grad):
        return grad * 0

    def grad_value(ctx, grad):
        return grad.sum()


class Zero(Op, name="ZeroBackward0"):
    def forward(ctx, xp, a):
        return xp.zeros_like(a)

    def grad_a(ctx, grad):
        return grad * 0


class Cat(Op, name="CatBackward0"):
    def forward(ctx, xp, *arrays, dim):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return xp.concatenate(arrays, axis=dim)

    def backward(ctx, grad):
        return tuple(grad.split(ctx.sizes, ctx.dim))


class Stack(Op, name="StackBackward0"):
    def forward(ctx, xp, *arrays, dim):
        ctx.dim = dim
        return xp.stack(arrays, axis=dim)

    def backward(ctx, grad):
        return tuple(grad.unbind(ctx.dim))


class Flip(Op, name="FlipBackward0"):
    def forward(ctx, xp, a, *, dims):
        ctx.dims = dims
        return xp.flip(a, dims).copy()

    def grad_a(ctx, grad):
        return grad.flip(ctx.dims)


class Roll(Op, name="RollBackward0"):
    def forward(ctx, xp, a, *, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return xp.roll(a, shifts, dims)

    def grad_a(ctx, grad):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return grad.roll(neg, ctx.dims)


class Repeat(Op, name="RepeatBackward0"):
    def forward(ctx, xp, a, *, repeats):
        lead = len(repeats) - a.ndim
        ctx.shape, ctx.repeats = (1,) * lead + a.shape, repeats
        ctx.orig = a.shape
        return xp.tile(a, repeats)

    def grad_a(ctx, grad):
        # Fold each repeated dim into (repeat, size) and sum the repeats away.
        split = []
        for r, s in zip(ctx.repeats, ctx.shape):
            split += [r, s]
        g = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
        return g.reshape(ctx.orig)


# -- the functions users call ----------------------------------------------------------------

def view(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """Tensor.view (also ``view(dtype)``)."""
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return Tensor._make(input._data.view(shape[0].np), None, input._vc)
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return View.apply(input, shape=shape)


def reshape(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """torch.reshape: a view when the strides allow it, else a copy."""
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape=shape)
    arr = input._data
    try:
        if arr.__class__ is np.ndarray:
            np.reshape(arr, shape, copy=False)
        return View.apply(input, shape=shape)
    except (ValueError, RuntimeError):
        return UnsafeView.apply(Clone.apply(input), shape=shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Tensor.view_as."""
    return view(input, other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Tensor.reshape_as."""
    return reshape(input, other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """torch.flatten."""
    n = input.ndim
    if n == 0:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


ravel = flatten


def unflatten(input: Tensor, dim: int, sizes: Sequence) -> Tensor:  # noqa: A002
    """torch.unflatten."""
    d = _wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer_shape(sizes, input.shape[d])
    elif math.prod(sizes) != input.shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({input.shape[d]}) in the input tensor")
    return view(input, input.shape[:d] + sizes + input.shape[d + 1:])


def expand(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """Tensor.expand: -1 keeps a size; new leading dims may be added."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided (" + str(len(sizes)) + ") must be "
                           "greater or equal to the number of dimensions in the tensor (" +
                           str(len(shape)) + ")")
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension " + str(i))
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the "
                               f"existing size ({cur}) at non-singleton dimension {i}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
        out.append(s)
    out = tuple(out)
    if out == shape:
        return Expand.apply(input, shape=out) if input.requires_grad else \
            View.apply(input, shape=out)
    return Expand.apply(input, shape=out)


def expand_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Tensor.expand_as."""
    return expand(input, other.shape)


def broadcast_to(input: Tensor, size: Sequence) -> Tensor:  # noqa: A002
    """torch.broadcast_to."""
    return expand(input, tuple(size))


def broadcast_shapes(*shapes: Any) -> Any:
    """torch.broadcast_shapes."""
    from .._tensor import Size

    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                          for s in shapes]))
    except ValueError as e:
        raise RuntimeError(str(e)) from None


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """torch.broadcast_tensors."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """torch.transpose."""
    n = input.ndim
    return Transpose.apply(input, dim0=_wrap_dim(dim0, n), dim1=_wrap_dim(dim1, n))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:  # noqa: A002
    """torch.t: transpose of a tensor with at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return T.apply(input)


def permute(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    """torch.permute."""
    dims = _shape_arg(dims)
    n = input.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


def _T(input: Tensor) -> Tensor:  # noqa: A002
    n = input.ndim
    if n == 2:
        return permute(input, (1, 0))
    return permute(input, tuple(range(n - 1, -1, -1)))


def _mT(input: Tensor) -> Tensor:  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """torch.movedim."""
    n = input.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_wrap_dim(s, n) for s in src]
    dst = [_wrap_dim(d, n) for d in dst]
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """torch.unsqueeze."""
    return Unsqueeze.apply(input, dim=_wrap_dim(dim, input.ndim + 1))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """torch.squeeze (one dim, a tuple of dims, or all size-1 dims)."""
    if dim is None:
        return Squeeze.apply(input)
    n = input.ndim
    if isinstance(dim, (tuple, list)):
        return SqueezeDims.apply(input, dims=tuple(_wrap_dim(d, n) for d in dim))
    return SqueezeDim.apply(input, dims=(_wrap_dim(dim, n),))


def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """torch.select."""
    n = input.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    return Select.apply(input, dim=d, index=index % size)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:  # noqa: A002
    """torch.narrow."""
    d = _wrap_dim(dim, input.ndim)
    start = int(start)
    size = input.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return Slice.apply(input, dim=d, start=start, stop=start + length, step=1)


def _slice(input: Tensor, dim: int, key: slice) -> Tensor:  # noqa: A002
    start, stop, step = key.indices(input.shape[dim])
    if step <= 0:
        raise ValueError("step must be greater than zero")
    stop = max(stop, start)
    return Slice.apply(input, dim=dim, start=start, stop=stop, step=step)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """torch.split: chunks of one size, or of the given sizes."""
    d = _wrap_dim(dim, tensor.ndim)
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
        cls = Split
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
        cls = SplitWithSizes
    out_shapes = [tensor.shape[:d] + (s,) + tensor.shape[d + 1:] for s in sizes]
    return _multi(cls, tensor, len(sizes), out_shapes, dim=d, sizes=tuple(sizes))


def _multi(cls: type, tensor: Tensor, n: int, out_shapes: list, **attrs: Any) -> tuple:
    # A class per output count keeps Op.apply's n_outputs a class attribute.
    key = (cls, n)
    sub = _MULTI.get(key)
    if sub is None:
        sub = type(cls.__name__, (cls,), {"n_outputs": n, "__module__": __name__},
                   name=cls.__name__)
        _MULTI[key] = sub
    outs = sub.apply(tensor, **attrs)
    fn = outs[0]._grad_fn
    if fn is not None:
        fn.out_shapes = out_shapes
    return outs


_MULTI: dict = {}


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    """torch.chunk."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[_wrap_dim(dim, input.ndim)]
    step = -(-size // chunks) if size else 1
    return split(input, step, dim)


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple:  # noqa: A002
    """torch.tensor_split."""
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        q, r = divmod(size, n)
        sizes = [q + 1] * r + [q] * (n - r)
    else:
        idx = [0] + [min(max(int(i), 0), size) for i in indices_or_sections] + [size]
        sizes = [max(e - s, 0) for s, e in zip(idx[:-1], idx[1:])]
    out_shapes = [input.shape[:d] + (s,) + input.shape[d + 1:] for s in sizes]
    return _multi(SplitWithSizes, input, len(sizes), out_shapes, dim=d, sizes=tuple(sizes))


def unbind(input: Tensor, dim: int = 0) -> tuple:  # noqa: A002
    """torch.unbind."""
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    return _multi(Unbind, input, n, [], dim=d)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """torch.diagonal."""
    n = input.ndim
    return Diagonal.apply(input, offset=offset, dim1=_wrap_dim(dim1, n),
                          dim2=_wrap_dim(dim2, n))


def as_strided(input: Tensor, size: Sequence, stride: Sequence, storage_offset: int = 0) -> Tensor:  # noqa: A002
    """torch.as_strided (forward only)."""
    return AsStrided.apply(input, size=tuple(size), stride=tuple(stride),
                           offset=storage_offset)


def _same_device_dtype(tensors: Sequence[Tensor], what: str) -> list:
    from .pointwise import _Meta

    if not tensors:
        raise RuntimeError(f"{what}(): expected a non-empty list of Tensors")
    devs = {t.device for t in tensors}
    if len(devs) > 1:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           "two devices, " + ", ".join(sorted(str(d) for d in devs)) + "!")
    rt = _dtype.result_type(*[_Meta(t._data) if t.ndim else t for t in tensors])
    return [t if t.dtype is rt else t.to(rt) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """torch.cat."""
    tensors = [t for t in tensors]
    if any(t.ndim == 0 for t in tensors):
        i = next(i for i, t in enumerate(tensors) if t.ndim == 0)
        raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    # PyTorch skips legacy empty 1-D tensors of shape (0,) when concatenating.
    kept = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    kept = _same_device_dtype(kept, "cat")
    ref = kept[0]
    d = _wrap_dim(dim, ref.ndim)
    for i, t in enumerate(kept):
        if t.ndim != ref.ndim:
            raise RuntimeError("Tensors must have same number of dimensions: got "
                               f"{ref.ndim} and {t.ndim}")
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[k]} but got size {t.shape[k]} "
                                   f"for tensor number {i} in the list.")
    return Cat.apply(*kept, dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """torch.stack."""
    tensors = _same_device_dtype(list(tensors), "stack")
    ref = tensors[0]
    for i, t in enumerate(tensors):
        if t.shape != ref.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ref.shape)} at entry 0 and {list(t.shape)} at entry {i}")
    return Stack.apply(*tensors, dim=_wrap_dim(dim, ref.ndim + 1))


def atleast_1d(*tensors: Any) -> Any:
    """torch.atleast_1d."""
    out = [t.reshape(1) if t.ndim == 0 else t for t in _flat_args(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_2d(*tensors: Any) -> Any:
    """torch.atleast_2d."""
    out = [t.reshape(1, 1) if t.ndim == 0 else t.unsqueeze(0) if t.ndim == 1 else t
           for t in _flat_args(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d(*tensors: Any) -> Any:
    """torch.atleast_3d."""
    out = []
    for t in _flat_args(tensors):
        if t.ndim == 0:
            t = t.reshape(1, 1, 1)
        elif t.ndim == 1:
            t = t.reshape(1, -1, 1)
        elif t.ndim == 2:
            t = t.unsqueeze(-1)
        out.append(t)
    return out[0] if len(out) == 1 else tuple(out)


def _flat_args(tensors: tuple) -> list:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.hstack."""
    ts = atleast_1d(*tensors)
    ts = ts if isinstance(ts, tuple) else (ts,)
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.vstack."""
    ts = atleast_2d(*tensors)
    return cat(ts if isinstance(ts, tuple) else (ts,), 0)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.dstack."""
    ts = atleast_3d(*tensors)
    return cat(ts if isinstance(ts, tuple) else (ts,), 2)


def flip(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """torch.flip."""
    if isinstance(dims, int):
        dims = (dims,)
    return Flip.apply(input, dims=tuple(_wrap_dim(d, input.ndim) for d in dims))


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """torch.fliplr."""
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """torch.flipud."""
    return flip(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """torch.roll."""
    if dims is None:
        return Roll.apply(input.flatten(), shifts=shifts, dims=None).view(input.shape)
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(shifts)
    if isinstance(dims, (list, tuple)):
        dims = tuple(dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


def repeat(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """Tensor.repeat."""
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return Repeat.apply(input, repeats=sizes)


def tile(input: Tensor, dims: Sequence) -> Tensor:  # noqa: A002
    """torch.tile."""
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:  # noqa: A002
    """torch.clone."""
    return Clone.apply(input)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:  # noqa: A002
    """Tensor.contiguous: the tensor itself when already contiguous."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
    """Tensor.to(dtype), to(device), to(other), to(device, dtype); no copy if nothing changes."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif a is not None and not isinstance(a, bool):
            device = a
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        dtype = {float: _dtype.float64, int: _dtype.int64, bool: _dtype.bool}[dtype]
    if device is not None:
        device = as_device(device)
        if device == input.device:
            device = None
    if dtype is input.dtype:
        dtype = None
    if dtype is None and device is None:
        return Clone.apply(input) if copy else input
    return ToCopy.apply(input, dtype=dtype, device=device)


def _cast(dt: _dtype.dtype) -> Any:
    def f(self: Tensor, memory_format: Any = None) -> Tensor:
        return to(self, dt)

    f.__doc__ = f"Tensor.{dt.name}()"
    return f


def type_(input: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:  # noqa: A002
    """Tensor.type(): the legacy type name, or a cast."""
    from .._tensor import _legacy_type_name

    if dtype is None:
        return _legacy_type_name(input)
    if isinstance(dtype, str):
        name = dtype.split(".")[-1]
        rev = {"FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64,
               "HalfTensor": _dtype.float16, "LongTensor": _dtype.int64,
               "IntTensor": _dtype.int32, "ShortTensor": _dtype.int16,
               "CharTensor": _dtype.int8, "ByteTensor": _dtype.uint8,
               "BoolTensor": _dtype.bool}
        dtype = rev[name]
    return to(input, dtype)


def cpu(input: Tensor) -> Tensor:  # noqa: A002
    """Tensor.cpu."""
    return to(input, "cpu")


def cuda(input: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:  # noqa: A002
    """Tensor.cuda."""
    if isinstance(device, int):
        device = f"cuda:{device}"
    return to(input, device or "cuda")


# -- in-place -------------------------------------------------------------------------------

def copy_(input: Tensor, src: Any, non_blocking: bool = False) -> Tensor:  # noqa: A002
    """Tensor.copy_: broadcasts src into input, casting to input's dtype."""
    if isinstance(src, Tensor) and src._data is input._data and src.requires_grad is False:
        return input
    return apply_inplace(input, Copy, src)


def zero_(input: Tensor) -> Tensor:  # noqa: A002
    """Tensor.zero_."""
    return apply_inplace(input, Zero)


def fill_(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """Tensor.fill_."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        if value.requires_grad and grad_mode.is_grad_enabled():
            return apply_inplace(input, FillTensor, value)
        value = value.item()
    return apply_inplace(input, Fill, value=value)

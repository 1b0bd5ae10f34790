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
from ._op import Op
from .views import apply_inplace

__all__ = [
    "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "swapdims", "permute", "t", "movedim", "moveaxis", "narrow", "select", "split", "chunk",
    "unbind", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "flip",
    "fliplr", "flipud", "roll", "clone", "broadcast_to", "broadcast_tensors", "tile",
    "diagonal", "atleast_1d", "atleast_2d", "atleast_3d", "ravel", "tensor_split",
    "broadcast_shapes", "as_strided",
]


def _shape_arg(shape: Sequence) -> tuple:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                                   f"{list(shape)}")
            known *= s
    if -1 in shape:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because "
                    "the unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
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


class ReshapeAlias(View, name="ReshapeAliasBackward0"):
    """reshape of a non-contiguous tensor whose strides still allow a view."""


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
        return out[0] if len(out) == 1 else out

    def backward(ctx, grad):
        if isinstance(grad, Tensor):  # a single output
            return (grad,)
        parts = _fill_missing(grad, [ctx.out_shapes[i] for i in range(ctx.n_outputs_)])
        return (cat(parts, ctx.dim),) if parts else (None,)


class SplitWithSizes(Split, name="SplitWithSizesBackward0"):
    pass


def _fill_missing(grads: Any, shapes: list) -> list:
    """The outputs' gradients, zeros for the unused outputs; [] when none was used."""
    from .creation import zeros

    ref = next((g for g in grads if g is not None), None)
    if ref is None:
        return []
    return [g if g is not None else zeros(s, dtype=ref.dtype, device=ref.device)
            for g, s in zip(grads, shapes)]


class Unbind(Op, name="UnbindBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, dim):
        ctx.shape, ctx.dim = a.shape, dim
        idx = (slice(None),) * dim
        out = tuple(a[idx + (i, Ellipsis)] for i in range(a.shape[dim]))
        return out[0] if len(out) == 1 else out

    def backward(ctx, grad):
        if isinstance(grad, Tensor):  # a single output
            return (grad.unsqueeze(ctx.dim),)
        shape = ctx.shape[:ctx.dim] + ctx.shape[ctx.dim + 1:]
        parts = _fill_missing(grad, [shape] * len(grad))
        return (stack(parts, ctx.dim),) if parts else (None,)


class Diagonal(Op, name="DiagonalBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, offset, dim1, dim2):
        ctx.shape, ctx.args = a.shape, (offset, dim1, dim2)
        d = xp.diagonal(a, offset, dim1, dim2)
        if xp is np and a.flags.writeable:
            d.flags.writeable = True  # NumPy hands out read-only diagonals; torch's are views
        return d

    def grad_a(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        Diagonal.apply(out, offset=ctx.args[0], dim1=ctx.args[1], dim2=ctx.args[2]).copy_(grad)
        return out


class AsStrided(Op, name="AsStridedBackward0"):
    is_view = True

    def forward(ctx, xp, a, *, size, stride, offset):
        # Offsets and strides count elements from a's first element (its storage start for
        # a tensor that is not itself a view with an offset).
        item, st = a.itemsize, xp.lib.stride_tricks
        start = st.as_strided(a, (offset + 1,), (item,))[offset:] if offset else a
        return st.as_strided(start, size, tuple(s * item for s in stride))

    def grad_a(ctx, grad):
        raise RuntimeError("as_strided backward is not supported in ember")


# -- copies ----------------------------------------------------------------------------------

class Clone(Op, name="CloneBackward0"):
    def forward(ctx, xp, a, *, order="K"):
        # "K" keeps a transposed tensor transposed, as torch's preserve_format does.
        return a.copy(order=order)

    def grad_a(ctx, grad):
        return grad


class ToCopy(Op, name="ToCopyBackward0"):
    def forward(ctx, xp, a, *, dtype, device):
        if device is not None:
            ctx.src_device = _dev_of(a)
            a = to_device(a, device)  # a copy: the devices differ
            return a if dtype is None else a.astype(dtype.np, copy=False)
        return a.astype(dtype.np, order="K") if dtype is not None else a.copy(order="K")

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
            from .pointwise import _broadcast_error

            raise _broadcast_error(dst, src) from None
        return out.astype(dst.dtype, copy=True)

    def grad_dst(ctx, grad):
        return _zeros_like(grad)

    def grad_src(ctx, grad):
        return grad


def _zeros_like(grad: Tensor) -> Tensor:
    from .creation import zeros_like

    return zeros_like(grad)


# fill_ and zero_ exist only in place here; PyTorch names their in-place nodes like this.
class Fill(Op, name="FillBackward2"):
    def forward(ctx, xp, a, *, value):
        return xp.full(a.shape, value, dtype=a.dtype)

    def grad_a(ctx, grad):
        return _zeros_like(grad)


class FillTensor(Op, name="FillBackward3"):
    def forward(ctx, xp, a, value):
        return xp.full(a.shape, value, dtype=a.dtype)

    def grad_a(ctx, grad):
        return _zeros_like(grad)

    def grad_value(ctx, grad):
        return grad.sum()


class Zero(Op, name="ZeroBackward0"):
    def forward(ctx, xp, a):
        return xp.zeros_like(a)

    def grad_a(ctx, grad):
        return _zeros_like(grad)


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
    """torch.reshape: a view when the strides allow it (ViewBackward0 for a contiguous input,
    ReshapeAliasBackward0 otherwise), else a copy (UnsafeViewBackward0 of a clone)."""
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    arr = input._data
    if arr.flags.c_contiguous:
        return View.apply(input, shape=shape)
    try:
        if arr.__class__ is np.ndarray:
            np.reshape(arr, shape, copy=False)
        else:  # CuPy has no copy=False: a view exists when the strides can be computed
            arr.view().shape = shape
        return ReshapeAlias.apply(input, shape=shape)
    except (ValueError, AttributeError, RuntimeError):
        return UnsafeView.apply(Clone.apply(input, order="C"), shape=shape)


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


def ravel(input: Tensor) -> Tensor:  # noqa: A002
    """torch.ravel: a contiguous copy when needed, then a flat view."""
    return view(contiguous(input), -1)


def unflatten(input: Tensor, dim: int, sizes: Sequence) -> Tensor:  # noqa: A002
    """torch.unflatten."""
    d = _wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
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
        from .._tensor import _legacy_type_name

        raise RuntimeError(f"expand({_legacy_type_name(input)}{{{list(shape)}}}, size="
                           f"{list(sizes)}): the number of sizes provided ({len(sizes)}) must "
                           "be greater or equal to the number of dimensions in the tensor "
                           f"({len(shape)})")
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

    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    n = max((len(s) for s in shapes), default=0)
    result = [1] * n
    # Dimension by dimension from the right, as PyTorch, so its message names the same
    # argument and the same partial result.
    for i in range(-1, -n - 1, -1):
        for k, s in enumerate(shapes):
            if -i > len(s) or s[i] == 1 or s[i] == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[i]} at "
                                   f"{i}! Mismatching argument at index {k} had {s}; but "
                                   f"expected shape should be broadcastable to {result}")
            result[i] = s[i]
    return Size(result)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """torch.broadcast_tensors (a tensor already of the broadcast shape is returned as is)."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t if t.shape == shape else expand(t, shape) for t in tensors)


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


_T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/"
    "native/TensorShape.cpp:4314.)")


_T_WARNING_0D = ("Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                 "cases. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                 "TensorShape.cpp:4321.)")


def _T(input: Tensor) -> Tensor:  # noqa: A002
    n = input.ndim
    if n == 2:
        return permute(input, (1, 0))
    if n != 1:
        import warnings

        warnings.warn(_T_WARNING if n else _T_WARNING_0D, UserWarning, stacklevel=3)
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
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} "
                           "dims)")
    src = [_wrap_dim(s, n) for s in src]
    dst = [_wrap_dim(d, n) for d in dst]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
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
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
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
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={step}")
        if step == 0 and size:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
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
    if n == 1:  # Op.apply returns a lone output as itself
        outs = (outs,)
    if not outs:
        return outs
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
    """torch.tensor_split: pieces are slices of the input (SliceBackward0 each, as PyTorch)."""
    d = _wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (n - r)).tolist()
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [size]
    out = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        start = min(max(start if start >= 0 else start + size, 0), size)
        stop = min(max(stop if stop >= 0 else stop + size, start), size)
        out.append(Slice.apply(input, dim=d, start=start, stop=stop, step=1))
    return tuple(out)


def unbind(input: Tensor, dim: int = 0) -> tuple:  # noqa: A002
    """torch.unbind."""
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    return _multi(Unbind, input, n, [], dim=d)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """torch.diagonal."""
    n = input.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset=offset, dim1=d1, dim2=d2)


def as_strided(input: Tensor, size: Sequence, stride: Sequence, storage_offset: int = 0) -> Tensor:  # noqa: A002
    """torch.as_strided (forward only)."""
    return AsStrided.apply(input, size=tuple(size), stride=tuple(stride),
                           offset=storage_offset)


def _same_device_dtype(tensors: Sequence[Tensor], what: str) -> list:
    from .pointwise import _Meta

    first = tensors[0]._data
    if all(t._data.dtype == first.dtype and t._data.__class__ is first.__class__
           for t in tensors):  # the common case: nothing to check or cast
        return tensors
    devs = {t.device for t in tensors}
    if len(devs) > 1:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           "two devices, " + ", ".join(sorted(str(d) for d in devs)) + "!")
    rt = _dtype.result_type(*[_Meta(t._data) if t.ndim else t for t in tensors])
    return [t if t.dtype is rt else t.to(rt) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """torch.cat."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
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
    if not len(tensors):
        raise RuntimeError("stack expects a non-empty TensorList")
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
            t = t.unsqueeze(0).unsqueeze(-1)
        elif t.ndim == 2:
            t = t.unsqueeze(-1)
        out.append(t)
    return out[0] if len(out) == 1 else tuple(out)


def _flat_args(tensors: tuple) -> list:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def _nonempty(tensors: Sequence[Tensor], what: str) -> None:
    if not len(tensors):
        raise RuntimeError(f"{what} expects a non-empty TensorList")


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.hstack."""
    _nonempty(tensors, "hstack")
    ts = atleast_1d(*tensors)
    ts = ts if isinstance(ts, tuple) else (ts,)
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.vstack."""
    _nonempty(tensors, "vstack")
    ts = atleast_2d(*tensors)
    return cat(ts if isinstance(ts, tuple) else (ts,), 0)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """torch.dstack."""
    _nonempty(tensors, "dstack")
    ts = atleast_3d(*tensors)
    return cat(ts if isinstance(ts, tuple) else (ts,), 2)


def _dim_list(dims: tuple, ndim: int) -> tuple:
    """Dims given as varargs or one sequence, wrapped, each at most once."""
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = tuple(dims[0])
    out = tuple(_wrap_dim(d, ndim) for d in dims)
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def flip(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    """torch.flip (dims as one sequence or varargs)."""
    return Flip.apply(input, dims=_dim_list(dims, input.ndim))


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """torch.fliplr."""
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """torch.flipud."""
    return flip(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """torch.roll (over the flattened tensor when dims is None)."""
    shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else int(shifts)
    if dims is not None:
        dims = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
        n_shifts = len(shifts) if isinstance(shifts, tuple) else 1
        if n_shifts != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {n_shifts}, dims:"
                               f"{len(dims)}")
        dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
        if not isinstance(shifts, tuple):
            shifts = (shifts,)
    return Roll.apply(input, shifts=shifts, dims=dims)


def repeat(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """Tensor.repeat."""
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    shape = (1,) * (len(sizes) - input.ndim) + input.shape
    if any(r < 0 for r in sizes):
        out = [r * s for r, s in zip(sizes, shape)]
        bad = next(o for o in out if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {out}")
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
    return Clone.apply(input, order="C")


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
    """Tensor.to(dtype), to(device), to(other), to(device, dtype); no copy if nothing changes."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, _dtype.dtype) or a in _PY_TYPES:
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif a is not None and not isinstance(a, bool):
            device = a
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        dtype = _PY_TYPES[dtype]
    if device is not None:
        device = as_device(device)
        if device == input.device:
            device = None
    if dtype is input.dtype:
        dtype = None
    if dtype is None and device is None and not copy:
        return input
    return ToCopy.apply(input, dtype=dtype, device=device)


_PY_TYPES = {float: _dtype.float64, int: _dtype.int64, bool: _dtype.bool,
             complex: _dtype.complex128}


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
        return apply_inplace(input, FillTensor, value)
    return apply_inplace(input, Fill, value=value)

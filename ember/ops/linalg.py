"""Matrix products: mm, bmm, mv, dot, matmul (and ``@``), addmm and friends, einsum, cross.

The products are single BLAS calls (``xp.matmul``) with one node each. ``matmul`` is built
from them exactly as ATen's ``_matmul_impl`` builds it (dot, mv, mm, folded mm, or bmm over
broadcast batches), so the grad_fn users see is PyTorch's: ``MmBackward0`` for 2-D @ 2-D,
``UnsafeViewBackward0`` over a folded ``MmBackward0`` for 3-D @ 2-D, and so on.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor, _wrap_dim
from ..amp import autocast_mode
from ..autograd import grad_mode
from ..autograd.graph import SECOND_BACKWARD, SavedTensor
from ._op import _FREED, Op

__all__ = [
    "matmul", "mm", "bmm", "dot", "vdot", "mv", "outer", "ger", "inner", "addmm", "addmv",
    "addr", "baddbmm", "addbmm", "tensordot", "einsum", "kron", "cross", "chain_matmul",
]
__methods__ = [
    "matmul", "mm", "bmm", "dot", "vdot", "mv", "outer", "ger", "inner", "addmm", "addmv",
    "addr", "baddbmm", "addbmm", "kron", "cross", "__matmul__", "__rmatmul__",
]
__inplace__ = ["addmm", "addmv", "addr", "baddbmm", "addbmm"]

_grad_state = grad_mode._state

# ATen's C++ type names, as its "expected m1 and m2 to have the same dtype" message prints them.
_CPP_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half",
             "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
             "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
             "bool": "bool", "complex64": "c10::complex<float>",
             "complex128": "c10::complex<double>"}

_amp_state = autocast_mode._state


def _word(a: Any) -> str:
    from .views import _type_word

    return _type_word(_dtype.from_numpy_dtype(a.dtype))


def _cpp(a: Any) -> str:
    return _CPP_NAME[_dtype.from_numpy_dtype(a.dtype).name]


def _no_bool(a: Any, kernel: str) -> None:
    if a.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _h(x: Tensor) -> Tensor:
    """The conjugate transpose of a matrix (just the transpose for real dtypes)."""
    t = x.mT
    return t.conj() if x._data.dtype.kind == "c" else t


def _hv(x: Tensor) -> Tensor:
    """The conjugate of a vector (itself for real dtypes)."""
    return x.conj() if x._data.dtype.kind == "c" else x


def _arr_h(x: Any) -> Any:
    t = x.swapaxes(-1, -2)
    return t.conj() if x.dtype.kind == "c" else t


# The gradients of a matrix product are matrix products. A plain backward (no graph being
# built) runs them as one GEMM on the arrays; under create_graph they are ember ops, so that
# they can be differentiated again.

def _grad_left(grad: Tensor, b: Tensor, scale: Any = 1) -> Tensor:
    """grad @ b^H (times scale): the gradient of the left factor of a @ b."""
    if not _grad_state.enabled:
        g, bd = grad._data, b._data
        out = _xp_of(g).matmul(g, _arr_h(bd))
        return Tensor._make(out * scale if scale != 1 else out)
    out = _h(b)
    out = grad.mm(out) if grad.ndim == 2 else grad.bmm(out)
    return out if scale == 1 else out * scale


def _grad_right(grad: Tensor, a: Tensor, scale: Any = 1, transposed: bool = False) -> Tensor:
    """a^H @ grad (times scale): the gradient of the right factor of a @ b. ``transposed``
    says b is a transposed matrix (``weight.t()`` in linear): the product is then laid out
    the same way, (grad^H @ a)^H, so that the weight's own gradient comes out contiguous and
    AccumulateGrad can keep it without a copy (torch's mm_mat2_backward does the same)."""
    if not _grad_state.enabled:
        g, ad = grad._data, a._data
        if transposed:
            out = _arr_h(_xp_of(g).matmul(_arr_h(g), ad))
        else:
            out = _xp_of(g).matmul(_arr_h(ad), g)
        return Tensor._make(out * scale if scale != 1 else out)
    out = _h(a)
    out = out.mm(grad) if grad.ndim == 2 else out.bmm(grad)
    return out if scale == 1 else out * scale


def _mm_arrays(xp: Any, a: Any, b: Any) -> Any:
    out = xp.matmul(a, b)
    # ml_dtypes' bfloat16 product accumulates in float32 and returns that; torch keeps the
    # input dtype (as it does for every other float type).
    return out if out.dtype == a.dtype or a.dtype.kind != "V" else out.astype(a.dtype)


def _xp_of(arr: Any) -> Any:
    return np if arr.__class__ is np.ndarray else array_module(arr)


# -- the products ---------------------------------------------------------------------------

class Mm(Op, name="MmBackward0"):
    def forward(ctx, xp, a, b):
        if a.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if b.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        _check_mm(a, b)
        ctx.b_t = _is_transposed(b)
        return _mm_arrays(xp, a, b)

    def grad_a(ctx, grad, b):
        return _grad_left(grad, b)

    def grad_b(ctx, grad, a):
        return _grad_right(grad, a, 1, ctx.b_t)


def _is_transposed(b: Any) -> bool:
    f = b.flags
    return f.f_contiguous and not f.c_contiguous


def _check_mm(a: Any, b: Any) -> None:
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x"
                           f"{a.shape[1]} and {b.shape[0]}x{b.shape[1]})")
    if a.dtype != b.dtype:
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                           f"{_cpp(a)} != {_cpp(b)}")
    _no_bool(a, "addmm_impl_cpu_")


class Bmm(Op, name="BmmBackward0"):
    def forward(ctx, xp, a, b):
        _check_bmm(a, b)
        return _mm_arrays(xp, a, b)

    def grad_a(ctx, grad, b):
        return _grad_left(grad, b)

    def grad_b(ctx, grad, a):
        return _grad_right(grad, a)


def _check_bmm(a: Any, b: Any, prefix: str = "batch") -> None:
    if a.ndim != 3:
        raise RuntimeError(f"{prefix}1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError(f"{prefix}2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    _no_bool(a, "bmm")


class Mv(Op, name="MvBackward0"):
    def forward(ctx, xp, a, b):
        _check_mv(a, b, None)
        return _mm_arrays(xp, a, b)

    def grad_a(ctx, grad, b):
        return grad.unsqueeze(1) * _hv(b)

    def grad_b(ctx, grad, a):
        return _h(a).mv(grad)


def _check_mv(a: Any, b: Any, c: Any) -> None:
    """ATen's addmv checks; plain mv is addmv into a fresh vector of b's dtype."""
    c_ndim = 1 if c is None else c.ndim
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c_ndim}, {a.ndim}, "
                           f"{b.ndim}")
    n = a.shape[0] if c is None else (c.shape[0] if c.ndim else 1)
    if a.shape[1] != b.shape[0] or c is not None and c.ndim == 1 and n not in (1, a.shape[0]):
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({a.shape[0]}x{a.shape[1]}), "
                           f"vec ({b.shape[0]})")
    c_dtype = b if c is None else c
    if a.dtype != b.dtype or c_dtype.dtype != a.dtype:
        raise RuntimeError("addmv input tensors must have the same dtype, but got "
                           f"{_word(c_dtype)}, {_word(a)}, and {_word(b)}")
    _no_bool(a, "addmv_impl_cpu")


class Dot(Op, name="DotBackward0"):
    def forward(ctx, xp, a, b):
        _check_dot(a, b)
        return xp.dot(a, b)

    def grad_a(ctx, grad, b):
        return grad * _hv(b)

    def grad_b(ctx, grad, a):
        return grad * _hv(a)


def _check_dot(a: Any, b: Any) -> None:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype != b.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{_word(a)} and {_word(b)}")
    _no_bool(a, "dot")


class Vdot(Op, name="VdotBackward0"):
    def forward(ctx, xp, a, b):
        _check_dot(a, b)
        return xp.vdot(a, b)

    def grad_a(ctx, grad, b):
        return _hv(grad * _hv(b)) if b._data.dtype.kind == "c" else grad * b

    def grad_b(ctx, grad, a):
        return grad * a


class _SqueezeFirst(Op, name="SqueezeBackward4"):
    """The ``squeeze_(0)`` ATen applies to ``mm(x.unsqueeze(0), m)`` for 1-D @ 2-D."""

    def forward(ctx, xp, a):
        return a[0]

    def grad_a(ctx, grad):
        return grad.unsqueeze(0)


# -- fused multiply-adds: beta * input + alpha * product ------------------------------------

def _expand_error(shape: tuple, target: tuple) -> RuntimeError:
    if len(shape) > len(target):
        return RuntimeError(
            f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(target)}): the number of "
            f"sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})")
    lead = len(target) - len(shape)
    for i, s in enumerate(shape):
        if s != 1 and s != target[lead + i]:
            return RuntimeError(
                f"The expanded size of the tensor ({target[lead + i]}) must match the existing "
                f"size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}")
    return RuntimeError("expand failed")


def _fma(xp: Any, c: Any, prod: Any, beta: Any, alpha: Any) -> Any:
    if c.shape != prod.shape:
        try:
            if np.broadcast_shapes(c.shape, prod.shape) != prod.shape:
                raise ValueError
        except ValueError:
            raise _expand_error(c.shape, prod.shape) from None
    if alpha != 1:
        prod *= alpha
    if beta == 0:  # PyTorch ignores input (even nan/inf in it) when beta is 0
        return prod
    prod += c if beta == 1 else beta * c
    return prod


def _scaled(grad: Tensor, s: Any) -> Tensor:
    return grad if s == 1 else grad * s


class Addmm(Op, name="AddmmBackward0"):
    def forward(ctx, xp, c, a, b, *, beta=1, alpha=1):
        if a.ndim != 2:
            raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
        if b.ndim != 2:
            raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
        _check_mm(a, b)
        if c.dtype != b.dtype:
            raise RuntimeError("self and mat2 must have the same dtype, but got "
                               f"{_word(c)} and {_word(b)}")
        ctx.beta, ctx.alpha = beta, alpha
        ctx.b_t = _is_transposed(b)
        return _fma(xp, c, _mm_arrays(xp, a, b), beta, alpha)

    def grad_c(ctx, grad):
        return _scaled(grad, ctx.beta)

    def grad_a(ctx, grad, b):
        return _grad_left(grad, b, ctx.alpha)

    def grad_b(ctx, grad, a):
        return _grad_right(grad, a, ctx.alpha, ctx.b_t)


class Addmv(Op, name="AddmvBackward0"):
    def forward(ctx, xp, c, a, b, *, beta=1, alpha=1):
        _check_mv(a, b, c)
        ctx.beta, ctx.alpha = beta, alpha
        return _fma(xp, c, _mm_arrays(xp, a, b), beta, alpha)

    def grad_c(ctx, grad):
        return _scaled(grad, ctx.beta)

    def grad_a(ctx, grad, b):
        return _scaled(grad.unsqueeze(1) * _hv(b), ctx.alpha)

    def grad_b(ctx, grad, a):
        return _scaled(_h(a).mv(grad), ctx.alpha)


class Addr(Op, name="AddrBackward0"):
    def forward(ctx, xp, c, a, b, *, beta=1, alpha=1):
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument vec{1 if a.ndim != 1 else 2}, "
                               f"but got {a.ndim if a.ndim != 1 else b.ndim}-D")
        ctx.beta, ctx.alpha = beta, alpha
        return _fma(xp, c, xp.multiply.outer(a, b), beta, alpha)

    def grad_c(ctx, grad):
        return _scaled(grad, ctx.beta)

    def grad_a(ctx, grad, b):
        return _scaled(grad.mv(_hv(b)), ctx.alpha)

    def grad_b(ctx, grad, a):
        return _scaled(_h(grad).mv(a), ctx.alpha)


class Baddbmm(Op, name="BaddbmmBackward0"):
    def forward(ctx, xp, c, a, b, *, beta=1, alpha=1):
        _check_bmm(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        return _fma(xp, c, _mm_arrays(xp, a, b), beta, alpha)

    def grad_c(ctx, grad):
        return _scaled(grad, ctx.beta)

    def grad_a(ctx, grad, b):
        return _grad_left(grad, b, ctx.alpha)

    def grad_b(ctx, grad, a):
        return _grad_right(grad, a, ctx.alpha)


class Addbmm(Op, name="AddbmmBackward0"):
    def forward(ctx, xp, c, a, b, *, beta=1, alpha=1):
        _check_bmm(a, b)
        ctx.beta, ctx.alpha, ctx.n = beta, alpha, a.shape[0]
        # One GEMM over the concatenated batch: (n,p,k) x (n,k,q) summed over n is
        # [a_0 ... a_n-1] @ [b_0; ...; b_n-1].
        n, p, k = a.shape
        prod = xp.matmul(xp.moveaxis(a, 0, 1).reshape(p, n * k), b.reshape(n * k, -1))
        return _fma(xp, c, prod, beta, alpha)

    def grad_c(ctx, grad):
        return _scaled(grad, ctx.beta)

    def grad_a(ctx, grad, b):
        return _scaled(grad.unsqueeze(0).expand(ctx.n, *grad.shape).bmm(_h(b)), ctx.alpha)

    def grad_b(ctx, grad, a):
        return _scaled(_h(a).bmm(grad.unsqueeze(0).expand(ctx.n, *grad.shape)), ctx.alpha)


class Cross(Op, name="LinalgCrossBackward0"):
    def forward(ctx, xp, a, b, *, dim):
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
        ctx.dim = dim
        return xp.cross(a, b, axis=dim)

    def grad_a(ctx, grad, b):
        return b.conj().cross(grad, dim=ctx.dim) if b._data.dtype.kind == "c" else \
            b.cross(grad, dim=ctx.dim)

    def grad_b(ctx, grad, a):
        return grad.cross(_hv(a), dim=ctx.dim)


# -- the functions users call ---------------------------------------------------------------

def mm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """torch.mm."""
    return _out(Mm.apply(input, mat2), out)


def bmm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """torch.bmm."""
    return _out(Bmm.apply(input, mat2), out)


def mv(input: Tensor, vec: Tensor, *, out: Any = None) -> Tensor:
    """torch.mv."""
    return _out(Mv.apply(input, vec), out)


def dot(input: Tensor, tensor: Tensor, *, out: Any = None) -> Tensor:
    """torch.dot."""
    return _out(Dot.apply(input, tensor), out)


def vdot(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """torch.vdot: the dot product with the first argument conjugated."""
    return _out(Vdot.apply(input, other), out)


def outer(input: Tensor, vec2: Tensor, *, out: Any = None) -> Tensor:
    """torch.outer (ATen: ``input.reshape(n, 1) * vec2``)."""
    if input.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return _out(input.reshape(input.shape[0], 1) * vec2, out)


ger = outer


def matmul(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """torch.matmul, decomposed as ATen's ``_matmul_impl`` decomposes it."""
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        input, other = autocast_mode.cast_at_entry("matmul", input, other)
    return _out(_matmul(input, other), out)


def _matmul(t1: Tensor, t2: Tensor) -> Tensor:
    d1, d2 = t1._data.ndim, t2._data.ndim
    if d1 == 2 and d2 == 2:
        return Mm.apply(t1, t2)
    if d1 == 0 or d2 == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{d1}D and {d2}D")
    if d1 == 1 and d2 == 1:
        return Dot.apply(t1, t2)
    if d1 == 2 and d2 == 1:
        return Mv.apply(t1, t2)
    if d1 == 1 and d2 == 2:
        return _SqueezeFirst.apply(Mm.apply(t1.unsqueeze(0), t2))
    grad = (t1._requires_grad or t2._requires_grad) and _grad_on()
    if _should_fold(t1, t2, grad):
        # Fold the batch of the larger operand into its rows: one mm instead of a bmm.
        transpose = d2 > d1
        a = t2.mT if transpose else t1
        b = (t1.t() if d1 == 2 else t1) if transpose else t2
        shape = a.shape[:-1]
        rows = math.prod(shape)
        folded = a.reshape(rows, a.shape[-1])
        if b.ndim == 2:
            res = _unsafe_view(Mm.apply(folded, b), shape + (b.shape[1],))
            return res.mT.contiguous() if transpose else res
        return _unsafe_view(Mv.apply(folded, b), shape)
    if d1 == 3 and d2 == 3 and t1.shape[0] != t2.shape[0] and grad:
        if t1.shape[0] == 1 and t1._requires_grad:
            return _matmul(t1.squeeze(0), t2)
        if t2.shape[0] == 1 and t2._requires_grad:
            return _matmul(t1, t2.squeeze(0))
    # Broadcast the batch dims, flatten them, and run one bmm.
    s1, s2 = t1.shape, t2.shape
    n = s1[-2] if d1 > 1 else 1
    m1 = s1[-1]
    m2 = s2[-2] if d2 > 1 else s2[0]
    p = s2[-1] if d2 > 1 else 1
    batch = _broadcast_batch(s1[:max(d1 - 2, 0)], s2[:max(d2 - 2, 0)])
    nb = math.prod(batch)
    a = t1.expand(batch + (n, m1)).reshape(nb, n, m1)
    if d2 == 1:
        b = t2.expand(batch + (m2,)).reshape(nb, m2).unsqueeze(2)
    else:
        b = t2.expand(batch + (m2, p)).reshape(nb, m2, p)
    shape = batch + ((n,) if d1 > 1 else ()) + ((p,) if d2 > 1 else ())
    res = Bmm.apply(a, b)
    if d2 == 1:
        res = res.squeeze(-1)
    return _unsafe_view(res, shape)


def _grad_on() -> bool:
    from ..autograd import grad_mode

    return grad_mode._state.enabled


def _should_fold(t1: Tensor, t2: Tensor, grad: bool) -> bool:
    """ATen's should_fold: fold the larger operand's batch into matrix rows (mm instead of
    bmm) when one side has >= 3 dims and the other <= 2, if the smaller one needs a gradient
    (its gradient is then one mm) or the fold is a free view."""
    d1, d2 = t1._data.ndim, t2._data.ndim
    larger = d1 >= d2
    big, small = (d1, d2) if larger else (d2, d1)
    if not (big >= 3 and small <= 2):
        return False
    if grad and (t2 if larger else t1)._requires_grad:
        return True
    if d1 == 2:
        return False
    arr = t1._data if larger else t2._data.swapaxes(-1, -2)
    if arr.size == 0:
        return True
    shape, strides = arr.shape, arr.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big - 2))


def _broadcast_batch(b1: tuple, b2: tuple) -> tuple:
    try:
        return tuple(np.broadcast_shapes(tuple(b1), tuple(b2)))
    except ValueError:
        n = max(len(b1), len(b2))
        s1, s2 = (1,) * (n - len(b1)) + tuple(b1), (1,) * (n - len(b2)) + tuple(b2)
        for i in range(n - 1, -1, -1):
            if s1[i] != s2[i] and s1[i] != 1 and s2[i] != 1:
                raise RuntimeError(f"The size of tensor a ({s1[i]}) must match the size of "
                                   f"tensor b ({s2[i]}) at non-singleton dimension {i}") \
                    from None
        raise


def _unsafe_view(t: Tensor, shape: tuple) -> Tensor:
    from .shape import UnsafeView

    return UnsafeView.apply(t, shape=tuple(shape))


def __matmul__(self: Tensor, other: Any) -> Tensor:
    """Tensor.__matmul__ (``a @ b``)."""
    if not isinstance(other, Tensor):
        return NotImplemented
    return _matmul(self, other)


def __rmatmul__(self: Tensor, other: Any) -> Tensor:
    """Tensor.__rmatmul__ (``array @ tensor``)."""
    if not isinstance(other, Tensor):
        from .creation import as_tensor

        other = as_tensor(other, device=self.device)
    return _matmul(other, self)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1,
          out: Any = None) -> Tensor:
    """torch.addmm: beta * input + alpha * (mat1 @ mat2)."""
    return _out(Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha), out)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1,
          out: Any = None) -> Tensor:
    """torch.addmv: beta * input + alpha * (mat @ vec)."""
    return _out(Addmv.apply(input, mat, vec, beta=beta, alpha=alpha), out)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1,
         out: Any = None) -> Tensor:
    """torch.addr: beta * input + alpha * outer(vec1, vec2)."""
    return _out(Addr.apply(input, vec1, vec2, beta=beta, alpha=alpha), out)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1,
            out: Any = None) -> Tensor:
    """torch.baddbmm: beta * input + alpha * bmm(batch1, batch2)."""
    return _out(Baddbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha), out)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1,
           out: Any = None) -> Tensor:
    """torch.addbmm: beta * input + alpha * sum over the batch of bmm(batch1, batch2)."""
    return _out(Addbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha), out)


def inner(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """torch.inner: contraction over the last dimension of both."""
    if input.ndim == 0 or other.ndim == 0:
        return _out(input * other, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError("inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    return _out(tensordot(input, other, ([-1], [-1])), out)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """torch.tensordot, as ATen does it: permute, reshape to matrices, one mm, reshape."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    csize = 1
    t1, t2 = a, b
    for da, db in zip(dims_a, dims_b):
        s1, s2 = a.shape[da], b.shape[db]
        if s2 == 1:  # a broadcast dim can be summed right away
            t1 = t1.sum(da, keepdim=True)
        elif s1 == 1:
            t2 = t2.sum(db, keepdim=True)
        else:
            if s1 != s2:
                raise RuntimeError(f"contracted dimensions need to match, but first has size "
                                   f"{s1} in dim {da} and second has size {s2} in dim {db}")
            csize *= s1
    ca = [_wrap_dim(d, a.ndim) for d in dims_a]
    cb = [_wrap_dim(d, b.ndim) for d in dims_b]
    keep_a = [i for i in range(a.ndim) if i not in ca]
    keep_b = [i for i in range(b.ndim) if i not in cb]
    rsizes = [t1.shape[i] for i in keep_a] + [t2.shape[i] for i in keep_b]
    m1 = t1.permute(keep_a + ca).reshape(math.prod(t1.shape[i] for i in keep_a), csize)
    m2 = t2.permute(cb + keep_b).reshape(csize, math.prod(t2.shape[i] for i in keep_b))
    return _out(Mm.apply(m1, m2).reshape(rsizes), out)


def kron(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """torch.kron (ATen: interleave the dims, multiply with broadcasting, unsafe view)."""
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    ra = sum(((s, 1) for s in sa), ())
    rb = sum(((1, s) for s in sb), ())
    prod = input.reshape(ra) * other.reshape(rb)
    return _out(_unsafe_view(prod, tuple(x * y for x, y in zip(sa, sb))), out)


def cross(input: Tensor, other: Tensor, dim: int | None = None, *, out: Any = None) -> Tensor:
    """torch.cross (without dim: the first dim of size 3, with PyTorch's warning)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.",
            UserWarning, stacklevel=2)
        shape = _broadcast_batch(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return _out(linalg_cross(input, other, dim=dim), out)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.cross."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. "
                           f"Got {input.ndim} and {other.ndim}")
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    _broadcast_batch(input.shape, other.shape)
    return Cross.apply(input, other, dim=d)


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """torch.chain_matmul (deprecated in PyTorch; left-to-right products)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather "
        "than multiple parameters.", UserWarning, stacklevel=2)
    return _out(multi_dot(matrices), out)


def multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """torch.linalg.multi_dot (left to right)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    res = tensors[0]
    for t in tensors[1:]:
        res = _matmul(res, t)
    return _out(res, out)


# -- einsum ---------------------------------------------------------------------------------

class _Einsum(Op, name="EinsumBackward"):
    """One einsum node: xp.einsum forward; each gradient is itself an einsum, so double
    backward comes free. Subscripts arrive without ellipsis or broadcast size-1 labels (the
    wrapper removes those with view ops); a label may repeat within an operand (a diagonal).
    """

    def forward(ctx, xp, *operands, subs, out_subs):
        ctx.subs, ctx.out_subs = subs, out_subs
        ctx.sizes = {c: s for sub, op in zip(subs, operands) for c, s in zip(sub, op.shape)}
        eq = ",".join(subs) + "->" + out_subs
        return xp.einsum(eq, *operands, optimize=len(operands) > 2)

    def backward(ctx, grad, operands):
        outs = []
        sizes = ctx.sizes
        for k, need in enumerate(ctx.needs_input_grad):
            if not need:
                outs.append(None)
                continue
            others = [op for i, op in enumerate(operands) if i != k]
            osubs = [s for i, s in enumerate(ctx.subs) if i != k]
            have = set(ctx.out_subs).union(*osubs)
            target = ctx.subs[k]
            uniq = "".join(dict.fromkeys(target))
            kept = "".join(c for c in uniq if c in have)
            g = _einsum_op("EinsumBackward", [grad] + others, [ctx.out_subs] + osubs, kept)
            if kept != uniq:  # labels summed only in this operand: broadcast back
                g = g.reshape([sizes[c] if c in kept else 1 for c in uniq]).expand(
                    [sizes[c] for c in uniq])
            if uniq != target:
                g = _embed_diagonal(g, target, sizes)
            outs.append(g)
        return tuple(outs)

    # The operands are a variable number of inputs: save them all as one tuple.
    def _record(self, inputs: tuple, needs: tuple, results: Any) -> None:
        Op._record(self, inputs, needs, results)
        self._saved = {"operands": tuple(SavedTensor(x) for x in inputs)}

    def _unpack(self) -> dict:
        if self._saved is _FREED:
            raise RuntimeError(SECOND_BACKWARD)
        return {"operands": tuple(v.unpack(self) for v in self._saved["operands"])}


def _embed_diagonal(g: Tensor, target: str, sizes: dict) -> Tensor:
    """Place ``g`` (one dim per distinct label, in order of first appearance) on the
    diagonals of an operand whose subscripts repeat labels, e.g. 'i' -> 'ii'."""
    xp = array_module(g._data)
    first: dict = {}
    view, mask = [], None
    for pos, c in enumerate(target):
        if c in first:
            view.append(1)
            shape = [1] * len(target)
            shape[first[c]] = shape[pos] = sizes[c]
            eye = xp.eye(sizes[c], dtype=g._data.dtype).reshape(shape)
            mask = eye if mask is None else mask * eye
        else:
            first[c] = pos
            view.append(sizes[c])
    return g.reshape(view) * Tensor._make(mask)


def _einsum_name(subs: list, out_subs: str) -> str:
    """The grad_fn name of PyTorch's einsum result, which is its last step: for one operand
    a sum (if any label is contracted) or a permute; for more, a view that drops the
    contracted dims (if any) or the product of the last pair."""
    contracted = set("".join(subs)) - set(out_subs)
    if len(subs) == 1:
        return "SumBackward1" if contracted else "PermuteBackward0"
    return "ViewBackward0" if contracted else "MulBackward0"


_EINSUM_CLASSES: dict = {}


def _einsum_op(name: str, operands: list, subs: list, out_subs: str) -> Tensor:
    cls = _EINSUM_CLASSES.get(name)
    if cls is None:
        cls = _EINSUM_CLASSES[name] = type(name, (_Einsum,), {"__module__": __name__},
                                           name=name)
    return cls.apply(*operands, subs=tuple(subs), out_subs=out_subs)


def einsum(equation: str, *operands: Any) -> Tensor:
    """torch.einsum (one node; its grad_fn has the name of PyTorch's last step)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    in_subs = lhs.split(",")
    if len(in_subs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(in_subs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    used = set(equation) - set(".,->")
    free = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used)
    ell_rank = 0
    for s, op in zip(in_subs, operands):
        if "..." in s:
            ell_rank = max(ell_rank, op.ndim - (len(s) - 3))
    ell = "".join(next(free) for _ in range(ell_rank))
    subs = []
    for s, op in zip(in_subs, operands):
        if "..." in s:
            n = op.ndim - (len(s) - 3)
            s = s.replace("...", ell[ell_rank - n:] if n else "")
        elif len(s) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) "
                               f"does not match the number of dimensions ({op.ndim}) for "
                               f"operand {len(subs)} and no ellipsis was given")
        subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:  # implicit output: the ellipsis dims, then labels used once, alphabetically
        counts: dict = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    # Sizes, with PyTorch's broadcasting of size-1 dims.
    sizes: dict = {}
    for i, (s, op) in enumerate(zip(subs, operands)):
        for c, n in zip(s, op.shape):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != 1 and n != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} "
                                   f"which does not broadcast with previously seen size {prev}")
    name = _einsum_name(subs, out)
    clean_ops, clean_subs = [], []
    for s, op in zip(subs, operands):
        # Drop broadcast size-1 dims (the squeeze's backward sums the gradient over them).
        drop = tuple(i for i, c in enumerate(s) if op.shape[i] == 1 and sizes[c] != 1)
        if drop:
            op = op.squeeze(drop)
            s = "".join(c for i, c in enumerate(s) if i not in drop)
        clean_ops.append(op)
        clean_subs.append(s)
    present = "".join(clean_subs)
    missing = [c for c in out if c not in present]
    if missing:  # an output label whose every dim was broadcast away: restore it at the end
        kept = "".join(c for c in out if c not in missing)
        res = _einsum_op(name, clean_ops, clean_subs, kept)
        return res.reshape([1 if c in missing else sizes[c] for c in out])
    return _einsum_op(name, clean_ops, clean_subs, out)


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return result
    from .pointwise import _out as pointwise_out

    return pointwise_out(result, out)

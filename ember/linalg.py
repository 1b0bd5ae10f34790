"""torch.linalg: solvers, inverses, determinants, decompositions, norms, matrix functions.

Every op PyTorch shows as one node is one node here, with PyTorch's grad_fn name
(``LinalgInvExBackward0``, ``LinalgSvdBackward0``, ...). Forwards run ``xp.linalg`` (NumPy or
CuPy) on arrays; derivatives follow PyTorch's FunctionsManual.cpp formula for formula and are
written in ember ops, so ``create_graph=True`` differentiates them again. Decompositions that
return several outputs save all of them (``_MultiOut``), as PyTorch does.

Eigenvectors and singular vectors are defined up to sign (a phase for complex inputs); NumPy's
LAPACK and PyTorch's MKL may choose differently, so only sign-invariant functions of them are
guaranteed to agree with PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _dtype
from ._device import array_module
from ._tensor import Tensor, _wrap_dim
from .amp import autocast_mode
from .autograd import grad_mode
from .autograd.graph import SavedTensor, _modified_message
from .ops._op import Op
from .ops.creation import eye, zeros
from .ops.linalg import _CPP_NAME, _broadcast_batch, _h, linalg_cross
from .ops.linalg import matmul as _matmul
from .ops.reduction import _return_type, return_types
from .ops.reduction import vector_norm as _vector_norm
from .ops.shape import cat
from .ops.views import _type_word

__all__ = [
    "LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "inv_ex", "det", "slogdet",
    "solve", "solve_ex", "solve_triangular", "cholesky", "cholesky_ex", "qr", "eigh",
    "eigvalsh", "svd", "svdvals", "pinv", "matrix_power", "matrix_exp", "matrix_rank", "lstsq",
    "cross", "multi_dot", "vecdot", "matmul", "diagonal", "vander", "cond",
]

_grad_state = grad_mode._state

_amp_state = autocast_mode._state


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: the matrix is singular or not positive-definite."""


# PyTorch's class is torch._C._LinAlgError; users see that name in type(e).__name__.
LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"

for _name, _fields in {
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "slogdet": ("sign", "logabsdet"),
    "linalg_qr": ("Q", "R"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_svd": ("U", "S", "Vh"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
}.items():
    setattr(return_types, _name, _return_type(_name, _fields))


# -- checks and helpers ----------------------------------------------------------------------

def _word(t: Tensor) -> str:
    return _type_word(t.dtype)


def _check(A: Tensor, api: str, *, square: bool = True, low_precision: bool = False,
           name: str = "A") -> None:
    """PyTorch's checkIsMatrix / squareCheckInputs / checkFloatingOrComplex."""
    if A.ndim < 2:
        raise RuntimeError(f"{api}: The input tensor {name} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{api}: {name} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    _check_float(A, api, low_precision)


def _check_float(A: Tensor, api: str, low_precision: bool = False) -> None:
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{api}: Expected a floating point or complex tensor as input. Got "
                           f"{_word(A)}")
    if not low_precision and A.dtype.name in ("float16", "bfloat16"):
        raise RuntimeError(f"{api}: Low precision dtypes not supported. Got {_word(A)}")


def _check_same_dtype(A: Tensor, B: Tensor, api: str) -> None:
    if A.dtype != B.dtype:
        raise RuntimeError(f"{api}: Expected A and B to have the same dtype, but found A of type "
                           f"{_word(A)} and B of type {_word(B)} instead")


def _host(arr: Any) -> np.ndarray:
    return arr.get() if hasattr(arr, "get") and not isinstance(arr, np.ndarray) else \
        np.asarray(arr)


def _raise_info(info: Any, api: str, is_matrix: bool, kind: str) -> None:
    """PyTorch's _linalg_check_errors: a LinAlgError for the first nonzero LAPACK info."""
    flat = _host(info).reshape(-1)
    bad = np.flatnonzero(flat)
    if not bad.size:
        return
    i = int(bad[0])
    v = int(flat[i])
    where = "" if is_matrix else f": (Batch element {i})"
    if kind == "inv":
        msg = (f"The diagonal element {v} is zero, the inversion could not be completed "
               "because the input matrix is singular.")
    elif kind == "solve":
        msg = "The solver failed because the input matrix is singular."
    else:
        msg = ("The factorization could not be completed because the input is not "
               f"positive-definite (the leading minor of order {v} is not positive-definite).")
    raise LinAlgError(f"{api}{where}: {msg}")


def _eps(dt: Any) -> float:
    return float(np.finfo(dt).eps)


def _real_np(dt: Any) -> np.dtype:
    return np.empty(0, dt).real.dtype


def _arr_h(x: Any) -> Any:
    t = x.swapaxes(-1, -2)
    return t.conj() if x.dtype.kind == "c" else t


def _is_complex(t: Tensor) -> bool:
    return t._data.dtype.kind == "c"


def _eye_like(t: Tensor, n: int | None = None) -> Tensor:
    return eye(t.shape[-1] if n is None else n, dtype=t.dtype, device=t.device)


def _diag_embed(v: Tensor) -> Tensor:
    """A batch of diagonal matrices from a batch of vectors (differentiable)."""
    return v.unsqueeze(-1) * _eye_like(v)


def _set_diag(x: Tensor, d: Tensor) -> Tensor:
    """x with its diagonal replaced by d (out of place, differentiable)."""
    return x - _diag_embed(x.diagonal(0, -2, -1)) + _diag_embed(d)


def _conj(t: Tensor) -> Tensor:
    return t.conj() if _is_complex(t) else t


def _no_out(out: Any, api: str) -> None:
    if out is not None:
        raise NotImplementedError(f"ember: {api}(out=...) is not supported")


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return result
    from .ops.pointwise import _out as pointwise_out

    return pointwise_out(result, out)


def _lu_info(xp: Any, a: Any) -> Any:
    """LAPACK getrf's info for each matrix: 1 + the index of the first exactly zero pivot of
    the partially pivoted LU factorization, 0 if there is none."""
    n = a.shape[-1]
    batch = a.shape[:-2]
    w = a.reshape((-1, n, n)).copy()
    rows = xp.arange(w.shape[0])
    info = xp.zeros(w.shape[0], dtype=np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(n):
            p = j + xp.argmax(xp.abs(w[:, j:, j]), axis=1)
            top = w[rows, j].copy()
            w[rows, j] = w[rows, p]
            w[rows, p] = top
            piv = w[:, j, j]
            zero = piv == 0
            info = xp.where((info == 0) & zero, j + 1, info).astype(np.int32)
            scale = xp.where(zero, 0, 1 / xp.where(zero, 1, piv))  # getf2 scales by 1/pivot
            col = w[:, j + 1:, j] * scale[:, None]
            w[:, j + 1:, j] = col
            w[:, j + 1:, j + 1:] -= col[:, :, None] * w[:, None, j, j + 1:]
    return info.reshape(batch)


def _each(xp: Any, fn: Any, a: Any, out_shape: tuple, info: Any) -> Any:
    """Apply ``fn`` to every matrix whose info is 0 (NaN elsewhere): the slow path that runs
    only when some matrix of a batch is singular."""
    out = xp.full(out_shape, np.nan, dtype=a.dtype)
    flat_a = a.reshape((-1,) + a.shape[-2:])
    flat_o = out.reshape((-1,) + out_shape[len(a.shape) - 2:])
    flat_i = info.reshape(-1)
    for k in range(flat_a.shape[0]):
        if int(flat_i[k]) == 0:
            try:
                flat_o[k] = fn(flat_a[k], k)
            except np.linalg.LinAlgError:
                flat_i[k] = flat_a.shape[-1]
    return flat_o.reshape(out_shape)


def _finite(xp: Any, x: Any) -> bool:
    return xp is np or bool(xp.isfinite(x).all())


# -- ops with several outputs that save them all ---------------------------------------------

class _SavedOutput(SavedTensor):
    """An output of the node that saves it, unpacked with its own output number."""

    __slots__ = ("nr",)

    def __init__(self, tensor: Tensor, node: Op, nr: int) -> None:
        super().__init__(tensor, node)
        self.nr = nr

    def unpack(self, owner: Any) -> Tensor:
        t = Tensor._make(self.data, owner, self.vc, self.nr)
        if self.vc[0] != self.version:
            raise RuntimeError(_modified_message(t, self, owner))
        return t


class _MultiOut(Op):
    """A multi-output op whose ``backward`` may name ``outputs``: all its outputs, saved so
    that the formula can be differentiated through them (for double backward)."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._combined and "outputs" in cls._combined:
            cls._combined = tuple(n for n in cls._combined if n != "outputs")

    def _record(self, inputs: tuple, needs: tuple, results: Any) -> None:
        Op._record(self, inputs, needs, results)
        self._saved["outputs"] = tuple(_SavedOutput(r, self, i) for i, r in enumerate(results))

    def _unpack(self) -> dict:
        values = Op._unpack(self)
        values["outputs"] = tuple(s.unpack(self) for s in values["outputs"])
        return values


# -- inverse, determinant ------------------------------------------------------------------

def _inv_arrays(xp: Any, a: Any) -> tuple:
    batch = a.shape[:-2]
    ok = xp.zeros(batch, dtype=np.int32)
    if a.size == 0:
        return a.copy(), ok
    try:
        out = xp.linalg.inv(a)
        if _finite(xp, out):
            return out, ok
    except np.linalg.LinAlgError:
        pass
    info = _lu_info(xp, a)
    out = _each(xp, lambda m, k: xp.linalg.inv(m), a, a.shape, info)
    return out, info


class InvEx(Op, name="LinalgInvExBackward0"):
    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(ctx, xp, a):
        return _inv_arrays(xp, a)

    def grad_a(ctx, grad, result):
        g = grad[0]
        if g is None:
            return None
        rh = _h(result)
        return -_matmul(rh, _matmul(g, rh))


def inv_ex(A: Tensor, *, check_errors: bool = False, out: Any = None) -> tuple:
    """torch.linalg.inv_ex: (inverse, info) without raising for singular matrices."""
    _no_out(out, "linalg.inv_ex")
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        A, = autocast_mode.cast_at_entry("linalg_inv_ex", A)
    _check(A, "linalg.inv_ex")
    inverse, info = InvEx.apply(A)
    if check_errors:
        _raise_info(info._data, "linalg.inv_ex", A.ndim == 2, "inv")
    return return_types.linalg_inv_ex(inverse, info)


def inv(A: Tensor, *, out: Any = None) -> Tensor:
    """torch.linalg.inv (LinAlgError for singular matrices)."""
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        A, = autocast_mode.cast_at_entry("linalg_inv", A)
    _check(A, "linalg.inv")
    inverse, info = InvEx.apply(A)
    _raise_info(info._data, "linalg.inv", A.ndim == 2, "inv")
    return _out(inverse, out)


class Det(Op, name="LinalgDetBackward0"):
    def forward(ctx, xp, a):
        if a.size == 0:
            return xp.ones(a.shape[:-2], dtype=a.dtype)
        return xp.linalg.det(a)

    def grad_a(ctx, grad, a, result):
        return _det_backward(grad, a, result)


def _det_backward(grad: Tensor, a: Tensor, det: Tensor) -> Tensor | None:
    """PyTorch's linalg_det_backward: grad * det * A^-H, with its two treatments of
    singular matrices (a zero gradient in first order; the adjugate under create_graph)."""
    if a.numel() == 0:
        return None
    d = grad * _conj(det)
    if not _grad_state.enabled:
        # PyTorch perturbs the zero pivots of the LU; d is 0 for those matrices, and so is
        # the gradient.
        xp = array_module(a._data)
        ad, dd = a._data, d._data
        singular = det._data == 0
        safe = xp.where(singular[..., None, None], xp.eye(ad.shape[-1], dtype=ad.dtype), ad)
        inv_h = _arr_h(_inv_arrays(xp, safe)[0])
        out = xp.where(singular[..., None, None], 0, dd[..., None, None] * inv_h)
        return Tensor._make(out.astype(ad.dtype, copy=False))
    eps = _eps(a._data.dtype)
    singular = _host(det.abs()._data < 100 * eps)

    def non_singular(m: Tensor, dd: Tensor, g: Tensor) -> Tensor:
        return solve(_h(m), _diag_embed(dd.unsqueeze(-1).expand(m.shape[:-1])))

    def adjugate(m: Tensor, dd: Tensor, g: Tensor) -> Tensor:
        U, S, Vh = svd(m)
        alpha = _conj(det_(U) * det_(Vh)) * g
        D = _prod_safe_zeros_backward(alpha.unsqueeze(-1), S)
        return _matmul(U * D.unsqueeze(-2), Vh)

    return _masked_fmap(singular, adjugate, non_singular, a, d, grad)


def _masked_fmap(mask: np.ndarray, f1: Any, f2: Any, a: Tensor, *ts: Tensor) -> Tensor:
    """f1 on the matrices where mask holds, f2 on the others (PyTorch's masked_fmap)."""
    if mask.all():
        return f1(a, *ts)
    if not mask.any():
        return f2(a, *ts)
    batch = a.shape[:-2]
    flat = [a.reshape((-1,) + a.shape[-2:])] + [t.reshape(-1) for t in ts]
    m = mask.reshape(-1)
    i1, i2 = np.flatnonzero(m), np.flatnonzero(~m)
    idx1 = Tensor._make(array_module(a._data).asarray(i1))
    idx2 = Tensor._make(array_module(a._data).asarray(i2))
    r1 = f1(*[t[idx1] for t in flat])
    r2 = f2(*[t[idx2] for t in flat])
    order = np.argsort(np.concatenate([i1, i2]))
    both = cat([r1, r2], 0)[Tensor._make(array_module(a._data).asarray(order))]
    return both.reshape(batch + a.shape[-2:])


def _prod_safe_zeros_backward(grad: Tensor, inp: Tensor) -> Tensor:
    """The gradient of prod over the last dim, exact when some factors are zero."""
    n = inp.shape[-1]
    if inp.numel() == 0:
        return grad.expand(inp.shape)
    ones = inp.new_ones(inp.shape[:-1] + (1,))
    before = cat([ones, inp.narrow(-1, 0, n - 1)], -1).cumprod(-1)
    after = cat([ones, inp.narrow(-1, 1, n - 1).flip(-1)], -1).cumprod(-1).flip(-1)
    return grad * _conj(before * after)


def det(A: Tensor, *, out: Any = None) -> Tensor:
    """torch.linalg.det."""
    _check(A, "linalg.det", low_precision=True)
    if A.dtype.name in ("float16", "bfloat16"):
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_word(A)}'")
    return _out(Det.apply(A), out)


det_ = det


class Slogdet(Op, name="LinalgSlogdetBackward0"):
    n_outputs = 2

    def forward(ctx, xp, a):
        if a.size == 0:
            batch = a.shape[:-2]
            return xp.ones(batch, a.dtype), xp.zeros(batch, _real_np(a.dtype))
        sign, logabs = xp.linalg.slogdet(a)
        return sign.astype(a.dtype, copy=False), logabs

    def grad_a(ctx, grad, a, result):
        g_sign, g = grad
        if _is_complex(a):
            if g_sign is not None:
                im = 1j * (_conj(g_sign) * result).imag
                g = -im if g is None else g - im
            elif g is not None:
                g = g.to(a.dtype)
        if g is None:
            return None
        return solve(_h(a), _diag_embed(g.unsqueeze(-1).expand(a.shape[:-1])))


def slogdet(A: Tensor, *, out: Any = None) -> tuple:
    """torch.linalg.slogdet: (sign, logabsdet)."""
    _no_out(out, "linalg.slogdet")
    _check(A, "linalg.slogdet")
    return return_types.linalg_slogdet(*Slogdet.apply(A))


def logdet(A: Tensor) -> Tensor:
    """torch.logdet: log det A (nan for a negative determinant)."""
    _check(A, "logdet")
    sign, logabsdet = Slogdet.apply(A)
    if _is_complex(A):
        return sign.log() + logabsdet
    from .ops.pointwise import where

    return where(sign == -1.0, math.nan, logabsdet)


# -- solvers ---------------------------------------------------------------------------------

def _is_vector_rhs(A: Tensor, B: Tensor) -> bool:
    return B.ndim == 1 or (A.ndim - 1 == B.ndim and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve_arrays(xp: Any, a: Any, b: Any) -> tuple:
    """A X = B for broadcast batches of square A and matrices B: (X, info), X NaN and info
    nonzero where A is singular (info has A's own batch shape, as the LU of A)."""
    info = xp.zeros(a.shape[:-2], dtype=np.int32)
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    a_ = xp.broadcast_to(a, batch + a.shape[-2:])
    b_ = xp.broadcast_to(b, batch + b.shape[-2:])
    if a_.size == 0 or b_.size == 0:
        return xp.zeros(b_.shape, dtype=b.dtype), info
    try:
        x = xp.linalg.solve(a_, b_)
        if _finite(xp, x):
            return x, info
    except np.linalg.LinAlgError:
        pass
    full = _lu_info(xp, a_)
    flat_b = b_.reshape((-1,) + b_.shape[-2:])
    x = _each(xp, lambda m, k: xp.linalg.solve(m, flat_b[k]), a_, b_.shape, full)
    return x, _lu_info(xp, a)


class SolveEx(Op, name="LinalgSolveExBackward0"):
    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(ctx, xp, a, b, *, left, vector):
        ctx.left, ctx.vector = left, vector
        if vector:
            b = b[..., None]
        if left:
            x, info = _solve_arrays(xp, a, b)
        else:
            x, info = _solve_arrays(xp, a.swapaxes(-1, -2), b.swapaxes(-1, -2))
            x = x.swapaxes(-1, -2)
        return (x[..., 0] if vector else x), info

    def backward(ctx, grad, a, result):
        gx = grad[0]
        if gx is None:
            return None, None
        left, vector = ctx.left, ctx.vector
        x = result
        if vector:
            gx, x = gx.unsqueeze(-1), x.unsqueeze(-1)
        gb = solve(_h(a), gx, left=left)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -_matmul(gb, _h(x)) if left else -_matmul(_h(x), gb)
        if vector:
            gb = gb.squeeze(-1)
        return ga, gb if ctx.needs_input_grad[1] else None


def _solve_checks(A: Tensor, B: Tensor, left: bool) -> bool:
    _check(A, "linalg.solve")
    _check_same_dtype(A, B, "linalg.solve")
    vector = _is_vector_rhs(A, B)
    if not vector and B.ndim < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    rows, cols = (B.shape[-1], 1) if vector else B.shape[-2:]
    if A.shape[-1] != (rows if left else cols):
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({A.shape[-2]}x{A.shape[-1]} and {rows}x{cols})")
    _broadcast_batch(B.shape[:-1 if vector else -2], A.shape[:-2])
    return vector


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out: Any = None) -> tuple:
    """torch.linalg.solve_ex: (result, info)."""
    _no_out(out, "linalg.solve_ex")
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        A, B = autocast_mode.cast_at_entry("linalg_solve", A, B)
    vector = _solve_checks(A, B, left)
    result, info = SolveEx.apply(A, B, left=left, vector=vector)
    if check_errors:
        _raise_info(info._data, "torch.linalg.solve_ex", A.ndim == 2, "solve")
    return return_types.linalg_solve_ex(result, info)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    """torch.linalg.solve: X with AX = B (left=True) or XA = B."""
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        A, B = autocast_mode.cast_at_entry("linalg_solve", A, B)
    vector = _solve_checks(A, B, left)
    result, info = SolveEx.apply(A, B, left=left, vector=vector)
    _raise_info(info._data, "torch.linalg.solve", A.ndim == 2, "solve")
    return _out(result, out)


def _trsm(xp: Any, a: Any, b: Any, upper: bool, unit: bool) -> Any:
    """A X = B for triangular A by substitution (inf/nan for zero pivots, as trsm)."""
    n = a.shape[-1]
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    dt = np.result_type(a.dtype, b.dtype)
    x = xp.zeros(b.shape, dtype=dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            known = slice(i + 1, n) if upper else slice(0, i)
            s = b[..., i, :] - xp.matmul(a[..., i:i + 1, known], x[..., known, :])[..., 0, :]
            x[..., i, :] = s if unit else s / a[..., i, i, None]
    return x


class SolveTriangular(Op, name="LinalgSolveTriangularBackward0"):
    def forward(ctx, xp, a, b, *, upper, left, unitriangular):
        ctx.upper, ctx.left, ctx.unit = upper, left, unitriangular
        if left:
            return _trsm(xp, a, b, upper, unitriangular)
        # X A = B  <=>  A^T X^T = B^T, with A^T triangular the other way.
        return _trsm(xp, a.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper,
                     unitriangular).swapaxes(-1, -2)

    def backward(ctx, grad, a, result):
        upper, left, unit = ctx.upper, ctx.left, ctx.unit
        gb = solve_triangular(_h(a), grad, upper=not upper, left=left, unitriangular=unit)
        ga = None
        if ctx.needs_input_grad[0]:
            xh = _h(result)
            ga = -_matmul(gb, xh) if left else -_matmul(xh, gb)
            ga = ga.triu(int(unit)) if upper else ga.tril(-int(unit))
        return ga, gb if ctx.needs_input_grad[1] else None


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    """torch.linalg.solve_triangular (only A's triangle named by ``upper`` is read)."""
    api = "linalg.solve_triangular"
    if B.ndim < 2:
        raise RuntimeError(f"{api}: The input tensor B must have at least 2 dimensions.")
    _check(A, api)
    _check_same_dtype(A, B, api)
    if (A.shape[-1] != B.shape[-2]) if left else (A.shape[-1] != B.shape[-1]):
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{api}: Incompatible shapes of A and B for the equation {eq} "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    _broadcast_batch(B.shape[:-2], A.shape[:-2])
    return _out(SolveTriangular.apply(A, B, upper=upper, left=left,
                                      unitriangular=unitriangular), out)


# -- Cholesky --------------------------------------------------------------------------------

def _potf2(xp: Any, a: Any) -> tuple:
    """LAPACK potf2 on the lower triangle of every matrix: (L, info), stopping each matrix at
    its first non-positive pivot, where LAPACK stops."""
    n = a.shape[-1]
    batch = a.shape[:-2]
    w = xp.tril(a.reshape((-1, n, n))).copy()
    info = xp.zeros(w.shape[0], dtype=np.int32)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(n):
            live = info == 0
            row = w[:, j, :j]
            ajj = w[:, j, j] - (row * row.conj()).sum(-1).real
            bad = live & ~(ajj > 0)
            info = xp.where(bad, j + 1, info).astype(np.int32)
            w[:, j, j] = xp.where(bad, ajj, w[:, j, j])
            ok = live & ~bad
            root = xp.sqrt(xp.where(ok, ajj, 1))
            col = (w[:, j + 1:, j] - xp.matmul(w[:, j + 1:, :j], row.conj()[..., None])[..., 0])
            col = col / root[:, None]
            w[:, j, j] = xp.where(ok, root, w[:, j, j])
            w[:, j + 1:, j] = xp.where(ok[:, None], col, w[:, j + 1:, j])
    return w.reshape(a.shape), info.reshape(batch)


class CholeskyEx(Op, name="LinalgCholeskyExBackward0"):
    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(ctx, xp, a, *, upper):
        ctx.upper = upper
        info = xp.zeros(a.shape[:-2], dtype=np.int32)
        L = None
        if a.size == 0:
            L = a.copy()
        else:
            try:
                L = xp.linalg.cholesky(a)
                if not _finite(xp, L):
                    L = None
            except np.linalg.LinAlgError:
                pass
            if L is None:
                L, info = _potf2(xp, a)
        return (_arr_h(L) if upper else L), info

    def grad_a(ctx, grad, result):
        gL = grad[0]
        if gL is None:
            return None
        # Murray (2016), as PyTorch's cholesky_backward; the gradient is Hermitian.
        L, g = (_h(result), _h(gL)) if ctx.upper else (result, gL)
        gA = _matmul(_h(L), g).tril()
        gA = 0.5 * (gA + _h(gA.tril(-1)))
        gA = solve_triangular(_h(L), gA, upper=True, left=True)
        return solve_triangular(L, gA, upper=False, left=False)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False,
                out: Any = None) -> tuple:
    """torch.linalg.cholesky_ex: (L, info)."""
    _no_out(out, "linalg.cholesky_ex")
    _check(A, "linalg.cholesky_ex")
    L, info = CholeskyEx.apply(A, upper=upper)
    if check_errors:
        _raise_info(info._data, "linalg.cholesky_ex", A.ndim == 2, "cholesky")
    return return_types.linalg_cholesky_ex(L, info)


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    """torch.linalg.cholesky (LinAlgError for matrices that are not positive-definite)."""
    _check(A, "linalg.cholesky")
    L, info = CholeskyEx.apply(A, upper=upper)
    _raise_info(info._data, "linalg.cholesky", A.ndim == 2, "cholesky")
    return _out(L, out)


# -- QR --------------------------------------------------------------------------------------

class Qr(_MultiOut, name="LinalgQrBackward0"):
    n_outputs = 2

    def forward(ctx, xp, a, *, mode):
        ctx.mode = mode
        if mode == "r":
            return xp.empty((0,), dtype=a.dtype), xp.linalg.qr(a, mode="r")
        q, r = xp.linalg.qr(a, mode=mode)
        return q, r

    def backward(ctx, grad, outputs):
        gQ, gR = grad
        Q, R = outputs
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr.")
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if gQ is None and gR is None:
            return (None,)
        if gQ is not None:
            gA = -_matmul(_h(Q), gQ)
            if gR is not None:
                gA = _matmul(gR, _h(R)) + gA
        else:
            gA = _matmul(gR, _h(R))
        if m >= n:
            X = gA.triu()
            Y = X + _h(X)
            d = Y.diagonal(0, -2, -1)
            Y = Y - 0.5 * _diag_embed(d.real if _is_complex(d) else d)
            gA = _matmul(Q, Y)
            if gQ is not None:
                gA = gA + gQ
            return (solve_triangular(_h(R), gA, upper=False, left=False),)
        X = -gA
        Y = (X - _h(X)).tril()
        if _is_complex(Y):
            Y = Y - 0.5j * _diag_embed(Y.diagonal(0, -2, -1).imag)
        gA = _matmul(Q, Y)
        gA = solve_triangular(_h(R.narrow(-1, 0, m)), gA, upper=False, left=False)
        gA = cat([gA, gA.new_zeros(R.shape[:-1] + (n - m,))], -1)
        if gR is not None:
            gA = gA + _matmul(Q, gR)
        return (gA,)


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> tuple:
    """torch.linalg.qr: (Q, R); mode 'reduced', 'complete' or 'r' (Q empty)."""
    _no_out(out, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check(A, "linalg.qr", square=False)
    return return_types.linalg_qr(*Qr.apply(A, mode=mode))


# -- eigh ------------------------------------------------------------------------------------

class Eigh(_MultiOut, name="LinalgEighBackward0"):
    n_outputs = 2

    def forward(ctx, xp, a, *, uplo, compute_v):
        if a.size == 0:
            return xp.zeros(a.shape[:-1], _real_np(a.dtype)), a.copy()
        if not compute_v:
            return xp.linalg.eigvalsh(a, UPLO=uplo), xp.empty((0,), dtype=a.dtype)
        w, v = xp.linalg.eigh(a, UPLO=uplo)
        return w, v

    def backward(ctx, grad, outputs):
        gL, gV = grad
        L, V = outputs
        if gL is None and gV is None:
            return (None,)
        Vh = _h(V)
        if gV is None:
            return (_matmul(V * gL.unsqueeze(-2), Vh),)
        VhgV = _matmul(Vh, gV)
        if _is_complex(VhgV):
            im = VhgV.diagonal(0, -2, -1).imag._data
            xp = array_module(im)
            if not bool(xp.allclose(im, 0, rtol=1e-2, atol=1e-2)):
                raise RuntimeError(
                    "linalg_eigh_backward: The eigenvectors in the complex case are specified "
                    "up to multiplication by e^{i phi}. The specified loss function depends on "
                    "this quantity, so it is ill-defined.")
        VhgV = 0.5 * (VhgV - _h(VhgV))
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye_like(L)
        ret = VhgV / E
        if gL is not None:
            ret = _set_diag(ret, gL)
        return (_matmul(V, _matmul(ret, Vh)),)


def _uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def _needs_grad(A: Tensor) -> bool:
    return _grad_state.enabled and A.requires_grad


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> tuple:
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors) of a Hermitian matrix."""
    _no_out(out, "linalg.eigh")
    _check(A, "linalg.eigh")
    return return_types.linalg_eigh(*Eigh.apply(A, uplo=_uplo(UPLO), compute_v=True))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    """torch.linalg.eigvalsh (the eigenvectors are computed only when a gradient needs
    them, as in PyTorch)."""
    _check(A, "linalg.eigvalsh")
    return _out(Eigh.apply(A, uplo=_uplo(UPLO), compute_v=_needs_grad(A))[0], out)


# -- SVD -------------------------------------------------------------------------------------

class Svd(_MultiOut, name="LinalgSvdBackward0"):
    n_outputs = 3

    def forward(ctx, xp, a, *, full_matrices, compute_uv):
        ctx.full = full_matrices
        if not compute_uv:
            empty = xp.empty((0,), dtype=a.dtype)
            return empty, xp.linalg.svd(a, compute_uv=False), empty.copy()
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        return u, s, vh

    def backward(ctx, grad, outputs):
        gU, gS, gVh = grad
        U, S, Vh = outputs
        if ctx.full:
            k = S.shape[-1]
            U, Vh = U.narrow(-1, 0, k), Vh.narrow(-2, 0, k)
            gU = None if gU is None else gU.narrow(-1, 0, k)
            gVh = None if gVh is None else gVh.narrow(-2, 0, k)
        return (_svd_backward(gU, gS, gVh, U, S, Vh),)


def _svd_backward(gU: Tensor | None, gS: Tensor | None, gVh: Tensor | None, U: Tensor,
                  S: Tensor, Vh: Tensor) -> Tensor | None:
    """PyTorch's svd_backward (distinct singular values; full rank if rectangular)."""
    if gS is None and gU is None and gVh is None:
        return None
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return _matmul(U, gS.unsqueeze(-1) * Vh) if m >= n else _matmul(U * gS.unsqueeze(-2), Vh)
    is_complex = _is_complex(U)
    UhgU = VhgV = None
    if gU is not None:
        UhgU = _matmul(_h(U), gU)
        UhgU = UhgU - _h(UhgU)
    if gVh is not None:
        VhgV = _matmul(Vh, _h(gVh))
        VhgV = VhgV - _h(VhgV)
    if is_complex:
        xp = array_module(U._data)
        im_u = UhgU.diagonal(0, -2, -1).imag._data if UhgU is not None else 0
        im_v = VhgV.diagonal(0, -2, -1).imag._data if VhgV is not None else 0
        if not bool(xp.allclose(im_u, -im_v * xp.ones(S.shape), rtol=1e-2, atol=1e-2)):
            raise RuntimeError(
                "svd_backward: The singular vectors in the complex case are specified up to "
                "multiplication by e^{i phi}. The specified loss function depends on this "
                "phase term, making it ill-defined.")
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye_like(S)
    if UhgU is not None and VhgV is not None:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif UhgU is not None:
        gA = (UhgU / E) * S.unsqueeze(-2)
    else:
        gA = S.unsqueeze(-1) * (VhgV / E)
    if gS is not None:
        gA = gA + _diag_embed(gS)
    if is_complex and UhgU is not None and VhgV is not None:
        gA = gA + _diag_embed(UhgU.diagonal(0, -2, -1) / (2.0 * S))
    if m > n and gU is not None:
        gA = _matmul(U, gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - _matmul(U, _matmul(_h(U), gUSinv))
        return _matmul(gA, Vh)
    if m < n and gVh is not None:
        gA = _matmul(gA, Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - _matmul(_matmul(SinvgVh, _h(Vh)), Vh)
        return _matmul(U, gA)
    return _matmul(U, _matmul(gA, Vh)) if m >= n else _matmul(_matmul(U, gA), Vh)


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None,
        out: Any = None) -> tuple:
    """torch.linalg.svd: (U, S, Vh) with singular values in descending order."""
    _no_out(out, "linalg.svd")
    _check(A, "linalg.svd", square=False)
    return return_types.linalg_svd(*Svd.apply(A, full_matrices=full_matrices, compute_uv=True))


def svdvals(A: Tensor, *, driver: str | None = None, out: Any = None) -> Tensor:
    """torch.linalg.svdvals (U and Vh are computed only when a gradient needs them)."""
    _check(A, "linalg.svd", square=False)
    return _out(Svd.apply(A, full_matrices=False, compute_uv=_needs_grad(A))[1], out)


# -- pseudo-inverse, rank, least squares -----------------------------------------------------

def _tolerances(A: Tensor, atol: Any, rtol: Any) -> tuple:
    """PyTorch's get_atol_rtol, as float64 arrays."""
    xp = array_module(A._data)

    def arr(x: Any) -> Any:
        return (x._data if isinstance(x, Tensor) else xp.asarray(x)).astype(np.float64)

    default = _eps(A._data.dtype) * max(A.shape[-1], A.shape[-2])
    a = arr(atol) if atol is not None else xp.zeros((), np.float64)
    if rtol is not None:
        r = arr(rtol)
    elif atol is not None:
        r = xp.where(a > 0, 0.0, default)
    else:
        r = xp.asarray(default, dtype=np.float64)
    return a, r


def _spectrum(xp: Any, a: Any, hermitian: bool) -> tuple:
    """Singular values (or |eigenvalues| for Hermitian input) and their maximum."""
    if a.size == 0:
        s = xp.zeros(a.shape[:-2] + (0,), _real_np(a.dtype))
        return s, xp.zeros(a.shape[:-2] + (1,), s.dtype)
    if hermitian:
        s = xp.abs(xp.linalg.eigvalsh(a))
        return s, s.max(-1, keepdims=True)
    s = xp.linalg.svd(a, compute_uv=False)
    return s, s[..., :1]


class Pinv(Op, name="LinalgPinvBackward0"):
    def forward(ctx, xp, a, *, atol, rtol, hermitian):
        if a.size == 0:
            return xp.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)
        if hermitian:
            s, u = xp.linalg.eigh(a)
            big = xp.abs(s)
            smax = big.max(-1, keepdims=True)
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            big, smax = s, s[..., :1]
        tol = xp.maximum(atol[..., None], rtol[..., None] * smax)
        with np.errstate(divide="ignore"):
            sinv = xp.where(big > tol, 1 / s, 0).astype(s.dtype)
        if hermitian:
            return xp.matmul(u * sinv[..., None, :], _arr_h(u)).astype(a.dtype, copy=False)
        return xp.matmul(_arr_h(vh), sinv[..., :, None] * _arr_h(u)).astype(a.dtype, copy=False)

    def grad_a(ctx, grad, a, result):
        return _pinv_backward(grad, result, a)


def _pinv_backward(grad: Tensor, pinvA: Tensor, A: Tensor) -> Tensor:
    m, n = A.shape[-2], A.shape[-1]
    pinvAh, gradh = _h(pinvA), _h(grad)
    if m <= n:
        K = _matmul(gradh, pinvA)
        KpinvAh = _matmul(K, pinvAh)
        return (-_h(_matmul(pinvA, K)) + KpinvAh - _matmul(_matmul(A, pinvA), KpinvAh)
                + _matmul(_matmul(pinvAh, pinvA), gradh - _matmul(K, A)))
    K = _matmul(pinvA, gradh)
    pinvAhK = _matmul(pinvAh, K)
    return (-_h(_matmul(K, pinvA)) + _matmul(_matmul(gradh - _matmul(A, K), pinvA), pinvAh)
            + pinvAhK - _matmul(_matmul(pinvAhK, pinvA), A))


def pinv(A: Tensor, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
         rtol: Any = None, out: Any = None) -> Tensor:
    """torch.linalg.pinv, from the SVD (or eigh when hermitian=True)."""
    if A.ndim < 2 or A._data.dtype.kind not in "fc" or A.dtype.name in ("float16", "bfloat16"):
        shape = "[" + ", ".join(str(s) for s in A.shape) + "]"
        raise RuntimeError(f"linalg.pinv({_word(A)}{{{shape}}}): expected a tensor with 2 or "
                           "more dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:  # the legacy overload: rcond is rtol, atol is 0
        atol, rtol = 0.0, rcond
    a, r = _tolerances(A, atol, rtol)
    return _out(Pinv.apply(A, atol=a, rtol=r, hermitian=hermitian), out)


def matrix_rank(A: Tensor, tol: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None, out: Any = None) -> Tensor:
    """torch.linalg.matrix_rank: the number of singular values above the tolerance."""
    api = "torch.linalg.matrix_rank"
    if A.ndim < 2:
        raise RuntimeError(f"{api}: The input tensor input must have at least 2 dimensions.")
    if hermitian:
        _check(A, api, name="input")
    if A._data.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:  # the legacy overload: tol is atol, rtol is 0
        atol, rtol = tol, 0.0
    a, r = _tolerances(A, atol, rtol)
    xp = array_module(A._data)
    s, smax = _spectrum(xp, A._data, hermitian)
    bound = xp.maximum(a[..., None], r[..., None] * smax)
    return _out(Tensor._make((s > bound).sum(-1).astype(np.int64)), out)


class Lstsq(Op, name="LinalgLstsqBackward0"):
    n_outputs = 4
    nondiff_outputs = (2, 3)

    def forward(ctx, xp, a, b, *, rcond, driver, vector):
        ctx.vector = vector
        if vector:
            b = b[..., None]
        batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        m, n = a.shape[-2:]
        real = _real_np(a.dtype)
        if rcond is None:
            rcond = _eps(real) * max(m, n)
        if a.size == 0:
            s = xp.zeros(batch + (0,), real)
            x = xp.zeros(batch + (n, b.shape[-1]), a.dtype)
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            keep = s > rcond * s[..., :1]
            with np.errstate(divide="ignore"):
                sinv = xp.where(keep, 1 / s, 0).astype(real)
            x = xp.matmul(_arr_h(vh), sinv[..., :, None] * xp.matmul(_arr_h(u), b))
            x = x.astype(a.dtype, copy=False)
        rank = (s > rcond * s[..., :1]).sum(-1).astype(np.int64) if s.shape[-1] else \
            xp.zeros(batch, np.int64)
        full_rank = bool((rank == n).all())
        if m > n and driver != "gelsy" and (driver == "gels" or full_rank):
            r = xp.matmul(a, x) - b
            residuals = (r * r.conj()).real.sum(-2).astype(real)
        else:
            residuals = xp.zeros((0,), real)
        if driver == "gels":
            rank = xp.zeros((0,), np.int64)
        sv = s if driver in ("gelsd", "gelss") else xp.zeros((0,), real)
        return (x[..., 0] if vector else x), residuals, rank, sv

    def backward(ctx, grad, a, b, result):
        gX, gL = grad[0], grad[1]
        if gL is not None and gL.numel() == 0:
            gL = None
        if gX is None and gL is None:
            return None, None
        vec = ctx.vector
        B = b.unsqueeze(-1) if vec else b
        ga = gb = None
        if gX is not None:
            g = gX.unsqueeze(-1) if vec else gX
            pinvA = pinv(a)
            if ctx.needs_input_grad[0]:
                ga = _pinv_backward(_matmul(g, _h(B)), pinvA, a)
            if ctx.needs_input_grad[1]:
                gb = _matmul(_h(pinvA), g)
        if gL is not None:
            X = result.unsqueeze(-1) if vec else result
            r = _matmul(a, X) - B
            gl = gL.unsqueeze(-2)
            if ctx.needs_input_grad[0]:
                extra = 2 * _matmul(gl * r, _h(X))
                ga = extra if ga is None else ga + extra
            if ctx.needs_input_grad[1]:
                extra = -2 * gl * r
                gb = extra if gb is None else gb + extra
        if vec and gb is not None:
            gb = gb.squeeze(-1)
        return ga, gb


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> tuple:
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values), as the CPU drivers
    report them; the solution is the minimum-norm least-squares one (from the SVD)."""
    api = "torch.linalg.lstsq"
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"{api}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           "gelss)")
    if A.ndim < 2:
        raise RuntimeError(f"{api}: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError(f"{api}: other must have at least 1 dimension.")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{api}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_word(A)} and other's dtype {_word(B)}")
    if not (A.ndim >= B.ndim and A.ndim - B.ndim <= 1):
        raise RuntimeError(f"{api}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vector = A.ndim - 1 == B.ndim
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-2]:
        raise RuntimeError(f"{api}: input.size(-2) should match other.size(-2)")
    _check_float(A, api)
    _broadcast_batch(A.shape[:-2], B.shape[:-1] if vector else B.shape[:-2])
    return return_types.linalg_lstsq(*Lstsq.apply(A, B, rcond=rcond, driver=driver,
                                                  vector=vector))


# -- matrix functions ------------------------------------------------------------------------

# Higham (2005), "The scaling and squaring method for the matrix exponential revisited":
# the [13/13] Pade approximant after scaling A by 2^-s so that ||A||_1 <= theta_13.
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm(xp: Any, a: Any) -> Any:
    if a.size == 0:
        return a.copy()
    work = np.complex128 if a.dtype.kind == "c" else np.float64
    x = a.astype(work)
    n = a.shape[-1]
    norm1 = xp.abs(x).sum(-2).max(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = xp.ceil(xp.log2(norm1 / _THETA13))
    s = xp.where(xp.isfinite(s) & (s > 0), s, 0).astype(np.int64)
    x = x / (2.0 ** s)[..., None, None]
    b = _PADE13
    ident = xp.eye(n, dtype=work)
    x2 = xp.matmul(x, x)
    x4 = xp.matmul(x2, x2)
    x6 = xp.matmul(x4, x2)
    u = xp.matmul(x, xp.matmul(x6, b[13] * x6 + b[11] * x4 + b[9] * x2)
                  + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * ident)
    v = (xp.matmul(x6, b[12] * x6 + b[10] * x4 + b[8] * x2)
         + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * ident)
    try:
        r = xp.linalg.solve(v - u, v + u)
    except np.linalg.LinAlgError:  # only for non-finite input
        r = xp.full(x.shape, np.nan, dtype=work)
    for k in range(int(_host(s).max())):
        r = xp.where((k < s)[..., None, None], xp.matmul(r, r), r)
    return r.astype(a.dtype)


class MatrixExp(Op, name="LinalgMatrixExpBackward0"):
    def forward(ctx, xp, a):
        return _expm(xp, a)

    def grad_a(ctx, grad, a):
        # The adjoint of the Frechet derivative: the top-right block of exp([[A^H, G],
        # [0, A^H]]) (Mathias 1996), itself a matrix_exp, so it differentiates again.
        n = a.shape[-1]
        ah = _h(a)
        meta = cat([cat([ah, grad], -1), cat([ah.new_zeros(ah.shape), ah], -1)], -2)
        return MatrixExp.apply(meta).narrow(-2, 0, n).narrow(-1, n, n)


def matrix_exp(A: Tensor) -> Tensor:
    """torch.linalg.matrix_exp (scaling and squaring with a Pade approximant)."""
    _check(A, "linalg.matrix_exp", low_precision=True)
    return MatrixExp.apply(A)


def matrix_power(A: Tensor, n: int, *, out: Any = None) -> Tensor:
    """torch.linalg.matrix_power, by repeated squaring as ATen does it."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError("linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    n = int(n)
    if n == 0:
        return _out(A.clone().copy_(_eye_like(A)), out)
    if n == 1:
        return _out(A.clone(), out)
    if n == -1:
        return _out(inv(A), out)
    a = inv(A) if n < 0 else A
    n = abs(n)
    if n == 2:
        return _out(_matmul(a, a), out)
    if n == 3:
        return _out(_matmul(_matmul(a, a), a), out)
    z = result = None
    while n > 0:
        bit = n % 2
        n //= 2
        z = a if z is None else _matmul(z, z)
        if bit:
            result = z if result is None else _matmul(result, z)
    return _out(result, out)


# -- norms -----------------------------------------------------------------------------------

def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """torch.linalg.vector_norm."""
    return _out(_vector_norm(x, ord, dim, keepdim, dtype=dtype), out)


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _norm_dtype_check(A: Tensor, dtype: Any, api: str) -> None:
    if dtype is None:
        return
    word = _type_word(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{api}: dtype should be floating point or complex, but got {word}")
    if dtype.is_complex != A.dtype.is_complex:
        kind = "complex" if A.dtype.is_complex else "real"
        raise RuntimeError(f"{api}: dtype should be {kind} for {kind} inputs, but got {word}")
    if _dtype.promote_types(A.dtype, dtype) != dtype:
        raise RuntimeError(f"{api}: the dtype of the input ({_word(A)}) should be convertible "
                           f"without narrowing to the specified dtype ({word})")


def _matrix_dims(A: Tensor, dim: Any, dtype: Any, low_precision: bool) -> tuple:
    api = "linalg.matrix_norm"
    _check(A, api, square=False, low_precision=low_precision)
    dims = [dim] if isinstance(dim, (int, np.integer)) else list(dim)
    if len(dims) != 2:
        raise RuntimeError(f"{api}: dim must be a 2-tuple. Got {' '.join(str(d) for d in dims)}")
    d0, d1 = (_wrap_dim(int(d), A.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"{api}: dims must be different. Got ({d0}, {d1})")
    _norm_dtype_check(A, dtype, api)
    return d0, d1


def _backshift(d0: int, d1: int, ndim: int) -> tuple:
    return tuple(i for i in range(ndim) if i not in (d0, d1)) + (d0, d1)


def _inverse_perm(perm: tuple) -> tuple:
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return tuple(out)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """torch.linalg.matrix_norm: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2."""
    api = "linalg.matrix_norm"
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"{api}: Order {ord} not supported.")
        spectral = ord == "nuc"
    else:
        o = float(ord)
        if abs(o) not in (1.0, 2.0, math.inf):
            raise RuntimeError(f"{api}: Order {_fmt(ord)} not supported.")
        spectral = abs(o) == 2.0
    d0, d1 = _matrix_dims(A, dim, dtype, not spectral)
    if ord == "fro":
        return _out(_vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype), out)
    if spectral:
        perm = _backshift(d0, d1, A.ndim)
        a = A if dtype is None else A.to(dtype)
        s = svdvals(a.permute(perm))
        if ord == "nuc":
            res = s.sum(-1, keepdim)
        else:
            res = s.amax(-1, keepdim) if o > 0 else s.amin(-1, keepdim)
        if keepdim:
            res = res.unsqueeze(-1).permute(_inverse_perm(perm))
        return _out(res, out)
    if abs(o) == math.inf:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    v = _vector_norm(A, 1.0, (d0,), keepdim, dtype=dtype)
    return _out(v.amax(d1, keepdim) if o > 0 else v.amin(d1, keepdim), out)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         out: Any = None, dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector or a matrix norm, chosen by ord and dim."""
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got [{', '.join(str(d) for d in dim)}]")
    elif (ord is not None) and A.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype, out=out)
    if ord is not None and (dim is not None and len(dim) == 2 or dim is None and A.ndim == 2):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype, out=out)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def cond(A: Tensor, p: Any = None, *, out: Any = None) -> Tensor:
    """torch.linalg.cond: the condition number in the norm p (default 2)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    ord = 2 if p is None else p
    if isinstance(ord, str):
        _check(A, f"linalg.cond(ord={ord})")
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {ord}")
    elif abs(float(ord)) not in (1.0, 2.0, math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {_fmt(ord)}")
    if not isinstance(ord, str) and abs(float(ord)) == 2.0:
        if A.numel() == 0:
            return _out(_zeros_real(A, A.shape[:-2]), out)
        s = svdvals(A)
        k = s.shape[-1]
        smax, smin = s.narrow(-1, 0, 1), s.narrow(-1, k - 1, 1)
        return _out((smin / smax if float(ord) == -2.0 else smax / smin).squeeze(-1), out)
    if isinstance(ord, str):
        label = ord
    elif math.isinf(float(ord)):
        label = "inf" if float(ord) > 0 else "-inf"
    else:
        label = str(int(ord))
    _check(A, f"linalg.cond(ord={label})")
    if A.numel() == 0:
        return _out(_zeros_real(A, A.shape[:-2]), out)
    if ord == "nuc":  # from the definition: matrix_norm('nuc') would see infinities
        s = svdvals(A)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _out(s.sum(-1) * s.reciprocal().sum(-1), out)
    inverse, info = InvEx.apply(A)
    # In place, as ATen does: this changes the saved output of InvEx, so (as in PyTorch)
    # these orders cannot be differentiated; backward raises the in-place error.
    inverse.masked_fill_((info > 0).unsqueeze(-1).unsqueeze(-1), math.inf)
    with np.errstate(invalid="ignore"):  # 0 * inf: nan_to_num_ makes it inf
        res = matrix_norm(A, ord) * matrix_norm(inverse, ord)
    return _out(res.nan_to_num_(math.inf, math.inf, -math.inf), out)


def _zeros_real(A: Tensor, shape: tuple) -> Tensor:
    real = _dtype.from_numpy_dtype(_real_np(A._data.dtype))
    return zeros(shape, dtype=real, device=A.device)


# -- products and shapes ---------------------------------------------------------------------

def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:  # noqa: A002
    """torch.linalg.cross."""
    return _out(linalg_cross(input, other, dim=dim), out)


def matmul(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:  # noqa: A002
    """torch.linalg.matmul (an alias of torch.matmul)."""
    return _out(_matmul(input, other), out)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: the diagonal of each matrix (a view)."""
    return A.diagonal(offset, dim1, dim2)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """torch.linalg.vecdot: sum(conj(x) * y) over dim."""
    _check_float(x, "linalg.vecdot", low_precision=True)
    if x.dtype != y.dtype:
        raise RuntimeError("linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {_word(x)} and y of type {_word(y)} instead")
    return _out((_conj(x) * y).sum(dim), out)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """torch.linalg.vander: the powers x^0, x^1, ..., x^(N-1) along a new last dim."""
    name = x.dtype.name
    if not (name in ("float32", "float64", "complex64", "complex128")
            or x._data.dtype.kind in "iu"):
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           f"but got {_word(x)}")
    x_ = x.unsqueeze(-1) if x.ndim == 0 else x
    n = x_.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = x_.unsqueeze(-1).expand(tuple(x_.shape) + (n - 1,)).cumprod(-1)
    return cat([powers.new_ones(tuple(x_.shape) + (1,)), powers], -1)


def multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """torch.linalg.multi_dot: a chain of mm in the cheapest order (ATen's algorithm)."""
    ts = list(tensors)
    n = len(ts)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    out_shape: list = []
    first, last = ts[0], ts[-1]
    if first.ndim == 1:
        ts[0] = first.unsqueeze(0)
    elif first.ndim == 2:
        out_shape.append(first.shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim == 1:
        ts[-1] = last.unsqueeze(-1)
    elif last.ndim == 2:
        out_shape.append(last.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i in range(1, n - 1):
        if ts[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i].ndim}D")
    for i in range(1, n):
        if ts[i].dtype != ts[0].dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_CPP_NAME[ts[0].dtype.name]} and tensor {i} {_CPP_NAME[ts[i].dtype.name]}")
        if ts[i - 1].shape[-1] != ts[i].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i - 1} and {i} with shapes {list(tensors[i - 1].shape)} "
                f"and {list(tensors[i].shape)} cannot be multiplied")
    if n == 2:
        res = ts[0].mm(ts[1])
    elif n == 3:
        a, b = ts[0].shape[0], ts[1].shape[0]
        c, d = ts[2].shape[0], ts[2].shape[1]
        if (a * c) * (b + d) > (b * d) * (a + c):
            res = ts[0].mm(ts[1].mm(ts[2]))
        else:
            res = ts[0].mm(ts[1]).mm(ts[2])
    else:
        res = _chain(ts, _chain_order(ts), 0, n - 1)
    return _out(res.view(out_shape), out)


def _chain_order(ts: list) -> list:
    """The optimal split points of the matrix chain (dynamic programming, as ATen)."""
    n = len(ts)
    p = [t.shape[0] for t in ts] + [ts[-1].shape[1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain(ts: list, split: list, i: int, j: int) -> Tensor:
    if i == j:
        return ts[i]
    k = split[i][j]
    return _chain(ts, split, i, k).mm(_chain(ts, split, k + 1, j))

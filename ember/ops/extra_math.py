"""More torch math: special functions (lgamma, digamma, polygamma, ...), complex
construction (complex, polar, view_as_real/complex), integer helpers (gcd, lcm) and a few
statistics (cov, corrcoef, histc, bincount, renorm).

The special functions come from SciPy, imported only when one of them runs: SciPy is a test
dependency of ember, not a core one. Every derivative is written with ember ops (d lgamma =
digamma, d digamma = polygamma(1, .), ...), so double backward works where torch has it.

view_as_real and view_as_complex return true views on the CPU (shared memory and version
counter, as in torch); with CuPy arrays they return copies.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op
from .pointwise import (
    _binary,
    _conj,
    _float_of,
    _NotDifferentiable,
    _num,
    _promoted,
    _promoted_float,
    _quiet,
    _reject,
    _zeros_like,
)
from .reduction import _return_type
from .reduction import return_types as _return_types

__all__ = [
    "lgamma", "digamma", "polygamma", "mvlgamma", "erfinv", "i0", "sinc", "logit",
    "deg2rad", "rad2deg", "float_power", "frexp", "ldexp", "gcd", "lcm", "nextafter",
    "logaddexp2", "igamma", "igammac", "complex", "polar", "view_as_real", "view_as_complex",
    "cov", "corrcoef", "histc", "bincount", "renorm", "cdist", "pdist",
]
# (polygamma's method and polygamma_ take n after self: bound at the end of the module)
__methods__: list[str] = [
    "lgamma", "digamma", "mvlgamma", "erfinv", "i0", "sinc", "logit", "deg2rad", "rad2deg",
    "float_power", "frexp", "ldexp", "gcd", "lcm", "nextafter", "logaddexp2", "igamma",
    "igammac", "cov", "corrcoef", "histc", "bincount", "renorm",
]
# fix is pointwise's; torch also has x.fix_(), which ember lacked.
__inplace__: list[str] = [
    "lgamma", "digamma", "mvlgamma", "erfinv", "i0", "sinc", "logit", "deg2rad", "rad2deg",
    "ldexp", "gcd", "lcm", "nextafter", "igamma", "igammac", "renorm", "fix",
]


# -- SciPy -----------------------------------------------------------------------------------

def _sp(xp: Any) -> Any:
    """scipy.special (cupyx.scipy.special on the GPU), imported when first needed."""
    if xp is not np:
        import cupyx.scipy.special as special

        return special
    try:
        import scipy.special as special
    except ImportError:  # pragma: no cover - SciPy is installed with the test extras
        raise ImportError("ember's special functions (lgamma, digamma, polygamma, i0, igamma, "
                          "...) need SciPy: pip install scipy") from None
    return special


def _same(out: Any, like: Any) -> Any:
    """SciPy computes some float32 inputs in float64: give the input's dtype back."""
    return out.astype(like.dtype, copy=False)


def _special(name: str, fn: Any, formula: Any, *, kernel: str) -> type:
    """A real special function f (integers give the default float) with f' = formula."""

    def grad_a(ctx, grad, a):
        return formula(grad, a)

    @_quiet  # poles (lgamma(0) = inf) are no warnings in torch
    def forward(ctx, xp, a):
        _reject(a, "c", kernel)
        a = _float_of(a)
        return _same(xp.asarray(fn(_sp(xp), a)), a)

    return type(name, (Op,), {"forward": forward, "grad_a": grad_a, "__module__": __name__},
                name=name)


def _gammaln(special: Any, a: Any) -> Any:
    # log |Gamma(-inf)| is inf in torch; SciPy says -inf
    out = special.gammaln(a)
    return out if not (a == -np.inf).any() else np.where(a == -np.inf, np.inf, out)


Lgamma = _special("LgammaBackward0", _gammaln, lambda g, a: g * digamma(a),
                  kernel="lgamma_vml_cpu")
Digamma = _special("DigammaBackward0", lambda s, a: s.psi(a),
                   lambda g, a: g * polygamma(1, a), kernel="digamma")
I0 = _special("I0Backward0", lambda s, a: s.i0(a), lambda g, a: g * _i1(a),
              kernel="i0_vml_cpu")


class SpecialI1(Op, name="SpecialI1Backward0"):
    """The modified Bessel function I1, i0's derivative (torch.special.i1)."""

    def forward(ctx, xp, a):
        a = _float_of(a)
        return _same(xp.asarray(_sp(xp).i1(a)), a)

    def grad_a(ctx, grad, a, result):
        # I1' = I0 - I1 / x, which is 1/2 at x = 0 (torch's i1_backward)
        safe = a.masked_fill(a == 0, 1)
        return grad * (i0(a) - result / safe).masked_fill(a == 0, 0.5)


def _i1(a: Tensor) -> Tensor:
    return SpecialI1.apply(a)


class Polygamma(Op, name="PolygammaBackward0"):
    @_quiet
    def forward(ctx, xp, a, *, n):
        ctx.n = n
        _reject(a, "c", ("digamma", "trigamma")[n] if n < 2 else "polygamma")
        a = _float_of(a)
        sp = _sp(xp)
        # scipy's polygamma(0, x) is digamma; computed in float64 for float32 as torch does
        out = sp.psi(a) if n == 0 else sp.polygamma(n, a.astype(np.float64))
        return _same(xp.asarray(out), a)

    def grad_a(ctx, grad, a):
        return grad * polygamma(ctx.n + 1, a)


class PolygammaInplace(Polygamma, name="PolygammaBackward1"):
    """x.polygamma_(n): torch records the in-place overload as its own node."""


class Mvlgamma(Op, name="MvlgammaBackward0"):
    @_quiet
    def forward(ctx, xp, a, *, p):
        ctx.p = p
        _reject(a, "c", "mvlgamma")
        a = _float_of(a)
        gammaln = _sp(xp).gammaln
        out = sum(gammaln(a - j / 2) for j in range(p)) + p * (p - 1) / 4 * math.log(math.pi)
        return _same(xp.asarray(out), a)

    def grad_a(ctx, grad, a):
        return grad * sum(digamma(a - j / 2) for j in range(ctx.p))


class Erfinv(Op, name="ErfinvBackward0"):
    @_quiet
    def forward(ctx, xp, a):
        from ._special import erfinv as _erfinv

        _reject(a, "c", "erfinv_vml_cpu")
        return _erfinv(xp, _float_of(a))

    def grad_a(ctx, grad, a):
        return grad * (0.5 * math.sqrt(math.pi)) * (erfinv(a) ** 2).exp()


class Sinc(Op, name="SincBackward0"):
    @_quiet  # sinc(inf) is nan without a warning in torch
    def forward(ctx, xp, a):
        return xp.sinc(_float_of(a))

    def grad_a(ctx, grad, a):
        # (pi x cos(pi x) - sin(pi x)) / (pi x^2), taken as 0 at x = 0 like torch
        pa = a * math.pi
        return grad * _conj(((pa * pa.cos() - pa.sin()) / (pa * a)).masked_fill(a == 0, 0))


class Logit(Op, name="LogitBackward0"):
    @_quiet
    def forward(ctx, xp, a, *, eps):
        ctx.eps = eps
        _reject(a, "c", "logit_cpu")
        a = _float_of(a)
        if eps is not None:
            a = xp.clip(a, eps, 1 - eps)
        return xp.log(a / (1 - a))

    def grad_a(ctx, grad, a):
        eps = ctx.eps
        g = grad / (a * (1 - a))
        if eps is None:  # outside [0, 1] the derivative is nan
            return g.masked_fill((a < 0) | (a > 1), math.nan)
        return g.masked_fill((a < eps) | (a > 1 - eps), 0)  # clamped: flat there


def _scale(name: str, factor: float) -> type:
    def forward(ctx, xp, a):
        if a.dtype.kind == "c":
            raise RuntimeError(f"{name[:7].lower()} is not supported for complex tensors.")
        a = _float_of(a)
        return a * a.dtype.type(factor)

    def grad_a(ctx, grad):
        return grad * factor

    return type(name, (Op,), {"forward": forward, "grad_a": grad_a, "__module__": __name__},
                name=name)


Deg2Rad = _scale("Deg2RadBackward0", math.pi / 180)
Rad2Deg = _scale("Rad2DegBackward0", 180 / math.pi)


class Frexp(Op, name="FrexpBackward0"):
    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(ctx, xp, a):
        if a.dtype.kind not in "fV":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        m, e = xp.frexp(a)
        e = e.astype(np.int32, copy=False)
        # a = m * 2^e with e piecewise constant: dm/da = 2^-e
        ctx.scale = xp.ldexp(xp.ones((), m.dtype), -e)
        return m, e

    def grad_a(ctx, grads):
        return grads[0] * Tensor._make(ctx.scale)  # (the exponent output has no gradient)


class Ldexp(Op, name="LdexpBackward0"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        a, b = _promoted_float(a, b)
        return a * xp.exp2(b)

    def grad_a(ctx, grad, b):
        if b._data.dtype.kind in "iu":
            # torch takes 2 ** b in b's integer dtype here: 0 for negative exponents
            return grad * b.exp2().masked_fill(b < 0, 0)
        return grad * b.exp2()

    def grad_b(ctx, grad, a, b):
        return grad * a * b.exp2() * math.log(2)


class _Integer(Op):
    """gcd and lcm: integer-only, so never recorded."""

    kernel = ""

    def forward(ctx, xp, a, b):
        a, b = _promoted(a, b)
        for x in (a, b):
            if getattr(x, "dtype", np.dtype(np.int64)).kind not in "iu":
                raise NotImplementedError(f'"{ctx.kernel}_cpu" not implemented for '
                                          f"'{_dtype.from_numpy_dtype(x.dtype).type_word}'")
        return getattr(xp, ctx.kernel)(a, b)


class Gcd(_Integer, name="GcdBackward0"):
    kernel = "gcd"


class Lcm(_Integer, name="LcmBackward0"):
    kernel = "lcm"


class Nextafter(Op, name="NextafterBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        _reject(a, "biu", "nextafter_cpu")
        return xp.nextafter(a, b)

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad):
        return _zeros_like(grad)


class Logaddexp2(Op, name="Logaddexp2Backward0"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        _reject(a, "biu", "logaddexp2_cpu")
        return xp.logaddexp2(a, b)

    def grad_a(ctx, grad, a, b):
        return grad / (1 + (b - a).exp2())

    def grad_b(ctx, grad, a, b):
        return grad / (1 + (a - b).exp2())


class Igamma(Op, name="IgammaBackward0"):
    sign = 1.0
    kernel = "igamma"

    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        _reject(a, "biu", ctx.kernel + "_cpu")
        sp = _sp(xp)
        f = sp.gammainc if ctx.sign > 0 else sp.gammaincc
        return _same(xp.asarray(f(a, b)), a)

    def grad_a(ctx, grad):
        # torch has no derivative in the shape parameter either
        raise NotImplementedError(f"the derivative for '{ctx.kernel}: input' is not "
                                  "implemented.")

    def grad_b(ctx, grad, a, b):
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a); Q = 1 - P
        return grad * (((a - 1) * b.log() - b - lgamma(a)).exp() * ctx.sign)


class Igammac(Igamma, name="IgammacBackward0"):
    sign = -1.0
    kernel = "igammac"


# -- complex construction --------------------------------------------------------------------

_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def _check_pair(a: Any, b: Any) -> Any:
    wa = _dtype.from_numpy_dtype(a.dtype).type_word
    wb = _dtype.from_numpy_dtype(b.dtype).type_word
    if a.dtype not in _COMPLEX or b.dtype not in _COMPLEX:
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{wa} and {wb}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {wa} but got scalar type {wb} "
                           "for second argument")
    return _COMPLEX[a.dtype]


class Complex(Op, name="ComplexBackward0"):
    def forward(ctx, xp, real, imag):
        dt = _check_pair(real, imag)
        shape = np.broadcast_shapes(real.shape, imag.shape)
        out = xp.empty(shape, dt)
        out.real, out.imag = real, imag
        return out

    def grad_real(ctx, grad):
        return grad.real

    def grad_imag(ctx, grad):
        return grad.imag


class Polar(Op, name="PolarBackward0"):
    def forward(ctx, xp, abs, angle):  # noqa: A002
        dt = _check_pair(abs, angle)
        shape = np.broadcast_shapes(abs.shape, angle.shape)
        out = xp.empty(shape, dt)
        out.real, out.imag = abs * xp.cos(angle), abs * xp.sin(angle)
        return out

    # z = r e^(i t): dz/dr = e^(i t) = sgn(z), dz/dt = i z; a real input's gradient is
    # Re(conj(grad) * dz/dinput) (torch's polar_backward).
    def grad_abs(ctx, grad, result):
        return (grad.conj() * result.sgn()).real

    def grad_angle(ctx, grad, result):
        return (grad.conj() * result * 1j).real


class _Reinterpreted:
    """An __array_interface__ over another array's memory in another dtype (NumPy's own
    as_strided does the same): keeps the source alive as the result's base."""

    def __init__(self, source: Any, typestr: str, shape: tuple, strides: tuple) -> None:
        self.base = source
        iface = dict(source.__array_interface__)
        iface.update(typestr=typestr, shape=shape, strides=strides, descr=[("", typestr)])
        self.__array_interface__ = iface


def _reinterpret(a: Any, dtype: Any, shape: tuple, strides: tuple) -> Any:
    return np.asarray(_Reinterpreted(a, np.dtype(dtype).str, shape, strides))


class ViewAsReal(Op, name="ViewAsRealBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        if a.dtype.kind != "c":
            raise RuntimeError("view_as_real is only supported for complex tensors")
        if xp is not np:  # (CuPy: a copy; see the module docstring)
            return xp.stack([a.real, a.imag], axis=-1)
        real = a.real  # the real parts in place: a float view with the complex strides
        return _reinterpret(real, real.dtype, a.shape + (2,),
                            real.strides + (real.dtype.itemsize,))

    def grad_a(ctx, grad):
        return view_as_complex(grad.contiguous() if not _complex_viewable(grad._data)
                               else grad)


def _complex_viewable(a: Any) -> bool:
    size = a.dtype.itemsize
    return a.strides[-1] == size and all(s % (2 * size) == 0 for s in a.strides[:-1])


class ViewAsComplex(Op, name="ViewAsComplexBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        if a.dtype not in _COMPLEX:
            raise RuntimeError("view_as_complex is only supported for floating point "
                               f"tensors, but got a tensor of scalar type: "
                               f"{_dtype.from_numpy_dtype(a.dtype).type_word}")
        if a.ndim == 0 or a.shape[-1] != 2:
            raise RuntimeError("Tensor must have a last dimension of size 2")
        dt = _COMPLEX[a.dtype]
        if xp is not np:  # (CuPy: a copy; see the module docstring)
            out = xp.empty(a.shape[:-1], dt)
            out.real, out.imag = a[..., 0], a[..., 1]
            return out
        size = a.dtype.itemsize
        if a.strides[-1] != size:
            raise RuntimeError("Tensor must have a last dimension with stride 1")
        if any(s % (2 * size) for s in a.strides[:-1]):
            raise RuntimeError("Tensor must have a stride divisible by 2 for all but last "
                               "dimension")
        return _reinterpret(a, dt, a.shape[:-1], a.strides[:-1])

    def grad_a(ctx, grad):
        return view_as_real(grad)


# -- statistics ------------------------------------------------------------------------------

class Bincount(_NotDifferentiable, name="NotImplemented"):
    aten = "_bincount"

    def forward(ctx, xp, a, weights, *, minlength):
        if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and a.min() < 0):
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if weights is not None and weights.shape != a.shape:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        if minlength < 0:
            raise RuntimeError("minlength should be >= 0")
        out = xp.bincount(a, weights=weights, minlength=minlength)
        if weights is None:
            return out.astype(np.int64, copy=False)
        # float weights keep their dtype; others are counted in double, as torch does
        return out.astype(weights.dtype if weights.dtype.kind == "f" else np.float64)


class Renorm(Op, name="RenormBackward0"):
    def forward(ctx, xp, a, *, p, dim, maxnorm):
        ctx.p, ctx.maxnorm = p, maxnorm
        ctx.dims = tuple(d for d in range(a.ndim) if d != dim)
        norm = _pnorm(xp, a, p, ctx.dims)
        factor = xp.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).astype(a.dtype)
        return a * factor

    def grad_a(ctx, grad, a):
        # torch's renorm_backward: where(norm > maxnorm, factor * (g - nb / (norm + 1e-7)), g)
        # with nb = d norm / d a * sum(a * g) over the reduced dims.
        p, maxnorm, dims = ctx.p, ctx.maxnorm, ctx.dims
        norm = _norm(a, p, dims)
        s = (_conj(a) * grad).sum(dims, keepdim=True)
        nb = _norm_backward(s, a, p, norm, dims)
        inv = (norm + 1e-7).reciprocal()
        from .pointwise import where

        return where(norm > maxnorm, inv * maxnorm * (grad - inv * nb), grad)


def _pnorm(xp: Any, a: Any, p: float, dims: tuple) -> Any:
    x = xp.abs(a)
    if p == math.inf:
        return x.max(axis=dims, keepdims=True) if x.size else xp.zeros_like(x)
    if p == 0:
        return (x != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
    return (x ** p).sum(axis=dims, keepdims=True) ** (1 / p)


def _norm(a: Tensor, p: float, dims: Any) -> Tensor:
    x = a.abs()
    if p == math.inf:
        return x.amax(dims, keepdim=True)
    return (x ** p).sum(dims, keepdim=True) ** (1 / p)


def _norm_backward(g: Tensor, a: Tensor, p: float, norm: Tensor, dims: Any) -> Tensor:
    """d norm_p(a) / d a times g (torch's norm_backward, keepdim shapes; dims reduced)."""
    if p == 0:
        return _zeros_like(a)
    if p == 1:
        return a.sgn() * g
    if p == 2:
        return a * (g / norm).masked_fill(norm == 0, 0)
    if p == math.inf or p == -math.inf:  # shared equally among the extreme entries
        mask = (a.abs() == norm).to(a.dtype)
        return a.sgn() * mask * (g / mask.sum(dims, keepdim=True))
    scale = (g / norm ** (p - 1)).masked_fill(norm == 0, 0)
    return a.sgn() * a.abs() ** (p - 1) * scale


# -- functions -------------------------------------------------------------------------------

def _tensor_arg(fn: str, x: Any, name: str = "input", pos: int = 1) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def lgamma(input: Tensor) -> Tensor:  # noqa: A002
    """torch.lgamma: log |Gamma(x)|."""
    return Lgamma.apply(input)


def digamma(input: Tensor) -> Tensor:  # noqa: A002
    """torch.digamma: Gamma'(x) / Gamma(x)."""
    return Digamma.apply(input)


def polygamma(n: int, input: Tensor) -> Tensor:  # noqa: A002
    """torch.polygamma: the n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(input, n=int(n))


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """Tensor.polygamma(n): torch.polygamma(n, self)."""
    return polygamma(n, self)


def _polygamma_inplace(self: Tensor, n: int) -> Tensor:
    """Tensor.polygamma_(n): polygamma(n, self) written into self."""
    from . import _inplace  # (ember.ops is still importing this module at import time)

    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _inplace(lambda x, k: PolygammaInplace.apply(x, n=int(k)))(self, n)


_polygamma_method.__name__ = "polygamma"


def mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """torch.mvlgamma: the multivariate log-gamma function of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply(input, p=int(p))


def erfinv(input: Tensor) -> Tensor:  # noqa: A002
    """torch.erfinv: the inverse error function."""
    return Erfinv.apply(input)


def i0(input: Tensor) -> Tensor:  # noqa: A002
    """torch.i0: the modified Bessel function of the first kind, order 0."""
    return I0.apply(input)


def sinc(input: Tensor) -> Tensor:  # noqa: A002
    """torch.sinc: sin(pi x) / (pi x), 1 at 0."""
    return Sinc.apply(input)


def logit(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """torch.logit: log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given."""
    return Logit.apply(input, eps=None if eps is None else float(eps))


def deg2rad(input: Tensor) -> Tensor:  # noqa: A002
    """torch.deg2rad."""
    return Deg2Rad.apply(input)


def rad2deg(input: Tensor) -> Tensor:  # noqa: A002
    """torch.rad2deg."""
    return Rad2Deg.apply(input)


def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """torch.float_power: pow computed in double (complex double for complex operands)."""
    from .pointwise import pow as _pow

    input, exponent = _num(input), _num(exponent)  # noqa: A001
    cplx = any(isinstance(x, builtins.complex) or isinstance(x, Tensor) and x.dtype.is_complex
               for x in (input, exponent))
    dt = _dtype.complex128 if cplx else _dtype.float64
    # torch casts the tensors (ToCopyBackward0 when they were not double) and calls pow.
    input = input.to(dt) if isinstance(input, Tensor) else input  # noqa: A001
    exponent = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    if not isinstance(input, Tensor):
        input = _num(input)  # noqa: A001
        input = builtins.complex(input) if cplx else float(input)  # noqa: A001
    elif not isinstance(exponent, Tensor):
        exponent = builtins.complex(exponent) if cplx else float(exponent)
    return _pow(input, exponent)


def _float_power_inplace(self: Tensor, exponent: Any) -> Tensor:
    """Tensor.float_power_: self must already have the double result dtype."""
    exponent = _num(exponent)
    cplx = self.dtype.is_complex or isinstance(exponent, builtins.complex) or \
        isinstance(exponent, Tensor) and exponent.dtype.is_complex
    dt = _dtype.complex128 if cplx else _dtype.float64
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype.type_word} "
                           f"but the operation's result requires dtype {dt.type_word}")
    if isinstance(exponent, Tensor):
        return self.pow_(exponent.to(dt))
    return self.pow_(builtins.complex(exponent) if cplx else float(exponent))


def frexp(input: Tensor) -> Any:  # noqa: A002
    """torch.frexp: (mantissa, exponent) with input = mantissa * 2 ** exponent."""
    return _FrexpResult(*Frexp.apply(input))


# torch.return_types.frexp, beside reduction's named tuples
_FrexpResult = _return_type("frexp", ("mantissa", "exponent"))
_return_types.frexp = _FrexpResult


def ldexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.ldexp: input * 2 ** other."""
    return Ldexp.apply(input, other)


def gcd(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.gcd (integers)."""
    return Gcd.apply(input, other)


def lcm(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.lcm (integers)."""
    return Lcm.apply(input, other)


def nextafter(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.nextafter: the next float after input towards other."""
    _tensor_arg("nextafter", other, "other", 2)
    return Nextafter.apply(input, other)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.logaddexp2: log2(2 ** input + 2 ** other)."""
    _tensor_arg("logaddexp2", other, "other", 2)
    return Logaddexp2.apply(input, other)


def igamma(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.igamma: the regularized lower incomplete gamma function P(input, other)."""
    _tensor_arg("igamma", other, "other", 2)
    return Igamma.apply(input, other)


def igammac(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.igammac: the regularized upper incomplete gamma function Q(input, other)."""
    _tensor_arg("igammac", other, "other", 2)
    return Igammac.apply(input, other)


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001
    """torch.complex: real + i imag."""
    return Complex.apply(real, imag)


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002
    """torch.polar: abs * exp(i angle)."""
    return Polar.apply(abs, angle)


def view_as_real(input: Tensor) -> Tensor:  # noqa: A002
    """torch.view_as_real: a complex tensor viewed as (..., 2) reals."""
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002
    """torch.view_as_complex: (..., 2) reals viewed as a complex tensor."""
    return ViewAsComplex.apply(input)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,  # noqa: A002
        aweights: Tensor | None = None) -> Tensor:
    """torch.cov: the covariance of the rows (variables) over the columns (observations)."""
    import warnings

    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input.dtype is _dtype.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    # Torch's own composite (Correlation.cpp), so the graph and grad_fn names agree.
    if w is None:
        avg = x.sum(1) / n
        norm: Any = n - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction != 0 and aweights is not None:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
        else:
            norm = w_sum - correction
    nonpositive = bool(norm <= 0) if isinstance(norm, Tensor) else norm <= 0
    if nonpositive:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations. (Triggered internally at /__w/pytorch/"
                      "pytorch/aten/src/ATen/native/Correlation.cpp:129.)", UserWarning,
                      stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0
    x = x - avg.unsqueeze(1)
    c = x.mm((x if w is None else x * w).t().conj())
    return (c / norm).squeeze()


def corrcoef(input: Tensor) -> Tensor:  # noqa: A002
    """torch.corrcoef: the Pearson correlation coefficients of the rows."""
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c  # nan for a zero, nan or inf variance, else 1
    d = c.diagonal()
    std = (d.real if d.dtype.is_complex else d).sqrt()
    c = c / std.view(-1, 1)
    c = c / std.view(1, -1)
    if c.dtype.is_complex:
        return complex(c.real.clip(-1, 1), c.imag.clip(-1, 1))
    return c.clip(-1, 1)


def _c_num(v: float) -> str:
    """A double as C++'s ostream prints it in torch's messages (1, 2.5, inf, -nan)."""
    if math.isnan(v):
        return "-nan"  # (the NaN min/max of the data is the sign-bit NaN on x86)
    return f"{v:g}"


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """torch.histc: a histogram of equal-width bins between min and max (not differentiable)."""
    from .._device import array_module

    a = input._data
    xp = array_module(a)
    if a.dtype.kind not in "f":
        raise NotImplementedError('"histogram_cpu" not implemented for '
                                  f"'{input.dtype.type_word}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and a.size:  # the data's range, widened when it is one value
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_c_num(lo)}, {_c_num(hi)}] is not "
                           "finite")
    x = a[(a >= lo) & (a <= hi)].astype(np.float64)
    idx = ((x - lo) * bins / (hi - lo)).astype(np.int64)
    idx = xp.minimum(idx, bins - 1)  # the right edge belongs to the last bin
    return Tensor._make(xp.bincount(idx, minlength=bins).astype(a.dtype))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """torch.bincount: how often each non-negative integer occurs (optionally weighted)."""
    return Bincount.apply(input, weights, minlength=int(minlength))


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """torch.renorm: rescale each slice along dim whose p-norm exceeds maxnorm."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, "
                         f"{input.ndim - 1}], but got {dim})")
    _reject(input._data, "biu", "renorm_out")
    return Renorm.apply(input, p=float(p), dim=d, maxnorm=float(maxnorm))


# torch.Tensor.polygamma takes n after self; the function takes it first.
Tensor.polygamma = _polygamma_method
Tensor.polygamma_ = _polygamma_inplace
Tensor.float_power_ = _float_power_inplace


# -- distances (cdist, pdist) ----------------------------------------------------------------

def _dist(xp: Any, diff: Any, p: float) -> Any:
    """The p-norm of diff along its last axis, as torch's cdist / pdist kernels take it."""
    x = xp.abs(diff)
    if diff.shape[-1] == 0:
        return xp.zeros(diff.shape[:-1], diff.dtype)
    if p == 0:
        return (x != 0).sum(axis=-1).astype(diff.dtype)
    if p == 1:
        return x.sum(axis=-1)
    if p == 2:
        return xp.sqrt((x * x).sum(axis=-1))
    if p == math.inf:
        return x.max(axis=-1)
    return (x ** p).sum(axis=-1) ** (1 / p)


def _dist_grad(xp: Any, diff: Any, g: Any, d: Any, p: float) -> Any:
    """d dist / d diff times g, with torch's conventions at zero distance (Distance.cpp)."""
    with np.errstate(all="ignore"):  # (0 ** negative: masked below)
        return _dist_grad_raw(xp, diff, g, d, p)


def _dist_grad_raw(xp: Any, diff: Any, g: Any, d: Any, p: float) -> Any:
    zero = xp.zeros((), diff.dtype)
    if p == 0:
        return xp.zeros_like(diff) * g
    if p == 1:
        return xp.sign(diff) * g
    if p == math.inf:
        return g * xp.sign(diff) * (xp.abs(diff) == d)
    if p == 2:
        return xp.where(d == 0, zero, g * diff / d)
    if p < 2:
        out = xp.sign(diff) * xp.abs(diff) ** (p - 1) * g / d ** (p - 1)
        bad = (d == 0) | ((diff == 0) & (p < 1))
        return xp.where(bad, zero, out)
    return xp.where(d == 0, zero, diff * xp.abs(diff) ** (p - 2) * g / d ** (p - 1))


class _CdistGrad(Op, name="CdistBackwardBackward0"):
    """torch's _cdist_backward: the gradient of x1 (its own derivative is not implemented)."""

    def forward(ctx, xp, grad, x1, x2, dist, *, p):
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        out = _dist_grad(xp, diff, grad[..., None], dist[..., None], p).sum(axis=-2)
        return out.astype(x1.dtype, copy=False)

    def backward(ctx, grad):
        raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


class Cdist(Op, name="CdistBackward0"):
    def forward(ctx, xp, x1, x2, *, p):
        ctx.p = p
        return _dist(xp, x1[..., :, None, :] - x2[..., None, :, :], p)

    def grad_x1(ctx, grad, x1, x2, result):
        return _CdistGrad.apply(grad, x1, x2, result, p=ctx.p)

    def grad_x2(ctx, grad, x1, x2, result):
        return _CdistGrad.apply(grad.mT, x2, x1, result.mT, p=ctx.p)


class EuclideanDist(Op, name="EuclideanDistBackward0"):
    """torch's _euclidean_dist: cdist with p = 2 by one matrix product."""

    def forward(ctx, xp, x1, x2):
        n1 = (x1 * x1).sum(axis=-1, keepdims=True)
        n2 = (x2 * x2).sum(axis=-1, keepdims=True)
        a = xp.concatenate([x1 * x1.dtype.type(-2), n1, xp.ones_like(n1)], axis=-1)
        b = xp.concatenate([x2, xp.ones_like(n2), n2], axis=-1)
        return xp.sqrt(xp.maximum(a @ xp.swapaxes(b, -1, -2), 0))

    def backward(ctx, grad, x1, x2, result):
        # torch's _euclidean_dist_backward
        ratio = (grad / result).masked_fill(result == 0, 0)
        g1 = g2 = None
        if ctx.needs_input_grad[0]:
            g1 = x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2)
        if ctx.needs_input_grad[1]:
            g2 = x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(x1)
        return g1, g2


class _PdistGrad(Op, name="PdistBackwardBackward0"):
    """torch's _pdist_backward (its own derivative is not implemented)."""

    def forward(ctx, xp, grad, a, dist, *, p):
        i, j = xp.triu_indices(a.shape[0], 1)
        v = _dist_grad(xp, a[i] - a[j], grad[:, None], dist[:, None], p)
        n = a.shape[0]
        full = xp.zeros((n, n) + a.shape[1:], a.dtype)  # pair (i, j) adds v to i, -v to j
        full[i, j] = v
        return full.sum(axis=1) - full.sum(axis=0)

    def backward(ctx, grad):
        raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")


class Pdist(Op, name="PdistBackward0"):
    def forward(ctx, xp, a, *, p):
        ctx.p = p
        i, j = xp.triu_indices(a.shape[0], 1)
        return _dist(xp, a[i] - a[j], p)

    def grad_a(ctx, grad, a, result):
        return _PdistGrad.apply(grad, a, result, p=ctx.p)


_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """torch.cdist: the p-norm distances between the rows of x1 and of x2 (batched)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _CDIST_MODES[compute_mode]
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.ndim}D")
    c1, c2 = x1.shape[-1], x2.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x.dtype.type_word}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"expected scalar type {x1.dtype.type_word} but found "
                           f"{x2.dtype.type_word}")
    b1, b2 = tuple(x1.shape[:-2]), tuple(x2.shape[:-2])
    batch = _broadcast_batch(b1, b2)
    r1, r2 = x1.shape[-2], x2.shape[-2]
    p = float(p)
    if x1.numel() and x2.numel() and p == 2 and (mode == 1 or mode == 0 and (r1 > 25 or r2 > 25)):
        # torch's cdist_impl: one matrix product (EuclideanDistBackward0), then a view
        n = math.prod(batch)
        if n == 1:
            a, b = x1, x2
        else:
            a = x1.expand(*batch, r1, c1).contiguous().view(n, r1, c1)
            b = x2.expand(*batch, r2, c2).contiguous().view(n, r2, c2)
        return EuclideanDist.apply(a, b).view(*batch, r1, r2)
    return Cdist.apply(x1, x2, p=p)


def _broadcast_batch(b1: tuple, b2: tuple) -> tuple:
    """at::infer_size over cdist's batch dims, with its message."""
    n = max(len(b1), len(b2))
    out = []
    for i in range(n):
        k = n - 1 - i
        s1 = b1[len(b1) - 1 - k] if k < len(b1) else 1
        s2 = b2[len(b2) - 1 - k] if k < len(b2) else 1
        if s1 != s2 and s1 != 1 and s2 != 1:
            raise RuntimeError(f"The size of tensor a ({s1}) must match the size of tensor b "
                               f"({s2}) at non-singleton dimension {i}")
        out.append(s2 if s1 == 1 else s1)
    return tuple(out)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """torch.pdist: the condensed p-norm distances between the rows of a 2-D input."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input.contiguous(), p=float(p))

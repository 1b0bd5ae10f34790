"""Elementwise ops: arithmetic, comparisons, and math functions, each with its derivative."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs", "absolute", "exp",
    "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "atan2",
    "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "relu", "erf",
    "erfc", "sign", "sgn", "floor", "ceil", "round", "trunc", "frac", "clamp", "clip",
    "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where", "lerp",
    "addcmul", "addcdiv", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal",
    "less", "less_equal", "not_equal", "equal", "isnan", "isinf", "isfinite", "isposinf",
    "isneginf", "isclose", "allclose", "logical_and", "logical_or", "logical_xor",
    "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "nan_to_num",
    "masked_fill", "logaddexp", "hypot", "xlogy", "real", "imag", "conj", "angle",
    "heaviside", "signbit", "copysign",
]


def _is_int(a: Any) -> bool:
    return a.dtype.kind in "biu"


def _float_of(a: Any) -> Any:
    """Integer and bool inputs of float functions compute in the default float dtype."""
    if a.dtype.kind in "biu":
        return a.astype(_dtype.get_default_dtype().np)
    return a


def _promoted(a: Any, b: Any) -> tuple:
    """Cast two operands (arrays or Python numbers) to PyTorch's result dtype, where NumPy's
    own rules would give another one."""
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if da is not None and db is not None:
        if da == db:
            return a, b
        rt = _dtype.result_type(_Meta(a), _Meta(b)).np
        return (a if da == rt else a.astype(rt)), (b if db == rt else b.astype(rt))
    arr, num = (a, b) if da is not None else (b, a)
    kind = arr.dtype.kind
    if kind in "biu" and isinstance(num, float) or kind == "b" and isinstance(num, int) \
            and not isinstance(num, bool) or kind != "c" and isinstance(num, complex):
        rt = _dtype.result_type(_Meta(arr), num).np
        arr = arr.astype(rt)
        num = rt.type(num)
    elif kind in "iu" and isinstance(num, int) and not isinstance(num, bool):
        info = np.iinfo(arr.dtype)
        if not info.min <= num <= info.max:  # PyTorch wraps around; NumPy would raise
            num = np.array(num).astype(arr.dtype)
    return (arr, num) if da is not None else (num, arr)


class _Meta:
    """Just enough of a tensor for result_type: a dtype and a dimension count."""

    __slots__ = ("dtype", "ndim")

    def __init__(self, arr: Any) -> None:
        self.dtype, self.ndim = _dtype.from_numpy_dtype(arr.dtype), arr.ndim


def _broadcast_error(a: Any, b: Any) -> RuntimeError:
    sa, sb = np.shape(a), np.shape(b)
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if sa[i] != sb[i] and sa[i] != 1 and sb[i] != 1:
            return RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of tensor "
                                f"b ({sb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


def _check_broadcast(f: Any) -> Any:
    def forward(ctx: Any, xp: Any, a: Any, b: Any, **kw: Any) -> Any:
        a, b = _promoted(a, b)
        try:
            return f(ctx, xp, a, b, **kw)
        except ValueError:
            if np.ndim(a) and np.ndim(b) and np.shape(a) != np.shape(b):
                try:
                    np.broadcast_shapes(np.shape(a), np.shape(b))
                except ValueError:
                    raise _broadcast_error(a, b) from None
            raise
    forward.__signature__ = __import__("inspect").signature(f)
    return forward


# -- arithmetic ------------------------------------------------------------------------------

class Add(Op, name="AddBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b, *, alpha=1):
        ctx.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad):
        return grad if ctx.alpha == 1 else grad * ctx.alpha


class Sub(Op, name="SubBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b, *, alpha=1):
        ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad):
        return -grad if ctx.alpha == 1 else grad * -ctx.alpha


class Rsub(Op, name="RsubBackward1"):
    """``number - tensor``: the number is an attribute, so there is one edge, as in torch."""

    def forward(ctx, xp, a, *, other, alpha=1):
        a, other = _promoted(a, other)
        return other - a if alpha == 1 else other - alpha * a

    def grad_a(ctx, grad):
        return -grad


class Mul(Op, name="MulBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return a * b

    def grad_a(ctx, grad, b):
        return grad * b

    def grad_b(ctx, grad, a):
        return grad * a


class Div(Op, name="DivBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b, *, rounding_mode=None):
        if rounding_mode is None:
            if _is_int(np.asarray(a)) and _is_int(np.asarray(b)):
                a = _float_of(np.asarray(a))
            return xp.true_divide(a, b)
        ctx.not_differentiable = True
        q = xp.floor_divide(a, b) if rounding_mode == "floor" else xp.trunc(xp.true_divide(a, b))
        return q if _is_int(np.asarray(q)) or rounding_mode == "floor" else q

    def grad_a(ctx, grad, b):
        if getattr(ctx, "not_differentiable", False):
            return grad * 0
        return grad / b

    def grad_b(ctx, grad, a, b):
        if getattr(ctx, "not_differentiable", False):
            return grad * 0
        return -grad * a / (b * b)


class FloorDivide(Op, name="NotImplemented"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.floor_divide(a, b)

    def grad_a(ctx, grad):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented.")


class Remainder(Op, name="RemainderBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.remainder(a, b)

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad, a, b):
        return -grad * (a / b).floor()


class Fmod(Op, name="FmodBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.fmod(a, b)

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad, a, b):
        return -grad * (a / b).trunc()


class PowScalar(Op, name="PowBackward0"):
    """tensor ** number."""

    def forward(ctx, xp, a, *, exponent):
        if _is_int(a) and isinstance(exponent, float):
            a = _float_of(a)
        if _is_int(a) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        a, e = _promoted(a, exponent)
        ctx.exponent = exponent
        return a * a if exponent == 2 else xp.power(a, e)

    def grad_a(ctx, grad, a):
        e = ctx.exponent
        if e == 0:
            return grad * 0
        return grad * (e * a ** (e - 1)) if e != 2 else grad * (a * 2)


class Pow(Op, name="PowBackward1"):
    """tensor ** tensor."""

    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.power(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * (b * a ** (b - 1)).masked_fill(b == 0, 0)

    def grad_b(ctx, grad, a, result):
        # 0 ** b has derivative 0 in b (for b >= 0), where log(0) would give nan.
        return (grad * result * a.log()).masked_fill(a == 0, 0)


class RPow(Op, name="PowBackward2"):
    """number ** tensor."""

    def forward(ctx, xp, b, *, base):
        b, base_ = _promoted(b, base)
        ctx.base = base
        return xp.power(base_, b)

    def grad_b(ctx, grad, result):
        if ctx.base == 0:
            return grad * (result * 0)
        return grad * result * float(np.log(ctx.base))


# -- unary math ------------------------------------------------------------------------------

def _unary(name: str, np_name: str, formula: Any, *, needs: str = "a",
           float_only: bool = True) -> type:
    """A unary op whose derivative is ``grad * formula(a or result)``."""
    fn = getattr(np, np_name)

    if needs == "a":
        def grad_a(ctx, grad, a):
            return formula(grad, a)
    elif needs == "result":
        def grad_a(ctx, grad, result):
            return formula(grad, result)
    else:
        def grad_a(ctx, grad, a, result):
            return formula(grad, a, result)

    def forward(ctx, xp, a):
        return getattr(xp, np_name)(_float_of(a)) if float_only else fn(a)

    return type(name, (Op,), {"forward": forward, "grad_a": grad_a, "__module__": __name__},
                name=name)


Exp = _unary("ExpBackward0", "exp", lambda g, r: g * r, needs="result")
Exp2 = _unary("Exp2Backward0", "exp2", lambda g, r: g * r * float(np.log(2)), needs="result")
Expm1 = _unary("Expm1Backward0", "expm1", lambda g, r: g * (r + 1), needs="result")
Log = _unary("LogBackward0", "log", lambda g, a: g / a)
Log2 = _unary("Log2Backward0", "log2", lambda g, a: g / (a * float(np.log(2))))
Log10 = _unary("Log10Backward0", "log10", lambda g, a: g / (a * float(np.log(10))))
Log1p = _unary("Log1PBackward0", "log1p", lambda g, a: g / (a + 1))
Sqrt = _unary("SqrtBackward0", "sqrt", lambda g, r: g / (2 * r), needs="result")
Sin = _unary("SinBackward0", "sin", lambda g, a: g * a.cos())
Cos = _unary("CosBackward0", "cos", lambda g, a: g * -a.sin())
Tan = _unary("TanBackward0", "tan", lambda g, r: g * (1 + r * r), needs="result")
Asin = _unary("AsinBackward0", "arcsin", lambda g, a: g * (-a * a + 1).rsqrt())
Acos = _unary("AcosBackward0", "arccos", lambda g, a: g * -(-a * a + 1).rsqrt())
Atan = _unary("AtanBackward0", "arctan", lambda g, a: g / (a * a + 1))
Sinh = _unary("SinhBackward0", "sinh", lambda g, a: g * a.cosh())
Cosh = _unary("CoshBackward0", "cosh", lambda g, a: g * a.sinh())
Tanh = _unary("TanhBackward0", "tanh", lambda g, r: g * (1 - r * r), needs="result")
Asinh = _unary("AsinhBackward0", "arcsinh", lambda g, a: g * (a * a + 1).rsqrt())
Acosh = _unary("AcoshBackward0", "arccosh", lambda g, a: g * (a * a - 1).rsqrt())
Atanh = _unary("AtanhBackward0", "arctanh", lambda g, a: g / (1 - a * a))
class Neg(Op, name="NegBackward0"):
    def forward(ctx, xp, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -a

    def grad_a(ctx, grad):
        return -grad


class Rsqrt(Op, name="RsqrtBackward0"):
    def forward(ctx, xp, a):
        return 1 / xp.sqrt(_float_of(a))

    def grad_a(ctx, grad, result):
        return grad * (result ** 3) * -0.5


class Reciprocal(Op, name="ReciprocalBackward0"):
    def forward(ctx, xp, a):
        a = _float_of(a)
        return xp.reciprocal(a)

    def grad_a(ctx, grad, result):
        return grad * -(result * result)


class Sigmoid(Op, name="SigmoidBackward0"):
    def forward(ctx, xp, a):
        a = _float_of(a)
        # exp of a negative argument only, so large |a| neither overflows nor loses 1 - s.
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    def grad_a(ctx, grad, result):
        return grad * (result * (1 - result))


class Relu(Op, name="ReluBackward0"):
    def forward(ctx, xp, a):
        return xp.maximum(a, 0) if a.dtype.kind != "b" else a

    def grad_a(ctx, grad, result):
        return grad * (result > 0)


class Abs(Op, name="AbsBackward0"):
    def forward(ctx, xp, a):
        return xp.abs(a)

    def grad_a(ctx, grad, a):
        return grad * a.sgn()


class Erf(Op, name="ErfBackward0"):
    def forward(ctx, xp, a):
        from ._special import erf

        return erf(xp, _float_of(a))

    def grad_a(ctx, grad, a):
        return grad * (2 / float(np.sqrt(np.pi))) * (-a * a).exp()


class Erfc(Op, name="ErfcBackward0"):
    def forward(ctx, xp, a):
        from ._special import erf

        return 1 - erf(xp, _float_of(a))

    def grad_a(ctx, grad, a):
        return grad * (-2 / float(np.sqrt(np.pi))) * (-a * a).exp()


def _zero_grad_unary(name: str, np_name: str) -> type:
    """Piecewise-constant functions: defined everywhere with derivative zero."""

    def forward(ctx, xp, a):
        return getattr(xp, np_name)(a) if a.dtype.kind not in "biu" or np_name == "sign" \
            else a.copy()

    def grad_a(ctx, grad):
        return grad * 0

    return type(name, (Op,), {"forward": forward, "grad_a": grad_a, "__module__": __name__},
                name=name)


Sign = _zero_grad_unary("SignBackward0", "sign")
Floor = _zero_grad_unary("FloorBackward0", "floor")
Ceil = _zero_grad_unary("CeilBackward0", "ceil")
Trunc = _zero_grad_unary("TruncBackward0", "trunc")


class Sgn(Op, name="SgnBackward0"):
    def forward(ctx, xp, a):
        if a.dtype.kind == "c":
            m = xp.abs(a)
            return xp.where(m == 0, 0, a / xp.where(m == 0, 1, m)).astype(a.dtype)
        return xp.sign(a)

    def grad_a(ctx, grad):
        return grad * 0


class Round(Op, name="RoundBackward0"):
    def forward(ctx, xp, a, *, decimals=0):
        return xp.round(a, decimals) if a.dtype.kind not in "biu" else a.copy()

    def grad_a(ctx, grad):
        return grad * 0


class Frac(Op, name="FracBackward0"):
    def forward(ctx, xp, a):
        return a - xp.trunc(a)

    def grad_a(ctx, grad):
        return grad


class Clamp(Op, name="ClampBackward1"):
    """clamp with number bounds."""

    def forward(ctx, xp, a, *, min=None, max=None):  # noqa: A002
        ctx.min, ctx.max = min, max
        out = a
        if min is not None:
            out = xp.maximum(out, _promoted(a, min)[1])
        if max is not None:
            out = xp.minimum(out, _promoted(a, max)[1])
        if _is_int(a) and (isinstance(min, float) or isinstance(max, float)):
            out = out.astype(_dtype.get_default_dtype().np)
        return out if out is not a else a.copy()

    def grad_a(ctx, grad, a):
        lo, hi = ctx.min, ctx.max
        mask = (a >= lo) if lo is not None else None
        if hi is not None:
            mask = (a <= hi) if mask is None else mask & (a <= hi)
        return grad * mask if mask is not None else grad


class ClampTensor(Op, name="ClampBackward0"):
    """clamp with tensor bounds (either may be None)."""

    def forward(ctx, xp, a, lo, hi):
        out = a
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out

    def grad_a(ctx, grad, a, lo, hi):
        mask = None
        if lo is not None:
            mask = a >= lo
        if hi is not None:
            mask = (a <= hi) if mask is None else mask & (a <= hi)
        return grad * mask

    def grad_lo(ctx, grad, a, lo, hi):
        m = a < lo
        if hi is not None:
            m = m & (lo <= hi)
        return grad * m

    def grad_hi(ctx, grad, a, lo, hi):
        return grad * (a > hi) if lo is None else grad * ((a > hi) | (lo > hi))


class Maximum(Op, name="MaximumBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.maximum(a, b)

    # Ties split the gradient in half, as PyTorch does.
    def grad_a(ctx, grad, a, b):
        return grad * ((a > b) + (a == b) * 0.5)

    def grad_b(ctx, grad, a, b):
        return grad * ((b > a) + (a == b) * 0.5)


class Minimum(Op, name="MinimumBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.minimum(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * ((a < b) + (a == b) * 0.5)

    def grad_b(ctx, grad, a, b):
        return grad * ((b < a) + (a == b) * 0.5)


class Fmax(Op, name="FmaxBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.fmax(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * ((a >= b) | b.isnan())

    def grad_b(ctx, grad, a, b):
        return grad * ((a < b) | a.isnan())


class Fmin(Op, name="FminBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.fmin(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * ((a <= b) | b.isnan())

    def grad_b(ctx, grad, a, b):
        return grad * ((a > b) | a.isnan())


class Where(Op, name="WhereBackward0"):
    def forward(ctx, xp, cond, a, b):
        a, b = _promoted(a, b)
        if cond.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_dtype.from_numpy_dtype(cond.dtype)}")
        return xp.where(cond, a, b)

    def grad_a(ctx, grad, cond):
        return grad * cond

    def grad_b(ctx, grad, cond):
        return grad * ~cond


class Atan2(Op, name="Atan2Backward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.arctan2(_float_of(a), _float_of(b))

    def grad_a(ctx, grad, a, b):
        return grad * b / (a * a + b * b)

    def grad_b(ctx, grad, a, b):
        return grad * -a / (a * a + b * b)


class Lerp(Op, name="LerpBackward0"):
    def forward(ctx, xp, a, b, w):
        return a + w * (b - a)

    def grad_a(ctx, grad, w):
        return grad * (1 - w)

    def grad_b(ctx, grad, w):
        return grad * w

    def grad_w(ctx, grad, a, b):
        return grad * (b - a)


class MaskedFill(Op, name="MaskedFillBackward0"):
    def forward(ctx, xp, a, *, mask, value):
        if mask.dtype != np.bool_:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {_dtype.from_numpy_dtype(mask.dtype)}")
        ctx.mask = mask
        out = xp.where(mask, _promoted(a, value)[1], a)
        return out.astype(a.dtype, copy=False)

    def grad_a(ctx, grad):
        return grad.masked_fill(Tensor._make(ctx.mask), 0)


class MaskedFillTensor(Op, name="MaskedFillBackward1"):
    def forward(ctx, xp, a, value, *, mask):
        ctx.mask = mask
        return xp.where(mask, value, a).astype(a.dtype, copy=False)

    def grad_a(ctx, grad):
        return grad.masked_fill(Tensor._make(ctx.mask), 0)

    def grad_value(ctx, grad):
        return grad.masked_fill(~Tensor._make(ctx.mask), 0).sum()


class Logaddexp(Op, name="LogaddexpBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.logaddexp(a, b)

    def grad_a(ctx, grad, a, b):
        return grad / (1 + (b - a).exp())

    def grad_b(ctx, grad, a, b):
        return grad / (1 + (a - b).exp())


class Hypot(Op, name="HypotBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.hypot(a, b)

    def grad_a(ctx, grad, a, result):
        return grad * a / result

    def grad_b(ctx, grad, b, result):
        return grad * b / result


class Xlogy(Op, name="XlogyBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        a, b = _float_of(np.asarray(a)), _float_of(np.asarray(b))
        return xp.where(a == 0, xp.where(xp.isnan(b), b, 0), a * xp.log(xp.where(a == 0, 1, b)))

    def grad_a(ctx, grad, a, b):
        return grad * b.log().masked_fill((a == 0) & (b <= 0), 0)

    def grad_b(ctx, grad, a, b):
        return grad * a / b


class Copysign(Op, name="CopysignBackward0"):
    @_check_broadcast
    def forward(ctx, xp, a, b):
        return xp.copysign(_float_of(np.asarray(a)), b)

    def grad_a(ctx, grad, a, result):
        return grad * (result / a).masked_fill(a == 0, 0)


class Real(Op, name="RealBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        return a.real

    def grad_a(ctx, grad):
        return grad


class Imag(Op, name="ImagBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        return a.imag

    def grad_a(ctx, grad):
        return grad * 1j


class Conj(Op, name="ConjBackward0"):
    def forward(ctx, xp, a):
        return xp.conj(a)

    def grad_a(ctx, grad):
        return grad.conj()


class Angle(Op, name="AngleBackward0"):
    def forward(ctx, xp, a):
        return xp.angle(a).astype(_float_of(a).real.dtype) if a.dtype.kind == "c" else \
            xp.where(a < 0, np.pi, 0).astype(_float_of(a).dtype)

    def grad_a(ctx, grad):
        return grad * 0


class NanToNum(Op, name="NanToNumBackward0"):
    def forward(ctx, xp, a, *, nan=0.0, posinf=None, neginf=None):
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def grad_a(ctx, grad, a):
        return grad * a.isfinite()


# -- non-differentiable: comparisons and logic ----------------------------------------------

def _nondiff(fn: Any, a: Any, b: Any = None, unary: bool = False) -> Tensor:
    x = a._data if isinstance(a, Tensor) else a
    if unary:
        return Tensor._make(np.asarray(fn(x)))
    y = b._data if isinstance(b, Tensor) else b
    if isinstance(x, Tensor) or not hasattr(x, "dtype"):
        x = np.asarray(x)
    x, y = _promoted(x, y)
    try:
        out = fn(x, y)
    except ValueError:
        raise _broadcast_error(x, y) from None
    if not isinstance(out, np.ndarray):
        from .._device import array_module

        out = array_module(x).asarray(out)
    return Tensor._make(out)


def eq(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.eq."""
    return _nondiff(np.equal, input, other)


def ne(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.ne."""
    return _nondiff(np.not_equal, input, other)


def lt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.lt."""
    return _nondiff(np.less, input, other)


def le(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.le."""
    return _nondiff(np.less_equal, input, other)


def gt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.gt."""
    return _nondiff(np.greater, input, other)


def ge(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.ge."""
    return _nondiff(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """torch.equal: same shape and same values."""
    return input.shape == other.shape and bool((input._data == other._data).all())


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    """torch.isnan."""
    return _nondiff(np.isnan, input, unary=True)


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    """torch.isinf."""
    return _nondiff(np.isinf, input, unary=True)


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    """torch.isfinite."""
    return _nondiff(np.isfinite, input, unary=True)


def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    """torch.isposinf."""
    return _nondiff(np.isposinf, input, unary=True)


def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    """torch.isneginf."""
    return _nondiff(np.isneginf, input, unary=True)


def signbit(input: Tensor) -> Tensor:  # noqa: A002
    """torch.signbit."""
    return _nondiff(np.signbit, input, unary=True)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """torch.isclose."""
    return _nondiff(lambda x, y: np.isclose(x, y, rtol, atol, equal_nan), input, other)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """torch.allclose."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def logical_and(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.logical_and."""
    return _nondiff(np.logical_and, input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.logical_or."""
    return _nondiff(np.logical_or, input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.logical_xor."""
    return _nondiff(np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    """torch.logical_not."""
    return _nondiff(np.logical_not, input, unary=True)


def _bitwise(fn: Any, a: Any, b: Any) -> Tensor:
    for t in (a, b):
        if isinstance(t, Tensor) and t._data.dtype.kind in "fc":
            raise RuntimeError(f'"{fn.__name__}_cpu" not implemented for '
                               f"'{_type_word(t.dtype)}'")
    return _nondiff(fn, a, b)


def _type_word(d: _dtype.dtype) -> str:
    from .views import _type_word as tw

    return tw(d)


def bitwise_and(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.bitwise_and (``&``)."""
    return _bitwise(np.bitwise_and, input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.bitwise_or (``|``)."""
    return _bitwise(np.bitwise_or, input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.bitwise_xor (``^``)."""
    return _bitwise(np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    """torch.bitwise_not (``~``)."""
    if input._data.dtype.kind in "fc":
        raise TypeError("ufunc 'invert' not supported for the input types")
    return _nondiff(np.invert, input, unary=True)


# -- the functions users call ---------------------------------------------------------------

def _num(x: Any) -> Any:
    """A Python number stays a number (weak dtype); a 0-d NumPy scalar becomes one too."""
    return x.item() if isinstance(x, np.generic) else x


def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:  # noqa: A002
    """torch.add: input + alpha * other."""
    if not isinstance(input, Tensor):
        input, other = other, input  # noqa: A001  (number + tensor commutes)
    return _out(Add.apply(input, _num(other), alpha=alpha), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:  # noqa: A002
    """torch.sub: input - alpha * other."""
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    if input._data.dtype == np.bool_ and isinstance(other, Tensor) and \
            other._data.dtype == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    return _out(Sub.apply(input, _num(other), alpha=alpha), out)


subtract = sub


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """torch.rsub: other - alpha * input."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return Rsub.apply(input, other=_num(other), alpha=alpha)


def mul(input: Any, other: Any, *, out: Any = None) -> Tensor:  # noqa: A002
    """torch.mul."""
    if not isinstance(input, Tensor):
        input, other = other, input  # noqa: A001
    return _out(Mul.apply(input, _num(other)), out)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Tensor:  # noqa: A002
    """torch.div (true division unless rounding_mode is 'trunc' or 'floor')."""
    if not isinstance(input, Tensor):
        from .creation import tensor as _t

        input = _t(input, device=other.device)  # noqa: A001
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _out(Div.apply(input, _num(other), rounding_mode=rounding_mode), out)


divide = true_divide = div


def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """torch.floor_divide (``//``)."""
    return FloorDivide.apply(input, _num(other))


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """torch.remainder (``%``): the sign follows the divisor, like Python."""
    return Remainder.apply(input, _num(other))


def fmod(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.fmod: the sign follows the dividend, like C."""
    return Fmod.apply(input, _num(other))


def pow(input: Any, exponent: Any, *, out: Any = None) -> Tensor:  # noqa: A001,A002
    """torch.pow."""
    if not isinstance(input, Tensor):
        return _out(RPow.apply(exponent, base=_num(input)), out)
    if not isinstance(exponent, Tensor):
        return _out(PowScalar.apply(input, exponent=_num(exponent)), out)
    return _out(Pow.apply(input, exponent), out)


def square(input: Tensor) -> Tensor:  # noqa: A002
    """torch.square (PyTorch records it as pow(x, 2))."""
    return PowScalar.apply(input, exponent=2)


def neg(input: Tensor) -> Tensor:  # noqa: A002
    """torch.neg."""
    return Neg.apply(input)


negative = neg


def abs(input: Tensor) -> Tensor:  # noqa: A001,A002
    """torch.abs."""
    return Abs.apply(input)


absolute = abs


def _wrap_unary(cls: type, doc: str) -> Any:
    def f(input: Tensor, *, out: Any = None) -> Tensor:  # noqa: A002
        return _out(cls.apply(input), out)

    f.__doc__ = doc
    return f


exp = _wrap_unary(Exp, "torch.exp.")
exp2 = _wrap_unary(Exp2, "torch.exp2.")
expm1 = _wrap_unary(Expm1, "torch.expm1.")
log = _wrap_unary(Log, "torch.log.")
log2 = _wrap_unary(Log2, "torch.log2.")
log10 = _wrap_unary(Log10, "torch.log10.")
log1p = _wrap_unary(Log1p, "torch.log1p.")
sqrt = _wrap_unary(Sqrt, "torch.sqrt.")
rsqrt = _wrap_unary(Rsqrt, "torch.rsqrt.")
reciprocal = _wrap_unary(Reciprocal, "torch.reciprocal.")
sin = _wrap_unary(Sin, "torch.sin.")
cos = _wrap_unary(Cos, "torch.cos.")
tan = _wrap_unary(Tan, "torch.tan.")
asin = arcsin = _wrap_unary(Asin, "torch.asin.")
acos = arccos = _wrap_unary(Acos, "torch.acos.")
atan = arctan = _wrap_unary(Atan, "torch.atan.")
sinh = _wrap_unary(Sinh, "torch.sinh.")
cosh = _wrap_unary(Cosh, "torch.cosh.")
tanh = _wrap_unary(Tanh, "torch.tanh.")
asinh = _wrap_unary(Asinh, "torch.asinh.")
acosh = _wrap_unary(Acosh, "torch.acosh.")
atanh = _wrap_unary(Atanh, "torch.atanh.")
sigmoid = _wrap_unary(Sigmoid, "torch.sigmoid.")
relu = _wrap_unary(Relu, "torch.relu.")
erf = _wrap_unary(Erf, "torch.erf.")
erfc = _wrap_unary(Erfc, "torch.erfc.")
sign = _wrap_unary(Sign, "torch.sign.")
sgn = _wrap_unary(Sgn, "torch.sgn.")
floor = _wrap_unary(Floor, "torch.floor.")
ceil = _wrap_unary(Ceil, "torch.ceil.")
trunc = _wrap_unary(Trunc, "torch.trunc.")
frac = _wrap_unary(Frac, "torch.frac.")
conj = _wrap_unary(Conj, "torch.conj.")
angle = _wrap_unary(Angle, "torch.angle.")
real = _wrap_unary(Real, "torch.real.")
imag = _wrap_unary(Imag, "torch.imag.")


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001,A002
    """torch.round (half to even, as PyTorch)."""
    return Round.apply(input, decimals=decimals)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A001,A002
    """torch.clamp / clip."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return ClampTensor.apply(input, min, max)
    return Clamp.apply(input, min=_num(min), max=_num(max))


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    """torch.clamp_min."""
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    """torch.clamp_max."""
    return clamp(input, max=max)


def maximum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.maximum."""
    return Maximum.apply(input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.minimum."""
    return Minimum.apply(input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.fmax (NaN-ignoring maximum)."""
    return Fmax.apply(input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.fmin."""
    return Fmin.apply(input, other)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """torch.where(condition, input, other), or the indices of non-zeros with one argument."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    return Where.apply(condition, _num(input), _num(other))


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:  # noqa: A002
    """torch.lerp."""
    return Lerp.apply(input, end, _num(weight))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:  # noqa: A002
    """torch.addcmul: input + value * tensor1 * tensor2."""
    return input + value * tensor1 * tensor2 if value != 1 else input + tensor1 * tensor2


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:  # noqa: A002
    """torch.addcdiv: input + value * tensor1 / tensor2."""
    return input + value * (tensor1 / tensor2)


def atan2(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.atan2."""
    return Atan2.apply(input, other)


arctan2 = atan2


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    """torch.masked_fill: value where mask is True."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        if value.requires_grad:
            return MaskedFillTensor.apply(input, value, mask=mask._data)
        value = value.item()
    return MaskedFill.apply(input, mask=mask._data, value=value)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.logaddexp."""
    return Logaddexp.apply(input, other)


def hypot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.hypot."""
    return Hypot.apply(input, other)


def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """torch.xlogy: input * log(other), 0 where input is 0."""
    return Xlogy.apply(input, _num(other))


def copysign(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.copysign."""
    return Copysign.apply(input, _num(other))


def heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002
    """torch.heaviside (not differentiable)."""
    return Tensor._make(np.heaviside(input._data, values._data).astype(input._data.dtype))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """torch.nan_to_num."""
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return result
    out.copy_(result) if out.shape == result.shape else out.set_(result)
    return out

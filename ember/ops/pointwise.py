"""Elementwise ops: arithmetic, comparisons, and math functions, each with its derivative.

Type promotion follows PyTorch, not NumPy (see _dtype.py): every binary forward first casts
its operands with ``_promoted``. Where PyTorch records a different node for a Python-number
operand (``x % 2`` is RemainderBackward0, ``x % y`` RemainderBackward1), the number is an
attribute of its own op class, so that the node has PyTorch's name and edges.
"""

from __future__ import annotations

import cmath
import inspect
import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state
from ._op import Op
from ._ufuncs import clamp_scalar, masked

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs", "absolute", "exp",
    "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "atan2",
    "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "sigmoid", "relu", "erf", "erfc", "sign", "sgn", "floor", "ceil", "round",
    "trunc", "fix", "frac", "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum",
    "fmax", "fmin", "where", "lerp", "addcmul", "addcdiv", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "equal", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "isreal", "isclose", "allclose", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "nan_to_num", "masked_fill", "logaddexp", "hypot", "xlogy", "real", "imag",
    "conj", "angle", "heaviside", "signbit", "copysign", "positive",
]

_LN2, _LN10 = math.log(2.0), math.log(10.0)


# -- dtypes ----------------------------------------------------------------------------------

def _is_int(a: Any) -> bool:
    return a.dtype.kind in "biu"


def _float_of(a: Any) -> Any:
    """Integer and bool inputs of float functions compute in the default float dtype."""
    if a.dtype.kind in "biu":
        return a.astype(_dtype.get_default_dtype().np)
    return a


class _Meta:
    """Just enough of a tensor for result_type: a dtype and a dimension count."""

    __slots__ = ("dtype", "ndim")

    def __init__(self, arr: Any) -> None:
        self.dtype, self.ndim = _dtype.from_numpy_dtype(arr.dtype), arr.ndim


def _result_dtype(*operands: Any) -> _dtype.dtype:
    """PyTorch's result dtype of arrays and Python numbers."""
    return _dtype.result_type(*[_Meta(x) if hasattr(x, "dtype") else x for x in operands
                                if x is not None])


def _promoted(a: Any, b: Any) -> tuple:
    """Cast two operands (arrays or Python numbers) to PyTorch's result dtype, where NumPy's
    own rules would give another one."""
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if da is not None and db is not None:
        if da == db:
            return a, b
        rt = _dtype.result_type(_Meta(a), _Meta(b)).np
        return (a if da == rt else a.astype(rt)), (b if db == rt else b.astype(rt))
    if da is None and db is None:  # two numbers (where(c, 2, 3.5)): arrays of their type
        rt = _dtype.result_type(a, b).np
        return np.asarray(a, rt), np.asarray(b, rt)
    arr, num = (a, b) if da is not None else (b, a)
    kind = arr.dtype.kind
    if kind in "biu" and isinstance(num, float) or kind == "b" and isinstance(num, int) \
            and not isinstance(num, bool) or kind != "c" and isinstance(num, complex):
        rt = _dtype.result_type(_Meta(arr), num).np
        arr = arr.astype(rt)
        num = rt.type(num)
    elif kind == "V" and isinstance(num, (int, float)):
        num = arr.dtype.type(num)  # ml_dtypes' bfloat16 meets a Python number as float32
    elif kind in "iu" and isinstance(num, int) and not isinstance(num, bool):
        info = np.iinfo(arr.dtype)
        if not info.min <= num <= info.max:  # PyTorch wraps around; NumPy would raise
            num = np.array(num).astype(arr.dtype)
    return (arr, num) if da is not None else (num, arr)


def _promoted_float(a: Any, b: Any) -> tuple:
    """Operands of a function that is always computed in floating point (atan2, xlogy)."""
    a, b = _promoted(a, b)
    x = a if hasattr(a, "dtype") else b
    if x.dtype.kind in "biu":
        dt = _dtype.get_default_dtype().np
        a = a.astype(dt) if hasattr(a, "dtype") else a
        b = b.astype(dt) if hasattr(b, "dtype") else b
    return a, b


def _not_implemented(kernel: str, arr: Any) -> NotImplementedError:
    word = _dtype.from_numpy_dtype(arr.dtype).type_word
    return NotImplementedError(f'"{kernel}" not implemented for \'{word}\'')


def _reject(arr: Any, kinds: str, kernel: str) -> None:
    """PyTorch has no kernel for these dtype kinds ('b' bool, 'iu' integers)."""
    if arr.dtype.kind in kinds:
        raise _not_implemented(kernel, arr)


def _check_int_divisor(b: Any) -> None:
    """Integer division by zero is an error in PyTorch (NumPy would warn and give 0)."""
    if isinstance(b, (int, np.integer)):
        if b == 0:
            raise RuntimeError("ZeroDivisionError")
    elif b.dtype.kind in "biu" and not b.all():
        raise RuntimeError("ZeroDivisionError")


def _need_tensor(fn: str, value: Any, name: str = "other", pos: int = 2) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


# -- broadcasting ----------------------------------------------------------------------------

def _broadcast_error(*operands: Any) -> RuntimeError:
    """PyTorch's message for the first pair of shapes, folded left to right, that clash."""
    shape: tuple = ()
    for x in operands:
        sb = tuple(np.shape(x))
        n = max(len(shape), len(sb))
        sa, sb = (1,) * (n - len(shape)) + shape, (1,) * (n - len(sb)) + sb
        for i in range(n - 1, -1, -1):
            if sa[i] != sb[i] and sa[i] != 1 and sb[i] != 1:
                return RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of "
                                    f"tensor b ({sb[i]}) at non-singleton dimension {i}")
        shape = tuple(max(p, q) if p != 0 and q != 0 else 0 for p, q in zip(sa, sb))
    return RuntimeError(f"shapes {[list(np.shape(x)) for x in operands]} cannot be broadcast")


def _binary(f: Any) -> Any:
    """Wrap a binary forward: promote the operands and turn NumPy's broadcast error into
    PyTorch's."""

    def broadcast_error(a: Any, b: Any) -> None:
        try:
            np.broadcast_shapes(np.shape(a), np.shape(b))
        except ValueError:
            raise _broadcast_error(a, b) from None

    sig = inspect.signature(f)
    if any(p.kind is p.KEYWORD_ONLY for p in sig.parameters.values()):
        def forward(ctx: Any, xp: Any, a: Any, b: Any, **kw: Any) -> Any:
            if not (a.__class__ is np.ndarray is b.__class__ and a.dtype == b.dtype):
                a, b = _promoted(a, b)
            try:
                return f(ctx, xp, a, b, **kw)
            except ValueError:
                broadcast_error(a, b)
                raise
    else:  # no attributes: no **kw to pack and unpack on every call (the hottest ops)
        def forward(ctx: Any, xp: Any, a: Any, b: Any) -> Any:
            if not (a.__class__ is np.ndarray is b.__class__ and a.dtype == b.dtype):
                a, b = _promoted(a, b)
            try:
                return f(ctx, xp, a, b)
            except ValueError:
                broadcast_error(a, b)
                raise

    forward.__signature__ = sig
    return forward


def _quiet(f: Any) -> Any:
    """Silence NumPy's floating-point warnings in a forward that often meets its function's
    poles (log(0), 1 / 0, sqrt(-1)): PyTorch gives inf and nan quietly. (Not on every op:
    entering np.errstate costs about a microsecond.)"""

    def forward(ctx: Any, xp: Any, *args: Any, **kw: Any) -> Any:
        with np.errstate(all="ignore"):
            return f(ctx, xp, *args, **kw)

    forward.__signature__ = inspect.signature(f)
    return forward


def _zeros_like(grad: Tensor) -> Tensor:
    from .creation import zeros_like

    return zeros_like(grad)


class _NotDifferentiable(Op, name="NotImplemented"):
    """Base of ops PyTorch declares without a derivative (floor_divide, x % y for number x)."""

    aten = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._combined = ()  # the backward below, which saves nothing: it only raises

    def backward(ctx, grad):
        raise RuntimeError(f"derivative for aten::{ctx.aten} is not implemented")


# -- arithmetic ------------------------------------------------------------------------------

def _check_alpha(a: Any, b: Any, alpha: Any) -> None:
    if isinstance(alpha, float) and _result_dtype(a, b).category < 2:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


class Add(Op, name="AddBackward0"):
    @_binary
    def forward(ctx, xp, a, b, *, alpha=1):
        ctx.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad):
        return grad if ctx.alpha == 1 else grad * ctx.alpha


class Sub(Op, name="SubBackward0"):
    @_binary
    def forward(ctx, xp, a, b, *, alpha=1):
        ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad):
        return -grad if ctx.alpha == 1 else grad * -ctx.alpha


class Rsub(Op, name="RsubBackward0"):
    """torch.rsub(input, other) = other - alpha * input, both tensors."""

    @_binary
    def forward(ctx, xp, a, b, *, alpha=1):
        ctx.alpha = alpha
        return b - a if alpha == 1 else b - alpha * a

    def grad_a(ctx, grad):
        return -grad if ctx.alpha == 1 else grad * -ctx.alpha

    def grad_b(ctx, grad):
        return grad


class RsubScalar(Op, name="RsubBackward1"):
    """``number - tensor``: the number is an attribute, so there is one edge, as in torch."""

    def forward(ctx, xp, a, *, other, alpha=1):
        ctx.alpha = alpha
        a, other = _promoted(a, other)
        return other - a if alpha == 1 else other - alpha * a

    def grad_a(ctx, grad):
        return -grad if ctx.alpha == 1 else grad * -ctx.alpha


class Mul(Op, name="MulBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        return a * b

    # For complex inputs the gradient multiplies by the conjugate (PyTorch's convention).
    def grad_a(ctx, grad, b):
        return _times(grad, b)

    def grad_b(ctx, grad, a):
        return _times(grad, a)


def _times(grad: Tensor, x: Any) -> Tensor:
    """grad * conj(x), mul's gradient. A plain backward on real arrays of one dtype (most
    of them) multiplies the arrays directly: no graph is wanted, so no op is needed."""
    if not _grad_state.enabled and x.__class__ is Tensor:
        g, d = grad._data, x._data
        if g.dtype == d.dtype and g.dtype.kind == "f":
            return Tensor._make(g * d)
    return grad * _conj(x)


def _conj(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.conj() if x._data.dtype.kind == "c" else x
    return x.conjugate() if isinstance(x, complex) else x


class Div(Op, name="DivBackward0"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        if _is_int(a if hasattr(a, "dtype") else b):
            a, b = _promoted_float(a, b)
        return xp.true_divide(a, b)

    def grad_a(ctx, grad, b):
        return grad / _conj(b)

    def grad_b(ctx, grad, a, b):
        return -grad * _conj((a / b) / b)


class DivMode(Div, name="DivBackward2"):
    """div with an explicit ``rounding_mode=None``: PyTorch records another overload."""


class DivRounding(Op, name="DivBackward2"):
    """div with rounding_mode 'trunc' or 'floor': piecewise constant, so zero gradients."""

    @_binary
    @_quiet
    def forward(ctx, xp, a, b, *, rounding_mode):
        x = a if hasattr(a, "dtype") else b
        if _is_int(x):
            if x.dtype == np.bool_:
                raise _not_implemented(f"div_{rounding_mode}_cpu", x)
            _check_int_divisor(b)
            if rounding_mode == "floor":
                return xp.floor_divide(a, b)
            q = xp.floor_divide(a, b)  # integer trunc: floor, then fix the negative quotients
            return q + ((q < 0) & (q * b != a))
        if rounding_mode == "floor":
            return xp.floor_divide(a, b)
        return xp.trunc(xp.true_divide(a, b))

    def grad_a(ctx, grad):
        return _zeros_like(grad)

    def grad_b(ctx, grad):
        return _zeros_like(grad)


def _floor_divide(xp: Any, a: Any, b: Any) -> Any:
    x = a if hasattr(a, "dtype") else b
    if x.dtype == np.bool_:
        raise _not_implemented("div_floor_cpu", x)
    if x.dtype.kind in "iu":
        _check_int_divisor(b)
    return xp.floor_divide(a, b)


class FloorDivide(_NotDifferentiable, name="NotImplemented"):
    aten = "floor_divide"

    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        return _floor_divide(xp, a, b)


class FloorDivideScalar(_NotDifferentiable, name="NotImplemented"):
    """``tensor // number`` and ``number // tensor`` (one edge, as in torch)."""

    aten = "floor_divide"

    def forward(ctx, xp, a, *, other, reflected=False):
        a, other = _promoted(a, other)
        with np.errstate(all="ignore"):
            return _floor_divide(xp, other, a) if reflected else _floor_divide(xp, a, other)


def _remainder(xp: Any, a: Any, b: Any, fn: str) -> Any:
    x = a if hasattr(a, "dtype") else b
    if x.dtype == np.bool_:
        raise _not_implemented(f"{fn}_cpu", x)
    if x.dtype.kind in "iu":
        _check_int_divisor(b)
    return xp.remainder(a, b) if fn == "remainder" else xp.fmod(a, b)


class Remainder(Op, name="RemainderBackward1"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        return _remainder(xp, a, b, "remainder")

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad, a, b):
        return -grad * a.div(b, rounding_mode="floor")


class RemainderScalar(Op, name="RemainderBackward0"):
    def forward(ctx, xp, a, *, other):
        a, other = _promoted(a, other)
        with np.errstate(all="ignore"):
            return _remainder(xp, a, other, "remainder")

    def grad_a(ctx, grad):
        return grad


class RemainderReflected(_NotDifferentiable, name="NotImplemented"):
    """``number % tensor``: PyTorch has no derivative for this overload."""

    aten = "remainder"

    def forward(ctx, xp, b, *, other):
        b, other = _promoted(b, other)
        with np.errstate(all="ignore"):
            return _remainder(xp, other, b, "remainder")


class Fmod(Op, name="FmodBackward1"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        return _remainder(xp, a, b, "fmod")

    def grad_a(ctx, grad):
        return grad

    def grad_b(ctx, grad, a, b):
        return -grad * a.div(b, rounding_mode="trunc")


class FmodScalar(Op, name="FmodBackward0"):
    def forward(ctx, xp, a, *, other):
        a, other = _promoted(a, other)
        with np.errstate(all="ignore"):
            return _remainder(xp, a, other, "fmod")

    def grad_a(ctx, grad):
        return grad


def _int_power(xp: Any, a: Any, b: Any) -> Any:
    """Integer powers with PyTorch's answer for negative exponents: 1 ** -n = 1,
    (-1) ** -n = +-1, and 0 otherwise (NumPy refuses them)."""
    neg = b < 0
    if not xp.any(neg):
        return xp.power(a, b)
    out = xp.power(a, xp.where(neg, 0, b))
    odd = (b & 1).astype(bool)
    special = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, special, out).astype(out.dtype, copy=False)


class PowScalar(Op, name="PowBackward0"):
    """tensor ** number."""

    def forward(ctx, xp, a, *, exponent):
        ctx.exponent = exponent
        a, e = _promoted(a, exponent)
        if _is_int(a) and not isinstance(exponent, bool) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if exponent == 2:
            return a * a
        with np.errstate(all="ignore"):
            return xp.power(a, e)

    def grad_a(ctx, grad, a):
        e = ctx.exponent
        if e == 0:
            return _zeros_like(grad)
        a = _conj(a)
        return grad * (a * 2) if e == 2 else grad * (_conj(e) * a ** (_conj(e) - 1))


class Pow(Op, name="PowBackward1"):
    """tensor ** tensor."""

    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        return _int_power(xp, a, b) if a.dtype.kind in "iu" else xp.power(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * _conj(b * a ** (b - 1)).masked_fill(b == 0, 0)

    def grad_b(ctx, grad, a, b, result):
        # 0 ** b has derivative 0 in b (for b >= 0), where log(0) would give nan.
        if a._data.dtype.kind == "c" or b._data.dtype.kind == "c":
            return grad * _conj(result * a.log()).masked_fill(a == 0, 0)
        return grad * (result * a.log()).masked_fill((a == 0) & (b >= 0), 0)


class RPow(Op, name="PowBackward2"):
    """number ** tensor."""

    def forward(ctx, xp, b, *, base):
        ctx.base = base
        b, base_ = _promoted(b, base)
        if b.dtype.kind in "iu":
            return _int_power(xp, xp.asarray(base_, dtype=b.dtype), b)
        with np.errstate(all="ignore"):
            return xp.power(base_, b)

    def grad_b(ctx, grad, b, result):
        base = ctx.base
        if base == 0:  # d/db 0 ** b is 0 for b >= 0; PyTorch's formula, nan included
            return grad * (result * -math.inf).masked_fill(b >= 0, 0)
        if isinstance(base, complex) or result._data.dtype.kind == "c":
            return grad * _conj(result * cmath.log(base))
        log_base = math.log(base) if base > 0 else math.nan
        return grad * result * log_base


# -- unary math ------------------------------------------------------------------------------

def _unary(name: str, np_name: str, formula: Any, *, needs: str = "a",
           quiet: bool = True) -> type:
    """A float function (integer inputs give the default float dtype) whose derivative is
    ``formula(grad, a or result)``. ``quiet``: it has poles or overflows (see _quiet)."""

    # The formulas are f'(z) written with real coefficients, so f'(conj z) = conj(f'(z)):
    # fed the conjugate, they give PyTorch's complex gradient grad * conj(f'(z)).
    if needs == "a":
        def grad_a(ctx, grad, a):
            return formula(grad, _conj(a))
    else:
        def grad_a(ctx, grad, result):
            return formula(grad, _conj(result))

    def forward(ctx, xp, a):
        return getattr(xp, np_name)(_float_of(a))

    if quiet:
        forward = _quiet(forward)
    return type(name, (Op,), {"forward": forward, "grad_a": grad_a, "__module__": __name__},
                name=name)


Exp = _unary("ExpBackward0", "exp", lambda g, r: g * r, needs="result")
Exp2 = _unary("Exp2Backward0", "exp2", lambda g, r: g * r * _LN2, needs="result")
Expm1 = _unary("Expm1Backward0", "expm1", lambda g, r: g * (r + 1), needs="result")
Log = _unary("LogBackward0", "log", lambda g, a: g / a)
Log2 = _unary("Log2Backward0", "log2", lambda g, a: g / (a * _LN2))
Log10 = _unary("Log10Backward0", "log10", lambda g, a: g / (a * _LN10))
Log1p = _unary("Log1PBackward0", "log1p", lambda g, a: g / (a + 1))
Sqrt = _unary("SqrtBackward0", "sqrt", lambda g, r: g / (2 * r), needs="result")
Sin = _unary("SinBackward0", "sin", lambda g, a: g * a.cos())
Cos = _unary("CosBackward0", "cos", lambda g, a: g * -a.sin())
Tan = _unary("TanBackward0", "tan", lambda g, r: g * (1 + r * r), needs="result")
Asin = _unary("AsinBackward0", "arcsin", lambda g, a: g * (-a * a + 1).rsqrt())
Acos = _unary("AcosBackward0", "arccos", lambda g, a: g * -(-a * a + 1).rsqrt())
Atan = _unary("AtanBackward0", "arctan", lambda g, a: g / (a * a + 1), quiet=False)
Sinh = _unary("SinhBackward0", "sinh", lambda g, a: g * a.cosh())
Cosh = _unary("CoshBackward0", "cosh", lambda g, a: g * a.sinh())
Tanh = _unary("TanhBackward0", "tanh", lambda g, r: g * (1 - r * r), needs="result",
              quiet=False)
Asinh = _unary("AsinhBackward0", "arcsinh", lambda g, a: g * (a * a + 1).rsqrt(), quiet=False)
Acosh = _unary("AcoshBackward0", "arccosh", lambda g, a: g * (a * a - 1).rsqrt()
               if a._data.dtype.kind != "c"  # the branch cut of acosh, not of sqrt(z^2 - 1):
               else g / ((a - 1).sqrt() * (a + 1).sqrt()))
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
    @_quiet
    def forward(ctx, xp, a):
        a = _float_of(a)
        return xp.reciprocal(xp.sqrt(a))

    def grad_a(ctx, grad, result):
        return grad * (_conj(result) ** 3) * -0.5


class Reciprocal(Op, name="ReciprocalBackward0"):
    @_quiet
    def forward(ctx, xp, a):
        return xp.reciprocal(_float_of(a))

    def grad_a(ctx, grad, result):
        result = _conj(result)
        return grad * -(result * result)


class Sigmoid(Op, name="SigmoidBackward0"):
    def forward(ctx, xp, a):
        from ._special import expit

        if a.dtype.kind == "c":  # scipy's expit is real only
            with np.errstate(all="ignore"):
                return 1 / (1 + xp.exp(-a))
        return expit(xp, _float_of(a))

    def grad_a(ctx, grad, result):
        result = _conj(result)
        return grad * (result * (1 - result))


class Relu(Op, name="ReluBackward0"):
    def forward(ctx, xp, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return clamp_scalar(xp, a, a.dtype.type(0))

    def grad_a(ctx, grad, result):
        return ThresholdBackward.apply(grad, result)


class ThresholdBackward(Op, name="ThresholdBackwardBackward0"):
    """relu's gradient as its own op, as in PyTorch: it depends on the result (so it
    requires grad under create_graph) but only through a mask (zero second derivative)."""

    def forward(ctx, xp, grad, result):
        ctx.result = result
        # (relu's result is >= 0 or nan, so "not result <= 0" is "result != 0".)
        return masked(xp, grad, result != 0)

    def grad_grad(ctx, grad):
        return grad.masked_fill(Tensor._make(ctx.result <= 0), 0)

    def grad_result(ctx, grad):
        return _zeros_like(grad)


class Abs(Op, name="AbsBackward0"):
    def forward(ctx, xp, a):
        _reject(a, "b", "abs_cpu")
        return xp.abs(a)

    def grad_a(ctx, grad, a):
        return grad * a.sgn()


class Erf(Op, name="ErfBackward0"):
    def forward(ctx, xp, a):
        from ._special import erf

        return erf(xp, _float_of(a))

    def grad_a(ctx, grad, a):
        return grad * (2 / math.sqrt(math.pi)) * (-a * a).exp()


class Erfc(Op, name="ErfcBackward0"):
    def forward(ctx, xp, a):
        from ._special import erfc

        return erfc(xp, _float_of(a))

    def grad_a(ctx, grad, a):
        return grad * (-2 / math.sqrt(math.pi)) * (-a * a).exp()


def _rounding(name: str, np_name: str) -> type:
    """floor, ceil, trunc: integers pass through, bool has no kernel, derivative zero."""

    def forward(ctx, xp, a):
        _reject(a, "b", f"{np_name}_vml_cpu")
        return getattr(xp, np_name)(a) if a.dtype.kind == "f" else a.copy()

    def grad_a(ctx, grad):
        return _zeros_like(grad)

    return type(name, (Op,), {"forward": forward, "grad_a": grad_a, "__module__": __name__},
                name=name)


Floor = _rounding("FloorBackward0", "floor")
Ceil = _rounding("CeilBackward0", "ceil")
Trunc = _rounding("TruncBackward0", "trunc")


class Sign(Op, name="SignBackward0"):
    def forward(ctx, xp, a):
        if a.dtype.kind == "b":
            return a.copy()
        s = xp.sign(a)
        # PyTorch's sign(nan) is 0.
        return xp.nan_to_num(s, nan=0.0) if a.dtype.kind == "f" else s

    def grad_a(ctx, grad):
        return _zeros_like(grad)


class Sgn(Op, name="SgnBackward0"):
    def forward(ctx, xp, a):
        if a.dtype.kind == "c":
            m = xp.abs(a)
            return xp.where(m == 0, 0, a / xp.where(m == 0, 1, m)).astype(a.dtype)
        return Sign.forward(ctx, xp, a)

    def grad_a(ctx, grad, a, result):
        if a._data.dtype.kind != "c":
            return _zeros_like(grad)
        # Wirtinger: d sgn/dz = 1 / (2|z|), d sgn/dz* = -z^2 / (2|z|^3).
        m = a.abs()
        out = (grad - grad.conj() * result * result) / (2 * m)
        return out.masked_fill(m == 0, 0)


class Round(Op, name="RoundBackward0"):
    def forward(ctx, xp, a):
        _reject(a, "b", "round_vml_cpu")
        return xp.round(a) if a.dtype.kind == "f" else a.copy()

    def grad_a(ctx, grad):
        return _zeros_like(grad)


class RoundDecimals(Op, name="RoundBackward1"):
    def forward(ctx, xp, a, *, decimals):
        _reject(a, "biu", "round_cpu")
        # PyTorch scales, rounds half to even, and scales back (as NumPy does).
        return xp.round(a, decimals)

    def grad_a(ctx, grad):
        return _zeros_like(grad)


class Frac(Op, name="FracBackward0"):
    @_quiet
    def forward(ctx, xp, a):
        _reject(a, "biu", "frac_cpu")
        return a - xp.trunc(a)

    def grad_a(ctx, grad):
        return grad


def _fmax(a: Any) -> float:
    return float(np.finfo(a.dtype).max)


class Clamp(Op, name="ClampBackward1"):
    """clamp with number bounds."""

    def forward(ctx, xp, a, *, min=None, max=None):  # noqa: A002
        ctx.min, ctx.max = min, max
        if a.dtype.kind != "f" or isinstance(min, complex) or isinstance(max, complex):
            a = a.astype(_result_dtype(a, min, max).np, copy=False)  # clamp(int, 0.5) is float
        if a.dtype.kind == "f" and all(b is None or isinstance(b, (int, float)) and
                                       -_fmax(a) <= b <= _fmax(a) for b in (min, max)):
            return clamp_scalar(xp, a, min, max)  # the same values, NumPy's SIMD loop
        if min is not None and max is not None:
            # max(min(a, hi), lo): a bound that is nan gives nan, min > max gives max
            return xp.minimum(xp.maximum(a, _promoted(a, min)[1]), _promoted(a, max)[1])
        if min is not None:
            return xp.maximum(a, _promoted(a, min)[1])
        return xp.minimum(a, _promoted(a, max)[1])

    def grad_a(ctx, grad, a):
        lo, hi = ctx.min, ctx.max
        mask = (a >= lo) if lo is not None else None
        if hi is not None:
            mask = (a <= hi) if mask is None else mask & (a <= hi)
        return grad.masked_fill(~mask, 0)


class ClampMin(Clamp, name="ClampMinBackward0"):
    pass


class ClampMax(Clamp, name="ClampMaxBackward0"):
    pass


class ClampTensor(Op, name="ClampBackward0"):
    """clamp with tensor bounds (either may be None)."""

    def forward(ctx, xp, a, lo, hi):
        dt = _result_dtype(*[x for x in (a, lo, hi) if x is not None]).np
        out = a.astype(dt, copy=False)
        if lo is not None:
            out = xp.maximum(out, lo.astype(dt, copy=False))
        if hi is not None:
            out = xp.minimum(out, hi.astype(dt, copy=False))
        return out

    # PyTorch's clamp_backward and clamp_backward_min_max: when min > max the result is
    # max, so min gets no gradient there.
    def grad_a(ctx, grad, a, lo, hi):
        mask = None
        if lo is not None:
            mask = a >= lo
        if hi is not None:
            mask = (a <= hi) if mask is None else mask & (a <= hi)
        return grad.masked_fill(~mask, 0)

    def grad_lo(ctx, grad, a, lo, hi):
        m = a < lo
        if hi is not None:
            m = m & (lo < hi)
        return grad.masked_fill(~m, 0)

    def grad_hi(ctx, grad, a, lo, hi):
        m = a > hi if lo is None else (a > hi) | (hi < lo)
        return grad.masked_fill(~m, 0)


class ClampMinTensor(Op, name="ClampMinBackward1"):
    @_binary
    def forward(ctx, xp, a, lo):
        return xp.maximum(a, lo)

    def grad_a(ctx, grad, a, lo):
        return grad.masked_fill(a < lo, 0)

    def grad_lo(ctx, grad, a, lo):
        return grad.masked_fill(a >= lo, 0)


class ClampMaxTensor(Op, name="ClampMaxBackward1"):
    @_binary
    def forward(ctx, xp, a, hi):
        return xp.minimum(a, hi)

    def grad_a(ctx, grad, a, hi):
        return grad.masked_fill(a > hi, 0)

    def grad_hi(ctx, grad, a, hi):
        return grad.masked_fill(a <= hi, 0)


class Maximum(Op, name="MaximumBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        return xp.maximum(a, b)

    # Ties split the gradient in half, as PyTorch does.
    def grad_a(ctx, grad, a, b):
        return grad * ((a > b) + (a == b) * 0.5)

    def grad_b(ctx, grad, a, b):
        return grad * ((b > a) + (a == b) * 0.5)


class Minimum(Op, name="MinimumBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        return xp.minimum(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * ((a < b) + (a == b) * 0.5)

    def grad_b(ctx, grad, a, b):
        return grad * ((b < a) + (a == b) * 0.5)


class Fmax(Op, name="FmaxBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        return xp.fmax(a, b)

    def grad_a(ctx, grad, a, b):
        return grad.masked_fill(~((a >= b) | b.isnan()), 0)

    def grad_b(ctx, grad, a, b):
        return grad.masked_fill(~((a < b) | a.isnan()), 0)


class Fmin(Op, name="FminBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        return xp.fmin(a, b)

    def grad_a(ctx, grad, a, b):
        return grad.masked_fill(~((a <= b) | b.isnan()), 0)

    def grad_b(ctx, grad, a, b):
        return grad.masked_fill(~((a > b) | a.isnan()), 0)


class Where(Op, name="WhereBackward0"):
    """where(cond, a, b); the condition is an attribute: it has no edge in PyTorch either."""

    def forward(ctx, xp, a, b, *, cond):
        ctx.cond = cond
        a, b = _promoted(a, b)
        try:
            return xp.where(cond, a, b)
        except ValueError:
            raise _broadcast_error(cond, a, b) from None

    def grad_a(ctx, grad):
        return Where.apply(grad, 0.0, cond=ctx.cond)

    def grad_b(ctx, grad):
        return Where.apply(0.0, grad, cond=ctx.cond)


class Atan2(Op, name="Atan2Backward0"):
    @_binary
    def forward(ctx, xp, a, b):
        a, b = _promoted_float(a, b)
        return xp.arctan2(a, b)

    def grad_a(ctx, grad, a, b):
        return grad * b / (a * a + b * b)

    def grad_b(ctx, grad, a, b):
        return grad * -a / (a * a + b * b)


class Lerp(Op, name="LerpBackward1"):
    """lerp with a tensor weight."""

    def forward(ctx, xp, a, b, w):
        return a + w.astype(a.dtype, copy=False) * (b - a)

    def grad_a(ctx, grad, w):
        return grad * (1 - w)

    def grad_b(ctx, grad, w):
        return grad * w

    def grad_w(ctx, grad, a, b):
        return grad * (b - a)


class LerpScalar(Op, name="LerpBackward0"):
    def forward(ctx, xp, a, b, *, weight):
        ctx.weight = weight
        return a + a.dtype.type(weight) * (b - a)

    def grad_a(ctx, grad):
        return grad * (1 - ctx.weight)

    def grad_b(ctx, grad):
        return grad * ctx.weight


class Addcmul(Op, name="AddcmulBackward0"):
    def forward(ctx, xp, a, t1, t2, *, value):
        ctx.value = value
        dt = _result_dtype(a, t1, t2).np
        prod = t1.astype(dt, copy=False) * t2.astype(dt, copy=False)
        return a.astype(dt, copy=False) + (prod if value == 1 else dt.type(value) * prod)

    def grad_a(ctx, grad):
        return grad

    def grad_t1(ctx, grad, t2):
        return grad * t2 * ctx.value

    def grad_t2(ctx, grad, t1):
        return grad * t1 * ctx.value


class Addcdiv(Op, name="AddcdivBackward0"):
    def forward(ctx, xp, a, t1, t2, *, value):
        if _is_int(t1) and _is_int(t2):
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  "
                "release addcdiv will perform a true division of tensor1 and tensor2. The "
                "historic addcdiv behavior can be implemented as (input + value * "
                "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
                "behavior is just the latter implementation: (input + value * tensor1 / "
                "tensor2), for all dtypes.")
        ctx.value = value
        dt = _result_dtype(a, t1, t2).np
        with np.errstate(all="ignore"):
            q = t1.astype(dt, copy=False) / t2.astype(dt, copy=False)
        return a.astype(dt, copy=False) + (q if value == 1 else dt.type(value) * q)

    def grad_a(ctx, grad):
        return grad

    def grad_t1(ctx, grad, t2):
        return grad * ctx.value / t2

    def grad_t2(ctx, grad, t1, t2):
        return -grad * ctx.value * t1 / (t2 * t2)


def _mask_array(mask: Tensor) -> Any:
    arr = mask._data
    if arr.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_dtype.from_numpy_dtype(arr.dtype).cpp_name}")
    return arr


def _masked_where(xp: Any, mask: Any, value: Any, a: Any) -> Any:
    try:
        return xp.where(mask, value, a).astype(a.dtype, copy=False)
    except ValueError:
        raise _broadcast_error(mask, a) from None


class MaskedFill(Op, name="MaskedFillBackward0"):
    def forward(ctx, xp, a, *, mask, value):
        ctx.mask = mask
        return _masked_where(xp, mask, _promoted(a, value)[1], a)

    def grad_a(ctx, grad):
        return grad.masked_fill(Tensor._make(ctx.mask), 0)


class MaskedFillTensor(Op, name="MaskedFillBackward1"):
    def forward(ctx, xp, a, value, *, mask):
        ctx.mask = mask
        return _masked_where(xp, mask, value.astype(a.dtype, copy=False), a)

    def grad_a(ctx, grad):
        return grad.masked_fill(Tensor._make(ctx.mask), 0)

    def grad_value(ctx, grad):
        return grad.masked_fill(~Tensor._make(ctx.mask), 0).sum()


class Logaddexp(Op, name="LogaddexpBackward0"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        _reject(a, "biu", "logaddexp_cpu")
        return xp.logaddexp(a, b)

    def grad_a(ctx, grad, a, b):
        return grad / (1 + (b - a).exp())

    def grad_b(ctx, grad, a, b):
        return grad / (1 + (a - b).exp())


class Hypot(Op, name="HypotBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        _reject(a, "biu", "hypot_cpu")
        return xp.hypot(a, b)

    def grad_a(ctx, grad, a, result):
        return grad * a / result

    def grad_b(ctx, grad, b, result):
        return grad * b / result


def _xlogy(xp: Any, a: Any, b: Any) -> Any:
    # 0 * log(y) is 0 (even for y = 0 or inf), but nan stays nan.
    return xp.where(a == 0, xp.where(xp.isnan(b), b, 0), a * xp.log(xp.where(a == 0, 1, b)))


class Xlogy(Op, name="XlogyBackward0"):
    @_binary
    @_quiet
    def forward(ctx, xp, a, b):
        a, b = _promoted_float(a, b)
        return _xlogy(xp, a, b)

    def grad_a(ctx, grad, a, b):
        return xlogy(grad, b).masked_fill((a == 0) & (b <= 0), 0)

    def grad_b(ctx, grad, a, b):
        return grad * a / b


class XlogyScalarSelf(Op, name="XlogyBackward1"):
    """xlogy(number, tensor)."""

    def forward(ctx, xp, b, *, self_):
        ctx.self_ = self_
        b, a = _promoted_float(b, self_)
        with np.errstate(all="ignore"):
            return _xlogy(xp, xp.asarray(a, b.dtype), b)

    def grad_b(ctx, grad, b):
        return grad * ctx.self_ / b


class XlogyScalarOther(Op, name="XlogyBackward2"):
    """xlogy(tensor, number)."""

    def forward(ctx, xp, a, *, other):
        ctx.other = other
        a, b = _promoted_float(a, other)
        with np.errstate(all="ignore"):
            return _xlogy(xp, a, xp.asarray(b, a.dtype))

    def grad_a(ctx, grad, a):
        other = ctx.other
        if other > 0:
            return grad * math.log(other)
        # log(0) = -inf and log(negative or nan) = nan, except where a is 0 (PyTorch's rule)
        return grad * Where.apply(-math.inf if other == 0 else math.nan, 0.0,
                                  cond=(a != 0)._data)


class Copysign(Op, name="CopysignBackward0"):
    @_binary
    def forward(ctx, xp, a, b):
        a, b = _promoted_float(a, b)
        return xp.copysign(a, b)

    def grad_a(ctx, grad, a, result):
        return grad * (result / a).masked_fill(a == 0, 0)

    def grad_b(ctx, grad):
        return _zeros_like(grad)


class CopysignScalar(Op, name="CopysignBackward1"):
    def forward(ctx, xp, a, *, other):
        a, b = _promoted_float(a, other)
        return xp.copysign(a, b)

    def grad_a(ctx, grad, a, result):
        return grad * (result / a).masked_fill(a == 0, 0)


class Conj(Op, name="ConjBackward0"):
    def forward(ctx, xp, a):
        return xp.conj(a)

    def grad_a(ctx, grad):
        return grad.conj()


class Real(Op, name="SelectBackward0"):
    """x.real: torch computes it as view_as_real(x).select(-1, 0), hence the node name."""

    is_view = True

    def forward(ctx, xp, a):
        return a.real

    def grad_a(ctx, grad):
        return grad


class Imag(Op, name="SelectBackward0"):
    """x.imag: view_as_real(x).select(-1, 1) in torch."""

    is_view = True

    def forward(ctx, xp, a):
        return a.imag

    def grad_a(ctx, grad):
        return grad * 1j


class Angle(Op, name="AngleBackward0"):
    def forward(ctx, xp, a):
        if a.dtype.kind == "c":
            return xp.angle(a)
        a = _float_of(a)
        # pi for negative numbers, 0 for the rest (-0.0 included), nan for nan.
        return xp.where(a < 0, np.pi, xp.where(a == a, 0, a)).astype(a.dtype, copy=False)

    def grad_a(ctx, grad, a):
        if a._data.dtype.kind != "c":
            return _zeros_like(grad)
        # d angle = Im(dz / z): the gradient is grad * i z / |z|^2 (0 at z = 0).
        m2 = (a * a.conj()).real
        return (grad * a * 1j / m2).masked_fill(m2 == 0, 0)


class NanToNum(Op, name="NanToNumBackward0"):
    def forward(ctx, xp, a, *, nan=0.0, posinf=None, neginf=None):
        if a.dtype.kind != "f":
            return a.copy()
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def grad_a(ctx, grad, a):
        return grad * a.isfinite()


# -- non-differentiable: comparisons and logic ----------------------------------------------

_COMPARABLE = (Tensor, int, float, bool, complex, np.ndarray, np.generic)


def _nondiff(fn: Any, a: Any, b: Any = None, unary: bool = False) -> Tensor:
    x = a._data if isinstance(a, Tensor) else a
    if unary:
        return Tensor._make(np.asarray(fn(x)) if x.__class__ is np.ndarray else fn(x))
    y = b._data if isinstance(b, Tensor) else b
    if not hasattr(x, "dtype"):
        x = np.asarray(x)
    x, y = _promoted(x, y)
    try:
        out = fn(x, y)
    except ValueError:
        raise _broadcast_error(x, y) from None
    if out.__class__ is not np.ndarray:
        from .._device import array_module

        out = array_module(x).asarray(out)
    return Tensor._make(out)


def _compare(fn: Any, input: Any, other: Any) -> Any:  # noqa: A002
    if not isinstance(other, _COMPARABLE):
        # x == None is False and x < None a TypeError, as in PyTorch (Python decides).
        return NotImplemented
    return _nondiff(fn, input, other)


def eq(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.eq (``==``)."""
    return _compare(np.equal, input, other)


def ne(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.ne (``!=``)."""
    return _compare(np.not_equal, input, other)


def lt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.lt (``<``)."""
    return _compare(np.less, input, other)


def le(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.le (``<=``)."""
    return _compare(np.less_equal, input, other)


def gt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.gt (``>``)."""
    return _compare(np.greater, input, other)


def ge(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.ge (``>=``)."""
    return _compare(np.greater_equal, input, other)


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


def isreal(input: Tensor) -> Tensor:  # noqa: A002
    """torch.isreal: True where the imaginary part is zero."""
    return _nondiff(np.isreal, input, unary=True)


def signbit(input: Tensor) -> Tensor:  # noqa: A002
    """torch.signbit."""
    return _nondiff(np.signbit, input, unary=True)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """torch.isclose."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype.type_word} did not match {other.dtype.type_word}")
    if input.dtype is _dtype.bool:
        return eq(input, other)
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


def _bitwise(fn: Any, name: str, a: Any, b: Any) -> Tensor:
    x = a._data if isinstance(a, Tensor) else np.asarray(a)
    y = b._data if isinstance(b, Tensor) else b
    dt = _result_dtype(x, y)
    if dt.category > 1:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{dt.type_word}\'')
    return _nondiff(fn, a, b)


def bitwise_and(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.bitwise_and (``&``)."""
    return _bitwise(np.bitwise_and, "bitwise_and", input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.bitwise_or (``|``)."""
    return _bitwise(np.bitwise_or, "bitwise_or", input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.bitwise_xor (``^``)."""
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    """torch.bitwise_not (``~``)."""
    _reject(input._data, "fc", "bitwise_not_cpu")
    return _nondiff(np.invert, input, unary=True)


def heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002
    """torch.heaviside (PyTorch has no derivative for it)."""
    _need_tensor("heaviside", values, "values")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    return Heaviside.apply(input, values)


class Heaviside(_NotDifferentiable, name="NotImplemented"):
    aten = "heaviside"

    @_binary
    def forward(ctx, xp, a, b):
        return xp.where(a == 0, b, (a > 0).astype(a.dtype))


# -- the functions users call ---------------------------------------------------------------

def _num(x: Any) -> Any:
    """A Python number stays a number (weak dtype); a NumPy scalar becomes one too."""
    return x.item() if isinstance(x, np.generic) else x


def _arr(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:  # noqa: A002
    """torch.add: input + alpha * other."""
    input, other = _num(input), _num(other)  # noqa: A001
    if alpha != 1:
        _check_alpha(_arr(input), _arr(other), alpha)
    return _out(Add.apply(input, other, alpha=alpha), out, "add")


def _operator(op: type) -> Any:
    """``t + x``, ``t * x``, ``t / x``: the op without the function's keyword handling, since
    operators are the hottest path of user code."""

    def method(self: Tensor, other: Any) -> Tensor:
        return op.apply(self, other if isinstance(other, Tensor) else _num(other))

    return method


def _check_bool_sub(input: Any, other: Any) -> None:
    a_bool = isinstance(input, Tensor) and input._data.dtype == np.bool_ or \
        isinstance(input, bool)
    b_bool = isinstance(other, Tensor) and other._data.dtype == np.bool_ or \
        isinstance(other, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _any_bool(a: Any, b: Any) -> bool:
    return any(isinstance(x, bool) or isinstance(x, Tensor) and x._data.dtype == np.bool_
               for x in (a, b))


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:  # noqa: A002
    """torch.sub: input - alpha * other."""
    input, other = _num(input), _num(other)  # noqa: A001
    if _any_bool(input, other):
        _check_bool_sub(input, other)
    if alpha != 1:
        _check_alpha(_arr(input), _arr(other), alpha)
    return _out(Sub.apply(input, other, alpha=alpha), out, "sub")


subtract = sub


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """torch.rsub: other - alpha * input."""
    other = _num(other)
    if _any_bool(input, other):
        _check_bool_sub(input, other)
    if isinstance(other, Tensor):
        return Rsub.apply(input, other, alpha=alpha)
    return RsubScalar.apply(input, other=other, alpha=alpha)


def mul(input: Any, other: Any, *, out: Any = None) -> Tensor:  # noqa: A002
    """torch.mul."""
    return _out(Mul.apply(_num(input), _num(other)), out, "mul")


multiply = mul


_UNSET: Any = object()


def div(input: Any, other: Any, *, rounding_mode: str | None = _UNSET,  # noqa: A002
        out: Any = None) -> Tensor:
    """torch.div (true division unless rounding_mode is 'trunc' or 'floor')."""
    input, other = _num(input), _num(other)  # noqa: A001
    if rounding_mode is _UNSET:
        return _out(Div.apply(input, other), out, "div")
    if rounding_mode is None:  # the same math, recorded as PyTorch's other overload
        return _out(DivMode.apply(input, other), out, "div")
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _out(DivRounding.apply(input, other, rounding_mode=rounding_mode), out, "div")


divide = true_divide = div


def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """torch.floor_divide (``//``): rounds toward minus infinity."""
    other = _num(other)
    if isinstance(other, Tensor):
        if isinstance(input, Tensor):
            return FloorDivide.apply(input, other)
        return FloorDivideScalar.apply(other, other=_num(input), reflected=True)
    return FloorDivideScalar.apply(input, other=other)


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """torch.remainder (``%``): the sign follows the divisor, like Python."""
    other = _num(other)
    if not isinstance(input, Tensor):
        return RemainderReflected.apply(other, other=_num(input))
    if isinstance(other, Tensor):
        return Remainder.apply(input, other)
    return RemainderScalar.apply(input, other=other)


def fmod(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.fmod: the sign follows the dividend, like C."""
    other = _num(other)
    if isinstance(other, Tensor):
        return Fmod.apply(input, other)
    return FmodScalar.apply(input, other=other)


def pow(input: Any, exponent: Any, *, out: Any = None) -> Tensor:  # noqa: A001,A002
    """torch.pow."""
    if not isinstance(input, Tensor):
        return _out(RPow.apply(exponent, base=_num(input)), out, "pow")
    if not isinstance(exponent, Tensor):
        return _out(PowScalar.apply(input, exponent=_num(exponent)), out, "pow")
    return _out(Pow.apply(input, exponent), out, "pow")


def square(input: Tensor) -> Tensor:  # noqa: A002
    """torch.square (PyTorch records it as pow(x, 2))."""
    return PowScalar.apply(input, exponent=2)


def neg(input: Tensor) -> Tensor:  # noqa: A002
    """torch.neg."""
    return Neg.apply(input)


negative = neg


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """torch.positive: the input itself."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def abs(input: Tensor) -> Tensor:  # noqa: A001,A002
    """torch.abs."""
    return Abs.apply(input)


absolute = abs


def _wrap_unary(cls: type, name: str) -> Any:
    def f(input: Tensor, *, out: Any = None) -> Tensor:  # noqa: A002
        return _out(cls.apply(input), out, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"torch.{name}."
    return f


exp = _wrap_unary(Exp, "exp")
exp2 = _wrap_unary(Exp2, "exp2")
expm1 = _wrap_unary(Expm1, "expm1")
log = _wrap_unary(Log, "log")
log2 = _wrap_unary(Log2, "log2")
log10 = _wrap_unary(Log10, "log10")
log1p = _wrap_unary(Log1p, "log1p")
sqrt = _wrap_unary(Sqrt, "sqrt")
rsqrt = _wrap_unary(Rsqrt, "rsqrt")
reciprocal = _wrap_unary(Reciprocal, "reciprocal")
sin = _wrap_unary(Sin, "sin")
cos = _wrap_unary(Cos, "cos")
tan = _wrap_unary(Tan, "tan")
asin = arcsin = _wrap_unary(Asin, "asin")
acos = arccos = _wrap_unary(Acos, "acos")
atan = arctan = _wrap_unary(Atan, "atan")
sinh = _wrap_unary(Sinh, "sinh")
cosh = _wrap_unary(Cosh, "cosh")
tanh = _wrap_unary(Tanh, "tanh")
asinh = arcsinh = _wrap_unary(Asinh, "asinh")
acosh = arccosh = _wrap_unary(Acosh, "acosh")
atanh = arctanh = _wrap_unary(Atanh, "atanh")
sigmoid = _wrap_unary(Sigmoid, "sigmoid")
relu = _wrap_unary(Relu, "relu")
erf = _wrap_unary(Erf, "erf")
erfc = _wrap_unary(Erfc, "erfc")
sign = _wrap_unary(Sign, "sign")
sgn = _wrap_unary(Sgn, "sgn")
floor = _wrap_unary(Floor, "floor")
ceil = _wrap_unary(Ceil, "ceil")
trunc = fix = _wrap_unary(Trunc, "trunc")
frac = _wrap_unary(Frac, "frac")
angle = _wrap_unary(Angle, "angle")


def conj(input: Tensor) -> Tensor:  # noqa: A002
    """torch.conj: the input itself for real tensors."""
    return Conj.apply(input) if input._data.dtype.kind == "c" else input


def real(input: Tensor) -> Tensor:  # noqa: A002
    """torch.real: the input itself for real tensors."""
    return Real.apply(input) if input._data.dtype.kind == "c" else input


def imag(input: Tensor) -> Tensor:  # noqa: A002
    """torch.imag (complex tensors only)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001,A002
    """torch.round (half to even, as PyTorch)."""
    if decimals == 0:
        return Round.apply(input)
    return RoundDecimals.apply(input, decimals=decimals)


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
    if isinstance(min, Tensor):
        return ClampMinTensor.apply(input, min)
    return ClampMin.apply(input, min=_num(min))


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    """torch.clamp_max."""
    if isinstance(max, Tensor):
        return ClampMaxTensor.apply(input, max)
    return ClampMax.apply(input, max=_num(max))


def maximum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.maximum (ties share the gradient)."""
    _need_tensor("maximum", other)
    return Maximum.apply(input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.minimum."""
    _need_tensor("minimum", other)
    return Minimum.apply(input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.fmax (NaN-ignoring maximum)."""
    _need_tensor("fmax", other)
    return Fmax.apply(input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.fmin (NaN-ignoring minimum)."""
    _need_tensor("fmin", other)
    return Fmin.apply(input, other)


_UINT8_WHERE = ("where received a uint8 condition tensor. This behavior is deprecated and will "
                "be removed in a future version of PyTorch. Use a boolean condition instead. "
                "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                "TensorCompare.cpp:621.)")


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """torch.where(condition, input, other), or the indices of non-zeros with one argument."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    cond = condition._data
    if cond.dtype != np.bool_:
        if cond.dtype != np.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {condition.dtype.type_word}")
        warnings.warn(_UINT8_WHERE, UserWarning, stacklevel=2)
        cond = cond.astype(np.bool_)
    input, other = _num(input), _num(other)  # noqa: A001
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from .._device import array_module

        a, b = _promoted(input, other)
        return Tensor._make(array_module(cond).where(cond, a, b))
    return Where.apply(input, other, cond=cond)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:  # noqa: A002
    """torch.lerp: input + weight * (end - input)."""
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype is not input.dtype and (t.ndim or name == "end"):
            raise RuntimeError(f"expected dtype {input.dtype.cpp_name} for `{name}` but got "
                               f"dtype {t.dtype.cpp_name}")
    _reject(input._data, "biu", "lerp_kernel_scalar")
    if isinstance(weight, Tensor):
        return Lerp.apply(input, end, weight)
    return LerpScalar.apply(input, end, weight=_num(weight))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:  # noqa: A002
    """torch.addcmul: input + value * tensor1 * tensor2."""
    return Addcmul.apply(input, tensor1, tensor2, value=_num(value))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:  # noqa: A002
    """torch.addcdiv: input + value * tensor1 / tensor2."""
    return Addcdiv.apply(input, tensor1, tensor2, value=_num(value))


def atan2(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.atan2."""
    _need_tensor("atan2", other)
    return Atan2.apply(input, other)


arctan2 = atan2


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    """torch.masked_fill: value where mask is True."""
    m = _mask_array(mask)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        return MaskedFillTensor.apply(input, value, mask=m)
    return MaskedFill.apply(input, mask=m, value=_num(value))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.logaddexp."""
    _need_tensor("logaddexp", other)
    return Logaddexp.apply(input, other)


def hypot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """torch.hypot."""
    _need_tensor("hypot", other)
    return Hypot.apply(input, other)


def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """torch.xlogy: input * log(other), 0 where input is 0."""
    input, other = _num(input), _num(other)  # noqa: A001
    if not isinstance(input, Tensor):
        return XlogyScalarSelf.apply(other, self_=input)
    if not isinstance(other, Tensor):
        return XlogyScalarOther.apply(input, other=other)
    return Xlogy.apply(input, other)


def copysign(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """torch.copysign."""
    other = _num(other)
    if isinstance(other, Tensor):
        return Copysign.apply(input, other)
    return CopysignScalar.apply(input, other=other)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """torch.nan_to_num."""
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


_RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {}, which does not "
    "match the required output shape {}. This behavior is deprecated, and in a future PyTorch "
    "release outputs will not be resized unless they have zero elements. You can explicitly "
    "reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0). "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)")


def _out(result: Tensor, out: Tensor | None, name: str) -> Tensor:
    """Write ``result`` into ``out=`` as PyTorch does: no autograd, a safe cast, and a resize
    (with a warning unless ``out`` was empty) when the shapes differ."""
    if out is None:
        return result
    from ..autograd import grad_mode

    if result.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    src, dst = result.dtype, out.dtype
    if src.category > dst.category:
        raise RuntimeError(f"result type {src.type_word} can't be cast to the desired output "
                           f"type {dst.type_word}")
    arr = result._data
    if out._data.shape == arr.shape:
        out._data[...] = arr
    else:
        if out._data.size:
            warnings.warn(_RESIZE_WARNING.format(list(out.shape), list(result.shape)),
                          UserWarning, stacklevel=3)
        out._data = arr.astype(dst.np, copy=False)  # a fresh result: no need to copy
    out._vc[0] += 1
    return out

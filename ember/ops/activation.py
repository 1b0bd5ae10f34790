"""Activations: softmax and log_softmax, the ReLU family, GELU, SiLU, softplus, GLU, PReLU...

Each is one node with PyTorch's name. The gradient of a piecewise-linear function is
``grad`` times a constant slope array, recorded (under create_graph) as its own node that
depends on the input with a zero derivative, as PyTorch's ``LeakyReluBackwardBackward0``;
smooth derivatives are written with ember ops so that double backward works. In-place
variants whose PyTorch backward reads the result (``elu_`` -> ``EluBackward1``) are their
own op classes.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ._op import Op
from ._ufuncs import clamp_scalar, masked
from .views import apply_inplace

__all__ = ["softmax", "log_softmax", "hardshrink", "prelu", "selu", "selu_", "celu", "celu_",
           "threshold", "threshold_", "rrelu", "rrelu_"]
__methods__ = ["softmax", "log_softmax", "hardshrink", "prelu"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _array_module(arr: Any) -> Any:
    from .._device import array_module

    return array_module(arr)


def _word(a: Any) -> str:
    from .views import _type_word

    return _type_word(_dtype.from_numpy_dtype(a.dtype))


def _floating(a: Any, kernel: str) -> None:
    """PyTorch's float-only kernels refuse integer and bool tensors."""
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_word(a)}\'')


def _const(arr: Any) -> Tensor:
    """A constant tensor (no history): the mask a piecewise derivative multiplies by."""
    return Tensor._make(arr)


class _SlopeGrad(Op):
    """grad * slope for a piecewise-linear function, as its own op (PyTorch's
    ``LeakyReluBackwardBackward0`` and kin): under create_graph the gradient depends on the
    input, with a zero derivative, exactly as in PyTorch."""

    def forward(ctx, xp, grad, a, *, slope):
        ctx.slope = slope
        if slope.dtype == np.bool_:  # torch's where(mask, grad, 0): zero even for inf/nan
            return masked(xp, grad, slope)
        return (grad * slope).astype(grad.dtype, copy=False)

    def grad_grad(ctx, grad):
        return grad * _const(ctx.slope)

    def grad_a(ctx, grad):
        from .creation import zeros_like

        return zeros_like(grad)


class _HardsigmoidGrad(_SlopeGrad, name="HardsigmoidBackwardBackward0"):
    """PyTorch has no second derivative for hardsigmoid; neither (on purpose) has ember."""

    forward = _SlopeGrad.forward  # re-declared so that the formulas below are picked up

    def grad_grad(ctx, grad):
        raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented")

    grad_a = grad_grad


_SLOPE_CLASSES: dict = {"HardsigmoidBackwardBackward0": _HardsigmoidGrad}


class _Tie(Op):
    """``g``, made to depend on ``a`` with a zero derivative. PyTorch's backward functions
    take the forward input as an argument, so under create_graph their result requires grad
    even where it does not vary with the input (nll_loss, reflection padding, ...)."""

    def forward(ctx, xp, g, a):
        ctx.a_meta = (a.shape, a.dtype)
        return g

    def grad_g(ctx, grad):
        return grad

    def grad_a(ctx, grad):
        from .creation import zeros

        shape, dtype = ctx.a_meta
        return zeros(shape, dtype=_dtype.from_numpy_dtype(dtype), device=grad.device)


class _FirstOrderOnly(_Tie):
    """A gradient PyTorch cannot differentiate again: differentiating it raises its error."""

    forward = _Tie.forward  # re-declared so that the formulas below are picked up
    message = ""

    def grad_g(ctx, grad):
        raise RuntimeError(ctx.message)

    grad_a = grad_g


_TIE_CLASSES: dict = {}


def tie(name: str, g: Tensor, a: Tensor, no_double_backward: str | None = None) -> Tensor:
    """``g`` with a zero-derivative dependence on ``a``, as a node called ``name`` (only
    while a graph is being built: plain backward passes skip the node). With
    ``no_double_backward``, differentiating the node raises that PyTorch error instead."""
    if not grad_mode._state.enabled:
        return g
    cls = _TIE_CLASSES.get(name)
    if cls is None:
        attrs = {"__module__": __name__}
        if no_double_backward:
            attrs["message"] = no_double_backward
        base = _FirstOrderOnly if no_double_backward else _Tie
        cls = _TIE_CLASSES[name] = type(name, (base,), attrs, name=name)
    return cls.apply(g, a)


def _slope_grad(name: str, grad: Tensor, a: Tensor, slope: Any) -> Tensor:
    cls = _SLOPE_CLASSES.get(name)
    if cls is None:
        cls = _SLOPE_CLASSES[name] = type(name, (_SlopeGrad,), {"__module__": __name__},
                                          name=name)
    return cls.apply(grad, a, slope=slope)


# -- softmax family -------------------------------------------------------------------------

def _piecewise(cond: Any, a: float, b: float, dtype: Any) -> Any:
    """where(cond, a, b) as an array of dtype (a piecewise-constant slope)."""
    out = cond.astype(dtype)
    out *= a - b
    out += b
    return out


def _axis(a: Any, dim: int) -> int | None:
    return dim if a.ndim else None


def _shifted(xp: Any, a: Any, axis: int | None) -> Any:
    """a - max(a) along axis: exp of it cannot overflow."""
    if a.dtype == np.float16:  # PyTorch accumulates half in float
        a = a.astype(np.float32)
    if a.size == 0:
        m = a.max(axis=axis, keepdims=True, initial=-np.inf)
    elif axis == 1 and a.ndim == 2 and a.shape[1] <= 32 and a.shape[0] >= 64:
        # NumPy reduces a last axis row by row, slow for short rows (class scores); down
        # the columns of a transposed copy it runs whole-vector maxima: 3-10x faster here.
        m = xp.ascontiguousarray(a.T).max(axis=0)[:, None]
    else:
        m = a.max(axis=axis, keepdims=True)
    # An all -inf row gives nan (-inf - -inf), as in PyTorch; so does a row with +inf or nan.
    return xp.asarray(a - m)  # an array even for 0-d input, so that later ops can be in place


def _rowsum(xp: Any, a: Any, axis: int | None) -> Any:
    """``a.sum(axis, keepdims=True)``. NumPy reduces a last axis row by row, with a cost per
    row that dominates short rows (attention, class scores); one matrix-vector product with
    ones sums the same rows several times faster (float32 accumulation either way)."""
    if (axis is not None and axis == a.ndim - 1 and a.ndim > 1 and a.shape[-1] > 1
            and a.dtype in (np.float32, np.float64) and a.flags.c_contiguous):
        n = a.shape[-1]
        return xp.matmul(a.reshape(-1, n), xp.ones(n, dtype=a.dtype)).reshape(
            a.shape[:-1] + (1,))
    return a.sum(axis=axis, keepdims=True)


class Softmax(Op, name="SoftmaxBackward0"):
    def forward(ctx, xp, a, *, dim):
        if a.dtype.kind not in "fc":
            last = a.ndim == 0 or dim == a.ndim - 1
            _floating(a, "softmax_lastdim_kernel_impl" if last else "softmax_kernel_impl")
        ctx.dim = axis = _axis(a, dim)
        e = _shifted(xp, a, axis)
        xp.exp(e, out=e)
        e /= _rowsum(xp, e, axis)
        return e.astype(a.dtype, copy=False)

    def grad_a(ctx, grad, result):
        if not grad_mode._state.enabled:  # plain backward: a few in-place array passes
            g, y = grad._data, result._data
            xp = np if g.__class__ is np.ndarray else _array_module(g)
            gy = g * y
            s = _rowsum(xp, gy, ctx.dim)
            gy -= y * s
            return Tensor._make(gy)
        return result * (grad - (grad * result).sum(ctx.dim, keepdim=True))


class SafeSoftmax(Softmax, name="SafeSoftmaxBackward0"):
    """ATen's _safe_softmax (attention): a row that is all -inf gives zeros, not nan; its
    gradient, read from the result, is then zero too."""

    def forward(ctx, xp, a, *, dim):
        out = Softmax.forward(ctx, xp, a, dim=dim)
        dead = (a == -np.inf).all(axis=ctx.dim, keepdims=True)
        return xp.where(dead, 0, out).astype(out.dtype, copy=False)

    grad_a = Softmax.grad_a


class LogSoftmax(Op, name="LogSoftmaxBackward0"):
    def forward(ctx, xp, a, *, dim):
        if a.dtype.kind not in "fc":
            last = a.ndim == 0 or dim == a.ndim - 1
            _floating(a, "log_softmax_lastdim_kernel_impl" if last else
                      "log_softmax_kernel_impl")
        ctx.dim = axis = _axis(a, dim)
        s = _shifted(xp, a, axis)
        s -= xp.log(_rowsum(xp, xp.exp(s), axis))
        return s.astype(a.dtype, copy=False)

    def grad_a(ctx, grad, result):
        if not grad_mode._state.enabled:  # plain backward: g - exp(y) * sum(g), in place
            g, y = grad._data, result._data
            xp = np if g.__class__ is np.ndarray else _array_module(g)
            e = xp.asarray(xp.exp(y))  # an array even when y is 0-d
            e *= _rowsum(xp, g, ctx.dim)
            return Tensor._make(xp.subtract(g, e, out=e))
        return grad - result.exp() * grad.sum(ctx.dim, keepdim=True)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's implicit-dim rule (deprecated, with its warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """torch.softmax / Tensor.softmax."""
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, dim=_wrap_dim(dim, input._data.ndim))


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """torch.log_softmax / Tensor.log_softmax."""
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, dim=_wrap_dim(dim, input._data.ndim))


# -- ReLU family -----------------------------------------------------------------------------

class LeakyRelu(Op, name="LeakyReluBackward0"):
    def forward(ctx, xp, a, *, negative_slope):
        _floating(a, "leaky_relu_cpu")
        ctx.slope = negative_slope
        return xp.where(a > 0, a, a * a.dtype.type(negative_slope))

    def grad_a(ctx, grad, a):
        d = a._data
        slope = _piecewise(d > 0, 1, ctx.slope, d.dtype)
        return _slope_grad("LeakyReluBackwardBackward0", grad, a, slope)


class LeakyReluInplace(LeakyRelu, name="LeakyReluBackward1"):
    """leaky_relu_: PyTorch's backward reads the result (the input is overwritten)."""

    def forward(ctx, xp, a, *, negative_slope):
        if negative_slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope "
                "which is not supported. This is caused by calling in-place forward function "
                "with a negative slope, please call out-of-place version instead. File an "
                "issue at https://github.com/pytorch/pytorch if you do require supporting "
                "in-place leakRelu backward calculation with negative slope")
        return LeakyRelu.forward(ctx, xp, a, negative_slope=negative_slope)

    def grad_a(ctx, grad, result):
        return LeakyRelu.grad_a(ctx, grad, result)


class Elu(Op, name="EluBackward0"):
    """elu, selu and celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    def forward(ctx, xp, a, *, alpha, scale, input_scale):
        _floating(a, "elu_cpu")
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        t = a.dtype.type
        neg = xp.expm1(a * t(input_scale)) * t(alpha * scale)
        return xp.where(a > 0, a * t(scale), neg)

    def grad_a(ctx, grad, a):
        pos = _const(a._data > 0)
        neg = (a * ctx.input_scale).exp() * (ctx.alpha * ctx.scale * ctx.input_scale)
        return grad * neg.masked_fill(pos, ctx.scale)


class EluInplace(Elu, name="EluBackward1"):
    """elu_/selu_: backward from the result, input_scale * (result + alpha * scale)."""

    def grad_a(ctx, grad, result):
        pos = _const(result._data > 0)
        neg = (result + ctx.alpha * ctx.scale) * ctx.input_scale
        return grad * neg.masked_fill(pos, ctx.scale)


class Celu(Elu, name="CeluBackward0"):
    pass


class CeluInplace(EluInplace, name="CeluBackward1"):
    pass


class Hardtanh(Op, name="HardtanhBackward0"):
    def forward(ctx, xp, a, *, min_val, max_val):
        ctx.lo, ctx.hi = min_val, max_val
        if a.dtype.kind in "biu":
            return xp.clip(a, math.ceil(min_val), math.floor(max_val)).astype(a.dtype)
        if a.dtype.kind == "f":
            return clamp_scalar(xp, a, a.dtype.type(min_val), a.dtype.type(max_val))
        return xp.clip(a, a.dtype.type(min_val), a.dtype.type(max_val))

    def grad_a(ctx, grad, a):
        d = a._data
        return _slope_grad("HardtanhBackwardBackward0", grad, a, (d > ctx.lo) & (d < ctx.hi))


class Hardsigmoid(Op, name="HardsigmoidBackward0"):
    def forward(ctx, xp, a):
        _floating(a, "hardsigmoid_cpu")
        return xp.clip(a + a.dtype.type(3), 0, 6) / a.dtype.type(6)

    def grad_a(ctx, grad, a):
        d = a._data
        # ATen's kernel multiplies by the float literal 1.0f / 6.0f, even in double.
        slope = _piecewise((d > -3) & (d < 3), float(np.float32(1) / np.float32(6)), 0, d.dtype)
        return _slope_grad("HardsigmoidBackwardBackward0", grad, a, slope)


class Hardswish(Op, name="HardswishBackward0"):
    def forward(ctx, xp, a):
        _floating(a, "hardswish_cpu")
        return a * xp.clip(a + a.dtype.type(3), 0, 6) / a.dtype.type(6)

    def grad_a(ctx, grad, a):
        d = a._data
        mid = _const((d >= -3) & (d <= 3))
        hi = _const((d > 3).astype(d.dtype))
        return grad * ((a / 3 + 0.5) * mid + hi)


class Threshold(Op, name="ThresholdBackward0"):
    def forward(ctx, xp, a, *, threshold, value):
        ctx.threshold = threshold
        return xp.where(a > threshold, a, xp.asarray(value).astype(a.dtype))

    def grad_a(ctx, grad, a):
        return _slope_grad("ThresholdBackwardBackward0", grad, a, a._data > ctx.threshold)


class ThresholdInplace(Threshold, name="ThresholdBackward1"):
    def grad_a(ctx, grad, result):
        return _slope_grad("ThresholdBackwardBackward0", grad, result,
                           result._data > ctx.threshold)


class Hardshrink(Op, name="HardshrinkBackward0"):
    def forward(ctx, xp, a, *, lambd):
        _floating(a, "hardshrink_cpu")
        ctx.lambd = lambd
        return xp.where((a >= -lambd) & (a <= lambd), a.dtype.type(0), a)

    def grad_a(ctx, grad, a):
        d, lam = a._data, ctx.lambd
        return _slope_grad("HardshrinkBackwardBackward0", grad, a, (d < -lam) | (d > lam))


class Softshrink(Op, name="SoftshrinkBackward0"):
    def forward(ctx, xp, a, *, lambd):
        _floating(a, "softshrink_cpu")
        ctx.lambd = lambd
        t = a.dtype.type(lambd)
        return xp.where(a > t, a - t, xp.where(a < -t, a + t, a.dtype.type(0)))

    def grad_a(ctx, grad, a):
        d, lam = a._data, ctx.lambd
        return _slope_grad("SoftshrinkBackwardBackward0", grad, a, (d < -lam) | (d > lam))


class RreluWithNoise(Op, name="RreluWithNoiseBackward0"):
    """rrelu: negative inputs scaled by a slope drawn per element (training) or by the mean
    slope (eval); the slopes are kept, as PyTorch keeps its noise tensor."""

    def forward(ctx, xp, a, *, noise):
        _floating(a, "rrelu_with_noise_out_cpu")
        ctx.noise = noise
        return a * noise

    def grad_a(ctx, grad, a):
        return _slope_grad("RreluWithNoiseBackwardBackward0", grad, a, ctx.noise)


class RreluWithNoiseInplace(RreluWithNoise, name="RreluWithNoiseBackward1"):
    def grad_a(ctx, grad, result):
        return _slope_grad("RreluWithNoiseBackwardBackward0", grad, result, ctx.noise)


# -- smooth activations ----------------------------------------------------------------------

class Gelu(Op, name="GeluBackward0"):
    def forward(ctx, xp, a, *, approximate):
        _floating(a, "GeluKernelImpl")
        ctx.approximate = approximate
        t = a.dtype.type
        if approximate == "tanh":
            inner = (a + a * a * a * t(0.044715)) * t(math.sqrt(2 / math.pi))
            return a * (xp.tanh(inner) + t(1)) * t(0.5)
        from ._special import erf

        return a * (erf(xp, a * t(math.sqrt(0.5))) + t(1)) * t(0.5)

    def grad_a(ctx, grad, a):
        if ctx.approximate == "tanh":
            k_beta, k_kappa = math.sqrt(2 / math.pi), 0.044715
            x_sq = a * a
            t = ((a + x_sq * a * k_kappa) * k_beta).tanh()
            right = a * 0.5 * (1 - t * t) * k_beta * (1 + x_sq * (3 * k_kappa))
            return grad * ((t + 1) * 0.5 + right)
        cdf = ((a * math.sqrt(0.5)).erf() + 1) * 0.5
        pdf = (a * a * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return grad * (cdf + a * pdf)


def _sigmoid_arr(xp: Any, a: Any) -> Any:
    e = xp.exp(-xp.abs(a))  # only exp of non-positive numbers: no overflow
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _softplus_arr(xp: Any, a: Any) -> Any:
    return xp.logaddexp(a.dtype.type(0), a)  # log(1 + exp(a)), without overflow


class Silu(Op, name="SiluBackward0"):
    def forward(ctx, xp, a):
        _floating(a, "silu_cpu")
        return a * _sigmoid_arr(xp, a)

    def grad_a(ctx, grad, a):
        s = a.sigmoid()
        return grad * (s * (1 + a * (1 - s)))


class Mish(Op, name="MishBackward0"):
    def forward(ctx, xp, a):
        _floating(a, "mish_cpu")
        return a * xp.tanh(_softplus_arr(xp, a))

    def grad_a(ctx, grad, a):
        tsp = Softplus.apply(a, beta=1, threshold=20).tanh()
        return grad * (tsp + a * a.sigmoid() * (1 - tsp * tsp))


class Softplus(Op, name="SoftplusBackward0"):
    def forward(ctx, xp, a, *, beta, threshold):
        _floating(a, "softplus_cpu")
        ctx.beta, ctx.threshold = beta, threshold
        t = a.dtype.type
        bx = a * t(beta) if beta != 1 else a
        soft = _softplus_arr(xp, bx)
        if beta != 1:
            soft /= t(beta)
        return xp.where(bx > threshold, a, soft)

    def grad_a(ctx, grad, a):
        bx = a * ctx.beta if ctx.beta != 1 else a
        return grad * bx.sigmoid().masked_fill(_const(bx._data > ctx.threshold), 1)


class LogSigmoid(Op, name="LogSigmoidBackward0"):
    def forward(ctx, xp, a):
        _floating(a, "log_sigmoid_cpu")
        return -_softplus_arr(xp, -a)

    def grad_a(ctx, grad, a):
        return grad * (-a).sigmoid()


class Glu(Op, name="GluBackward0"):
    def forward(ctx, xp, a, *, dim):
        _floating(a, "glu_cpu")
        ctx.dim, ctx.half = dim, a.shape[dim] // 2
        first, second = xp.split(a, 2, axis=dim)
        return first * _sigmoid_arr(xp, second)

    def grad_a(ctx, grad, a):
        from .shape import cat

        first = a.narrow(ctx.dim, 0, ctx.half)
        s = a.narrow(ctx.dim, ctx.half, ctx.half).sigmoid()
        return cat([grad * s, grad * first * s * (1 - s)], ctx.dim)


class Prelu(Op, name="PreluKernelBackward0"):
    def forward(ctx, xp, a, w):
        ctx.shape = w.shape
        if a.ndim >= 2 and w.size > 1:  # one slope per channel (dim 1)
            w = w.reshape((-1,) + (1,) * (a.ndim - 2))
        elif w.size == 1:
            w = w.reshape(())
        return xp.where(a > 0, a, a * w)

    def grad_a(ctx, grad, a, w):
        return grad * _const(a._data > 0) + grad * _const(a._data <= 0) * _channel(w, a.ndim)

    def grad_w(ctx, grad, a):
        g = grad * a * _const(a._data <= 0)
        if a.ndim >= 2 and math.prod(ctx.shape) > 1:
            g = g.sum([d for d in range(a.ndim) if d != 1])
        else:
            g = g.sum()
        return g.reshape(ctx.shape)


def _channel(w: Tensor, ndim: int) -> Tensor:
    """A per-channel weight shaped to broadcast against a (N, C, ...) input."""
    if w.numel() == 1:
        return w.reshape(())
    return w.reshape((-1,) + (1,) * (ndim - 2))


# -- the functions users call ----------------------------------------------------------------

def _maybe_inplace(input: Tensor, inplace: bool, cls: type, inplace_cls: type,
                   **attrs: Any) -> Tensor:
    if inplace:
        return apply_inplace(input, inplace_cls, **attrs)
    return cls.apply(input, **attrs)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """torch.nn.functional.leaky_relu."""
    return _maybe_inplace(input, inplace, LeakyRelu, LeakyReluInplace,
                          negative_slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """torch.nn.functional.leaky_relu_."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """torch.nn.functional.elu."""
    return _maybe_inplace(input, inplace, Elu, EluInplace, alpha=alpha, scale=1.0,
                          input_scale=1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """torch.nn.functional.elu_."""
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.selu / torch.nn.functional.selu (an elu: grad_fn EluBackward0)."""
    return _maybe_inplace(input, inplace, Elu, EluInplace, alpha=_SELU_ALPHA,
                          scale=_SELU_SCALE, input_scale=1.0)


def selu_(input: Tensor) -> Tensor:
    """torch.selu_."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """torch.celu / torch.nn.functional.celu."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(input, inplace, Celu, CeluInplace, alpha=alpha, scale=1.0,
                          input_scale=1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """torch.celu_."""
    return celu(input, alpha, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardtanh."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, Hardtanh, Hardtanh, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """torch.nn.functional.hardtanh_."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.relu6 (a hardtanh: grad_fn HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardsigmoid."""
    return _maybe_inplace(input, inplace, Hardsigmoid, Hardsigmoid)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardswish."""
    return _maybe_inplace(input, inplace, Hardswish, Hardswish)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """torch.threshold / torch.nn.functional.threshold."""
    return _maybe_inplace(input, inplace, Threshold, ThresholdInplace, threshold=threshold,
                          value=value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """torch.threshold_."""
    return apply_inplace(input, ThresholdInplace, threshold=threshold, value=value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """torch.hardshrink / Tensor.hardshrink."""
    return Hardshrink.apply(input, lambd=lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """torch.nn.functional.softshrink."""
    if lambd < 0:
        raise RuntimeError("lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{_word(input._data)}, but found {lambd:g}")
    return Softshrink.apply(input, lambd=lambd)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """torch.rrelu / torch.nn.functional.rrelu (random slopes from ember's generator)."""
    d = input._data
    if training:
        from .creation import default_generator

        slopes = default_generator._rng.uniform(lower, upper, size=d.shape)
        noise = np.where(np.asarray(d) >= 0, 1.0, slopes).astype(d.dtype)
        if d.__class__ is not np.ndarray:
            from .._device import to_device

            noise = to_device(noise, input.device)
    else:
        slope = (lower + upper) / 2
        noise = (d >= 0).astype(d.dtype) * (1 - slope) + slope
        noise = noise.astype(d.dtype, copy=False)
    return _maybe_inplace(input, inplace, RreluWithNoise, RreluWithNoiseInplace, noise=noise)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """torch.rrelu_."""
    return rrelu(input, lower, upper, training, inplace=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """torch.nn.functional.gelu (exact with erf, or the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.silu (x * sigmoid(x))."""
    return _maybe_inplace(input, inplace, Silu, Silu)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.mish (x * tanh(softplus(x)))."""
    return _maybe_inplace(input, inplace, Mish, Mish)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """torch.nn.functional.softplus: log(1 + exp(beta * x)) / beta, linear above threshold."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """torch.nn.functional.logsigmoid."""
    return LogSigmoid.apply(input)


def softsign(input: Tensor) -> Tensor:
    """torch.nn.functional.softsign (PyTorch composes it: grad_fn DivBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """torch.nn.functional.tanhshrink (composite: grad_fn SubBackward0)."""
    return input - input.tanh()


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """torch.nn.functional.glu: first half * sigmoid(second half) along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    return Glu.apply(input, dim=d)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """torch.prelu / torch.nn.functional.prelu (one slope, or one per channel in dim 1)."""
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if n != channels:
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    return Prelu.apply(input, weight)

"""Every op, and the binding of ops to Tensor methods and operators.

Each ops module defines functions over tensors (``exp(input)``); a function whose first
argument is the tensor doubles as the method (``x.exp()``). In-place methods (``x.add_``)
run the same op through views.apply_inplace.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._tensor import Tensor
from . import (
    activation,
    conv,
    creation,
    extra_math,
    extra_shape,
    indexing,
    linalg,
    loss,
    pointwise,
    reduction,
    shape,
)
from ._op import Op
from .views import apply_inplace, apply_view_inplace

__all__ = ["Op", "bind_methods"]

# torch computes inf and nan silently (1e38 * 10, 0 * inf, log(0)); NumPy warns about them.
# Silence the warnings NumPy attributes to ember's own modules, once, instead of entering
# np.errstate in every op (a microsecond each); users' own NumPy code still warns.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember\.")


def _inplace(op_fn: Any) -> Any:
    """An in-place method from an out-of-place function: run it on an alias, write back."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return apply_inplace(self, _Call, *args, fn=op_fn, kwargs=kwargs)

    method.__name__ = op_fn.__name__ + "_"
    method.__doc__ = f"Tensor.{method.__name__}: in-place {op_fn.__name__}."
    return method


class _Call(Op):
    """Runs a composite function as one step of apply_inplace (its graph is its own)."""

    @classmethod
    def apply(cls, self: Tensor, *args: Any, fn: Any, kwargs: dict) -> Tensor:  # noqa: D102
        return fn(self, *args, **kwargs)


def _invert(self: Tensor) -> Tensor:
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    if self.dtype is shape._dtype.bool:
        return pointwise.logical_not(self)
    return pointwise.bitwise_not(self)


def _H(self: Tensor) -> Tensor:  # noqa: N802
    if self.ndim != 2:
        hint = (". For batches of matrices, consider using tensor.mH" if self.ndim > 2
                else "")
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.ndim}-D tensor{hint}")
    out = shape.transpose(self, 0, 1)
    return out.conj() if self.dtype.is_complex else out


def _reflected(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Any:
        return fn(other, self)

    return method


_METHODS = {
    # pointwise
    **{n: getattr(pointwise, n) for n in pointwise.__all__ if n not in (
        "where", "allclose", "equal", "isclose")},
    "where": lambda self, condition, other: pointwise.where(condition, self, other),
    "allclose": pointwise.allclose, "equal": pointwise.equal, "isclose": pointwise.isclose,
    # shape
    **{n: getattr(shape, n) for n in shape.__all__ if n not in (
        "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
        "broadcast_tensors", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes")},
    "view": shape.view, "view_as": shape.view_as, "reshape_as": shape.reshape_as,
    "expand": shape.expand, "expand_as": shape.expand_as, "repeat": shape.repeat,
    "contiguous": shape.contiguous, "to": shape.to, "type": shape.type_,
    "cpu": shape.cpu, "cuda": shape.cuda, "as_strided": shape.as_strided,
    "float": shape._cast(shape._dtype.float32), "double": shape._cast(shape._dtype.float64),
    "half": shape._cast(shape._dtype.float16), "long": shape._cast(shape._dtype.int64),
    "int": shape._cast(shape._dtype.int32), "short": shape._cast(shape._dtype.int16),
    "char": shape._cast(shape._dtype.int8), "byte": shape._cast(shape._dtype.uint8),
    "bool": shape._cast(shape._dtype.bool),
    "cfloat": shape._cast(shape._dtype.complex64),
    "cdouble": shape._cast(shape._dtype.complex128),
    "copy_": shape.copy_, "zero_": shape.zero_, "fill_": shape.fill_,
    # indexing
    **{n: getattr(indexing, n) for n in indexing.__all__},
    "index_put": indexing.index_put, "index_put_": indexing.index_put_,
    "scatter_": indexing.scatter_, "scatter_add_": indexing.scatter_add_,
    "index_add_": indexing.index_add_, "masked_scatter_": indexing.masked_scatter_,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
    # operators
    "__add__": pointwise._operator(pointwise.Add),
    "__radd__": pointwise._operator(pointwise.Add),
    "__sub__": pointwise.sub, "__rsub__": lambda self, other: pointwise.rsub(self, other),
    "__mul__": pointwise._operator(pointwise.Mul),
    "__rmul__": pointwise._operator(pointwise.Mul),
    "__truediv__": pointwise._operator(pointwise.Div),
    "__rtruediv__": lambda self, other: pointwise.reciprocal(self) * other,
    "__floordiv__": pointwise.floor_divide, "__rfloordiv__": _reflected(pointwise.floor_divide),
    "__mod__": pointwise.remainder, "__rmod__": _reflected(pointwise.remainder),
    "__pow__": pointwise.pow, "__rpow__": _reflected(pointwise.pow),
    "__neg__": pointwise.neg, "__pos__": lambda self: self, "__abs__": pointwise.abs,
    "__invert__": _invert,
    "__and__": pointwise.bitwise_and, "__or__": pointwise.bitwise_or,
    "__xor__": pointwise.bitwise_xor, "__rand__": pointwise.bitwise_and,
    "__ror__": pointwise.bitwise_or, "__rxor__": pointwise.bitwise_xor,
    "__eq__": pointwise.eq, "__ne__": pointwise.ne, "__lt__": pointwise.lt,
    "__le__": pointwise.le, "__gt__": pointwise.gt, "__ge__": pointwise.ge,
    # the legacy ``x.new(...)`` and the ``new_*`` family: same dtype and device as x
    "new": lambda self, *args: creation.legacy_new(Tensor, self.dtype, *args,
                                                   device=self.device),
    "new_tensor": lambda self, data, *, dtype=None, device=None, requires_grad=False:
        creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                        requires_grad=requires_grad),
    "new_zeros": lambda self, *size, dtype=None, device=None, requires_grad=False:
        creation.zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                       requires_grad=requires_grad),
    "new_ones": lambda self, *size, dtype=None, device=None, requires_grad=False:
        creation.ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad),
    "new_empty": lambda self, *size, dtype=None, device=None, requires_grad=False:
        creation.empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                       requires_grad=requires_grad),
    "new_full": lambda self, size, fill_value, *, dtype=None, device=None,
    requires_grad=False: creation.full(size, fill_value, dtype=dtype or self.dtype,
                                       device=device or self.device,
                                       requires_grad=requires_grad),
    "T": property(shape._T), "mT": property(shape._mT), "H": property(_H),
    "mH": property(lambda self: shape._mT(self).conj()),
    "real": property(pointwise.real), "imag": property(pointwise.imag),
}

_INPLACE = ["add", "sub", "mul", "div", "pow", "clamp", "clip", "clamp_min", "clamp_max",
            "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "abs", "neg", "floor",
            "ceil", "round", "trunc", "sign", "sin", "cos", "reciprocal", "square",
            "masked_fill", "lerp", "addcmul", "addcdiv", "remainder", "fmod", "log1p",
            "expm1", "floor_divide", "frac", "nan_to_num", "tril", "triu", "erf",
            "index_fill", "index_copy", "atan2", "hypot", "maximum", "minimum", "exp2",
            "sgn", "log2", "log10", "acos", "asin", "atan", "cosh", "sinh", "tan", "asinh",
            "acosh", "atanh", "subtract", "multiply", "divide", "true_divide", "negative",
            "logical_not", "logical_and", "logical_or", "logical_xor", "bitwise_and",
            "bitwise_or", "bitwise_xor", "bitwise_not", "eq", "ne", "lt", "le", "gt", "ge",
            "copysign", "xlogy", "fmax", "fmin", "t", "transpose", "squeeze", "unsqueeze",
            "swapaxes", "swapdims"]

_IOPS = {"__iadd__": "add", "__isub__": "sub", "__imul__": "mul", "__itruediv__": "div",
         "__ipow__": "pow", "__imod__": "remainder", "__ifloordiv__": "floor_divide",
         "__iand__": "bitwise_and", "__ior__": "bitwise_or", "__ixor__": "bitwise_xor"}

_VIEW_INPLACE = {"t", "transpose", "squeeze", "unsqueeze", "swapaxes", "swapdims"}


# torch records the in-place forms of view ops as their own overloads.
_INPLACE_VIEW_NAMES = {"TBackward0": "TBackward1", "TransposeBackward0": "TransposeBackward1",
                       "UnsqueezeBackward0": "UnsqueezeBackward1",
                       "SqueezeBackward0": "SqueezeBackward3",
                       "SqueezeBackward1": "SqueezeBackward4",
                       "SqueezeBackward2": "SqueezeBackward5"}
_inplace_view_classes: dict = {}


def _view_inplace(fn: Any) -> Any:
    """t_/transpose_/squeeze_/unsqueeze_: the tensor takes the view's shape and history."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        out = fn(self, *args, **kwargs)
        node = out._grad_fn
        if node is not None and type(node).__name__ in _INPLACE_VIEW_NAMES:
            cls = type(node)
            sub = _inplace_view_classes.get(cls)
            if sub is None:
                name = _INPLACE_VIEW_NAMES[cls.__name__]
                sub = _inplace_view_classes[cls] = type(name, (cls,), {}, name=name)
            node.__class__ = sub
        return apply_view_inplace(self, out)

    method.__name__ = fn.__name__ + "_"
    return method


def bind_methods(extra: dict | None = None) -> None:
    """Attach ops to Tensor as methods (called once at import, and by modules that add ops).

    Besides the table above, every name in a module's ``__methods__`` is bound, and every
    name in its ``__inplace__`` also gets a trailing-underscore in-place twin.
    """
    table = dict(_METHODS)
    inplace = list(_INPLACE)
    for mod in (activation, conv, creation, linalg, loss, reduction, extra_math, extra_shape):
        for name in getattr(mod, "__methods__", ()):
            table[name] = getattr(mod, name)
        inplace += list(getattr(mod, "__inplace__", ()))
    if extra:
        table.update(extra)
    for name, fn in table.items():
        setattr(Tensor, name, fn)
    for name in inplace:
        fn = getattr(Tensor, name, None)
        if fn is not None and name + "_" not in Tensor.__dict__:
            setattr(Tensor, name + "_", _view_inplace(fn) if name in _VIEW_INPLACE
                    else _inplace(fn))
    for dunder, name in _IOPS.items():
        setattr(Tensor, dunder, getattr(Tensor, name + "_"))


bind_methods()

"""Forward-mode AD: torch.autograd.forward_ad (dual_level, make_dual, unpack_dual).

A tangent lives in its tensor's ``__dict__["_fw_grad"]``; every tensor given one is
remembered (weakly) so that leaving the level can take them all away again. While a level
holds a tangent, ``_state.active`` is set: ``Op.apply`` then hands each op to
``_propagate``, which gives the results their tangent J t, and in-place ops
(ops/views.py) update the tangent of the tensor they write in place, as torch does.

Views follow torch's forward-view rules: a view's tangent is the same view of its forward
base's tangent, made when first asked for, so an in-place change to the base's tangent is
seen through every view, and an in-place write of a dual into a view gives the base a
(zero) tangent first. The forward base is the autograd base (``_base``), except for views
recorded while the level is active (``__dict__["_fwv"] = (base, view chain)``): the
tensors make_dual and unpack_dual return are autograd views of their input but forward
bases of their own (``_fwv = None``), as in torch.

How an op's tangent is found (``_rule_of``): ops linear in their input apply themselves to
the tangent; elementwise ops on real tensors run their own backward formula with the
tangent in place of the gradient (a diagonal Jacobian is its own transpose); complex ones
have formulas here; everything else differentiates its vector-Jacobian product with respect
to the cotangent (J t = d<J^T u, t>/du), which reuses the backward formulas and so covers
every op that has one. Tangents are computed with ember ops: they are differentiable by
reverse mode, and outputs an op saves for backward keep their tangents on the node, so
that backward formulas propagate tangents too (forward-over-reverse).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual",
           "unpack_dual", "dual_level"]


class _State:
    __slots__ = ("active", "hidden")

    def __init__(self) -> None:
        self.active = False  # True while some dual level is open and a tangent exists
        self.hidden = False  # inside a custom Function's forward or jvp: no tangents shown


_state = _State()
_current_level = -1
# id -> weakref of every tensor that holds a tangent of the open level.
_holders: dict[int, Any] = {}
_UNSET = object()


# -- the public API ------------------------------------------------------------------------

class UnpackedDualTensor(NamedTuple):
    """torch.autograd.forward_ad.UnpackedDualTensor: what unpack_dual returns."""

    primal: Any
    tangent: Any


def enter_dual_level() -> int:
    """torch.autograd.forward_ad.enter_dual_level: open the (single) forward AD level."""
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    return _current_level


def exit_dual_level(*, level: int | None = None) -> None:
    """torch.autograd.forward_ad.exit_dual_level: close the level, dropping its tangents."""
    global _current_level
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    _clear()
    _current_level = level - 1


class dual_level:  # noqa: N801 - torch's name
    """torch.autograd.forward_ad.dual_level: a context manager (or decorator) for a level."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return func(*args, **kwargs)

        return wrapper


def make_dual(tensor: Any, tangent: Any, *, level: int | None = None) -> Any:
    """torch.autograd.forward_ad.make_dual: a view of ``tensor`` carrying ``tangent``."""
    from ..ops.shape import View

    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if level != _current_level:
        raise RuntimeError("Invalid level given to _make_dual")
    if _tangent(tensor) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {level} is not supported.")
    _check_tangent(tensor, tangent, level)
    was, _state.active = _state.active, False
    try:
        dual = View.apply(tensor, shape=tensor._data.shape)
        dual.__dict__["_fwv"] = None  # a backward view of tensor, but a forward base
        # torch keeps the tangent itself when its layout matches the primal's.
        _store(dual, tangent if _same_layout(tangent, dual) else _relayout(tangent, dual))
    finally:
        _state.active = was
    _state.active = True
    return dual


def unpack_dual(tensor: Any, *, level: int | None = None) -> UnpackedDualTensor:
    """torch.autograd.forward_ad.unpack_dual: (a view of the primal, the tangent or None)."""
    from .._tensor import Tensor

    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"_unpack_dual(): argument 'dual' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    tangent = None if _state.hidden else _tangent(tensor)
    if tangent is not None and level != _current_level:
        raise RuntimeError("Invalid level given to _fw_primal")
    was, _state.active = _state.active, False
    try:
        primal = _identity().apply(tensor)
    finally:
        _state.active = was
    primal.__dict__["_fwv"] = None  # the primal never shows the tangent
    return UnpackedDualTensor(primal, tangent)


# -- tangents and forward views --------------------------------------------------------------

def _check_tangent(t: Any, tangent: Any, level: int) -> None:
    """torch's checks on a tangent about to be given to ``t`` (set_fw_grad)."""
    if _tangent(tangent) is not None:
        raise RuntimeError("Setting a forward grad that itself has a forward gradient at the "
                           f"same level{level} is not supported.")
    if tangent._data.shape != t._data.shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than "
                           "that of the original Tensor, this is not supported. Tensor is of "
                           f"size {list(t.shape)} while the given forward gradient is of size "
                           f"{list(tangent.shape)}.")


def _fw_view(t: Any) -> Any:
    """(forward base, view chain from it) when ``t`` is a forward view, else None."""
    info = t.__dict__.get("_fwv", _UNSET)
    if info is _UNSET:
        base = t._base
        return None if base is None else (base, t._view)
    return info


def _tangent(t: Any) -> Any:
    """The tangent of ``t`` at the open level, or None."""
    d = t.__dict__
    tangent = d.get("_fw_grad")
    if tangent is not None:
        return tangent
    info = d.get("_fwv", _UNSET)
    if info is _UNSET:
        base = t._base
        if base is None:
            # An output an op saved for backward comes back as a new tensor with the node
            # as grad_fn: the node kept its tangent (forward-over-reverse needs it).
            fn = t._grad_fn
            if fn is None:
                return None
            saved = fn.__dict__.get("_fw_grad")
            return None if saved is None else saved.get(t._output_nr)
        info = (base, t._view)
    elif info is None:
        return None
    base_tangent = _tangent(info[0])
    if base_tangent is None:
        return None
    tangent = _replay(info[1], base_tangent)
    _store(t, tangent)
    return tangent


def _replay(chain: tuple, base_tangent: Any) -> Any:
    from ..ops.views import replay_view

    was, _state.active = _state.active, False
    try:
        return replay_view(chain, base_tangent)
    finally:
        _state.active = was


def _store(t: Any, tangent: Any) -> None:
    key = id(t)
    if key not in _holders:
        _holders[key] = weakref.ref(t, lambda _, k=key: _holders.pop(k, None))
    t.__dict__["_fw_grad"] = tangent


def _clear() -> None:
    refs = list(_holders.values())
    _holders.clear()
    for ref in refs:
        t = ref()
        if t is not None:
            t.__dict__.pop("_fw_grad", None)
    _state.active = False


def _set_tangent(t: Any, tangent: Any) -> None:
    """Give ``t``, which has no tangent yet, this one. For a forward view the base gets a
    zero tangent first, of which ``t``'s is then a view (torch's set_fw_grad)."""
    info = _fw_view(t)
    if info is None:
        _store(t, tangent if _same_layout(tangent, t) else _relayout(tangent, t))
        return
    base, chain = info
    base_tangent = _tangent(base)
    if base_tangent is None:
        base_tangent = _like(base, tangent._data.dtype, zero=True)
        _store(base, base_tangent)
    view = _replay(chain, base_tangent)
    was, _state.active = _state.active, False
    try:
        view.copy_(tangent)
    finally:
        _state.active = was
    _store(t, view)


def _like(primal: Any, dtype: Any, zero: bool = False) -> Any:
    """A new tensor laid out in memory as ``primal`` (NumPy's order "K"), so that any view
    of the primal can be replayed on it."""
    from .._device import array_module
    from .._tensor import Tensor

    xp = array_module(primal._data)
    make = xp.zeros_like if zero else xp.empty_like
    return Tensor._make(make(primal._data, dtype=dtype))


def _same_layout(tangent: Any, primal: Any) -> bool:
    a, b = tangent._data, primal._data
    if a.shape != b.shape:
        return False
    return all(n <= 1 or sa // a.itemsize == sb // b.itemsize
               for n, sa, sb in zip(a.shape, a.strides, b.strides))


def _relayout(tangent: Any, primal: Any) -> Any:
    """A copy of ``tangent`` with the primal's memory layout (torch's set_fw_grad does the
    same), so that views of the primal can be replayed on the tangent."""
    out = _like(primal, tangent._data.dtype)
    was, _state.active = _state.active, False
    try:
        out.copy_(tangent)
    finally:
        _state.active = was
    return out


# -- in-place ops (called by ops/views.py) -------------------------------------------------

def _inplace_done(t: Any, old: Any, out: Any) -> None:
    """``t`` was overwritten in place with ``out``: its tangent (``old``, maybe None)
    becomes out's tangent, updated in place as torch does (so views of ``t`` see it)."""
    new = _tangent(out)
    if new is None and old is None:
        return
    was, _state.active = _state.active, False
    try:
        if old is not None:
            if new is None:
                old.zero_()
            else:
                old.copy_(new)
            return
        if t._data.dtype.kind not in "fc":
            return
        # torch keeps the tangent's dtype here (a tensor with no tangent takes out's as is)
        if new._data.shape != t._data.shape:
            new = new.expand(t.shape)
        new = new.clone()
    finally:
        _state.active = was
    _set_tangent(t, new)


def _give_alias(alias: Any, tangent: Any) -> None:
    """The tangent for the alias an in-place op runs on: a snapshot, since the op's tangent
    is computed from it and then written into ``tangent`` itself, which autograd may have
    saved by then (reverse mode through the tangent would find it modified)."""
    was, _state.active = _state.active, False
    try:
        _store(alias, tangent.clone())
    finally:
        _state.active = was


def _view_inplace(t: Any, out: Any) -> None:
    """``t.t_()`` and kin: ``t`` becomes ``out``, the same view op applied to ``t``."""
    d = t.__dict__
    if _fw_view(t) is not None:
        d.pop("_fw_grad", None)  # recomputed from the base along out's chain
        info = out.__dict__.get("_fwv", _UNSET)
        if info is not _UNSET:
            d["_fwv"] = info
        return
    if d.get("_fw_grad") is not None:
        _store(t, _tangent(out))


# -- propagation through ops ---------------------------------------------------------------

_Tensor: Any = None


def _propagate(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple) -> None:
    """Give each result of op ``cls`` the tangent J @ (input tangents)."""
    global _Tensor
    if cls.is_view:
        src = inputs[0]
        info = _fw_view(src)
        base, parent = (src, None) if info is None else info
        multi = cls.n_outputs > 1
        for i, r in enumerate(results):
            r.__dict__["_fwv"] = (base, (cls, attrs, i if multi else None, parent))
        return
    if _Tensor is None:
        from .._tensor import Tensor as _Tensor
    tangents = None
    for k, x in enumerate(inputs):
        if isinstance(x, _Tensor):
            tangent = _tangent(x)
            if tangent is not None:
                if tangents is None:
                    tangents = [None] * len(inputs)
                tangents[k] = tangent
    if tangents is None:
        return
    if not any(r._data.dtype.kind in "fc" for r in results):
        return
    rule = _RULE_CACHE.get(cls) or _rule_of(cls)
    _state.active = False
    try:
        outs = rule(cls, ctx, inputs, attrs, results, tangents)
        done = [None if o is None or r._data.dtype.kind not in "fc" or
                i in cls.nondiff_outputs else _conform(o, r, tangents)
                for i, (r, o) in enumerate(zip(results, outs))]
    finally:
        _state.active = True
    for r, o in zip(results, done):
        if o is not None:
            _store(r, o)
    saved = getattr(ctx, "_saved", None)
    if saved.__class__ is dict and saved:  # see _tangent: the node rebuilds saved outputs
        if "outputs" in saved:
            _store(ctx, dict(enumerate(done)))
        elif "result" in saved and done[0] is not None:
            _store(ctx, {0: done[0]})


def _conform(tangent: Any, result: Any, tangents: list) -> Any:
    """The tangent as the result's own: its shape and dtype, its layout, no memory shared
    with an input's tangent (an in-place change of one must not reach the other)."""
    from .._tensor import Tensor
    from ..ops.creation import full

    if not isinstance(tangent, Tensor):
        return full(result.shape, tangent, dtype=result.dtype, device=result.device)
    data = result._data
    if tangent._data.dtype != data.dtype:
        if tangent._data.dtype.kind == "c" and data.dtype.kind != "c":
            tangent = tangent.real
        tangent = tangent.to(result.dtype)
    if tangent._data.shape != data.shape:
        tangent = tangent.expand(data.shape)
    if not _same_layout(tangent, result) or any(
            t is not None and _shares_memory(tangent, t) for t in tangents):
        tangent = _relayout(tangent, result)
    return tangent


def _shares_memory(a: Any, b: Any) -> bool:
    x, y = a._data, b._data
    if x is y:
        return True
    try:
        import numpy as np

        return bool(np.may_share_memory(x, y))
    except TypeError:  # not NumPy arrays
        return x.data.ptr == y.data.ptr


# -- the rules -------------------------------------------------------------------------------

_RULE_CACHE: dict[type, Callable] = {}
_RULES: dict[type, Callable] = {}
_ELEMENTWISE: set = set()
_UNSUPPORTED: dict[type, str] = {}


def _rule_of(cls: type) -> Callable:
    if not _RULES:
        _build_rules()
    rule = None
    for k in cls.__mro__:
        if k in _UNSUPPORTED:
            rule = _unsupported(_UNSUPPORTED[k])
            break
        if k in _RULES:
            rule = _RULES[k]
            break
        if k in _ELEMENTWISE:
            rule = _elementwise
            break
        if getattr(k, "aten", "") and k.__name__ == "NotImplemented":
            rule = _unsupported(f"Trying to use forward AD with aten::{k.aten} that does not "
                                "support it.")
            break
    if rule is None:
        rule = _vjp_of_vjp
    _RULE_CACHE[cls] = rule
    return rule


def _unsupported(msg: str) -> Callable:
    def rule(*args: Any) -> Any:
        raise NotImplementedError(msg)

    return rule


_NOT_YET = ("Trying to use forward AD with {} that does not support it because it has not "
            "been implemented yet.\nPlease file an issue to PyTorch at https://github.com/"
            "pytorch/pytorch/issues/new?template=feature-request.yml so that we can prioritize "
            "its implementation or submit a PR adding the implementation to derivatives.yaml")


def _build_rules() -> None:
    from ..nn import functional as nnf
    from ..ops import activation, indexing, linalg, loss, pointwise, reduction, shape

    linear = [reduction.Sum, reduction.SumDim, reduction.SumToSize, reduction.Mean,
              reduction.MeanDim, reduction.Cumsum, reduction.Trace, shape.Clone, shape.ToCopy,
              shape.UnsafeView, shape.Flip, shape.Roll, shape.Repeat, indexing.Index,
              indexing.Gather, indexing.IndexSelect, indexing.MaskedSelect, indexing.Take,
              indexing.Tril, indexing.Triu, pointwise.Conj, nnf.ChannelShuffle,
              nnf.PixelShuffle, nnf.PixelUnshuffle, nnf.Embedding, nnf._IndexPad]
    for cls in linear:
        _RULES[cls] = _linear
    _RULES[nnf.ConstantPadNd] = _constant_pad
    _RULES[shape.Cat] = _RULES[shape.Stack] = _linear_many
    for cls in (linalg.Mm, linalg.Bmm, linalg.Mv, linalg.Dot, linalg.Vdot):
        _RULES[cls] = _bilinear
    skip = {pointwise.Conj, pointwise.Real, pointwise.Imag, pointwise.MaskedFillTensor}
    for mod in (pointwise,):
        for value in vars(mod).values():
            if isinstance(value, type) and issubclass(value, pointwise.Op) and \
                    value.__module__ == mod.__name__ and value not in skip and \
                    not issubclass(value, pointwise._NotDifferentiable) and value._formulas:
                _ELEMENTWISE.add(value)
    _ELEMENTWISE.update({
        shape.Copy, shape.Fill, shape.Zero, activation.LeakyRelu, activation.LeakyReluInplace,
        activation.Elu, activation.EluInplace, activation.Celu, activation.CeluInplace,
        activation.Hardtanh, activation.Hardsigmoid, activation.Hardswish,
        activation.Threshold, activation.ThresholdInplace, activation.Hardshrink,
        activation.Softshrink, activation.RreluWithNoise, activation.RreluWithNoiseInplace,
        activation.Gelu, activation.Silu, activation.Mish, activation.Softplus,
        activation.LogSigmoid})
    _complex_rules(pointwise)
    from .. import linalg as la

    _RULES[la.CholeskyEx] = _cholesky
    _RULES[la.Eigh] = _eigh
    _UNSUPPORTED[indexing.ScatterReduce] = ("Trying to use forward AD with aten::scatter that "
                                            "does not support it.")
    _UNSUPPORTED[loss.MultiMarginLoss] = _NOT_YET.format("multi_margin_loss")


_COMPLEX: dict[type, Callable] = {}


def _complex_rules(pw: Any) -> None:
    """Tangent formulas for elementwise ops on complex tensors: f'(z) t for holomorphic f,
    torch's formulas for abs, sgn and angle."""
    import math

    def unary(dfdz: Callable) -> Callable:
        return lambda ctx, x, r, t: t[0] * dfdz(x[0], r)

    def sqrt(z: Any) -> Any:
        return z.sqrt()

    table = {
        pw.Exp: lambda a, r: r, pw.Exp2: lambda a, r: r * math.log(2),
        pw.Expm1: lambda a, r: r + 1, pw.Log: lambda a, r: 1 / a,
        pw.Log2: lambda a, r: 1 / (a * math.log(2)), pw.Log10: lambda a, r: 1 / (a * math.log(10)),
        pw.Log1p: lambda a, r: 1 / (a + 1), pw.Sqrt: lambda a, r: 1 / (2 * r),
        pw.Rsqrt: lambda a, r: -0.5 * r / a, pw.Sin: lambda a, r: a.cos(),
        pw.Cos: lambda a, r: -a.sin(), pw.Tan: lambda a, r: 1 + r * r,
        pw.Asin: lambda a, r: 1 / sqrt(1 - a * a), pw.Acos: lambda a, r: -1 / sqrt(1 - a * a),
        pw.Atan: lambda a, r: 1 / (1 + a * a), pw.Sinh: lambda a, r: a.cosh(),
        pw.Cosh: lambda a, r: a.sinh(), pw.Tanh: lambda a, r: 1 - r * r,
        pw.Asinh: lambda a, r: 1 / sqrt(a * a + 1),
        pw.Acosh: lambda a, r: 1 / (sqrt(a - 1) * sqrt(a + 1)),
        pw.Atanh: lambda a, r: 1 / (1 - a * a), pw.Reciprocal: lambda a, r: -r * r,
        pw.Sigmoid: lambda a, r: r * (1 - r), pw.Neg: lambda a, r: -1,
    }
    for cls, dfdz in table.items():
        _COMPLEX[cls] = unary(dfdz)

    def scaled(t: Any, c: Any) -> Any:
        return t if c == 1 else t * c

    def mul(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        return _sum_terms([None if t[0] is None else t[0] * x[1],
                           None if t[1] is None else x[0] * t[1]])

    def div(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        return _sum_terms([None if t[0] is None else t[0] / x[1],
                           None if t[1] is None else -t[1] * r / x[1]])

    def add(sign: int) -> Callable:
        return lambda ctx, x, r, t: _sum_terms([t[0], None if t[1] is None else
                                                 scaled(t[1], sign * ctx.alpha)])

    def pow_scalar(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        e = ctx.exponent
        return t[0] * 0 if e == 0 else t[0] * (e * x[0] ** (e - 1))

    def pow_(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        a, b = x
        return _sum_terms([None if t[0] is None else t[0] * (b * a ** (b - 1)),
                           None if t[1] is None else t[1] * (r * a.log())])

    def rpow(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        import cmath

        return t[0] * (r * cmath.log(ctx.base))

    def abs_(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        a = x[0]
        return ((a.conj() * t[0]).real / r).masked_fill(r == 0, 0)

    def sgn(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        m = x[0].abs()
        out = (t[0] - (t[0] * r.conj()).real * r) / m
        return out.masked_fill(m == 0, 0)

    def angle(ctx: Any, x: tuple, r: Any, t: list) -> Any:
        a = x[0]
        return ((a.conj() * t[0]).imag / (a.abs() ** 2)).masked_fill(a == 0, 0)

    _COMPLEX.update({
        pw.Mul: mul, pw.Div: div, pw.Add: add(1), pw.Sub: add(-1), pw.PowScalar: pow_scalar,
        pw.Pow: pow_, pw.RPow: rpow, pw.Abs: abs_, pw.Sgn: sgn, pw.Angle: angle,
        pw.Rsub: lambda ctx, x, r, t: _sum_terms([None if t[0] is None else
                                                  scaled(t[0], -ctx.alpha), t[1]]),
        pw.RsubScalar: lambda ctx, x, r, t: scaled(t[0], -ctx.alpha)})


def _sum_terms(terms: list) -> Any:
    out = None
    for term in terms:
        if term is not None:
            out = term if out is None else out + term
    return out


def _zeros_for(x: Any) -> Any:
    from ..ops.creation import zeros_like

    return zeros_like(x)


def _linear(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
            tangents: list) -> tuple:
    """An op linear in its one tensor input: the op applied to the tangent."""
    out = cls.apply(tangents[0], *inputs[1:], **attrs)
    return out if isinstance(out, tuple) else (out,)


def _constant_pad(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
                  tangents: list) -> tuple:
    return (cls.apply(tangents[0], **{**attrs, "value": 0}),)


def _linear_many(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
                 tangents: list) -> tuple:
    """cat, stack: the op on the tangents, zeros standing in for missing ones."""
    args = [t if t is not None else _zeros_for(x) for x, t in zip(inputs, tangents)]
    dtype = results[0].dtype
    args = [a if a.dtype is dtype else a.to(dtype) for a in args]
    return (cls.apply(*args, **attrs),)


def _bilinear(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
              tangents: list) -> tuple:
    """mm, bmm, mv, dot: f(ta, b) + f(a, tb)."""
    (a, b), (ta, tb) = inputs, tangents
    out = None if ta is None else cls.apply(ta, b, **attrs)
    if tb is not None:
        other = cls.apply(a, tb, **attrs)
        out = other if out is None else out + other
    return (out,)


def _cholesky(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
              tangents: list) -> tuple:
    """torch's cholesky_jvp: dL = L phi(L^-1 dA L^-H), phi(X) = tril(X) - diag(X) / 2. (The
    backward assumes a Hermitian dA; the tangent may not be.)"""
    from .. import linalg as la
    from ..ops.creation import eye

    L = results[0].mH if ctx.upper else results[0]
    x = la.solve_triangular(L, tangents[0], upper=False, left=True)
    x = la.solve_triangular(L.mH, x, upper=True, left=False)
    n = x.shape[-1]
    x = x.tril() - x * eye(n, dtype=x.dtype, device=x.device) * 0.5
    d = L @ x
    return (d.mH if ctx.upper else d, None)


def _eigh(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
          tangents: list) -> tuple:
    """torch's linalg_eig_jvp for Hermitian A: with P = V^H dA V, dL = diag(P) and
    dV = V (P / (L_j - L_i)) off the diagonal (dA is taken as given, not symmetrised)."""
    from ..ops.creation import eye

    L, V = results
    if not attrs["compute_v"]:  # eigvalsh without autograd: the eigenvectors are needed
        L, V = cls.apply(inputs[0], uplo=attrs["uplo"], compute_v=True)
    P = V.mH @ tangents[0] @ V
    dL = P.diagonal(0, -2, -1)
    if dL.dtype.is_complex:
        dL = dL.real
    if not attrs["compute_v"]:
        return (dL, None)
    n = L.shape[-1]
    mask = eye(n, dtype=L.dtype, device=L.device).bool()
    gap = (L.unsqueeze(-2) - L.unsqueeze(-1)).masked_fill(mask, 1)
    return (dL, V @ (P / gap).masked_fill(mask, 0))


def _values(cls: type, inputs: tuple, results: tuple, names: tuple) -> list:
    """What a backward formula names: inputs, ``result``, or a ``*operands`` tuple."""
    out = []
    for n in names:
        if n == "result":
            out.append(results[0])
            continue
        if n == "outputs" and n not in cls._input_names:  # linalg's _MultiOut ops
            out.append(tuple(results))
            continue
        k = cls._input_names.index(n)
        out.append(tuple(inputs[k:]) if n == _var_positional(cls) else inputs[k])
    return out


@functools.cache
def _backward_names(cls: type) -> tuple:
    """What a combined backward takes after (ctx, grad): its saved names, and ``outputs``
    where the op saves all its outputs (linalg's _MultiOut, which leaves that name out)."""
    import inspect

    return tuple(list(inspect.signature(cls.backward).parameters)[2:])


@functools.cache
def _var_positional(cls: type) -> str | None:
    import inspect

    for p in inspect.signature(cls.forward).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return p.name
    return None


def _elementwise(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
                 tangents: list) -> tuple:
    """An op whose Jacobian is diagonal (after broadcasting), on real tensors: its backward
    formulas, given the tangent as the gradient, are its forward derivative."""
    from .._tensor import Tensor

    if any(isinstance(x, Tensor) and x._data.dtype.kind == "c" for x in inputs) or \
            results[0]._data.dtype.kind == "c":
        # Complex: a gradient formula carries conjugates a tangent must not, and only
        # holomorphic ops have a J that is a plain product; so their own rules.
        for k in cls.__mro__:
            rule = _COMPLEX.get(k)
            if rule is not None:
                return (rule(ctx, inputs, results[0], tangents),)
        return _vjp_of_vjp(cls, ctx, inputs, attrs, results, tangents)
    shape = results[0]._data.shape
    out = None
    for formula, tangent in zip(cls._formulas, tangents):
        if tangent is None or formula is None:
            continue
        if tangent._data.shape != shape:
            tangent = tangent.expand(shape)
        f, names = formula
        term = f(ctx, tangent, *_values(cls, inputs, results, names))
        out = term if out is None else out + term
    return (out,)


def _vjp_of_vjp(cls: type, ctx: Any, inputs: tuple, attrs: dict, results: tuple,
                tangents: list) -> tuple:
    """Any op with a backward: J t is the derivative of <J^T u, t> with respect to u."""
    from .._tensor import Tensor
    from ..ops._op import _finish_grad
    from ..ops.creation import ones_like
    from . import grad as autograd_grad
    from .grad_mode import _state as grad_state
    from .grad_mode import enable_grad

    want = grad_state.enabled and (
        any(isinstance(x, Tensor) and x.requires_grad for x in inputs) or
        any(t is not None and t.requires_grad for t in tangents))
    diff = [r._data.dtype.kind in "fc" and i not in cls.nondiff_outputs
            for i, r in enumerate(results)]
    with enable_grad():
        # Any cotangent will do (the vjp is linear in it); ones keep formulas that take
        # logs of the gradient (logcumsumexp) finite.
        us = [ones_like(r).requires_grad_() if d else None for r, d in zip(results, diff)]
        grad = us[0] if cls.n_outputs == 1 else us
        needs = tuple(t is not None for t in tangents)
        had = ctx.needs_input_grad if hasattr(ctx, "needs_input_grad") else _UNSET
        ctx.needs_input_grad = needs
        try:
            if cls._combined is not None:
                names = _backward_names(cls)
                vjps = list(ctx.backward(grad, **dict(zip(
                    names, _values(cls, inputs, results, names)))))
            else:
                vjps = [f[0](ctx, grad, *_values(cls, inputs, results, f[1]))
                        if need and f else None for f, need in zip(cls._formulas, needs)]
        finally:
            if had is _UNSET:
                del ctx.needs_input_grad
            else:
                ctx.needs_input_grad = had
        outs, seeds = [], []
        for x, g, t in zip(inputs, vjps, tangents):
            if g is None or t is None:
                continue
            g = _finish_grad(g, (x._data.shape, x._data.dtype))
            if g.requires_grad:
                outs.append(g)
                seeds.append(t if t._data.dtype == g._data.dtype else t.to(g.dtype))
        live = [u for u in us if u is not None]
        if outs and live:
            found = autograd_grad(outs, live, seeds, allow_unused=True, create_graph=want)
        else:
            found = [None] * len(live)
    it = iter(found)
    res = []
    for r, u in zip(results, us):
        if u is None:
            res.append(None)
            continue
        g = next(it)
        res.append(g if g is not None else _zeros_for(r))
    return tuple(res)


# -- the alias unpack_dual returns ---------------------------------------------------------

_IDENTITY: list = []


def _identity() -> type:
    """torch's ``_fw_primal`` alias: a view whose node is named torch::autograd::Identity."""
    if not _IDENTITY:
        from ..ops.indexing import Alias

        class Identity(Alias, name="Identity"):
            pass

        Identity._node_name = "torch::autograd::Identity"
        Identity.__name__ = Identity.__qualname__ = "CppFunction"
        _IDENTITY.append(Identity)
    return _IDENTITY[0]

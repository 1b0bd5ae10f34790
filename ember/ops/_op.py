"""Declaring a differentiable op.

An op is a class with a ``forward`` on raw arrays and one derivative formula per input,
written with ember ops over Tensors (so that ``create_graph=True`` differentiates the
formulas themselves), in the spirit of PyTorch's derivatives.yaml::

    class Mul(Op, name="MulBackward0"):
        def forward(ctx, xp, a, b):
            return a * b

        def grad_a(ctx, grad, b):      # d(a*b)/da, saves b only when a needs a gradient
            return grad * b

        def grad_b(ctx, grad, a):
            return grad * a

Positional parameters of ``forward`` after ``xp`` are the op's inputs (Tensors or Python
numbers); keyword-only ones are attributes. A formula's parameters after ``grad`` name what
it needs: inputs, or ``result`` (the op's output). Only what a needed formula names is
saved, so an in-place change to an unneeded input is no error, as in PyTorch. An op whose
derivatives share work defines one ``backward(ctx, grad, <saved...>)`` that returns a tuple
instead (``ctx.needs_input_grad`` says which entries are wanted). Anything else the
backward needs (shapes, dims, indices) ``forward`` stores on ``ctx``; the node is the ctx.

The instance of an op class is the graph node, so ``type(y.grad_fn).__name__`` is the
PyTorch name given with ``name=``. Broadcasting and dtype are undone for every op in one
place, ``_finish_grad`` below: a formula returns its gradient in the broadcast shape.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

import numpy as np

from .._device import array_module, check_same_device
from .._dtype import from_numpy_dtype
from .._tensor import Tensor
from ..amp import autocast_mode
from ..autograd import forward_ad, grad_mode
from ..autograd.graph import (
    SECOND_BACKWARD,
    AccumulateGrad,
    Node,
    SavedTensor,
    _sequence,
    gradient_edge,
)
from ..autograd.graph import (
    _hook_stack as _saved_hooks,
)

__all__ = ["Op"]

_FREED = object()
_NO_EDGE = (None, 0)
_NOTHING: dict = {}
_new = object.__new__
_weakref = weakref.ref
_QUALIFIED = {"CopyBackwards": "torch::autograd::CopyBackwards"}
_grad_state = grad_mode._state
_anomaly = grad_mode._anomaly
_fw_state = forward_ad._state
_amp_state = autocast_mode._state


class Op(Node):
    """Base class of every built-in differentiable op (see the module docstring)."""

    # Filled in by __init_subclass__ from the method signatures.
    _input_names: tuple = ()
    _formulas: tuple = ()  # per input: (function, saved names) or None
    _combined: tuple | None = None  # saved names of a combined backward
    is_view = False
    n_outputs = 1
    _node_name = "Op"
    nondiff_outputs: tuple = ()
    # Node's ``__dict__`` lets forward store what backward needs (ctx.shape = ...).
    __slots__ = ("_saved", "_meta", "needs_input_grad")
    # (needs_input_grad pattern) -> names to save, filled on first use per pattern.
    _plans: dict

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plans = {}
        if name is not None:
            # Nodes torch defines in its engine answer name() with a qualified name
            # ("torch::autograd::CopyBackwards") while their class is the short one.
            full = _QUALIFIED.get(name, name)
            cls.__name__ = cls.__qualname__ = full.rsplit("::", 1)[-1]
            cls._node_name = full
        elif "_node_name" not in cls.__dict__:
            cls._node_name = cls.__name__
        if "forward" not in cls.__dict__:
            return
        params = list(inspect.signature(cls.forward).parameters.values())[2:]
        cls._input_names = tuple(p.name for p in params if p.kind in (
            p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL))
        if "backward" in cls.__dict__:
            cls._combined = _saved_names(cls.backward)
            cls._formulas = ()
        else:
            cls._combined = None
            formulas = []
            for n in cls._input_names:
                f = cls.__dict__.get("grad_" + n)
                formulas.append(None if f is None else (f, _saved_names(f)))
            cls._formulas = tuple(formulas)

    def name(self) -> str:
        return self._node_name

    # The hot path of the whole library: every op of every forward runs through here, so
    # it is written for speed (comprehensions, no helper calls where a test will do).
    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any) -> Any:
        """Run forward on the inputs' arrays and, if needed, record this op in the graph."""
        if _amp_state.enabled:
            inputs = autocast_mode._cast_inputs(cls, inputs)
        # One and two inputs are most ops: spelled out, they skip two comprehensions.
        n = len(inputs)
        if n == 2:
            a, b = inputs
            ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
            arrays = (a._data if ta else a, b._data if tb else b)
        elif n == 1:
            a = inputs[0]
            arrays = (a._data,) if isinstance(a, Tensor) else inputs
        else:
            arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
        ctx = _new(cls)
        xp = np if arrays[0].__class__ is np.ndarray else _xp_of(arrays)
        try:
            out = cls.forward(ctx, xp, *arrays, **attrs)
        except (TypeError, ValueError):
            # NumPy and CuPy refuse each other's arrays: say so as torch does, if that was it.
            check_same_device(arrays)
            raise

        if _grad_state.enabled:
            if n == 2:
                needs = (ta and a._requires_grad, tb and b._requires_grad)
            elif n == 1:
                needs = (isinstance(a, Tensor) and a._requires_grad,)
            else:
                needs = tuple([isinstance(x, Tensor) and x._requires_grad for x in inputs])
            record = True in needs
            inference = False
        else:
            record = False
            inference = _grad_state.inference
        if cls.n_outputs == 1:
            if out.__class__ is not np.ndarray:
                out = xp.asarray(out)
            if record and out.dtype.kind not in "fcV":  # integer results never require grad
                # ("V": ml_dtypes' bfloat16, NumPy's kind for its floats)
                record = False
            result = _new(Tensor)  # Tensor._make, spelled out
            result._data = out
            result._vc = [0]
            if record:
                result._grad_fn = ctx
                result._requires_grad = True
            else:
                result._grad_fn = None
                result._requires_grad = False
            if cls.is_view:
                _mark_view(result, inputs[0], cls, attrs, None)
            if record:
                ctx._record(inputs, needs, (result,))
            elif inference:
                result.__dict__["_inference"] = True
            if _fw_state.active:
                forward_ad._propagate(cls, ctx, inputs, attrs, (result,))
            return result
        results = []
        for i, o in enumerate(out):
            if o.__class__ is not np.ndarray:
                o = xp.asarray(o)
            diff = record and i not in cls.nondiff_outputs and o.dtype.kind in "fcV"
            r = Tensor._make(o, ctx if diff else None, None, i)
            if cls.is_view:
                _mark_view(r, inputs[0], cls, attrs, i)
            results.append(r)
        if record:
            ctx._record(inputs, needs, results)
        elif inference:
            for r in results:
                r.__dict__["_inference"] = True
        if _fw_state.active:
            forward_ad._propagate(cls, ctx, inputs, attrs, results)
        return tuple(results)

    def _record(self, inputs: tuple, needs: tuple, results: Any) -> None:
        self._seq = next(_sequence)
        if _anomaly.enabled:
            self.metadata["traceback_"] = grad_mode.forward_stack()
        self.needs_input_grad = needs
        edges = []
        meta = []
        for x, n in zip(inputs, needs):
            if n:
                # x.grad_fn is a property only because of views changed in place; read
                # the slot directly for the others.
                fn = x._grad_fn if x._base is None else x.grad_fn
                if fn is not None:
                    edges.append((fn, x._output_nr))
                elif x._base is None:  # a leaf
                    acc = x._accumulator
                    acc = acc() if acc is not None else None
                    if acc is None:
                        # x._grad_accumulator(), spelled out: the leaf holds its accumulator
                        # only weakly (as torch), so most forwards make a new one.
                        acc = _new(AccumulateGrad)
                        acc.variable = x
                        if x._hooks is not None:
                            acc._tensor_hooks = {0: x._hooks}
                        x._accumulator = _weakref(acc)
                    edges.append((acc, 0))
                else:
                    edges.append(gradient_edge(x))
                d = x._data
                meta.append((d.shape, d.dtype))
            else:
                edges.append(_NO_EDGE)
                meta.append(None)
        self.next_functions = tuple(edges)
        self._meta = meta
        plan = self._plans.get(needs)
        if plan is None:
            plan = self._plans[needs] = self._plan(needs)
        saved = {}
        for name, i in plan:
            if i < 0:
                saved[name] = SavedTensor(results[0], self)
            else:
                x = inputs[i]
                if not isinstance(x, Tensor):
                    saved[name] = x
                elif _saved_hooks:
                    saved[name] = SavedTensor(x)
                else:  # SavedTensor(x), spelled out
                    s = saved[name] = _new(SavedTensor)
                    s.tensor = x
                    s.version = x._vc[0]
        self._saved = saved

    @classmethod
    def _plan(cls, needs: tuple) -> tuple:
        """What to save when these inputs need gradients: (name, input index or -1 for the
        result) for each value the needed formulas name."""
        if cls._combined is not None:
            names = cls._combined
        else:
            names = []
            for f, n in zip(cls._formulas, needs):
                if n and f is not None:
                    names += [x for x in f[1] if x not in names]
        plan = [(n, -1 if n == "result" else cls._input_names.index(n)) for n in names]
        # torch saves inputs in their order, then the result (pack hooks see that order).
        return tuple(sorted(plan, key=lambda p: p[1] if p[1] >= 0 else len(names) + 99))

    def _unpack(self) -> dict:
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(SECOND_BACKWARD)
        out = {}
        for k, v in saved.items():
            if v.__class__ is SavedTensor:
                t = v.tensor
                # A saved input, unchanged and without hooks (the usual case): it is itself.
                if t is not None and v.unpack_hook is None and t._vc[0] == v.version:
                    out[k] = t
                else:
                    out[k] = v.unpack(self)
            else:
                out[k] = v
        return out

    def _run(self, grads: list, keep_graph: bool) -> list:
        grad = grads[0] if self.n_outputs == 1 else grads
        if grad is None:
            return [None] * len(self.next_functions)
        saved = self._saved
        # (A checkpoint's stand-in is an empty dict subclass until unpacking fills it.)
        values = _NOTHING if saved.__class__ is dict and not saved else self._unpack()
        if self._combined is not None:
            outs = list(self.backward(grad, **values))
        else:
            outs = [f[0](self, grad, *[values[n] for n in f[1]]) if need and f else None
                    for f, need in zip(self._formulas, self.needs_input_grad)]
        if not keep_graph and self._saved:
            self._saved = _FREED
        # (Most gradients already have their input's shape and dtype: no call for those.)
        return [g if g is None or m is None or g.__class__ is Tensor
                and g._data.shape == m[0] and g._data.dtype == m[1]
                else _finish_grad(g, m) for g, m in zip(outs, self._meta)]

    def _num_outputs(self) -> int:
        return self.n_outputs

    @property
    def _saved_tensors(self) -> tuple:
        return tuple(self._unpack().values())


def _saved_names(f: Any) -> tuple:
    return tuple(list(inspect.signature(f).parameters)[2:])


def _finish_grad(g: Any, meta: tuple) -> Tensor:
    """Sum a gradient back to its input's shape (broadcasting) and cast it to its dtype."""
    shape, dtype = meta
    if not isinstance(g, Tensor):
        from .creation import full

        g = full(shape, g)
    if g._data.shape != shape:
        g = g.sum_to_size(shape)
    if g._data.dtype != dtype:
        if g._data.dtype.kind == "c" and dtype.kind != "c":
            g = g.real  # a real input's gradient is the real part, as in PyTorch
        g = g.to(from_numpy_dtype(dtype))
    return g


def _xp_of(arrays: list) -> Any:
    for a in arrays:
        if hasattr(a, "__array_priority__") or hasattr(a, "shape"):
            return array_module(a)
    return np


def _mark_view(result: Tensor, source: Tensor, cls: type, attrs: dict,
               index: int | None) -> None:
    """Make ``result`` a view of ``source``'s base: shared memory and version counter, and
    enough to replay the view on another tensor (for CopySlices and grad_fn refresh)."""
    base = source._base if source._base is not None else source
    result._base = base
    result._vc = source._vc
    result._view = (cls, attrs, index, source._view if source._base is not None else None)
    result._view_version = source._vc[0]
    # torch's creation meta (see Tensor._nograd_view), inherited by views of such views.
    if not _grad_state.enabled:
        # Made under no_grad: no grad_fn, yet requires_grad when its base does; may not be
        # modified in place with grad on (views.check_inplace).
        result._nograd_view = True
        if base.requires_grad:
            result._requires_grad = True
    elif index is not None:
        result._multi_view = True
    elif source._nograd_view:
        result._nograd_view = True
    elif source._multi_view:
        result._multi_view = True

"""torch.autograd.Function: user-defined ops with their own forward and backward.

``MyFn.apply(*args)`` runs ``MyFn.forward(ctx, *args)`` without recording a graph, then
makes one node, ``MyFnBackward``, the grad_fn of every output. The node is the ``ctx``
(as in PyTorch), so whatever forward stores on ctx is there in backward. backward runs
with grad mode set to ``create_graph``: a backward written with ember ops is itself
differentiable, so double backward through a custom Function needs nothing extra.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

from .._tensor import Tensor
from . import grad_mode
from .graph import SECOND_BACKWARD, Node, SavedTensor, gradient_edge

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable",
           "InplaceFunction", "NestedIOFunction"]


class FunctionCtx:
    """What ``ctx`` offers inside forward and backward."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward, with the version check of saved tensors."""
        self._to_save = tensors

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for forward-mode AD (jvp)."""
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that forward modified in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that get no gradient."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether None output gradients reach backward as zeros (the default) or None."""
        self._materialize_grads = value


class BackwardCFunction(FunctionCtx, Node):
    """The graph node of a custom Function; subclassed once per Function as ``XBackward``."""

    _forward_cls: type = None  # type: ignore[assignment]
    _materialize_grads = True
    _to_save: tuple = ()
    _dirty: tuple = ()
    _non_differentiable: tuple = ()

    @property
    def saved_tensors(self) -> tuple:
        saved = self.__dict__.get("_saved")
        if saved is None:
            if self.__dict__.get("_freed"):
                raise RuntimeError(SECOND_BACKWARD)
            return tuple(self._to_save)
        return tuple(s.unpack(self) if isinstance(s, SavedTensor) else s for s in saved)

    saved_variables = saved_tensors

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    def apply(self, *grads: Any) -> Any:
        """Call the user's backward (what PyTorch's ``ctx.apply`` does)."""
        return self._forward_cls.backward(self, *grads)

    def _run(self, grads: list, keep_graph: bool) -> list:
        if self.__dict__.get("_freed"):
            raise RuntimeError(SECOND_BACKWARD)
        if self._materialize_grads:
            from ..ops.creation import zeros

            grads = [g if g is not None else zeros(shape, dtype=dt, device=dev)
                     for g, (shape, dt, dev) in zip(grads, self._out_meta)]
        out = self._forward_cls.backward(self, *grads)
        if not isinstance(out, tuple):
            out = (out,)
        n = len(self._arg_is_tensor)
        if len(out) != n:
            if len(out) > n and all(g is None for g in out[n:]):
                out = out[:n]
            else:
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect "
                                   f"number of gradients (expected {n}, got {len(out)})")
        if not keep_graph and self.__dict__.get("_saved") is not None:
            self._saved = None
            self._freed = True
        result = []
        for i, (g, is_tensor) in enumerate(zip(out, self._arg_is_tensor)):
            if not is_tensor:
                continue
            meta = self._in_meta[len(result)]
            if g is not None and meta is not None:
                g = _validate(self, i, g, meta)
            result.append(g if meta is not None else None)
        return result


def _validate(node: Node, i: int, g: Any, meta: tuple) -> Tensor:
    from ..ops._op import _finish_grad

    shape = meta[0]
    if not isinstance(g, Tensor):
        raise TypeError(f"function {type(node).__name__} returned a gradient different than "
                        f"None at position {i + 1}, but the corresponding forward input was "
                        "not a Variable")
    if tuple(g.shape) != tuple(shape):
        try:
            import numpy as np

            if np.broadcast_shapes(tuple(shape), tuple(g.shape)) != tuple(g.shape):
                raise ValueError
        except ValueError:
            raise RuntimeError(
                f"Function {type(node).__name__} returned an invalid gradient at index {i} - "
                f"got {list(g.shape)} but expected shape compatible with {list(shape)}") \
                from None
    return _finish_grad(g, (shape, meta[1]))


class FunctionMeta(type):
    """Makes the ``XBackward`` node class for every Function subclass ``X``."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls, "__module__": cls.__module__})
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """torch.autograd.Function: subclass it with static ``forward`` and ``backward``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any) -> Any:
        # Old-style Functions (forward(self, input) on an instance) were removed from
        # PyTorch; ember still runs them, so that old tutorials keep working.
        return _legacy_apply(self, *args)

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs from the inputs (override this)."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        """Alternative to saving inside forward (PyTorch 2.0 style)."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Gradients of the inputs from the gradients of the outputs (override this)."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        """Forward-mode derivative (override this for forward AD)."""
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward and record one node for the whole function."""
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        needs = tuple(t and a.requires_grad for a, t in zip(args, is_tensor))
        ctx.needs_input_grad = needs
        record = grad_mode.is_grad_enabled() and any(needs)
        uses_setup = cls.setup_context is not Function.setup_context
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args, **kwargs) if not uses_setup else \
                cls.forward(*args, **kwargs)
        if uses_setup:
            cls.setup_context(ctx, args, out)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if not record:
            return out
        Node.__init__(ctx)
        ctx._arg_is_tensor = is_tensor
        tensor_args = [a for a, t in zip(args, is_tensor) if t]
        ctx.next_functions = tuple(gradient_edge(a) if a.requires_grad else (None, 0)
                                   for a in tensor_args)
        ctx._in_meta = tuple((a._data.shape, a._data.dtype) if a.requires_grad else None
                             for a in tensor_args)
        outs = _wrap_outputs(ctx, args, outs)
        ctx._n_outputs = len(outs)
        ctx._out_meta = tuple((o.shape, o.dtype, o.device) if isinstance(o, Tensor)
                              else ((), None, None) for o in outs)
        ctx._saved = tuple(
            None if t is None else SavedTensor(t, ctx) if any(t is o for o in outs)
            else SavedTensor(t) for t in ctx._to_save)
        return outs[0] if single else outs


def _wrap_outputs(ctx: BackwardCFunction, args: tuple, outs: tuple) -> tuple:
    """Give every differentiable output the node as grad_fn (PyTorch's rules for inputs
    returned as they are, inputs modified in place, and non-differentiable outputs)."""
    from ..ops.views import check_inplace

    dirty = ctx._dirty
    nondiff = ctx._non_differentiable
    wrapped = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            wrapped.append(o)
            continue
        if any(o is n for n in nondiff):
            wrapped.append(o)
            continue
        if any(o is d for d in dirty):
            check_inplace(o)
            o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True
            if o._base is not None:
                o._view_version = o._vc[0]
            wrapped.append(o)
            continue
        if any(o is a for a in args):
            o = o.view_as(o)  # an input handed back becomes a view with this grad_fn
        if o._grad_fn is not None or o._requires_grad:
            o = o.detach() if o._base is None else o
        o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True
        if o._base is not None:
            o._view_version = o._vc[0]
        wrapped.append(o)
    return tuple(wrapped)


def _legacy_apply(fn: Function, *args: Any) -> Any:
    """Run an old-style Function instance: forward(self, *inputs), backward(self, *grads)."""
    adapter = type(type(fn).__name__, (Function,), {
        "forward": staticmethod(lambda ctx, *a: fn.forward(*a)),
        "backward": staticmethod(lambda ctx, *g: fn.backward(*g)),
        "__module__": type(fn).__module__,
    })
    return adapter.apply(*args)


def once_differentiable(fn: Any) -> Any:
    """torch.autograd.function.once_differentiable: backward runs without building a graph,
    and differentiating its result again raises an error."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with grad_mode.no_grad():
            out = fn(ctx, *args)
        if not grad_mode.is_grad_enabled():
            return out
        requires = any(isinstance(a, Tensor) and a.requires_grad for a in args)
        if not requires:
            return out
        outs = out if isinstance(out, tuple) else (out,)
        marked = tuple(_DelayedError.apply(o) if isinstance(o, Tensor) else o for o in outs)
        return marked if isinstance(out, tuple) else marked[0]

    return wrapper


class _DelayedError(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return x.clone()

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


class InplaceFunction(Function):
    """torch.autograd.function.InplaceFunction."""

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = inplace


NestedIOFunction = Function

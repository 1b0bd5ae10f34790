"""torch.autograd.Function: user-defined ops with their own forward and backward.

``MyFn.apply(*args)`` runs ``MyFn.forward(ctx, *args)`` without recording a graph, then
makes one node, ``MyFnBackward``, the grad_fn of every differentiable output. The node is
the ``ctx`` (as in PyTorch), so whatever forward stores on ctx is there in backward.
backward runs with grad mode set to ``create_graph``: a backward written with ember ops is
itself differentiable, so double backward through a custom Function needs nothing extra.

How outputs are wired follows torch/csrc/autograd/custom_function.cpp (``_wrap_outputs``):
an input returned as-is becomes a view of it, an input marked dirty gets the node as its
new history (its base a ``CopySlices`` when it is a view), non-differentiable outputs
(marked, or of integer dtype) get no history at all.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

from .._tensor import Tensor
from . import forward_ad, grad_mode
from .graph import SECOND_BACKWARD, Node, SavedTensor, gradient_edge

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "FunctionMeta",
           "once_differentiable", "InplaceFunction", "NestedIOFunction"]

_LEGACY_CALL = (
    "Legacy autograd function with non-static forward method is deprecated. Please use "
    "new-style autograd function with static forward method. (Example: "
    "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")
_DIRTY_NOT_RETURNED = (
    "Some elements marked as dirty during the forward method were not returned as output. "
    "The inputs that are modified inplace must all be outputs of the Function.")
_DIRTY_VIEW_MULTI = (
    "If your Function modifies inplace an input that is a view of another Tensor, your "
    "Function cannot return more than one Tensor. This is not supported by the current "
    "autograd engine. You should either make sure the input is not a view (using .clone() "
    "for example) or make your Function only return one Tensor (potentially splitting it "
    "into two Functions: one doing the inplace that returns a single Tensor and a second one "
    "that does the other operations). You can ask on the forum https://discuss.pytorch.org/ "
    "if you need help to do this change.")
_SAVED_RETURNED_INPUT = (
    "An input that has been returned as-is as output is being saved for backward. This is "
    "not supported if you override setup_context. You should return and save a view of the "
    "input instead, e.g. with x.view_as(x) or setup ctx inside the forward function itself.")
_NO_TANGENT = (
    "(new_grad_base.is_floating_point() || new_grad_base.is_complex()) && "
    "(self_base.is_floating_point() || self_base.is_complex()) INTERNAL ASSERT FAILED at "
    '"/__w/pytorch/pytorch/torch/csrc/autograd/autograd_meta.cpp":159, please report a bug to '
    "PyTorch. Expected both tensor and its forward grad to be floating point or complex")
_ONCE = ("trying to differentiate twice a function that was marked with "
         "@once_differentiable")


class FunctionCtx:
    """What ``ctx`` offers inside forward (or setup_context) and backward."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """ctx.save_for_backward: keep tensors for backward, with the in-place version check."""
        self.to_save = tensors

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        """ctx.save_for_forward: keep tensors for forward-mode AD (jvp)."""
        for t in tensors:
            if not (isinstance(t, Tensor) or t is None):
                raise AssertionError("save_for_forward expects all arguments to be tensors; "
                                     "you should save non-tensors as attributes on ctx.")
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Tensor) -> None:
        """ctx.mark_dirty: declare inputs that forward modified in place."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Tensor) -> None:
        """ctx.mark_non_differentiable: declare outputs that get no gradient."""
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        """ctx.set_materialize_grads: None output gradients reach backward as zeros (True,
        the default) or as None."""
        self.materialize_grads = value


class BackwardCFunction(FunctionCtx, Node):
    """The graph node of a custom Function; subclassed once per Function as ``XBackward``."""

    _forward_cls: type = None  # type: ignore[assignment]
    to_save: tuple | None = None
    dirty_tensors: tuple | None = None
    non_differentiable: tuple | None = None
    needs_input_grad: tuple = ()

    @property
    def saved_tensors(self) -> tuple:
        """ctx.saved_tensors: the saved tensors, checked against in-place changes."""
        d = self.__dict__
        if d.get("_freed"):
            raise RuntimeError(SECOND_BACKWARD)
        if d.get("_in_jvp"):  # jvp sees what forward saved with save_for_forward
            return tuple(d.get("saved_for_forward") or ())
        saved = d.get("_saved")
        if saved is None:
            return ()  # inside forward, torch shows nothing yet
        return tuple(_unpack(s, self) for s in saved)

    saved_variables = saved_tensors

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    def __call__(self, *grads: Any) -> Any:
        # Built-in nodes can be called; torch's Python-defined ones cannot (use .apply).
        raise TypeError(f"'{type(self).__name__}' object is not callable")

    def _get_user_fn(self) -> Any:
        fwd = self._forward_cls
        if fwd.backward is not Function.backward and fwd.vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function "
                               "is not allowed. You should only implement one of them.")
        return fwd.vjp if fwd.vjp is not Function.vjp else fwd.backward

    def apply(self, *grads: Any) -> Any:
        """BackwardCFunction.apply: call the user's backward (or vjp)."""
        return self._get_user_fn()(self, *grads)

    def _run(self, grads: list, keep_graph: bool) -> list:
        if self.__dict__.get("materialize_grads", True):
            from ..ops.creation import zeros

            grads = [g if g is not None or m is None else zeros(m[0], dtype=m[1], device=m[2])
                     for g, m in zip(grads, self._out_meta)]
        out = self.apply(*grads)
        if not keep_graph:
            # Only reading saved_tensors afterwards is an error: a Function that saved
            # nothing can be run backward twice, as in torch.
            self.__dict__["_saved"] = None
            self.__dict__["_freed"] = True
        return self._check_grads(out)

    def _check_grads(self, out: Any) -> list:
        """torch's validate_outputs: count, types and shapes of the returned gradients."""
        if not isinstance(out, tuple):
            out = (out,)
        n = len(self._arg_is_tensor)
        if len(out) != n:
            if len(out) > n and all(g is None for g in out[n:]):
                out = out[:n]
            else:
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect "
                                   f"number of gradients (expected {n}, got {len(out)})")
        result = []
        for i, (g, is_tensor) in enumerate(zip(out, self._arg_is_tensor)):
            if g is not None and not isinstance(g, Tensor):
                if not is_tensor:
                    _not_a_variable(self, i)
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if not is_tensor:
                if g is not None:
                    _not_a_variable(self, i)
                continue
            meta = self._in_meta[len(result)]
            if g is not None and meta is not None:
                g = _validate(self, len(result), g, meta)
            result.append(g if meta is not None else None)
        return result


def _not_a_variable(node: Node, i: int) -> None:
    raise RuntimeError(f"function {type(node).__name__} returned a gradient different than "
                       f"None at position {i + 1}, but the corresponding forward input was "
                       "not a Variable")


def _unpack(s: Any, owner: Node) -> Any:
    if s is None:
        return None
    saved, nr = s
    t = saved.unpack(owner)
    if saved.tensor is None:
        t._output_nr = nr  # SavedTensor rebuilds outputs as output 0
    return t


def _validate(node: Node, index: int, g: Tensor, meta: tuple) -> Tensor:
    """Sum a broadcast gradient back to the input's shape and dtype, or raise torch's error
    (``index`` counts tensor inputs only, as torch's edges do)."""
    from ..ops._op import _finish_grad

    shape = meta[0]
    if g._data.shape != shape:
        import numpy as np

        try:
            ok = np.broadcast_shapes(shape, g._data.shape) == g._data.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"Function {type(node).__name__} returned an invalid gradient at index {index} "
                f"- got {list(g.shape)} but expected shape compatible with {list(shape)}")
    return _finish_grad(g, meta)


class FunctionMeta(type):
    """Makes the ``XBackward`` node class for every Function subclass ``X``."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls, "__module__": __name__})
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """torch.autograd.Function: subclass it with static ``forward`` and ``backward``."""

    generate_vmap_rule = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are "
            "all static, so you should invoke them on the class itself. Instantiating an "
            "autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if isinstance(inspect.getattr_static(type(self), "forward"), staticmethod):
            raise RuntimeError(_LEGACY_CALL)
        # Old-style Functions (forward(self, input) called on an instance) were removed from
        # PyTorch, which raises the error above; ember runs them on purpose, so that old
        # tutorials keep working (the DeprecationWarning of __init__ has been given).
        return _legacy_apply(self, *args)

    @property
    def saved_tensors(self) -> tuple:
        """What a legacy Function instance saved (its ``self`` stands for ctx)."""
        ctx = self.__dict__.get("_legacy_ctx")
        return () if ctx is None else ctx.saved_tensors

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        """Function.forward: compute the outputs from the inputs (override this)."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        """Function.setup_context: fill ctx after a ctx-less forward (PyTorch 2.0 style)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Function.backward: input gradients from output gradients (override this)."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    # vjp and backward are aliases of each other; a subclass overrides one of them.
    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        """Function.jvp: the output tangents from the input tangents (override this)."""
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        """Function.vmap (ember has no vmap)."""
        raise NotImplementedError("To use autograd.Function with vmap, you must either "
                                  "override the vmap staticmethod or set "
                                  "generate_vmap_rule=True.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Function.apply: run forward and record one node for the whole function."""
        setup = cls.setup_context is not Function.setup_context
        if setup:  # torch binds defaults, so setup_context sees every positional input
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        Node.__init__(ctx)
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        # needs_input_grad follows requires_grad even under no_grad, as in torch.
        ctx.needs_input_grad = tuple(t and a.requires_grad for a, t in zip(args, is_tensor))
        record = grad_mode.is_grad_enabled() and True in ctx.needs_input_grad
        if record:
            if grad_mode._anomaly.enabled:
                ctx.metadata["traceback_"] = grad_mode.forward_stack()
            # Edges are taken before forward runs: forward may modify inputs in place.
            tensor_args = [a for a, t in zip(args, is_tensor) if t]
            ctx.next_functions = tuple(gradient_edge(a) if a.requires_grad else (None, 0)
                                       for a in tensor_args)
            ctx._in_meta = tuple((a._data.shape, a._data.dtype) if a.requires_grad else None
                                 for a in tensor_args)
            ctx._arg_is_tensor = is_tensor
        tangents = None
        if forward_ad._state.active:
            tangents = [forward_ad._tangent(a) if t else None for a, t in zip(args, is_tensor)]
            if not any(t is not None for t in tangents):
                tangents = None
        if tangents is None:
            with grad_mode.no_grad():
                if setup:
                    out = cls.forward(*args, **kwargs)
                    cls.setup_context(ctx, args, out)
                else:
                    out = cls.forward(ctx, *args, **kwargs)
            single = not isinstance(out, tuple)  # a list is one (non-tensor) output, as torch
            outs = _wrap_outputs(ctx, args, (out,) if single else out, record)
        else:
            with grad_mode.no_grad(), _HideTangents():
                out = _run_forward(cls, ctx, args, kwargs, setup)
            single = not isinstance(out, tuple)
            with _HideTangents():  # the outputs' tangents come from jvp below
                outs = _wrap_outputs(ctx, args, (out,) if single else out, record)
            _forward_ad(cls, ctx, args, tangents, outs)
        if record:
            ctx._n_outputs = len(outs)
            ctx._out_meta = tuple((o._data.shape, o.dtype, o.device)
                                  if isinstance(o, Tensor) else None for o in outs)
            _save_variables(ctx, args, outs, setup)
        return outs[0] if single else outs


def _run_forward(cls: type, ctx: BackwardCFunction, args: tuple, kwargs: dict,
                 setup: bool) -> Any:
    if setup:
        out = cls.forward(*args, **kwargs)
        cls.setup_context(ctx, args, out)
        return out
    return cls.forward(ctx, *args, **kwargs)


class _HideTangents:
    """Inside forward and jvp torch shows no tangents and propagates none."""

    __slots__ = ("was",)

    def __enter__(self) -> None:
        st = forward_ad._state
        self.was = (st.active, st.hidden)
        st.active, st.hidden = False, True

    def __exit__(self, *exc: object) -> None:
        forward_ad._state.active, forward_ad._state.hidden = self.was


def _forward_ad(cls: type, ctx: BackwardCFunction, args: tuple, tangents: list,
                outs: tuple) -> None:
    """Run the Function's jvp and give its outputs their tangents, with torch's checks
    (custom_function.cpp, _process_forward_mode_AD)."""
    from ..ops.creation import zeros_like

    grads = tuple(t if t is not None or not isinstance(a, Tensor) or
                  not (a.dtype.is_floating_point or a.dtype.is_complex) else zeros_like(a)
                  for a, t in zip(args, tangents))
    ctx.__dict__["_in_jvp"] = True
    try:
        with _HideTangents():
            res = cls.jvp(ctx, *grads)
    finally:
        del ctx.__dict__["_in_jvp"]
    if not isinstance(res, tuple):
        res = (res,)
    if len(res) != len(outs):
        raise RuntimeError("Function's jvp returned an invalid number of forward gradients "
                           f"(expected {len(outs)} but got {len(res)})")
    dirty = ctx.dirty_tensors or ()
    nondiff = ctx.non_differentiable or ()
    saved = {}
    for i, (o, g) in enumerate(zip(outs, res)):
        if g is not None and not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__}) for grad "
                               f"output {i}.")
        if not isinstance(o, Tensor):
            continue
        differentiable = not any(o is n for n in nondiff) and (
            o.dtype.is_floating_point or o.dtype.is_complex)
        if g is None:
            if differentiable:  # torch's (internal) assert, word for word
                raise RuntimeError(_NO_TANGENT)
            continue
        if not differentiable:
            raise RuntimeError(f"Function's jvp returned a gradient at position {i}, but  the "
                               "corresponding forward output is not a differentiable Tensor."
                               "You should return None at that position instead.")
        k = next((k for k, a in enumerate(args) if a is o), None)
        if k is not None and any(o is d for d in dirty):
            if g is not grads[k]:
                raise RuntimeError(
                    "An inplace custom Function is not modifying the forward mode gradients "
                    "inplace. If the forward is modifying an input inplace, then the jvp "
                    "function must modify the corresponding gradient inplace.")
            if tangents[k] is None:
                forward_ad._set_tangent(o, g)
            continue
        forward_ad._check_tangent(o, g, forward_ad._current_level)
        if o._base is not None:
            _check_view_tangent(o, g, args, grads)
        forward_ad._store(o, g)
        saved[i] = g
    if saved:  # outputs saved for backward come back through the node (forward-over-reverse)
        forward_ad._store(ctx, saved)


def _root(t: Tensor) -> Tensor:
    return t if t._base is None else t._base


def _check_view_tangent(o: Tensor, g: Tensor, args: tuple, grads: tuple) -> None:
    """An output that is a view of an input needs a tangent that is a view of that input's
    tangent."""
    if g._base is None:
        raise RuntimeError("A custom Function's forward is returning a view (or an input "
                           "as-is) but the jvp is not returning a view.")
    for a, tg in zip(args, grads):
        if isinstance(a, Tensor) and tg is not None and _root(a) is o._base:
            if g._base is not _root(tg):
                which = ("of the same base as the given grad input"
                         if forward_ad._fw_view(a) is not None else "of the given grad input")
                raise RuntimeError(f"A custom Function is returning a view but the jvp is not "
                                   f"returning a view {which}.")
            return


def _wrap_outputs(ctx: BackwardCFunction, args: tuple, outs: tuple, record: bool) -> tuple:
    """Give every differentiable output the node as grad_fn, with torch's rules for inputs
    returned as they are, inputs modified in place and non-differentiable outputs."""
    dirty = ctx.dirty_tensors or ()
    nondiff = ctx.non_differentiable or ()
    for d in dirty:
        d._vc[0] += 1  # torch bumps the version of every dirty tensor once more
    wrapped = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            wrapped.append(o)
            continue
        is_input = any(o is a for a in args)
        is_dirty = any(o is d for d in dirty)
        diff = record and not any(o is n for n in nondiff) and \
            (o.dtype.is_floating_point or o.dtype.is_complex)
        if not diff:
            if not o.requires_grad:
                if is_input and not is_dirty:
                    o = _view_of_input(o, None, i)
            elif is_input:
                o = o.detach()  # a detached alias, rather than changing the input itself
            elif o._base is None:
                o.detach_()
        elif is_dirty:
            _rebase_dirty(ctx, o, i, is_input, len(outs))
        elif is_input:
            o = _view_of_input(o, ctx, i)
        else:
            o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True
            if o._base is not None:  # a view made inside forward
                o._view_version = o._vc[0]
                _forbid_inplace(o, ctx, i)
        wrapped.append(o)
    if any(not any(d is o for o in outs) for d in dirty):
        raise RuntimeError(_DIRTY_NOT_RETURNED)
    return tuple(wrapped)


def _view_of_input(o: Tensor, ctx: BackwardCFunction | None, i: int) -> Tensor:
    """An input handed back unchanged: torch returns a view of it (never the input itself)."""
    with grad_mode.no_grad():
        v = o.view_as(o)
    if ctx is not None:
        v._grad_fn, v._output_nr, v._requires_grad = ctx, i, True
        v._view_version = v._vc[0]
        _forbid_inplace(v, ctx, i)
    return v


def _forbid_inplace(v: Tensor, ctx: BackwardCFunction, i: int) -> None:
    """torch forbids in-place changes to a view that a custom Function returns ("Output 0 of
    X is a view and is being modified inplace ..."). ``_custom_fn_view`` names it for that
    message; ``_nograd_view`` makes views.py raise (its no_grad-view wording) meanwhile."""
    v.__dict__["_nograd_view"] = True
    v.__dict__["_custom_fn_view"] = f"Output {i} of {ctx._forward_cls.__name__}"


def _rebase_dirty(ctx: BackwardCFunction, o: Tensor, i: int, is_input: bool,
                  n_outputs: int) -> None:
    """An input modified in place by forward: the node becomes its history (torch's
    rebase_history), through CopySlices on its base when it is a view."""
    from ..ops.views import CopySlices, _rehome_retained, check_inplace

    if o._base is None and o._grad_fn is None and o._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    if not is_input:
        warnings.warn(
            "ctx.mark_dirty() received a tensor that was not an input. Only input Tensors "
            "that have been mutated should be passed to ctx.mark_dirty(). (Triggered "
            "internally at /__w/pytorch/pytorch/torch/csrc/autograd/custom_function.cpp:320.)",
            UserWarning, stacklevel=4)
    if o._base is not None:
        if n_outputs > 1:
            raise RuntimeError(_DIRTY_VIEW_MULTI)
        check_inplace(o)
        base = o._base
        node = CopySlices(base, o._view, None, (ctx, i))
        _rehome_retained(base, node, 0)
        base._grad_fn, base._output_nr, base._requires_grad = node, 0, True
        return  # o's stale _view_version gives it AsStridedBackward0 when looked at
    o._grad = None
    _rehome_retained(o, ctx, i)
    o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True


def _save_variables(ctx: BackwardCFunction, args: tuple, outs: tuple, setup: bool) -> None:
    """Turn ``ctx.to_save`` into SavedTensors (outputs saved without a reference cycle)."""
    to_save = ctx.to_save
    ctx.to_save = None
    saved = []
    for k, t in enumerate(to_save or ()):
        if t is None:
            saved.append(None)
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument {k} is "
                            f"of type {type(t).__name__}")
        if setup and any(t is a for a in args) and any(
                isinstance(o, Tensor) and o._base is t and o._grad_fn is ctx for o in outs):
            raise RuntimeError(_SAVED_RETURNED_INPUT)
        if t._grad_fn is ctx and t._base is None:
            saved.append((SavedTensor(t, ctx), t._output_nr))
        else:
            saved.append((SavedTensor(t), 0))
    ctx.__dict__["_saved"] = tuple(saved)


def _legacy_apply(fn: Function, *args: Any) -> Any:
    """Run an old-style Function instance: forward(self, *inputs), backward(self, *grads).

    The instance stands for ctx: what it saves or marks in forward is moved onto the node,
    and backward reads ``self.saved_tensors`` through it.
    """
    moved = ("to_save", "dirty_tensors", "non_differentiable", "materialize_grads")

    def forward(ctx: Any, *a: Any) -> Any:
        fn.needs_input_grad = ctx.needs_input_grad
        out = fn.forward(*a)
        for name in moved:
            if name in fn.__dict__:
                setattr(ctx, name, fn.__dict__.pop(name))
        fn.__dict__["_legacy_ctx"] = ctx
        return out

    def backward(ctx: Any, *grads: Any) -> Any:
        return fn.backward(*grads)

    adapter = FunctionMeta(type(fn).__name__, (Function,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "__module__": type(fn).__module__})
    return adapter.apply(*args)


class Error(Node):
    """torch::autograd::Error: the node once_differentiable puts after a backward, which
    raises when it is differentiated."""

    __slots__ = ("msg", "_n_outputs")

    def name(self) -> str:
        return "torch::autograd::Error"

    def _run(self, grads: list, keep_graph: bool) -> list:
        raise RuntimeError(self.msg)


def _delayed_error(outs: tuple) -> tuple:
    node = Error()
    node.msg = _ONCE
    edges, results = [], []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            edges.append((None, 0))
            results.append(o)
            continue
        # torch's fake_requires_grad: a detached alias that requires grad gives the node
        # an edge, so that the result has requires_grad=True and grad_fn=<Error>.
        fake = o.detach()
        fake._requires_grad = True
        edges.append(gradient_edge(fake))
        results.append(Tensor._make(o._data, node, None, i))
    node.next_functions = tuple(edges)
    node._n_outputs = len(outs)
    return tuple(results)


def once_differentiable(fn: Any) -> Any:
    """torch.autograd.function.once_differentiable: backward runs without building a graph,
    and differentiating its result again raises an error."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        with grad_mode.no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not grad_mode.is_grad_enabled():
            return outputs
        # As torch: an approximation of "requires grad" from the incoming gradients only.
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        marked = _delayed_error(outs)
        return marked if isinstance(outputs, tuple) else marked[0]

    return wrapper


class InplaceFunction(Function):
    """torch.autograd.function.InplaceFunction (kept for backward compatibility)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """torch.autograd.function.NestedIOFunction (kept for backward compatibility)."""

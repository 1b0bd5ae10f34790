"""The backward graph: Node (a tensor's grad_fn), AccumulateGrad, edges, saved tensors.

A Node holds ``next_functions``: one edge ``(node, output_nr)`` per differentiable input,
pointing at the node that produced that input (or the AccumulateGrad of a leaf). The
engine (engine.py) walks these edges; this file only says what a node is.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable
from sys import getrefcount
from typing import Any, NamedTuple

from .. import _tensor as _T  # partially imported here (it imports us); used at call time
from .._device import array_module
from .grad_mode import _state as _grad_state

__all__ = ["Node", "AccumulateGrad", "CopyBackwards", "SavedTensor", "gradient_edge",
           "RemovableHandle", "GradientEdge", "get_gradient_edge", "saved_tensors_hooks",
           "save_on_cpu", "disable_saved_tensors_hooks"]

_sequence = itertools.count()

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class RemovableHandle:
    """What register_hook returns: ``handle.remove()`` takes the hook away."""

    __slots__ = ("_hooks", "_key")
    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self._key = next(self._ids)

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Node:
    """A function of the backward graph; ``tensor.grad_fn`` is one of these."""

    # Hooks and retained grads are rare: they live in the instance __dict__ once set and
    # read these class defaults until then, which keeps node creation to two stores.
    __slots__ = ("next_functions", "_seq", "__weakref__", "__dict__")
    _pre_hooks = _hooks = _tensor_hooks = _retains = None

    def __init__(self) -> None:
        self.next_functions: tuple = ()
        self._seq = next(_sequence)

    def name(self) -> str:
        return type(self).__name__

    def _num_outputs(self) -> int:
        # How many gradients the node takes (one per output of its forward).
        return getattr(self, "_n_outputs", 1)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def metadata(self) -> dict:
        """Node.metadata: a dict users may store anything in (made on first use)."""
        return self.__dict__.setdefault("_metadata", {})

    def _sequence_nr(self) -> int:
        return self._seq

    # -- what the engine calls ------------------------------------------------------------
    def _run(self, grads: list, keep_graph: bool) -> tuple:
        """Gradients for each edge in next_functions, given one gradient per output."""
        raise NotImplementedError

    def __call__(self, *grads: Any) -> Any:
        out = self._run(list(grads), True)
        return out[0] if len(out) == 1 else tuple(out)

    # -- hooks -------------------------------------------------------------------------------
    def register_hook(self, fn: Callable) -> RemovableHandle:
        """Node.register_hook: fn(grad_inputs, grad_outputs) after this node has run."""
        if self._hooks is None:
            self._hooks = {}
        h = RemovableHandle(self._hooks)
        self._hooks[h._key] = fn
        return h

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """Node.register_prehook: fn(grad_outputs) before this node runs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h._key] = fn
        return h

    def _add_tensor_hook(self, output_nr: int, fn: Callable) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(output_nr, {})
        h = RemovableHandle(hooks)
        hooks[h._key] = fn
        return h

    def _retain_grad(self, output_nr: int, tensor: Any) -> None:
        if self._retains is None:
            self._retains = {}
        self._retains[output_nr] = weakref.ref(tensor)


# The references an unshared gradient has inside AccumulateGrad._run: the engine's list of
# incoming gradients, the local name and getrefcount's own argument (for its array: the
# tensor's slot, the local name and the argument). More means someone else can see it.
_GRAD_REFS = 3
_ARRAY_REFS = 3


def _unshared_base(grad: Any, a: Any) -> bool:
    """Whether the memory of view ``a`` (grad's array) is held by nothing but ``a`` and, if
    grad is an ember view, by grad's base tensor when nobody else holds that one (a weight's
    gradient is the transpose of a fresh product, say)."""
    base = a.base
    if base is None:
        return True
    refs = getrefcount(base) - 3  # less this local, getrefcount's argument and a.base
    if refs and grad._base is not None and getrefcount(grad._base) <= 2:
        d = grad._base._data
        if d is base or d.base is base:
            refs -= 1
    return refs <= 0


class AccumulateGrad(Node):
    """The node behind a leaf that requires grad: adds what arrives into ``leaf.grad``.

    The leaf's own hooks (``register_hook``) are this node's tensor pre-hooks: the engine
    runs them before the gradient is accumulated, and on what autograd.grad captures.
    """

    __slots__ = ("variable",)
    _seq = float("inf")  # run as soon as ready, as PyTorch does
    next_functions = ()

    def __init__(self, variable: Any) -> None:
        # Made once per graph for every leaf in it (the leaf only holds a weakref, as in
        # torch), so this stays short: no Node.__init__, the class gives _seq and edges.
        self.variable = variable
        if variable._hooks is not None:
            self._tensor_hooks = {0: variable._hooks}

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def _run(self, grads: list, keep_graph: bool) -> tuple:
        grad = grads[0]
        if grad is None:
            return ()
        var = self.variable
        old = var._grad
        if _grad_state.enabled:  # create_graph: .grad keeps the gradient's own history
            if old is not None:
                var._grad = old + grad
            elif grad._requires_grad:
                var._grad = _copy_with_history(grad, var)
            else:
                var._grad = _T.Tensor._make(_copy_like(grad._data, var._data))
        elif old is None:
            g = grad._data
            if (getrefcount(grad) <= _GRAD_REFS and getrefcount(g) <= _ARRAY_REFS
                    and g.flags.writeable and _unshared_base(grad, g)
                    and g.shape == var._data.shape and g.strides == var._data.strides
                    and g.dtype == var._data.dtype):
                # Nobody else holds this gradient (the engine made it for this leaf only):
                # take its memory as .grad without a copy, as torch's AccumulateGrad steals
                # it (a new tensor: .grad is no view, whatever made the array).
                var._grad = _T.Tensor._make(g)
            else:
                # A copy: the arriving array may be shared (AddBackward hands the same
                # gradient to both inputs, and users pass their own `gradient` tensor).
                var._grad = _T.Tensor._make(_copy_like(g, var._data))
        else:
            # In place, as torch does (even into a .grad that has history).
            g = grad._data
            old._data += g if g.dtype == old._data.dtype else g.astype(old._data.dtype)
            old._vc[0] += 1
        if var._post_acc_hooks:
            for hook in tuple(var._post_acc_hooks.values()):
                hook(var)
        return ()


class CopyBackwards(Node):
    """grad_fn of a ``.grad`` first filled with create_graph=True (torch copies into a fresh
    tensor, so that is what users see)."""

    __slots__ = ()

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"

    def _run(self, grads: list, keep_graph: bool) -> list:
        return [None, grads[0]]


def _copy_like(data: Any, like: Any) -> Any:
    """A copy of a gradient laid out like its variable (torch's "gradient layout contract":
    a transposed parameter gets a transposed .grad)."""
    if like.flags.c_contiguous or data.shape != like.shape:
        return data.copy()
    out = array_module(like).empty_like(like, dtype=data.dtype)  # "K": like's own layout
    out[...] = data
    return out


def _copy_with_history(grad: Any, var: Any) -> Any:
    node = CopyBackwards()
    node.next_functions = ((None, 0), gradient_edge(grad))
    t = _T.Tensor._make(_copy_like(grad._data, var._data), node)
    t._vc[0] = 1  # torch fills it with copy_, which counts as one change
    return t


class SavedTensor:
    """A tensor saved for backward, with the version it had when it was saved.

    Under ``saved_tensors_hooks`` the pack hook's result is kept instead, and the unpack hook
    gives the tensor back at backward time; as in torch, the version check is then the
    hooks' business (what they keep need not be the tensor at all).
    """

    # An op's input is saved as (tensor, version): two slots. The rest (an output's array
    # and counter, hooks' packed values) are class defaults that those cases override.
    __slots__ = ("tensor", "version", "__dict__")
    data = vc = node = packed = unpack_hook = None

    def __init__(self, tensor: Any, node: Node | None = None) -> None:
        self.version = tensor._vc[0]
        if _hook_stack:
            self._pack(tensor)
        elif node is None:
            self.tensor = tensor
        else:
            # An output of the node that saves it: holding the tensor itself would make a
            # cycle (tensor -> grad_fn -> saved -> tensor), so keep its array and counter
            # and rebuild a tensor with the node as its grad_fn when it is unpacked.
            self.tensor, self.data, self.vc = None, tensor._data, tensor._vc
            self.node = weakref.ref(node)

    def _pack(self, tensor: Any) -> None:
        pack, self.unpack_hook = _hook_stack[-1]
        self.packed = pack(tensor)
        if tensor._vc[0] != self.version:
            raise RuntimeError(
                "A saved tensor pack hook is modifying its input in place. Tensors provided "
                "as input to pack hook cannot be modified by in-place operations as this can "
                "lead to unexpected side-effects. Please open an issue if you need to perform "
                "in-place operations on the input to a pack hook.")
        self.tensor = None

    def unpack(self, owner: Node) -> Any:
        if self.unpack_hook is not None:
            t = self.unpack_hook(self.packed)
            if not isinstance(t, _T.Tensor):
                raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor "
                                f"but got result of type {type(t).__name__}")
            return t
        t = self.tensor
        vc = t._vc if t is not None else self.vc
        if vc[0] != self.version:
            raise RuntimeError(_modified_message(t, self, owner))
        if t is not None:
            return t
        return _T.Tensor._make(self.data, owner, vc, 0)


# -- torch.autograd.graph's saved-tensor hooks ------------------------------------------------
# A stack of (pack, unpack): the innermost context decides, as in torch.
_hook_stack: list = []
_hooks_disabled: list = []  # messages of the disable_saved_tensors_hooks contexts in force


class saved_tensors_hooks:
    """torch.autograd.graph.saved_tensors_hooks: ``pack_hook(tensor)`` runs when an op saves
    a tensor for backward and what it returns is kept; ``unpack_hook(packed)`` gives the
    tensor back when backward needs it."""

    def __init__(self, pack_hook: Callable[[Any], Any],
                 unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _hooks_disabled:
            raise RuntimeError(_hooks_disabled[-1])
        _hook_stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc: object) -> None:
        _hook_stack.pop()


class save_on_cpu(saved_tensors_hooks):
    """torch.autograd.graph.save_on_cpu: saved tensors wait for backward in CPU memory and go
    back to their device when used (GPU memory traded for transfers)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t: Any) -> tuple:
            if t.is_cpu:
                return t.device, t
            return t.device, t.to("cpu")

        def unpack(packed: tuple) -> Any:
            device, t = packed
            return t if t.device == device else t.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """torch.autograd.graph.disable_saved_tensors_hooks: entering saved_tensors_hooks inside
    raises RuntimeError(error_message)."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> None:
        _hooks_disabled.append(self.error_message)

    def __exit__(self, *exc: object) -> None:
        _hooks_disabled.pop()


def _modified_message(t: Any, saved: SavedTensor, owner: Node) -> str:
    from .._tensor import Tensor, _legacy_type_name

    if t is None:
        t = Tensor._make(saved.data, None, saved.vc, 0)
        where = f", which is output 0 of {_op_name(owner)},"
    elif t.grad_fn is not None:
        where = f", which is output {t._output_nr} of {_op_name(t.grad_fn)},"
    else:
        where = ""
    shape = "[" + ", ".join(str(s) for s in t.shape) + "]"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{_legacy_type_name(t)} {shape}]{where} is at version "
            f"{t._vc[0]}; expected version {saved.version} instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _op_name(node: Node) -> str:
    # PyTorch names the forward op here: the node's name without "Backward0".
    return re.sub(r"Backward\d*$", "", node.name())


def gradient_edge(t: Any) -> tuple:
    """The edge gradients for tensor ``t`` flow into: its grad_fn, or its leaf accumulator."""
    fn = t.grad_fn
    if fn is not None:
        return fn, t._output_nr
    if t._requires_grad:
        if t._nograd_view and t._base is not None:
            return None, 0  # a view made under no_grad: gradients stop here, as in torch
        return t._grad_accumulator(), 0
    return None, 0


class GradientEdge(NamedTuple):
    """torch.autograd.graph.GradientEdge: where a tensor's gradient enters the graph; usable
    as an input of autograd.grad in place of the tensor."""

    node: Node
    output_nr: int
    ownership_token: Any = None


def get_gradient_edge(tensor: Any) -> GradientEdge:
    """torch.autograd.graph.get_gradient_edge."""
    node, nr = gradient_edge(tensor)
    if node is None:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that "
                           "does not require gradients")
    return GradientEdge(node, nr)

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
from typing import Any, NamedTuple

from .._device import array_module

__all__ = ["Node", "AccumulateGrad", "CopyBackwards", "SavedTensor", "gradient_edge",
           "RemovableHandle", "GradientEdge", "get_gradient_edge"]

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

    __slots__ = ("next_functions", "_seq", "_pre_hooks", "_hooks", "_tensor_hooks",
                 "_retains", "_metadata", "__weakref__")

    def __init__(self) -> None:
        self.next_functions: tuple = ()
        self._seq = next(_sequence)
        self._pre_hooks = self._hooks = self._tensor_hooks = self._retains = None

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
        try:
            return self._metadata
        except AttributeError:
            self._metadata = {}
            return self._metadata

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


class AccumulateGrad(Node):
    """The node behind a leaf that requires grad: adds what arrives into ``leaf.grad``.

    The leaf's own hooks (``register_hook``) are this node's tensor pre-hooks: the engine
    runs them before the gradient is accumulated, and on what autograd.grad captures.
    """

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        super().__init__()
        self.variable = variable
        self._seq = float("inf")  # run as soon as ready, as PyTorch does
        if variable._hooks is not None:
            self._tensor_hooks = {0: variable._hooks}

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def _run(self, grads: list, keep_graph: bool) -> tuple:
        from .._tensor import Tensor
        from .grad_mode import is_grad_enabled

        grad = grads[0]
        if grad is None:
            return ()
        var = self.variable
        old = var._grad
        if is_grad_enabled():  # create_graph: .grad keeps the gradient's own history
            if old is not None:
                var._grad = old + grad
            elif grad.requires_grad:
                var._grad = _copy_with_history(grad, var)
            else:
                var._grad = Tensor._make(_copy_like(grad._data, var._data))
        elif old is None:
            # A fresh copy: the arriving array may be shared (AddBackward hands the same
            # gradient to both inputs, and users pass their own `gradient` tensor).
            var._grad = Tensor._make(_copy_like(grad._data, var._data))
        else:
            # In place, as torch does (even into a .grad that has history).
            old._data += grad._data if grad._data.dtype == old._data.dtype else \
                grad._data.astype(old._data.dtype)
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
    from .._tensor import Tensor

    node = CopyBackwards()
    node.next_functions = ((None, 0), gradient_edge(grad))
    t = Tensor._make(_copy_like(grad._data, var._data), node)
    t._vc[0] = 1  # torch fills it with copy_, which counts as one change
    return t


class SavedTensor:
    """A tensor saved for backward, with the version it had when it was saved."""

    __slots__ = ("tensor", "version", "data", "vc", "node")

    def __init__(self, tensor: Any, node: Node | None = None) -> None:
        self.version = tensor._vc[0]
        if node is None:
            self.tensor, self.data, self.vc, self.node = tensor, None, None, None
        else:
            # An output of the node that saves it: holding the tensor itself would make a
            # cycle (tensor -> grad_fn -> saved -> tensor), so keep its array and counter
            # and rebuild a tensor with the node as its grad_fn when it is unpacked.
            self.tensor, self.data, self.vc = None, tensor._data, tensor._vc
            self.node = weakref.ref(node)

    def unpack(self, owner: Node) -> Any:
        t = self.tensor
        vc = t._vc if t is not None else self.vc
        if vc[0] != self.version:
            raise RuntimeError(_modified_message(t, self, owner))
        if t is not None:
            return t
        from .._tensor import Tensor

        return Tensor._make(self.data, owner, vc, 0)


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

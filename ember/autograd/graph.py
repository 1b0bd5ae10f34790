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
from typing import Any

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "gradient_edge", "RemovableHandle"]

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
                 "_retains", "__weakref__")

    def __init__(self) -> None:
        self.next_functions: tuple = ()
        self._seq = next(_sequence)
        self._pre_hooks = self._hooks = self._tensor_hooks = self._retains = None

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def metadata(self) -> dict:
        md = getattr(self, "_metadata", None)
        if md is None:
            md = {}
            object.__setattr__(self, "_metadata", md) if hasattr(self, "__dict__") else None
        return md

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
    """The node behind a leaf that requires grad: adds what arrives into ``leaf.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        super().__init__()
        self.variable = variable
        self._seq = float("inf")  # run as soon as ready, as PyTorch does

    def _run(self, grads: list, keep_graph: bool) -> tuple:
        from .grad_mode import is_grad_enabled

        grad = grads[0]
        if grad is None:
            return ()
        var = self.variable
        if var._hooks:
            for hook in tuple(var._hooks.values()):
                new = hook(grad)
                if new is not None:
                    grad = new
        old = var._grad
        if is_grad_enabled():  # create_graph: keep the gradient's own history
            var._grad = grad if old is None else old + grad
        elif old is None:
            # A fresh copy: the arriving array may be shared (AddBackward hands the same
            # gradient to both inputs, and users pass their own `gradient` tensor).
            var._grad = grad.detach().clone()
        elif old.requires_grad:
            var._grad = old.detach() + grad
        else:
            old._data += grad._data if grad._data.dtype == old._data.dtype else \
                grad._data.astype(old._data.dtype)
            old._vc[0] += 1
        if var._post_acc_hooks:
            for hook in tuple(var._post_acc_hooks.values()):
                hook(var)
        return ()


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
        return t._grad_accumulator(), 0
    return None, 0

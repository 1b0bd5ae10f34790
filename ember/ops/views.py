"""Views and in-place ops: how an in-place change rewrites autograd history.

A view (``x[0]``, ``x.t()``, ``x.view(...)``) shares memory and the version counter with its
base and remembers how it was made (``_view``), so the view can be replayed on another
tensor. An in-place op on a tensor ``t`` runs as an ordinary op on an alias of ``t`` and
then writes the result into ``t``'s memory; ``t``'s grad_fn becomes that op's node. When
``t`` is a view, the base's grad_fn becomes ``CopySlices``, which routes the gradient of the
written region through the op and the rest straight to the base's old history, exactly as
PyTorch does; every view of that base then gets an ``AsStridedBackward0`` grad_fn the next
time it is looked at (its version no longer matches).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.graph import Node, SavedTensor, gradient_edge

__all__ = ["replay_view", "refresh_view_grad_fn", "CopySlices", "apply_inplace"]


def replay_view(view: tuple, t: Tensor) -> Tensor:
    """Apply the chain of view ops recorded in ``view`` to ``t``."""
    cls, attrs, index, parent = view
    if parent is not None:
        t = replay_view(parent, t)
    out = cls.apply(t, **attrs)
    return out if index is None else out[index]


class CopySlices(Node):
    """grad_fn of a base whose view was changed in place (PyTorch's CopySlices)."""

    __slots__ = ("fn", "view")

    def __init__(self, base: Tensor, view: tuple, fn: Node) -> None:
        super().__init__()
        self.fn, self.view = fn, view
        base_edge = gradient_edge(base) if base.requires_grad else (None, 0)
        self.next_functions = (base_edge,) + tuple(fn.next_functions[1:])

    def _run(self, grads: list, keep_graph: bool) -> list:
        grad = grads[0]
        if grad is None:
            return [None] * len(self.next_functions)
        result = grad.clone()
        region = replay_view(self.view, result)
        res = self.fn._run([region.clone()], keep_graph)
        if res[0] is None:
            region.zero_()
        else:
            region.copy_(res[0])
        return [result] + list(res[1:])


class AsStridedBackward0(Node):
    """grad_fn of a view whose base was changed in place after the view was made."""

    __slots__ = ("view", "base_shape", "base_dtype")

    def _run(self, grads: list, keep_graph: bool) -> list:
        from .creation import zeros

        grad = grads[0]
        if grad is None:
            return [None]
        out = zeros(self.base_shape, dtype=self.base_dtype, device=grad.device)
        replay_view(self.view, out).copy_(grad)
        return [out]


def refresh_view_grad_fn(t: Tensor) -> None:
    """Give a view whose memory changed in place a grad_fn that reads from its base."""
    base = t._base
    t._view_version = t._vc[0]
    if not base.requires_grad:
        if t._grad_fn is not None:
            t._grad_fn = None
            t._requires_grad = False
        return
    node = AsStridedBackward0()
    node.next_functions = (gradient_edge(base),)
    node.view, node.base_shape, node.base_dtype = t._view, base.shape, base.dtype
    t._grad_fn, t._output_nr, t._requires_grad = node, 0, True


def check_inplace(t: Tensor) -> None:
    """PyTorch's errors for writing into a leaf that requires grad (outside no_grad)."""
    if not grad_mode._state.enabled:
        return
    if t._base is None:
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
    elif t._base._grad_fn is None and t._base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def _write(t: Tensor, arr: Any) -> None:
    dst = t._data
    if not dst.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to "
            "a single memory location. Please clone() the tensor before performing the "
            "operation.")
    if dst.ndim == 0:
        dst[()] = arr
    else:
        dst[...] = arr
    t._vc[0] += 1


def apply_inplace(t: Tensor, op: type, *others: Any, **attrs: Any) -> Tensor:
    """Run ``op(t, *others)`` and write the result into ``t`` with PyTorch's history rules."""
    check_inplace(t)
    grad_on = grad_mode._state.enabled
    if not (grad_on and (t.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in others))):
        with grad_mode.no_grad():
            out = op.apply(t, *others, **attrs)
        _check_cast(out, t)
        _write(t, out._data)
        return t
    # An alias with the same history but its own version counter: the op may save it.
    alias = Tensor._make(t._data, t.grad_fn, None, t._output_nr, t.requires_grad)
    out = op.apply(alias, *others, **attrs)
    _check_cast(out, t)
    fn = out._grad_fn
    if any(v.__class__ is SavedTensor and v.tensor is alias for v in fn._saved.values()):
        alias._data = alias._data.copy()  # keep the value the op saw, as PyTorch's clone
    _write(t, out._data)
    if t._base is None:
        t._grad_fn, t._output_nr, t._requires_grad = fn, 0, True
    else:
        base = t._base
        base._grad_fn = CopySlices(base, t._view, fn)
        base._output_nr, base._requires_grad = 0, True
    return t


def _check_cast(out: Tensor, t: Tensor) -> None:
    src, dst = out.dtype, t.dtype
    if src is not dst and src.category > dst.category:
        raise RuntimeError(f"result type {_type_word(src)} can't be cast to the desired output "
                           f"type {_type_word(dst)}")
    if out._data.shape != t._data.shape and np.broadcast_shapes(
            out._data.shape, t._data.shape) != t._data.shape:
        raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast "
                           f"shape {list(np.broadcast_shapes(out._data.shape, t._data.shape))}")


def _type_word(d: _dtype.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble",
            "bfloat16": "BFloat16"}[d.name]

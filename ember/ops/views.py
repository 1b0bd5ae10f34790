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
from ..autograd import forward_ad, grad_mode
from ..autograd.graph import Node, SavedTensor, _sequence, gradient_edge

__all__ = ["replay_view", "refresh_view_grad_fn", "CopySlices", "apply_inplace",
           "apply_view_inplace"]

_fw_state = forward_ad._state


def replay_view(view: tuple, t: Tensor) -> Tensor:
    """Apply the chain of view ops recorded in ``view`` to ``t``."""
    cls, attrs, index, parent = view
    if parent is not None:
        t = replay_view(parent, t)
    out = cls.apply(t, **attrs)
    return out if index is None else out[index]


class CopySlices(Node):
    """grad_fn of a base whose view was changed in place (PyTorch's CopySlices).

    When the in-place op is one node ``fn`` whose first input is the view, this is torch's
    own shape: edges to the base's old history and to ``fn``'s other inputs, with ``fn`` run
    on the written region. A composite op (several nodes) is wrapped whole instead: the
    edges go to the base's old history and to the op's result, whose graph reaches the
    view's old value by itself.
    """

    __slots__ = ("fn", "view")

    def __init__(self, base: Tensor, view: tuple, fn: Node | None,
                 out_edge: tuple | None = None) -> None:
        super().__init__()
        self.fn, self.view = fn, view
        base_edge = gradient_edge(base) if base.requires_grad else (None, 0)
        if fn is not None:
            self.next_functions = (base_edge,) + tuple(fn.next_functions[1:])
        elif out_edge is not None:
            self.next_functions = (base_edge, out_edge)
        else:  # a non-differentiable op wrote the region
            self.next_functions = (base_edge,)

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def _run(self, grads: list, keep_graph: bool) -> list:
        grad = grads[0]
        if grad is None:
            return [None] * len(self.next_functions)
        result = grad.clone()
        region = replay_view(self.view, result)
        if self.fn is None:
            rest = [region.clone()] if len(self.next_functions) == 2 else []
            region.zero_()
            return [result] + rest
        res = self.fn._run([region.clone()], keep_graph)
        if res[0] is None:
            region.zero_()
        else:
            region.copy_(res[0])
        return [result] + list(res[1:])


class _NonDifferentiableInplace(Node):
    """grad_fn of a tensor overwritten in place by a non-differentiable op (``eq_``): torch
    names it after the op (EqBackward0) and sends back zeros."""

    __slots__ = ("_label",)

    def name(self) -> str:
        return self._label

    def __repr__(self) -> str:
        return f"<{self._label} object at {id(self):#x}>"

    def _run(self, grads: list, keep_graph: bool) -> list:
        from .creation import zeros_like

        g = None if grads[0] is None else zeros_like(grads[0])
        return [g] + [None] * (len(self.next_functions) - 1)


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


def _view_rebase_error(t: Tensor, indirect: bool) -> RuntimeError:
    """torch's error for an in-place change reaching a view it forbids that for (a view made
    under no_grad, or an output of unbind/split...): handle_view_on_rebase in torch."""
    from ..autograd.graph import _op_name

    what = "its base or another view of its base has been" if indirect else "is being"
    fn = t._grad_fn
    if t._nograd_view or fn is None:
        prefix = ("A view was created in" if fn is None else f"Output {t._output_nr} of "
                  f"{_op_name(fn)} is a view of a view which was created in")
        msg = f"{prefix} no_grad mode and {what} modified inplace with grad mode enabled."
    else:
        msg = f"Output {t._output_nr} of {_op_name(fn)} is a view and {what} modified inplace."
    if t._multi_view:
        msg += (" This view is the output of a function that returns multiple views. Such "
                "functions do not allow the output views to be modified inplace. You should "
                "replace the inplace operation by an out-of-place one.")
    else:
        msg += (" Given that this use case is ambiguous and error-prone, it is forbidden. You "
                "can clarify your code by moving both the view and the inplace either both "
                "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                "outside (if you want the inplace to be tracked).")
    return RuntimeError(msg)


def refresh_view_grad_fn(t: Tensor) -> None:
    """Give a view whose memory changed in place a grad_fn that reads from its base."""
    base = t._base
    if (t._nograd_view or t._multi_view) and (base.requires_grad or t._grad_fn is not None):
        raise _view_rebase_error(t, indirect=True)
    t._view_version = t._vc[0]
    if not base.requires_grad:
        if t._grad_fn is not None:
            t._grad_fn = None
            t._requires_grad = False
        return
    node = AsStridedBackward0()
    node.next_functions = (gradient_edge(base),)
    node.view, node.base_shape, node.base_dtype = t._view, base.shape, base.dtype
    _rehome_retained(t, node, 0)
    t._grad_fn, t._output_nr, t._requires_grad = node, 0, True


def check_inplace(t: Tensor, others_require_grad: bool = False) -> None:
    """PyTorch's errors for an in-place change that autograd would record (grad mode on and
    something requires grad) into a leaf that requires grad, a view of one, or a view torch
    forbids changing (see _view_rebase_error)."""
    if not grad_mode._state.enabled or not (others_require_grad or t._requires_grad or
                                            t.requires_grad):
        return
    if t._base is None:
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
    elif t._nograd_view or t._multi_view:
        raise _view_rebase_error(t, indirect=False)
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
    others_grad = any(isinstance(o, Tensor) and o.requires_grad for o in others)
    check_inplace(t, others_grad)
    # Forward AD: the tangent t had, updated in place from out's (forward_ad._inplace_done).
    fw = _fw_state.active
    tangent = forward_ad._tangent(t) if fw else None
    grad_on = grad_mode._state.enabled
    if not (grad_on and (t.requires_grad or others_grad)):
        with grad_mode.no_grad():
            out = op.apply(t, *others, **attrs)
        _check_cast(out, t)
        _write(t, out._data)
        if fw:
            forward_ad._inplace_done(t, tangent, out)
        return t
    # The op runs on an alias: same memory and history, its own version counter. Nodes with
    # a sequence number above ``start`` are the ones the op (maybe a composite) creates.
    start = next(_sequence)
    alias_edge = gradient_edge(t) if t.requires_grad else (None, 0)
    alias = Tensor._make(t._data, t.grad_fn, None, t._output_nr, t.requires_grad)
    if tangent is not None:
        forward_ad._give_alias(alias, tangent)
    out = op.apply(alias, *others, **attrs)
    _check_cast(out, t)
    fn = out._grad_fn
    saved_result = _fix_saved(fn, start, alias, out) if fn is not None else None
    _write(t, out._data)
    if saved_result is not None:
        # fn saved its result: from now on that is t, so a later in-place change of t is
        # caught (torch: "... output 0 of Exp, is at version 2; expected version 1").
        saved_result.data, saved_result.vc, saved_result.version = t._data, t._vc, t._vc[0]
    if fw:
        forward_ad._inplace_done(t, tangent, out)
    if t._base is None:
        if fn is None:
            label = _label_of(op, attrs, others)
            if label.startswith("Logical"):  # torch leaves the history as it was
                return t
            fn = _NonDifferentiableInplace()
            fn._label = label
            fn.next_functions = (alias_edge,) + tuple(
                gradient_edge(o) if o.requires_grad else (None, 0)
                for o in others if isinstance(o, Tensor))
        _rehome_retained(t, fn, 0)
        t._grad_fn, t._output_nr, t._requires_grad = fn, 0, True
    else:
        base = t._base
        if fn is not None and fn.next_functions and fn.next_functions[0] == alias_edge:
            node = CopySlices(base, t._view, fn)
        else:
            node = CopySlices(base, t._view, None, None if fn is None else (fn, out._output_nr))
        _rehome_retained(base, node, 0)
        base._grad_fn, base._output_nr, base._requires_grad = node, 0, True
    return t


def apply_view_inplace(t: Tensor, out: Tensor) -> Tensor:
    """``t.t_()``, ``t.unsqueeze_(0)``...: ``t`` takes the shape and history of ``out``, the
    same view op applied out of place to ``t``. Like torch, this counts as an in-place
    change (version bump; a leaf that requires grad refuses it outside no_grad)."""
    check_inplace(t)
    if _fw_state.active:
        forward_ad._view_inplace(t, out)
    t._data = out._data
    if out._base is not None and t._base is not None:
        t._view = out._view  # still a view of the same base, one op further
    t._vc[0] += 1
    if t._base is not None:
        t._view_version = t._vc[0]
    if out._grad_fn is not None:
        _rehome_retained(t, out._grad_fn, out._output_nr)
        t._grad_fn, t._output_nr, t._requires_grad = out._grad_fn, out._output_nr, True
    return t


def _fix_saved(fn: Node, start: int, alias: Tensor, out: Tensor) -> SavedTensor | None:
    """Look at what the op's new nodes saved. If one saved the alias, give the alias a copy
    of the old values before they are overwritten (torch clones ``self`` for such ops).
    Returns fn's saved result, if any, so that it can be re-pointed at the written tensor."""
    saved_result = None
    copied = False
    stack, seen = [fn], {fn}
    while stack:
        node = stack.pop()
        saved = getattr(node, "_saved", None)
        for v in saved.values() if isinstance(saved, dict) else ():
            if v.__class__ is SavedTensor:
                if v.tensor is alias and not copied:
                    alias._data = alias._data.copy()
                    copied = True
                elif node is fn and v.tensor is None and v.data is out._data:
                    saved_result = v
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt._seq > start and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return saved_result


def _rehome_retained(t: Tensor, new_fn: Node, output_nr: int) -> None:
    """retain_grad() follows a tensor to its new grad_fn, as in torch."""
    if t._retains_grad:
        old = t._grad_fn
        if old is not None and old._retains:
            old._retains.pop(t._output_nr, None)
        new_fn._retain_grad(output_nr, t)


def _label_of(op: type, attrs: dict, others: tuple) -> str:
    # torch numbers overloads: eq_(number) is EqBackward0, eq_(tensor) EqBackward1.
    fn = attrs.get("fn")
    name = fn.__name__ if fn is not None else op.__name__
    overload = 1 if any(isinstance(o, Tensor) for o in others) else 0
    return "".join(p.capitalize() for p in name.split("_")) + f"Backward{overload}"


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

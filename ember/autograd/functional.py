"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp.

All of them are built from ``autograd.grad``: a Jacobian is one vector-Jacobian product per
output element (the seed's "Jacobian by repeated backward", done for you), jvp uses the
double-vjp trick, and Hessians are Jacobians of gradients.
"""

from __future__ import annotations

from typing import Any, Callable

from .._tensor import Tensor
from . import grad as _grad
from . import grad_mode

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple]:
    if isinstance(x, Tensor):
        return False, (x,)
    if not isinstance(x, tuple):
        x = tuple(x) if isinstance(x, list) else (x,)
    for i, t in enumerate(x):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the value at index {i} has type {type(t)}.")
    return True, x


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh differentiable copies of the inputs, still linked to their graph when the
    caller wants the result to be differentiable."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(x: Any, create_graph: bool) -> Any:
    if isinstance(x, tuple):
        return tuple(_finish(t, create_graph) for t in x)
    if x is None or create_graph:
        return x
    return x.detach()


def _grads(outputs: tuple, inputs: tuple, grad_outputs: tuple, create_graph: bool,
           strict: bool, what: str) -> tuple:
    from ..ops.creation import zeros_like

    needed = [o for o in outputs if o.requires_grad]
    if not needed:
        gs = (None,) * len(inputs)
    else:
        gos = [g for o, g in zip(outputs, grad_outputs) if o.requires_grad]
        gs = _grad(needed, inputs, gos, retain_graph=True, create_graph=create_graph,
                   allow_unused=True)
    result = []
    for i, g in enumerate(gs):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode.")
            g = zeros_like(inputs[i])
        result.append(g)
    return tuple(result)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """torch.autograd.functional.vjp: (func(inputs), v^T J)."""
    with grad_mode.enable_grad():
        is_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
        ins = _prepare(ins, create_graph)
        out = func(*ins)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "vjp")
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided "
                                   "function returns a single Tensor with a single element.")
            vs = (None,)
        else:
            _, vs = _as_tuple(v, "v", "vjp")
        res = _grads(outs, ins, vs, create_graph, strict, "vjp")
    out = _finish(outs if out_tuple else outs[0], create_graph)
    return out, _finish(res if is_tuple else res[0], create_graph)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """torch.autograd.functional.jvp: (func(inputs), J v), by the double-vjp trick."""
    from ..ops.creation import zeros_like

    with grad_mode.enable_grad():
        is_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
        ins = _prepare(ins, create_graph)
        if v is None:
            if len(ins) != 1 or ins[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            from ..ops.creation import ones_like

            vs = (ones_like(ins[0]),)
        else:
            _, vs = _as_tuple(v, "v", "jvp")
        out = func(*ins)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "jvp")
        # u is a dummy cotangent: J^T u is linear in u, so d(J^T u . v)/du = J v.
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        gs = _grads(outs, ins, us, True, strict, "jvp")
        res = _grads(gs, us, vs, create_graph, strict, "jvp")
    out = _finish(outs if out_tuple else outs[0], create_graph)
    return out, _finish(res if out_tuple else res[0], create_graph)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """torch.autograd.functional.jacobian: one backward per output element."""
    from ..ops.creation import zeros
    from ..ops.shape import stack

    with grad_mode.enable_grad():
        is_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
        ins = _prepare(ins, create_graph)
        out = func(*ins)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "jacobian")
        jac: list = []
        for o in outs:
            flat = o.reshape(-1)
            rows: list[list] = [[] for _ in ins]
            for j in range(flat.numel()):
                if flat.requires_grad:
                    gs = _grad(flat[j], ins, retain_graph=True, create_graph=create_graph,
                               allow_unused=True)
                else:
                    gs = (None,) * len(ins)
                for k, g in enumerate(gs):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {len(jac)} of the user-provided function is "
                                f"independent of input {k}. This is not allowed in strict "
                                "mode.")
                        g = zeros(ins[k].shape, dtype=ins[k].dtype, device=ins[k].device)
                    rows[k].append(g)
            per_input = []
            for k, inp in enumerate(ins):
                if rows[k]:
                    block = stack(rows[k]).reshape(tuple(o.shape) + tuple(inp.shape))
                else:
                    block = zeros(tuple(o.shape) + tuple(inp.shape), dtype=inp.dtype,
                                  device=inp.device)
                per_input.append(_finish(block, create_graph))
            jac.append(tuple(per_input) if is_tuple else per_input[0])
    return tuple(jac) if out_tuple else jac[0]


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """torch.autograd.functional.hessian: the Jacobian of the gradient of a scalar func."""
    is_tuple, ins = _as_tuple(inputs, "inputs", "hessian")

    def grad_fn(*xs: Tensor) -> Any:
        out = func(*xs)
        _, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "containing a single element")
        gs = _grads(outs, xs, (None,), True, strict, "hessian")
        return gs if is_tuple else gs[0]

    return jacobian(grad_fn, ins if is_tuple else ins[0], create_graph=create_graph,
                    strict=strict)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """torch.autograd.functional.vhp: (func(inputs), v^T H)."""
    with grad_mode.enable_grad():
        is_tuple, ins = _as_tuple(inputs, "inputs", "vhp")
        ins = _prepare(ins, create_graph)
        out = func(*ins)
        _, outs = _as_tuple(out, "outputs of the user-provided function", "vhp")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hvp should "
                               "contain a single element")
        vs = _vector(v, ins, "vhp")
        gs = _grads(outs, ins, (None,), True, strict, "vhp")
        res = _grads(gs, ins, vs, create_graph, strict, "vhp")
    return _finish(outs[0], create_graph), _finish(res if is_tuple else res[0], create_graph)


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """torch.autograd.functional.hvp: (func(inputs), H v) by double backward."""
    from ..ops.creation import zeros_like

    with grad_mode.enable_grad():
        is_tuple, ins = _as_tuple(inputs, "inputs", "hvp")
        ins = _prepare(ins, create_graph)
        out = func(*ins)
        _, outs = _as_tuple(out, "outputs of the user-provided function", "hvp")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hvp should "
                               "contain a single element")
        vs = _vector(v, ins, "hvp")
        gs = _grads(outs, ins, (None,), True, strict, "hvp")
        us = tuple(zeros_like(g).requires_grad_(True) for g in gs)
        dd = _grads(gs, ins, us, True, strict, "hvp")
        res = _grads(dd, us, vs, create_graph, strict, "hvp")
    return _finish(outs[0], create_graph), _finish(res if is_tuple else res[0], create_graph)


def _vector(v: Any, ins: tuple, fn: str) -> tuple:
    if v is None:
        if len(ins) != 1 or ins[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        from ..ops.creation import ones_like

        return (ones_like(ins[0]),)
    _, vs = _as_tuple(v, "v", fn)
    if len(vs) != len(ins):
        raise RuntimeError(f"v has invalid size: should be {len(ins)} but got {len(vs)}")
    return vs

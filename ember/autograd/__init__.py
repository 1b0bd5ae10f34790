"""torch.autograd: backward, grad, grad modes, and (in other modules) Function, functional."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .engine import run_backward
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .graph import Node

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Node"]


def _tensors(x: Any) -> tuple:
    from .._tensor import Tensor

    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs: tuple, grads: tuple, is_grads_batched: bool = False) -> list:
    """The gradient for each output: given, or 1 for one-element outputs (else an error)."""
    from ..ops.creation import ones_like

    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o.requires_grad and o._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not o.dtype.is_floating_point and not o.dtype.is_complex and o.requires_grad:
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {o.dtype}")
            g = ones_like(o)
        else:
            from .._tensor import Tensor

            if not isinstance(g, Tensor):
                from ..ops.creation import full_like

                g = full_like(o, g)
            if g.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {o.shape}.")
            if g.device != o.device:
                raise RuntimeError(f"invalid gradient at index {i} - expected device "
                                   f"{o.device} but got {g.device}")
            if g.dtype.is_floating_point != o.dtype.is_floating_point:
                raise RuntimeError(f"invalid gradient at index {i} - expected dtype "
                                   f"{o.dtype} but got {g.dtype}")
        out.append(g)
    return out


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None,
             inputs: Any = None) -> None:
    """torch.autograd.backward: accumulate gradients of ``tensors`` into leaves' ``.grad``."""
    outputs = _tensors(tensors)
    grads = _tensors(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} tensors and {len(outputs)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _tensors(inputs) if inputs is not None else None
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_grads(outputs, grads)
    run_backward(outputs, grads, retain_graph, create_graph, inputs, accumulate=True)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """torch.autograd.grad: the gradients of ``outputs`` with respect to ``inputs``."""
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    gouts = _tensors(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if len(gouts) != len(outs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(gouts)} "
                           f"grad_outputs and {len(outs)} outputs")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    gouts = _make_grads(outs, gouts)
    result = run_backward(outs, gouts, retain_graph, create_graph, ins, accumulate=False)
    for i, r in enumerate(result):
        if r is None:
            if materialize_grads:
                from ..ops.creation import zeros_like

                result[i] = zeros_like(ins[i])
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is "
                                   "the desired behavior.")
    return tuple(result)


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:  # noqa: N802
    """torch.autograd.Variable: since PyTorch 0.4 just a tensor."""
    t = data.detach() if data.requires_grad else data
    if requires_grad:
        t = type(data)._make(data._data) if t is data else t
        t.requires_grad_(True)
    return t

"""torch.autograd: backward, grad, grad modes, and (in other modules) Function, functional."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _tensor as _T  # partially imported here (it imports us); used at call time
from .._device import array_module
from .engine import run_backward
from . import forward_ad, grad_mode, graph
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .graph import GradientEdge, Node

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Node", "Variable", "detect_anomaly", "set_detect_anomaly",
           "grad_mode", "graph"]


def _tensors(x: Any) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (_T.Tensor, GradientEdge)):
        return (x,)
    if type(x) is dict:
        return tuple(x.values())
    return tuple(x)


def _make_grads(outputs: tuple, grads: tuple) -> list:
    """The gradient for each output: given, or 1 for one-element outputs (else an error).

    Mirrors torch.autograd._make_grads, including its use of ``grads.index(grad)`` in error
    messages: that compares tensors with ``==``, so a mismatch on a later output can surface
    as the comparison's own error, exactly as in torch.
    """
    Tensor = _T.Tensor
    out = []
    for o, g in zip(outputs, grads):
        if isinstance(g, Tensor):
            if g._data.shape != o._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{grads.index(g)}] has a "
                                   f"shape of {g.shape} and output[{outputs.index(o)}] has a "
                                   f"shape of {o.shape}.")
            if g.dtype.is_complex != o.dtype.is_complex:
                raise RuntimeError("For complex Tensors, both grad_output and output are "
                                   "required to have the same dtype. Mismatch in dtype: "
                                   f"grad_output[{grads.index(g)}] has a dtype of {g.dtype} "
                                   f"and output[{outputs.index(o)}] has a dtype of "
                                   f"{o.dtype}.")
            if g._data.__class__ is not o._data.__class__ and g.device != o.device:
                raise RuntimeError(f"invalid gradient at index {len(out)} - expected device "
                                   f"{o.device} but got {g.device}")
            # torch's engine casts the seed gradient (validate_outputs)
            if g._data.dtype != o._data.dtype:
                g = g.to(o.dtype)
        elif g is None:
            if o._requires_grad:
                if o._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if o._data.dtype.kind != "f" and not o.dtype.is_floating_point:
                    raise RuntimeError("grad can be implicitly created only for real scalar "
                                       f"outputs but got {o.dtype}")
                data = o._data
                xp = np if data.__class__ is np.ndarray else array_module(data)
                g = Tensor._make(xp.ones(data.shape, data.dtype))
        else:
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        out.append(g)
    return out


def _grad_tuple(grads: Any, n: int) -> tuple:
    from .._tensor import Tensor

    if grads is None:
        return (None,) * n
    return (grads,) if isinstance(grads, Tensor) else tuple(grads)


def _check_counts(outputs: tuple, grads: list) -> None:
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None,
             inputs: Any = None) -> None:
    """torch.autograd.backward: accumulate gradients of ``tensors`` into leaves' ``.grad``."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is None:
            grad_tensors = grad_variables
        else:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments "
                               "both passed to `backward()`. Please only use "
                               "`grad_tensors`.")
    if inputs is not None:
        inputs = _tensors(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _tensors(tensors)
    grads = _make_grads(outputs, _grad_tuple(grad_tensors, len(outputs)))
    _check_counts(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        _warn_create_graph_cycle()
    run_backward(outputs, grads, retain_graph, create_graph, inputs, accumulate=True)


_warned_cycle = False


def _warn_create_graph_cycle() -> None:
    # torch warns once per process (TORCH_WARN_ONCE) when backward() builds a graph into .grad.
    global _warned_cycle
    if not _warned_cycle:
        _warned_cycle = True
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak. (Triggered internally at "
            "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)", UserWarning,
            stacklevel=3)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> Any:
    """torch.autograd.grad: the gradients of ``outputs`` with respect to ``inputs``."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    if len(ins) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to "
                      "True). To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    if is_grads_batched:
        raise NotImplementedError("ember does not support is_grads_batched=True yet")
    gouts = _make_grads(outs, _grad_tuple(grad_outputs, len(outs)))
    _check_counts(outs, gouts)
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outs, gouts, retain_graph, create_graph, ins, accumulate=False)
    for i, r in enumerate(result):
        if r is None:
            if materialize_grads and isinstance(ins[i], GradientEdge):
                raise RuntimeError("materialize_grads cannot be used when the given input is "
                                   "a GradientEdge")
            if materialize_grads:
                from ..ops.creation import zeros_like

                result[i] = zeros_like(ins[i], requires_grad=create_graph)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result))
    return tuple(result)


class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        from .._tensor import Tensor

        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """torch.autograd.Variable: since PyTorch 0.4 just a tensor (every tensor is one)."""

    def __new__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        from .._tensor import Tensor

        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        # A new leaf over the same memory and version counter, as torch's Variable gives.
        t = data.detach()
        if requires_grad:
            t._set_requires_grad(True, None, "Only Tensors of floating point and complex "
                                 "dtype can require gradients")
        return t


# Function, functional and gradcheck need the Tensor class, which itself imports this
# package (for the graph), so they are loaded on first use rather than at import.
_LAZY = {"Function": ("function", "Function"), "function": ("function", None),
         "functional": ("functional", None)}
__all__ += list(_LAZY) + ["gradcheck", "gradgradcheck"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'torch.autograd' has no attribute '{name}'")
    import importlib

    module, attr = _LAZY[name]
    mod = importlib.import_module(f"{__name__}.{module}")
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value
    return value


# Eager, so that ``autograd.gradcheck`` stays the function even after someone imports the
# module of the same name (as in torch).
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

"""torch.nn.Parameter and torch.nn.Buffer."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter"]


class Parameter(Tensor):
    """torch.nn.Parameter: a leaf Tensor that a Module registers as one of its parameters.

    It shares memory with the tensor it wraps, as ``torch.nn.Parameter(t)`` does; ops on it
    return plain Tensors. Its repr ("Parameter containing:") comes from ember._printing.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        if requires_grad and not (data.dtype.is_floating_point or data.dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        return cls._make(data._data, requires_grad=bool(requires_grad))

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)._make(self._data.copy(), requires_grad=self._requires_grad)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto: int) -> Any:
        arr = self._data if self._data.__class__ is np.ndarray else self._data.get()
        return (_rebuild_parameter, (arr, self._requires_grad))


def _rebuild_parameter(arr: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter._make(np.array(arr), requires_grad=requires_grad)


class UninitializedParameter(Parameter):
    """torch.nn.UninitializedParameter (only as a marker: lazy modules are not provided)."""


class _BufferMeta(type):
    # isinstance(t, Buffer) is true for the tensors Buffer() returns (plain Tensors marked
    # as buffers), as in PyTorch.
    def __instancecheck__(cls, instance: Any) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return type.__instancecheck__(cls, instance)


class Buffer(metaclass=_BufferMeta):
    """torch.nn.Buffer: mark a tensor to be registered as a buffer when assigned to a Module."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Tensor:  # type: ignore[misc]
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t._is_buffer = True
        t.persistent = persistent
        return t

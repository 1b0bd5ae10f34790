"""Tensor: an array, plus what autograd needs (grad, grad_fn, version counter, view base).

Ops live in ops/; they are bound to Tensor as methods by ops/__init__.py. What stays here is
the state a tensor carries and the autograd-facing attributes users touch directly.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _dtype
from . import autograd as _autograd
from ._device import device_of
from .autograd.graph import AccumulateGrad, RemovableHandle

__all__ = ["Tensor", "Size"]

_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")


_NONLEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = "
    "var.detach().")

_SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at /__w/pytorch/pytorch/torch/"
    "csrc/autograd/generated/python_variable_methods.cpp:822.)")
_warned_scalar = False


class Size(tuple):
    """torch.Size: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i: Any) -> Any:
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other: tuple) -> Size:
        return Size(tuple(self) + tuple(other))


def _legacy_type_name(t: Tensor) -> str:
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
             "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
             "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
             "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
             "uint16": "UInt16Tensor", "uint32": "UInt32Tensor", "uint64": "UInt64Tensor",
             "complex128": "ComplexDoubleTensor"}
    prefix = "torch.cuda." if t._data.__class__ is not np.ndarray else "torch."
    return prefix + names[t.dtype.name]


class Tensor:
    """torch.Tensor. ``Tensor(data)`` and ``Tensor(2, 3)`` are PyTorch's legacy constructors."""

    # What every tensor sets is a slot; what most tensors never set (a .grad, a view base,
    # hooks, the leaf's accumulator) is a class default that an instance overrides in its
    # __dict__ when it has one: making a tensor, the hottest path there is, is four stores.
    __slots__ = ("_data", "_grad_fn", "_requires_grad", "_vc", "_view", "_view_version",
                 "__weakref__", "__dict__")
    _grad = None
    _base = None
    _output_nr = 0
    _hooks = _post_acc_hooks = _accumulator = None
    _retains_grad = False

    # torch's "creation meta" of views that may not be modified in place with grad on: made
    # under no_grad, or one output of a multi-view op (unbind, split). Instances that are such
    # views set these in their __dict__; everyone else reads the class default for free.
    _nograd_view = False
    _multi_view = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        from .ops.creation import legacy_new

        return legacy_new(cls, None, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    @classmethod
    def _make(cls, data: Any, grad_fn: Any = None, vc: list | None = None,
              output_nr: int = 0, requires_grad: bool = False) -> Tensor:
        """Wrap an array without copying (the hot path: no checks, no conversions)."""
        t = object.__new__(cls)
        t._data = data
        t._grad_fn = grad_fn
        t._requires_grad = requires_grad or grad_fn is not None
        t._vc = [0] if vc is None else vc
        if output_nr:
            t._output_nr = output_nr
        return t

    # -- basic properties ---------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same memory with no history and its own version counter (unlike detach)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):  # noqa: ANN201
        return device_of(self._data)

    def get_device(self) -> int:
        """Tensor.get_device: the CUDA index, or -1 on the CPU."""
        return -1 if self.is_cpu else self._data.device.id

    @property
    def grad_dtype(self) -> _dtype.dtype:
        """The dtype .grad must have (ember keeps it the tensor's own dtype)."""
        return self.dtype

    @property
    def is_cuda(self) -> bool:
        return self._data.__class__ is not np.ndarray

    is_cpu = property(lambda self: self._data.__class__ is np.ndarray)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """Tensor.size."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        """Tensor.dim."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """Tensor.numel."""
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        """Tensor.element_size."""
        return self._data.itemsize

    def stride(self, dim: int | None = None) -> Any:
        """Tensor.stride, in elements as PyTorch counts them."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Tensor.is_contiguous."""
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        """Tensor.is_floating_point."""
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        """Tensor.is_complex."""
        return self.dtype.is_complex

    def data_ptr(self) -> int:
        """Tensor.data_ptr."""
        return int(self._data.__array_interface__["data"][0]) if self.is_cpu else \
            int(self._data.data.ptr)

    def is_inference(self) -> bool:
        """Tensor.is_inference: made by an op inside torch.inference_mode()."""
        return "_inference" in self.__dict__

    @property
    def _version(self) -> int:
        return self._vc[0]

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):  # noqa: ANN204
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    # -- autograd attributes ------------------------------------------------------------
    @property
    def grad_fn(self) -> Any:
        if self._base is not None and self._view_version != self._vc[0]:
            from .ops.views import refresh_view_grad_fn

            refresh_view_grad_fn(self)
        return self._grad_fn

    @property
    def output_nr(self) -> int:
        """Which output of its grad_fn this tensor is."""
        return self._output_nr

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad or self.grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._set_requires_grad(value, "you can only change requires_grad flags of leaf "
                                "variables.", "only Tensors of floating point and complex "
                                "dtype can require gradients")

    def _set_requires_grad(self, value: bool, nonleaf_true: str | None, not_float: str) -> None:
        # torch words these errors differently depending on the entry point (the setter,
        # requires_grad_(), factories), so the callers pass their wording in.
        if self.grad_fn is not None:
            if value and nonleaf_true is None:  # requires_grad_(True) on a non-leaf: no-op
                return
            raise RuntimeError(nonleaf_true if value else _NONLEAF_REQUIRES_GRAD)
        if value and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError(not_float)
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Tensor.requires_grad_."""
        self._set_requires_grad(requires_grad, None, "only Tensors of floating point dtype "
                                "can require gradients")
        return self

    @property
    def grad(self) -> Tensor | None:
        if self._grad is None and self._grad_fn is not None and not self._retains_grad:
            warnings.warn(_NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype.cpp_name}' to a "
                    f"tensor with grad_dtype '{self.dtype.type_word}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype). You can set the tensor's grad_dtype attribute with a specific "
                    "dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging "
                    "the dtypes of a tensor and its gradient may break downstream systems that "
                    "assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size")
            if value.device != self.device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Tensor.retain_grad: keep .grad for this non-leaf after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self.grad_fn._retain_grad(self._output_nr, self)

    def _grad_accumulator(self) -> AccumulateGrad:
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._accumulator = weakref.ref(acc)
        return acc

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """Tensor.register_hook: hook(grad) may return a new gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
            acc = self._accumulator() if self._accumulator is not None else None
            if acc is not None:  # a live accumulator runs the leaf's hooks (graph.py)
                acc._tensor_hooks = {0: self._hooks}
        h = RemovableHandle(self._hooks)
        self._hooks[h._key] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook: Callable) -> RemovableHandle:
        """Tensor.register_post_accumulate_grad_hook: hook(tensor) after .grad is updated."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        h = RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[h._key] = hook
        return h

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Tensor.backward: accumulate d(self)/d(leaf), weighted by ``gradient``, into .grad."""
        d = self._data
        if (gradient is None and inputs is None and not create_graph and d.size == 1
                and self._grad_fn is not None and d.dtype.kind == "f"
                and d.__class__ is np.ndarray):
            # loss.backward(), the common case: seed 1 and straight to the engine.
            _autograd.run_backward((self,), (Tensor._make(np.ones(d.shape, d.dtype)),),
                                   bool(retain_graph), False)
            return
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """Tensor.detach: same memory and version counter, no history."""
        t = Tensor._make(self._data, None, self._vc)
        return t

    def detach_(self) -> Tensor:
        """Tensor.detach_."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are "
                               "using DistributedDataParallel (DDP) for training, and "
                               "gradient_as_bucket_view is set as True, gradients are views "
                               "of DDP buckets, and hence detach_() cannot be called on these "
                               "gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py "
                               "as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    # -- conversions --------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """Tensor.numpy: shares memory with the tensor."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if not self.is_cpu:
            if force:
                return self._data.get()
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    # -- device interchange: DLPack and CUDA's array interface ----------------------------
    def __dlpack__(self, *, stream: Any = -1, max_version: tuple | None = None,
                   dl_device: tuple | None = None, copy: bool | None = None) -> Any:
        """Tensor.__dlpack__: a DLPack capsule sharing this tensor's memory."""
        from .utils.dlpack import export

        return export(self, stream, max_version, dl_device, copy)

    def __dlpack_device__(self) -> tuple:
        """Tensor.__dlpack_device__: (kDLCPU, 0) or (kDLCUDA, index)."""
        from .utils.dlpack import dlpack_device

        return dlpack_device(self)

    @property
    def __cuda_array_interface__(self) -> dict:
        """CUDA's array interface (CuPy, Numba, PyTorch read it): CUDA tensors only."""
        if self._data.__class__ is np.ndarray:
            raise AttributeError(
                "Can't get __cuda_array_interface__ on non-CUDA tensor type: "
                f"{_legacy_type_name(self)} If CUDA data is required use tensor.cuda() to copy "
                "tensor to device memory.")
        if self.requires_grad:
            raise RuntimeError(
                "Can't get __cuda_array_interface__ on Variable that requires grad. If "
                "gradients aren't required, use var.detach() to get Variable that doesn't "
                "require grad.")
        return self._data.__cuda_array_interface__

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.numpy()  # torch: the same errors as numpy() (requires grad, on the GPU)
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def item(self) -> Any:
        """Tensor.item: the one element as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be "
                               "converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        """Tensor.tolist."""
        return self._data.tolist()

    def _scalar(self) -> Any:
        """float()/complex(): torch warns, once per process, when the tensor requires grad."""
        global _warned_scalar
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if not _warned_scalar and self.requires_grad:
            _warned_scalar = True
            warnings.warn(_SCALAR_WARNING, UserWarning, stacklevel=3)
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._data.reshape(()).item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.dtype.is_complex or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to "
                            "an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with "
                               f"{'no values' if self._data.size == 0 else 'more than one value'}"
                               " is ambiguous")
        return bool(self._data.reshape(()).item())

    def __contains__(self, element: Any) -> bool:
        if isinstance(element, (Tensor, int, float, complex, bool, np.number)):
            return bool((element == self).any().item())
        raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:  # torch formats a 0-d tensor as its number, even for "{}"
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __reduce_ex__(self, proto: int) -> Any:
        arr = self._data if self.is_cpu else self._data.get()
        return (_rebuild, (arr, self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = type(self)._make(self._data.copy(), requires_grad=self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(np.array(arr), requires_grad=requires_grad)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}]"
                         f", but got {dim})")
    return dim % n if ndim else 0

"""Making tensors: torch.tensor, zeros, ones, arange, rand, ... and the random generator."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from .._device import as_device, device_of, to_device
from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty", "eye",
    "arange", "range", "linspace", "logspace", "rand", "randn", "randint", "randperm",
    "normal", "bernoulli", "multinomial", "zeros_like", "ones_like", "full_like",
    "empty_like", "rand_like", "randn_like", "randint_like", "manual_seed", "seed",
    "initial_seed", "Generator", "default_generator", "get_rng_state", "set_rng_state",
    "scalar_tensor", "empty_strided",
]

_builtin_range = range


class Generator:
    """torch.Generator: a seedable source of random numbers (NumPy's PCG64 underneath).

    Streams differ from PyTorch's (its Philox/Mersenne kernels are not reproduced), so the
    same seed gives the same numbers run to run in ember, not the same numbers as torch.
    """

    def __init__(self, device: Any = "cpu") -> None:
        self.device = as_device(device)
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        import pickle

        raw = pickle.dumps(self._rng.bit_generator.state)
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, state: Tensor) -> Generator:
        import pickle

        self._rng.bit_generator.state = pickle.loads(state._data.tobytes())  # noqa: S301
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """torch.manual_seed."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """torch.seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """torch.initial_seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """torch.get_rng_state."""
    return default_generator.get_state()


def set_rng_state(state: Tensor) -> None:
    """torch.set_rng_state."""
    default_generator.set_state(state)


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng


def _size(size: Sequence, fn: str = "size") -> tuple:
    """Sizes given as varargs, one tuple/list/torch.Size, or a 0-dim integer tensor."""
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)) and not (
            isinstance(size[0], Tensor) and size[0].ndim == 0):
        size = size[0]
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    for i, s in enumerate(size):
        if not isinstance(s, (int, np.integer)):
            if isinstance(s, Tensor) and s.ndim == 0 and s.dtype.category == 1:
                continue
            if i:  # PyTorch words a bad later element differently (and counts from 1)
                raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos "
                                f"{i + 1} with error \"type must be tuple of ints,but got "
                                f"{type(s).__name__}\"")
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {type(s).__name__} at pos {i}")
    return tuple(int(s) for s in size)


def _check_sizes(shape: tuple) -> None:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")


_REQUIRES_GRAD_DTYPE = "Only Tensors of floating point and complex dtype can require gradients"


def _finish(arr: np.ndarray, device: Any, requires_grad: bool) -> Tensor:
    if device is not None:
        dev = as_device(device)
        if dev.type != "cpu" or arr.__class__ is not np.ndarray:
            arr = to_device(arr, dev)
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fcV":  # "V": ml_dtypes' bfloat16 is a floating type
            raise RuntimeError(_REQUIRES_GRAD_DTYPE)
        t._requires_grad = True
    if _grad_state.inference:
        t.__dict__["_inference"] = True
    return t


def _dt(dtype: Any, default: _dtype.dtype | None = None, fn: str = "tensor") -> _dtype.dtype:
    """A torch dtype from ``dtype=`` (a dtype or Python's float/int/bool/complex)."""
    if dtype is None:
        return default or _dtype.get_default_dtype()
    if isinstance(dtype, _dtype.dtype):
        return dtype
    if dtype in _PY_TYPES:
        return _PY_TYPES[dtype]
    raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not "
                    f"{type(dtype).__name__}")


def _np(dtype: Any, default: _dtype.dtype | None = None, fn: str = "tensor") -> np.dtype:
    return _dt(dtype, default, fn).np


_PY_TYPES = {float: _dtype.float64, int: _dtype.int64, bool: _dtype.bool,
             complex: _dtype.complex128}
_PY_NUMBERS = {bool, int, float, complex}


def _python_dtype(t: type) -> _dtype.dtype:
    """The dtype a Python number takes in torch.tensor (floats: the default dtype)."""
    if t is bool:
        return _dtype.bool
    if t is int:
        return _dtype.int64
    if t is float:
        return _dtype.get_default_dtype()
    return _dtype.get_default_dtype().to_complex()


def _leaf_dtype(x: Any) -> Any:
    """A list element's dtype (a Python type stands for its default): NumPy floats keep
    theirs, NumPy integers count as Python ints, tensors and arrays keep theirs."""
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, np.ndarray):
        return _dtype.from_numpy_dtype(x.dtype)
    if isinstance(x, np.generic):
        return _dtype.int64 if isinstance(x, np.integer) else _dtype.from_numpy_dtype(x.dtype)
    t = type(x)
    if t in _PY_NUMBERS:
        return t
    if x is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    raise TypeError(f"new(): invalid data type '{t.__name__}'")


_COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "torch.tensor(sourceTensor).")
_NDARRAY_LIST_WARNING = (
    "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider "
    "converting the list to a single numpy.ndarray with numpy.array() before converting to a "
    "tensor. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/"
    "tensor_new.cpp:252.)")


def _scan(seq: Any, found: set) -> Any:
    """Walk nested lists: collect element dtypes into ``found``, turn tensors into lists."""
    types = set(map(type, seq))
    if types <= _PY_NUMBERS:  # the common case: plain numbers, no per-element work
        found |= types
        return seq
    out = []
    for x in seq:
        if isinstance(x, (list, tuple)):
            out.append(_scan(x, found))
            continue
        found.add(_leaf_dtype(x))
        if isinstance(x, np.ndarray) and x.ndim:
            warnings.warn(_NDARRAY_LIST_WARNING, UserWarning, stacklevel=4)
        out.append(x.tolist() if isinstance(x, Tensor) else x)
    return out


def _ragged(data: Any, dim: int = 0) -> Exception | None:
    """PyTorch's error for nested lists whose lengths disagree."""
    lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    if any(n is None for n in lengths) and any(n is not None for n in lengths):
        return TypeError("not a sequence")
    if lengths and lengths[0] is not None:
        for n in lengths:
            if n != lengths[0]:
                return ValueError(f"expected sequence of length {lengths[0]} at dim {dim + 1} "
                                  f"(got {n})")
        for x in data:
            err = _ragged(x, dim + 1)
            if err is not None:
                return err
    return None


def _infer(data: Any) -> tuple[Any, _dtype.dtype]:
    """torch.tensor's data (arrays, nested lists) and the dtype PyTorch infers for it."""
    if isinstance(data, Tensor):
        return np.asarray(data.detach().cpu()._data), data.dtype
    if isinstance(data, (np.ndarray, np.generic)):
        return data, _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple)):
        found: set = set()
        data = _scan(data, found)
        dts = [_python_dtype(d) if isinstance(d, type) else d for d in found]
        dt = dts[0] if dts else _dtype.get_default_dtype()
        for d in dts[1:]:
            dt = _dtype.promote_types(dt, d)
        return data, dt
    d = _leaf_dtype(data)
    return data, _python_dtype(d) if isinstance(d, type) else d


def _array(data: Any, dt: _dtype.dtype) -> np.ndarray:
    """A fresh array of ``data`` in ``dt``, with PyTorch's errors for bad nesting and ints
    that do not fit."""
    try:
        return np.array(data, dtype=dt.np)
    except OverflowError:
        if dt.category != 1 or dt is _dtype.int64:
            raise ValueError("Overflow when unpacking long long") from None
        return np.array(data, dtype=np.int64).astype(dt.np)  # narrower ints wrap, as in torch
    except ValueError:
        err = _ragged(data) if isinstance(data, (list, tuple)) else None
        if err is None:
            raise
        raise err from None


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """torch.tensor: always copies ``data``; Python floats take the default dtype."""
    if isinstance(data, Tensor):
        warnings.warn(_COPY_WARNING, UserWarning, stacklevel=2)
    elif hasattr(data, "__cuda_array_interface__"):
        # GPU memory (CuPy, Numba, a torch CUDA tensor): a copy that stays on its GPU
        src = _cuda_view(data)
        dt = _dt(dtype) if dtype is not None else _dtype.from_numpy_dtype(src.dtype)
        return _finish(src.astype(dt.np, copy=True), device or device_of(src), requires_grad)
    arr, inferred = _infer(data)
    arr = _array(arr, _dt(dtype) if dtype is not None else inferred)
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(arr, device, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """torch.as_tensor: shares memory with NumPy arrays and tensors where it can."""
    if isinstance(data, Tensor):
        t = data if dtype is None else data.to(dtype)
        return t if device is None else t.to(device)
    if isinstance(data, np.ndarray) and (dtype is None or _np(dtype) == data.dtype):
        return _finish(data, device, False)
    if hasattr(data, "__cuda_array_interface__"):
        arr = _cuda_view(data)  # shares the GPU memory, as torch.as_tensor does
        if dtype is not None and _np(dtype) != arr.dtype:
            arr = arr.astype(_np(dtype))
        return _finish(arr, device, False)
    return tensor(data, dtype=dtype, device=device)


def _cuda_view(data: Any) -> Any:
    """A CuPy array over the memory of any object with ``__cuda_array_interface__``."""
    from .._device import _import_cupy

    return _import_cupy().asarray(data)


asarray = as_tensor


def from_numpy(arr: np.ndarray) -> Tensor:
    """torch.from_numpy: the tensor shares the array's memory."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    _dtype.from_numpy_dtype(arr.dtype)
    return Tensor._make(arr)


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """torch.scalar_tensor."""
    return _finish(np.array(s, dtype=_np(dtype)), device, requires_grad)


def _filled(fill: Any, size: tuple, dtype: Any, device: Any, requires_grad: bool,
            default: _dtype.dtype | None = None, fn: str = "empty") -> Tensor:
    shape = _size(size, fn)
    if fn == "zeros" and any(s < 0 for s in shape):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    _check_sizes(shape)
    dt = _np(dtype, default, fn)
    if fill is None:
        arr = np.empty(shape, dtype=dt)
    elif fill == 0:
        arr = np.zeros(shape, dtype=dt)
    else:
        arr = np.full(shape, fill, dtype=dt)
    return _finish(arr, device, requires_grad)


def zeros(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.zeros."""
    return _filled(0, size, dtype, device, requires_grad, fn="zeros")


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.ones."""
    return _filled(1, size, dtype, device, requires_grad, fn="ones")


def empty(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False, pin_memory: bool = False,
          memory_format: Any = None) -> Tensor:
    """torch.empty (the memory is not cleared)."""
    return _filled(None, size, dtype, device, requires_grad)


def empty_strided(size: Sequence, stride: Sequence, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """torch.empty_strided (ember keeps its own strides)."""
    return _filled(None, (tuple(size),), dtype, device, requires_grad)


def full(size: Sequence, fill_value: Any, *, out: Any = None, dtype: Any = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.full: the dtype follows fill_value when not given (3 -> int64, True -> bool)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    elif isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    default = _dtype.scalar_dtype(fill_value) if dtype is None else None
    if not isinstance(size, (tuple, list)):
        raise TypeError("full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return _filled(fill_value, (tuple(size),), dtype, device, requires_grad, default, "full")


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: Any = None,
        layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.eye."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m, dtype=_np(dtype)), device, requires_grad)


def _num(x: Any) -> Any:
    return x.item() if isinstance(x, (Tensor, np.generic)) else x


def arange(start: Any, end: Any = None, step: Any = 1, *, out: Any = None, dtype: Any = None,
           layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.arange: integer arguments give int64, any float gives the default dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if dtype is None:
        is_int = all(isinstance(x, int) for x in (start, end, step))
        dt = _dtype.int64 if is_int else _dtype.get_default_dtype()
    else:
        dt = _dt(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dt.category < 2:  # integer output: PyTorch truncates the arguments first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    if not (step > 0 and end >= start or step < 0 and end <= start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.category < 2:
        arr = np.arange(start, end, step, dtype=dt.np)
    else:
        # The length in double precision, then start + i * step in double, as PyTorch.
        n = int(math.ceil((end - start) / step))
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    return _finish(arr, device, requires_grad)


def range(start: Any, end: Any, step: Any = 1, *, dtype: Any = None, device: Any = None,  # noqa: A001
          requires_grad: bool = False) -> Tensor:
    """torch.range (deprecated in PyTorch): includes ``end``."""
    n = int(np.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(arr.astype(_np(dtype)), device, requires_grad)


def _check_steps(steps: Any) -> int:
    if not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' (position 3) must be int, not "
                        f"{type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def _linspace(start: Any, end: Any, steps: int, dt: np.dtype) -> np.ndarray:
    """PyTorch's linspace kernel: the first half counts up from start, the second half down
    from end (so both ends are exact), in the output's float type (double for integers)."""
    if dt.kind == "f":
        work = dt
    else:  # integer output: the ends are truncated first, the steps taken in double
        work = np.dtype(np.float64)
        start, end = int(start), int(end)
    start, end = work.type(start), work.type(end)
    if steps == 1:
        return np.array([start], dtype=work)
    step = (end - start) / work.type(max(steps - 1, 1))
    i = np.arange(steps, dtype=work)
    with np.errstate(all="ignore"):
        return np.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i))


def linspace(start: Any, end: Any, steps: int, *, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.linspace."""
    dt = _np(dtype)
    arr = _linspace(_num(start), _num(end), _check_steps(steps), dt)
    return _finish(arr.astype(dt), device, requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, out: Any = None,
             dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """torch.logspace: base ** linspace(start, end, steps)."""
    dt = _np(dtype)
    exponents = _linspace(_num(start), _num(end), _check_steps(steps), dt)
    with np.errstate(all="ignore"):
        arr = np.power(np.float64(base), exponents.astype(np.float64))
    return _finish(arr.astype(dt), device, requires_grad)


def rand(*size: Any, generator: Generator | None = None, out: Any = None, dtype: Any = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False,
         pin_memory: bool = False) -> Tensor:
    """torch.rand: uniform on [0, 1)."""
    dt = _np(dtype)
    shape = _size(size, "rand")
    _check_sizes(shape)
    arr = _rng(generator).random(shape, dtype=np.float64 if dt != np.float32 else dt)
    return _finish(arr.astype(dt, copy=False), device, requires_grad)


def randn(*size: Any, generator: Generator | None = None, out: Any = None, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False) -> Tensor:
    """torch.randn: standard normal."""
    dt = _np(dtype)
    shape = _size(size, "randn")
    _check_sizes(shape)
    arr = _rng(generator).standard_normal(shape, dtype=np.float64 if dt != np.float32 else dt)
    return _finish(arr.astype(dt, copy=False), device, requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *, generator: Generator | None = None,
            out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """torch.randint(low=0, high, size): integers in [low, high), int64 by default."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() received an invalid combination of arguments - got (int), "
                        "but expected one of: (int high, tuple of ints size) or (int low, int "
                        "high, tuple of ints size)")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    shape = _size((size,), "randint")
    _check_sizes(shape)
    arr = _rng(generator).integers(low, high, size=shape)
    return _finish(arr.astype(_np(dtype, _dtype.int64)), device, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.randperm: a random permutation of 0..n-1."""
    _check_sizes((n,))
    arr = _rng(generator).permutation(n)
    return _finish(arr.astype(_np(dtype, _dtype.int64)), device, requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, out: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.normal with tensor or float mean/std."""
    m = _host(mean._data) if isinstance(mean, Tensor) else mean
    s = _host(std._data) if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    dt = ref._data.dtype if ref is not None and dtype is None else _np(dtype)
    arr = m + s * _rng(generator).standard_normal(shape)
    if device is None and ref is not None:
        device = ref.device  # tensor mean/std: the result lives with them, as in torch
    return _finish(np.asarray(arr).astype(dt), device, requires_grad)


def bernoulli(input: Tensor, p: Any = None, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """torch.bernoulli."""
    prob = _host(input._data) if p is None else p
    arr = (_rng(generator).random(input.shape) < prob).astype(input._data.dtype)
    return Tensor._make(_to_device_of(arr, input))


def _host(arr: Any) -> np.ndarray:
    """A host copy of a CUDA array (the generator draws on the host); NumPy arrays as is."""
    return arr if arr.__class__ is np.ndarray else arr.get()


def _to_device_of(arr: np.ndarray, like: Tensor) -> Any:
    return arr if like._data.__class__ is np.ndarray else to_device(arr, like.device)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None) -> Tensor:
    """torch.multinomial: category indices drawn by the weights along the last dim."""
    p = np.asarray(_host(input._data), dtype=np.float64)
    rows = p.reshape(-1, p.shape[-1])
    n, k = rows.shape
    rng = _rng(generator)
    if not replacement:
        if num_samples > k:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        # Exponential race (PyTorch's method): the largest w / Exp(1) keys win, in order;
        # zero weights come last, so they are drawn only once the rest are used up.
        with np.errstate(divide="ignore"):
            keys = rows / rng.exponential(size=rows.shape)
        out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        # Inverse CDF for all rows at once: shift row i's CDF and uniforms by i, then one
        # searchsorted over the concatenation.
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        shift = np.arange(n)[:, None]
        u = rng.random((n, num_samples)) + shift
        out = np.searchsorted((cdf + shift).ravel(), u.ravel(), side="right").reshape(
            n, num_samples) - shift * k
        out = np.minimum(out, k - 1)
    out = out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64)
    return Tensor._make(_to_device_of(out, input))


def _like(input: Tensor, dtype: Any, device: Any) -> tuple:  # noqa: A002
    return (input.dtype if dtype is None else dtype,
            device_of(input._data) if device is None else device)


def zeros_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """torch.zeros_like."""
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """torch.ones_like."""
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """torch.empty_like."""
    dt, dev = _like(input, dtype, device)
    return empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, layout: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """torch.full_like."""
    dt, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """torch.rand_like."""
    dt, dev = _like(input, dtype, device)
    return rand(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """torch.randn_like."""
    dt, dev = _like(input, dtype, device)
    return randn(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int, high: int | None = None, *, dtype: Any = None,  # noqa: A002
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.randint_like."""
    dt, dev = _like(input, dtype, device)
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dt, device=dev)


def _options(d: _dtype.dtype) -> str:
    return (f"TensorOptions(dtype={d.cpp_name}, device=cpu, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


def legacy_new(cls: type, dt: _dtype.dtype | None, *args: Any, device: Any = None) -> Tensor:
    """``torch.Tensor(...)``/``torch.FloatTensor(...)``: sizes give an uninitialised tensor,
    a sequence gives a copy of that data in ``dt``. ``dt=None`` is torch.Tensor: the default
    dtype, and a tensor argument of any dtype is returned as an alias."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if dt is not None and src.dtype is not dt:
            raise TypeError(f"expected {_options(dt)} (got {_options(src.dtype)})")
        return cls._make(src._data, None, src._vc)
    dt = dt or _dtype.get_default_dtype()
    if not args:
        arr = np.empty((0,), dtype=dt.np)
    elif all(isinstance(a, (int, np.integer)) for a in args) or (
            len(args) == 1 and type(args[0]).__name__ == "Size"):
        shape = _size(args)
        _check_sizes(shape)
        arr = np.zeros(shape, dtype=dt.np)
    elif len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
        data = _infer(args[0])[0]
        arr = _array(data, dt)
    else:
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    t = cls._make(arr)
    if device is not None and as_device(device).type != "cpu":
        t._data = to_device(arr, as_device(device))
    return t


# -- in-place random fills: x.uniform_(), x.normal_(), ... ----------------------------------

def _fill_random(t: Tensor, values: Any) -> Tensor:
    """Write random values into ``t`` as an in-place op (leaf check, version bump)."""
    from .views import check_inplace

    check_inplace(t)
    arr = np.asarray(values).astype(t._data.dtype, copy=False)
    if t._data.__class__ is not np.ndarray:
        arr = to_device(arr, t.device)
    t._data[...] = arr
    t._vc[0] += 1
    return t


def uniform_(input: Tensor, a: float = 0.0, b: float = 1.0, *,  # noqa: A002
             generator: Generator | None = None) -> Tensor:
    """Tensor.uniform_."""
    return _fill_random(input, _rng(generator).uniform(a, b, input.shape))


def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *,  # noqa: A002
            generator: Generator | None = None) -> Tensor:
    """Tensor.normal_."""
    return _fill_random(input, _rng(generator).normal(mean, std, input.shape))


def bernoulli_(input: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Tensor.bernoulli_."""
    prob = p._data if isinstance(p, Tensor) else p
    return _fill_random(input, _rng(generator).random(input.shape) < prob)


def random_(input: Tensor, from_: int = 0, to: int | None = None, *,  # noqa: A002
            generator: Generator | None = None) -> Tensor:
    """Tensor.random_: integers in [from, to), or [0, from) with one bound."""
    if to is None:
        if from_ == 0:  # torch's default range: up to 2**mantissa bits for floats
            kind = input._data.dtype
            to = 2 ** (np.finfo(kind).nmant + 1) if kind.kind == "f" else np.iinfo(kind).max
        else:
            from_, to = 0, from_
    return _fill_random(input, _rng(generator).integers(from_, to, input.shape))


def exponential_(input: Tensor, lambd: float = 1.0, *,  # noqa: A002
                 generator: Generator | None = None) -> Tensor:
    """Tensor.exponential_."""
    return _fill_random(input, _rng(generator).exponential(1.0 / lambd, input.shape))


def geometric_(input: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Tensor.geometric_."""
    return _fill_random(input, _rng(generator).geometric(p, input.shape))


def log_normal_(input: Tensor, mean: float = 1.0, std: float = 2.0, *,  # noqa: A002
                generator: Generator | None = None) -> Tensor:
    """Tensor.log_normal_."""
    return _fill_random(input, _rng(generator).lognormal(mean, std, input.shape))


def cauchy_(input: Tensor, median: float = 0.0, sigma: float = 1.0, *,  # noqa: A002
            generator: Generator | None = None) -> Tensor:
    """Tensor.cauchy_."""
    return _fill_random(input, median + sigma * _rng(generator).standard_cauchy(input.shape))


__methods__ = ["uniform_", "normal_", "bernoulli_", "random_", "exponential_", "geometric_",
               "log_normal_", "cauchy_"]

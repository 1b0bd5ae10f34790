"""Making tensors: torch.tensor, zeros, ones, arange, rand, ... and the random generator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from .._device import as_device, device_of, to_device
from .._tensor import Tensor

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


def _size(size: Sequence) -> tuple:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)) and not (
            isinstance(size[0], Tensor) and size[0].ndim == 0):
        size = size[0]
    try:
        return tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"size must be a tuple of ints, but got {type(size).__name__}") \
            from None


def _finish(arr: np.ndarray, device: Any, requires_grad: bool, dtype: Any = None) -> Tensor:
    if device is not None:
        dev = as_device(device)
        if dev.type != "cpu":
            arr = to_device(arr, dev)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np(dtype: Any, default: _dtype.dtype | None = None) -> np.dtype:
    if dtype is None:
        return (default or _dtype.get_default_dtype()).np
    if isinstance(dtype, _dtype.dtype):
        return dtype.np
    if dtype is float:
        return _dtype.get_default_dtype().np
    if dtype is int:
        return np.dtype(np.int64)
    if dtype is bool:
        return np.dtype(np.bool_)
    return np.dtype(dtype)


def _infer(data: Any) -> tuple[np.ndarray, bool]:
    """The array for torch.tensor's data, and whether its dtype came from Python numbers."""
    if isinstance(data, Tensor):
        return np.array(data.detach().cpu()._data), False
    if isinstance(data, np.ndarray):
        return data, False
    if isinstance(data, np.generic):
        return np.asarray(data), False
    if isinstance(data, (list, tuple)):
        data = _untensor(data)
    arr = np.asarray(data)
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    return arr, True


def _untensor(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    return data


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """torch.tensor: always copies ``data``."""
    arr, from_python = _infer(data)
    if hasattr(data, "__cuda_array_interface__") and not isinstance(data, Tensor):
        arr = data.get()
    if dtype is not None:
        arr = np.array(arr, dtype=_np(dtype))
    else:
        if from_python:
            kind = arr.dtype.kind
            if kind == "f":
                arr = arr.astype(_dtype.get_default_dtype().np)
            elif kind == "c":
                arr = arr.astype(_dtype.get_default_dtype().to_complex().np)
            elif kind in "iu":
                arr = arr.astype(np.int64)
        _dtype.from_numpy_dtype(arr.dtype)  # raises PyTorch's TypeError for unsupported ones
        arr = np.array(arr, copy=True)
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
    return tensor(data, dtype=dtype, device=device)


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
            default: _dtype.dtype | None = None) -> Tensor:
    shape = _size(size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    dt = _np(dtype, default)
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
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.ones."""
    return _filled(1, size, dtype, device, requires_grad)


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
    """torch.full: the dtype follows fill_value when not given."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = _dtype.scalar_dtype(fill_value) if dtype is None else None
    if isinstance(size, (int, np.integer)):
        size = (size,)
    return _filled(fill_value, (tuple(size),), dtype, device, requires_grad, default)


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: Any = None,
        layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.eye."""
    return _finish(np.eye(n, m, dtype=_np(dtype)), device, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, out: Any = None, dtype: Any = None,
           layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.arange: integer arguments give int64, any float gives the default dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (x.item() if isinstance(x, Tensor) else x for x in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(x, (int, np.integer)) for x in (start, end, step))
        dt = np.dtype(np.int64) if is_int else _dtype.get_default_dtype().np
    else:
        dt = _np(dtype)
    # PyTorch computes the length in double precision, then fills start + i * step.
    n = int(np.ceil((end - start) / step))
    arr = (start + np.arange(max(n, 0), dtype=np.float64) * step) if dt.kind == "f" else \
        np.arange(start, end, step)
    return _finish(arr.astype(dt), device, requires_grad)


def range(start: Any, end: Any, step: Any = 1, *, dtype: Any = None, device: Any = None,  # noqa: A001
          requires_grad: bool = False) -> Tensor:
    """torch.range (deprecated in PyTorch): includes ``end``."""
    n = int(np.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(arr.astype(_np(dtype)), device, requires_grad)


def linspace(start: Any, end: Any, steps: int, *, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.linspace."""
    start, end = (x.item() if isinstance(x, Tensor) else x for x in (start, end))
    arr = _linspace(start, end, steps)
    return _finish(arr.astype(_np(dtype)), device, requires_grad)


def _linspace(start: float, end: float, steps: int) -> np.ndarray:
    # PyTorch fills the first half from start and the second half from end, which makes
    # the endpoints exact; NumPy's linspace rounds differently in the last bit.
    if steps == 1:
        return np.array([start], dtype=np.float64)
    step = (end - start) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(i < half, start + step * i, end - step * (steps - 1 - i))


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.logspace."""
    arr = np.power(base, _linspace(start, end, steps))
    return _finish(arr.astype(_np(dtype)), device, requires_grad)


def rand(*size: Any, generator: Generator | None = None, out: Any = None, dtype: Any = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False,
         pin_memory: bool = False) -> Tensor:
    """torch.rand: uniform on [0, 1)."""
    dt = _np(dtype)
    arr = _rng(generator).random(_size(size), dtype=np.float64 if dt != np.float32 else dt)
    return _finish(arr.astype(dt, copy=False), device, requires_grad)


def randn(*size: Any, generator: Generator | None = None, out: Any = None, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False) -> Tensor:
    """torch.randn: standard normal."""
    dt = _np(dtype)
    arr = _rng(generator).standard_normal(_size(size),
                                          dtype=np.float64 if dt != np.float32 else dt)
    return _finish(arr.astype(dt, copy=False), device, requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *, generator: Generator | None = None,
            out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """torch.randint(low=0, high, size)."""
    if size is None:
        low, high, size = 0, low, high
    arr = _rng(generator).integers(low, high, size=tuple(size))
    return _finish(arr.astype(_np(dtype, _dtype.int64)), device, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.randperm."""
    arr = _rng(generator).permutation(n)
    return _finish(arr.astype(_np(dtype, _dtype.int64)), device, requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, out: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.normal with tensor or float mean/std."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    dt = ref._data.dtype if ref is not None and dtype is None else _np(dtype)
    arr = m + s * _rng(generator).standard_normal(shape)
    return _finish(np.asarray(arr).astype(dt), device, requires_grad)


def bernoulli(input: Tensor, p: Any = None, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """torch.bernoulli."""
    prob = input._data if p is None else p
    arr = _rng(generator).random(input.shape) < prob
    return Tensor._make(arr.astype(input._data.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None) -> Tensor:
    """torch.multinomial over the last dim."""
    p = np.asarray(input._data, dtype=np.float64)
    rows = p.reshape(-1, p.shape[-1])
    rng = _rng(generator)
    out = np.stack([rng.choice(rows.shape[1], num_samples, replace=replacement, p=r / r.sum())
                    for r in rows])
    return Tensor._make(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))


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


_LEGACY = {}


def legacy_new(cls: type, dt: _dtype.dtype, *args: Any, device: Any = None) -> Tensor:
    """``torch.Tensor(...)``/``torch.FloatTensor(...)``: sizes give an uninitialised tensor,
    a sequence gives a copy of that data in ``dt``."""
    if not args:
        arr = np.empty((0,), dtype=dt.np)
    elif all(isinstance(a, (int, np.integer)) for a in args) or (
            len(args) == 1 and type(args[0]).__name__ == "Size"):
        arr = np.zeros(_size(args), dtype=dt.np)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if src.dtype is not dt:
            raise TypeError(f"expected {dt} (got {src.dtype})")
        return cls._make(src._data, None, src._vc)
    elif len(args) == 1:
        arr = np.array(_untensor(args[0]) if isinstance(args[0], (list, tuple)) else args[0],
                       dtype=dt.np)
    else:
        raise TypeError("new(): invalid data type")
    t = cls._make(arr)
    if device is not None and as_device(device).type != "cpu":
        t._data = to_device(arr, as_device(device))
    return t

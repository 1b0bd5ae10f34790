"""ember: PyTorch's tensor and autograd API on NumPy (CPU) and CuPy (GPU).

``import ember as torch`` runs ordinary PyTorch autograd code.
"""

from __future__ import annotations

from . import _dtype, autograd, cuda, nn  # noqa: E402,I001
from ._device import device
from ._dtype import (  # noqa: A004
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    float,  # noqa: A004
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._dtype import dtype as dtype
from ._printing import get_printoptions, printoptions, set_printoptions
from ._tensor import Size, Tensor
from .autograd import grad_mode as _grad_mode
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import creation as _creation
from .ops import indexing as _indexing
from .ops import pointwise as _pointwise
from .ops import reduction as _reduction
from .ops import shape as _shape
from .ops.activation import *  # noqa: F403
from .ops.creation import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.pointwise import *  # noqa: F403
from .ops.reduction import *  # noqa: F403
from .ops.shape import *  # noqa: F403

__version__ = "0.1.0"

float_ = float


def result_type(tensor1: object, tensor2: object) -> dtype:
    """torch.result_type."""
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj: object) -> builtins_bool:
    """torch.is_tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> builtins_bool:  # noqa: A002
    """torch.is_floating_point."""
    return input.dtype.is_floating_point


def is_complex(input: Tensor) -> builtins_bool:  # noqa: A002
    """torch.is_complex."""
    return input.dtype.is_complex


def numel(input: Tensor) -> builtins_int:  # noqa: A002
    """torch.numel."""
    return input.numel()


def _legacy(dt: dtype) -> type:
    class _LegacyTensor(Tensor):
        def __new__(cls, *args: object, **kwargs: object) -> Tensor:
            return _creation.legacy_new(Tensor, dt, *args, **kwargs)

    return _LegacyTensor


builtins_bool = type(True)
builtins_int = type(1)
FloatTensor = _legacy(float32)
DoubleTensor = _legacy(float64)
HalfTensor = _legacy(float16)
LongTensor = _legacy(int64)
IntTensor = _legacy(int32)
ShortTensor = _legacy(int16)
CharTensor = _legacy(int8)
ByteTensor = _legacy(uint8)
BoolTensor = _legacy(bool)
for _name, _cls in [("FloatTensor", FloatTensor), ("DoubleTensor", DoubleTensor),
                    ("HalfTensor", HalfTensor), ("LongTensor", LongTensor),
                    ("IntTensor", IntTensor), ("ShortTensor", ShortTensor),
                    ("CharTensor", CharTensor), ("ByteTensor", ByteTensor),
                    ("BoolTensor", BoolTensor)]:
    _cls.__name__ = _cls.__qualname__ = _name

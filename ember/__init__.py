"""ember: PyTorch's tensor and autograd API on NumPy (CPU) and CuPy (GPU).

``import ember as torch`` runs ordinary PyTorch autograd code. Like torch, this namespace
binds ``float``, ``int`` and ``bool`` to dtypes, so Python's own are reached via builtins.
"""

from __future__ import annotations

import builtins

from . import _alloc, _dtype

# Keep freed training-step temporaries in malloc's heap instead of returning them to the
# OS after every step (ember's answer to torch's caching allocator; see _alloc.py).
_alloc.tune_malloc()
from ._device import device
from ._dtype import (
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
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
    uint16,
    uint32,
    uint64,
)
from ._printing import get_printoptions, printoptions, set_printoptions
from ._tensor import Size, Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import creation as _creation
from .ops.activation import *  # noqa: F403
from .ops.creation import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.loss import *  # noqa: F403
from .ops.pointwise import *  # noqa: F403
from .ops.reduction import *  # noqa: F403
from .ops.shape import *  # noqa: F403
from .ops.extra_math import *  # noqa: F403
from .ops.extra_shape import *  # noqa: F403

from . import autograd, cuda, nn, optim, utils  # noqa: E402, I001  (after the ops: they use them)
from . import amp, backends, cpu  # noqa: E402
from .amp.autocast_mode import (  # noqa: E402
    autocast,
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
)
from .backends.cuda import get_float32_matmul_precision, set_float32_matmul_precision  # noqa: E402
from .utils import dlpack as _dlpack  # noqa: E402  (binds ember.utils.dlpack)
from .utils.dlpack import from_dlpack  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import linalg  # noqa: E402
from .linalg import logdet  # noqa: E402

det = linalg.det
inverse = linalg.inv


def slogdet(A: Tensor) -> object:
    """torch.slogdet."""
    from .ops.reduction import return_types

    return return_types.slogdet(*linalg.slogdet(A))

__version__ = "0.1.0"


def result_type(tensor1: object, tensor2: object) -> dtype:
    """torch.result_type."""
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj: object) -> builtins.bool:
    """torch.is_tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> builtins.bool:
    """torch.is_floating_point."""
    return input.dtype.is_floating_point


def is_complex(input: Tensor) -> builtins.bool:
    """torch.is_complex."""
    return input.dtype.is_complex


def numel(input: Tensor) -> builtins.int:
    """torch.numel."""
    return input.numel()


class _LegacyTensorMeta(type):
    """``isinstance(x, torch.FloatTensor)`` asks about x's dtype (and device), as in torch."""

    def __instancecheck__(cls, obj: object) -> builtins.bool:
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype and obj.is_cpu


def _legacy(name: str, dt: dtype) -> type:
    """``torch.FloatTensor`` and friends: constructors that make plain Tensors of one dtype."""

    def __new__(cls: type, *args: object, **kwargs: object) -> Tensor:  # noqa: N807
        return _creation.legacy_new(Tensor, dt, *args, **kwargs)

    return _LegacyTensorMeta(name, (Tensor,), {"__new__": __new__, "__module__": "torch",
                                              "_dtype": dt})


FloatTensor = _legacy("FloatTensor", float32)
DoubleTensor = _legacy("DoubleTensor", float64)
HalfTensor = _legacy("HalfTensor", float16)
LongTensor = _legacy("LongTensor", int64)
IntTensor = _legacy("IntTensor", int32)
ShortTensor = _legacy("ShortTensor", int16)
CharTensor = _legacy("CharTensor", int8)
ByteTensor = _legacy("ByteTensor", uint8)
BoolTensor = _legacy("BoolTensor", bool)


if bfloat16 is None:  # no ml_dtypes: ember.bfloat16 raises, naming the package
    del bfloat16


from ._aliases import *  # noqa: E402,F403  (last: it aliases names defined above)

from .ops import bind_methods as _bind_methods  # noqa: E402

# Tensor methods whose functions load after the ops are bound (ember.linalg, _aliases).
_bind_methods({"det": det, "logdet": logdet, "inverse": inverse, "slogdet": slogdet,
               "dist": dist})  # noqa: F405


def __getattr__(name: str) -> object:
    if name == "bfloat16":
        raise AttributeError(_dtype.BFLOAT16_MISSING)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")

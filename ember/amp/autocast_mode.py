"""torch.autocast: ops run in the dtype PyTorch's op lists give them.

``Op.apply`` calls ``_cast_inputs`` while ``_state.enabled`` is set (one attribute check per op
when autocast is off). The op's device is that of its first tensor input; the policy comes
from the op's grad_fn name, looked up once per op class and device type in the tables below,
which are PyTorch's (aten/src/ATen/autocast_mode.cpp, the KERNEL_CPU and KERNEL_CUDA lists):

- lower precision: floating inputs other than float64 are cast to the autocast dtype;
- fp32: floating inputs other than float64 are cast to float32;
- promote: inputs are cast to the widest floating type among them (float64 ignored);
- banned: binary_cross_entropy on CUDA raises, as in PyTorch.

Casts are ordinary ``ToCopyBackward0`` nodes; a float32 leaf that requires grad (a weight) is
cast once per outermost autocast region and reused (the weight cache), as in PyTorch.

PyTorch decides at the level of the function the user calls (``matmul``, ``linear``,
``cross_entropy``); ember decides at the level of the op that runs. Where an ember function is
composed of several ops the result can differ from PyTorch's: see ``COMPOSITE_GAPS``.
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd", "cast_at_entry",
           "is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting"]

_LOWER, _FP32, _PROMOTE, _BANNED = 1, 2, 3, 4

# Policies per device type, keyed by the grad_fn names of ember's ops (what Op.apply sees)
# and by the names of PyTorch's functions in its lists (what ``cast_at_entry`` is called
# with by composite functions). Ops missing from a table run in their inputs' dtypes.
_CPU_TABLE = dict.fromkeys((
    # ember ops
    "ConvolutionBackward0", "BmmBackward0", "MmBackward0", "BaddbmmBackward0",
    "AddmmBackward0", "AddbmmBackward0", "PreluKernelBackward0", "MkldnnRnnLayerBackward0",
    "ScaledDotProductFlashAttentionForCpuBackward0",
    # functions (einsum: only when it contracts, as PyTorch's decomposes into bmm)
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "conv_tbc", "bmm", "mm", "baddbmm", "addmm", "addbmm", "linear", "matmul", "prelu",
    "mkldnn_rnn_layer", "scaled_dot_product_attention", "einsum"), _LOWER)
_CPU_TABLE.update(dict.fromkeys((
    "AvgPool3DBackward0", "BinaryCrossEntropyBackward0", "ProdBackward0", "ProdBackward1",
    "CdistBackward0", "TraceBackward0", "LinalgInvExBackward0", "LinalgCholeskyExBackward0",
    "LinalgSolveExBackward0", "LinalgQrBackward0", "LinalgSvdBackward0", "LinalgEighBackward0",
    "LinalgLstsqBackward0", "MaxPool3DWithIndicesBackward0", "AdaptiveAvgPool3DBackward0",
    "AdaptiveMaxPool3DBackward0", "ReflectionPad1DBackward0", "ReflectionPad2DBackward0",
    "ReplicationPad1DBackward0", "ReplicationPad2DBackward0", "ReplicationPad3DBackward0",
    "MseLossBackward0", "NllLossBackward0", "NllLoss2DBackward0", "SmoothL1LossBackward0",
    "HuberLossBackward0", "SoftMarginLossBackward0", "MultiMarginLossBackward0",
    "MultilabelMarginLossBackward0", "BinaryCrossEntropyWithLogitsBackward0",
    "KlDivBackward0",
    "avg_pool3d", "binary_cross_entropy", "grid_sampler", "polar", "prod", "quantile",
    "nanquantile", "stft", "cdist", "trace", "view_as_complex", "cholesky", "cholesky_inverse",
    "cholesky_solve", "inverse", "lu_solve", "orgqr", "ormqr", "pinverse", "max_pool3d",
    "max_unpool2d", "max_unpool3d", "adaptive_avg_pool3d", "reflection_pad1d",
    "reflection_pad2d", "replication_pad1d", "replication_pad2d", "replication_pad3d",
    "mse_loss", "cosine_embedding_loss", "nll_loss", "nll_loss2d", "hinge_embedding_loss",
    "poisson_nll_loss", "smooth_l1_loss", "cross_entropy_loss", "l1_loss", "huber_loss",
    "margin_ranking_loss", "soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
    "ctc_loss", "kl_div", "multilabel_margin_loss", "binary_cross_entropy_with_logits",
    "fft_fft", "fft_ifft", "fft_fft2", "fft_ifft2", "fft_fftn", "fft_ifftn", "fft_rfft",
    "fft_irfft", "fft_rfft2", "fft_irfft2", "fft_rfftn", "fft_irfftn", "fft_hfft", "fft_ihfft",
    "linalg_cond", "linalg_matrix_rank", "linalg_solve", "linalg_cholesky", "linalg_svdvals",
    "linalg_eigvals", "linalg_eigvalsh", "linalg_inv", "linalg_householder_product",
    "linalg_tensorinv", "linalg_tensorsolve", "geqrf", "qr", "svd", "triangular_solve",
    "fractional_max_pool2d", "fractional_max_pool3d", "adaptive_max_pool3d", "linalg_qr",
    "linalg_cholesky_ex", "linalg_svd", "linalg_eig", "linalg_eigh", "linalg_lstsq",
    "linalg_inv_ex"), _FP32))
_CPU_TABLE.update(dict.fromkeys((
    "CatBackward0", "StackBackward0", "IndexCopyBackward0", "cat", "stack", "index_copy"),
    _PROMOTE))

_CUDA_TABLE = dict.fromkeys((
    "ConvolutionBackward0", "PreluKernelBackward0", "AddmmBackward0", "AddmvBackward0",
    "AddrBackward0", "MmBackward0", "MvBackward0", "AddbmmBackward0", "BaddbmmBackward0",
    "BmmBackward0", "MkldnnRnnLayerBackward0", "ScaledDotProductFlashAttentionForCpuBackward0",
    "conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "prelu", "addmm", "addmv", "addr", "matmul", "einsum", "mm", "mv",
    "linear", "addbmm", "baddbmm", "bmm", "chain_matmul", "linalg_multi_dot", "lstm_cell",
    "gru_cell", "rnn_tanh_cell", "rnn_relu_cell", "scaled_dot_product_attention"), _LOWER)
_CUDA_TABLE.update(dict.fromkeys((
    "AcosBackward0", "AsinBackward0", "CoshBackward0", "ErfinvBackward0", "ExpBackward0",
    "Expm1Backward0", "LogBackward0", "Log10Backward0", "Log2Backward0", "Log1pBackward0",
    "ReciprocalBackward0", "RsqrtBackward0", "SinhBackward0", "TanBackward0", "PowBackward0",
    "PowBackward1", "PowBackward2", "SoftplusBackward0", "NativeLayerNormBackward0",
    "NativeGroupNormBackward0", "NllLossBackward0", "NllLoss2DBackward0", "KlDivBackward0",
    "SmoothL1LossBackward0", "HuberLossBackward0", "MseLossBackward0",
    "MultilabelMarginLossBackward0", "SoftMarginLossBackward0", "MultiMarginLossBackward0",
    "BinaryCrossEntropyWithLogitsBackward0", "DistBackward0", "PdistBackward0",
    "CdistBackward0", "RenormBackward0", "LogsumexpBackward0", "ProdBackward0",
    "ProdBackward1", "SoftmaxBackward0", "LogSoftmaxBackward0", "CumprodBackward0",
    "CumsumBackward0", "LinalgVectorNormBackward0", "LinalgMatrixNormBackward0",
    "NormBackward0", "NormBackward1", "SumBackward0", "SumBackward1",
    "acos", "asin", "cosh", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p",
    "reciprocal", "rsqrt", "sinh", "tan", "pow", "softplus", "layer_norm", "native_layer_norm",
    "group_norm", "rms_norm", "frobenius_norm", "nuclear_norm", "cosine_similarity",
    "poisson_nll_loss", "cosine_embedding_loss", "nll_loss", "nll_loss2d",
    "hinge_embedding_loss", "kl_div", "l1_loss", "smooth_l1_loss", "huber_loss", "mse_loss",
    "margin_ranking_loss", "multilabel_margin_loss", "soft_margin_loss", "triplet_margin_loss",
    "multi_margin_loss", "binary_cross_entropy_with_logits", "dist", "pdist", "cdist", "renorm",
    "logsumexp", "prod", "softmax", "log_softmax", "cumprod", "cumsum", "linalg_vector_norm",
    "linalg_matrix_norm", "sum", "norm"), _FP32))
_CUDA_TABLE.update(dict.fromkeys((
    "AddcdivBackward0", "AddcmulBackward0", "Atan2Backward0", "LinalgCrossBackward0",
    "DotBackward0", "VdotBackward0", "GridSampler2DBackward0", "GridSampler3DBackward0",
    "IndexPutBackward0", "ScatterAddBackward0",
    "addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "vdot", "grid_sampler",
    "index_put", "tensordot", "scatter_add"), _PROMOTE))
_CUDA_TABLE["BinaryCrossEntropyBackward0"] = _CUDA_TABLE["binary_cross_entropy"] = _BANNED

_TABLES = {"cpu": _CPU_TABLE, "cuda": _CUDA_TABLE}

# Where ember's op-level decision still differs from PyTorch's function-level one: the
# composite functions below would call ``cast_at_entry`` at their start to match exactly.
COMPOSITE_GAPS = {
    "einsum": "ember's einsum is one node and is not cast; PyTorch casts the bmm it makes",
    "l1_loss, kl_div and the other composite losses": "on low-precision inputs, ember casts "
        "at the first listed op inside rather than at the function's entry; float32 inputs "
        "give the same result",
    "in-place ops (x.addmm_(...))": "PyTorch never autocasts them; ember casts the op's "
                                    "inputs and writes the result back in x's dtype",
}

_BCE_BANNED = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_"
    "logits\nor torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits "
    "are\nsafe to autocast.")


class _State:
    """What Op.apply reads, one plain attribute: true while any thread has autocast on for
    any device type (a thread-local flag would cost a few tens of ns on every op)."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = False


class _Local(threading.local):
    """The autocast state proper, per thread as in PyTorch."""

    cache_enabled = True
    nesting = 0

    def __init__(self) -> None:
        self.on = {"cpu": False, "cuda": False}
        # bfloat16 is None without ml_dtypes; autocast("cpu") then asks for a dtype.
        self.dtype = {"cpu": _dtype.bfloat16, "cuda": _dtype.float16}
        self.cache: dict[int, tuple[Tensor, Tensor]] = {}


_state = _State()
_local = _Local()
_active: set[int] = set()  # threads with autocast on somewhere
_active_lock = threading.Lock()
_policies: dict[tuple[type, str], int | None] = {}

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_LOW_NP = {np.dtype(np.float16)} | ({_dtype.bfloat16.np} if _dtype.bfloat16 else set())
_CASTABLE = _LOW_NP | {_F32}  # float64 is never cast (PyTorch: "not eligible")


def _policy(cls: type, device_type: str) -> int | None:
    key = (cls, device_type)
    try:
        return _policies[key]
    except KeyError:
        pass
    table = _TABLES[device_type]
    # The class's own name is its grad_fn name; subclasses made at run time (per-mode pads,
    # losses sharing a base) carry theirs too, so the first named class up the MRO decides.
    policy = next((table[c.__name__] for c in cls.__mro__ if c.__name__ in table), None)
    _policies[key] = policy
    return policy


def _device_of_first(inputs: tuple) -> str | None:
    for x in inputs:
        if isinstance(x, Tensor):
            return "cpu" if x._data.__class__ is np.ndarray else "cuda"
    return None


def _cast_inputs(cls: type, inputs: tuple) -> tuple:
    """The inputs of op ``cls`` cast as autocast's op lists say."""
    device_type = _device_of_first(inputs)
    if device_type is None or not _local.on[device_type]:
        return inputs
    policy = _policy(cls, device_type)
    return inputs if policy is None else _apply(policy, device_type, inputs)


def cast_at_entry(name: str, *inputs: Any) -> tuple:
    """The arguments of PyTorch function ``name`` ("linear", "cross_entropy_loss", ...) cast
    as its autocast policy says, for composite functions to call first thing::

        if _amp_state.enabled:  # autocast_mode._state: one attribute check when off
            input, weight, bias = autocast_mode.cast_at_entry("linear", input, weight, bias)

    so that the function decides, as in PyTorch, rather than the first op inside it."""
    device_type = _device_of_first(inputs)
    if device_type is None or not _local.on[device_type]:
        return inputs
    policy = _TABLES[device_type].get(name)
    return inputs if policy is None else _apply(policy, device_type, inputs)


def _apply(policy: int, device_type: str, inputs: tuple) -> tuple:
    st = _local
    if policy == _BANNED:
        raise RuntimeError(_BCE_BANNED)
    cpu = device_type == "cpu"
    eligible = [isinstance(x, Tensor) and (x._data.__class__ is np.ndarray) == cpu
                and x._data.dtype in _CASTABLE for x in inputs]
    if policy == _LOWER:
        target = st.dtype[device_type]
    elif policy == _FP32:
        target = _dtype.float32
    else:
        target = _widest(inputs, eligible, st.dtype[device_type])
    np_target = target.np
    if not any(e and x._data.dtype != np_target for x, e in zip(inputs, eligible)):
        return inputs
    return tuple(_cast(x, target, policy == _LOWER) if e and x._data.dtype != np_target else x
                 for x, e in zip(inputs, eligible))


def _widest(inputs: tuple, eligible: list, low: _dtype.dtype) -> _dtype.dtype:
    """at::autocast::promote_type: float32 wins over the autocast dtype; float64 inputs are
    skipped (and left alone); a second low-precision type is PyTorch's error."""
    current = low
    for x, e in zip(inputs, eligible):
        if not e:
            continue
        d = x.dtype
        if current is _dtype.float32 or d is _dtype.float32:
            current = _dtype.float32
        elif d is not low:
            raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return current


def _cast(x: Tensor, target: _dtype.dtype, lower: bool) -> Tensor:
    st = _local
    # PyTorch's conditions; not in inference mode, whose casts could not serve training.
    if (lower and st.cache_enabled and x._requires_grad and x._grad_fn is None
            and x._base is None and x._data.dtype == _F32 and not _grad_state.inference):
        hit = st.cache.get(id(x))
        if hit is not None and hit[0] is x and hit[1]._data.dtype == target.np:
            return hit[1]
        out = x.to(target)
        st.cache[id(x)] = (x, out)  # holds x, so its id is not reused while cached
        return out
    return x.to(target)


# -- the state, as torch's functions show it ---------------------------------------------------

def _device_type(device_type: str) -> str:
    from .._device import device

    return device(device_type).type


def is_autocast_available(device_type: str) -> bool:
    """torch.amp.is_autocast_available: ember autocasts on the CPU and on CUDA."""
    return _device_type(device_type) in _TABLES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """torch.is_autocast_enabled; with no argument, for CUDA (as in torch)."""
    return _local.on.get("cuda" if device_type is None else _device_type(device_type), False)


def set_autocast_enabled(device_type: Any, enabled: bool | None = None) -> None:
    """torch.set_autocast_enabled(device_type, enabled), or (enabled) for CUDA."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    on = _local.on
    on[_device_type(device_type)] = bool(enabled)
    ident = threading.get_ident()
    with _active_lock:
        if any(on.values()):
            _active.add(ident)
        else:
            _active.discard(ident)
        _state.enabled = bool(_active)


def get_autocast_dtype(device_type: str) -> _dtype.dtype:
    """torch.get_autocast_dtype: bfloat16 on the CPU, float16 on CUDA unless changed."""
    return _local.dtype[_device_type(device_type)]


def set_autocast_dtype(device_type: str, dtype: _dtype.dtype) -> None:
    """torch.set_autocast_dtype."""
    _local.dtype[_device_type(device_type)] = dtype


def get_autocast_cpu_dtype() -> _dtype.dtype:
    """torch.get_autocast_cpu_dtype (deprecated in torch)."""
    return _local.dtype["cpu"]


def get_autocast_gpu_dtype() -> _dtype.dtype:
    """torch.get_autocast_gpu_dtype (deprecated in torch)."""
    return _local.dtype["cuda"]


def is_autocast_cpu_enabled() -> bool:
    """torch.is_autocast_cpu_enabled (deprecated in torch)."""
    return _local.on["cpu"]


def is_autocast_cache_enabled() -> bool:
    """torch.is_autocast_cache_enabled."""
    return _local.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """torch.set_autocast_cache_enabled."""
    _local.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """torch.clear_autocast_cache: forget the cast weights."""
    _local.cache.clear()


def autocast_increment_nesting() -> int:
    """torch.autocast_increment_nesting."""
    _local.nesting += 1
    return _local.nesting


def autocast_decrement_nesting() -> int:
    """torch.autocast_decrement_nesting."""
    _local.nesting -= 1
    return _local.nesting


# -- the context manager ---------------------------------------------------------------------

def _cuda_unavailable() -> bool:
    from .._device import cuda_available

    return not cuda_available()


class autocast:  # noqa: N801 - torch's name
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None): a context
    manager and decorator in whose region ops run in the dtype PyTorch's op lists give them
    (see the module docstring)."""

    def __init__(self, device_type: str, dtype: _dtype.dtype | None = None,
                 enabled: bool = True, cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{self.device}'")
        if self.device == "cpu" and self.fast_dtype is None and enabled:
            raise RuntimeError("CPU autocast runs in bfloat16 by default, and ember's bfloat16 "
                               "needs the ml_dtypes package: pip install ml_dtypes (or "
                               "'ember[bf16]'), or pass dtype=ember.float16")
        self._cache_enabled = (is_autocast_cache_enabled() if cache_enabled is None
                               else cache_enabled)
        supported = [d for d in (_dtype.bfloat16, _dtype.float16) if d is not None]
        name = self.device.upper()
        if enabled:
            if self.device == "cuda":
                if _cuda_unavailable():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                                  "autocast.", stacklevel=2)
                    enabled = False
                elif self.fast_dtype is _dtype.bfloat16:
                    # ember keeps bfloat16 on the CPU only (CuPy has no bfloat16)
                    raise RuntimeError("Current CUDA Device does not support bfloat16. Please "
                                       "switch dtype to float16.")
            elif self.fast_dtype not in supported:
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling "
                    f"autocast.\n{name} Autocast only supports dtypes of "
                    + ", ".join(map(str, supported)) + " currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func: Callable) -> Callable:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with torch.autocast(device_type=...):\n"
                "        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorate_autocast


# -- custom_fwd / custom_bwd ------------------------------------------------------------------

def _cast_tree(value: Any, device_type: str, dtype: _dtype.dtype) -> Any:
    if isinstance(value, Tensor):
        on_device = (value._data.__class__ is np.ndarray) == (device_type == "cpu")
        if on_device and value._data.dtype in _CASTABLE:
            return value.to(dtype)
        return value
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, dict):
        return {k: _cast_tree(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_tree(v, device_type, dtype) for v in value)
    return value


def custom_fwd(fwd: Callable | None = None, *, device_type: str,
               cast_inputs: _dtype.dtype | None = None) -> Callable:
    """torch.amp.custom_fwd: decorate a custom Function's forward so that it runs under the
    caller's autocast state, or, with ``cast_inputs``, with autocast off and its floating
    inputs cast to that dtype."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_context = is_autocast_enabled(device_type)
        ctx._fwd_used_autocast = False
        if autocast_context:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast_tree(args, device_type, cast_inputs),
                           **_cast_tree(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd: Callable | None = None, *, device_type: str) -> Callable:
    """torch.amp.custom_bwd: run a custom Function's backward with the autocast state its
    forward ran with."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast,
                      dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd

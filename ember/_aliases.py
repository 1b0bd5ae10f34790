"""torch.* names that are other ember functions under another spelling.

Top-level forms of ``torch.nn.functional`` and ``torch.linalg`` functions (with torch's
top-level positional signatures), ``torch.exp_(x)``-style in-place functions, view-copy
variants (``torch.t_copy``), removed functions that raise torch's error, and the process-wide
switches (threads, determinism, warn-always, finfo/iinfo, compile) that ember keeps as state.
"""

from __future__ import annotations

import builtins
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _dtype
from . import linalg as _linalg
from ._tensor import Tensor
from .nn import functional as _F
from .nn.modules.module import typename as _typename
from .ops._op import Op
from .ops.reduction import _return_type

_ember = sys.modules["ember"]

__all__: list[str] = []


def _export(fn: Any) -> Any:
    __all__.append(fn.__name__)
    return fn


# -- nn.functional at the top level ----------------------------------------------------------

conv1d = _F.conv1d
conv2d = _F.conv2d
conv3d = _F.conv3d
conv_transpose1d = _F.conv_transpose1d
conv_transpose2d = _F.conv_transpose2d
conv_transpose3d = _F.conv_transpose3d
adaptive_avg_pool1d = _F.adaptive_avg_pool1d
bilinear = _F.bilinear
pixel_shuffle = _F.pixel_shuffle
pixel_unshuffle = _F.pixel_unshuffle
channel_shuffle = _F.channel_shuffle
__all__ += ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "adaptive_avg_pool1d", "bilinear", "pixel_shuffle",
            "pixel_unshuffle", "channel_shuffle"]
if not hasattr(_ember, "cosine_similarity"):
    cosine_similarity = _F.cosine_similarity
    __all__.append("cosine_similarity")


def _stride(stride: Any) -> Any:
    return None if stride is None or stride == () or stride == [] else stride


@_export
def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """torch.avg_pool1d."""
    return _F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode,
                         count_include_pad)


@_export
def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """torch.max_pool1d."""
    return _F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@_export
def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (),  # noqa: A002
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """torch.max_pool1d_with_indices."""
    return tuple(_F.max_pool1d_with_indices(input, kernel_size, _stride(stride), padding,
                                            dilation, ceil_mode))


@_export
def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """torch.max_pool2d."""
    return _F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@_export
def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """torch.max_pool3d."""
    return _F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@_export
def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    """torch.adaptive_max_pool1d: (values, indices), always."""
    return tuple(_F.adaptive_max_pool1d_with_indices(input, output_size))


@_export
def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.dropout."""
    return _F.dropout(input, p, train)


@_export
def dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.dropout_."""
    return _F.dropout(input, p, train, inplace=True)


@_export
def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.alpha_dropout."""
    return _F.alpha_dropout(input, p, train)


@_export
def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.alpha_dropout_."""
    return _F.alpha_dropout(input, p, train, inplace=True)


@_export
def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.feature_alpha_dropout_."""
    return _F.feature_alpha_dropout(input, p, train, inplace=True)


@_export
def convolution(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                stride: Sequence[int], padding: Sequence[int], dilation: Sequence[int],
                transposed: bool, output_padding: Sequence[int], groups: int) -> Tensor:
    """torch.convolution: conv{1,2,3}d or conv_transpose{1,2,3}d by weight's rank."""
    n = weight.ndim - 2
    if n not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a 3-D, 4-D or 5-D weight, got {weight.ndim}-D")
    if transposed:
        conv = (_F.conv_transpose1d, _F.conv_transpose2d, _F.conv_transpose3d)[n - 1]
        return conv(input, weight, bias, tuple(stride), tuple(padding), tuple(output_padding),
                    groups, tuple(dilation))
    conv = (_F.conv1d, _F.conv2d, _F.conv3d)[n - 1]
    return conv(input, weight, bias, tuple(stride), tuple(padding), tuple(dilation), groups)


@_export
def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.feature_alpha_dropout."""
    return _F.feature_alpha_dropout(input, p, train)


def _feature_dropout(input: Tensor, p: float, train: bool, inplace: bool) -> Tensor:  # noqa: A002
    _F._check_p(p)
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _F._dropout(input, p, train, inplace, shape)


@_export
def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.feature_dropout: whole channels (dim 1) zeroed."""
    return _feature_dropout(input, p, train, False)


@_export
def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """torch.feature_dropout_."""
    return _feature_dropout(input, p, train, True)


@_export
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """torch.embedding (weight first; a negative padding_idx means none)."""
    return _F.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                        scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


@_export
def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """torch.layer_norm."""
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


@_export
def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """torch.group_norm."""
    return _F.group_norm(input, num_groups, weight, bias, eps)


@_export
def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """torch.instance_norm (torch's positional order, not F.instance_norm's)."""
    return _F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                            momentum, eps)


@_export
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """torch.batch_norm (torch's positional order, not F.batch_norm's)."""
    return _F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                         eps)


@_export
def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
             eps: float | None = None) -> Tensor:
    """torch.rms_norm."""
    return _F.rms_norm(input, normalized_shape, weight, eps)


@_export
def constant_pad_nd(input: Tensor, pad: Sequence[int], value: float = 0) -> Tensor:  # noqa: A002
    """torch.constant_pad_nd."""
    return _F.pad(input, list(pad), "constant", value)


# -- linalg at the top level -----------------------------------------------------------------

_svd_t = _return_type("svd", ("U", "S", "V"))
_qr_t = _return_type("qr", ("Q", "R"))
_tri_t = _return_type("triangular_solve", ("solution", "cloned_coefficient"))


@_export
def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """torch.svd: U, S, V (V, not Vh); zero U and V when compute_uv is False."""
    if not compute_uv:
        s = _linalg.svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        return _svd_t(_ember.zeros(batch + (m, m), dtype=input.dtype, device=input.device), s,
                      _ember.zeros(batch + (n, n), dtype=input.dtype, device=input.device))
    u, s, vh = _linalg.svd(input, full_matrices=not some)
    return _svd_t(u, s, vh.mH)


@_export
def qr(input: Tensor, some: bool = True) -> Any:  # noqa: A002
    """torch.qr."""
    q, r = _linalg.qr(input, "reduced" if some else "complete")
    return _qr_t(q, r)


@_export
def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """torch.cholesky."""
    return _copy(_linalg.cholesky(input, upper=upper), "CholeskyBackward0")


@_export
def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """torch.cholesky_solve: solves (L L^H) X = B, or (U^H U) X = B when upper."""
    # Solving with the product (not two triangular solves) gives torch's gradient for L, which
    # treats L as a full matrix.
    a = L.mH @ L if upper else L @ L.mH
    return _copy(_linalg.solve(a, B), "CholeskySolveBackward0")


@_export
def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """torch.cholesky_inverse."""
    a = L.mH @ L if upper else L @ L.mH
    return _copy(_linalg.inv(a), "CholeskyInverseBackward0")


@_export
def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,  # noqa: N803
                     unitriangular: bool = False) -> Any:
    """torch.triangular_solve: (solution, cloned_coefficient)."""
    a = A.mT if transpose else A
    x = _linalg.solve_triangular(a, b, upper=upper != transpose, unitriangular=unitriangular)
    return _tri_t(_copy(x, "TriangularSolveBackward0"), _copy(A, "TriangularSolveBackward0"))


@_export
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """torch.pinverse."""
    return _linalg.pinv(input, rcond=rcond)


matrix_power = _linalg.matrix_power
matrix_exp = _linalg.matrix_exp
__all__ += ["matrix_power", "matrix_exp"]


@_export
def nuclear_norm(input: Tensor, dim: Any = None, keepdim: Any = False) -> Tensor:  # noqa: A002
    """torch.nuclear_norm(input, keepdim=False) or torch.nuclear_norm(input, dim, keepdim)."""
    if isinstance(dim, builtins.bool):
        dim, keepdim = None, dim
    if dim is None:
        dim = (-2, -1)
    return _linalg.matrix_norm(input, "nuc", dim=tuple(dim), keepdim=keepdim)


@_export
def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """torch.frobenius_norm."""
    return _copy(_ember.norm(input, "fro", dim, keepdim), "NormBackward1")


@_export
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """torch.dist: the p-norm of input - other."""
    return _copy(_linalg.vector_norm(input - other, p), "DistBackward0")


_REMOVED = {
    "eig": "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
           "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be "
           "replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, "
           "eigenvectors=True) should be replaced with:\nL_complex, V_complex = "
           "torch.linalg.eig(A)",
    "symeig": "The default behavior has changed from using the upper triangular portion of the "
              "matrix by default to using the lower triangular portion.\n\nL, _ = "
              "torch.symeig(A, upper=upper) should be replaced with:\nL = "
              "torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = "
              "torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
              "torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "solve": "`torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
             "has its arguments reversed and does not return the LU factorization.\n\nTo get "
             "the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
             "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = "
             "torch.linalg.solve(A, B)",
    "lstsq": "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq`"
             " has reversed arguments and does not return the QR decomposition in the returned "
             "tuple (although it returns other information about the problem).\n\nTo get the QR "
             "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
             "`torch.lstsq` stored the residuals of the solution in the last m - n columns of "
             "the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the "
             "field 'residuals' of the returned named tuple.\n\nThe unpacking of the solution, "
             "as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
             "X = torch.linalg.lstsq(A, B).solution",
    "matrix_rank": "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
                   "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
}


def _removed(name: str) -> Callable[..., Any]:
    sep = "" if _REMOVED[name].startswith("\n") else " "
    msg = "This function was deprecated since version 1.9 and is now removed." + sep \
        + _REMOVED[name]

    def fn(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(msg)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: removed in torch 1.9; raises torch's RuntimeError."
    return fn


for _n in _REMOVED:
    globals()[_n] = _removed(_n)
    __all__.append(_n)


# -- in-place functions: torch.exp_(x) is x.exp_() ------------------------------------------

def _inplace(name: str) -> Callable[..., Tensor]:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: input.{name}(...)."
    return fn


_INPLACE = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ cos_ cosh_ deg2rad_ "
    "erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ "
    "log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ "
    "resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ "
    "zero_ detach_"
).split()
for _n in _INPLACE:
    if hasattr(Tensor, _n) and not hasattr(_ember, _n):
        globals()[_n] = _inplace(_n)
        __all__.append(_n)
# torch's other spellings of in-place methods ember binds under one name only.
_INPLACE_AS = {"arccos_": "acos_", "arccosh_": "acosh_", "arcsin_": "asin_",
               "arcsinh_": "asinh_", "arctan_": "atan_", "arctanh_": "atanh_", "fix_": "trunc_"}
for _n, _m in _INPLACE_AS.items():
    if hasattr(Tensor, _m) and not hasattr(Tensor, _n) and not hasattr(_ember, _n):
        globals()[_n] = _inplace(_m)
        globals()[_n].__name__ = globals()[_n].__qualname__ = _n
        globals()[_n].__doc__ = f"torch.{_n}: input.{_m}(...)."
        __all__.append(_n)
if hasattr(Tensor, "index_put") and not hasattr(_ember, "index_put"):
    index_put = _inplace("index_put")
    __all__.append("index_put")


# -- small tensor functions ------------------------------------------------------------------

class _Fill(Op, name="FillBackward0"):
    def forward(ctx, xp, a, *, value):
        return xp.full_like(a, value)

    def grad_a(ctx, grad):
        return grad * 0


@_export
def fill(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """torch.fill: a new tensor like input, filled with value (a number or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        value = value.item()
    return _Fill.apply(input, value=value)


@_export
def detach(input: Tensor) -> Tensor:  # noqa: A002
    """torch.detach."""
    return input.detach()


@_export
def adjoint(input: Tensor) -> Tensor:  # noqa: A002
    """torch.adjoint: the conjugate transpose of the last two dims (a view)."""
    return input.mH


@_export
def resolve_conj(input: Tensor) -> Tensor:  # noqa: A002
    """torch.resolve_conj: ember never holds lazy conjugates, so the input itself."""
    return input


@_export
def resolve_neg(input: Tensor) -> Tensor:  # noqa: A002
    """torch.resolve_neg: ember never holds lazy negations, so the input itself."""
    return input


@_export
def is_conj(input: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_conj: always False in ember (conjugation is eager)."""
    return False


@_export
def is_neg(input: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_neg: always False in ember (negation is eager)."""
    return False


@_export
def is_nonzero(input: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_nonzero."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input.item())


@_export
def is_same_size(input: Tensor, other: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_same_size."""
    return tuple(input.shape) == tuple(other.shape)


@_export
def is_signed(input: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_signed."""
    return input.dtype.is_signed


@_export
def is_inference(input: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_inference."""
    return input.is_inference()


@_export
def get_device(input: Tensor) -> int:  # noqa: A002
    """torch.get_device: -1 on the CPU, else the device index."""
    return input.get_device()


# -- view-copy variants: the view, then a copy whose grad_fn is "<view node>_copy" -------------

_copy_nodes: dict[str, type] = {}


def _copy_node(name: str) -> type:
    cls = _copy_nodes.get(name)
    if cls is None:
        def forward(ctx: Any, xp: Any, a: Any) -> Any:
            return xp.array(a, copy=True, order="C")

        def grad_a(ctx: Any, grad: Any) -> Any:
            return grad

        cls = type(name, (Op,), {"forward": forward, "grad_a": grad_a}, name=name)
        _copy_nodes[name] = cls
    return cls


def _copy(v: Tensor, name: str | None = None) -> Tensor:
    if not v.requires_grad or (name is None and v.grad_fn is None):
        c = v.contiguous()  # torch's *_copy results are contiguous
        return v.clone() if c is v else c
    return _copy_node(name or type(v.grad_fn).__name__ + "_copy").apply(v)


def _copy_variant(name: str, view: Callable[..., Any], doc: str) -> Callable[..., Any]:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        out = view(input, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            return [_copy(o) for o in out] if name.endswith("split_copy") or \
                name == "split_with_sizes_copy" else tuple(_copy(o) for o in out)
        return _copy(out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: {doc}, copied."
    return fn


_COPIES = {
    "t_copy": (lambda x: x.t(), "x.t()"),
    "transpose_copy": (lambda x, d0, d1: x.transpose(d0, d1), "x.transpose(d0, d1)"),
    "permute_copy": (lambda x, dims: x.permute(*dims), "x.permute(dims)"),
    "expand_copy": (lambda x, size, *, implicit=False: x.expand(*size), "x.expand(size)"),
    "view_copy": (lambda x, size: x.view(size), "x.view(size) or x.view(dtype)"),
    "unsqueeze_copy": (lambda x, dim: x.unsqueeze(dim), "x.unsqueeze(dim)"),
    "squeeze_copy": (lambda x, *dim: x.squeeze(*dim), "x.squeeze(dim)"),
    "select_copy": (lambda x, dim, index: x.select(dim, index), "x.select(dim, index)"),
    "diagonal_copy": (lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2),
                      "x.diagonal(offset, dim1, dim2)"),
    "unbind_copy": (lambda x, dim=0: x.unbind(dim), "x.unbind(dim)"),
    "split_copy": (lambda x, split_size, dim=0: x.split(split_size, dim), "x.split(...)"),
    "split_with_sizes_copy": (lambda x, split_sizes, dim=0: x.split(list(split_sizes), dim),
                              "x.split(split_sizes, dim)"),
}
for _n, (_view, _doc) in _COPIES.items():
    globals()[_n] = _copy_variant(_n, _view, _doc)
    __all__.append(_n)


class _Alias(Op, name="AliasBackward0"):
    is_view = True

    def forward(ctx, xp, a):
        return a[...]

    def grad_a(ctx, grad):
        return grad


alias_copy = _copy_variant("alias_copy", _Alias.apply, "an alias of x")
__all__.append("alias_copy")


for _n, _view in (("view_as_real_copy", "view_as_real"),
                 ("view_as_complex_copy", "view_as_complex")):
    if hasattr(_ember, _view) and not hasattr(_ember, _n):
        globals()[_n] = _copy_variant(_n, getattr(_ember, _view), f"torch.{_view}(x)")
        __all__.append(_n)
if hasattr(Tensor, "as_strided") and not hasattr(_ember, "as_strided_copy"):
    as_strided_copy = _copy_variant(
        "as_strided_copy", lambda x, size, stride, storage_offset=0:
        x.as_strided(size, stride, storage_offset), "x.as_strided(size, stride, offset)")
    __all__.append("as_strided_copy")


@_export
def slice_copy(input: Tensor, dim: int = 0, start: int | None = None,  # noqa: A002
               end: int | None = None, step: int = 1) -> Tensor:
    """torch.slice_copy: input[..., start:end:step] along dim, copied."""
    idx = [builtins.slice(None)] * input.ndim
    idx[dim] = builtins.slice(start, end, step)
    return _copy(input[tuple(idx)], "SliceBackward0_copy")


@_export
def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """torch.narrow_copy."""
    return _copy(input.narrow(dim, start, length), "NarrowCopyBackward0")


@_export
def detach_copy(input: Tensor) -> Tensor:  # noqa: A002
    """torch.detach_copy: a detached copy."""
    return input.detach().clone()


@_export
def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> Any:  # noqa: A002
    """torch.split_with_sizes."""
    out = input.split(list(split_sizes), dim)
    return tuple(_copy(o, "SplitWithSizesBackward0") for o in out)


@_export
def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> Any:  # noqa: A002
    """torch.unsafe_split: torch.split without the view bookkeeping."""
    out = input.split(split_size, dim)
    return tuple(_copy(o, "UnsafeSplitBackward0") for o in out)


@_export
def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> Any:  # noqa: A002
    """torch.unsafe_chunk."""
    out = input.chunk(chunks, dim)
    return tuple(_copy(o, "UnsafeSplitBackward0") for o in out)


@_export
def unsafe_split_with_sizes(input: Tensor, split_sizes: Sequence[int],  # noqa: A002
                            dim: int = 0) -> Any:
    """torch.unsafe_split_with_sizes."""
    out = input.split(list(split_sizes), dim)
    return tuple(_copy(o, "UnsafeSplitWithSizesBackward0") for o in out)


@_export
def conj_physical(input: Tensor) -> Tensor:  # noqa: A002
    """torch.conj_physical: the input itself when real, else its conjugate."""
    if not input.dtype.is_complex:
        return input
    return _copy(_ember.conj(input), "ConjPhysicalBackward0")


@_export
def empty_permuted(size: Sequence[int], physical_layout: Sequence[int], *,
                   dtype: Any = None, layout: Any = None, device: Any = None,
                   requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """torch.empty_permuted: an empty tensor whose memory runs in physical_layout's order."""
    size, perm = list(size), list(physical_layout)
    if sorted(perm) != list(range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(perm)}")
    inverse = [perm.index(i) for i in range(len(perm))]
    out = _ember.empty([size[p] for p in perm], dtype=dtype, device=device).permute(inverse)
    return out.requires_grad_() if requires_grad else out


# -- process-wide switches -------------------------------------------------------------------

_threads = {"intra": os.cpu_count() or 1, "interop": os.cpu_count() or 1, "limiter": None}


@_export
def set_num_threads(int: builtins.int) -> None:  # noqa: A002
    """torch.set_num_threads: limits NumPy's BLAS threads (through threadpoolctl if present)."""
    if not isinstance(int, builtins.int) or isinstance(int, builtins.bool):
        raise TypeError(f"set_num_threads(): argument 'int' (position 1) must be int, not "
                        f"{type(int).__name__}")
    if int <= 0:
        raise RuntimeError("Number of threads must be positive")
    _threads["intra"] = int
    try:
        import threadpoolctl
    except ImportError:
        return
    _threads["limiter"] = threadpoolctl.threadpool_limits(limits=int, user_api="blas")


@_export
def get_num_threads() -> builtins.int:
    """torch.get_num_threads."""
    return _threads["intra"]


@_export
def set_num_interop_threads(int: builtins.int) -> None:  # noqa: A002
    """torch.set_num_interop_threads (ember runs no inter-op pool: it is remembered)."""
    if int <= 0:
        raise RuntimeError("Number of inter-op threads must be positive")
    _threads["interop"] = int


@_export
def get_num_interop_threads() -> builtins.int:
    """torch.get_num_interop_threads."""
    return _threads["interop"]


@_export
def init_num_threads() -> None:
    """torch.init_num_threads: nothing to do in ember."""


@_export
def set_flush_denormal(mode: builtins.bool) -> builtins.bool:
    """torch.set_flush_denormal: NumPy cannot flush denormals, so False (not supported)."""
    return False


@_export
def is_vulkan_available() -> builtins.bool:
    """torch.is_vulkan_available: False."""
    return False


def _autocast_deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


@_export
def set_autocast_cpu_enabled(enabled: builtins.bool) -> None:
    """torch.set_autocast_cpu_enabled (deprecated): set_autocast_enabled("cpu", enabled)."""
    _autocast_deprecated("set_autocast_cpu_enabled(enabled)",
                         "set_autocast_enabled('cpu', enabled)")
    _ember.set_autocast_enabled("cpu", enabled)


@_export
def set_autocast_cpu_dtype(dtype: Any) -> None:
    """torch.set_autocast_cpu_dtype (deprecated): set_autocast_dtype("cpu", dtype)."""
    _autocast_deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    _ember.set_autocast_dtype("cpu", dtype)


@_export
def set_autocast_gpu_dtype(dtype: Any) -> None:
    """torch.set_autocast_gpu_dtype (deprecated): set_autocast_dtype("cuda", dtype)."""
    _autocast_deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    _ember.set_autocast_dtype("cuda", dtype)


_determinism = {"mode": 0, "warn_always": False}


@_export
def use_deterministic_algorithms(mode: builtins.bool, *, warn_only: builtins.bool = False) -> None:
    """torch.use_deterministic_algorithms (ember's CPU ops are deterministic: state only)."""
    _determinism["mode"] = (1 if warn_only else 2) if mode else 0


@_export
def are_deterministic_algorithms_enabled() -> builtins.bool:
    """torch.are_deterministic_algorithms_enabled."""
    return _determinism["mode"] > 0


@_export
def is_deterministic_algorithms_warn_only_enabled() -> builtins.bool:
    """torch.is_deterministic_algorithms_warn_only_enabled."""
    return _determinism["mode"] == 1


@_export
def set_deterministic_debug_mode(debug_mode: builtins.int | str) -> None:
    """torch.set_deterministic_debug_mode: "default"/0, "warn"/1 or "error"/2."""
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, "
                               f"`warn`, `error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    elif not isinstance(debug_mode, builtins.int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    elif debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    _determinism["mode"] = debug_mode


@_export
def get_deterministic_debug_mode() -> builtins.int:
    """torch.get_deterministic_debug_mode."""
    return _determinism["mode"]


@_export
def set_warn_always(b: builtins.bool) -> None:
    """torch.set_warn_always."""
    _determinism["warn_always"] = builtins.bool(b)


@_export
def is_warn_always_enabled() -> builtins.bool:
    """torch.is_warn_always_enabled."""
    return _determinism["warn_always"]


_default_device: list[Any] = [None]


@_export
def set_default_device(device: Any) -> None:
    """torch.set_default_device: ember creates tensors on the CPU, so only "cpu" or None."""
    if device is not None and _ember.device(device).type != "cpu":
        raise NotImplementedError("ember.set_default_device supports only 'cpu' (or None)")
    _default_device[0] = device


@_export
def get_default_device() -> Any:
    """torch.get_default_device."""
    return _ember.device("cpu")


@_export
def set_anomaly_enabled(enabled: builtins.bool, check_nan: builtins.bool = True) -> None:
    """torch.set_anomaly_enabled: torch.autograd.set_detect_anomaly as a call."""
    _ember.autograd.set_detect_anomaly(enabled, check_nan)


_LEGACY = {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
           "BFloat16Tensor": "bfloat16"}


@_export
def set_default_tensor_type(t: Any) -> None:
    """torch.set_default_tensor_type (deprecated): sets the default floating dtype."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else getattr(t, "__name__", "")
    short = name.rsplit(".", 1)[-1]
    if short not in _LEGACY or (isinstance(t, str) and name.count(".") > 1):
        raise TypeError(f"invalid type: '{name}'" if isinstance(t, str) else
                        "only floating-point types are supported as the default type")
    _ember.set_default_dtype(getattr(_ember, _LEGACY[short]))


typename = _export(_typename)  # the one nn.Module and optim use for their messages


def _kind(dt: Any) -> builtins.int:
    return 3 if dt.is_complex else 2 if dt.is_floating_point else 0 if dt is _ember.bool else 1


@_export
def can_cast(from_: Any, to: Any) -> builtins.bool:
    """torch.can_cast: False only for casts to a lower kind (complex > float > int > bool)."""
    return _kind(from_) <= _kind(to)


@_export
def is_storage(obj: Any) -> builtins.bool:
    """torch.is_storage: ember has no storages, so False."""
    return False


@_export
def is_distributed(input: Tensor) -> builtins.bool:  # noqa: A002
    """torch.is_distributed: False."""
    return False


@_export
def compiled_with_cxx11_abi() -> builtins.bool:
    """torch.compiled_with_cxx11_abi: True, as torch's wheels answer."""
    return True


@_export
def compile(model: Any = None, **kwargs: Any) -> Any:  # noqa: A001
    """torch.compile: ember compiles nothing, so the model or function is returned unchanged.

    Works as ``ember.compile(model)``, ``@ember.compile`` and ``@ember.compile(mode=...)``.
    """
    if model is None:
        return lambda m: m
    return model


def _np_dtype(dt: Any) -> Any:
    if dt is None:
        dt = _ember.get_default_dtype()
    if not isinstance(dt, _dtype.dtype):
        raise TypeError(f"finfo(): argument 'type' must be torch.dtype, not {type(dt).__name__}")
    return dt, np.dtype(dt.np)


def _fmt(v: float) -> str:
    return f"{v:.6g}"


class finfo:  # noqa: N801
    """torch.finfo: machine limits of a floating dtype (bits, eps, max, min, tiny, ...)."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        dt, npdt = _np_dtype(type)
        if not (dt.is_floating_point or dt.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        if dt.is_complex:
            dt = dt.to_real()
            npdt = np.dtype(dt.np)
        if npdt.kind == "f":
            info = np.finfo(npdt)
        else:
            import ml_dtypes

            info = ml_dtypes.finfo(npdt)
        self.bits = builtins.int(info.bits)
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = builtins.float(10.0 ** -info.precision)
        self.dtype = str(dt).rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return (f"finfo(resolution={_fmt(self.resolution)}, min={_fmt(self.min)}, "
                f"max={_fmt(self.max)}, eps={_fmt(self.eps)}, "
                f"smallest_normal={_fmt(self.smallest_normal)}, tiny={_fmt(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801
    """torch.iinfo: machine limits of an integer dtype (bits, max, min)."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        dt, npdt = _np_dtype(type)
        if dt.is_floating_point or dt.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        if npdt == np.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(npdt)
        self.bits = builtins.int(info.bits)
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = str(dt).rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:.6g}, max={self.max:.6g}, dtype={self.dtype})"


__all__ += ["finfo", "iinfo"]

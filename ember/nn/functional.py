"""torch.nn.functional: activations, losses, linear, dropout, normalisation, padding, embedding.

Activations and losses live in ops/activation.py and ops/loss.py; this module adds the
layers' functional forms. Each of layer_norm, group_norm and batch_norm is one node, as in
PyTorch (``Native*NormBackward0``); their backward formulas are written with ember ops and
recompute the statistics from the saved input, so double backward is exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..amp import autocast_mode
from ..autograd import grad_mode
from ..ops import activation as _act
from ..ops import loss as _loss
from ..ops import pointwise as _pw
from ..ops._op import Op
from ..ops.activation import (  # noqa: F401  (re-exported as torch.nn.functional)
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    logsigmoid,
    mish,
    prelu,
    relu6,
    rrelu,
    rrelu_,
    selu,
    selu_,
    silu,
    softplus,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
    threshold_,
)
from ..ops.linalg import _matmul, einsum
from ..ops.loss import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cosine_similarity,
    cross_entropy,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    pairwise_distance,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)

# -- activations with a functional-only signature --------------------------------------------

def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """torch.nn.functional.softmax (dim=None picks PyTorch's legacy dim, with a warning)."""
    if dim is None:
        dim = _act._softmax_dim("softmax", input.ndim, _stacklevel)
    return _act.softmax(input, dim, dtype=dtype)

_amp_state = autocast_mode._state


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """torch.nn.functional.log_softmax."""
    if dim is None:
        dim = _act._softmax_dim("log_softmax", input.ndim, _stacklevel)
    return _act.log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """torch.nn.functional.softmin: softmax(-input)."""
    if dim is None:
        dim = _act._softmax_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        return _act.softmax(-input.to(dtype), dim)
    return _act.softmax(-input, dim)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.relu."""
    return input.relu_() if inplace else _pw.relu(input)


def relu_(input: Tensor) -> Tensor:
    """torch.nn.functional.relu_."""
    return input.relu_()


def sigmoid(input: Tensor) -> Tensor:
    """torch.nn.functional.sigmoid."""
    return _pw.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """torch.nn.functional.tanh."""
    return _pw.tanh(input)


# -- linear layers -----------------------------------------------------------------------------

def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.linear: input @ weight.T + bias, as ATen's linear builds it."""
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        input, weight, bias = autocast_mode.cast_at_entry("linear", input, weight, bias)
    from ..ops.linalg import Addmm

    nd = input._data.ndim
    if nd == 0 or weight._data.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{nd}D and {weight._data.ndim}D")
    if bias is not None:
        if nd == 2:  # one fused addmm
            return Addmm.apply(bias, input, weight.t())
        if input._data.flags.c_contiguous and (nd == 3 or bias._data.ndim == 1):
            # Fold the batch into rows: one addmm, then a view back.
            shape = input.shape
            flat = input.reshape(math.prod(shape[:-1]), shape[-1])
            out = Addmm.apply(bias, flat, weight.t())
            return out.view(tuple(shape[:-1]) + (out.shape[1],))
    out = _matmul(input, weight.t())
    if bias is not None:
        out = out.add_(bias)
    return out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.bilinear: x1^T A x2 + b for each output feature."""
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {weight.shape[0]}")
    out_shape = tuple(input1.shape[:-1]) + (weight.shape[0],)
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    out = einsum("bi,oij,bj->bo", x1, weight, x2).reshape(out_shape)
    return out + bias if bias is not None else out


# -- dropout ---------------------------------------------------------------------------------

def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(input: Tensor, p: float, shape: tuple) -> Tensor:
    """Keep-masks scaled by 1/(1-p), drawn from ember's default generator."""
    from .._device import to_device
    from ..ops.creation import default_generator

    d = input._data
    keep = default_generator._rng.random(shape) >= p
    noise = keep.astype(d.dtype) * d.dtype.type(1.0 / (1.0 - p))
    if d.__class__ is not np.ndarray:
        noise = to_device(noise, input.device)
    return Tensor._make(noise)


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, shape: Any) -> Tensor:
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        from ..ops.creation import zeros

        noise = zeros((), dtype=input.dtype, device=input.device)
    else:
        noise = _noise(input, p, shape)
    return input.mul_(noise) if inplace else input * noise


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout (the input itself when p is 0 or not training)."""
    return _dropout(input, p, training, inplace, input._data.shape)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, spatial: int,
                     name: str) -> Tensor:
    nd = input.ndim
    if nd not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"{name}: Expected {spatial + 1}D or {spatial + 2}D input, but "
                           f"received a {nd}D input.")
    batched = nd == spatial + 2
    x = input if batched else input.unsqueeze(0)
    shape = x.shape[:2] + (1,) * spatial
    out = _dropout(x, p, training, inplace, shape)
    return out if batched or out is x and not training else out.squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout1d: whole channels of (N, C, L) zeroed."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    if not training or p == 0:
        return input
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout2d: whole channels of (N, C, H, W) zeroed."""
    _check_p(p)
    if not training or p == 0:
        return input
    x = input if input.ndim == 4 else input.unsqueeze(0)
    out = _dropout(x, p, training, inplace, x.shape[:2] + (1, 1))
    return out if input.ndim == 4 else out.squeeze(0)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout3d: whole channels of (N, C, D, H, W) zeroed."""
    _check_p(p)
    if not training or p == 0:
        return input
    x = input if input.ndim == 5 else input.unsqueeze(0)
    out = _dropout(x, p, training, inplace, x.shape[:2] + (1, 1, 1))
    return out if input.ndim == 5 else out.squeeze(0)


_SELU_ALPHA_PRIME = 1.7580993408473766  # -scale * alpha of SELU: where alpha dropout sends x


def _alpha_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                   feature: bool) -> Tensor:
    """ATen's alpha dropout: dropped values go to SELU's saturation value, then an affine
    map restores the mean and variance."""
    from .._device import to_device
    from ..ops.creation import default_generator, zeros

    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        z = zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(z) if inplace else input * z
    d = input._data
    shape = (d.shape[:2] + (1,) * (d.ndim - 2)) if feature else d.shape
    keep = (default_generator._rng.random(shape) >= p).astype(d.dtype)
    a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    b = (keep - 1) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p
    noise = keep * d.dtype.type(a)
    if d.__class__ is not np.ndarray:
        noise, b = to_device(noise, input.device), to_device(b, input.device)
    noise, b = Tensor._make(noise), Tensor._make(b.astype(d.dtype, copy=False))
    out = input.mul_(noise) if inplace else input * noise
    return out.add_(b)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """torch.nn.functional.alpha_dropout (for SELU networks)."""
    return _alpha_dropout(input, p, training, inplace, feature=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """torch.nn.functional.feature_alpha_dropout: alpha dropout of whole channels."""
    return _alpha_dropout(input, p, training, inplace, feature=True)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """torch.nn.functional.gumbel_softmax (noise from ember's default generator)."""
    import warnings

    from .._device import to_device
    from ..ops.creation import default_generator

    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    d = logits._data
    g = -np.log(default_generator._rng.exponential(size=d.shape)).astype(d.dtype)
    if d.__class__ is not np.ndarray:
        g = to_device(g, logits.device)
    y_soft = ((logits + Tensor._make(g)) / tau).softmax(dim)
    if not hard:
        return y_soft
    # Straight through: the one-hot of the argmax forward, the soft gradient backward.
    dim = dim % max(logits.ndim, 1)
    idx = y_soft._data.argmax(axis=dim)
    hot = _xp(d).expand_dims(idx, dim) == _xp(d).arange(d.shape[dim]).reshape(
        [-1 if i == dim else 1 for i in range(d.ndim)])
    return Tensor._make(hot.astype(d.dtype)) - y_soft.detach() + y_soft


# -- one_hot, normalize, pad ------------------------------------------------------------------

def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """torch.nn.functional.one_hot (int64 output)."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if int(d.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(d.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    from .._device import array_module

    xp = array_module(d)
    return Tensor._make((d[..., None] == xp.arange(num_classes)).astype(np.int64))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """torch.nn.functional.normalize: input / max(||input||_p, eps) along dim."""
    denom = _loss.norm_along(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        return _pw.div(input, denom, out=out)
    return input / denom


def _pad_pairs(ndim: int, pad: Sequence[int]) -> list:
    """Per-dim (before, after) widths for the last len(pad)//2 dims, last dim first."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {ndim}")
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


class ConstantPadNd(Op, name="ConstantPadNdBackward0"):
    """Pad with a value; a negative width crops. The gradient is the opposite padding."""

    def forward(ctx, xp, a, *, widths, value):
        ctx.widths = widths
        crop = tuple(slice(max(-lo, 0), s - max(-hi, 0)) for (lo, hi), s in zip(widths, a.shape))
        a = a[crop]
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        if not any(lo or hi for lo, hi in grow):
            return a.copy()
        fill = value if a.dtype.kind in "fc" else int(value)
        return xp.pad(a, grow, mode="constant", constant_values=fill)

    def grad_a(ctx, grad):
        return ConstantPadNd.apply(grad, widths=[(-lo, -hi) for lo, hi in ctx.widths], value=0)


class _IndexPad(Op):
    """Reflect/replicate padding: each padded dim gathers from a source index map; the
    gradient scatter-adds back through the same maps."""

    def forward(ctx, xp, a, *, maps):
        ctx.maps, ctx.shape = maps, a.shape
        for d, idx in maps:
            a = xp.take(a, idx, axis=d)
        return a

    def grad_a(ctx, grad, a):
        from ..ops.creation import zeros
        from ..ops.indexing import IndexAdd

        shape = list(grad.shape)
        for d, idx in reversed(ctx.maps):
            shape[d] = ctx.shape[d]
            base = zeros(shape, dtype=grad.dtype, device=grad.device)
            grad = IndexAdd.apply(base, grad, dim=d, index=idx, alpha=1)
        return _act.tie(type(ctx).__name__.replace("Backward0", "BackwardBackward0"), grad, a)


_PAD_CLASSES: dict = {}


def _index_pad_class(mode: str, k: int) -> type:
    name = f"{'ReflectionPad' if mode == 'reflect' else 'ReplicationPad'}{k}DBackward0"
    cls = _PAD_CLASSES.get(name)
    if cls is None:
        cls = _PAD_CLASSES[name] = type(name, (_IndexPad,), {"__module__": __name__},
                                        name=name)
    return cls


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """torch.nn.functional.pad: constant, reflect, replicate or circular."""
    nd = input.ndim
    widths = _pad_pairs(nd, pad)
    k = len(pad) // 2
    if mode == "constant":
        for (lo, hi), s in zip(widths, input.shape):
            if s + lo + hi < 0:  # ATen crops negative padding with narrow()
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNd.apply(input, widths=widths, value=0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if not (k + 1 <= nd <= k + 2) or k > 3:
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  "supported for now")
    if mode == "circular":
        return _pad_circular(input, [int(p) for p in pad])
    from .._device import array_module

    xp = array_module(input._data)
    maps = []
    for d in range(nd - k, nd):
        lo, hi = widths[d]
        s = input.shape[d]
        pos = np.arange(-lo, s + hi)
        if mode == "reflect":
            if lo >= s or hi >= s:
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({lo}, "
                                   f"{hi}) at dimension {d} of input {list(input.shape)}")
            period = 2 * (s - 1) if s > 1 else 1
            pos = np.abs(pos) % period
            pos = np.where(pos >= s, period - pos, pos)
        else:
            pos = np.clip(pos, 0, s - 1)
        maps.append((d, xp.asarray(pos)))
    return _index_pad_class(mode, k).apply(input, maps=maps)


def _pad_circular(input: Tensor, pad: list) -> Tensor:
    """ATen's _pad_circular: copy the input into a fresh tensor, then copy its wrapped edges
    within it, slice by slice (so the result's grad_fn is CopySlices, as in PyTorch)."""
    from ..ops.creation import empty

    shape = list(input.shape)
    k = len(pad) // 2
    lead = input.ndim - k
    out_shape = list(shape)
    for i in range(k):
        lo, hi = pad[2 * (k - i - 1)], pad[2 * (k - i - 1) + 1]
        size = shape[lead + i]
        out_shape[lead + i] = size + lo + hi
        if lo > size or hi > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if out_shape[lead + i] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = empty(out_shape, dtype=input.dtype, device=input.device)
    out_slice, in_slice = out, input
    for i in range(k):
        dim = k - i + lead - 1
        lo, hi = pad[2 * i], pad[2 * i + 1]
        out_slice = out_slice.narrow(dim, max(lo, 0), out_shape[dim] - max(hi, 0) - max(lo, 0))
        in_slice = in_slice.narrow(dim, max(-lo, 0), shape[dim] - max(-hi, 0) - max(-lo, 0))
    out_slice.copy_(in_slice)
    for i in range(k):
        dim = k - i + lead - 1
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = out_shape[dim]
        if lo > 0:
            out.narrow(dim, 0, lo).copy_(out.narrow(dim, n - lo - max(hi, 0), lo))
        if hi > 0:
            out.narrow(dim, n - hi, hi).copy_(out.narrow(dim, max(lo, 0), hi))
    return out


# -- embedding -------------------------------------------------------------------------------

class Embedding(Op, name="EmbeddingBackward0"):
    """weight[indices]; the gradient sums rows back (zero at padding_idx)."""

    def forward(ctx, xp, w, *, indices, padding_idx, scale_grad_by_freq):
        n = w.shape[0]
        if indices.size and (int(indices.min()) < -n or int(indices.max()) >= n):
            raise IndexError("index out of range in self")
        ctx.indices, ctx.padding_idx, ctx.n = indices, padding_idx, n
        ctx.scale = scale_grad_by_freq
        return w[indices]

    def grad_w(ctx, grad):
        from .._device import array_module
        from ..ops.creation import zeros
        from ..ops.indexing import IndexAdd

        xp = array_module(ctx.indices)
        idx = ctx.indices.reshape(-1) % ctx.n
        g = grad.reshape(idx.shape[0], -1)
        keep = None
        if ctx.padding_idx is not None and ctx.padding_idx >= 0:
            keep = (idx != ctx.padding_idx).astype(grad._data.dtype)
        if ctx.scale:  # each row's gradient divided by how often its index appears
            counts = xp.bincount(idx, minlength=ctx.n)[idx].astype(grad._data.dtype)
            keep = (keep if keep is not None else 1) / counts
        if keep is not None:
            g = g * Tensor._make(keep[:, None])
        base = zeros((ctx.n, g.shape[1]), dtype=grad.dtype, device=grad.device)
        return IndexAdd.apply(base, g, dim=0, index=idx, alpha=1).reshape(
            (ctx.n,) + tuple(grad.shape[ctx.indices.ndim:]))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """torch.nn.functional.embedding."""
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n or padding_idx < 0 and padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        name = _legacy_name(input)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {name} instead "
                           "(while checking arguments for embedding)")
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, indices=idx, padding_idx=padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq)


def _legacy_name(t: Tensor) -> str:
    from .._tensor import _legacy_type_name

    return _legacy_type_name(t)


def _embedding_renorm(weight: Tensor, idx: Any, max_norm: float, norm_type: float) -> None:
    """embedding_renorm_: rows used by idx with norm > max_norm rescaled, in place."""
    from .._device import array_module

    xp = array_module(idx)
    with grad_mode.no_grad():
        w = weight._data
        rows = xp.unique(idx.reshape(-1))
        sub = w[rows]
        norms = (xp.abs(sub) ** norm_type).sum(1) ** (1.0 / norm_type)
        big = norms > max_norm
        scale = (max_norm / (norms + 1e-7)).astype(w.dtype)
        w[rows[big]] = sub[big] * scale[big][:, None]
        weight._vc[0] += 1


# -- normalisation -----------------------------------------------------------------------------

def _param_grads(grad: Tensor, xhat: Tensor, dims: tuple, need: tuple) -> tuple:
    """The weight and bias gradients of an affine normalisation: sums over ``dims``."""
    dw = db = None
    if len(need) > 1 and need[1]:
        dw = Tensor._make((grad._data * xhat._data).sum(axis=dims)) if not \
            grad_mode._state.enabled else (grad * xhat).sum(dims)
    if len(need) > 2 and need[2]:
        db = Tensor._make(grad._data.sum(axis=dims)) if not grad_mode._state.enabled else \
            grad.sum(dims)
    return dw, db


def _stats(xp: Any, x: Any, axes: tuple, eps: float) -> tuple:
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    return xc, mean, var, 1.0 / xp.sqrt(var + eps)


def _norm_backward(grad: Tensor, x: Tensor, axes: tuple, eps: float,
                   g_scale: Tensor | None, saved: tuple | None = None) -> tuple:
    """d(loss)/dx for y = (x - mean(x)) * rstd(x) over axes, given g = grad * weight.

    A plain backward uses the forward's saved (mean, rstd) arrays; under create_graph the
    statistics are recomputed with ember ops so that they are differentiated too.
    """
    if not grad_mode._state.enabled and saved is not None:
        mean, rstd = saved
        xhat = (x._data - mean) * rstd
        g = grad._data if g_scale is None else grad._data * g_scale._data
        inv_n = 1.0 / (x._data.size // mean.size)  # sum * (1/n): cheaper than mean()
        dx = g - g.sum(axis=axes, keepdims=True) * inv_n
        dx -= xhat * ((g * xhat).sum(axis=axes, keepdims=True) * inv_n)
        dx *= rstd
        return Tensor._make(dx.astype(g.dtype, copy=False)), Tensor._make(xhat)
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    rstd = ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()
    xhat = xc * rstd
    g = grad if g_scale is None else grad * g_scale
    dx = rstd * (g - g.mean(axes, keepdim=True) - xhat * (g * xhat).mean(axes, keepdim=True))
    return dx, xhat


class NativeLayerNorm(Op, name="NativeLayerNormBackward0"):
    """Statistics over the trailing ``k`` dims. For float32/float64 forward and plain backward
    work on the ``(rows, n)`` matrix, where every row reduction is one matrix-vector product
    (NumPy's own reduction along a short last axis costs a call per row)."""

    def forward(ctx, xp, x, w, b, *, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        ctx.axes, ctx.eps, ctx.k = axes, eps, k
        n = math.prod(x.shape[x.ndim - k:])
        if not NativeLayerNorm._fast(x, n):
            xc, mean, _, rstd = _stats(xp, x, axes, eps)
            ctx.stats = (mean, rstd)
            y = xc * rstd
            if w is not None:
                y *= w
            if b is not None:
                y += b
            return y.astype(x.dtype, copy=False)
        x2 = x.reshape(-1, n)
        mean = xp.matmul(x2, xp.ones(n, dtype=x.dtype)) * x.dtype.type(1 / n)
        y = x2 - mean[:, None]
        var = xp.einsum("ij,ij->i", y, y) * x.dtype.type(1 / n)
        rstd = 1 / xp.sqrt(var + x.dtype.type(eps))
        y *= rstd[:, None]
        if w is not None:
            y *= w.reshape(-1)
        if b is not None:
            y += b.reshape(-1)
        keep = x.shape[:x.ndim - k] + (1,) * k
        ctx.stats = (mean.reshape(keep), rstd.reshape(keep))
        return y.reshape(x.shape)

    @staticmethod
    def _fast(x: Any, n: int) -> bool:
        return x.dtype in (np.float32, np.float64) and n > 1

    def backward(ctx, grad, x, w):
        need = ctx.needs_input_grad
        k = ctx.k
        n = math.prod(x.shape[x.ndim - k:])
        if grad_mode._state.enabled or not NativeLayerNorm._fast(x._data, n):
            dx, xhat = _norm_backward(grad, x, ctx.axes, ctx.eps, w, ctx.stats)
            dw, db = _param_grads(grad, xhat, tuple(range(x.ndim - k)), need)
            return (dx if need[0] else None, dw, db)
        from .._device import array_module

        g = grad._data
        xp = np if g.__class__ is np.ndarray else array_module(g)
        mean, rstd = (s.reshape(-1, 1) for s in ctx.stats)
        norm_shape = x.shape[x.ndim - k:]
        g2 = g.reshape(-1, n)
        xhat = x._data.reshape(-1, n) - mean
        xhat *= rstd
        wv = w._data.reshape(-1) if w is not None else xp.ones(n, dtype=g.dtype)
        rows = xp.ones(g2.shape[0], dtype=g.dtype)
        gx = g2 * xhat
        dw = Tensor._make(xp.matmul(rows, gx).reshape(norm_shape)) if need[1] else None
        db = Tensor._make(xp.matmul(rows, g2).reshape(norm_shape)) if need[2] else None
        dx = None
        if need[0]:
            # dx = rstd * (g*w - xhat * mean(g*w*xhat) - mean(g*w)), the means over each row.
            inv_n = g.dtype.type(1 / n)
            dxa = g2 * wv
            t = xhat * (xp.matmul(gx, wv) * inv_n)[:, None]
            t += (xp.matmul(g2, wv) * inv_n)[:, None]
            dxa -= t
            dxa *= rstd
            dx = Tensor._make(dxa.reshape(x.shape))
        return (dx, dw, db)


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.layer_norm (one node: NativeLayerNormBackward0)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = list(normalized_shape)
    k = len(ns)
    if k == 0 or input.ndim < k or list(input.shape[-k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape "
                           f"[*{''.join(', ' + str(s) for s in ns)}], but got input of size"
                           f"{list(input.shape)}")
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None and list(t.shape) != ns:
            raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but "
                               f"got {what} of shape {list(t.shape)} and normalized_shape = "
                               f"{ns}")
    return NativeLayerNorm.apply(input, weight, bias, k=k, eps=eps)


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """torch.nn.functional.rms_norm: x * rsqrt(mean(x^2) + eps) * weight (composite, as
    ATen's: grad_fn MulBackward0)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = list(normalized_shape)
    k = len(ns)
    if k == 0 or input.ndim < k or list(input.shape[-k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape "
                           f"[*{', '.join(str(s) for s in ns)}], but got input of size"
                           f"{list(input.shape)}")
    if weight is not None and list(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = {ns}")
    x = input
    if x.dtype in (_dtype.float16, _dtype.bfloat16):  # reduce in float, as ATen does
        x = x.to(_dtype.float32)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    if out.dtype is not input.dtype:
        out = out.to(input.dtype)
    return out * weight if weight is not None else out


class NativeGroupNorm(Op, name="NativeGroupNormBackward0"):
    def forward(ctx, xp, x, w, b, *, groups, eps):
        n, c = x.shape[:2]
        xg = x.reshape(n, groups, -1)
        xc, mean, _, rstd = _stats(xp, xg, (2,), eps)
        ctx.stats = (mean, rstd)
        y = (xc * rstd).reshape(x.shape)
        cshape = (c,) + (1,) * (x.ndim - 2)
        if w is not None:
            y *= w.reshape(cshape)
        if b is not None:
            y += b.reshape(cshape)
        ctx.groups, ctx.eps, ctx.cshape = groups, eps, cshape
        return y.astype(x.dtype, copy=False)

    def backward(ctx, grad, x, w):
        need = ctx.needs_input_grad
        n = x.shape[0]
        g_scale = w.reshape(ctx.cshape) if w is not None else None
        xg = x.reshape(n, ctx.groups, -1)
        gg = (grad if g_scale is None else grad * g_scale).reshape(n, ctx.groups, -1)
        dx, xhat = _norm_backward(gg, xg, (2,), ctx.eps, None, ctx.stats)
        dx = dx.reshape(x.shape)
        xhat = xhat.reshape(x.shape)
        dw, db = _param_grads(grad, xhat, tuple(d for d in range(x.ndim) if d != 1), need)
        return (dx if need[0] else None, dw, db)


def _verify_batch_size(size: Sequence[int]) -> None:
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:  # PyTorch prints what it was given: a torch.Size, or a list
        shown = str(list(size)) if isinstance(size, list) else _size_str(size)
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {shown}")


def _size_str(size: Sequence[int]) -> str:
    return "torch.Size([" + ", ".join(str(s) for s in size) + "])"


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.group_norm (one node: NativeGroupNormBackward0)."""
    if input.ndim < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    _verify_batch_size([n * c // num_groups, num_groups] + list(input.shape[2:]))
    return NativeGroupNorm.apply(input, weight, bias, groups=num_groups, eps=eps)


class NativeBatchNorm(Op, name="NativeBatchNormBackward0"):
    """Training: normalise with the batch statistics (and update the running ones in place).
    Eval: an affine map with the running statistics."""

    def forward(ctx, xp, x, w, b, *, training, running_mean, running_var, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        cshape = (x.shape[1],) + (1,) * (x.ndim - 2)
        ctx.axes, ctx.eps, ctx.training, ctx.cshape = axes, eps, training, cshape
        if training:
            xc, mean, var, rstd = _stats(xp, x, axes, eps)
            ctx.stats = (mean, rstd)
            if running_mean is not None:
                m = x.size // x.shape[1]
                unbiased = var.reshape(-1) * (m / max(m - 1, 1))
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(-1).astype(running_mean.dtype)
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * unbiased.astype(running_var.dtype)
            y = xc * rstd
        else:
            rstd = (1.0 / xp.sqrt(running_var + eps)).astype(x.dtype).reshape(cshape)
            mean = running_mean.reshape(cshape).astype(x.dtype)  # a copy: later updates
            ctx.rstd, ctx.mean = rstd, mean                       # must not change backward
            y = (x - mean) * rstd
        if w is not None:
            y = y * w.reshape(cshape)
        if b is not None:
            y = y + b.reshape(cshape)
        return y.astype(x.dtype, copy=False)

    def backward(ctx, grad, x, w):
        need = ctx.needs_input_grad
        g_scale = w.reshape(ctx.cshape) if w is not None else None
        if ctx.training:
            dx, xhat = _norm_backward(grad, x, ctx.axes, ctx.eps, g_scale, ctx.stats)
        else:
            rstd = Tensor._make(ctx.rstd)
            dx = grad * rstd if g_scale is None else grad * (g_scale * rstd)
            dx = _act.tie("NativeBatchNormBackwardBackward0", dx, x)
            xhat = (x - Tensor._make(ctx.mean)) * rstd
        dw, db = _param_grads(grad, xhat, ctx.axes, need)
        return (dx if need[0] else None, dw, db)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.batch_norm (running statistics updated in place when training)."""
    if training:
        _verify_batch_size(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    c = input.shape[1] if input.ndim > 1 else None
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        if t is not None and (t.ndim != 1 or t.shape[0] != c):
            raise RuntimeError(f"{what} should contain {c} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    out = NativeBatchNorm.apply(input, weight, bias, training=training, running_mean=rm,
                                running_var=rv, momentum=momentum, eps=eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._vc[0] += 1
    return out


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.instance_norm: batch_norm over each (sample, channel)."""
    if use_input_stats:
        _verify_batch_size(input.shape)
    n, c = input.shape[:2]
    x = input.reshape((1, n * c) + tuple(input.shape[2:]))
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        with grad_mode.no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.view(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.view(n, c).mean(0))
    return out.view(input.shape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """torch.nn.functional.local_response_norm (composed as PyTorch composes it)."""
    from ..ops.conv import avg_pool2d, avg_pool3d

    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    div = (div * alpha + k) ** beta
    return input / div


class ChannelShuffle(Op, name="ChannelShuffleBackward0"):
    def forward(ctx, xp, a, *, groups):
        ctx.groups = groups
        n, c = a.shape[:2]
        x = a.reshape((n, groups, c // groups) + a.shape[2:]).swapaxes(1, 2)
        return x.reshape(a.shape)

    def grad_a(ctx, grad):
        return ChannelShuffle.apply(grad, groups=grad.shape[1] // ctx.groups)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """torch.nn.functional.channel_shuffle: (N, g * c, ...) -> channels interleaved."""
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if input.ndim < 3:
        raise RuntimeError("channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if input.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got "
                           f"{input.shape[1]} channels and {groups} groups.")
    return ChannelShuffle.apply(input, groups=groups)


# -- attention ---------------------------------------------------------------------------------

_FLASH_NO_DOUBLE = ("derivative for aten::_scaled_dot_product_flash_attention_for_cpu_backward "
                    "is not implemented")


def _sdpa_mask(xp: Any, attn_mask: Any, is_causal: bool, q_len: int, k_len: int,
               dtype: Any) -> Any:
    """The additive mask as an array (bool masks: 0 where allowed, -inf where not)."""
    if is_causal:
        attn_mask = xp.tril(xp.ones((q_len, k_len), dtype=bool))
    if attn_mask is None:
        return None
    if attn_mask.dtype == np.bool_:
        return xp.where(attn_mask, 0, -np.inf).astype(dtype)
    return attn_mask.astype(dtype, copy=False)


def _safe_softmax_arr(xp: Any, a: Any) -> Any:
    """softmax over the last dim; rows that are all -inf give 0, not nan (_safe_softmax)."""
    m = a.max(axis=-1, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    e = xp.exp(a - m)
    s = e.sum(axis=-1, keepdims=True)
    return xp.where(s > 0, e / xp.where(s > 0, s, 1), 0).astype(a.dtype, copy=False)


class ScaledDotProductFlashAttentionForCpu(
        Op, name="ScaledDotProductFlashAttentionForCpuBackward0"):
    """softmax(q k^T * scale + mask) v as one node, as PyTorch's CPU flash kernel; its
    backward is first order only (PyTorch cannot differentiate it again either)."""

    def forward(ctx, xp, q, k, v, *, mask, scale, groups):
        if groups > 1:  # grouped-query attention: each key/value head serves `groups` heads
            k, v = xp.repeat(k, groups, axis=-3), xp.repeat(v, groups, axis=-3)
        att = xp.matmul(q, k.swapaxes(-1, -2)) * q.dtype.type(scale)
        if mask is not None:
            att = att + mask
        p = _safe_softmax_arr(xp, att)
        ctx.p, ctx.scale, ctx.groups = p, scale, groups
        return xp.matmul(p, v)

    def backward(ctx, grad, q, k, v):
        xp = np if grad._data.__class__ is np.ndarray else _xp(grad._data)
        g, p, gr = grad._data, ctx.p, ctx.groups
        kd, vd = k._data, v._data
        if gr > 1:
            kd, vd = xp.repeat(kd, gr, axis=-3), xp.repeat(vd, gr, axis=-3)
        dv = xp.matmul(p.swapaxes(-1, -2), g)
        dp = xp.matmul(g, vd.swapaxes(-1, -2))
        ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True)) * q._data.dtype.type(ctx.scale)
        dq = xp.matmul(ds, kd)
        dk = xp.matmul(ds.swapaxes(-1, -2), q._data)
        if gr > 1:  # sum each key/value head's share back over its group
            dk = dk.reshape(dk.shape[:-3] + (-1, gr) + dk.shape[-2:]).sum(axis=-3)
            dv = dv.reshape(dv.shape[:-3] + (-1, gr) + dv.shape[-2:]).sum(axis=-3)
        return tuple(_act.tie("ScaledDotProductFlashAttentionForCpuBackwardBackward0",
                              Tensor._make(d), x, _FLASH_NO_DOUBLE)
                     for d, x in ((dq, q), (dk, k), (dv, v)))


def _xp(arr: Any) -> Any:
    from .._device import array_module

    return array_module(arr)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """torch.nn.functional.scaled_dot_product_attention (PyTorch's CPU choice of kernel:
    the fused one for 4-D inputs without dropout, else the composite math path)."""
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    e = query.shape[-1]
    s = 1.0 / math.sqrt(e) if scale is None else scale
    hq, hk = (query.shape[-3], key.shape[-3]) if query.ndim >= 3 else (1, 1)
    groups = hq // hk if enable_gqa and hk and hq != hk else 1
    if enable_gqa and hq % max(hk, 1):
        raise RuntimeError("number of heads in key/value must divide number of heads in query")
    fused = (query.ndim == 4 and key.ndim == 4 and value.ndim == 4 and dropout_p == 0.0
             and value.shape[-1] == e and not (attn_mask is not None and
                                               attn_mask.requires_grad))
    xp = _xp(query._data)
    if fused:
        mask = _sdpa_mask(xp, attn_mask._data if attn_mask is not None else None, is_causal,
                          query.shape[-2], key.shape[-2], query._data.dtype)
        return ScaledDotProductFlashAttentionForCpu.apply(query, key, value, mask=mask,
                                                          scale=s, groups=groups)
    # The math path, as ATen composes it.
    root = math.sqrt(abs(s))
    q = query * (-root if s < 0 else root)
    k, v = key, value
    if groups > 1:
        k = _repeat_heads(k, groups)
        v = _repeat_heads(v, groups)
    attn = _matmul(q, k.transpose(-2, -1) * root)
    if is_causal or attn_mask is not None:
        if attn_mask is not None and attn_mask.dtype is not _dtype.bool:
            attn = attn + attn_mask
        else:
            m = _sdpa_mask(xp, attn_mask._data if attn_mask is not None else None, is_causal,
                           query.shape[-2], key.shape[-2], query._data.dtype)
            attn = attn + Tensor._make(m)
    attn = _act.SafeSoftmax.apply(attn, dim=attn.ndim - 1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return _matmul(attn, v)


def _repeat_heads(x: Tensor, groups: int) -> Tensor:
    """repeat_interleave(x, groups, dim=-3) with ember views."""
    shape = tuple(x.shape)
    lead, h, rest = shape[:-3], shape[-3], shape[-2:]
    x = x.unsqueeze(-3).expand(lead + (h, groups) + rest)
    return x.reshape(lead + (h * groups,) + rest)


# -- pixel shuffle -----------------------------------------------------------------------------

class PixelShuffle(Op, name="PixelShuffleBackward0"):
    def forward(ctx, xp, a, *, r):
        ctx.r = r
        *lead, c, h, w = a.shape
        x = a.reshape(*lead, c // (r * r), r, r, h, w)
        n = len(lead)
        x = x.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
        return x.reshape(*lead, c // (r * r), h * r, w * r)

    def grad_a(ctx, grad):
        return PixelUnshuffle.apply(grad, r=ctx.r)


class PixelUnshuffle(Op, name="PixelUnshuffleBackward0"):
    def forward(ctx, xp, a, *, r):
        ctx.r = r
        *lead, c, h, w = a.shape
        x = a.reshape(*lead, c, h // r, r, w // r, r)
        n = len(lead)
        x = x.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
        return x.reshape(*lead, c * r * r, h // r, w // r)

    def grad_a(ctx, grad):
        return PixelShuffle.apply(grad, r=ctx.r)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """torch.nn.functional.pixel_shuffle: (*, C r^2, H, W) -> (*, C, H r, W r)."""
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    r = upscale_factor
    if input.shape[-3] % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{input.shape[-3]} is not divisible by {r * r}")
    return PixelShuffle.apply(input, r=r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """torch.nn.functional.pixel_unshuffle: the inverse of pixel_shuffle."""
    if input.ndim < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    r = downscale_factor
    if input.shape[-2] % r or input.shape[-1] % r:
        raise RuntimeError("pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but input.size(-2)={input.shape[-2]}, "
                           f"input.size(-1)={input.shape[-1]}, downscale_factor={r}")
    return PixelUnshuffle.apply(input, r=r)


from ..ops.conv import *  # noqa: E402,F403
from ..ops.extra_math import pdist  # noqa: E402,F401  (torch.nn.functional.pdist is torch.pdist)
from .modules.attention import (  # noqa: E402,F401  (torch.nn.functional's MHA helpers)
    _canonical_mask,
    _in_projection,
    _in_projection_packed,
    _mha_shape_check,
    _none_or_dtype,
    multi_head_attention_forward,
)

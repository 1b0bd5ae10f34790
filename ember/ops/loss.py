"""Losses and distances: nll_loss, cross_entropy, binary cross entropy, mse/l1/huber, ...

Losses that PyTorch runs as one kernel are one node here (``NllLossBackward0``,
``BinaryCrossEntropyWithLogitsBackward0``, ``MseLossBackward0``); the others are composed
of ember ops in the order ATen composes them, so that the grad_fn users see is the same.
Weights, class indices and ignore masks are constants of the node (PyTorch refuses a
weight that requires grad), so the gradients are a constant times ``grad`` and double
backward works through the ember ops that apply them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..amp import autocast_mode
from ..autograd import grad_mode
from ._op import Op

# The losses that PyTorch also has in the torch namespace (torch.cosine_similarity, ...).
__all__ = ["cosine_similarity", "pairwise_distance", "binary_cross_entropy_with_logits",
           "kl_div", "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss",
           "cosine_embedding_loss", "triplet_margin_loss"]
__methods__: list = []

_REDUCTIONS = ("none", "mean", "sum")

_amp_state = autocast_mode._state


def reduction_string(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's _Reduction: the legacy size_average/reduce flags, and the valid names."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                      "reduction='mean' instead.", UserWarning, stacklevel=3)
        return "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """ATen's apply_loss_reduction."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_arr(xp: Any, loss: Any, reduction: str) -> Any:
    if reduction == "mean":
        return loss.mean() if loss.size else xp.asarray(np.nan, dtype=loss.dtype)
    if reduction == "sum":
        return loss.sum()
    return loss


def _scale(ctx: Any) -> float:
    return 1.0 / ctx.numel if ctx.reduction == "mean" else 1.0


def _no_grad_arg(t: Tensor | None, fn: str, arg: str) -> Any:
    """PyTorch's refusal of a constant argument that requires grad; returns its array."""
    if t is None:
        return None
    if t._requires_grad and grad_mode._state.enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")
    return t._data


def _word(a: Any) -> str:
    from .views import _type_word

    return _type_word(_dtype.from_numpy_dtype(a.dtype))


def _size_str(shape: tuple) -> str:
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def _size_warning(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({_size_str(target.shape)}) that is different to the input "
            f"size ({_size_str(input.shape)}). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size.", UserWarning,
            stacklevel=3)


def _broadcast(input: Tensor, target: Tensor) -> tuple:
    """torch.broadcast_tensors(input, target), with PyTorch's message when they cannot."""
    from .linalg import _broadcast_batch
    from .shape import broadcast_tensors

    if tuple(input.shape) == tuple(target.shape):
        return input, target
    _broadcast_batch(input.shape, target.shape)
    return broadcast_tensors(input, target)


class _DivScalar(Op, name="DivBackward1"):
    """ATen's div(Tensor, Scalar), which some composite losses end with."""

    def forward(ctx, xp, a, *, other):
        ctx.other = other
        return xp.asarray(a / a.dtype.type(other))

    def grad_a(ctx, grad):
        return grad / ctx.other


# -- negative log likelihood -----------------------------------------------------------------

_FAST_NLL = (np.dtype(np.float32), np.dtype(np.float64))


class NllLoss(Op, name="NllLossBackward0"):
    """-weight[t] * input[..., t, ...] over the class dim (1, or 0 for an unbatched input)."""

    def forward(ctx, xp, a, *, target, weight, reduction, ignore_index):
        axis = 1 if a.ndim > 1 else 0
        c = a.shape[axis]
        if target.dtype not in (np.int64, np.uint8):
            raise RuntimeError(f"expected scalar type Long but found {_word(target)}")
        t = target.astype(np.int64, copy=False)
        if weight is None and a.ndim == 2 and reduction != "none" and t.shape[0] and \
                a.dtype in _FAST_NLL and not 0 <= ignore_index < c and \
                not bool((t.view(np.uint64) >= c).any()):
            # The usual case, every target a class (an ignore_index or a bad target is
            # negative or too large, as unsigned both too large): one gather, one sum.
            n = t.shape[0]
            flat = t + xp.arange(0, n * c, c)
            ctx.flat, ctx.w, ctx.shape, ctx.reduction = flat, None, a.shape, reduction
            out = -a.reshape(-1)[flat].sum()
            if reduction == "mean":
                ctx.total = a.dtype.type(n)
                out = out / ctx.total
            return xp.asarray(out, dtype=a.dtype)
        valid = t != ignore_index
        tc = xp.where(valid, t, 0)
        bad = valid & ((t < 0) | (t >= c))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
        idx = xp.expand_dims(tc, axis)
        picked = xp.take_along_axis(a, idx, axis).squeeze(axis)
        w = weight[tc].astype(a.dtype, copy=False) if weight is not None else \
            xp.ones(tc.shape, a.dtype)
        w = w * valid
        out = -picked * w
        ctx.axis, ctx.idx, ctx.w, ctx.shape = axis, idx, w, a.shape
        ctx.reduction = reduction
        if reduction == "none":
            return out
        total = w.sum()
        ctx.total = total
        if reduction == "sum":
            return out.sum()
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: nan, as PyTorch
            return out.sum() / total

    def grad_a(ctx, grad, a):
        from .activation import tie

        if ctx.w is None:  # forward's fast path: every target a class, unit weights
            xp = np if ctx.flat.__class__ is np.ndarray else _xp(ctx.flat)
            if not grad_mode._state.enabled:
                g = grad._data
                out = xp.zeros(ctx.shape, dtype=g.dtype)
                val = -g if ctx.reduction == "sum" else -g / ctx.total
                out.reshape(-1)[ctx.flat] = val
                return Tensor._make(out)
            n, c = ctx.shape
            ctx.w = xp.ones(n, dtype=a._data.dtype)
            ctx.idx = (ctx.flat - xp.arange(0, n * c, c))[:, None]
            ctx.axis = 1
        xp = np if ctx.w.__class__ is np.ndarray else _xp(ctx.w)
        coef = -ctx.w
        if ctx.reduction == "mean":
            coef = coef / ctx.total if ctx.total else coef * 0
        if not grad_mode._state.enabled:
            # Plain backward: zeros with each row's one value put at its target, rather than
            # a dense one-hot product over all the classes.
            g = grad._data
            vals = xp.where(ctx.w != 0, coef * g, 0).astype(g.dtype, copy=False)
            out = xp.zeros(ctx.shape, dtype=g.dtype)
            xp.put_along_axis(out, ctx.idx, xp.expand_dims(vals, ctx.axis), ctx.axis)
            return Tensor._make(out)
        classes = [1] * len(ctx.shape)
        classes[ctx.axis] = ctx.shape[ctx.axis]
        hot = xp.arange(ctx.shape[ctx.axis]).reshape(classes) == ctx.idx  # one-hot targets
        m = hot * xp.expand_dims(coef, ctx.axis)
        g = grad.unsqueeze(ctx.axis) if ctx.reduction == "none" else grad
        return tie("NllLossBackwardBackward0", Tensor._make(m) * g, a)


class NllLoss2d(NllLoss, name="NllLoss2DBackward0"):
    pass


def _xp(arr: Any) -> Any:
    from .._device import array_module

    return array_module(arr)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """torch.nn.functional.nll_loss (ATen's nll_loss_nd)."""
    reduction = reduction_string(size_average, reduce, reduction)
    return _nll_nd(input, target, weight, reduction, ignore_index)


def _nll_nd(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
            ignore_index: int) -> Tensor:
    dim = input.ndim
    if dim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {dim})")
    if dim != 1 and target.ndim >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    w = _no_grad_arg(weight, "nll_loss_forward", "weight")
    c = input.shape[1] if dim > 1 else input.shape[0]
    if w is not None and (w.ndim != 1 or w.size != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(w.shape)}")
    attrs = {"weight": w, "reduction": reduction, "ignore_index": ignore_index}
    if dim <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        t = target._data
        if dim == 1 and t.ndim == 1:
            if t.shape[0] != 1:
                raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: "
                                   f"{list(t.shape)})")
            t = t.reshape(())
        return NllLoss.apply(input, target=t, **attrs)
    if dim == 4:
        if target.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {target.ndim}")
        if tuple(target.shape[1:]) != tuple(input.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: "
                               f"{list(target.shape)}")
        return NllLoss2d.apply(input, target=target._data, **attrs)
    # 3-D and 5-D+: ATen folds the spatial dims into one and runs the 2-D kernel.
    n = input.shape[0]
    out_size = [n] + list(input.shape[2:])
    if list(target.shape[1:]) != list(input.shape[2:]):
        raise RuntimeError(f"Expected target size {out_size}, got {list(target.shape)}")
    flat = input.reshape(n, c, 1, -1)
    t = target._data.reshape(n, 1, -1)
    out = NllLoss2d.apply(flat, target=t, **attrs)
    return out.view(out_size) if reduction == "none" else out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """torch.nn.functional.cross_entropy: class indices or class probabilities as target."""
    from .activation import log_softmax

    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        input, = autocast_mode.cast_at_entry("cross_entropy_loss", input)

    reduction = reduction_string(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    class_dim = 0 if input.ndim == 1 else 1
    if tuple(input.shape) == tuple(target.shape) and target._data.dtype.kind in "fc":
        return _cross_entropy_prob(input, target, weight, reduction, label_smoothing,
                                   class_dim)
    logp = log_softmax(input, class_dim)
    nll = _nll_nd(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0:
        return nll
    n_classes = input.shape[class_dim]
    ignore = Tensor._make(target._data == ignore_index)
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        smooth = -(logp * weight.view(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == "mean":
        keep = ~ignore._data
        if weight is not None:
            denom = weight._data[target._data[keep]].sum()
        else:
            denom = keep.sum()
        ret = smooth.sum() / Tensor._make(_xp(keep).asarray(denom, dtype=smooth._data.dtype))
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - label_smoothing) * nll + ret * (label_smoothing / n_classes)


def _cross_entropy_prob(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                        label_smoothing: float, class_dim: int) -> Tensor:
    from .activation import log_softmax

    n_classes = input.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        if input.ndim > 1:
            shape = [1] * input.ndim
            shape[1] = n_classes
            prod = prod * weight.view(shape)
        else:
            prod = prod * weight
    if reduction == "mean":
        if input.numel() == 0:
            return (-prod.sum()) * float("nan")
        return _DivScalar.apply(-prod.sum(), other=input.numel() // n_classes)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum(class_dim)


# -- binary cross entropy ---------------------------------------------------------------------

def _softplus(x: Tensor) -> Tensor:
    from .activation import Softplus

    return Softplus.apply(x, beta=1, threshold=20)


class BinaryCrossEntropyWithLogits(Op, name="BinaryCrossEntropyWithLogitsBackward0"):
    """(1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x)), in a form that never
    overflows: log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0)."""

    def forward(ctx, xp, a, t, *, weight, pos_weight, reduction):
        a, t = _same_float(a, t)
        sp = xp.log1p(xp.exp(-xp.abs(a))) + xp.maximum(-a, 0)
        loss = (1 - t) * a
        if pos_weight is not None:
            loss = loss + (1 + (pos_weight - 1) * t) * sp
        else:
            loss += sp
        if weight is not None:
            loss = loss * weight
        ctx.weight, ctx.pos_weight = weight, pos_weight
        ctx.reduction, ctx.numel = reduction, a.size
        return _reduce_arr(xp, loss.astype(a.dtype, copy=False), reduction)

    def grad_a(ctx, grad, a, t):
        pw = ctx.pos_weight
        if pw is not None:
            tp = t * Tensor._make(pw)
            d = (tp + 1 - t) * a.sigmoid() - tp
        else:
            d = a.sigmoid() - t
        return _finish(ctx, grad, d)

    def grad_t(ctx, grad, a):
        pw = ctx.pos_weight
        if pw is not None:
            d = _softplus(-a) * Tensor._make(pw) - _softplus(a)
        else:
            d = -a
        return _finish(ctx, grad, d)


def _finish(ctx: Any, grad: Tensor, d: Tensor) -> Tensor:
    """grad * d, times the weight and the mean's 1/n."""
    if ctx.weight is not None:
        d = d * Tensor._make(ctx.weight)
    s = _scale(ctx)
    return grad * d if s == 1 else grad * d * s


def _same_float(a: Any, t: Any) -> tuple:
    if t.dtype != a.dtype:
        t = t.astype(a.dtype)
    return a, t


class BinaryCrossEntropy(Op, name="BinaryCrossEntropyBackward0"):
    def forward(ctx, xp, a, t, *, weight, reduction):
        if a.dtype.kind not in "fc":
            raise NotImplementedError(f'"binary_cross_entropy" not implemented for '
                                      f"'{_word(a)}'")
        a, t = _same_float(a, t)
        if ((a < 0) | (a > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        # PyTorch clamps each log at -100 so that a saturated probability gives a finite loss.
        with np.errstate(divide="ignore"):
            log_a = xp.maximum(xp.log(a), -100)
            log_1a = xp.maximum(xp.log1p(-a), -100)
        loss = -(t * log_a + (1 - t) * log_1a)
        if weight is not None:
            loss = loss * weight
        ctx.weight, ctx.reduction, ctx.numel = weight, reduction, a.size
        return _reduce_arr(xp, loss.astype(a.dtype, copy=False), reduction)

    def grad_a(ctx, grad, a, t):
        return _finish(ctx, grad, (a - t) / ((1 - a) * a).clamp_min(1e-12))

    def grad_t(ctx, grad, a):
        return _finish(ctx, grad, (-a).log1p().clamp_min(-100) - a.log().clamp_min(-100))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.binary_cross_entropy_with_logits (one node, stable in input)."""
    reduction = reduction_string(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size_str(target.shape)}) must be the same as input "
                         f"size ({_size_str(input.shape)})")
    fn = "binary_cross_entropy_with_logits"
    w = _no_grad_arg(weight, fn, "weight")
    pw = _no_grad_arg(pos_weight, fn, "pos_weight")
    return BinaryCrossEntropyWithLogits.apply(input, target, weight=w, pos_weight=pw,
                                              reduction=reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """torch.nn.functional.binary_cross_entropy (logs clamped at -100, as PyTorch)."""
    reduction = reduction_string(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({_size_str(target.shape)}) that is different to the input "
            f"size ({_size_str(input.shape)}) is deprecated. Please ensure they have the same "
            "size.")
    w = _no_grad_arg(weight, "binary_cross_entropy", "weight")
    if w is not None:
        w = _xp(w).broadcast_to(w, np.broadcast_shapes(target.shape, w.shape))
    return BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)


# -- regression losses -----------------------------------------------------------------------

class _Pointwise(Op):
    """A loss of d = input - target, reduced; subclasses give the loss and its slope."""

    def forward(ctx, xp, a, t, *, reduction, param):
        from .pointwise import _promoted

        a, t = _promoted(a, t)
        if a.dtype.kind in "biu":  # integer inputs compute in the default float dtype
            a = a.astype(_dtype.get_default_dtype().np)
            t = t.astype(a.dtype)
        ctx.reduction, ctx.numel, ctx.param = reduction, a.size, param
        return _reduce_arr(xp, type(ctx).loss(xp, a - t, param), reduction)

    def grad_a(ctx, grad, a, t):
        return _apply_scale(ctx, grad * type(ctx).slope(a - t, ctx.param))

    def grad_t(ctx, grad, a, t):
        return _apply_scale(ctx, grad * -type(ctx).slope(a - t, ctx.param))


def _apply_scale(ctx: Any, g: Tensor) -> Tensor:
    s = _scale(ctx)
    return g if s == 1 else g * s


class MseLoss(_Pointwise, name="MseLossBackward0"):
    @staticmethod
    def loss(xp: Any, d: Any, param: Any) -> Any:
        return d * d

    @staticmethod
    def slope(d: Tensor, param: Any) -> Tensor:
        return d * 2


class SmoothL1Loss(_Pointwise, name="SmoothL1LossBackward0"):
    @staticmethod
    def loss(xp: Any, d: Any, beta: Any) -> Any:
        ad = xp.abs(d)
        return xp.where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta).astype(d.dtype)

    @staticmethod
    def slope(d: Tensor, beta: Any) -> Tensor:
        return (d / beta).clamp(-1, 1)


class HuberLoss(_Pointwise, name="HuberLossBackward0"):
    @staticmethod
    def loss(xp: Any, d: Any, delta: Any) -> Any:
        ad = xp.abs(d)
        return xp.where(ad < delta, d * d * 0.5, delta * (ad - 0.5 * delta)).astype(d.dtype)

    @staticmethod
    def slope(d: Tensor, delta: Any) -> Tensor:
        return d.clamp(-delta, delta)


class SoftMarginLoss(Op, name="SoftMarginLossBackward0"):
    def forward(ctx, xp, a, *, target, reduction):
        z = -target * a
        loss = xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)  # log(1 + exp(z)), stable
        ctx.target, ctx.reduction, ctx.numel = target, reduction, a.size
        return _reduce_arr(xp, loss.astype(a.dtype, copy=False), reduction)

    def grad_a(ctx, grad, a):
        y = Tensor._make(ctx.target)
        return _apply_scale(ctx, grad * -y * (-y * a).sigmoid())


def _weighted(loss: Tensor, weight: Tensor, reduction: str, mean_by_weight: bool) -> Tensor:
    weighted = loss * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / weight.sum() if mean_by_weight else weighted.mean()


def _check_weight(weight: Tensor, input: Tensor) -> None:
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.mse_loss."""
    _size_warning(input, target)
    reduction = reduction_string(size_average, reduce, reduction)
    a, t = _broadcast(input, target)
    if weight is not None:
        _check_weight(weight, input)
        return _weighted((a - t) ** 2, weight, reduction, True)
    return MseLoss.apply(a, t, reduction=reduction, param=None)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.l1_loss (ATen composes it: |input - target|, then the reduction)."""
    _size_warning(input, target)
    reduction = reduction_string(size_average, reduce, reduction)
    a, t = _broadcast(input, target)
    if weight is not None:
        _check_weight(weight, input)
        return _weighted((a - t).abs(), weight, reduction, True)
    return _reduce((a - t).abs(), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """torch.nn.functional.smooth_l1_loss."""
    _size_warning(input, target)
    reduction = reduction_string(size_average, reduce, reduction)
    a, t = _broadcast(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _reduce((a - t).abs(), reduction)
    return SmoothL1Loss.apply(a, t, reduction=reduction, param=beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """torch.nn.functional.huber_loss."""
    _size_warning(input, target)
    reduction = reduction_string(None, None, reduction)
    a, t = _broadcast(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        _check_weight(weight, input)
        loss = HuberLoss.apply(a, t, reduction="none", param=delta)
        return _weighted(loss, weight, reduction, False)
    return HuberLoss.apply(a, t, reduction=reduction, param=delta)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.soft_margin_loss: log(1 + exp(-target * input))."""
    reduction = reduction_string(size_average, reduce, reduction)
    t = _no_grad_arg(target, "soft_margin_loss", "target")
    a = input
    if tuple(target.shape) != tuple(input.shape):
        a, tt = _broadcast(input, target)
        t = tt._data
    return SoftMarginLoss.apply(a, target=t.astype(a._data.dtype, copy=False),
                                reduction=reduction)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """torch.nn.functional.kl_div (input holds log-probabilities)."""
    if size_average is not None or reduce is not None:
        reduction = reduction_string(size_average, reduce, reduction)
        batchmean = False
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition.'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.", UserWarning, stacklevel=2)
        batchmean = reduction == "batchmean"
        reduction = "sum" if batchmean else reduction_string(None, None, reduction)
    if log_target:
        out = target.exp() * (target - input)
    else:
        from .pointwise import xlogy

        out = xlogy(target, target) - target * input
    reduced = _reduce(out, reduction)
    if batchmean and input.ndim != 0:
        reduced = reduced / input.shape[0]
    return reduced


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """torch.nn.functional.poisson_nll_loss."""
    reduction = reduction_string(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(Tensor._make(target._data <= 1), 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.gaussian_nll_loss."""
    from .creation import ones_like

    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# -- margin and embedding losses -------------------------------------------------------------

def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """torch.nn.functional.margin_ranking_loss: max(0, -target * (input1 - input2) + margin)."""
    reduction = reduction_string(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size_str(input1.shape)}, input2: {_size_str(input2.shape)}, target: "
            f"{_size_str(target.shape)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """torch.nn.functional.hinge_embedding_loss."""
    from .pointwise import where

    reduction = reduction_string(size_average, reduce, reduction)
    zeros = Tensor._make(_xp(input._data).zeros_like(input._data))
    margin_clamp = (margin - input).clamp_min(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """torch.nn.functional.cosine_embedding_loss."""
    from .pointwise import where

    reduction = reduction_string(size_average, reduce, reduction)
    tdim = target.ndim
    if tdim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if tdim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod_sum = (input1 * input2).sum(tdim)
    mag1 = (input1 * input1).sum(tdim) + eps
    mag2 = (input2 * input2).sum(tdim) + eps
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = Tensor._make(_xp(cos._data).zeros_like(cos._data))
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multilabel_soft_margin_loss."""
    from .activation import logsigmoid

    if size_average is not None or reduce is not None:
        reduction = reduction_string(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


class MultiMarginLoss(Op, name="MultiMarginLossBackward0"):
    """sum over classes j != y of max(0, margin - x[y] + x[j]) ** p (times weight[y]), / C."""

    def forward(ctx, xp, a, *, target, p, margin, weight, reduction):
        x = a if a.ndim == 2 else a.reshape(1, -1)
        t = target.reshape(-1).astype(np.int64)
        n, c = x.shape
        if ((t < 0) | (t >= c)).any():
            raise IndexError("target out of range")
        rows = xp.arange(n)
        xy = x[rows, t][:, None]
        z = margin - xy + x
        z[rows, t] = 0
        pos = z > 0
        h = xp.where(pos, z, 0)
        if p == 2:
            h = h * h
        if weight is not None:
            h = h * weight[t][:, None]
        loss = (h.sum(1) / c).astype(a.dtype)
        ctx.t, ctx.p, ctx.w, ctx.shape, ctx.margin = t, p, weight, a.shape, margin
        ctx.reduction, ctx.numel = reduction, n
        out = loss if a.ndim == 2 else loss.reshape(())
        return _reduce_arr(xp, out, reduction)

    def grad_a(ctx, grad, a):
        xp = _xp(a._data)
        x = a if a.ndim == 2 else a.reshape(1, -1)
        n, c = x.shape
        rows = xp.arange(n)
        hot = xp.zeros((n, c), dtype=bool)
        hot[rows, ctx.t] = True
        xy = (x * Tensor._make(hot)).sum(1, keepdim=True)
        z = x - xy + ctx.margin
        active = Tensor._make((z._data > 0) & ~hot)
        # d/dx_j = slope_j for j != y, and minus the sum of slopes at y.
        slope = active * (z * 2 if ctx.p == 2 else 1)
        if ctx.w is not None:
            slope = slope * Tensor._make(ctx.w[ctx.t][:, None])
        gx = slope - Tensor._make(hot) * slope.sum(1, keepdim=True)
        g = grad.reshape(-1, 1) if ctx.reduction == "none" else grad
        gx = gx * g / c
        gx = gx if a.ndim == 2 else gx.reshape(ctx.shape)
        from .activation import tie

        return tie("MultiMarginLossBackwardBackward0", _apply_scale(ctx, gx), a,
                   "derivative for aten::multi_margin_loss_backward is not implemented")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multi_margin_loss."""
    reduction = reduction_string(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    w = _no_grad_arg(weight, "multi_margin_loss", "weight")
    out = MultiMarginLoss.apply(input, target=target._data, p=p, margin=margin, weight=w,
                                reduction=reduction)
    return out


# -- distances -------------------------------------------------------------------------------

class Norm(Op, name="NormBackward1"):
    """The p-norm along dims (torch.norm(x, p, dim, keepdim)), with PyTorch's subgradients."""

    def forward(ctx, xp, a, *, p, dim, keepdim):
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        ab = xp.abs(a)
        if p == 2:
            out = xp.sqrt((ab * ab).sum(axis=dim, keepdims=keepdim))
        elif p == 1:
            out = ab.sum(axis=dim, keepdims=keepdim)
        elif p == math.inf:
            out = ab.max(axis=dim, keepdims=keepdim)
        elif p == -math.inf:
            out = ab.min(axis=dim, keepdims=keepdim)
        elif p == 0:
            out = (ab != 0).sum(axis=dim, keepdims=keepdim).astype(ab.dtype)
        else:
            out = (ab ** p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)
        return out.astype(ab.dtype, copy=False)

    def grad_a(ctx, grad, a, result):
        p = ctx.p
        if not ctx.keepdim and a.ndim:
            for d in sorted(ctx.dim):
                grad, result = grad.unsqueeze(d), result.unsqueeze(d)
        zero = Tensor._make(result._data == 0)
        if p == 0:
            return grad * 0 * a
        if p == 1:
            return a.sgn() * grad
        if p == 2:
            return grad * (a / result).masked_fill(zero, 0)
        if p in (math.inf, -math.inf):
            d = a._data
            mask = Tensor._make((_xp(d).abs(d) == result._data).astype(d.dtype))
            return a.sgn() * (grad / mask.sum(ctx.dim, keepdim=True)) * mask
        if p < 1:
            g = a.sgn() * a.abs() ** (p - 1) * grad / result ** (p - 1)
            return g.masked_fill(Tensor._make(a._data == 0), 0)
        if p < 2:
            return a.sgn() * a.abs() ** (p - 1) * (grad / result ** (p - 1)).masked_fill(zero, 0)
        return a * a.abs() ** (p - 2) * (grad / result ** (p - 1)).masked_fill(zero, 0)


def norm_along(input: Tensor, p: float, dim: Any, keepdim: bool = False) -> Tensor:
    """torch.norm(input, p, dim, keepdim), the form losses and normalize use."""
    if isinstance(dim, int):
        dim = (dim,)
    dims = tuple(sorted(_wrap_dim(d, input.ndim) for d in dim))
    return Norm.apply(input, p=float(p), dim=dims, keepdim=keepdim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """torch.pairwise_distance: the p-norm of x1 - x2 + eps along the last dim."""
    out_dim = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    if out_dim == 0:
        return norm_along(diff.reshape(1), p, 0, keepdim).reshape(())
    return norm_along(diff, p, out_dim - 1, keepdim)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """torch.cosine_similarity: each input divided by its (eps-clamped) norm, then summed."""
    if x1._data.dtype.kind in "biu":
        x1 = x1.to(_dtype.get_default_dtype())
    if x2._data.dtype.kind in "biu":
        x2 = x2.to(_dtype.get_default_dtype())
    x1, x2 = _broadcast(x1, x2)
    n1 = norm_along(x1, 2, dim, True).clone()
    n2 = norm_along(x2, 2, dim, True).clone()
    with grad_mode.no_grad():  # the clamp is not part of the gradient, as in PyTorch
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_loss."""
    from .pointwise import minimum

    reduction = reduction_string(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_with_distance_loss."""
    from .pointwise import minimum

    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs")
    dist = distance_function or pairwise_distance
    dist_pos = dist(anchor, positive)
    dist_neg = dist(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, dist(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    return _reduce(loss, reduction)

"""Convolution and pooling: conv1d/2d/3d, conv_transpose, max/avg/adaptive pooling, unfold.

One geometry serves every op here: an input ``(N, C, *S)`` padded to ``(N, C, *P)`` and seen
through a strided window view ``(N, C, *out, *K)`` (no copy). A convolution is then one
matrix product between the weight and the im2col of that view; its adjoint (the input
gradient, which is also a transposed convolution) is the matrix product the other way round
followed by col2im, strided slice-adds over the kernel's K positions. No loop runs over
pixels: a strided NumPy copy or add costs per contiguous run, so im2col and col2im go
through the last dim's offsets first and then shift whole rows (see _two_stage).

The three linear maps of a convolution -- ``conv(x, w)``, ``conv_transpose(g, w)`` and the
weight gradient ``conv_weight(x, g)`` -- are each an op whose derivatives are the other two,
so gradients of any order come out of the same three kernels. Pooling follows the same plan:
max pooling's backward scatters into the argmax positions and is itself an op whose backward
gathers from them; average pooling's backward is a col2im whose backward is average pooling;
unfold (Im2Col) and fold (Col2Im) are each other's derivative.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..amp import autocast_mode
from ..autograd import grad_mode
from ..autograd.graph import _hook_stack as _saved_hooks
from ._op import Op

_amp_state = autocast_mode._state

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "unfold", "fold",
]


# -- array kernels (xp is numpy or cupy) ------------------------------------------------------

def _pad(xp: Any, x: Any, lo: tuple, hi: tuple, value: float = 0) -> Any:
    if not any(lo) and not any(hi):
        return x
    nd = len(lo)
    size = x.shape[x.ndim - nd:]
    shape = x.shape[:x.ndim - nd] + tuple(s + a + b for s, a, b in zip(size, lo, hi))
    # One fill and one slice copy: xp.pad does the same work with far more Python overhead.
    out = xp.full(shape, value, dtype=x.dtype) if value else xp.zeros(shape, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + s) for a, s in zip(lo, size))] = x
    return out


def _windows(xp: Any, x: Any, ksize: tuple, stride: tuple, dilation: tuple,
             out: tuple) -> Any:
    """The view ``(N, C, *out, *K)`` of a padded ``(N, C, *P)`` array: no copy."""
    st = x.strides
    nd = len(ksize)
    lead = x.ndim - nd
    strides = st[:lead] + tuple(st[lead + i] * stride[i] for i in range(nd)) + tuple(
        st[lead + i] * dilation[i] for i in range(nd))
    return xp.lib.stride_tricks.as_strided(x, x.shape[:lead] + tuple(out) + tuple(ksize),
                                           strides)


def _two_stage(ksize: tuple, stride: tuple) -> bool:
    """Whether im2col/col2im go through the rows of the last dim first.

    Copying the columns in one go moves runs of only ``out[-1]`` elements (a few floats for
    a small image), and a strided copy costs per run. Expanding the last dim first (runs of
    ``out[-1]``, but K_last times fewer of them) makes every other kernel position a shift by
    whole rows, copied in runs of ``prod(out[-2:])`` when the second-last stride is 1.
    """
    return len(ksize) > 1 and stride[-2] == 1 and math.prod(ksize[:-1]) > 1


def _span(k: int, d: int, o: int, s: int) -> slice:
    """Where kernel offset k (dilation d) lands for the o outputs of stride s."""
    return slice(k * d, k * d + (o - 1) * s + 1, s)


def _im2col(xp: Any, x: Any, ksize: tuple, stride: tuple, lo: tuple, hi: tuple,
            dilation: tuple, out: tuple, batch_first: bool = False) -> Any:
    """The columns a convolution multiplies, ``(C, *K, N, *out)`` (``(N, C, *K, *out)``
    with batch_first, unfold's order), contiguous."""
    x = _pad(xp, x, lo, hi)
    n, c = x.shape[:2]
    nd = len(ksize)
    st = x.strides
    strided = xp.lib.stride_tricks.as_strided
    bc = (n, c) if batch_first else (c,)  # the dims ahead of K
    if not _two_stage(ksize, stride):
        shape = bc + tuple(ksize) + (() if batch_first else (n,)) + tuple(out)
        strides = ((st[0], st[1]) if batch_first else (st[1],)) + tuple(
            st[2 + i] * dilation[i] for i in range(nd)) + (() if batch_first else (st[0],)) \
            + tuple(st[2 + i] * stride[i] for i in range(nd))
        return strided(x, shape, strides).copy()
    # Rows (C, K_last, N, *P_lead, out_last), or (N, C, K_last, ...) with batch_first.
    rows_shape = ((n, c, ksize[-1]) if batch_first else (c, ksize[-1], n)) + x.shape[2:-1] \
        + (out[-1],)
    rows_strides = ((st[0], st[1], st[-1] * dilation[-1]) if batch_first else
                    (st[1], st[-1] * dilation[-1], st[0])) + st[2:-1] + (st[-1] * stride[-1],)
    rows = strided(x, rows_shape, rows_strides).copy()
    rs = rows.strides
    lead = range(nd - 1)
    k_lead = tuple(rs[3 + i] * dilation[i] for i in lead)
    o_lead = tuple(rs[3 + i] * stride[i] for i in lead)
    if batch_first:
        shape = (n, c) + tuple(ksize) + tuple(out)
        strides = (rs[0], rs[1]) + k_lead + (rs[2],) + o_lead + (rs[-1],)
    else:
        shape = (c,) + tuple(ksize) + (n,) + tuple(out)
        strides = (rs[0],) + k_lead + (rs[1], rs[2]) + o_lead + (rs[-1],)
    return strided(rows, shape, strides).copy()


def _padded(size: tuple, lo: tuple, out: tuple, stride: tuple, ksize: tuple,
            dilation: tuple) -> tuple:
    """The extent an adjoint (col2im, pooling's scatter) writes into before cropping: the
    input plus its left padding, or as far as the last window reaches if that is further."""
    return tuple(max(s + lo_, (o - 1) * st + (k - 1) * d + 1)
                 for s, lo_, o, st, k, d in zip(size, lo, out, stride, ksize, dilation))


def _col2im(xp: Any, cols: Any, n: int, ksize: tuple, stride: tuple, lo: tuple,
            dilation: tuple, size: tuple, batch_first: bool = False) -> Any:
    """The adjoint of _im2col: add columns ``(C, *K, N, *out)`` (or ``(N, C, *K, *out)``)
    back into ``(N, C, *size)``, one strided slice-add per kernel position (per row offset,
    then per last-dim offset, when _two_stage: longer runs, fewer passes)."""
    nd = len(ksize)
    c = cols.shape[1 if batch_first else 0]
    out = cols.shape[-nd:]
    padded = _padded(size, lo, out, stride, ksize, dilation)
    dx = xp.empty((n, c) + padded, dtype=cols.dtype)
    dxt = dx if batch_first else dx.swapaxes(0, 1)  # in the order of the columns' lead dims
    pre = (slice(None),) * (2 if batch_first else 1)  # the dims of cols ahead of K
    if not _two_stage(ksize, stride):
        parts = [((slice(None), slice(None)) + tuple(
            _span(k[i], dilation[i], out[i], stride[i]) for i in range(nd)),
            cols[pre + k]) for k in itertools.product(*(range(k) for k in ksize))]
        _add_slices(dxt, parts)
    else:
        rows = xp.empty(((n, c, ksize[-1]) if batch_first else (c, ksize[-1], n))
                        + padded[:-1] + (out[-1],), dtype=cols.dtype)
        every = (slice(None),) * 3
        _add_slices(rows, [(every + tuple(_span(k[i], dilation[i], out[i], stride[i])
                                          for i in range(nd - 1)) + (slice(None),),
                            cols[pre + k])
                           for k in itertools.product(*(range(k) for k in ksize[:-1]))])
        _add_slices(dxt, [((Ellipsis, _span(j, dilation[-1], out[-1], stride[-1])),
                           rows[pre + (j,)]) for j in range(ksize[-1])])
    if padded != tuple(size) or any(lo):
        dx = xp.ascontiguousarray(dx[(Ellipsis,) + tuple(slice(a, a + s)
                                                         for a, s in zip(lo, size))])
    return dx


def _add_slices(dst: Any, parts: list) -> None:
    """``dst = sum of parts``, each ``(index, values)`` added at ``dst[index]``, into an
    uninitialised ``dst``. When the first index is a prefix box (start 0, step 1 in every
    dim) it is copied in and only the rest of dst zeroed: one pass fewer than a zero fill
    followed by an add."""
    (idx, first), rest = parts[0], parts[1:]
    if idx[0] is Ellipsis:
        idx = (slice(None),) * (dst.ndim - len(idx) + 1) + idx[1:]
    if all(s.start in (None, 0) and s.step in (None, 1) for s in idx):
        dst[idx] = first
        for i, s in enumerate(idx):
            if s.stop is not None and s.stop < dst.shape[i]:
                dst[(slice(None),) * i + (slice(s.stop, None),)] = 0
    else:
        dst[...] = 0
        dst[idx] += first
    for idx, values in rest:
        dst[idx] += values


def _scatter(xp: Any, lead: tuple, ksize: tuple, stride: tuple, lo: tuple, dilation: tuple,
             out: tuple, size: tuple, dtype: Any, put: Any) -> Any:
    """An array ``(*lead, *size)`` of window values put back in place: ``put(i, view, add)``
    writes kernel position i's ``(*lead, *out)`` values into ``view``, adding them when
    windows overlap (else each input cell is in at most one window: plain writes)."""
    nd = len(ksize)
    padded = _padded(size, lo, out, stride, ksize, dilation)
    dx = xp.zeros(tuple(lead) + padded, dtype=dtype)
    add = any(s < (k - 1) * d + 1 for s, k, d in zip(stride, ksize, dilation))
    for i, k in enumerate(itertools.product(*(range(k) for k in ksize))):
        sl = tuple(_span(k[j], dilation[j], out[j], stride[j]) for j in range(nd))
        put(i, dx[(Ellipsis,) + sl], add)
    if padded != tuple(size) or any(lo):
        dx = xp.ascontiguousarray(dx[(Ellipsis,) + tuple(slice(a, a + s)
                                                         for a, s in zip(lo, size))])
    return dx


def _out_size(size: tuple, ksize: tuple, stride: tuple, lo: tuple, hi: tuple,
              dilation: tuple) -> tuple:
    return tuple((s + a + b - d * (k - 1) - 1) // st + 1
                 for s, k, st, a, b, d in zip(size, ksize, stride, lo, hi, dilation))


def _conv_fwd(xp: Any, x: Any, w: Any, b: Any, stride: tuple, lo: tuple, hi: tuple,
              dilation: tuple, groups: int, keep: Any = None, nlast: bool = False) -> Any:
    """One matrix product of the weight with the im2col of x; the bias is added in the
    same pass that puts the result into ``(N, O, *out)`` order. ``keep``, a list, is given
    the columns (for the weight gradient, which multiplies the same ones)."""
    n = x.shape[0]
    o, ksize = w.shape[0], w.shape[2:]
    out = _out_size(x.shape[2:], ksize, stride, lo, hi, dilation)
    # Explicit sizes throughout: a -1 cannot be inferred when the batch is empty.
    ck, length = math.prod(w.shape[1:]), math.prod(out)
    if nlast:
        col = _im2col_nlast(xp, x, ksize, stride, lo, hi, dilation, out)
        y = xp.matmul(w.reshape(o, ck), col).reshape(o, length, n).transpose(2, 0, 1)
    else:
        col = _im2col(xp, x, ksize, stride, lo, hi, dilation, out)
        y = xp.matmul(w.reshape(groups, o // groups, ck), col.reshape(groups, ck, n * length))
        y = y.reshape(o, n, length).swapaxes(0, 1)
    if keep is not None:
        keep.append(col)
    res = xp.empty((n, o) + out, dtype=y.dtype)
    if b is not None:
        xp.add(y, b[:, None], out=res.reshape(n, o, length))
    else:
        res.reshape(n, o, length)[...] = y
    return res


def _grad_matrix(xp: Any, g: Any, groups: int, nlast: bool = False) -> Any:
    """``(G, O/G, N * prod(out))``: an output-shaped gradient as the products need it
    (``(1, O, prod(out) * N)``, batch last, with nlast)."""
    n, o = g.shape[:2]
    length = math.prod(g.shape[2:])
    if nlast:
        return xp.ascontiguousarray(g.reshape(n, o, length).transpose(1, 2, 0)).reshape(
            1, o, length * n)
    return xp.ascontiguousarray(g.reshape(n, o, length).swapaxes(0, 1)).reshape(
        groups, o // groups, n * length)


# -- the batch-last layout -------------------------------------------------------------
# With a short output row (a few pixels), the column copies and col2im's slice-adds above
# move runs of only out[-1] floats, and NumPy's cost per run dominates. With the batch as
# the last axis, the columns are (C, *K, *out, N) and every run is out[-1] * N long, at the
# price of transposing x, the output and its gradient (each far smaller than the columns
# when C * K is large next to O). A plain-backward, groups=1 convolution picks it so.

def _batch_last(x_shape: tuple, w_shape: tuple, out: tuple, groups: int) -> bool:
    return groups == 1 and out[-1] < 16 and math.prod(w_shape[1:]) >= 4 * w_shape[0] \
        and x_shape[0] > 1


def _im2col_nlast(xp: Any, x: Any, ksize: tuple, stride: tuple, lo: tuple, hi: tuple,
                  dilation: tuple, out: tuple) -> Any:
    """The columns ``(C * prod(K), prod(out) * N)``, batch last."""
    nd = len(ksize)
    xt = _pad(xp, xp.moveaxis(x, 0, -1), lo + (0,), hi + (0,))  # (C, *P, N)
    xt = xp.ascontiguousarray(xt)
    st = xt.strides
    shape = (xt.shape[0],) + tuple(ksize) + tuple(out) + (xt.shape[-1],)
    strides = (st[0],) + tuple(st[1 + i] * dilation[i] for i in range(nd)) + tuple(
        st[1 + i] * stride[i] for i in range(nd)) + (st[-1],)
    col = xp.lib.stride_tricks.as_strided(xt, shape, strides).copy()
    return col.reshape(shape[0] * math.prod(ksize), -1)


def _col2im_nlast(xp: Any, cols: Any, ksize: tuple, stride: tuple, lo: tuple,
                  dilation: tuple, size: tuple, out: tuple, n: int) -> Any:
    """The adjoint of _im2col_nlast, back to ``(N, C, *size)``."""
    nd = len(ksize)
    c = cols.shape[0] // math.prod(ksize)
    cols = cols.reshape((c,) + tuple(ksize) + out + (n,))
    padded = _padded(size, lo, out, stride, ksize, dilation)
    dxt = xp.empty((c,) + padded + (n,), dtype=cols.dtype)
    _add_slices(dxt, [((slice(None),) + tuple(_span(kk[i], dilation[i], out[i], stride[i])
                                              for i in range(nd)) + (slice(None),),
                       cols[(slice(None),) + kk])
                      for kk in itertools.product(*(range(kk) for kk in ksize))])
    dxt = dxt[(slice(None),) + tuple(slice(a, a + s) for a, s in zip(lo, size))]
    return xp.ascontiguousarray(xp.moveaxis(dxt, -1, 0))


def _conv_t_fwd(xp: Any, g: Any, w: Any, stride: tuple, lo: tuple, dilation: tuple,
                groups: int, size: tuple, gmat: Any = None, nlast: bool = False) -> Any:
    """The adjoint of _conv_fwd in its input: ``W^T @ g`` then col2im into ``size``
    (``gmat``, given, is in the batch-last layout with nlast)."""
    n, cin = g.shape[:2]
    out = g.shape[2:]
    ksize = w.shape[2:]
    cout = w.shape[1] * groups
    wm = w.reshape(groups, cin // groups, math.prod(w.shape[1:])).transpose(0, 2, 1)
    if nlast:
        cols = xp.matmul(wm[0], gmat[0])
        return _col2im_nlast(xp, cols, ksize, stride, lo, dilation, size, out, n)
    cols = xp.matmul(wm, _grad_matrix(xp, g, groups) if gmat is None else gmat)
    cols = cols.reshape((cout,) + tuple(ksize) + (n,) + tuple(out))
    return _col2im(xp, cols, n, ksize, stride, lo, dilation, size)


def _conv_w_fwd(xp: Any, x: Any, g: Any, ksize: tuple, stride: tuple, lo: tuple, hi: tuple,
                dilation: tuple, groups: int, gmat: Any = None, col: Any = None) -> Any:
    """The weight gradient: ``g @ im2col(x)^T``, shape ``(O, C/g, *K)`` (``col``: the
    forward's columns, if it kept them)."""
    o = g.shape[1]
    if col is None:
        col = _im2col(xp, x, ksize, stride, lo, hi, dilation, g.shape[2:])
    col = col.reshape(groups, x.shape[1] // groups * math.prod(ksize),
                      g.shape[0] * math.prod(g.shape[2:]))
    gw = xp.matmul(_grad_matrix(xp, g, groups) if gmat is None else gmat,
                   col.transpose(0, 2, 1))
    return gw.reshape((o, x.shape[1] // groups) + tuple(ksize))


# -- convolution ops ---------------------------------------------------------------------------

def _geom(ctx: Any) -> dict:
    return dict(stride=ctx.stride, lo=ctx.lo, hi=ctx.hi, dilation=ctx.dilation,
                groups=ctx.groups)


def _set_geom(ctx: Any, stride: tuple, lo: tuple, hi: tuple, dilation: tuple,
              groups: int) -> None:
    ctx.stride, ctx.lo, ctx.hi, ctx.dilation, ctx.groups = stride, lo, hi, dilation, groups


def _bias_shape(b: Any, nd: int) -> Any:
    return b.reshape((-1,) + (1,) * nd)


class Convolution(Op, name="ConvolutionBackward0"):
    def forward(ctx, xp, x, w, b, *, stride, lo, hi, dilation, groups, keep_cols=False):
        _set_geom(ctx, stride, lo, hi, dilation, groups)
        ctx.size, ctx.ksize = x.shape[2:], w.shape[2:]
        # Keeping the columns spends their memory (the size of x times the kernel's) until
        # the weight gradient, to save building them twice: most of a small conv's backward.
        keep = [] if keep_cols else None
        out = _out_size(x.shape[2:], w.shape[2:], stride, lo, hi, dilation)
        ctx.nlast = nlast = _batch_last(x.shape, w.shape, out, groups) and x.dtype.kind in "fc"
        y = _conv_fwd(xp, x, w, b, stride, lo, hi, dilation, groups, keep, nlast)
        if keep:
            ctx._cols = keep[0]
        # ml_dtypes' bfloat16 products come back in float32; torch keeps bfloat16.
        return y if y.dtype == x.dtype else y.astype(x.dtype)

    def grad_x(ctx, grad, w):
        gmat = _shared_grad_matrix(ctx, grad, 0)
        return ConvTranspose.apply(grad, w, None, size=ctx.size, gmat=gmat,
                                   nlast=ctx.nlast and gmat is not None, **_geom(ctx))

    def grad_w(ctx, grad, x):
        gmat = _shared_grad_matrix(ctx, grad, 1)
        cols = ctx.__dict__.pop("_cols", None)
        if ctx.nlast and cols is None and gmat is not None:  # a second plain backward:
            # the same columns again, so that it adds in the same order as the first
            xd = x._data
            cols = _im2col_nlast(_array_module(xd), xd, ctx.ksize, ctx.stride, ctx.lo,
                                 ctx.hi, ctx.dilation, tuple(grad.shape[2:]))
        if gmat is not None and cols is not None:  # plain backward: no graph to record
            xp = np if gmat.__class__ is np.ndarray else _array_module(gmat)
            return Tensor._make(_conv_w_fwd(xp, x._data, grad._data, ctx.ksize, ctx.stride,
                                            ctx.lo, ctx.hi, ctx.dilation, ctx.groups, gmat,
                                            cols))
        return ConvWeight.apply(x, grad, ksize=ctx.ksize, gmat=gmat, **_geom(ctx))

    def grad_b(ctx, grad):
        gm = _shared_grad_matrix(ctx, grad, 2)
        if gm is not None:  # plain backward: row sums of the matrix, one product
            xp = np if gm.__class__ is np.ndarray else _array_module(gm)
            gm = gm.reshape(grad.shape[1], gm.shape[-1])
            return Tensor._make(xp.matmul(gm, xp.ones(gm.shape[-1], dtype=gm.dtype)))
        return grad.sum((0,) + tuple(range(2, grad.ndim)))


def _shared_grad_matrix(ctx: Any, grad: Tensor, i: int) -> Any:
    """For a plain backward (None under create_graph), the output gradient as _grad_matrix
    lays it out, built once for all of a convolution's formulas; formula ``i`` (0: input,
    1: weight, 2: bias) that is the last one run lets the cache go."""
    if grad_mode._state.enabled or grad._data.dtype.kind not in "fc":
        return None
    cache = ctx.__dict__.get("_gmat")
    if cache is None or cache[0] is not grad:
        g = grad._data
        xp = np if g.__class__ is np.ndarray else _array_module(g)
        cache = ctx._gmat = (grad, _grad_matrix(xp, g, ctx.groups,
                                                ctx.__dict__.get("nlast", False)))
    if i >= max(j for j, n in enumerate(ctx.needs_input_grad) if n):
        del ctx._gmat
    return cache[1]


def _array_module(a: Any) -> Any:
    from .._device import array_module

    return array_module(a)


class ConvTranspose(Op, name="ConvolutionBackward0"):
    """Transposed convolution into a given spatial ``size`` (the adjoint of Convolution)."""

    def forward(ctx, xp, x, w, b, *, stride, lo, hi, dilation, groups, size, gmat=None,
                nlast=False):
        _set_geom(ctx, stride, lo, hi, dilation, groups)
        ctx.ksize = w.shape[2:]
        y = _conv_t_fwd(xp, x, w, stride, lo, dilation, groups, size, gmat, nlast)
        if b is not None:
            y += _bias_shape(b, len(stride))
        return y if y.dtype == x.dtype else y.astype(x.dtype)

    def grad_x(ctx, grad, w):
        return Convolution.apply(grad, w, None, **_geom(ctx))

    def grad_w(ctx, grad, x):
        return ConvWeight.apply(grad, x, ksize=ctx.ksize, **_geom(ctx))

    def grad_b(ctx, grad):
        return grad.sum((0,) + tuple(range(2, grad.ndim)))


class ConvWeight(Op, name="ConvolutionBackwardBackward0"):
    """The weight gradient of a convolution, ``conv_weight(x, g)``: linear in x and in g.
    ``gmat``, when given, is g as _grad_matrix lays it out."""

    def forward(ctx, xp, x, g, *, ksize, stride, lo, hi, dilation, groups, gmat=None):
        _set_geom(ctx, stride, lo, hi, dilation, groups)
        ctx.size = x.shape[2:]
        return _conv_w_fwd(xp, x, g, ksize, stride, lo, hi, dilation, groups, gmat)

    def grad_x(ctx, grad, g):
        return ConvTranspose.apply(g, grad, None, size=ctx.size, **_geom(ctx))

    def grad_g(ctx, grad, x):
        return Convolution.apply(x, grad, None, **_geom(ctx))


# -- argument checks, PyTorch's messages ----------------------------------------------------------

def _tuple(v: Any, nd: int, name: str) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * nd
    v = tuple(int(i) for i in v)
    if len(v) == 1 and nd > 1:
        return v * nd
    if len(v) != nd:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} "
                           f"values to match the convolution dimensions, but got {name}="
                           f"{list(v)}")
    return v


def _type_name(t: Tensor) -> str:
    from .._tensor import _legacy_type_name

    return _legacy_type_name(t)


def _check_types(x: Tensor, w: Tensor, b: Tensor | None, groups: int,
                 transposed: bool) -> None:
    if x.dtype != w.dtype:
        # PyTorch's message depends on whether its CPU dispatch would pick the oneDNN kernel
        # (float32 input and a conv big enough to be worth it) or the native one.
        n = x.shape[0] if x.ndim == w.ndim else 1
        onednn = x.dtype.name == "float32" and (
            transposed or groups > 1 or all(k > 3 for k in w.shape[-2:]) or n > 1
            or x.numel() > 20480)
        if onednn:
            raise RuntimeError(f"Input type ({_type_name(x)}) and weight type ({_type_name(w)}) "
                               "should be the same or input should be a MKLDNN tensor and "
                               "weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {_scalar_name(x)} but found "
                           f"{_scalar_name(w)}")
    if x.device != w.device:
        raise RuntimeError(f"Input type ({_type_name(x)}) and weight type ({_type_name(w)}) "
                           "should be the same")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_c10_name(x)}) and bias type ({_c10_name(b)}) should "
                           "be the same")


def _c10_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}.get(t.dtype.name, t.dtype.name)


def _scalar_name(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int"}.get(t.dtype.name, t.dtype.name)


def _shape_str(s: Any) -> str:
    return "[" + ", ".join(str(i) for i in s) + "]"


_SAME_WARNING = [False]


def _warn_same_once() -> None:
    # TORCH_WARN_ONCE in ATen: once per process, whatever the call site.
    if not _SAME_WARNING[0]:
        _SAME_WARNING[0] = True
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                      "require a zero-padded copy of the input be created (Triggered internally "
                      "at /__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)",
                      UserWarning, stacklevel=5)


def _conv_prep(name: str, nd: int, x: Tensor, w: Tensor, b: Tensor | None, stride: Any,
               padding: Any, dilation: Any, groups: int, transposed: bool = False) -> tuple:
    """Checks shared by conv and conv_transpose; returns the normalised geometry."""
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {_shape_str(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError("weight should have at least three dimensions"
                           if w.ndim < 3 else
                           f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional "
                           f"weight {_shape_str(w.shape)}, but got {x.ndim}-dimensional input "
                           f"of size {_shape_str(x.shape)} instead")
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    ksize = tuple(w.shape[2:])
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{name}(): argument 'padding' (position 5) must be tuple of ints, "
                            "not str")
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = tuple(d * (k - 1) for d, k in zip(dilation, ksize))
            if any(t % 2 for t in total):
                _warn_same_once()
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - t // 2 for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lo = hi = _tuple(padding, nd, "padding")
    if any(p < 0 for p in lo):
        raise RuntimeError("negative padding is not supported")
    batched = x.ndim == nd + 2
    xs = tuple(x.shape) if batched else (1,) + tuple(x.shape)
    if w.shape[0] % groups and not transposed:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_shape_str(w.shape)}] "
                           "instead")
    if transposed:
        if xs[1] != w.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(w.shape)}, "
                               f"expected input{_shape_str(xs)} to have {w.shape[0]} channels, "
                               f"but got {xs[1]} channels instead")
        nout = w.shape[1] * groups
    else:
        if xs[1] != w.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(w.shape)}, "
                               f"expected input{_shape_str(xs)} to have {w.shape[1] * groups} "
                               f"channels, but got {xs[1]} channels instead")
        nout = w.shape[0]
    if b is not None and (b.ndim != 1 or b.shape[0] != nout):
        raise RuntimeError(f"Given weight of size {_shape_str(w.shape)}, expected bias to be "
                           f"1-dimensional with {nout} elements, but got bias of size "
                           f"{_shape_str(b.shape)} instead")
    if not transposed:
        padded = tuple(s + a + c for s, a, c in zip(xs[2:], lo, hi))
        eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, ksize))
        if any(p < k for p, k in zip(padded, eff)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater "
                "than actual input size")
    _check_types(x, w, b, groups, transposed)
    return stride, lo, hi, dilation, batched


def _conv(name: str, nd: int, input: Tensor, weight: Tensor, bias: Tensor | None,
          stride: Any, padding: Any, dilation: Any, groups: int) -> Tensor:
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        input, weight, bias = autocast_mode.cast_at_entry(name, input, weight, bias)
    stride, lo, hi, dilation, batched = _conv_prep(name, nd, input, weight, bias, stride,
                                                   padding, dilation, groups)
    x = input if batched else input.unsqueeze(0)
    # Saved-tensor hooks (save_on_cpu, ...) manage what the graph keeps: no columns then.
    keep = grad_mode._state.enabled and weight._requires_grad and not _saved_hooks
    y = Convolution.apply(x, weight, bias, stride=stride, lo=lo, hi=hi, dilation=dilation,
                          groups=groups, keep_cols=keep)
    return y if batched else y.squeeze(0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv1d."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv2d."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv3d."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(name: str, nd: int, input: Tensor, weight: Tensor,
                    bias: Tensor | None, stride: Any, padding: Any, output_padding: Any,
                    groups: int, dilation: Any) -> Tensor:
    if _amp_state.enabled:  # torch's autocast decides at the function, before any check
        input, weight, bias = autocast_mode.cast_at_entry(name, input, weight, bias)
    stride, lo, hi, dilation, batched = _conv_prep(name, nd, input, weight, bias, stride,
                                                   padding, dilation, groups, transposed=True)
    op = _tuple(output_padding, nd, "output_padding")
    if any(o >= s and o >= d for o, s, d in zip(op, stride, dilation)):
        names = ["depth", "height", "width"][3 - nd:]
        parts = (" ".join(f"output_padding_{n}: {v}" for n, v in zip(names, op)) + " "
                 + " ".join(f"stride_{n}: {v}" for n, v in zip(names, stride)) + " "
                 + " ".join(f"dilation_{n}: {v}" for n, v in zip(names, dilation)))
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                           f"but got {parts}")
    x = input if batched else input.unsqueeze(0)
    size = tuple((s - 1) * st - 2 * p + d * (k - 1) + o + 1 for s, st, p, d, k, o in zip(
        x.shape[2:], stride, lo, dilation, weight.shape[2:], op))
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))})"
                           f". Calculated output size per channel: ({' x '.join(map(str, size))}"
                           "). Output size is too small")
    y = ConvTranspose.apply(x, weight, bias, stride=stride, lo=lo, hi=hi, dilation=dilation,
                            groups=groups, size=size)
    return y if batched else y.squeeze(0)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """torch.nn.functional.conv_transpose1d."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """torch.nn.functional.conv_transpose2d."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """torch.nn.functional.conv_transpose3d."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


# -- pooling -------------------------------------------------------------------------------------

def _pool_out(size: int, k: int, pad: int, s: int, d: int, ceil: bool) -> int:
    """PyTorch's pooling_output_shape (a last window must start inside input or left pad)."""
    out = (size + 2 * pad - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + pad:
        out -= 1
    return out


def _pool_prep(nd: int, x: Tensor, kernel_size: Any, stride: Any, padding: Any,
               dilation: Any, ceil_mode: bool, kind: str = "max") -> tuple:
    """Checks (PyTorch's messages) and geometry: ksize, stride, lo, hi, dilation, out."""
    if x.ndim not in (nd + 1, nd + 2):
        if kind == "avg" and nd == 2 and x.ndim < 3:  # avg_pool2d reads size(-3) first
            _wrap_dim(-3, x.ndim)
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected "
                           "for input")
    if any(s == 0 for s in x.shape[x.ndim - nd - 1:]):
        if nd == 2:
            raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim "
                               f"batch size for input, but got:{_shape_str(x.shape)}")
        if nd == 3 and kind == "max":
            dim = next(i for i, s in enumerate(x.shape[x.ndim - nd - 1:]) if s == 0)
            raise RuntimeError(
                "max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch "
                f"dimensions to have positive length, but input has a shape of "
                f"{_shape_str(x.shape)} and non-batch dimension {dim} has length zero!")
    ksize = _tuple(kernel_size, nd, "kernel_size")
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        stride = ksize
    stride = _tuple(stride, nd, "stride")
    lo = _tuple(padding, nd, "padding")
    dilation = _tuple(dilation, nd, "dilation")
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in ksize):
        names = ["kT", "kH", "kW"][3 - nd:] if nd > 1 else ["kW"]
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"{n}: {k}" for n, k in zip(names, ksize)))
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    for p, k, d in zip(lo, ksize, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    size = tuple(x.shape[-nd:])
    out = tuple(_pool_out(s, k, p, st, d, ceil_mode)
                for s, k, p, st, d in zip(size, ksize, lo, stride, dilation))
    if any(o < 1 for o in out):
        c = x.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + size))}). Calculated "
                           f"output size: ({'x'.join(map(str, (c,) + out))}). Output size is "
                           "too small")
    # Right padding so the last (ceil_mode) window fits in the padded array.
    hi = tuple(max(0, (o - 1) * st + d * (k - 1) + 1 - s - p)
               for o, st, d, k, s, p in zip(out, stride, dilation, ksize, size, lo))
    return ksize, stride, lo, hi, dilation, out


def _lowest(dtype: Any) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _nan_argmax(xp: Any, views: list, small: Any) -> Any:
    """PyTorch's max-pool argmax with NaNs about: the last NaN of a window, else the first
    maximum. ``arg += m * (i - arg)`` is exact in wrapping integer arithmetic."""
    values = views[0].copy()
    arg = xp.zeros(values.shape, dtype=small)
    for i in range(1, len(views)):
        v = views[i]
        m = v > values
        m |= xp.isnan(v)
        xp.maximum(values, v, out=values)
        arg += m.view(np.uint8).astype(small, copy=False) * (small(i) - arg)
    return arg


class _MaxPoolBase(Op):
    """max pooling: values and flat indices into each input plane (int64)."""

    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(ctx, xp, x, *, ksize, stride, lo, hi, dilation, out, indices):
        ctx.shape, ctx.geom = x.shape, (ksize, stride, lo, dilation, out)
        nd = len(ksize)
        xpad = _pad(xp, x, lo, hi, _lowest(x.dtype))
        win = _windows(xp, xpad, ksize, stride, dilation, out)
        # A running max over the K kernel positions (each a strided view of the input):
        # K passes over output-sized arrays beat an argmax along a short copied last axis.
        # PyTorch's rule is "val > max or isnan(val)": ties keep the first, NaN the last.
        kp = math.prod(ksize)
        small = np.uint8 if kp < 256 else np.int32
        views = [win[(Ellipsis,) + k] for k in itertools.product(*(range(k) for k in ksize))]
        values = views[0].copy()
        arg = xp.zeros(values.shape, dtype=small)
        for i in range(1, kp):
            v = views[i]
            # The argmax is the last position that strictly raised the running max, so a
            # running maximum of i * (raised) finds it without a masked store.
            xp.maximum(arg, (v > values).view(np.uint8) * small(i), out=arg)
            xp.maximum(values, v, out=values)  # NaN-propagating, as the rule above
        if x.dtype.kind in "fc" and kp > 1 and bool(xp.isnan(values).any()):
            arg = _nan_argmax(xp, views, small)  # a NaN window: the exact rule, slower
        ctx.arg = arg[..., None]
        if not indices:  # max_pool2d without return_indices: skip the flat index arithmetic
            return values, xp.empty((0,), dtype=np.int64)
        # Flat index into the unpadded input plane, from the window position and offset.
        flat = 0
        rest = arg.astype(np.int64)
        for i in range(nd):
            kprod = math.prod(ksize[i + 1:])
            kpos, rest = rest // kprod, rest % kprod
            o = xp.arange(out[i]).reshape((-1,) + (1,) * (nd - 1 - i))
            pos = o * stride[i] - lo[i] + kpos * dilation[i]
            flat = flat * x.shape[x.ndim - nd + i] + pos
        return values, flat

    def grad_x(ctx, grad, x):
        g = grad[0]
        if g is None:
            return None
        return MaxPoolGrad.apply(g, x, arg=ctx.arg, shape=ctx.shape, geom=ctx.geom)


class MaxPool1D(_MaxPoolBase, name="MaxPool1DWithIndicesBackward0"):
    forward = _MaxPoolBase.forward
    grad_x = _MaxPoolBase.grad_x


class MaxPool2D(_MaxPoolBase, name="MaxPool2DWithIndicesBackward0"):
    forward = _MaxPoolBase.forward
    grad_x = _MaxPoolBase.grad_x


class MaxPool3D(_MaxPoolBase, name="MaxPool3DWithIndicesBackward0"):
    forward = _MaxPoolBase.forward
    grad_x = _MaxPoolBase.grad_x


class MaxPoolGrad(Op, name="MaxPool2DWithIndicesBackwardBackward0"):
    """Scatter the output gradient into each window's argmax (col2im with a one-hot).

    ``x`` (the pooled input) is an input only so that, as in PyTorch, the gradient it
    returns under create_graph requires grad; its own derivative is zero (none is given).
    """

    def forward(ctx, xp, g, x, *, arg, shape, geom):
        ctx.arg, ctx.geom = arg, geom
        ksize, stride, lo, dilation, out = geom
        nd = len(ksize)
        arg0 = arg[..., 0]
        if g.dtype.kind in "fc" and not bool(xp.isfinite(g).all()):
            zero = xp.zeros((), dtype=g.dtype)  # inf * 0 would leak NaN into other cells

            def put(i: int, view: Any, add: bool) -> None:
                v = xp.where(arg0 == i, g, zero)
                if add:
                    view += v
                else:
                    view[...] = v
        else:
            def put(i: int, view: Any, add: bool) -> None:
                if add:
                    view += g * (arg0 == i)
                else:  # straight into the strided slice: no temporary
                    xp.multiply(g, arg0 == i, out=view)
        return _scatter(xp, g.shape[:-nd], ksize, stride, lo, dilation, out, shape[-nd:],
                        g.dtype, put)

    def grad_g(ctx, grad):
        return MaxPoolGather.apply(grad, arg=ctx.arg, geom=ctx.geom)


class MaxPoolGather(Op, name="MaxPool2DWithIndicesBackward0"):
    """Each window's value at the saved argmax: the adjoint of MaxPoolGrad."""

    def forward(ctx, xp, x, *, arg, geom):
        ctx.arg, ctx.geom, ctx.shape = arg, geom, x.shape
        ksize, stride, lo, dilation, out = geom
        nd = len(ksize)
        size = x.shape[-nd:]
        hi = tuple(max(0, (o - 1) * st + d * (k - 1) + 1 - s - p)
                   for o, st, d, k, s, p in zip(out, stride, dilation, ksize, size, lo))
        win = _windows(xp, _pad(xp, x, lo, hi), ksize, stride, dilation, out)
        win = win.reshape(x.shape[:-nd] + tuple(out) + (-1,))
        return xp.take_along_axis(win, arg, axis=-1)[..., 0]

    def grad_x(ctx, grad):
        return MaxPoolGrad.apply(grad, None, arg=ctx.arg, shape=ctx.shape, geom=ctx.geom)


_MAXPOOL = {1: MaxPool1D, 2: MaxPool2D, 3: MaxPool3D}


def _max_pool(nd: int, input: Tensor, kernel_size: Any, stride: Any, padding: Any,
              dilation: Any, ceil_mode: bool, indices: bool = True) -> tuple:
    ksize, stride, lo, hi, dilation, out = _pool_prep(nd, input, kernel_size, stride,
                                                      padding, dilation, ceil_mode)
    return _MAXPOOL[nd].apply(input, ksize=ksize, stride=stride, lo=lo, hi=hi,
                              dilation=dilation, out=out, indices=indices)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> tuple:
    """torch.nn.functional.max_pool2d_with_indices."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """torch.nn.functional.max_pool2d."""
    y, idx = _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)
    return (y, idx) if return_indices else y


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> tuple:
    """torch.nn.functional.max_pool3d_with_indices."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """torch.nn.functional.max_pool3d."""
    y, idx = _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)
    return (y, idx) if return_indices else y


def _one(v: Any, name: str) -> int:
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = tuple(v)
    if len(v) != 1:
        raise RuntimeError(f"max_pool1d() {name} must be an int or int list of size 1 but got "
                           f"size {len(v)}")
    return int(v[0])


def _pool1d_via_2d(input: Tensor, fn: Any, kernel_size: Any, stride: Any,
                   padding: Any, *rest: Any) -> Any:
    """1-D pooling as PyTorch does it: unsqueeze a unit height, pool in 2-D, squeeze it."""
    if input.ndim not in (2, 3):
        raise RuntimeError("max_pool1d() Expected 2D or 3D input tensor, but got "
                           f"{_shape_str(input.shape)}")
    k = _one(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _one(stride, "stride")
    out = fn(input.unsqueeze(-2), (1, k), (1, s), (0, _one(padding, "padding")), *rest)
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> tuple:
    """torch.nn.functional.max_pool1d_with_indices."""
    return _pool1d_via_2d(input, max_pool2d_with_indices, kernel_size, stride, padding,
                          (1, _one(dilation, "dilation")), ceil_mode)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """torch.nn.functional.max_pool1d."""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _pool1d_via_2d(input, max_pool2d, kernel_size, stride, padding,
                          (1, _one(dilation, "dilation")), ceil_mode)


def _avg_divisor(xp: Any, size: tuple, ksize: tuple, stride: tuple, lo: tuple, out: tuple,
                 count_include_pad: bool, divisor_override: Any, dtype: Any) -> Any:
    """PyTorch's per-window divisor: a product of per-dimension counts (so, separable)."""
    if divisor_override:
        return dtype.type(divisor_override)
    nd = len(ksize)
    div = None
    for i in range(nd):
        start = np.arange(out[i]) * stride[i] - lo[i]
        end = np.minimum(start + ksize[i], size[i] + lo[i])
        if count_include_pad:
            c = end - start
        else:
            c = np.minimum(end, size[i]) - np.maximum(start, 0)
        c = c.reshape((-1,) + (1,) * (nd - 1 - i))
        div = c if div is None else div * c
    return xp.asarray(div.astype(dtype))


class _AvgPoolBase(Op):
    def forward(ctx, xp, x, *, ksize, stride, lo, hi, out, count_include_pad,
                divisor_override):
        ctx.shape, ctx.attrs = x.shape, dict(ksize=ksize, stride=stride, lo=lo, hi=hi, out=out,
                                             count_include_pad=count_include_pad,
                                             divisor_override=divisor_override)
        nd = len(ksize)
        win = _windows(xp, _pad(xp, x, lo, hi), ksize, stride, (1,) * nd, out)
        s = None  # the window sums, one strided view added per kernel position
        for k in itertools.product(*(range(k) for k in ksize)):
            v = win[(Ellipsis,) + k]
            if s is None:
                s = v.astype(np.float64 if x.dtype.kind in "iub" else x.dtype, copy=True)
            else:
                s += v
        div = _avg_divisor(xp, x.shape[-nd:], ksize, stride, lo, out, count_include_pad,
                           divisor_override, x.dtype)
        return (s / div).astype(x.dtype, copy=False)

    def grad_x(ctx, grad, x):
        return AvgPoolGrad.apply(grad, x, shape=ctx.shape, **ctx.attrs)


class AvgPool2D(_AvgPoolBase, name="AvgPool2DBackward0"):
    forward = _AvgPoolBase.forward
    grad_x = _AvgPoolBase.grad_x


class AvgPool3D(_AvgPoolBase, name="AvgPool3DBackward0"):
    forward = _AvgPoolBase.forward
    grad_x = _AvgPoolBase.grad_x


class AvgPoolGrad(Op, name="AvgPool2DBackwardBackward0"):
    """Spread each output gradient over its window / divisor; its adjoint is avg pooling.
    ``x`` is a derivative-free input, as in MaxPoolGrad."""

    def forward(ctx, xp, g, x, *, shape, ksize, stride, lo, hi, out, count_include_pad,
                divisor_override):
        ctx.attrs = dict(ksize=ksize, stride=stride, lo=lo, hi=hi, out=out,
                         count_include_pad=count_include_pad, divisor_override=divisor_override)
        nd = len(ksize)
        div = _avg_divisor(xp, shape[-nd:], ksize, stride, lo, out, count_include_pad,
                           divisor_override, g.dtype)
        gd = (g / div).astype(g.dtype, copy=False)

        def put(i: int, view: Any, add: bool) -> None:
            if add:
                view += gd
            else:
                view[...] = gd
        return _scatter(xp, g.shape[:-nd], ksize, stride, lo, (1,) * nd, out, shape[-nd:],
                        g.dtype, put)

    def grad_g(ctx, grad):
        op = AvgPool2D if len(ctx.attrs["ksize"]) == 2 else AvgPool3D
        return op.apply(grad, **ctx.attrs)


def _avg_pool(nd: int, input: Tensor, kernel_size: Any, stride: Any, padding: Any,
              ceil_mode: bool, count_include_pad: bool, divisor_override: Any) -> Tensor:
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    ksize, stride, lo, hi, _, out = _pool_prep(nd, input, kernel_size, stride, padding, 1,
                                               ceil_mode, "avg")
    op = AvgPool2D if nd == 2 else AvgPool3D
    return op.apply(input, ksize=ksize, stride=stride, lo=lo, hi=hi, out=out,
                    count_include_pad=bool(count_include_pad), divisor_override=divisor_override)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool2d."""
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool3d."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """torch.nn.functional.avg_pool1d."""
    if input.ndim not in (2, 3):
        raise RuntimeError("avg_pool1d() Expected 2D or 3D input tensor, but got "
                           f"{_shape_str(input.shape)}")
    return _pool1d_via_2d(input, avg_pool2d, kernel_size, stride, padding, ceil_mode,
                          count_include_pad)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool2d."""
    kw, kh = _tuple(kernel_size, 2, "kernel_size")
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool1d."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


# -- adaptive pooling ------------------------------------------------------------------------

def _adaptive_bounds(size: int, out: int) -> tuple:
    """PyTorch's adaptive windows: [floor(i*S/out), ceil((i+1)*S/out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _adaptive_prep(name: str, nd: int, x: Tensor, output_size: Any) -> tuple:
    if x.ndim not in (nd + 1, nd + 2):
        shapes = {1: "2D or 3D", 2: "3D or 4D", 3: "4D or 5D"}[nd]
        raise RuntimeError(f"{name}(): Expected {shapes} tensor, but got {_shape_str(x.shape)}")
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    size = tuple(x.shape[-nd:])
    out = tuple(s if o is None else int(o) for o, s in zip(output_size, size))
    if len(out) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    return size, out


def _adaptive_matrix(xp: Any, size: int, out: int, dtype: Any) -> Any:
    start, end = _adaptive_bounds(size, out)
    j = np.arange(size)
    m = ((j >= start[:, None]) & (j < end[:, None])) / (end - start)[:, None]
    return xp.asarray(m.astype(dtype))


def _apply_matrices(xp: Any, x: Any, mats: list) -> Any:
    """Contract each spatial dim with its (out, size) matrix: separable adaptive averaging."""
    nd = len(mats)
    for i, m in enumerate(mats):
        axis = x.ndim - nd + i
        x = xp.moveaxis(xp.tensordot(x, m, axes=([axis], [1])), -1, axis)
    return xp.ascontiguousarray(x)


class _AdaptiveAvgBase(Op):
    """Adaptive average pooling as one matrix per spatial dim (windows are separable)."""

    def forward(ctx, xp, x, *, out):
        nd = len(out)
        size = x.shape[-nd:]
        ctx.mats = [_adaptive_matrix(xp, s, o, x.dtype) for s, o in zip(size, out)]
        return _apply_matrices(xp, x, ctx.mats)

    def grad_x(ctx, grad, x):
        return _Separable.apply(grad, x, mats=[m.T for m in ctx.mats])


class AdaptiveAvgPool2D(_AdaptiveAvgBase, name="AdaptiveAvgPool2DBackward0"):
    forward = _AdaptiveAvgBase.forward
    grad_x = _AdaptiveAvgBase.grad_x


class AdaptiveAvgPool3D(_AdaptiveAvgBase, name="AdaptiveAvgPool3DBackward0"):
    forward = _AdaptiveAvgBase.forward
    grad_x = _AdaptiveAvgBase.grad_x


class _Separable(Op, name="AdaptiveAvgPool2DBackwardBackward0"):
    """One matrix per spatial dim; ``dep`` is a derivative-free input, as in MaxPoolGrad."""

    def forward(ctx, xp, x, dep, *, mats):
        ctx.mats = mats
        return _apply_matrices(xp, x, mats)

    def grad_x(ctx, grad):
        return _Separable.apply(grad, None, mats=[m.T for m in ctx.mats])


def _adaptive_avg(name: str, nd: int, input: Tensor, output_size: Any) -> Tensor:
    size, out = _adaptive_prep(name, nd, input, output_size)
    if all(o == 1 for o in out):  # PyTorch takes a mean here (MeanBackward1)
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    op = AdaptiveAvgPool2D if nd == 2 else AdaptiveAvgPool3D
    return op.apply(input, out=out)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool2d."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool3d."""
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool1d."""
    if input.ndim not in (2, 3):
        raise RuntimeError("adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got "
                           f"{_shape_str(input.shape)}")
    o = _one(output_size, "output_size")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


class _AdaptiveMaxBase(Op):
    """Adaptive max pooling: a max over each (variable-size) window, with flat indices."""

    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(ctx, xp, x, *, out):
        nd = len(out)
        size = x.shape[-nd:]
        ctx.shape, ctx.out = x.shape, out
        bounds = [_adaptive_bounds(s, o) for s, o in zip(size, out)]
        kmax = tuple(int((e - s).max()) for s, e in bounds)
        # Gather each window as its start plus offsets up to the largest window; offsets past
        # a window's end repeat its last element, which cannot change the max or argmax.
        lead = x.shape[:-nd]
        flat = x.reshape(lead + (-1,))
        idx = 0
        for i, ((s, e), k) in enumerate(zip(bounds, kmax)):
            pos = np.minimum(s[:, None] + np.arange(k)[None, :], (e - 1)[:, None])
            shape = [1] * (2 * nd)
            shape[i], shape[nd + i] = out[i], k
            idx = idx * size[i] + pos.reshape(shape)
        idx = xp.asarray(idx.reshape(tuple(out) + (-1,)))
        win = flat[..., idx]  # (*lead, *out, prod(kmax))
        arg = xp.argmax(win, axis=-1)[..., None]
        values = xp.take_along_axis(win, arg, axis=-1)[..., 0]
        ctx.flat = xp.take_along_axis(xp.broadcast_to(idx, win.shape), arg, axis=-1)[..., 0]
        return values, ctx.flat.astype(np.int64)

    def grad_x(ctx, grad, x):
        g = grad[0]
        if g is None:
            return None
        return _IndexScatter.apply(g, x, index=ctx.flat, shape=ctx.shape, nd=len(ctx.out))


class AdaptiveMaxPool2D(_AdaptiveMaxBase, name="AdaptiveMaxPool2DBackward0"):
    forward = _AdaptiveMaxBase.forward
    grad_x = _AdaptiveMaxBase.grad_x


class AdaptiveMaxPool3D(_AdaptiveMaxBase, name="AdaptiveMaxPool3DBackward0"):
    forward = _AdaptiveMaxBase.forward
    grad_x = _AdaptiveMaxBase.grad_x


class _IndexScatter(Op, name="AdaptiveMaxPool2DBackwardBackward0"):
    """Add each value of g into ``index`` (same shape as g) of its input plane: ``shape``'s
    last ``nd`` dims. Windows may overlap, so one bincount over (row, index) accumulates."""

    def forward(ctx, xp, g, x, *, index, shape, nd):
        ctx.index, ctx.nd = index, nd
        plane = math.prod(shape[-nd:])
        rows = math.prod(shape[:-nd])
        offs = (xp.arange(rows)[:, None] * plane + index.reshape(rows, -1)).ravel()
        dx = xp.bincount(offs, weights=g.ravel(), minlength=rows * plane)
        return dx.astype(g.dtype, copy=False).reshape(shape)

    def grad_g(ctx, grad):
        return _IndexGather.apply(grad, index=ctx.index, nd=ctx.nd)


class _IndexGather(Op, name="AdaptiveMaxPool2DBackward0"):
    def forward(ctx, xp, x, *, index, nd):
        ctx.index, ctx.shape, ctx.nd = index, x.shape, nd
        lead = x.shape[:-nd]
        out = xp.take_along_axis(x.reshape(lead + (-1,)), index.reshape(lead + (-1,)), -1)
        return out.reshape(index.shape)

    def grad_x(ctx, grad):
        return _IndexScatter.apply(grad, None, index=ctx.index, shape=ctx.shape, nd=ctx.nd)


def _adaptive_max(name: str, nd: int, input: Tensor, output_size: Any) -> tuple:
    _, out = _adaptive_prep(name, nd, input, output_size)
    op = AdaptiveMaxPool2D if nd == 2 else AdaptiveMaxPool3D
    return op.apply(input, out=out)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """torch.nn.functional.adaptive_max_pool2d_with_indices."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size)


def adaptive_max_pool2d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Any:
    """torch.nn.functional.adaptive_max_pool2d."""
    y, idx = _adaptive_max("adaptive_max_pool2d", 2, input, output_size)
    return (y, idx) if return_indices else y


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """torch.nn.functional.adaptive_max_pool3d_with_indices."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size)


def adaptive_max_pool3d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Any:
    """torch.nn.functional.adaptive_max_pool3d."""
    y, idx = _adaptive_max("adaptive_max_pool3d", 3, input, output_size)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """torch.nn.functional.adaptive_max_pool1d_with_indices."""
    if input.ndim not in (2, 3):
        raise RuntimeError("adaptive_max_pool1d(): Expected 2D or 3D tensor, but got "
                           f"{_shape_str(input.shape)}")
    o = _one(output_size, "output_size")
    y, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, o), True)
    return y.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Any:
    """torch.nn.functional.adaptive_max_pool1d."""
    y, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (y, idx) if return_indices else y


# -- unfold / fold (im2col as a user op) -----------------------------------------------------------

class Im2Col(Op, name="Im2ColBackward0"):
    """unfold: ``(N, C, H, W)`` to ``(N, C * kh * kw, L)``, or ``(C, H, W)`` to
    ``(C * kh * kw, L)``; its adjoint is Col2Im."""

    def forward(ctx, xp, x, *, ksize, dilation, pad, stride):
        ctx.attrs = dict(ksize=ksize, dilation=dilation, pad=pad, stride=stride)
        ctx.size = size = x.shape[-2:]
        out = _out_size(size, ksize, stride, pad, pad, dilation)
        xb = x if x.ndim == 4 else x[None]
        cols = _im2col(xp, xb, ksize, stride, pad, pad, dilation, out, batch_first=True)
        return cols.reshape(x.shape[:-3] + (x.shape[-3] * math.prod(ksize), math.prod(out)))

    def grad_x(ctx, grad):
        return Col2Im.apply(grad, size=ctx.size, **ctx.attrs)


class Col2Im(Op, name="Col2ImBackward0"):
    """fold: ``(N, C * kh * kw, L)`` summed into ``(N, C, *size)`` (or unbatched, without
    N); its adjoint is Im2Col."""

    def forward(ctx, xp, x, *, size, ksize, dilation, pad, stride):
        ctx.attrs = dict(ksize=ksize, dilation=dilation, pad=pad, stride=stride)
        out = _out_size(size, ksize, stride, pad, pad, dilation)
        xb = x if x.ndim == 3 else x[None]
        n = xb.shape[0]
        cols = xb.reshape((n, xb.shape[1] // math.prod(ksize)) + tuple(ksize) + tuple(out))
        y = _col2im(xp, cols, n, ksize, stride, pad, dilation, size, batch_first=True)
        return y if x.ndim == 3 else y[0]

    def grad_x(ctx, grad):
        return Im2Col.apply(grad, **ctx.attrs)


def _fold_args(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    """ATen's im2col/col2im argument checks, in its order and with its messages."""
    ksize, dil, pad, st = (_pair_arg(v, "kernel_size") for v in (kernel_size, dilation,
                                                                   padding, stride))
    if any(k <= 0 for k in ksize):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{ksize[0]} kernel_width: {ksize[1]}")
    if any(s <= 0 for s in st):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: "
                           f"{st[0]} stride_width: {st[1]}")
    if any(d <= 0 for d in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{dil[0]} dilation_width: {dil[1]}")
    if any(p < 0 for p in pad):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {pad[0]} "
                           f"pad_width: {pad[1]}")
    return ksize, dil, pad, st


def _pair_arg(v: Any, name: str) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * 2
    v = tuple(int(i) for i in v)
    if len(v) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return v


def _geometry_str(ksize: tuple, dil: tuple, pad: tuple) -> str:
    return (f"kernel_size=({ksize[0]}, {ksize[1]}), dilation=({dil[0]}, {dil[1]}), "
            f"padding=({pad[0]}, {pad[1]})")


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """torch.nn.functional.unfold: ``(N, C*prod(K), L)`` columns (one node: Im2Col)."""
    if input.ndim < 3:  # ATen reads sizes 1 and 2 before its own check
        if input.ndim == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        _wrap_dim(input.ndim, input.ndim)
    ksize, dil, pad, st = _fold_args(kernel_size, dilation, padding, stride)
    shape = tuple(input.shape)
    if input.ndim not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{_shape_str(shape)}")
    if input.dtype.is_floating_point is False and not input.dtype.is_complex:
        raise NotImplementedError(f'"im2col_out_cpu" not implemented for '
                                  f"'{_scalar_name(input)}'")
    size = shape[-2:]
    out = _out_size(size, ksize, st, pad, pad, dil)
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input with spatial size ({size[0]}, {size[1]}), "
                           f"{_geometry_str(ksize, dil, pad)}, calculated shape of the array of "
                           f"sliding blocks as ({out[0]}, {out[1]}), but its components must be "
                           "at least one.")
    return Im2Col.apply(input, ksize=ksize, dilation=dil, pad=pad, stride=st)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """torch.nn.functional.fold: the adjoint of unfold, overlaps summed (one node: Col2Im)."""
    size = _pair_arg(output_size, "output_size")
    ksize, dil, pad, st = _fold_args(kernel_size, dilation, padding, stride)
    shape = tuple(input.shape)
    if not ((input.ndim == 2 and 0 not in shape) or (input.ndim == 3 and 0 not in shape[1:])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"{_shape_str(shape)}")
    planes, length = shape[-2:]
    kp = math.prod(ksize)
    if planes % kp:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={planes} and kernel_size="
                           f"({ksize[0]}, {ksize[1]}).")
    out = _out_size(size, ksize, st, pad, pad, dil)
    geom = (f"Given output_size=({size[0]}, {size[1]}), {_geometry_str(ksize, dil, pad)}, "
            f"stride=({st[0]}, {st[1]})")
    if length != out[0] * out[1]:
        raise RuntimeError(f"{geom}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {out[0]} * {out[1]} = "
                           f"{out[0] * out[1]}, but got input.size(2)={length}.")
    if any(o < 1 for o in out):
        raise RuntimeError(f"{geom}, calculated shape of the array of sliding blocks as "
                           f"({out[0]}, {out[1]}), which is too small (non-positive)")
    if input.dtype.is_floating_point is False and not input.dtype.is_complex:
        raise NotImplementedError(f'"col2im_out_cpu" not implemented for '
                                  f"'{_scalar_name(input)}'")
    return Col2Im.apply(input, size=size, ksize=ksize, dilation=dil, pad=pad, stride=st)

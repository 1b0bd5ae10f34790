"""gradcheck / gradgradcheck (ember/autograd/gradcheck.py), and ember's derivatives through them.

The table runs ``gradcheck`` and ``gradgradcheck`` in float64 over many ember ops; torch's
own gradcheck on the same function and inputs gives the expected verdict (True for all of
them: the inputs stay away from kinks). Ops ember does not have yet are skipped. The other
tests compare gradcheck's own behaviour (errors, warnings, messages) with torch's.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from agcompare import same

import ember
import ember.autograd.function  # noqa: F401
import ember.autograd.gradcheck  # noqa: F401
from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def r(*shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    return RNG.uniform(low, high, size=shape)


def pos(*shape: int) -> np.ndarray:
    return r(*shape, low=0.5, high=1.5)


def away(*shape: int) -> np.ndarray:
    """Values with |x| in [0.3, 1.2]: away from the kinks at 0."""
    return r(*shape, low=0.3, high=1.2) * RNG.choice([-1.0, 1.0], size=shape)


def distinct(*shape: int) -> np.ndarray:
    """Values at least 0.1 apart (no ties for max, sort, median...)."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.1 - 0.05 * n + RNG.uniform(0, 0.02, n)).reshape(shape)


def unit(*shape: int) -> np.ndarray:
    return r(*shape, low=-0.8, high=0.8)


def prob(*shape: int) -> np.ndarray:
    return r(*shape, low=0.1, high=0.9)


IDX = np.array([2, 0, 1])
MASK = np.array([[True, False, True], [False, True, True]])
TARGET = np.array([1, 0, 2, 1])
POS3 = pos(3)


def F(L: Any) -> Any:  # noqa: N802
    return L.nn.functional


def ix(L: Any, a: np.ndarray) -> Any:
    return L.tensor(a)


# name: (function of (library, *tensors), input arrays)
OPS: dict[str, tuple[Callable, list]] = {
    # -- pointwise
    "abs": (lambda L, a: L.abs(a), [away(2, 3)]),
    "neg": (lambda L, a: -a, [r(2, 3)]),
    "exp": (lambda L, a: L.exp(a), [r(2, 3)]),
    "expm1": (lambda L, a: L.expm1(a), [r(2, 3)]),
    "exp2": (lambda L, a: L.exp2(a), [r(2, 3)]),
    "log": (lambda L, a: L.log(a), [pos(2, 3)]),
    "log1p": (lambda L, a: L.log1p(a), [pos(2, 3)]),
    "log2": (lambda L, a: L.log2(a), [pos(2, 3)]),
    "log10": (lambda L, a: L.log10(a), [pos(2, 3)]),
    "sqrt": (lambda L, a: L.sqrt(a), [pos(2, 3)]),
    "rsqrt": (lambda L, a: L.rsqrt(a), [pos(2, 3)]),
    "sin": (lambda L, a: L.sin(a), [r(2, 3)]),
    "cos": (lambda L, a: L.cos(a), [r(2, 3)]),
    "tan": (lambda L, a: L.tan(a), [unit(2, 3)]),
    "sinh": (lambda L, a: L.sinh(a), [r(2, 3)]),
    "cosh": (lambda L, a: L.cosh(a), [r(2, 3)]),
    "tanh": (lambda L, a: L.tanh(a), [r(2, 3)]),
    "asin": (lambda L, a: L.asin(a), [unit(2, 3)]),
    "acos": (lambda L, a: L.acos(a), [unit(2, 3)]),
    "atan": (lambda L, a: L.atan(a), [r(2, 3)]),
    "asinh": (lambda L, a: L.asinh(a), [r(2, 3)]),
    "acosh": (lambda L, a: L.acosh(a), [pos(2, 3) + 1]),
    "atanh": (lambda L, a: L.atanh(a), [unit(2, 3)]),
    "sigmoid": (lambda L, a: L.sigmoid(a), [r(2, 3)]),
    "relu": (lambda L, a: L.relu(a), [away(2, 3)]),
    "erf": (lambda L, a: L.erf(a), [r(2, 3)]),
    "erfc": (lambda L, a: L.erfc(a), [r(2, 3)]),
    "reciprocal": (lambda L, a: L.reciprocal(a), [away(2, 3)]),
    "square": (lambda L, a: L.square(a), [r(2, 3)]),
    "pow_scalar": (lambda L, a: a ** 3, [r(2, 3)]),
    "pow_fractional": (lambda L, a: a ** 2.5, [pos(2, 3)]),
    "rpow": (lambda L, a: 2.0 ** a, [r(2, 3)]),
    "pow_tensor": (lambda L, a, b: L.pow(a, b), [pos(2, 3), r(2, 3)]),
    "clamp": (lambda L, a: L.clamp(a, -0.5, 0.5), [distinct(2, 3) + 0.013]),
    "sign_zero_grad": (lambda L, a: L.sign(a) * a, [away(2, 3)]),
    "xlogy": (lambda L, a, b: L.xlogy(a, b), [r(2, 3), pos(2, 3)]),
    "lerp": (lambda L, a, b, w: L.lerp(a, b, w), [r(2, 3), r(2, 3), prob(2, 3)]),
    "addcmul": (lambda L, a, b, c: L.addcmul(a, b, c, value=0.5), [r(2, 3), r(2, 3), r(3)]),
    "addcdiv": (lambda L, a, b, c: L.addcdiv(a, b, c, value=0.5), [r(2, 3), r(2, 3), pos(3)]),
    "hypot": (lambda L, a, b: L.hypot(a, b), [away(2, 3), away(2, 3)]),
    "atan2": (lambda L, a, b: L.atan2(a, b), [away(2, 3), away(2, 3)]),
    "logaddexp": (lambda L, a, b: L.logaddexp(a, b), [r(2, 3), r(2, 3)]),
    "maximum": (lambda L, a, b: L.maximum(a, b), [distinct(2, 3), distinct(2, 3) + 0.03]),
    "minimum": (lambda L, a, b: L.minimum(a, b), [distinct(2, 3), distinct(2, 3) + 0.03]),
    "where": (lambda L, a, b: L.where(ix(L, MASK), a, b), [r(2, 3), r(2, 3)]),
    "add_alpha_broadcast": (lambda L, a, b: L.add(a, b, alpha=2.0), [r(2, 3), r(3)]),
    "sub_broadcast": (lambda L, a, b: a - b, [r(2, 1), r(1, 3)]),
    "mul_broadcast": (lambda L, a, b: a * b, [r(2, 3), r(3)]),
    "div": (lambda L, a, b: a / b, [r(2, 3), away(2, 3)]),
    "rdiv_scalar": (lambda L, a: 1.5 / a, [away(2, 3)]),
    "copysign": (lambda L, a, b: L.copysign(a, b), [away(2, 3), away(2, 3)]),
    "fmod": (lambda L, a: L.fmod(a, 10.0), [r(2, 3)]),
    "nan_to_num": (lambda L, a: L.nan_to_num(a), [r(2, 3)]),
    # -- reductions
    "sum": (lambda L, a: a.sum(), [r(2, 3)]),
    "sum_dim_keepdim": (lambda L, a: a.sum(1, keepdim=True), [r(2, 3)]),
    "mean_dims": (lambda L, a: a.mean((0, 2)), [r(2, 3, 2)]),
    "prod": (lambda L, a: a.prod(), [away(2, 3)]),
    "prod_dim": (lambda L, a: a.prod(1), [away(2, 3)]),
    "amax": (lambda L, a: a.amax(1), [distinct(2, 3)]),
    "max_dim": (lambda L, a: L.max(a, 1)[0], [distinct(2, 3)]),
    "min_all": (lambda L, a: a.min(), [distinct(2, 3)]),
    "std": (lambda L, a: a.std(1), [r(2, 3)]),
    "var": (lambda L, a: a.var(), [r(2, 3)]),
    "norm": (lambda L, a: a.norm(), [r(2, 3)]),
    "norm_p1_dim": (lambda L, a: L.norm(a, p=1, dim=1), [away(2, 3)]),
    "logsumexp": (lambda L, a: L.logsumexp(a, 1), [r(2, 3)]),
    "cumsum": (lambda L, a: L.cumsum(a, 1), [r(2, 3)]),
    "cumprod": (lambda L, a: L.cumprod(a, 1), [away(2, 3)]),
    "softmax": (lambda L, a: L.softmax(a, 1), [r(2, 3)]),
    "log_softmax": (lambda L, a: L.log_softmax(a, 0), [r(2, 3)]),
    "median": (lambda L, a: a.median(), [distinct(2, 3)]),
    "kthvalue": (lambda L, a: L.kthvalue(a, 2, 1)[0], [distinct(2, 3)]),
    "topk": (lambda L, a: L.topk(a, 2)[0], [distinct(2, 3)]),
    "sort": (lambda L, a: L.sort(a, 1)[0], [distinct(2, 3)]),
    "trace": (lambda L, a: L.trace(a), [r(3, 3)]),
    # -- shape
    "reshape": (lambda L, a: a.reshape(3, 2), [r(2, 3)]),
    "view": (lambda L, a: a.view(-1), [r(2, 3)]),
    "transpose": (lambda L, a: a.transpose(0, 1), [r(2, 3)]),
    "permute": (lambda L, a: a.permute(2, 0, 1), [r(2, 3, 2)]),
    "t": (lambda L, a: a.t(), [r(2, 3)]),
    "squeeze_unsqueeze": (lambda L, a: a.unsqueeze(0).squeeze(1), [r(2, 1, 3)]),
    "flatten": (lambda L, a: a.flatten(), [r(2, 3, 2)]),
    "cat": (lambda L, a, b: L.cat([a, b], 1), [r(2, 3), r(2, 2)]),
    "stack": (lambda L, a, b: L.stack([a, b]), [r(2, 3), r(2, 3)]),
    "split": (lambda L, a: L.split(a, [1, 2], 1), [r(2, 3)]),
    "chunk": (lambda L, a: a.chunk(2, 0), [r(4, 2)]),
    "unbind": (lambda L, a: a.unbind(1), [r(2, 3)]),
    "expand": (lambda L, a: a.expand(2, 3) * 1, [r(1, 3)]),
    "broadcast_to": (lambda L, a: L.broadcast_to(a, (2, 3)), [r(3)]),
    "repeat": (lambda L, a: a.repeat(2, 1), [r(2, 3)]),
    "tile": (lambda L, a: L.tile(a, (1, 2)), [r(2, 3)]),
    "flip": (lambda L, a: L.flip(a, [1]), [r(2, 3)]),
    "roll": (lambda L, a: L.roll(a, 1, 1), [r(2, 3)]),
    "narrow": (lambda L, a: a.narrow(1, 1, 2), [r(2, 3)]),
    "select": (lambda L, a: a.select(1, 2), [r(2, 3)]),
    "diagonal": (lambda L, a: L.diagonal(a), [r(3, 3)]),
    "tril": (lambda L, a: L.tril(a), [r(3, 3)]),
    "triu": (lambda L, a: L.triu(a, 1), [r(3, 3)]),
    "movedim": (lambda L, a: L.movedim(a, 0, 2), [r(2, 3, 2)]),
    "unflatten": (lambda L, a: a.unflatten(1, (2, 2)), [r(2, 4)]),
    "tensor_split": (lambda L, a: L.tensor_split(a, 3, 1), [r(2, 3)]),
    "contiguous_after_t": (lambda L, a: a.t().contiguous(), [r(2, 3)]),
    # -- indexing
    "getitem_slice": (lambda L, a: a[:, 1:], [r(2, 3)]),
    "getitem_step_neg": (lambda L, a: a[-1, ::2], [r(2, 3)]),
    "getitem_advanced": (lambda L, a: a[:, ix(L, IDX)], [r(2, 3)]),
    "getitem_repeated_index": (lambda L, a: a[ix(L, np.array([0, 0, 1]))], [r(2, 3)]),
    "getitem_mask": (lambda L, a: a[ix(L, MASK)], [r(2, 3)]),
    "gather": (lambda L, a: L.gather(a, 1, ix(L, np.array([[0, 2], [1, 1]]))), [r(2, 3)]),
    "index_select": (lambda L, a: L.index_select(a, 1, ix(L, IDX)), [r(2, 3)]),
    "masked_fill": (lambda L, a: a.masked_fill(ix(L, MASK), 0.5), [r(2, 3)]),
    "masked_select": (lambda L, a: L.masked_select(a, ix(L, MASK)), [r(2, 3)]),
    "take": (lambda L, a: L.take(a, ix(L, np.array([5, 0, 3]))), [r(2, 3)]),
    "take_along_dim": (lambda L, a: L.take_along_dim(a, ix(L, np.array([[2], [0]])), 1),
                       [r(2, 3)]),
    "scatter": (lambda L, a, s: L.scatter(a, 1, ix(L, np.array([[0], [2]])), s),
                [r(2, 3), r(2, 1)]),
    "scatter_add": (lambda L, a, s: L.scatter_add(a, 1, ix(L, np.array([[0, 0], [2, 1]])), s),
                    [r(2, 3), r(2, 2)]),
    "index_add": (lambda L, a, s: L.index_add(a, 0, ix(L, np.array([1, 1])), s),
                  [r(2, 3), r(2, 3)]),
    "setitem_on_clone": (lambda L, a, b: _setitem(a, b), [r(2, 3), r(3)]),
    # -- linear algebra
    "matmul": (lambda L, a, b: a @ b, [r(2, 3), r(3, 2)]),
    "matmul_batched_broadcast": (lambda L, a, b: L.matmul(a, b), [r(2, 2, 3), r(3, 2)]),
    "mm": (lambda L, a, b: L.mm(a, b), [r(2, 3), r(3, 2)]),
    "bmm": (lambda L, a, b: L.bmm(a, b), [r(2, 2, 3), r(2, 3, 2)]),
    "mv": (lambda L, a, b: L.mv(a, b), [r(2, 3), r(3)]),
    "dot": (lambda L, a, b: L.dot(a, b), [r(3), r(3)]),
    "outer": (lambda L, a, b: L.outer(a, b), [r(3), r(2)]),
    "einsum": (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [r(2, 3), r(3, 2)]),
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0),
              [r(2, 2), r(2, 3), r(3, 2)]),
    "baddbmm": (lambda L, c, a, b: L.baddbmm(c, a, b), [r(2, 2, 2), r(2, 2, 3), r(2, 3, 2)]),
    "tensordot": (lambda L, a, b: L.tensordot(a, b, dims=([1], [0])), [r(2, 3), r(3, 2)]),
    "kron": (lambda L, a, b: L.kron(a, b), [r(2, 2), r(2, 1)]),
    "cross": (lambda L, a, b: L.cross(a, b, dim=1), [r(2, 3), r(2, 3)]),
    "inner": (lambda L, a, b: L.inner(a, b), [r(2, 3), r(2, 3)]),
    # -- nn.functional
    "F_softmax": (lambda L, a: F(L).softmax(a, dim=-1), [r(2, 3)]),
    "F_log_softmax": (lambda L, a: F(L).log_softmax(a, dim=1), [r(2, 3)]),
    "F_linear": (lambda L, x, w, b: F(L).linear(x, w, b), [r(2, 3), r(4, 3), r(4)]),
    "F_gelu": (lambda L, a: F(L).gelu(a), [r(2, 3)]),
    "F_gelu_tanh": (lambda L, a: F(L).gelu(a, approximate="tanh"), [r(2, 3)]),
    "F_silu": (lambda L, a: F(L).silu(a), [r(2, 3)]),
    "F_elu": (lambda L, a: F(L).elu(a), [away(2, 3)]),
    "F_selu": (lambda L, a: F(L).selu(a), [away(2, 3)]),
    "F_leaky_relu": (lambda L, a: F(L).leaky_relu(a, 0.1), [away(2, 3)]),
    "F_softplus": (lambda L, a: F(L).softplus(a, beta=2.0), [r(2, 3)]),
    "F_mish": (lambda L, a: F(L).mish(a), [r(2, 3)]),
    "F_logsigmoid": (lambda L, a: F(L).logsigmoid(a), [r(2, 3)]),
    "F_hardtanh": (lambda L, a: F(L).hardtanh(a, -0.5, 0.5), [distinct(2, 3) + 0.013]),
    "F_softsign": (lambda L, a: F(L).softsign(a), [r(2, 3)]),
    "F_glu": (lambda L, a: F(L).glu(a, -1), [r(2, 4)]),
    "F_prelu": (lambda L, a, w: F(L).prelu(a, w), [away(2, 3), r(1)]),
    "F_layer_norm": (lambda L, a, w, b: F(L).layer_norm(a, (3,), w, b),
                     [r(2, 3), r(3), r(3)]),
    "F_group_norm": (lambda L, a, w, b: F(L).group_norm(a, 2, w, b),
                     [r(2, 4, 2), r(4), r(4)]),
    "F_batch_norm_train": (lambda L, a, w, b: F(L).batch_norm(a, None, None, w, b,
                                                              training=True),
                           [r(3, 2), r(2), r(2)]),
    "F_rms_norm": (lambda L, a, w: F(L).rms_norm(a, (3,), w), [r(2, 3), r(3)]),
    "F_normalize": (lambda L, a: F(L).normalize(a, dim=1), [r(2, 3)]),
    "F_cosine_similarity": (lambda L, a, b: F(L).cosine_similarity(a, b), [r(2, 3), r(2, 3)]),
    "F_pairwise_distance": (lambda L, a, b: F(L).pairwise_distance(a, b), [r(2, 3), r(2, 3)]),
    "F_conv1d": (lambda L, x, w, b: F(L).conv1d(x, w, b, padding=1),
                 [r(1, 2, 4), r(2, 2, 3), r(2)]),
    "F_conv2d": (lambda L, x, w, b: F(L).conv2d(x, w, b, stride=1, padding=1),
                 [r(1, 1, 3, 3), r(2, 1, 2, 2), r(2)]),
    "F_conv2d_stride_groups": (lambda L, x, w: F(L).conv2d(x, w, stride=2, groups=2),
                               [r(1, 2, 4, 4), r(2, 1, 2, 2)]),
    "F_conv_transpose2d": (lambda L, x, w: F(L).conv_transpose2d(x, w, stride=2),
                           [r(1, 1, 2, 2), r(1, 2, 2, 2)]),
    "F_max_pool2d": (lambda L, x: F(L).max_pool2d(x, 2), [distinct(1, 1, 4, 4)]),
    "F_avg_pool2d": (lambda L, x: F(L).avg_pool2d(x, 2), [r(1, 1, 4, 4)]),
    "F_adaptive_avg_pool2d": (lambda L, x: F(L).adaptive_avg_pool2d(x, (2, 1)),
                              [r(1, 1, 3, 3)]),
    "F_pad": (lambda L, x: F(L).pad(x, (1, 2)), [r(2, 3)]),
    "F_pad_reflect": (lambda L, x: F(L).pad(x, (1, 1), mode="reflect"), [r(1, 2, 3)]),
    "F_embedding": (lambda L, w: F(L).embedding(ix(L, np.array([[0, 2], [2, 1]])), w),
                    [r(3, 2)]),
    "F_pixel_shuffle": (lambda L, x: F(L).pixel_shuffle(x, 2), [r(1, 4, 1, 2)]),
    "F_unfold": (lambda L, x: F(L).unfold(x, 2), [r(1, 1, 3, 3)]),
    "F_sdpa": (lambda L, q, k, v: F(L).scaled_dot_product_attention(q, k, v),
               [r(1, 2, 3), r(1, 2, 3), r(1, 2, 3)]),
    "F_bilinear": (lambda L, a, b, w: F(L).bilinear(a, b, w), [r(2, 2), r(2, 3), r(1, 2, 3)]),
    # -- losses
    "F_mse_loss": (lambda L, a, b: F(L).mse_loss(a, b), [r(2, 3), r(2, 3)]),
    "F_l1_loss": (lambda L, a, b: F(L).l1_loss(a, b), [r(2, 3) + 3, r(2, 3)]),
    "F_smooth_l1_loss": (lambda L, a, b: F(L).smooth_l1_loss(a, b, reduction="sum"),
                         [distinct(2, 3), distinct(2, 3) + 0.31]),
    "F_huber_loss": (lambda L, a, b: F(L).huber_loss(a, b, delta=0.5),
                     [distinct(2, 3), distinct(2, 3) + 0.29]),
    "F_bce": (lambda L, a, b: F(L).binary_cross_entropy(a, b), [prob(2, 3), prob(2, 3)]),
    # pos_weight and weight are not differentiable in torch: constants here.
    "F_bce_with_logits": (lambda L, a, b: F(L).binary_cross_entropy_with_logits(
        a, b, pos_weight=ix(L, POS3)), [r(2, 3), prob(2, 3)]),
    "F_cross_entropy": (lambda L, a: F(L).cross_entropy(a, ix(L, TARGET)), [r(4, 3)]),
    "F_cross_entropy_smoothing": (lambda L, a: F(L).cross_entropy(
        a, ix(L, TARGET), weight=ix(L, POS3), label_smoothing=0.1), [r(4, 3)]),
    "F_cross_entropy_probs": (lambda L, a, p: F(L).cross_entropy(a, p), [r(4, 3), prob(4, 3)]),
    "F_nll_loss": (lambda L, a: F(L).nll_loss(a, ix(L, TARGET), reduction="sum"), [r(4, 3)]),
    "F_kl_div": (lambda L, a, b: F(L).kl_div(a, b, reduction="batchmean"),
                 [r(2, 3), prob(2, 3)]),
    "F_poisson_nll_loss": (lambda L, a, b: F(L).poisson_nll_loss(a, b), [r(2, 3), pos(2, 3)]),
    "F_gaussian_nll_loss": (lambda L, a, b, v: F(L).gaussian_nll_loss(a, b, v),
                            [r(2, 3), r(2, 3), pos(2, 3)]),
    "F_soft_margin_loss": (lambda L, a: F(L).soft_margin_loss(a, ix(L, np.array(
        [[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]]))), [r(2, 3)]),
    "F_margin_ranking_loss": (lambda L, a, b: F(L).margin_ranking_loss(
        a, b, ix(L, np.array([1.0, -1.0, 1.0])), margin=0.05), [distinct(3), distinct(3) + 0.03]),
    "F_cosine_embedding_loss": (lambda L, a, b: F(L).cosine_embedding_loss(
        a, b, ix(L, np.array([1.0, -1.0]))), [r(2, 3), r(2, 3)]),
    "F_triplet_margin_loss": (lambda L, a, p, n: F(L).triplet_margin_loss(a, p, n, margin=5.0),
                              [r(2, 3), r(2, 3), r(2, 3)]),
}


def _setitem(a: Any, b: Any) -> Any:
    c = a.clone()
    c[0] = b * 2
    return c


def _inputs(L: Any, arrays: list) -> tuple:
    return tuple(L.tensor(a.copy(), dtype=L.float64, requires_grad=True) for a in arrays)


def _verdicts(name: str, second: bool) -> None:
    fn, arrays = OPS[name]
    check_t = torch.autograd.gradgradcheck if second else torch.autograd.gradcheck
    check_e = gradgradcheck if second else gradcheck
    try:
        fn(ember, *_inputs(ember, arrays))
    except (AttributeError, NotImplementedError) as e:
        pytest.skip(f"ember lacks this op yet: {e}")
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # torch's verdict in fast mode (its slow mode costs ~10 s over this table); ember
        # runs the slow, element-by-element check, the stricter of the two.
        expected = check_t(lambda *a: fn(torch, *a), _inputs(torch, arrays),
                           raise_exception=False, fast_mode=True)
    ember.manual_seed(0)
    if expected:  # raise, so that a failure shows gradcheck's message
        assert check_e(lambda *a: fn(ember, *a), _inputs(ember, arrays))
    else:
        assert not check_e(lambda *a: fn(ember, *a), _inputs(ember, arrays),
                           raise_exception=False)


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradcheck_ops(name):
    _verdicts(name, second=False)


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradgradcheck_ops(name):
    _verdicts(name, second=True)


# -- gradcheck's own behaviour against torch's -----------------------------------------------

def G(L: Any) -> Any:  # noqa: N802
    return importlib.import_module(L.__name__ + ".autograd.gradcheck")


def make_wrong_square(L: Any, detach_second: bool = False) -> type:
    """x**2 whose backward is wrong (g*x instead of 2*g*x), or right but not twice
    differentiable (detach_second)."""

    class Square(importlib.import_module(L.__name__ + ".autograd.function").Function):
        @staticmethod
        def forward(ctx, a):  # noqa: ANN001, ANN205
            ctx.save_for_backward(a)
            return a ** 2

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            (a,) = ctx.saved_tensors
            return g * 2 * a.detach() if detach_second else g * a

    return Square


def x64(L: Any, values: Any = (0.5, 1.5)) -> Any:
    return L.tensor(list(values), dtype=L.float64, requires_grad=True)


def test_wrong_function_fails_with_torchs_message():
    same(lambda L: G(L).gradcheck(make_wrong_square(L).apply, (x64(L),)))


def test_wrong_function_returns_false_without_raising():
    same(lambda L: G(L).gradcheck(make_wrong_square(L).apply, (x64(L),),
                                  raise_exception=False))


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to "
                                           "input 0,\nnumerical:"):
        gradcheck(make_wrong_square(ember).apply, (x64(ember),))


def test_wrong_function_fails_in_fast_mode_too():
    # The random projection vectors differ from torch's, so only the verdict and the slow-mode
    # part of the message are compared.
    def snippet(L):
        try:
            G(L).gradcheck(make_wrong_square(L).apply, (x64(L),), fast_mode=True)
        except G(L).GradcheckError as e:
            msg = str(e)
            return msg.split("\n")[0], msg[msg.index("Numerical:"):]
        return "passed"

    same(snippet)


def test_first_order_right_second_order_wrong():
    same(lambda L: (G(L).gradcheck(make_wrong_square(L, True).apply, (x64(L),)),
                    G(L).gradgradcheck(make_wrong_square(L, True).apply, (x64(L),),
                                       raise_exception=False)))


def test_float32_input_warns_and_fails():
    def snippet(L):
        x = L.tensor([0.5, 1.5], requires_grad=True)
        return G(L).gradcheck(L.sin, (x,), raise_exception=False)

    same(snippet)


def test_no_input_requires_grad_raises():
    same(lambda L: G(L).gradcheck(L.sin, (L.tensor([0.5], dtype=L.float64),)))


def test_stride_zero_input_raises():
    same(lambda L: G(L).gradcheck(
        L.sin, (L.ones(3, dtype=L.float64).expand(2, 3).requires_grad_(),)))


def test_function_without_differentiable_output():
    same(lambda L: (G(L).gradcheck(lambda a: (a > 0).double(), (x64(L),)),
                    G(L).gradcheck(lambda a: a.detach() * 2, (x64(L),),
                                   raise_exception=False)))
    same(lambda L: G(L).gradcheck(lambda a: a.detach() * 2, (x64(L),)))


def test_backward_not_multiplied_by_grad_output():
    def snippet(L):
        class NotMul(importlib.import_module(L.__name__ + ".autograd.function").Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return a * 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g * 0 + 2  # right for g = ones, wrong for others

        return G(L).gradcheck(NotMul.apply, (x64(L),), atol=1e-5)

    same(snippet)


def test_nondeterministic_backward():
    def snippet(L, tol):
        calls = [0]

        class Flaky(importlib.import_module(L.__name__ + ".autograd.function").Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return a * 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                calls[0] += 1
                return g * 2 * (1 + 1e-3 * (calls[0] % 2))

        return G(L).gradcheck(Flaky.apply, (x64(L),), nondet_tol=tol, atol=1e-2)

    same(snippet, 0.0)
    same(snippet, 1e-1)


def test_undefined_output_gradient_handling():
    def snippet(L):
        class Two(importlib.import_module(L.__name__ + ".autograd.function").Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                ctx.set_materialize_grads(False)
                return a * 2, a * 3

            @staticmethod
            def backward(ctx, g, h):  # noqa: ANN001, ANN205
                return g * 2 + h * 3  # fails when g or h is None

        return G(L).gradcheck(Two.apply, (x64(L),))

    same(snippet)
    same(lambda L: G(L).gradcheck(make_wrong_square(L).apply, (x64(L),),
                                  check_undefined_grad=False, raise_exception=False))


def test_several_inputs_and_outputs_and_non_tensor_arguments():
    def fn(a, b, k):  # noqa: ANN001, ANN202
        return a @ b.T * k, (a * b).exp().sum(0)

    def snippet(L):
        a = L.tensor([[0.5, 1.5, -0.3], [0.2, 0.1, 2.0]], dtype=L.float64, requires_grad=True)
        b = L.tensor([[0.1, -0.4, 0.3], [0.7, 0.2, -1.0]], dtype=L.float64, requires_grad=True)
        return (G(L).gradcheck(fn, (a, b, 3.0)), G(L).gradgradcheck(fn, (a, b, 3.0)),
                G(L).gradcheck(fn, [a, b, 2.0], fast_mode=True))

    same(snippet)


def test_mismatch_reports_output_and_input_index():
    def snippet(L):
        Square = make_wrong_square(L)  # noqa: N806
        a, b = x64(L), x64(L, (0.2, 0.7, 0.9))
        return G(L).gradcheck(lambda x, y: (x.sum() * y, Square.apply(y)), (a, b))

    same(snippet)


def test_gradgradcheck_with_given_grad_outputs():
    def snippet(L):
        go = L.tensor([1.0, -2.0], dtype=L.float64, requires_grad=True)
        return G(L).gradgradcheck(lambda a: a.sin() * a, (x64(L),), (go,))

    same(snippet)

"""torch.nn.functional against torch: losses, linear, dropout, normalisation, padding, ..."""

import warnings

import numpy as np
import pytest
import torch
from oracle import check, check_error, positive, rand

import ember

F64 = np.float64
REDUCTIONS = ["mean", "sum", "none"]


def F(t):
    return t.nn.functional


def const(t, arr):
    """A tensor that requires no grad (targets, weights) on either library."""
    return t.from_numpy(np.array(arr, copy=True))


def labels(*shape, classes=4, seed=0):
    return np.random.default_rng(seed).integers(0, classes, size=shape).astype(np.int64)


def probs(*shape, seed=0):
    x = rand(*shape, seed=seed)
    e = np.exp(x - x.max(1, keepdims=True))
    return (e / e.sum(1, keepdims=True)).astype(np.float32)


# -- nll_loss / cross_entropy ----------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    check(lambda t, x, y: F(t).nll_loss(x, y, reduction=reduction), rand(5, 4), labels(5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_weight_ignore_index(reduction):
    w = positive(4)
    y = labels(6)
    y[1] = 2
    check(lambda t, x, yy: F(t).nll_loss(x, yy, weight=const(t, w), ignore_index=2,
                                         reduction=reduction), rand(6, 4), y)


@pytest.mark.parametrize("shape", [(2, 4, 3), (2, 4, 3, 2), (2, 4, 3, 2, 2)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_nd(shape, reduction):
    y = labels(shape[0], *shape[2:])
    check(lambda t, x, yy: F(t).nll_loss(x, yy, reduction=reduction), rand(*shape), y)


def test_nll_loss_unbatched_and_float64():
    check(lambda t, x, y: F(t).nll_loss(x, y), rand(4), np.array(2, np.int64))
    check(lambda t, x, y: F(t).nll_loss(x, y, reduction="none"), rand(4, dtype=F64),
          np.array(1, np.int64))
    check(lambda t, x, y: F(t).nll_loss(x, y), rand(5, 3, dtype=F64), labels(5, classes=3))
    check(lambda t, x, y: F(t).nll_loss(x, y.to(t.uint8)), rand(5, 3), labels(5, classes=3))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_many_short_rows(reduction):
    """The row max of 64+ short rows goes down a transposed copy, and all-valid targets take
    nll's one-gather path: rows of very different scales, a default-ignored (-100) target
    (the general path), and a batch whose mean divides by a non-power of two."""
    x = rand(100, 10) * np.logspace(-3, 3, 100, dtype=np.float32)[:, None]
    y = labels(100, classes=10)
    check(lambda t, xx, yy: F(t).cross_entropy(xx, yy, reduction=reduction), x, y)
    y[7] = -100
    check(lambda t, xx, yy: F(t).cross_entropy(xx, yy, reduction=reduction), x, y)


def test_nll_loss_empty_batch():
    check(lambda t, x, y: F(t).nll_loss(x, y), rand(0, 3), labels(0), grad=False)
    check(lambda t, x, y: F(t).nll_loss(x, y, reduction="sum"), rand(0, 3), labels(0))


def test_nll_loss_all_ignored_is_nan():
    y = np.array([1, 1, 1], np.int64)
    check(lambda t, x, yy: F(t).nll_loss(x, yy, ignore_index=1), rand(3, 4), y, grad=False)


def test_nll_loss_errors():
    check_error(lambda t, x, y: F(t).nll_loss(x, y), rand(3, 4), labels(2), match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y), rand(3, 4), labels(1, 3), match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y + 4), rand(3, 4), labels(3), match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y - 5), rand(3, 4), labels(3), match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y, weight=t.ones(3)), rand(3, 4), labels(3),
                match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x.sum(), y), rand(3, 4), labels(3), match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y), rand(2, 4, 3), labels(2), match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y), rand(2, 4, 3, 5), labels(2, 3, 4),
                match=True)
    check_error(lambda t, x, y: F(t).nll_loss(x, y, reduction="foo"), rand(3, 4), labels(3),
                match=True)
    check_error(lambda t, x, y, w: F(t).nll_loss(x, y, weight=w), rand(3, 4), labels(3),
                rand(4), match=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy(reduction):
    check(lambda t, x, y: F(t).cross_entropy(x, y, reduction=reduction), rand(5, 4), labels(5))
    check(lambda t, x, y: F(t).cross_entropy(x, y, reduction=reduction), rand(2, 4, 3),
          labels(2, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_weight_ignore_smoothing(reduction):
    w = positive(4)
    y = labels(6)
    y[2] = 3
    check(lambda t, x, yy: F(t).cross_entropy(x, yy, weight=const(t, w), ignore_index=3,
                                              reduction=reduction, label_smoothing=0.1),
          rand(6, 4), y)
    check(lambda t, x, yy: F(t).cross_entropy(x, yy, label_smoothing=0.2, reduction=reduction),
          rand(6, 4), y)
    check(lambda t, x, yy: F(t).cross_entropy(x, yy, weight=const(t, w.astype(F64)),
                                              reduction=reduction),
          rand(2, 4, 3, dtype=F64), labels(2, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction):
    w = positive(4)
    check(lambda t, x, p: F(t).cross_entropy(x, p, reduction=reduction), rand(5, 4),
          probs(5, 4))
    check(lambda t, x, p: F(t).cross_entropy(x, p, reduction=reduction, label_smoothing=0.1,
                                             weight=const(t, w)), rand(5, 4), probs(5, 4))
    check(lambda t, x, p: F(t).cross_entropy(x, p, reduction=reduction), rand(2, 4, 3),
          probs(2, 4, 3))


def test_cross_entropy_unbatched():
    check(lambda t, x, y: F(t).cross_entropy(x, y), rand(4), np.array(2, np.int64))
    check(lambda t, x, p: F(t).cross_entropy(x, p), rand(4), probs(1, 4)[0])


def test_cross_entropy_errors():
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), rand(3, 4), labels(2), match=True)
    check_error(lambda t, x, p: F(t).cross_entropy(x, p), rand(3, 4), rand(3, 5), match=True)
    check_error(lambda t, x, y: F(t).cross_entropy(x, y + 4), rand(3, 4), labels(3), match=True)
    check_error(lambda t, x, y: F(t).cross_entropy(x, y, label_smoothing=1.5), rand(3, 4),
                labels(3), match=True)


# -- binary cross entropy --------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    y = rand(3, 4, low=0, high=1, seed=5)
    check(lambda t, x, yy: F(t).binary_cross_entropy_with_logits(x, yy, reduction=reduction),
          rand(3, 4), y)
    w, pw = positive(4), positive(4, seed=1)
    check(lambda t, x, yy: F(t).binary_cross_entropy_with_logits(
        x, yy, weight=const(t, w), pos_weight=const(t, pw), reduction=reduction),
        rand(3, 4, dtype=F64), y.astype(F64))
    check(lambda t, x, yy: F(t).binary_cross_entropy_with_logits(
        x, yy, pos_weight=const(t, pw), reduction=reduction), rand(3, 4), y)


def test_bce_with_logits_large_logits_stay_finite():
    x = np.array([-200.0, -50.0, 0.0, 50.0, 200.0], np.float32)
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0], np.float32)
    check(lambda t, a, b: F(t).binary_cross_entropy_with_logits(a, b, reduction="none"), x, y)


def test_bce_with_logits_errors():
    check_error(lambda t, x, y: F(t).binary_cross_entropy_with_logits(x, y), rand(3, 4),
                rand(4), match=True)
    check_error(lambda t, x, y, w: F(t).binary_cross_entropy_with_logits(x, y, weight=w),
                rand(3, 4), rand(3, 4), rand(4), match=True)
    check_error(lambda t, x, y, w: F(t).binary_cross_entropy_with_logits(x, y, pos_weight=w),
                rand(3, 4), rand(3, 4), rand(4), match=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p = rand(3, 4, low=0.05, high=0.95)
    y = rand(3, 4, low=0, high=1, seed=5)
    check(lambda t, x, yy: F(t).binary_cross_entropy(x, yy, reduction=reduction), p, y)
    w = positive(4)
    check(lambda t, x, yy: F(t).binary_cross_entropy(x, yy, weight=const(t, w),
                                                     reduction=reduction),
          p.astype(F64), y.astype(F64))


def test_binary_cross_entropy_clamps_log():
    p = np.array([0.0, 1.0, 0.5, 1e-30], np.float32)
    y = np.array([1.0, 0.0, 1.0, 1.0], np.float32)
    check(lambda t, x, yy: F(t).binary_cross_entropy(x, yy, reduction="none"), p, y,
          grad=False)


def test_binary_cross_entropy_errors():
    check_error(lambda t, x, y: F(t).binary_cross_entropy(x, y), rand(3, 4, low=0, high=1),
                rand(4, low=0, high=1), match=True)
    check_error(lambda t, x, y: F(t).binary_cross_entropy(x, y), rand(3, 4),
                rand(3, 4, low=0, high=1), match=True)


# -- regression losses -----------------------------------------------------------------------

# torch's second derivative of |x| is an "efficient zero tensor" that the oracle cannot read.
ZERO_SECOND = {"l1_loss"}


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(name, reduction):
    check(lambda t, x, y: getattr(F(t), name)(x, y, reduction=reduction), rand(3, 4),
          rand(3, 4, seed=1), second_order=name not in ZERO_SECOND)


def test_regression_loss_params():
    x, y = rand(3, 4), rand(3, 4, seed=1)
    check(lambda t, a, b: F(t).smooth_l1_loss(a, b, beta=0.5), x, y)
    check(lambda t, a, b: F(t).smooth_l1_loss(a, b, beta=0.0), x, y, second_order=False)
    check(lambda t, a, b: F(t).huber_loss(a, b, delta=0.3, reduction="sum"), x, y)
    check(lambda t, a, b: F(t).mse_loss(a, b), x.astype(F64), y.astype(F64))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_weighted(name, reduction):
    w = positive(3, 4)
    check(lambda t, x, y: getattr(F(t), name)(x, y, reduction=reduction, weight=const(t, w)),
          rand(3, 4), rand(3, 4, seed=1), second_order=name not in ZERO_SECOND)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses_broadcast_warning(name):
    x, y = rand(3, 4), rand(4, seed=1)
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4\]\)\) that is "
                                         r"different to the input size"):
        check(lambda t, a, b: getattr(F(t), name)(a, b), x, y,
              second_order=name not in ZERO_SECOND)


def test_regression_losses_int_target():
    y = np.arange(12, dtype=np.int64).reshape(3, 4) % 3
    check(lambda t, x, yy: F(t).mse_loss(x, yy), rand(3, 4), y)


def test_regression_loss_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(lambda t, x, y: F(t).mse_loss(x, y), rand(3, 4), rand(5), match=True)
    check_error(lambda t, x, y: F(t).smooth_l1_loss(x, y, beta=-1.0), rand(3), rand(3),
                match=True)
    check_error(lambda t, x, y: F(t).huber_loss(x, y, delta=0.0), rand(3), rand(3), match=True)
    check_error(lambda t, x, y: F(t).mse_loss(x, y, reduction="foo"), rand(3), rand(3),
                match=True)
    check_error(lambda t, x, y: F(t).mse_loss(x, y, weight=t.ones(4), reduction="none"),
                rand(3, 4), rand(3, 4), match=True)


def test_legacy_size_average_reduce():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda t, x, y: F(t).mse_loss(x, y, size_average=False), rand(3, 4),
              rand(3, 4, seed=1))
    with pytest.warns(UserWarning):
        check(lambda t, x, y: F(t).nll_loss(x, y, reduce=False), rand(3, 4), labels(3))


# -- other losses ----------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div(reduction):
    logp = np.log(probs(3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x, y: F(t).kl_div(x, y, reduction=reduction), logp, probs(3, 4, seed=1))
        check(lambda t, x, y: F(t).kl_div(x, y, reduction=reduction, log_target=True), logp,
              np.log(probs(3, 4, seed=1)))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        ember.nn.functional.kl_div(ember.zeros(2, 3), ember.ones(2, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    y = np.sign(rand(3, 4, seed=2)).astype(np.float32)
    check(lambda t, x: F(t).soft_margin_loss(x, const(t, y), reduction=reduction), rand(3, 4))


def test_soft_margin_loss_target_grad_error():
    check_error(lambda t, x, y: F(t).soft_margin_loss(x, y), rand(3), rand(3), match=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss(reduction):
    y = np.array([1.0, -1.0, 1.0, -1.0], np.float32)
    check(lambda t, a, b: F(t).margin_ranking_loss(a, b, const(t, y), margin=0.2,
                                                   reduction=reduction),
          rand(4), rand(4, seed=1))


def test_margin_ranking_loss_errors():
    check_error(lambda t, a, b: F(t).margin_ranking_loss(a, b, t.ones(2, 2)), rand(4),
                rand(4), match=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_loss(reduction):
    y = np.sign(rand(3, 4, seed=2)).astype(np.float32)
    check(lambda t, x: F(t).hinge_embedding_loss(x, const(t, y), margin=0.5,
                                                 reduction=reduction), rand(3, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_nll_loss(reduction):
    y = positive(3, 4, seed=2) * 2
    check(lambda t, x: F(t).poisson_nll_loss(x, const(t, y), reduction=reduction), rand(3, 4))
    check(lambda t, x: F(t).poisson_nll_loss(x, const(t, y), log_input=False,
                                             reduction=reduction), positive(3, 4))
    check(lambda t, x, yy: F(t).poisson_nll_loss(x, yy, full=True, reduction=reduction),
          rand(3, 4), y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss(reduction):
    check(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, reduction=reduction), rand(3, 4),
          rand(3, 4, seed=1), positive(3, 4))
    check(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, full=True, reduction=reduction),
          rand(3, 4), rand(3, 4, seed=1), positive(3))
    check(lambda t, x, y: F(t).gaussian_nll_loss(x, y, 0.5, reduction=reduction), rand(3, 4),
          rand(3, 4, seed=1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(reduction):
    y = np.array([1.0, -1.0, 1.0], np.float32)
    check(lambda t, a, b: F(t).cosine_embedding_loss(a, b, const(t, y), margin=0.1,
                                                     reduction=reduction), rand(3, 4),
          rand(3, 4, seed=1))


def test_cosine_embedding_loss_errors():
    check_error(lambda t, a, b: F(t).cosine_embedding_loss(a, b, t.ones(3, 1)), rand(3, 4),
                rand(3, 4), match=True)
    check_error(lambda t, a, b: F(t).cosine_embedding_loss(a, b, t.ones(3)), rand(3, 4, 1),
                rand(3, 4, 1), match=True)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_triplet_margin_loss(reduction):
    args = rand(3, 4), rand(3, 4, seed=1), rand(3, 4, seed=2)
    check(lambda t, a, p, n: F(t).triplet_margin_loss(a, p, n, reduction=reduction), *args)
    check(lambda t, a, p, n: F(t).triplet_margin_loss(a, p, n, p=1, swap=True, margin=2.0,
                                                      reduction=reduction), *args,
          second_order=False)
    check(lambda t, a, p, n: F(t).triplet_margin_with_distance_loss(a, p, n,
                                                                    reduction=reduction), *args)


def test_triplet_margin_loss_errors():
    check_error(lambda t, a: F(t).triplet_margin_loss(a, a, a, margin=0.0), rand(3, 4),
                match=True)
    check_error(lambda t, a, b: F(t).triplet_margin_loss(a, a, b), rand(3, 4), rand(4),
                match=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_soft_margin_loss(reduction):
    y = (rand(3, 4, seed=2) > 0).astype(np.float32)
    check(lambda t, x: F(t).multilabel_soft_margin_loss(x, const(t, y), reduction=reduction),
          rand(3, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    w = positive(4)
    # PyTorch has no second derivative for multi_margin_loss.
    check(lambda t, x, y: F(t).multi_margin_loss(x, y, p=p, margin=0.7, reduction=reduction),
          rand(5, 4), labels(5), second_order=False)
    check(lambda t, x, y: F(t).multi_margin_loss(x, y, weight=const(t, w.astype(F64)),
                                                 reduction=reduction),
          rand(5, 4, dtype=F64), labels(5), second_order=False)


def test_multi_margin_loss_has_no_double_backward():
    def fn(t, x, y):
        g, = t.autograd.grad(F(t).multi_margin_loss(x, y), x, create_graph=True)
        return t.autograd.grad(g.sum(), x)

    check_error(fn, rand(5, 4), labels(5), match=True)


# -- distances -------------------------------------------------------------------------------

def test_cosine_similarity():
    check(lambda t, a, b: F(t).cosine_similarity(a, b), rand(3, 4), rand(3, 4, seed=1))
    check(lambda t, a, b: F(t).cosine_similarity(a, b, dim=0), rand(3, 4), rand(1, 4, seed=1))
    check(lambda t, a, b: F(t).cosine_similarity(a, b, dim=-1), rand(2, 3, 4, dtype=F64),
          rand(2, 3, 4, seed=1, dtype=F64))


def test_cosine_similarity_zero_vector():
    z = np.zeros((2, 3), np.float32)
    check(lambda t, a, b: F(t).cosine_similarity(a, b), z, rand(2, 3))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 1.5, float("inf")])
def test_pairwise_distance(p):
    so = p not in (1.0, float("inf"))  # torch's zero second derivatives are ZeroTensors
    check(lambda t, a, b: F(t).pairwise_distance(a, b, p=p), rand(3, 4), rand(3, 4, seed=1),
          second_order=so)
    check(lambda t, a, b: F(t).pairwise_distance(a, b, p=p, keepdim=True), rand(3, 4),
          rand(4, seed=1), second_order=so)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize(p, dim):
    check(lambda t, a: F(t).normalize(a, p=p, dim=dim), rand(3, 4))


# -- linear ----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4), (2, 2, 3, 4)])
def test_linear(shape):
    w, b = rand(5, 4, seed=1), rand(5, seed=2)
    check(lambda t, x, ww, bb: F(t).linear(x, ww, bb), rand(*shape), w, b)
    check(lambda t, x, ww: F(t).linear(x, ww), rand(*shape), w)


def test_linear_variants():
    w, b = rand(5, 4, seed=1), rand(5, seed=2)
    # Non-contiguous 3-D input: matmul then an in-place add (AddBackward0).
    check(lambda t, x, ww, bb: F(t).linear(x.transpose(0, 1), ww, bb), rand(3, 2, 4), w, b)
    check(lambda t, x, ww, bb: F(t).linear(x.transpose(0, 1), ww, bb), rand(3, 2, 2, 4), w, b)
    check(lambda t, x: F(t).linear(x, const(t, w), const(t, b)), rand(3, 4))
    check(lambda t, ww, bb: F(t).linear(const(t, rand(2, 3, 4)), ww, bb), w, b)
    check(lambda t, x, ww, bb: F(t).linear(x, ww, bb), rand(3, 4, dtype=F64),
          w.astype(F64), rand(3, 5, dtype=F64))


def test_linear_errors():
    check_error(lambda t, x, w, b: F(t).linear(x, w, b), rand(3, 3), rand(5, 4), rand(5),
                match=True)
    check_error(lambda t, x, w, b: F(t).linear(x, w, b), rand(3, 4), rand(4), rand(1),
                match=True)
    check_error(lambda t, x, w: F(t).linear(x.sum(), w), rand(3, 4), rand(5, 4), match=True)


def test_bilinear():
    args = rand(3, 4), rand(3, 2, seed=1), rand(5, 4, 2, seed=2), rand(5, seed=3)
    check(lambda t, a, b, w, bias: F(t).bilinear(a, b, w, bias), *args)
    check(lambda t, a, b, w: F(t).bilinear(a, b, w), *args[:3])
    check(lambda t, a, b, w: F(t).bilinear(a, b, w), rand(2, 3, 4), rand(2, 3, 2, seed=1),
          args[2])
    check_error(lambda t, a, b, w: F(t).bilinear(a, b, w), rand(3, 3), args[1], args[2],
                match=True)


def test_bce_with_logits_seed_example():
    """The first notes example: z = x @ w + b, loss = BCE-with-logits(z, y)."""
    w0 = rand(5, 3, seed=11)
    b0 = rand(3, seed=12)
    out = {}
    for lib in (torch, ember):
        x = lib.ones(5)
        y = lib.zeros(3)
        w = lib.from_numpy(w0.copy()).requires_grad_()
        b = lib.from_numpy(b0.copy()).requires_grad_()
        z = lib.matmul(x, w) + b
        loss = lib.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        out[lib.__name__] = (z.grad_fn, loss, w.grad, b.grad)
    (zt, lt, wt, bt), (ze, le, we, be) = out["torch"], out["ember"]
    assert type(ze).__name__ == type(zt).__name__ == "AddBackward0"
    assert type(le.grad_fn).__name__ == type(lt.grad_fn).__name__ == \
        "BinaryCrossEntropyWithLogitsBackward0"
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-6)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(be.numpy(), bt.numpy(), rtol=1e-5, atol=1e-6)


# -- dropout ---------------------------------------------------------------------------------

def test_dropout_identity_cases():
    for kw in ({"p": 0.0}, {"p": 0.5, "training": False}):
        check(lambda t, x: F(t).dropout(x, **kw), rand(3, 4))
    x = ember.ones(3, requires_grad=True)
    assert ember.nn.functional.dropout(x, 0.5, training=False) is x


def test_dropout_p_one():
    check(lambda t, x: F(t).dropout(x, 1.0), rand(3, 4))


def test_dropout_statistics_and_gradient():
    ember.manual_seed(0)
    x = ember.ones(2000, requires_grad=True)
    y = ember.nn.functional.dropout(x, 0.25)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    vals = np.unique(y.detach().numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.75], rtol=1e-6)
    kept = (y.detach().numpy() != 0).mean()
    assert 0.7 < kept < 0.8
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


def test_dropout_seeded_reproducible():
    ember.manual_seed(3)
    a = ember.nn.functional.dropout(ember.ones(50), 0.5)
    ember.manual_seed(3)
    b = ember.nn.functional.dropout(ember.ones(50), 0.5)
    assert ember.equal(a, b)


def test_dropout_inplace_and_feature():
    ember.manual_seed(1)
    x = ember.ones(4, 6, 5)
    y = ember.nn.functional.dropout(x, 0.5, inplace=True)
    assert y is x
    z = ember.nn.functional.dropout1d(ember.ones(4, 6, 5), 0.5).numpy()
    # Whole channels are kept or dropped together.
    assert ((z == 0).all(-1) | (z != 0).all(-1)).all()
    z = ember.nn.functional.dropout2d(ember.ones(2, 6, 3, 3), 0.5).numpy()
    assert ((z == 0).all((-1, -2)) | (z != 0).all((-1, -2))).all()


def test_dropout_errors():
    check_error(lambda t, x: F(t).dropout(x, 1.5), rand(3), match=True)
    check_error(lambda t, x: F(t).dropout1d(x, 0.5), rand(3), match=True)


# -- one_hot ---------------------------------------------------------------------------------

def test_one_hot():
    y = np.array([0, 2, 1, 2], np.int64)
    check(lambda t, yy: F(t).one_hot(yy), y)
    check(lambda t, yy: F(t).one_hot(yy, 5), y.reshape(2, 2))
    check_error(lambda t, yy: F(t).one_hot(yy, 2), y, match=True)
    check_error(lambda t, yy: F(t).one_hot(-yy), y, match=True)
    check_error(lambda t, yy: F(t).one_hot(yy.float()), y, match=True)


# -- pad -------------------------------------------------------------------------------------

@pytest.mark.parametrize("pad", [(1, 2), (1, 2, 0, 1), (-1, 2), (0, 0, 2, -1), (1, 1, 1, 1, 1, 1)])
def test_pad_constant(pad):
    check(lambda t, x: F(t).pad(x, pad), rand(2, 3, 4))
    check(lambda t, x: F(t).pad(x, pad, value=2.5), rand(2, 3, 4, dtype=F64))


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("shape,pad", [((1, 3, 4), (1, 2)), ((3, 4), (2, 1)),
                                       ((1, 2, 3, 4), (1, 2, 2, 1)),
                                       ((1, 1, 3, 3, 4), (1, 1, 2, 1, 1, 2))])
def test_pad_reflect_replicate(mode, shape, pad):
    check(lambda t, x: F(t).pad(x, pad, mode=mode), rand(*shape))


@pytest.mark.parametrize("shape,pad", [((1, 3, 4), (1, 2)), ((3, 4), (2, 0)),
                                       ((1, 2, 3, 4), (1, 2, 2, 1)), ((1, 2, 3, 4), (-1, 2, 1, 0))])
def test_pad_circular(shape, pad):
    check(lambda t, x: F(t).pad(x, pad, mode="circular"), rand(*shape))


def test_pad_errors():
    check_error(lambda t, x: F(t).pad(x, (1, 2, 3)), rand(3, 4), match=True)
    check_error(lambda t, x: F(t).pad(x, (1, 2, 3, 4, 5, 6)), rand(3, 4), match=True)
    check_error(lambda t, x: F(t).pad(x, (-3, -2)), rand(3, 4), match=True)


# -- embedding -------------------------------------------------------------------------------

def test_embedding():
    idx = np.array([[0, 2], [1, 1]], np.int64)
    check(lambda t, w: F(t).embedding(const(t, idx), w), rand(4, 3))
    check(lambda t, w: F(t).embedding(const(t, idx), w, padding_idx=1), rand(4, 3))
    check(lambda t, w: F(t).embedding(const(t, idx), w, padding_idx=-3), rand(4, 3, dtype=F64))
    check(lambda t, w: F(t).embedding(const(t, idx), w, scale_grad_by_freq=True), rand(4, 3))
    check(lambda t, w: F(t).embedding(const(t, idx.astype(np.int32)), w), rand(4, 3))
    check(lambda t, w: F(t).embedding(const(t, np.array(3)), w), rand(4, 3))


def test_embedding_max_norm_renormalises_weight():
    idx = np.array([0, 2], np.int64)
    w0 = rand(4, 3) * 3
    outs = []
    for lib in (torch, ember):
        w = lib.from_numpy(w0.copy())
        y = lib.nn.functional.embedding(lib.from_numpy(idx.copy()), w, max_norm=1.0)
        outs.append((y.numpy(), w.numpy()))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-5)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-5)


def test_embedding_errors():
    check_error(lambda t, w: F(t).embedding(t.tensor([[0, 5]]), w), rand(4, 3), match=True)
    check_error(lambda t, w: F(t).embedding(t.tensor([[0.0, 1.0]]), w), rand(4, 3), match=True)
    check_error(lambda t, w: F(t).embedding(t.tensor([0]), w, padding_idx=4), rand(4, 3),
                match=True)


# -- normalisation ---------------------------------------------------------------------------

def test_layer_norm():
    check(lambda t, x, w, b: F(t).layer_norm(x, (4,), w, b), rand(3, 4), rand(4, seed=1),
          rand(4, seed=2))
    check(lambda t, x: F(t).layer_norm(x, (4,)), rand(3, 4))
    check(lambda t, x, w, b: F(t).layer_norm(x, (3, 4), w, b, eps=1e-3), rand(2, 3, 4),
          rand(3, 4, seed=1), rand(3, 4, seed=2))
    check(lambda t, x, w: F(t).layer_norm(x, [4], w), rand(2, 3, 4, dtype=F64),
          rand(4, seed=1, dtype=F64))
    # (torch's double backward fails without a weight, so first order only)
    check(lambda t, x, b: F(t).layer_norm(x.transpose(0, 1), (2,), bias=b), rand(2, 3),
          rand(2, seed=2), second_order=False)


def test_layer_norm_errors():
    check_error(lambda t, x: F(t).layer_norm(x, (3,)), rand(2, 3, 4), match=True)
    check_error(lambda t, x, w: F(t).layer_norm(x, (4,), w), rand(2, 3, 4), rand(3),
                match=True)


def test_rms_norm():
    check(lambda t, x, w: F(t).rms_norm(x, (4,), w), rand(3, 4), rand(4, seed=1))
    check(lambda t, x: F(t).rms_norm(x, [3, 4], eps=1e-3), rand(2, 3, 4, dtype=F64))
    check_error(lambda t, x: F(t).rms_norm(x, (3,)), rand(2, 3, 4), match=True)


def test_group_norm():
    check(lambda t, x, w, b: F(t).group_norm(x, 2, w, b), rand(2, 4, 3), rand(4, seed=1),
          rand(4, seed=2))
    check(lambda t, x: F(t).group_norm(x, 4), rand(2, 4, 3, 2))
    check(lambda t, x, w, b: F(t).group_norm(x, 1, w, b), rand(3, 2, 5, dtype=F64),
          rand(2, seed=1, dtype=F64), rand(2, seed=2, dtype=F64))
    check_error(lambda t, x: F(t).group_norm(x, 3), rand(2, 4, 3), match=True)
    check_error(lambda t, x: F(t).group_norm(x, 4), rand(1, 4), match=True)


@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 5), (2, 4, 3, 2)])
def test_batch_norm_training(shape):
    rm0, rv0 = rand(4, seed=3), positive(4, seed=4)
    stats = {}

    def fn(t, x, w, b):
        rm, rv = const(t, rm0), const(t, rv0)
        y = F(t).batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)
        stats[t.__name__] = (rm.numpy(), rv.numpy())
        return y

    check(fn, rand(*shape), rand(4, seed=1), rand(4, seed=2))
    np.testing.assert_allclose(stats["ember"][0], stats["torch"][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stats["ember"][1], stats["torch"][1], rtol=1e-5, atol=1e-6)


def test_batch_norm_eval_and_no_stats():
    rm, rv = rand(4, seed=3), positive(4, seed=4)
    check(lambda t, x, w, b: F(t).batch_norm(x, const(t, rm), const(t, rv), w, b), rand(3, 4),
          rand(4, seed=1), rand(4, seed=2))
    check(lambda t, x: F(t).batch_norm(x, None, None, training=True), rand(3, 4, 5, dtype=F64))
    check(lambda t, x: F(t).batch_norm(x, const(t, rm), const(t, rv), training=False),
          rand(3, 4, 5))


def test_batch_norm_errors():
    check_error(lambda t, x: F(t).batch_norm(x, None, None, training=True), rand(1, 4),
                match=True)


def test_instance_norm():
    check(lambda t, x: F(t).instance_norm(x), rand(2, 4, 5))
    check(lambda t, x, w, b: F(t).instance_norm(x, weight=w, bias=b), rand(2, 3, 4, 2),
          rand(3, seed=1), rand(3, seed=2))


# -- pixel shuffle ---------------------------------------------------------------------------

def test_pixel_shuffle():
    check(lambda t, x: F(t).pixel_shuffle(x, 2), rand(1, 8, 2, 3))
    check(lambda t, x: F(t).pixel_unshuffle(x, 2), rand(2, 2, 4, 6))
    check(lambda t, x: F(t).pixel_shuffle(x, 3), rand(9, 1, 2, dtype=F64))
    check_error(lambda t, x: F(t).pixel_shuffle(x, 2), rand(1, 6, 2, 3), match=True)


def test_normalisation_plain_backward():
    """Without create_graph the norms' backward takes an array fast path: same values."""
    w, b = rand(4, seed=1), rand(4, seed=2)
    check(lambda t, x, ww, bb: F(t).layer_norm(x, (4,), ww, bb), rand(3, 4), w, b,
          second_order=False)
    check(lambda t, x: F(t).layer_norm(x, (3, 4)), rand(2, 3, 4, dtype=F64), second_order=False)
    check(lambda t, x, ww, bb: F(t).group_norm(x, 2, ww, bb), rand(2, 4, 3), w, b,
          second_order=False)
    check(lambda t, x, ww, bb: F(t).batch_norm(x, None, None, ww, bb, training=True),
          rand(3, 4, 5), w, b, second_order=False)
    check(lambda t, x, ww: F(t).linear(x, ww), rand(2, 3, 4), rand(5, 4), second_order=False)


# -- attention -------------------------------------------------------------------------------

SDPA = [
    ({}, (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)),  # fused kernel (4-D)
    ({"is_causal": True}, (2, 2, 3, 4), (2, 2, 3, 4), (2, 2, 3, 4)),
    ({"scale": 0.3}, (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)),
    ({"enable_gqa": True}, (2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)),
    ({}, (2, 3, 4), (2, 5, 4), (2, 5, 4)),  # math path (3-D)
    ({"is_causal": True}, (2, 3, 4), (2, 3, 4), (2, 3, 4)),
    ({}, (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)),  # value head dim differs: math path
]


@pytest.mark.parametrize("kw,sq,sk,sv", SDPA)
def test_scaled_dot_product_attention(kw, sq, sk, sv):
    fused = len(sq) == 4 and sv[-1] == sq[-1]
    check(lambda t, q, k, v: F(t).scaled_dot_product_attention(q, k, v, **kw), rand(*sq),
          rand(*sk, seed=1), rand(*sv, seed=2), second_order=not fused)


def test_scaled_dot_product_attention_masks():
    q, k, v = rand(2, 2, 3, 4), rand(2, 2, 5, 4, seed=1), rand(2, 2, 5, 4, seed=2)
    bool_mask = rand(3, 5, seed=3) > -1
    float_mask = rand(3, 5, seed=4)
    check(lambda t, a, b, c: F(t).scaled_dot_product_attention(a, b, c,
                                                               attn_mask=const(t, bool_mask)),
          q, k, v, second_order=False)
    check(lambda t, a, b, c: F(t).scaled_dot_product_attention(a, b, c,
                                                               attn_mask=const(t, float_mask)),
          q, k, v, second_order=False)
    # A mask that requires grad takes the math path.
    check(lambda t, a, b, c, m: F(t).scaled_dot_product_attention(a, b, c, attn_mask=m),
          q, k, v, float_mask)
    check(lambda t, a, b, c: F(t).scaled_dot_product_attention(a, b, c,
                                                               attn_mask=const(t, bool_mask)),
          q[0], k[0], v[0])


def test_scaled_dot_product_attention_fully_masked_row_is_zero():
    mask = np.ones((3, 5), bool)
    mask[1] = False
    check(lambda t, a, b, c: F(t).scaled_dot_product_attention(a, b, c,
                                                               attn_mask=const(t, mask)),
          rand(2, 3, 4), rand(2, 5, 4, seed=1), rand(2, 5, 4, seed=2))
    check(lambda t, a, b, c: F(t).scaled_dot_product_attention(a, b, c,
                                                               attn_mask=const(t, mask)),
          rand(1, 2, 3, 4), rand(1, 2, 5, 4, seed=1), rand(1, 2, 5, 4, seed=2),
          second_order=False)


def test_scaled_dot_product_attention_fused_has_no_double_backward():
    def fn(t, q):
        y = F(t).scaled_dot_product_attention(q, q, q)
        g, = t.autograd.grad(y.sum(), q, create_graph=True)
        return t.autograd.grad(g.sum(), q)

    check_error(fn, rand(1, 2, 3, 4), match=True)


# -- more layers -----------------------------------------------------------------------------

def test_local_response_norm():
    check(lambda t, x: F(t).local_response_norm(x, 2), positive(2, 4, 3))
    check(lambda t, x: F(t).local_response_norm(x, 3, alpha=0.1, beta=0.5, k=2.0),
          rand(2, 4, 3, 3))
    check_error(lambda t, x: F(t).local_response_norm(x, 2), rand(2, 4), match=True)


def test_channel_shuffle():
    check(lambda t, x: F(t).channel_shuffle(x, 2), rand(1, 4, 2, 2))
    check(lambda t, x: F(t).channel_shuffle(x, 3), rand(2, 6, 3, dtype=F64))
    check_error(lambda t, x: F(t).channel_shuffle(x, 3), rand(1, 4, 2, 2), match=True)


def test_alpha_dropout():
    check(lambda t, x: F(t).alpha_dropout(x, 0.5), rand(3, 4))  # eval by default: identity
    check(lambda t, x: F(t).alpha_dropout(x, 1.0, training=True), rand(3, 4))
    ember.manual_seed(0)
    x = ember.from_numpy(rand(20000, seed=3)).requires_grad_()
    y = ember.nn.functional.alpha_dropout(x, 0.2, training=True)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    # Keeps zero mean / unit variance of a standard input (the point of alpha dropout).
    z = ember.nn.functional.alpha_dropout(ember.from_numpy(
        np.random.default_rng(1).standard_normal(20000).astype(np.float32)), 0.2, True).numpy()
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05
    y.sum().backward()
    assert set(np.unique(np.round(x.grad.numpy(), 5))) <= {0.0, np.float32(np.round(
        1 / np.sqrt((1.7580993408473766 ** 2 * 0.2 + 1) * 0.8), 5))}


def test_gumbel_softmax():
    ember.manual_seed(0)
    x = ember.from_numpy(rand(4, 5)).requires_grad_()
    y = ember.nn.functional.gumbel_softmax(x, tau=0.5)
    assert type(y.grad_fn).__name__ == "SoftmaxBackward0"
    np.testing.assert_allclose(y.sum(-1).detach().numpy(), np.ones(4), rtol=1e-5)
    h = ember.nn.functional.gumbel_softmax(x, hard=True)
    assert type(h.grad_fn).__name__ == "AddBackward0"
    assert sorted(np.unique(h.detach().numpy())) == [0.0, 1.0]
    np.testing.assert_allclose(h.detach().numpy().sum(-1), np.ones(4))

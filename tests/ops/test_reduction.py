"""Reductions (ember/ops/reduction.py) against real PyTorch: values, dtypes, grad_fn names,
first- and second-order gradients, named-tuple results and errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import assert_same, check, check_error, positive, rand

import ember

X2 = rand(3, 4)
X3 = rand(2, 3, 4, seed=1)
X64 = rand(3, 4, dtype=np.float64, seed=2)
S0 = np.array(1.5, dtype=np.float32)
E03 = np.zeros((0, 3), dtype=np.float32)
TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], dtype=np.float32)
ZEROS1 = np.array([[1.5, 0.0, 2.0, -1.0], [0.5, 2.0, -3.0, 1.0]], dtype=np.float64)
ZEROS2 = np.array([[1.5, 0.0, 2.0, 0.0], [0.0, 2.0, -3.0, 1.0], [1.0, 2.0, 0.5, -1.0]],
                  dtype=np.float64)
NAN = np.array([[1.0, np.nan, 3.0], [0.5, 2.0, -1.0]], dtype=np.float32)
INTS = np.array([[1, 2, 0], [3, -4, 5]], dtype=np.int64)
BOOLS = np.array([[True, False, True], [True, True, True]])
SMALLINT = np.array([[2, 2, 1, 1, 3, 3, 3, 0], [5, 1, 5, 1, 2, 0, 4, 4]], dtype=np.float32)

DIMS3 = [None, 0, 1, -1, 2, (0, 1), (0, 2), [1, 2], (-1, 0), (0, 1, 2), ()]
PS = [2, "fro", 1, 3, 1.5, 0.5, -1, float("inf"), float("-inf"), 0]
# torch's second-order gradient of these norms is a ZeroTensor, which the oracle cannot turn
# into NumPy; test_norm_piecewise_linear_second_order covers them.
PIECEWISE_LINEAR = (1, float("inf"), float("-inf"))


# -- sum / mean ------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", DIMS3)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_dims(dim, keepdim):
    check(lambda t, a: a.sum(dim, keepdim) if dim is not None else a.sum(dim=None,
                                                                        keepdim=keepdim), X3)


@pytest.mark.parametrize("dim", DIMS3)
@pytest.mark.parametrize("keepdim", [False, True])
def test_mean_dims(dim, keepdim):
    check(lambda t, a: t.mean(a, dim, keepdim) if dim is not None else a.mean(), X3)


@pytest.mark.parametrize("fn", ["sum", "mean", "nansum", "prod", "amax", "amin", "logsumexp",
                                "std", "var", "norm"])
@pytest.mark.parametrize("dim", [0, -1, (0,)])
def test_scalar_input_dims(fn, dim):
    if fn == "prod" and isinstance(dim, tuple):
        dim = 0
    if fn in ("std", "var"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(lambda t, a: getattr(a, fn)(dim), S0)
        return
    check(lambda t, a: getattr(a, fn)(dim=dim), S0)


@pytest.mark.parametrize("p", [1, 0.5, 3, float("inf")])
def test_norm_scalar_input_gradient(p):
    check(lambda t, a: a.norm(p), S0, second_order=p not in PIECEWISE_LINEAR)


@pytest.mark.parametrize("fn", ["sum", "mean", "nansum", "amax", "logsumexp", "norm"])
def test_keepdim_on_scalar(fn):
    check(lambda t, a: getattr(a, fn)(dim=0, keepdim=True), S0)


def test_sum_int_bool_dtypes():
    check(lambda t, a: a.sum(), INTS)
    check(lambda t, a: a.sum(1), INTS)
    check(lambda t, a: a.sum(), BOOLS)
    check(lambda t, a: a.sum(0, dtype=t.float32), INTS)
    check(lambda t, a: a.sum(dtype=t.float64), X2)
    check(lambda t, a: a.sum(0).to(t.float32) * 2, np.array([[1, 2]], dtype=np.uint8))


def test_mean_dtype_argument():
    check(lambda t, a: a.mean(dtype=t.float64), X2)
    check(lambda t, a: a.mean(1, dtype=t.float32), INTS)


def test_sum_mean_empty():
    check(lambda t, a: a.sum(), E03)
    check(lambda t, a: a.sum(0), E03)
    check(lambda t, a: a.sum(1), E03)
    check(lambda t, a: a.mean(), E03)
    check(lambda t, a: a.mean(0), E03)
    check(lambda t, a: a.mean(1, keepdim=True), E03)


@pytest.mark.parametrize("fn", [lambda t, a: a.t().sum(0), lambda t, a: a.t().mean(1),
                                lambda t, a: a.t().prod(0), lambda t, a: a.t().amax(1),
                                lambda t, a: a.t().std(0), lambda t, a: a.t().norm(dim=1),
                                lambda t, a: a.t().logsumexp(0), lambda t, a: a.t().cumsum(0),
                                lambda t, a: a.t().cumprod(1), lambda t, a: a.t().max(0),
                                lambda t, a: a.t().sort(0), lambda t, a: a.t().median(1),
                                lambda t, a: a[:, ::2].topk(1, 0),
                                lambda t, a: a.t().kthvalue(2, 0),
                                lambda t, a: a[:, 1:].var(1, keepdim=True),
                                lambda t, a: a.t().trace(), lambda t, a: a.t().diff(dim=0)])
def test_non_contiguous(fn):
    check(fn, X2)


def test_non_contiguous_3d():
    check(lambda t, a: a.transpose(0, 2).sum((0, 1)), X3)
    check(lambda t, a: a.permute(2, 0, 1).max(1), X3)
    check(lambda t, a: a.permute(1, 2, 0).var((0, 2)), X3)


@pytest.mark.parametrize("arr", [X2, X64, X3])
def test_float64_and_shapes(arr):
    check(lambda t, a: a.sum(0) * a.mean(-1, True) + a.prod(0), arr)


def test_sum_method_and_function_agree():
    check(lambda t, a: t.sum(a, 1) + a.sum(dim=1), X2)


# -- prod ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_prod(dim, keepdim):
    if dim is None:
        check(lambda t, a: a.prod(), positive(3, 4, dtype=np.float64))
    else:
        check(lambda t, a: a.prod(dim, keepdim), positive(3, 4, dtype=np.float64))


@pytest.mark.parametrize("arr", [ZEROS1, ZEROS2, np.zeros((2, 3)), np.array([0.0]),
                                 np.array([2.0, 0.0]), np.array([0.0, 0.0, 3.0])])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_with_zeros_exact_gradients(arr, dim):
    if dim is None:
        check(lambda t, a: a.prod(), arr)
    else:
        check(lambda t, a: a.prod(dim), arr)


def test_prod_dtypes_and_edge_cases():
    check(lambda t, a: a.prod(), INTS)
    check(lambda t, a: a.prod(1), INTS)
    check(lambda t, a: a.prod(), BOOLS)
    check(lambda t, a: a.prod(dtype=t.float64), INTS)
    check(lambda t, a: a.prod(), E03)
    check(lambda t, a: a.prod(1), E03)
    check(lambda t, a: a.prod(0), E03)
    check(lambda t, a: a.prod(), S0)


# -- cumsum / cumprod / logcumsumexp ---------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_cumsum(dim):
    check(lambda t, a: a.cumsum(dim), X3)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod(dim):
    check(lambda t, a: a.cumprod(dim), rand(3, 4, dtype=np.float64, seed=5))


@pytest.mark.parametrize("arr", [ZEROS1, ZEROS2, np.array([0.0, 2.0, 0.0, 3.0]),
                                 np.array([[0.0, 0.0], [1.0, 0.0]])])
@pytest.mark.parametrize("dim", [0, -1])
def test_cumprod_with_zeros(arr, dim):
    check(lambda t, a: a.cumprod(dim), arr)


def test_cumsum_cumprod_dtypes():
    check(lambda t, a: a.cumsum(0), INTS)
    check(lambda t, a: a.cumsum(1), BOOLS)
    check(lambda t, a: a.cumprod(1), INTS)
    check(lambda t, a: a.cumsum(1, dtype=t.float64), X2)
    check(lambda t, a: a.cumprod(0, dtype=t.float64), X2)
    check(lambda t, a: a.cumsum(0, dtype=t.float32), INTS)
    check(lambda t, a: a.cumsum(0), S0)
    check(lambda t, a: a.cumprod(-1), S0)
    check(lambda t, a: a.cumsum(0), E03)
    check(lambda t, a: t.cumsum(a, dim=1), E03)


def test_float16_accumulates_in_float32():
    a = np.random.default_rng(0).random(3000).astype(np.float16)
    check(lambda t, x: x.cumsum(0), a, rtol=1e-3, atol=1e-2)
    check(lambda t, x: x.sum(), a, rtol=1e-3, atol=1e-2)
    check(lambda t, x: x.mean(), a, rtol=1e-3, atol=1e-3)


def test_scalar_int_scans_promote_to_int64():
    i32 = np.array(3, dtype=np.int32)
    check(lambda t, a: a.cumsum(0), i32)
    check(lambda t, a: a.cumprod(0), np.array(True))
    check(lambda t, a: a.prod(0), i32)
    check(lambda t, a: a.sum(0), i32)


def test_cumsum_inplace():
    check(lambda t, a: (a * 1).cumsum_(1), X2)
    check(lambda t, a: (a * 1).cumprod_(0), X2)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp(dim):
    check(lambda t, a: a.logcumsumexp(dim), rand(3, 4, dtype=np.float64, seed=3))


def test_logcumsumexp_stable():
    check(lambda t, a: a.logcumsumexp(0), np.array([-1000.0, 0.0, 1000.0, 999.0]))
    check(lambda t, a: a.logcumsumexp(0), S0)


# -- max / min / amax / amin / argmax / argmin / aminmax ------------------------------------

@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("arr", [X2, TIES, X64, S0, INTS, BOOLS])
def test_max_min_full(fn, arr):
    check(lambda t, a: getattr(a, fn)(), arr)


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1, -2])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim(fn, dim, keepdim):
    check(lambda t, a: getattr(t, fn)(a, dim, keepdim), X2)
    check(lambda t, a: getattr(a, fn)(dim=dim, keepdim=keepdim), TIES)


@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_dim_on_scalar_and_empty(fn):
    check(lambda t, a: getattr(a, fn)(0), S0)
    check(lambda t, a: getattr(a, fn)(-1, True), S0)
    check(lambda t, a: getattr(a, fn)(1), E03)
    check(lambda t, a: getattr(a, fn)(1), INTS)
    check(lambda t, a: getattr(a, fn)(0), BOOLS)


def test_max_min_nan():
    check(lambda t, a: a.max(), NAN)
    check(lambda t, a: a.min(1), NAN)
    check(lambda t, a: a.amax(1), NAN)
    check(lambda t, a: a.argmax(1), NAN)


@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_with_other_tensor(fn):
    check(lambda t, a, b: getattr(t, fn)(a, b), X2, rand(3, 4, seed=9))
    check(lambda t, a, b: getattr(a, fn)(b), X2, rand(4, seed=9))
    check(lambda t, a, b: getattr(t, fn)(a, other=b), X2, rand(4, seed=9))


@pytest.mark.parametrize("fn", ["amax", "amin"])
@pytest.mark.parametrize("dim", [(), 0, 1, -1, (0, 1), [0]])
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin(fn, dim, keepdim):
    check(lambda t, a: getattr(a, fn)(dim, keepdim), TIES)


def test_amax_amin_3d_and_dtypes():
    check(lambda t, a: a.amax((0, 2)), X3)
    check(lambda t, a: t.amin(a, dim=-1, keepdim=True), X3)
    check(lambda t, a: a.amax(), INTS)
    check(lambda t, a: a.amin(0), BOOLS)
    check(lambda t, a: a.amax(1), E03)


def test_ties_max_vs_amax_vs_max_dim():
    # Full max and amax share the gradient among ties; max(dim) routes it to one index.
    x = np.array([[2.0, 2.0, 1.0], [0.0, 5.0, 5.0]], dtype=np.float64)
    check(lambda t, a: a.max(), x)
    check(lambda t, a: a.amax(1), x)
    check(lambda t, a: a.max(1).values, x)
    check(lambda t, a: a.min(), np.ones((2, 2)))


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_argmin(fn, dim, keepdim):
    check(lambda t, a: getattr(a, fn)(dim, keepdim), X2)
    check(lambda t, a: getattr(t, fn)(a, dim=dim, keepdim=keepdim), TIES)
    check(lambda t, a: getattr(a, fn)(dim, keepdim), INTS)


def test_argmax_scalar_and_empty():
    check(lambda t, a: a.argmax(), S0)
    check(lambda t, a: a.argmin(0), S0)
    check(lambda t, a: a.argmax(1), E03)


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax(dim, keepdim):
    check(lambda t, a: t.aminmax(a, dim=dim, keepdim=keepdim), TIES)
    check(lambda t, a: a.aminmax(dim=dim, keepdim=keepdim), X2)


def test_aminmax_single_output_used():
    check(lambda t, a: a.aminmax().min * 2, TIES)
    check(lambda t, a: a.aminmax(dim=0).max, TIES)
    check(lambda t, a: t.aminmax(a), INTS)
    check(lambda t, a: t.aminmax(a, dim=1), E03)


# -- std / var -------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 2), [0, 1, 2]])
@pytest.mark.parametrize("keepdim", [False, True])
def test_std_var_dims(fn, dim, keepdim):
    check(lambda t, a: getattr(a, fn)(dim, keepdim=keepdim), X3)


@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("kwargs", [{"correction": 0}, {"correction": 2}, {"correction": 0.5},
                                    {"unbiased": False}, {"unbiased": True}])
def test_std_var_correction(fn, kwargs):
    check(lambda t, a: getattr(a, fn)(**kwargs), X64)
    check(lambda t, a: getattr(t, fn)(a, 1, **kwargs), X64)


def test_std_var_positional_forms():
    check(lambda t, a: a.var(False), X2)
    check(lambda t, a: a.std(True), X2)
    check(lambda t, a: t.var(a, 0, True, True), X2)
    check(lambda t, a: a.std(1, False), X2)
    check(lambda t, a: t.std(a, dim=None, keepdim=True), X2)


def test_std_zero_spread_has_zero_gradient():
    check(lambda t, a: a.std(), np.full((3,), 2.0))
    check(lambda t, a: a.std(1), np.array([[1.0, 1.0], [1.0, 3.0]]))


def test_std_var_degrees_of_freedom_warning():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            lib.tensor([1.0]).var()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, a: a.var(), np.array([2.0]), grad=False)
        check(lambda t, a: a.std(correction=3), X64[0], grad=False)
        check(lambda t, a: a.var(0), E03, grad=False)


@pytest.mark.parametrize("fn", ["std_mean", "var_mean"])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_std_mean_var_mean(fn, dim, keepdim):
    check(lambda t, a: getattr(t, fn)(a, dim, keepdim=keepdim), X3)


def test_std_mean_var_mean_partial_use():
    check(lambda t, a: t.std_mean(a, 0)[0], X2)
    check(lambda t, a: t.std_mean(a, unbiased=False)[1], X2)
    check(lambda t, a: t.var_mean(a, 1, correction=0)[0] * 3, X2)
    check(lambda t, a: t.var_mean(a)[1], X2)


# -- norm ------------------------------------------------------------------------------------



@pytest.mark.parametrize("p", PS)
def test_norm_all(p):
    check(lambda t, a: a.norm(p), X64, second_order=p not in PIECEWISE_LINEAR)


@pytest.mark.parametrize("p", PIECEWISE_LINEAR)
def test_norm_piecewise_linear_second_order(p):
    x = ember.from_numpy(X64.copy()).requires_grad_()
    tx = torch.from_numpy(X64.copy()).requires_grad_()
    (g,) = ember.autograd.grad(x.norm(p), x, create_graph=True)
    (tg,) = torch.autograd.grad(tx.norm(p), tx, create_graph=True)
    assert_same(g, tg)
    assert g.requires_grad == tg.requires_grad
    (gg,) = ember.autograd.grad((g * ember.from_numpy(X64.copy())).sum(), x, allow_unused=True)
    assert gg is None or not np.any(gg.numpy())


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("dim", [0, -1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_norm_dims(p, dim, keepdim):
    check(lambda t, a: t.norm(a, p, dim, keepdim), X64,
          second_order=p not in PIECEWISE_LINEAR)


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, 0.5, float("inf"), 0])
def test_norm_zero_vector_gradient(p):
    second = p not in PIECEWISE_LINEAR
    check(lambda t, a: a.norm(p), np.zeros(3), second_order=second)
    check(lambda t, a: a.norm(p, dim=1), np.array([[0.0, 0.0], [3.0, -4.0]]),
          second_order=second)


def test_norm_misc():
    check(lambda t, a: a.norm(), X3)
    check(lambda t, a: a.norm(dim=(1, 2)), X3)
    check(lambda t, a: a.norm(p="fro", dim=(0, 1)), X2)
    check(lambda t, a: a.norm(dtype=t.float64), X2)
    check(lambda t, a: a.norm(), E03)
    check(lambda t, a: a.norm(dim=0), E03)
    check(lambda t, a: a.norm(float("inf"), dim=1), E03, second_order=False)
    check(lambda t, a: a.norm(), S0)
    check(lambda t, a: a.norm(1, dim=[]), X2, second_order=False)


def test_norm_ties_inf():
    check(lambda t, a: a.norm(float("inf")), np.array([[-3.0, 3.0], [1.0, 0.5]]),
          second_order=False)


# -- logsumexp -------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1, (0, 2), (0, 1, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp(dim, keepdim):
    check(lambda t, a: t.logsumexp(a, dim, keepdim), X3)


@pytest.mark.parametrize("arr", [
    np.array([1000.0, 1000.5, -3.0]), np.array([-1000.0, -1001.0]),
    np.array([1.0, np.inf]), np.array([-np.inf, -np.inf]), np.array([-np.inf, 2.0]),
    np.array([np.inf, np.inf]), np.array([1.0, np.nan])])
def test_logsumexp_stable(arr):
    check(lambda t, a: a.logsumexp(0), arr, grad=bool(np.isfinite(arr).all()))


def test_logsumexp_int_and_empty():
    check(lambda t, a: a.logsumexp(1), INTS)
    check(lambda t, a: a.logsumexp(0), BOOLS)
    check(lambda t, a: a.logsumexp(0), E03)
    check(lambda t, a: a.logsumexp(1), E03)


# -- all / any / count_nonzero ---------------------------------------------------------------

@pytest.mark.parametrize("fn", ["all", "any"])
@pytest.mark.parametrize("arr", [X2, BOOLS, INTS, np.array([[1, 0], [2, 3]], dtype=np.uint8),
                                 E03, S0])
def test_all_any(fn, arr):
    check(lambda t, a: getattr(a, fn)(), arr)
    if arr.ndim:
        check(lambda t, a: getattr(t, fn)(a, 0), arr)
        check(lambda t, a: getattr(a, fn)(-1, True), arr)


def test_all_any_dim_lists():
    check(lambda t, a: a.all((0, 1)), BOOLS)
    check(lambda t, a: a.any(dim=[0]), BOOLS)
    check(lambda t, a: a.all(dim=()), INTS)


@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1), [1]])
def test_count_nonzero(dim):
    check(lambda t, a: t.count_nonzero(a, dim), INTS)
    check(lambda t, a: a.count_nonzero(dim), ZEROS2)


def test_count_nonzero_edge():
    check(lambda t, a: t.count_nonzero(a), E03)
    check(lambda t, a: t.count_nonzero(a), BOOLS)
    check(lambda t, a: t.count_nonzero(a, ()), INTS)


# -- median / nanmedian ----------------------------------------------------------------------

@pytest.mark.parametrize("arr", [X2, X3, positive(5, seed=3), S0, INTS, TIES])
def test_median_full(arr):
    check(lambda t, a: a.median(), arr)
    check(lambda t, a: a.nanmedian(), arr)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_dim(dim, keepdim):
    check(lambda t, a: a.median(dim, keepdim), X3)
    check(lambda t, a: t.nanmedian(a, dim, keepdim=keepdim), X3)


def test_median_nan_and_empty():
    nans = np.array([[1.0, np.nan, 2.0, np.nan], [np.nan, 1.0, 2.0, 3.0], [4.0, 1.0, 2.0, 3.0]],
                    dtype=np.float32)
    check(lambda t, a: a.median(), nans)
    check(lambda t, a: a.median(1), nans)
    check(lambda t, a: a.nanmedian(), nans)
    check(lambda t, a: a.nanmedian(1), nans)
    check(lambda t, a: a.nanmedian(0), np.array([[np.nan], [np.nan]], dtype=np.float32))
    check(lambda t, a: a.median(), E03)
    check(lambda t, a: a.median(1), E03)
    check(lambda t, a: a.median(0), S0)
    check(lambda t, a: a.median(0), INTS)


# -- sort / argsort / msort / topk / kthvalue / mode -----------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1, 2])
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dim, descending):
    check(lambda t, a: a.sort(dim, descending), X3)
    check(lambda t, a: t.argsort(a, dim, descending=descending), X3)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_stable_ties_and_nan(descending):
    check(lambda t, a: t.sort(a, descending=descending, stable=True), TIES)
    check(lambda t, a: a.argsort(dim=0, descending=descending, stable=True), TIES)
    check(lambda t, a: a.sort(descending=descending, stable=True), NAN)
    check(lambda t, a: a.sort(dim=0, descending=descending, stable=True), INTS)
    check(lambda t, a: a.sort(dim=-1, descending=descending, stable=True), BOOLS)


def test_sort_scalar_empty_msort():
    check(lambda t, a: a.sort(), S0)
    check(lambda t, a: a.argsort(), S0)
    check(lambda t, a: a.sort(0), E03)
    check(lambda t, a: a.argsort(), E03)
    check(lambda t, a: a.msort(), X2)
    check(lambda t, a: a.sort(stable=False), X2)
    check(lambda t, a: t.msort(a), X3)


@pytest.mark.parametrize("k", [0, 1, 3])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(k, dim, largest):
    check(lambda t, a: a.topk(k, dim, largest), rand(3, 5, 4, seed=4))


def test_topk_ties_nan_ints():
    check(lambda t, a: a.topk(2), TIES)
    check(lambda t, a: a.topk(2, largest=False), NAN)
    check(lambda t, a: a.topk(2), NAN)
    check(lambda t, a: a.topk(1, dim=0), INTS)
    check(lambda t, a: t.topk(a, 1), S0)
    check(lambda t, a: a.topk(0), E03)
    check(lambda t, a: a.topk(2, sorted=True), X2)


@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue(k, dim, keepdim):
    check(lambda t, a: a.kthvalue(k, dim, keepdim), X3)


def test_kthvalue_misc():
    check(lambda t, a: t.kthvalue(a, 2, 1), INTS)
    check(lambda t, a: a.kthvalue(1), S0)
    check(lambda t, a: a.kthvalue(2), E03)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mode(dim, keepdim):
    check(lambda t, a: a.mode(dim, keepdim), SMALLINT)


def test_mode_misc():
    check(lambda t, a: t.mode(a), INTS)
    check(lambda t, a: a.mode(0), INTS)
    check(lambda t, a: a.mode(), X2)
    check(lambda t, a: a.mode(), S0)
    check(lambda t, a: a.mode(), E03)
    check(lambda t, a: a.mode(), np.array([[2, 2, 1, 1, 3, 3, 3, 0, 0, 0]]))


# -- cummax / cummin -------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cummax_cummin(fn, dim):
    check(lambda t, a: getattr(a, fn)(dim), X3)
    check(lambda t, a: getattr(t, fn)(a, dim % 2), SMALLINT)


@pytest.mark.parametrize("fn", ["cummax", "cummin"])
def test_cummax_cummin_misc(fn):
    check(lambda t, a: getattr(a, fn)(1), NAN, grad=False)
    check(lambda t, a: getattr(a, fn)(0), np.array([1.0, np.nan, 2.0, np.nan, 0.0]),
          grad=False)
    check(lambda t, a: getattr(a, fn)(1), INTS)
    check(lambda t, a: getattr(a, fn)(0), BOOLS)
    check(lambda t, a: getattr(a, fn)(0), S0)
    check(lambda t, a: getattr(a, fn)(1), E03)


# -- nansum / nanmean ------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_nansum_nanmean(dim, keepdim):
    check(lambda t, a: t.nansum(a, dim, keepdim), NAN)
    check(lambda t, a: a.nanmean(dim, keepdim), NAN)


def test_nansum_nanmean_misc():
    check(lambda t, a: a.nansum(), X2)
    check(lambda t, a: a.nansum(), INTS)
    check(lambda t, a: a.nansum(dtype=t.float32), INTS)
    check(lambda t, a: a.nansum(), E03)
    check(lambda t, a: a.nanmean(), E03)
    check(lambda t, a: a.nanmean(), np.array([np.nan, np.nan], dtype=np.float32))


# -- diff / trace ----------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("dim", [0, -1])
def test_diff(n, dim):
    check(lambda t, a: a.diff(n, dim), X2)


def test_diff_prepend_append_dtypes():
    check(lambda t, a, b: a.diff(prepend=b), X2, rand(3, 1, seed=2))
    check(lambda t, a, b: t.diff(a, dim=0, append=b), X2, rand(2, 4, seed=2))
    check(lambda t, a, b, c: a.diff(2, prepend=b, append=c), X2, rand(3, 2, seed=2),
          rand(3, 1, seed=3))
    check(lambda t, a: a.diff(), BOOLS)
    check(lambda t, a: a.diff(dim=0), INTS)
    check(lambda t, a: a.diff(), np.array([3, 1, 7], dtype=np.uint8))
    check(lambda t, a: a.diff(), E03)


@pytest.mark.parametrize("arr", [X2, rand(4, 2), rand(3, 3, dtype=np.float64), INTS, E03,
                                 np.array([[1, 2]], dtype=np.uint8)])
def test_trace(arr):
    check(lambda t, a: a.trace(), arr)
    check(lambda t, a: t.trace(a) * 2, arr)


# -- complex inputs (first order: the oracle's second order is for real outputs) -----------

ZC = (rand(3, 4, dtype=np.float64, seed=6) + 1j * rand(3, 4, dtype=np.float64, seed=7))
ZC[1, 2] = 0


@pytest.mark.parametrize("fn", [
    lambda t, a: a.sum(0), lambda t, a: a.mean(), lambda t, a: a.prod(1),
    lambda t, a: a.prod(), lambda t, a: a.cumprod(0), lambda t, a: a.cumsum(1),
    lambda t, a: a.var(1), lambda t, a: a.std(), lambda t, a: t.std_mean(a, 0),
    lambda t, a: a.norm(), lambda t, a: a.norm(1, 1), lambda t, a: a.norm(3, 0),
    lambda t, a: a.norm(float("inf"), 1), lambda t, a: a.logsumexp(1),
    lambda t, a: a.trace(), lambda t, a: a.diff()])
@pytest.mark.parametrize("arr", [ZC, ZC[::2]])
def test_complex(fn, arr):
    check(fn, arr, second_order=False)


def test_complex_nansum_error():
    check_error(lambda t, a: a.nansum(), ZC, match=True)


# -- named tuples ----------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [lambda t, a: a.max(0), lambda t, a: a.min(1, True),
                                lambda t, a: a.sort(), lambda t, a: a.topk(2),
                                lambda t, a: a.kthvalue(2), lambda t, a: a.median(0),
                                lambda t, a: a.nanmedian(1), lambda t, a: a.mode(0),
                                lambda t, a: a.aminmax(), lambda t, a: a.aminmax(dim=1),
                                lambda t, a: a.cummax(0), lambda t, a: a.cummin(1)])
def test_return_types_repr_and_fields(fn):
    tx = torch.from_numpy(X2.copy()).requires_grad_()
    ex = ember.from_numpy(X2.copy()).requires_grad_()
    tr, er = fn(torch, tx), fn(ember, ex)
    assert repr(er) == repr(tr)
    assert type(er).__name__ == type(tr).__name__
    assert isinstance(er, tuple) and len(er) == len(tr) == 2
    first, second = er
    assert first is er[0] and second is er[1]
    names = ("min", "max") if type(tr).__name__ == "aminmax" else ("values", "indices")
    for name, e_item, t_item in zip(names, er, tr):
        assert getattr(er, name) is e_item
        assert_same(e_item, t_item)


def test_return_types_module():
    import ember.return_types as rt

    assert rt is ember.return_types
    r = ember.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)
    assert isinstance(r, ember.return_types.max)
    again = pickle.loads(pickle.dumps(r))
    assert_same(again.values, torch.tensor([5.0, 3.0]))


def test_indices_have_no_grad_fn():
    x = ember.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    v, i = x.max(1)
    assert i.grad_fn is None and not i.requires_grad and v.requires_grad


def test_no_grad_mode():
    def fn(t, a):
        with t.no_grad():
            return a.max(0), a.std(), a.sort(1), t.std_mean(a), a.aminmax()

    check(fn, X2)


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda t, a: a.sum(5), lambda t, a: a.mean(-3), lambda t, a: a.prod(2),
    lambda t, a: a.max(2), lambda t, a: a.amax((0, 4)), lambda t, a: a.argmax(3),
    lambda t, a: a.std(2), lambda t, a: a.norm(dim=2), lambda t, a: a.logsumexp(5),
    lambda t, a: a.cumsum(2), lambda t, a: a.cumprod(-3), lambda t, a: a.sort(2),
    lambda t, a: a.topk(1, 2), lambda t, a: a.median(2), lambda t, a: a.all(2),
    lambda t, a: a.count_nonzero(2), lambda t, a: a.kthvalue(1, 2), lambda t, a: a.mode(3),
    lambda t, a: a.cummax(2), lambda t, a: a.nansum(2), lambda t, a: a.diff(dim=2),
    lambda t, a: a.aminmax(dim=2), lambda t, a: a.argsort(-3)])
def test_dim_out_of_range(fn):
    check_error(fn, X2, match=True)


@pytest.mark.parametrize("fn, arr", [
    (lambda t, a: a.mean(), INTS),
    (lambda t, a: a.mean(0), INTS),
    (lambda t, a: a.std(), INTS),
    (lambda t, a: a.var(0), INTS),
    (lambda t, a: a.norm(), INTS),
    (lambda t, a: a.nanmean(), INTS),
    (lambda t, a: a.sum((0, 0)), X2),
    (lambda t, a: a.amax((1, -1)), X2),
    (lambda t, a: a.max(), E03),
    (lambda t, a: a.min(), E03),
    (lambda t, a: a.amax(), E03),
    (lambda t, a: a.amin(0), E03),
    (lambda t, a: a.max(0), E03),
    (lambda t, a: a.argmax(), E03),
    (lambda t, a: a.argmin(0), E03),
    (lambda t, a: a.argmax(), BOOLS),
    (lambda t, a: a.aminmax(), E03),
    (lambda t, a: a.norm(float("inf")), E03),
    (lambda t, a: a.norm(p="abc"), X2),
    (lambda t, a: a.median(0), E03),
    (lambda t, a: a.mode(0), E03),
    (lambda t, a: a.topk(5), X2),
    (lambda t, a: a.topk(-1), X2),
    (lambda t, a: a.topk(1), BOOLS),
    (lambda t, a: a.kthvalue(0), X2),
    (lambda t, a: a.kthvalue(5), X2),
    (lambda t, a: a.diff(), S0),
    (lambda t, a: a.diff(n=-1), X2),
    (lambda t, a: a.diff(append=t.zeros(1)), X2),
    (lambda t, a: a.diff(prepend=t.zeros(2, 1)), X2),
    (lambda t, a: a.trace(), X3),
    (lambda t, a: a.trace(), S0),
    (lambda t, a: a.trace(), BOOLS),
    (lambda t, a: a.median(), BOOLS),
    (lambda t, a: a.logsumexp(()), X2),
])
def test_errors(fn, arr):
    check_error(fn, arr, match=True)


@pytest.mark.parametrize("fn", [lambda t, a: a.prod((0, 1)), lambda t, a: a.max(dim=(0, 1)),
                                lambda t, a: a.aminmax(dim=(0, 1)),
                                lambda t, a: a.var(unbiased=False, correction=1),
                                lambda t, a: t.logsumexp(a), lambda t, a: a.cumsum()])
def test_type_errors(fn):
    check_error(fn, X2)


# -- property tests --------------------------------------------------------------------------

@st.composite
def shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda d: d %
                         len(shape), min_size=1, max_size=len(shape)))
    seed = draw(st.integers(0, 1000))
    return shape, tuple(dims), draw(st.booleans()), seed


FNS = {
    "sum": lambda t, a, d, k: a.sum(d, k),
    "mean": lambda t, a, d, k: a.mean(d, k),
    "amax": lambda t, a, d, k: a.amax(d, k),
    "amin": lambda t, a, d, k: t.amin(a, d, k),
    "std": lambda t, a, d, k: a.std(d, keepdim=k, correction=0),
    "var": lambda t, a, d, k: t.var(a, d, keepdim=k),
    "norm": lambda t, a, d, k: a.norm(2, d, k),
    "norm3": lambda t, a, d, k: a.norm(3, d, k),
    "logsumexp": lambda t, a, d, k: a.logsumexp(d, k),
    "nansum": lambda t, a, d, k: a.nansum(d, k),
    "var_mean": lambda t, a, d, k: t.var_mean(a, d, keepdim=k, correction=0),
}


@pytest.mark.parametrize("name", list(FNS))
@settings(max_examples=12, deadline=None)
@given(case=shape_and_dims())
def test_property_multi_dim_reductions(name, case):
    shape, dims, keepdim, seed = case
    arr = np.random.default_rng(seed).uniform(-2, 2, shape)
    fn = FNS[name]
    check(lambda t, a: fn(t, a, dims, keepdim), arr)


SINGLE = {
    "max": lambda t, a, d, k: a.max(d, k),
    "min": lambda t, a, d, k: a.min(d, k),
    "prod": lambda t, a, d, k: a.prod(d, k),
    "cumsum": lambda t, a, d, k: a.cumsum(d),
    "cumprod": lambda t, a, d, k: a.cumprod(d),
    "sort": lambda t, a, d, k: a.sort(d, k),
    "median": lambda t, a, d, k: a.median(d, k),
    "kthvalue": lambda t, a, d, k: a.kthvalue(1, d, k),
    "topk": lambda t, a, d, k: a.topk(1, d, largest=k),
    "logcumsumexp": lambda t, a, d, k: a.logcumsumexp(d),
    "cummax": lambda t, a, d, k: a.cummax(d),
    "argmax": lambda t, a, d, k: a.argmax(d, k),
}


@pytest.mark.parametrize("name", list(SINGLE))
@settings(max_examples=12, deadline=None)
@given(case=shape_and_dims(), zeros=st.booleans())
def test_property_single_dim_reductions(name, case, zeros):
    shape, dims, keepdim, seed = case
    arr = np.random.default_rng(seed).uniform(-2, 2, shape)
    if zeros and name in ("prod", "cumprod"):
        arr[np.random.default_rng(seed + 1).random(shape) < 0.4] = 0.0
    fn = SINGLE[name]
    check(lambda t, a: fn(t, a, dims[0], keepdim), arr)


@settings(max_examples=25, deadline=None)
@given(case=shape_and_dims())
def test_property_mode_small_ints(case):
    shape, dims, keepdim, seed = case
    arr = np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)
    check(lambda t, a: a.mode(dims[0], keepdim), arr)


def test_degrees_of_freedom_warning_text_is_torchs():
    def caught(lib, f):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            f(lib)
        return [str(x.message) for x in w]

    for f in (lambda m: m.ones(1).var(), lambda m: m.ones(1).std(0),
              lambda m: m.cov(m.ones(1, 1))):
        assert caught(ember, f) == caught(torch, f)

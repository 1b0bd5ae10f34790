"""ember.ops.extra_math against real PyTorch: special functions, complex construction,
integer helpers and statistics (values, dtypes, grad_fn names, first- and second-order
gradients, errors)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from oracle import assert_same, check, check_error, positive, rand

import ember

F32, F64 = np.float32, np.float64
_INTS = np.array([[1, 2, 3], [4, 5, 7]], dtype=np.int64)


def _tol(dtype) -> dict:
    """SciPy's and torch's series for the special functions agree to ~1e-9 in double."""
    return {"rtol": 1e-8, "atol": 1e-8} if dtype == F64 else {"rtol": 1e-5, "atol": 1e-5}


# -- unary special functions -----------------------------------------------------------------

_UNARY = {
    "lgamma": (lambda t, a: t.lgamma(a), positive),
    "digamma": (lambda t, a: t.digamma(a), positive),
    "polygamma1": (lambda t, a: t.polygamma(1, a), positive),
    "polygamma3": (lambda t, a: t.polygamma(3, a), positive),
    "polygamma0": (lambda t, a: t.polygamma(0, a), positive),
    "mvlgamma": (lambda t, a: t.mvlgamma(a + 2, 3), positive),
    "mvlgamma1": (lambda t, a: t.mvlgamma(a, 1), positive),
    "erfinv": (lambda t, a: t.erfinv(a), lambda *s, dtype: rand(*s, dtype=dtype, low=-0.9,
                                                                 high=0.9)),
    "i0": (lambda t, a: t.i0(a), rand),
    "sinc": (lambda t, a: t.sinc(a), rand),
    "logit": (lambda t, a: t.logit(a), lambda *s, dtype: rand(*s, dtype=dtype, low=0.05,
                                                               high=0.95)),
    "logit_eps": (lambda t, a: t.logit(a, eps=0.2), lambda *s, dtype: rand(
        *s, dtype=dtype, low=0.0, high=1.0)),
    "deg2rad": (lambda t, a: t.deg2rad(a), rand),
    "rad2deg": (lambda t, a: t.rad2deg(a), rand),
    "fix": (lambda t, a: t.fix(a), rand),
}


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("name", list(_UNARY))
def test_unary(name, dtype):
    fn, make = _UNARY[name]
    check(fn, make(2, 3, dtype=dtype), **_tol(dtype))


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv", "i0", "sinc", "logit",
                                  "deg2rad", "rad2deg"])
def test_unary_integer_inputs_promote(name):
    check(lambda t, a: getattr(t, name)(a), _INTS)
    check(lambda t, a: getattr(t, name)(a), _INTS.astype(np.int32))


def test_integer_promotion_of_polygamma_and_mvlgamma():
    check(lambda t, a: t.polygamma(1, a), _INTS)
    check(lambda t, a: t.mvlgamma(a, 2), _INTS + 1)


def test_methods():
    a = positive(2, 3, dtype=F64)
    tol = _tol(F64)
    check(lambda t, x: x.lgamma() + x.digamma() + x.polygamma(2) + x.i0() + x.sinc(), a, **tol)
    check(lambda t, x: (x / 3).erfinv() + (x / 3).logit() + x.deg2rad() + x.rad2deg(), a)
    check(lambda t, x: x.mvlgamma(2) + x.float_power(2), a + 1, **tol)


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv", "i0", "sinc", "logit",
                                  "deg2rad", "rad2deg", "fix"])
def test_inplace(name):
    a = rand(2, 3, dtype=F64, low=0.1, high=0.9)
    check(lambda t, x: getattr(x * 1, name + "_")(), a, **_tol(F64))


def test_inplace_with_arguments():
    a = positive(2, 3, dtype=F64)
    check(lambda t, x: (x * 1).polygamma_(2), a, **_tol(F64))
    check(lambda t, x: (x + 1).mvlgamma_(2), a, **_tol(F64))
    check(lambda t, x: (x / 3).logit_(0.3), a)
    check_error(lambda t, x: t.ones(3, dtype=t.int64).lgamma_(), a)


def test_special_values_at_poles():
    a = np.array([0.0, -1.0, -2.5, 1.0, np.inf, -np.inf, np.nan], dtype=F64)
    for name in ("lgamma", "digamma", "i0", "sinc"):
        check(lambda t, x: getattr(t, name)(x), a, grad=False)
    check(lambda t, x: t.erfinv(x), np.array([-1.0, 1.0, 0.0, 2.0], dtype=F64), grad=False)
    check(lambda t, x: t.logit(x), np.array([-0.5, 0.0, 0.5, 1.0, 1.5], dtype=F64),
          grad=False)


def test_sinc_and_logit_gradient_edges():
    # sinc's derivative is 0 at 0; logit's is nan outside [0, 1] and 0 where eps clamps
    check(lambda t, x: t.sinc(x), np.array([0.0, 0.5, -1.5], dtype=F64), second_order=False)
    x = np.array([-0.1, 0.05, 0.5, 0.97, 1.2], dtype=F64)
    check(lambda t, a: t.logit(a), x, second_order=False)
    check(lambda t, a: t.logit(a, 0.1), x, second_order=False)


def test_i0_at_zero_double_backward():
    check(lambda t, x: t.i0(x), np.array([0.0, 1.0, -2.0], dtype=F64))


@pytest.mark.parametrize("fn", [
    lambda t, x: t.lgamma(x), lambda t, x: t.digamma(x), lambda t, x: t.polygamma(1, x),
    lambda t, x: t.i0(x), lambda t, x: t.erfinv(x), lambda t, x: t.logit(x),
    lambda t, x: t.deg2rad(x), lambda t, x: t.rad2deg(x), lambda t, x: t.polygamma(0, x)])
def test_complex_inputs_rejected(fn):
    check_error(fn, np.array([1 + 1j, 2j], dtype=np.complex64), match=True)


def test_sinc_complex():
    z = (rand(3, dtype=F64) + 1j * rand(3, dtype=F64, seed=2)).astype(np.complex128)
    check(lambda t, x: t.sinc(x).abs(), z, second_order=False)


def test_polygamma_negative_n():
    check_error(lambda t, x: t.polygamma(-1, x), positive(3), match=True)


def test_mvlgamma_bad_p():
    check_error(lambda t, x: t.mvlgamma(x, 0), positive(3))


# -- binary functions ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [F32, F64])
def test_float_power(dtype):
    a, b = positive(2, 3, dtype=dtype), rand(3, dtype=dtype)
    check(lambda t, x, y: t.float_power(x, y), a, b)
    check(lambda t, x: t.float_power(x, 2), a)
    check(lambda t, x: t.float_power(x, 0.5), a)
    check(lambda t, y: t.float_power(2, y), b)
    check(lambda t, x: t.float_power(x, 3), _INTS)


def test_float_power_inplace():
    a = positive(2, 3, dtype=F64)
    check(lambda t, x: (x * 1).float_power_(2), a)
    check(lambda t, x, y: (x * 1).float_power_(y), a, rand(3, dtype=F32))
    check_error(lambda t, x: (x * 1).float_power_(2), positive(3), match=True)
    check_error(lambda t, x: (x * 1).float_power_(1j), positive(3, dtype=F64), match=True)


def test_float_power_complex():
    z = (rand(3, dtype=F64) + 1j * rand(3, dtype=F64, seed=1)).astype(np.complex128)
    # (second order: the oracle's real probe cannot differentiate a complex gradient)
    check(lambda t, x: t.float_power(x, 2).abs(), z, second_order=False)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_frexp(dtype):
    a = rand(2, 3, dtype=dtype, low=-40, high=40)
    check(lambda t, x: t.frexp(x), a)
    check(lambda t, x: x.frexp(), a)
    check(lambda t, x: t.frexp(x * 2).mantissa * 3, a)
    check_error(lambda t: t.frexp(t.tensor([1, 2])), match=True)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_ldexp(dtype):
    a = rand(2, 3, dtype=dtype)
    check(lambda t, x, e: t.ldexp(x, e), a, np.array([1, -2, 3]))
    check(lambda t, x, e: t.ldexp(x, e), a, rand(3, dtype=dtype))
    check(lambda t, x, e: x.ldexp(e), a, np.array([1, 2, 0]))
    check(lambda t, x, e: t.ldexp(x, e), _INTS, np.array([1, 2, 0]))


def test_gcd_lcm():
    a = np.array([[12, 18, -8], [0, 7, 9]], dtype=np.int64)
    b = np.array([8, -12, 0], dtype=np.int64)
    for name in ("gcd", "lcm"):
        check(lambda t, x, y: getattr(t, name)(x, y), a, b)
        check(lambda t, x, y: getattr(x, name)(y), a.astype(np.int32), b.astype(np.int32))
        check(lambda t, x, y: getattr(x * 1, name + "_")(y), a, b)
        check_error(lambda t, x, y: getattr(t, name)(x, y), positive(3), positive(3),
                    match=True)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_nextafter(dtype):
    a, b = rand(2, 3, dtype=dtype), rand(3, dtype=dtype, seed=4)
    check(lambda t, x, y: t.nextafter(x, y), a, b)
    check(lambda t, x, y: x.nextafter(y), a, np.array([np.inf, -np.inf, 0.0], dtype=dtype))
    check_error(lambda t: t.nextafter(t.tensor([1]), t.tensor([2])), match=True)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_logaddexp2(dtype):
    a, b = rand(2, 3, dtype=dtype), rand(3, dtype=dtype, seed=4)
    check(lambda t, x, y: t.logaddexp2(x, y), a, b)
    check(lambda t, x, y: x.logaddexp2(y), a, b)
    check_error(lambda t: t.logaddexp2(t.tensor([1]), t.tensor([2])), match=True)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_igamma(name, dtype):
    shape_arg = positive(3, dtype=dtype)
    x = positive(2, 3, dtype=dtype)
    # Differentiable in the second argument only: the first is a constant here.
    check(lambda t, b: getattr(t, name)(t.from_numpy(shape_arg.copy()), b), x)
    check(lambda t, a, b: getattr(t, name)(a, b), shape_arg, x, grad=False)
    check(lambda t, a, b: getattr(a, name)(b), shape_arg, x, grad=False)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_igamma_first_argument_has_no_derivative(name):
    check_error(lambda t, a, b: getattr(t, name)(a, b).sum().backward(), positive(3),
                positive(3), match=True)
    check_error(lambda t: getattr(t, name)(t.tensor([1]), t.tensor([2])), match=True)


def test_xlogy_frac_negative_exist():
    check(lambda t, x, y: t.xlogy(x, y) + t.frac(x) + t.negative(y), rand(3), positive(3))


# -- complex construction --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [F32, F64])
def test_complex(dtype):
    re, im = rand(2, 3, dtype=dtype), rand(3, dtype=dtype, seed=3)
    check(lambda t, a, b: t.complex(a, b), re, im)
    check(lambda t, a, b: t.complex(a, b).abs(), re, im)
    check(lambda t, a, b: (t.complex(a, b) ** 2).real, re, im)


def test_complex_errors():
    check_error(lambda t, a, b: t.complex(a, b), rand(2), rand(2, dtype=F64), match=True)
    check_error(lambda t: t.complex(t.tensor([1]), t.tensor([2])), match=True)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_polar(dtype):
    r, th = positive(2, 3, dtype=dtype), rand(3, dtype=dtype, seed=3)
    check(lambda t, a, b: t.polar(a, b), r, th)
    check(lambda t, a, b: (t.polar(a, b) * t.polar(b, a)).imag, r, th)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_view_as_real_and_complex(dtype):
    re, im = rand(2, 3, dtype=dtype), rand(2, 3, dtype=dtype, seed=3)
    check(lambda t, a, b: t.view_as_real(t.complex(a, b)), re, im)
    check(lambda t, a, b: t.view_as_real(t.complex(a, b) * t.complex(b, a)), re, im)
    pairs = rand(2, 3, 2, dtype=dtype)
    check(lambda t, x: t.view_as_complex(x), pairs)
    check(lambda t, x: t.view_as_complex(x) ** 2, pairs)
    check(lambda t, x: t.view_as_real(t.view_as_complex(x) * 2), pairs)


def test_view_as_errors():
    check_error(lambda t, x: t.view_as_real(x), rand(3), match=True)
    check_error(lambda t, x: t.view_as_complex(x), rand(2, 3), match=True)


# -- statistics ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [F32, F64])
def test_cov(dtype):
    x = rand(3, 5, dtype=dtype)
    check(lambda t, a: t.cov(a), x)
    check(lambda t, a: a.cov(correction=0), x)
    check(lambda t, a: t.cov(a), rand(6, dtype=dtype))
    fw = np.array([1, 2, 1, 3, 1])
    aw = positive(5, dtype=dtype)
    check(lambda t, a, w: t.cov(a, fweights=t.from_numpy(fw.copy()), aweights=w), x, aw)
    check(lambda t, a, w: t.cov(a, aweights=w), x, aw)
    check(lambda t, a: t.cov(a), _INTS)


def test_cov_errors():
    check_error(lambda t, a: t.cov(a), rand(2, 2, 2), match=True)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        out = ember.cov(ember.ones(2, 1))
    with pytest.warns(UserWarning):
        expected = torch.cov(torch.ones(2, 1))
    assert_same(out, expected)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_corrcoef(dtype):
    check(lambda t, a: t.corrcoef(a), rand(3, 5, dtype=dtype))
    check(lambda t, a: a.corrcoef(), rand(5, dtype=dtype), grad=False)
    check(lambda t, a: t.corrcoef(a), _INTS)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_histc(dtype):
    x = rand(50, dtype=dtype)
    check(lambda t, a: t.histc(a), x)
    check(lambda t, a: a.histc(bins=7, min=-1, max=1), x)
    check(lambda t, a: t.histc(a, bins=4, min=0, max=0), np.full(5, 2.0, dtype=dtype))
    check(lambda t, a: t.histc(a, bins=5, min=-2, max=2), np.array([-2, 2, 0, 3], dtype))
    check_error(lambda t: t.histc(t.tensor([1, 2])), match=True)
    check_error(lambda t, a: t.histc(a, bins=0), x, match=True)
    check_error(lambda t, a: t.histc(a, min=2, max=1), x, match=True)
    check_error(lambda t: t.histc(t.tensor([1.0, math.nan])), match=True)
    check_error(lambda t: t.histc(t.tensor([1.0, math.inf])), match=True)


def test_bincount():
    i = np.array([0, 1, 1, 3, 1])
    check(lambda t, a: t.bincount(a), i)
    check(lambda t, a: a.bincount(minlength=7), i)
    check(lambda t, a: t.bincount(a), np.array([], dtype=np.int64))
    for dt in (F32, F64):
        w = positive(5, dtype=dt)
        check(lambda t, a, b: t.bincount(a, weights=b), i, w, grad=False)
        out = ember.bincount(ember.from_numpy(i), ember.tensor(w, requires_grad=True))
        assert type(out.grad_fn).__name__ == "NotImplemented"
    check_error(lambda t: t.bincount(t.tensor([-1, 2])), match=True)
    check_error(lambda t: t.bincount(t.tensor([[1, 2]])), match=True)
    check_error(lambda t: t.bincount(t.tensor([1, 2]), t.ones(3)), match=True)
    check_error(lambda t: t.bincount(t.tensor([1, 2]), minlength=-1), match=True)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("p", [1, 2, 3, 1.5, math.inf])
def test_renorm(p, dtype):
    x = rand(3, 4, 2, dtype=dtype)
    check(lambda t, a: t.renorm(a, p, 0, 1.5), x)
    check(lambda t, a: a.renorm(p, -1, 2.0), x)
    check(lambda t, a: t.renorm(a, p, 1, 100.0), x)


def test_renorm_inplace_and_errors():
    x = rand(3, 4, dtype=F64)
    check(lambda t, a: (a * 1).renorm_(2, 0, 1.0), x)
    check_error(lambda t, a: t.renorm(a, 2, 0, 1.0), rand(3), match=True)
    check_error(lambda t, a: t.renorm(a, -1, 0, 1.0), x, match=True)
    check_error(lambda t, a: t.renorm(a, 2, 0, -1.0), x, match=True)


def test_views_share_memory_and_version():
    z = ember.tensor([1 + 2j, 3 + 4j])
    r = ember.view_as_real(z)
    r[0, 1] = 9.0
    assert z.tolist() == [1 + 9j, 3 + 4j] and r._base is z
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    c = ember.view_as_complex(x)
    version = x._version
    c.mul_(2)
    assert x.tolist() == [[2.0, 4.0], [6.0, 8.0]] and x._version > version
    # a strided complex tensor is viewed in place too
    zz = ember.from_numpy(np.arange(8, dtype=np.complex64).reshape(4, 2))[:, 1]
    assert_same(ember.view_as_real(zz), torch.view_as_real(
        torch.from_numpy(np.arange(8, dtype=np.complex64).reshape(4, 2))[:, 1]))


def _through_complex_view(t, a):
    b = a * 1
    t.view_as_complex(b).mul_(2j)
    return b


def _through_real_view(t, a, c):
    z = t.complex(a, c) * 1
    t.view_as_real(z).mul_(3)
    return t.view_as_real(z * z)


def test_inplace_through_views():
    # (Only the base is compared: the view itself, once changed in place, has grad_fn
    # AsStridedBackward0 in ember but ViewAsComplexBackward0 in torch.)
    check(_through_complex_view, rand(3, 2, dtype=F64))
    check(_through_real_view, rand(3, dtype=F64), rand(3, dtype=F64, seed=2))


def test_view_as_complex_stride_errors():
    check_error(lambda t, x: t.view_as_complex(x.t()), rand(2, 3, dtype=F64), match=True)
    check_error(lambda t, x: t.view_as_complex(x[:, 1:]), rand(3, 3, dtype=F64), match=True)


def test_binary_mixed_dtypes_and_scalars():
    a, b = rand(2, 1, dtype=F32), rand(3, dtype=F64, seed=4)
    check(lambda t, x, y: t.logaddexp2(x, y), a, b)
    check(lambda t, x, y: t.nextafter(x, y), a, b)
    check(lambda t, x, y: t.ldexp(x, y), a, b)
    check(lambda t, y: t.igamma(t.tensor(1.5, dtype=t.float64), y), positive(2, 3, dtype=F64))
    check(lambda t, x: t.lgamma(x) + t.digamma(x), np.array(2.5, dtype=F64), **_tol(F64))


def test_frexp_return_type():
    out = ember.frexp(ember.tensor([3.0, -0.25]))
    expected = torch.frexp(torch.tensor([3.0, -0.25]))
    assert_same(out.mantissa, expected.mantissa)
    assert_same(out.exponent, expected.exponent)
    assert repr(out).startswith("torch.return_types.frexp(")


def test_cov_corrcoef_complex():
    z = (rand(3, 4, dtype=F64) + 1j * rand(3, 4, dtype=F64, seed=2)).astype(np.complex128)
    check(lambda t, a: t.cov(a), z, grad=False)
    check(lambda t, a: t.cov(a).abs(), z, second_order=False)
    check(lambda t, a: t.corrcoef(a), z, grad=False)


# -- cdist / pdist ---------------------------------------------------------------------------

_PS = [0.0, 1.0, 2.0, 3.0, 0.5, 1.5, math.inf]


@pytest.mark.parametrize("p", _PS)
def test_cdist_2d(p):
    a, b = rand(4, 3, dtype=F64), rand(5, 3, dtype=F64, seed=3)
    check(lambda t, x, y: t.cdist(x, y, p=p), a, b, second_order=False)
    check(lambda t, x, y: t.cdist(x, y, p=p), a.astype(F32), b.astype(F32),
          second_order=False)


@pytest.mark.parametrize("p", _PS)
def test_cdist_batched_broadcast(p):
    a, b = rand(2, 1, 3, 4, dtype=F64), rand(3, 5, 4, dtype=F64, seed=5)
    check(lambda t, x, y: t.cdist(x, y, p=p), a, b, second_order=False)


@pytest.mark.parametrize("p", _PS)
def test_cdist_zero_distance_conventions(p):
    # repeated rows (zero distance) and equal coordinates (zero differences)
    a = np.array([[1.0, 2.0, 0.0], [0.5, 2.0, 1.0], [1.0, 2.0, 0.0]])
    b = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0]])
    check(lambda t, x, y: t.cdist(x, y, p=p, compute_mode="donot_use_mm_for_euclid_dist"),
          a, b, second_order=False)
    check(lambda t, x: t.pdist(x, p=p), a, second_order=False)


def test_cdist_mm_path():
    # p = 2 with more than 25 rows goes through one matrix product (EuclideanDistBackward0)
    a, b = rand(30, 3, dtype=F64), rand(4, 3, dtype=F64, seed=2)
    check(lambda t, x, y: t.cdist(x, y), a, b)
    check(lambda t, x, y: t.cdist(x, y), b, a)
    check(lambda t, x, y: t.cdist(x, y, compute_mode="use_mm_for_euclid_dist"), b, b[:3] * 2)
    check(lambda t, x, y: t.cdist(x, y, compute_mode="use_mm_for_euclid_dist"),
          rand(2, 1, 3, 4, dtype=F64), rand(3, 5, 4, dtype=F64, seed=9))
    check(lambda t, x, y: t.cdist(x, y), rand(2, 27, 3, dtype=F32), rand(2, 4, 3, dtype=F32),
          rtol=1e-4, atol=1e-4)
    check(lambda t, x, y: t.cdist(x, y, compute_mode="donot_use_mm_for_euclid_dist"), a, b,
          second_order=False)


def test_cdist_empty():
    check(lambda t, x, y: t.cdist(x, y), rand(2, 3, 0, dtype=F64), rand(2, 4, 0, dtype=F64),
          second_order=False)
    check(lambda t, x, y: t.cdist(x, y), rand(0, 3, dtype=F64), rand(4, 3, dtype=F64),
          second_order=False)


@pytest.mark.parametrize("p", _PS)
def test_pdist(p):
    check(lambda t, x: t.pdist(x, p=p), rand(5, 3, dtype=F64), second_order=False)
    check(lambda t, x: t.pdist(x, p=p), rand(4, 2, dtype=F32), second_order=False)
    check(lambda t, x: t.pdist(x, p=p), rand(1, 2, dtype=F64), second_order=False)


def _second(fn):
    def run(t, *xs):
        g = t.autograd.grad(fn(t, *xs).sum(), xs[0], create_graph=True)[0]
        return t.autograd.grad(g.sum(), xs[0])

    return run


def test_cdist_pdist_errors():
    a = rand(3, 5, dtype=F64)
    check_error(lambda t, x: t.cdist(x, x, p=-1), a, match=True)
    check_error(lambda t, x, y: t.cdist(x, y), a, rand(3, 4, dtype=F64), match=True)
    check_error(lambda t, x: t.cdist(x[0], x), a, match=True)
    check_error(lambda t, x: t.cdist(x, x[0]), a, match=True)
    check_error(lambda t, x: t.cdist(x, x, compute_mode="x"), a, match=True)
    check_error(lambda t, x, y: t.cdist(x, y), rand(2, 3, 5), rand(3, 3, 5), match=True)
    check_error(lambda t, x: t.cdist(x.int(), x.int()), a, match=True)
    check_error(lambda t, x: t.cdist(x, x.float()), a, match=True)
    check_error(lambda t, x: t.pdist(x, p=-1), a, match=True)
    check_error(lambda t, x: t.pdist(x[0]), a, match=True)
    check_error(lambda t, x: t.pdist(x.int()), a, match=True)
    # torch has no double backward for the direct kernels
    check_error(_second(lambda t, x, y: t.cdist(x, y, p=3)), a, rand(2, 5, dtype=F64),
                match=True)
    check_error(_second(lambda t, x: t.pdist(x)), a, match=True)

"""Activations against torch: values, grad_fn names, first and second order gradients."""

import warnings

import numpy as np
import pytest
import torch
from oracle import check, check_error, rand

import ember

F64 = np.float64


def _fn(t):
    """torch.nn.functional or ember.nn.functional."""
    return t.nn.functional


# Avoid the kinks (|x| near 0, +-1, +-3, thresholds) where finite precision decides a branch.
def smooth(*shape, dtype=np.float32, seed=0):
    x = rand(*shape, dtype=dtype, seed=seed, low=-4, high=4)
    x[np.abs(x - np.round(x)) < 0.05] += 0.1
    return x


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax(dim):
    check(lambda t, a: t.softmax(a, dim), smooth(3, 4))
    check(lambda t, a: a.softmax(dim), smooth(3, 4, dtype=F64))
    check(lambda t, a: _fn(t).softmax(a, dim=dim), smooth(3, 4))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_log_softmax(dim):
    check(lambda t, a: t.log_softmax(a, dim), smooth(2, 3, 4))
    check(lambda t, a: a.log_softmax(dim), smooth(2, 3, 4, dtype=F64))
    check(lambda t, a: _fn(t).log_softmax(a, dim=dim), smooth(2, 3, 4))


def test_softmax_stable_for_large_inputs():
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -1002.0]], dtype=np.float32)
    check(lambda t, a: a.softmax(1), x)
    check(lambda t, a: a.log_softmax(1), x)


def test_softmax_0d_and_1d():
    check(lambda t, a: a.softmax(0), np.array(1.5, dtype=np.float32))
    check(lambda t, a: a.log_softmax(-1), np.array(1.5, dtype=np.float32))
    check(lambda t, a: a.softmax(0), smooth(5))


def test_softmax_dtype_argument():
    check(lambda t, a: a.softmax(1, dtype=t.float64), smooth(3, 4))
    check(lambda t, a: _fn(t).log_softmax(a, 1, dtype=t.float64), smooth(3, 4))
    check(lambda t, a: t.softmax(a.long(), 0, dtype=t.float32), smooth(3, 4), grad=False)


def test_softmax_non_contiguous():
    check(lambda t, a: a.t().softmax(1), smooth(4, 3))
    check(lambda t, a: a[:, ::2].log_softmax(0), smooth(3, 6))


@pytest.mark.parametrize("ndim,name", [(1, "softmax"), (2, "log_softmax"), (3, "softmin"),
                                       (4, "softmax")])
def test_implicit_dim_warns(ndim, name):
    x = smooth(*[2, 3, 4, 5][:ndim])
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}"):
        e = getattr(ember.nn.functional, name)(ember.from_numpy(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(torch.nn.functional, name)(torch.from_numpy(x))
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_softmin():
    check(lambda t, a: _fn(t).softmin(a, 1), smooth(3, 4))
    check(lambda t, a: _fn(t).softmin(a, 0, dtype=t.float64), smooth(3, 4))


def test_softmax_errors():
    check_error(lambda t, a: a.long().softmax(1), smooth(3, 4), match=True)
    check_error(lambda t, a: a.long().softmax(0), smooth(3, 4), match=True)
    check_error(lambda t, a: a.long().log_softmax(1), smooth(3, 4), match=True)
    check_error(lambda t, a: a.softmax(2), smooth(3, 4), match=True)
    check_error(lambda t, a: a.sum().softmax(1), smooth(3, 4), match=True)


POINTWISE = [
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {}),
    ("elu", {"alpha": 2.0}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 0.5}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 1.0}), ("hardtanh", {}),
    ("hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("relu6", {}), ("hardsigmoid", {}),
    ("hardswish", {}), ("logsigmoid", {}), ("softsign", {}), ("tanhshrink", {}),
    ("hardshrink", {}), ("hardshrink", {"lambd": 1.5}), ("softshrink", {}),
    ("softshrink", {"lambd": 1.5}), ("relu", {}), ("sigmoid", {}), ("tanh", {}),
    ("rrelu", {}), ("threshold", {"threshold": 0.5, "value": -2.0}),
]


# PyTorch has no second derivative for these.
NO_DOUBLE_BACKWARD = {"hardsigmoid"}


@pytest.mark.parametrize("name,kw", POINTWISE)
def test_pointwise_activation(name, kw):
    check(lambda t, a: getattr(_fn(t), name)(a, **kw), smooth(3, 4),
          second_order=name not in NO_DOUBLE_BACKWARD)


@pytest.mark.parametrize("name,kw", POINTWISE[::2])
def test_pointwise_activation_float64_and_0d(name, kw):
    so = name not in NO_DOUBLE_BACKWARD
    check(lambda t, a: getattr(_fn(t), name)(a, **kw), smooth(2, 3, 2, dtype=F64),
          second_order=so)
    check(lambda t, a: getattr(_fn(t), name)(a, **kw), np.array(-1.3, dtype=np.float32),
          second_order=so)


def test_hardsigmoid_double_backward_not_implemented():
    def fn(t, a):
        g, = t.autograd.grad(_fn(t).hardsigmoid(a).sum(), a, create_graph=True)
        return t.autograd.grad(g.sum(), a)

    check_error(fn, smooth(3, 4), match=True)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "selu", "celu", "hardtanh", "relu6",
                                  "hardsigmoid", "hardswish", "silu", "mish", "relu", "rrelu"])
def test_inplace_activation(name):
    check(lambda t, a: getattr(_fn(t), name)(a * 1, inplace=True), smooth(3, 4),
          second_order=name not in NO_DOUBLE_BACKWARD)


@pytest.mark.parametrize("name", ["leaky_relu_", "elu_", "selu_", "celu_", "hardtanh_",
                                  "relu_", "rrelu_"])
def test_underscore_activation(name):
    check(lambda t, a: getattr(_fn(t), name)(a * 1), smooth(3, 4))


def test_threshold_variants():
    check(lambda t, a: t.threshold(a, 0.1, 20.0), smooth(3, 4))
    check(lambda t, a: _fn(t).threshold(a * 1, 0.1, 2.0, inplace=True), smooth(3, 4))
    check(lambda t, a: t.threshold_(a * 1, 0.1, 2.0), smooth(3, 4))


def test_torch_namespace_activations():
    check(lambda t, a: t.selu(a), smooth(3, 4))
    check(lambda t, a: t.celu(a, 2.0), smooth(3, 4))
    check(lambda t, a: t.hardshrink(a, 0.7), smooth(3, 4))
    check(lambda t, a: a.hardshrink(), smooth(3, 4))
    check(lambda t, a: t.rrelu(a), smooth(3, 4))
    check(lambda t, a: t.selu_(a * 1), smooth(3, 4))


def test_int_inputs():
    x = np.arange(-3, 9, dtype=np.int64).reshape(3, 4)
    check(lambda t, a: _fn(t).hardtanh(a), x)
    check(lambda t, a: _fn(t).relu6(a), x)
    check(lambda t, a: _fn(t).threshold(a, 0, 2), x)
    check(lambda t, a: _fn(t).softsign(a), x)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "silu", "softplus", "logsigmoid",
                                  "hardswish", "hardsigmoid", "mish", "hardshrink"])
def test_int_inputs_not_implemented(name):
    x = np.arange(-3, 9, dtype=np.int64).reshape(3, 4)
    check_error(lambda t, a: getattr(_fn(t), name)(a), x, match=True)


def test_activation_errors():
    check_error(lambda t, a: _fn(t).gelu(a, approximate="foo"), smooth(3), match=True)
    check_error(lambda t, a: _fn(t).hardtanh(a, 1.0, -1.0), smooth(3), match=True)
    check_error(lambda t, a: _fn(t).softshrink(a, -1.0), smooth(3), match=True)
    check_error(lambda t, a: _fn(t).celu(a, 0.0), smooth(3), match=True)
    check_error(lambda t, a: _fn(t).leaky_relu(a, inplace=True), smooth(3), match=True)


def test_softplus_large_inputs_linear():
    x = np.array([-100.0, -30.0, 0.0, 19.0, 21.0, 100.0], dtype=np.float32)
    check(lambda t, a: _fn(t).softplus(a), x)
    check(lambda t, a: _fn(t).logsigmoid(a), x)


def test_glu():
    check(lambda t, a: _fn(t).glu(a), smooth(3, 4))
    check(lambda t, a: _fn(t).glu(a, 0), smooth(4, 3))
    check(lambda t, a: _fn(t).glu(a, dim=1), smooth(2, 6, 3, dtype=F64))
    check_error(lambda t, a: _fn(t).glu(a), smooth(3, 3), match=True)
    check_error(lambda t, a: _fn(t).glu(a.sum()), smooth(3, 3), match=True)


def test_prelu():
    check(lambda t, a, w: _fn(t).prelu(a, w), smooth(3, 4), np.array([0.25], np.float32))
    check(lambda t, a, w: t.prelu(a, w), smooth(2, 4, 3), rand(4, seed=3))
    check(lambda t, a, w: a.prelu(w), smooth(2, 3, 2, 2, dtype=F64), rand(3, seed=3, dtype=F64))
    check(lambda t, a, w: _fn(t).prelu(a, w), smooth(5), np.array(0.25, np.float32))
    check_error(lambda t, a, w: _fn(t).prelu(a, w), smooth(3, 4), rand(3), match=True)
    check_error(lambda t, a, w: _fn(t).prelu(a, w), smooth(4), rand(4), match=True)


def test_rrelu_training_draws_slopes_in_range():
    x = ember.from_numpy(-np.ones((200,), np.float32)).requires_grad_()
    y = ember.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    assert type(y.grad_fn).__name__ == "RreluWithNoiseBackward0"
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)


def test_gelu_matches_erf_definition():
    # Values far in the tails, where 1 + erf underflows in a naive formula.
    x = np.array([-12.0, -6.0, -0.5, 0.0, 0.5, 6.0], np.float64)
    check(lambda t, a: _fn(t).gelu(a), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, -1])
def test_softmax_plain_backward(name, dim):
    """Without create_graph the gradient takes an array fast path: same values."""
    check(lambda t, a: getattr(a, name)(dim), smooth(3, 4, 5), second_order=False)
    check(lambda t, a: getattr(a, name)(dim), smooth(4, dtype=F64), second_order=False)


@pytest.mark.parametrize("n", [7 * 4, 7 * 400, 7 * 401])  # small, row-viewable, odd sizes
def test_relu_clamp_hardtanh_large_and_special_values_like_torch(n):
    """Big float arrays take other NumPy loops (row-broadcast bounds, a product with a
    0/1 mask); values, signs of zeros and inf/nan gradients must stay torch's."""
    # (No nan input: torch's own hardtanh gradient at a nan depends on where in the array
    # it sits, the vectorised body or the scalar tail.)
    special = np.array([-1.0, 0.0, 2.0, 0.3, -np.inf, np.inf, 3.0], np.float32)
    x0 = np.resize(special, n) * np.resize(rand(n), n)
    grads = [np.resize(np.array([-1.0, -2.0, np.inf, 5.0, 1.0, -np.inf, np.nan], np.float32),
                       n), rand(n, seed=3)]
    for g0 in grads:
        out = {}
        for lib in (torch, ember):
            x = lib.tensor(x0, requires_grad=True)
            ys = [lib.relu(x), x.clamp(-0.5, 0.5), x.clamp(min=0.25),
                  lib.nn.functional.hardtanh(x)]
            sum((y * lib.tensor(g0)).sum() for y in ys[1:]).backward(retain_graph=True)
            ys[0].backward(lib.tensor(g0))
            out[lib] = [y.detach().numpy() for y in ys] + [x.grad.numpy()]
        for e, t in zip(out[ember], out[torch]):
            np.testing.assert_array_equal(e, t)
            np.testing.assert_array_equal(np.signbit(e), np.signbit(t))

"""Convolution and pooling ops (ember/ops/conv.py) against torch: values, gradients,
second-order gradients, grad_fn names and error messages."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from oracle import check, check_error, rand

import ember


def F(t):
    return t.nn.functional


X = rand(2, 4, 7, 8)
B = rand(6, seed=2)


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2}, {"padding": 1}, {"dilation": 2}, {"padding": "same"},
    {"padding": "valid"}, {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)},
])
def test_conv2d(kw):
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, **kw), X, rand(6, 4, 3, 2, seed=1), B)


def test_conv2d_groups_no_bias():
    check(lambda t, x, w: F(t).conv2d(x, w, None, 2, 1, 1, 2), X, rand(6, 2, 3, 3, seed=1))


def test_conv2d_depthwise():
    check(lambda t, x, w: F(t).conv2d(x, w, groups=4), X, rand(8, 1, 2, 2, seed=3))


def test_conv2d_same_even_kernel_warns_once_like_torch():
    # torch warns once per process (TORCH_WARN_ONCE); its text comes from a fresh process.
    code = ("import warnings, torch; warnings.simplefilter('always');\n"
            "with warnings.catch_warnings(record=True) as r:\n"
            "    for _ in range(2): torch.nn.functional.conv2d(torch.ones(1, 1, 4, 4), "
            "torch.ones(1, 1, 2, 2), padding='same')\n"
            "print(len(r)); print(r[0].message)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    ember.ops.conv._SAME_WARNING[0] = False
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        for _ in range(2):
            F(ember).conv2d(ember.ones(1, 1, 4, 4), ember.ones(1, 1, 2, 2), padding="same")
    assert len(rec) == int(out[0]) == 1
    assert str(rec[0].message) == out[1]
    assert rec[0].category is UserWarning


def test_conv2d_unbatched():
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, padding=1), X[0], rand(6, 4, 3, 3), B)


def test_conv1d_conv3d():
    check(lambda t, x, w, b: F(t).conv1d(x, w, b, stride=2, padding=1), rand(2, 3, 9),
          rand(6, 3, 3), B)
    check(lambda t, x, w: F(t).conv3d(x, w, stride=(1, 2, 1), padding=1), rand(2, 3, 5, 5, 4),
          rand(4, 3, 3, 2, 3))


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2}, {"stride": 2, "padding": 1, "output_padding": 1},
    {"groups": 2, "dilation": 2}, {"stride": (2, 3), "output_padding": (1, 2)},
])
def test_conv_transpose2d(kw):
    g = kw.get("groups", 1)
    check(lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, **kw), X, rand(4, 3, 3, 2, seed=3),
          rand(3 * g, seed=4))


def test_conv_transpose1d_3d():
    check(lambda t, x, w: F(t).conv_transpose1d(x, w, stride=2), rand(2, 3, 5), rand(3, 2, 3))
    check(lambda t, x, w: F(t).conv_transpose3d(x, w, stride=2, padding=1),
          rand(1, 2, 3, 3, 2), rand(2, 2, 2, 3, 2))


def test_conv_float64_and_integer():
    check(lambda t, x, w: F(t).conv2d(x, w, stride=2), rand(2, 3, 6, 6, dtype=np.float64),
          rand(4, 3, 3, 3, dtype=np.float64))
    xi = np.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5) % 7
    wi = np.arange(4 * 3 * 2 * 2).reshape(4, 3, 2, 2) % 5
    check(lambda t, x, w: F(t).conv2d(x, w), xi, wi)


def test_conv_grad_fn_and_saved_input_version():
    x = ember.randn(1, 2, 5, 5)
    w = ember.randn(3, 2, 3, 3, requires_grad=True)
    y = F(ember).conv2d(x, w)
    assert type(y.grad_fn).__name__ == "ConvolutionBackward0"
    x.add_(1)  # the weight gradient needs x: torch raises on backward, so must ember
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("fn, args", [
    (lambda t, x, w: F(t).conv2d(x, w), (rand(8, 4, 10, 10), rand(16, 3, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w), (rand(2, 3), rand(16, 3, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w), (rand(1, 3, 2, 2), rand(16, 3, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w, groups=3), (rand(8, 4, 10, 10), rand(16, 2, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w, stride=2, padding="same"),
     (rand(1, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w, padding="foo"), (rand(1, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w, stride=0), (rand(1, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w, padding=-1), (rand(1, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w, b: F(t).conv2d(x, w, b), (rand(1, 4, 5, 5), rand(2, 4, 3, 3), rand(3))),
    (lambda t, x, w: F(t).conv2d(x.double(), w), (rand(1, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w.double()), (rand(1, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w: F(t).conv2d(x, w.double()), (rand(2, 4, 5, 5), rand(2, 4, 3, 3))),
    (lambda t, x, w, b: F(t).conv2d(x, w, b.double()),
     (rand(2, 4, 5, 5), rand(2, 4, 3, 3), rand(2))),
    (lambda t, x, w: F(t).conv_transpose2d(x, w), (rand(2, 4, 5, 5), rand(3, 2, 3, 3))),
    (lambda t, x, w: F(t).conv_transpose2d(x, w, output_padding=2),
     (rand(2, 4, 5, 5), rand(4, 2, 3, 3))),
    (lambda t, x, w: F(t).conv1d(x, w, stride=(1, 1)), (rand(1, 4, 5), rand(2, 4, 3))),
])
def test_conv_errors(fn, args):
    check_error(fn, *args, match=True)


POOL_CASES = [
    {"kernel_size": 2}, {"kernel_size": 3, "stride": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 2, "ceil_mode": True, "padding": 1}, {"kernel_size": (3, 2), "stride": (2, 1)},
]
XP = rand(2, 3, 9, 8)


@pytest.mark.parametrize("kw", POOL_CASES + [{"kernel_size": 3, "dilation": (2, 1), "padding": 1}])
def test_max_pool2d(kw):
    check(lambda t, x: F(t).max_pool2d(x, **kw, return_indices=True), XP)
    check(lambda t, x: F(t).max_pool2d(x, **kw), XP[0])  # unbatched


@pytest.mark.parametrize("kw", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d(kw, count_include_pad):
    check(lambda t, x: F(t).avg_pool2d(x, **kw, count_include_pad=count_include_pad), XP)


def test_avg_pool2d_divisor_override_and_unbatched():
    check(lambda t, x: F(t).avg_pool2d(x, 3, 2, 1, divisor_override=4), XP)
    check(lambda t, x: F(t).avg_pool2d(x, 2), XP[0])


def test_max_pool_ties_and_nan_pick_like_torch():
    x = np.array([[[[1, 1, 0, 2], [0, 1, 2, 2], [np.nan, 0, 3, 3], [0, 0, 3, 3]]]], np.float32)
    check(lambda t, x: F(t).max_pool2d(x, 2, 1, return_indices=True), x, grad=False)


def test_pool_1d_3d():
    check(lambda t, x: F(t).max_pool1d(x, 3, 2, 1, return_indices=True), rand(2, 3, 10))
    check(lambda t, x: F(t).avg_pool1d(x, 3, 2, 1, ceil_mode=True), rand(2, 3, 10))
    check(lambda t, x: F(t).max_pool3d(x, 2, return_indices=True), rand(2, 3, 4, 5, 4))
    check(lambda t, x: F(t).avg_pool3d(x, 2, 1, 1), rand(2, 3, 4, 5, 4))
    check(lambda t, x: F(t).lp_pool2d(x, 2, 2), rand(2, 3, 4, 5, low=0.5))


@pytest.mark.parametrize("out", [1, 3, (4, 3), (None, 2), 5, (9, 8)])
def test_adaptive_pool2d(out):
    check(lambda t, x: F(t).adaptive_avg_pool2d(x, out), XP)
    check(lambda t, x: F(t).adaptive_max_pool2d(x, out, return_indices=True), XP)


def test_adaptive_pool_1d_3d():
    check(lambda t, x: F(t).adaptive_avg_pool1d(x, 4), rand(2, 3, 10))
    check(lambda t, x: F(t).adaptive_max_pool1d(x, 4, return_indices=True), rand(2, 3, 10))
    check(lambda t, x: F(t).adaptive_avg_pool3d(x, (2, 3, 1)), rand(2, 3, 4, 5, 4))
    check(lambda t, x: F(t).adaptive_max_pool3d(x, 2), rand(2, 3, 4, 5, 4))


def test_unfold_fold():
    check(lambda t, x: F(t).unfold(x, 2, padding=1, stride=2), rand(2, 3, 4, 5), grad_fn=False)
    check(lambda t, x: F(t).fold(x, (4, 5), 2, padding=1, stride=2), rand(2, 12, 9),
          grad_fn=False)


@pytest.mark.parametrize("fn, shape", [
    (lambda t, x: F(t).max_pool2d(x, 3, padding=2), (2, 3, 8, 8)),
    (lambda t, x: F(t).avg_pool2d(x, 3, padding=2), (2, 3, 8, 8)),
    (lambda t, x: F(t).max_pool2d(x, 3), (1, 1, 2, 2)),
    (lambda t, x: F(t).avg_pool2d(x, 3), (1, 1, 2, 2)),
    (lambda t, x: F(t).max_pool2d(x, 3), (2, 2)),
    (lambda t, x: F(t).max_pool2d(x, 0), (1, 1, 4, 4)),
    (lambda t, x: F(t).adaptive_avg_pool2d(x, 3), (2, 2)),
    (lambda t, x: F(t).avg_pool2d(x, 2), (2, 2)),
    (lambda t, x: F(t).max_pool2d(x, 2), (1, 0, 4, 4)),
    (lambda t, x: F(t).avg_pool2d(x, 2), (0, 4, 4)),
    (lambda t, x: F(t).max_pool3d(x, 2), (1, 0, 2, 4, 4)),
])
def test_pool_errors(fn, shape):
    check_error(fn, rand(*shape), match=True)


def test_conv_is_one_node_per_layer_and_double_backward_through_conv():
    x = ember.randn(2, 3, 6, 6, requires_grad=True)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    y = F(ember).conv2d(x, w, padding=1)
    assert len(y.grad_fn.next_functions) == 3  # input, weight, bias (None)
    (gx,) = ember.autograd.grad(y.pow(2).sum(), x, create_graph=True)
    xt = torch.from_numpy(x.detach().numpy().copy()).requires_grad_()
    wt = torch.from_numpy(w.detach().numpy().copy()).requires_grad_()
    (gxt,) = torch.autograd.grad(F(torch).conv2d(xt, wt, padding=1).pow(2).sum(), xt,
                                 create_graph=True)
    (ggw,) = ember.autograd.grad(gx.sum(), w)
    (ggwt,) = torch.autograd.grad(gxt.sum(), wt)
    np.testing.assert_allclose(ggw.numpy(), ggwt.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}, {"groups": 2}])
def test_conv_weight_grad_from_kept_columns_twice_and_under_hooks(kw):
    """The forward keeps its columns for the weight gradient (a plain backward uses them
    once); a second backward (retain_graph) and saved-tensor hooks take the other path."""
    x0, w0 = rand(3, 4, 9, 9), rand(6, 4 // kw.get("groups", 1), 3, 3, seed=1)
    grads = {}
    for lib in (torch, ember):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        y = F(lib).conv2d(x, w, **kw)
        g = lib.tensor(rand(*y.shape, seed=5))
        y.backward(g, retain_graph=True)
        first = w.grad.clone()
        y.backward(g)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
            y2 = F(lib).conv2d(x, w, **kw)
        (hooked,) = lib.autograd.grad(y2, w, g)
        grads[lib] = [first, w.grad, x.grad, hooked]
    for e, t in zip(grads[ember], grads[torch]):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)


def test_conv_kept_columns_still_see_inplace_change_of_input():
    x = ember.randn(2, 2, 5, 5)
    w = ember.randn(3, 2, 3, 3, requires_grad=True)
    y = F(ember).conv2d(x, w)
    assert y.grad_fn.__dict__.get("_cols") is not None  # the columns were kept...
    x.mul_(2)  # ...but x changed: torch raises, and so must ember, columns or not
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_conv_keeps_no_columns_when_weight_is_frozen_or_no_grad():
    x = ember.randn(2, 2, 5, 5, requires_grad=True)
    w = ember.randn(3, 2, 3, 3)
    assert "_cols" not in F(ember).conv2d(x, w).grad_fn.__dict__
    with ember.no_grad():
        assert F(ember).conv2d(x, w.requires_grad_()).grad_fn is None

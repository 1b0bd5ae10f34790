"""The fast paths of ember/ops/conv.py, activation.py, loss.py and layer_norm against torch.

Each case picks a branch of the kernels: two-stage im2col/col2im (second-last stride 1) or
one stage, padded or not, the output-gradient matrix shared by a convolution's input, weight
and bias formulas, max pooling's branch-free argmax and its NaN fallback, the scatters for
overlapping and non-overlapping windows, and the plain-backward array formulas of softmax,
log_softmax, nll_loss and layer_norm (the create_graph ones are covered by the second-order
checks). Values, gradients, second-order gradients and grad_fn names come from torch.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from oracle import assert_same, check, check_error, rand

import ember
from ember._alloc import tune_malloc


def F(t):
    return t.nn.functional


# -- convolution ---------------------------------------------------------------------------

@pytest.mark.parametrize("xs, ws, kw", [
    ((4, 1, 28, 28), (6, 1, 5, 5), {}),                                # LeNet conv1
    ((4, 6, 12, 12), (16, 6, 5, 5), {}),                               # LeNet conv2
    ((2, 3, 9, 11), (4, 3, 3, 5), {"stride": (1, 2)}),                 # two-stage, strided W
    ((2, 3, 9, 11), (4, 3, 3, 5), {"stride": (2, 1)}),                 # one stage
    ((2, 3, 9, 11), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 3, 9, 11), (4, 3, 3, 2), {"padding": (2, 1), "dilation": (2, 3)}),
    ((2, 4, 8, 7), (6, 2, 3, 3), {"padding": 1, "groups": 2}),
    ((2, 4, 8, 7), (4, 1, 3, 3), {"padding": 1, "groups": 4}),         # depthwise
    ((2, 3, 8, 7), (4, 3, 1, 3), {}),                                  # K_lead = 1
    ((2, 3, 8, 7), (4, 3, 3, 1), {"padding": (1, 0)}),                 # K_last = 1
    ((2, 3, 8, 7), (4, 3, 1, 1), {"stride": 2}),
    ((1, 2, 6, 6), (3, 2, 6, 6), {}),                                  # one output pixel
    ((1, 2, 5, 6), (3, 2, 2, 3), {"padding": "same", "dilation": 2}),
])
def test_conv2d_paths(xs, ws, kw):
    # float32 sums of a few thousand products: tolerances for their rounding (x10 for grads)
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, **kw), rand(*xs), rand(*ws, seed=1),
          rand(ws[0], seed=2), rtol=3e-5, atol=3e-5)


def test_conv2d_float64():
    x, w = rand(2, 3, 7, 6, dtype=np.float64), rand(4, 3, 3, 2, dtype=np.float64, seed=1)
    check(lambda t, x, w: F(t).conv2d(x, w, stride=(1, 2), padding=1), x, w)


def test_conv1d_and_conv3d():
    check(lambda t, x, w: F(t).conv1d(x, w, padding=2, dilation=2), rand(2, 3, 11),
          rand(4, 3, 3, seed=1))
    check(lambda t, x, w: F(t).conv3d(x, w, padding=1), rand(2, 2, 4, 5, 6),
          rand(3, 2, 3, 2, 3, seed=1))
    check(lambda t, x, w: F(t).conv3d(x, w, stride=(2, 1, 2), groups=2), rand(1, 4, 5, 5, 6),
          rand(4, 2, 2, 3, 2, seed=1))
    check(lambda t, x, w: F(t).conv3d(x, w, stride=(1, 2, 1)), rand(1, 2, 5, 5, 6),
          rand(2, 2, 2, 3, 2, seed=1))


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2, "output_padding": 1}, {"stride": (1, 2), "padding": (1, 0)},
    {"dilation": 2, "groups": 2}, {"stride": 3, "padding": 1, "dilation": (1, 2)},
])
def test_conv_transpose2d_paths(kw):
    check(lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, **kw), rand(2, 4, 5, 6),
          rand(4, 3, 3, 2, seed=1), rand(3 * kw.get("groups", 1), seed=2))


@pytest.mark.parametrize("which", ["input", "weight", "bias", "input+bias"])
def test_conv2d_partial_grads(which):
    """The gradient matrix shared between formulas, with each subset of them run."""
    arrays = [rand(2, 3, 7, 8), rand(4, 3, 3, 3, seed=1), rand(4, seed=2)]
    grads = {}
    for lib in (torch, ember):
        x, w, b = (lib.tensor(a) for a in arrays)
        need = {"input": [x], "weight": [w], "bias": [b], "input+bias": [x, b]}[which]
        for t in need:
            t.requires_grad_(True)
        y = F(lib).conv2d(x, w, b, padding=1)
        up = lib.tensor(rand(*y.shape, seed=3))
        grads[lib] = lib.autograd.grad(y, need, up)
    for e, t in zip(grads[ember], grads[torch]):
        assert_same(e, t, 1e-4, 1e-4)


def test_conv2d_retain_graph_backward_twice():
    x = ember.tensor(rand(2, 3, 7, 8))
    w = ember.tensor(rand(4, 3, 3, 3, seed=1), requires_grad=True)
    y = F(ember).conv2d(x, w, padding=1).square().sum()
    y.backward(retain_graph=True)
    first = w.grad.clone()
    w.grad = None
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), first.numpy(), rtol=1e-6)


def test_conv2d_no_grad_and_inplace_input_after_forward():
    x = ember.tensor(rand(1, 2, 5, 5))
    w = ember.tensor(rand(3, 2, 3, 3, seed=1), requires_grad=True)
    with ember.no_grad():
        assert F(ember).conv2d(x, w).grad_fn is None
    xr = ember.tensor(rand(1, 2, 5, 5), requires_grad=True)
    x2 = xr * 1
    y = F(ember).conv2d(x2, w)
    x2.add_(1)  # the weight gradient needs x2: as in torch, backward must refuse
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# -- pooling ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, kw", [
    ((2, 3, 8, 8), {"kernel_size": 2}),                                     # tiles exactly
    ((2, 3, 9, 7), {"kernel_size": 2}),                                     # leftover rows
    ((2, 3, 9, 9), {"kernel_size": 3, "stride": 2}),                        # overlapping
    ((2, 3, 9, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 9, 10), {"kernel_size": (2, 3), "stride": (3, 1), "ceil_mode": True}),
    ((2, 3, 10, 10), {"kernel_size": 2, "dilation": 2}),
    ((2, 3, 10, 10), {"kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True}),
    ((1, 1, 4, 4), {"kernel_size": 4}),
    ((3, 7, 7), {"kernel_size": 2, "stride": 1}),                           # unbatched
])
def test_max_pool2d_paths(shape, kw):
    check(lambda t, x: F(t).max_pool2d(x, **kw), rand(*shape))
    check(lambda t, x: F(t).max_pool2d(x, return_indices=True, **kw), rand(*shape, seed=1))


def test_max_pool2d_ties_keep_the_first_and_float64():
    x = np.repeat(np.repeat(rand(2, 3, 3, 3, dtype=np.float64), 2, -1), 2, -2)  # 2x2 ties
    check(lambda t, x: F(t).max_pool2d(x, 2, return_indices=True), x)
    check(lambda t, x: F(t).max_pool2d(x, 3, 1, return_indices=True), x)


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1}])
def test_max_pool2d_nan_and_inf_windows(kw):
    x = rand(2, 2, 6, 6)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan          # two NaNs in a window: the last wins
    x[1, 1, 2:4, 2:4] = -np.inf
    x[1, 0, 4, 4] = np.inf
    check(lambda t, x: F(t).max_pool2d(x, return_indices=True, **kw), x, second_order=False)


def test_max_pool2d_backward_with_infinite_gradient():
    x = rand(1, 2, 4, 4)
    g = rand(1, 2, 2, 2, seed=1)
    g[0, 0, 0, 0] = np.inf
    out = []
    for lib in (torch, ember):
        xt = lib.tensor(x, requires_grad=True)
        out.append(lib.autograd.grad(F(lib).max_pool2d(xt, 2), xt, lib.tensor(g))[0])
    assert_same(out[1], out[0])


def test_max_pool_1d_3d():
    check(lambda t, x: F(t).max_pool1d(x, 3, 2, 1, return_indices=True), rand(2, 3, 11))
    check(lambda t, x: F(t).max_pool3d(x, 2, return_indices=True), rand(2, 2, 4, 5, 6))
    check(lambda t, x: F(t).max_pool3d(x, (3, 2, 2), (2, 1, 2), 1), rand(1, 2, 5, 5, 6))


@pytest.mark.parametrize("kw", [
    {"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": (2, 3), "stride": 2, "ceil_mode": True, "divisor_override": 5},
])
def test_avg_pool2d_paths(kw):
    check(lambda t, x: F(t).avg_pool2d(x, **kw), rand(2, 3, 9, 8))


# -- unfold / fold ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {"kernel_size": 2}, {"kernel_size": (2, 3), "stride": (1, 2), "padding": 1},
    {"kernel_size": 3, "dilation": 2, "padding": 2}, {"kernel_size": (3, 2), "stride": 2},
])
def test_unfold_fold_single_nodes(kw):
    check(lambda t, x: F(t).unfold(x, **kw), rand(2, 3, 7, 8))
    check(lambda t, x: F(t).unfold(x, **kw), rand(3, 7, 8, dtype=np.float64))
    n = torch.nn.functional.unfold(torch.zeros(1, 3, 7, 8), **kw).shape
    check(lambda t, x: F(t).fold(x, (7, 8), **kw), rand(2, n[1], n[2]))
    check(lambda t, x: F(t).fold(x, (7, 8), **kw), rand(n[1], n[2]))


@pytest.mark.parametrize("fn, shape", [
    (lambda t, x: F(t).fold(x, (4, 5), 2, padding=1, stride=2), (2, 12, 10)),
    (lambda t, x: F(t).fold(x, (4, 5), 2, padding=1, stride=2), (2, 13, 9)),
    (lambda t, x: F(t).fold(x, (4, 5), 2, padding=1, stride=2), (2, 2, 12, 9)),
    (lambda t, x: F(t).fold(x, (1, 1), 3), (1, 9, 1)),
    (lambda t, x: F(t).fold(x, (4, 5), 2, stride=0), (2, 12, 9)),
    (lambda t, x: F(t).unfold(x, 6), (2, 3, 4, 5)),
    (lambda t, x: F(t).unfold(x, 2, dilation=0), (2, 3, 4, 5)),
    (lambda t, x: F(t).unfold(x, 2, padding=-1), (2, 3, 4, 5)),
    (lambda t, x: F(t).unfold(x, 2), (2, 0, 4, 5)),
    (lambda t, x: F(t).unfold(x, 2), (2, 3)),
])
def test_unfold_fold_errors(fn, shape):
    check_error(fn, rand(*shape), match=True)


# -- softmax, log_softmax, cross entropy, layer norm ---------------------------------------------

@pytest.mark.parametrize("shape, dim", [
    ((4, 3, 6, 5), -1), ((4, 3, 6, 5), 1), ((7, 10), 1), ((5,), 0), ((), 0),
])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_paths(shape, dim, op):
    check(lambda t, x: getattr(t, op)(x, dim), rand(*shape))
    check(lambda t, x: getattr(t, op)(x, dim), rand(*shape, dtype=np.float64))


def test_softmax_infinite_rows():
    x = rand(3, 5)
    x[0] = -np.inf
    x[1, 2] = np.inf
    x[2, 1] = -np.inf
    for op in ("softmax", "log_softmax"):
        check(lambda t, x: getattr(t, op)(x, 1), x, grad=False)


@pytest.mark.parametrize("kw", [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1},
    {"weight": True}, {"weight": True, "reduction": "none"}, {"label_smoothing": 0.1},
])
def test_cross_entropy_paths(kw):
    kw = dict(kw)
    target = np.array([1, 0, 3, 1, 2, 1])
    if kw.pop("weight", False):  # a constant: torch refuses a weight that requires grad
        w = np.array([0.5, 1.0, 2.0, 0.25], np.float32)
        kw["weight"] = None
        check(lambda t, x: F(t).cross_entropy(x, t.tensor(target), **{**kw, "weight":
                                                                        t.tensor(w)}),
              rand(6, 4))
        return
    check(lambda t, x: F(t).cross_entropy(x, t.tensor(target), **kw), rand(6, 4))


def test_cross_entropy_spatial_and_all_ignored():
    target = np.random.default_rng(0).integers(0, 3, (2, 4, 5))
    check(lambda t, x: F(t).cross_entropy(x, t.tensor(target)), rand(2, 3, 4, 5))
    check(lambda t, x: F(t).nll_loss(x, t.tensor(np.array([-100, -100]))), rand(2, 3))
    check(lambda t, x: F(t).nll_loss(x, t.tensor(np.array(2))), rand(3))


@pytest.mark.parametrize("shape, norm, affine", [
    ((4, 6, 8), (8,), True), ((4, 6, 8), (6, 8), True), ((4, 6, 8), (8,), False),
    ((3, 5), (5,), True), ((2, 1), (1,), True),
])
def test_layer_norm_paths(shape, norm, affine):
    w = rand(*norm, seed=1) if affine else None
    b = rand(*norm, seed=2) if affine else None
    check(lambda t, x, w, b: F(t).layer_norm(x, norm, w, b, 1e-5), rand(*shape), w, b)
    check(lambda t, x: F(t).layer_norm(x, norm), rand(*shape, dtype=np.float64))


def test_layer_norm_weight_only():
    w = rand(8, seed=1)
    check(lambda t, x, w: F(t).layer_norm(x, (8,), w), rand(3, 8), w)


# -- the allocator setting --------------------------------------------------------------------

def test_tune_malloc_returns_a_bool_and_can_be_disabled(monkeypatch):
    assert isinstance(tune_malloc(), bool)
    monkeypatch.setenv("EMBER_MALLOPT", "0")
    assert tune_malloc() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_tune_malloc_takes_effect_on_glibc():
    code = "from ember._alloc import tune_malloc; print(tune_malloc())"
    env = {k: v for k, v in os.environ.items() if k != "EMBER_MALLOPT"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout.strip()
    import platform

    assert out == str(platform.libc_ver()[0] == "glibc")


def test_empty_batch_and_strided_inputs():
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, padding=1), rand(0, 3, 6, 6),
          rand(4, 3, 3, 3, seed=1), rand(4, seed=2), second_order=False)
    check(lambda t, x, w: F(t).conv2d(x.permute(0, 3, 1, 2), w, padding=1), rand(2, 6, 5, 3),
          rand(4, 3, 3, 3, seed=1))
    check(lambda t, x: F(t).max_pool2d(x.transpose(2, 3), 2), rand(2, 3, 6, 8))
    check(lambda t, x: F(t).unfold(x, 2), rand(0, 3, 4, 5), second_order=False)
    check(lambda t, x, w: F(t).layer_norm(x, (10,), w), rand(0, 10), rand(10, seed=1),
          second_order=False)

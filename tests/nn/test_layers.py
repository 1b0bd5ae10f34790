"""Layers against torch: the same weights (copied from torch through load_state_dict) give
the same outputs, input gradients and parameter gradients."""

import re

import numpy as np
import pytest
import torch
from _helpers import both, same

import ember

RNG = np.random.default_rng(0)


def data(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


def compare(build, *inputs, train=True, rtol=1e-5, atol=1e-5, grad_fn=True):
    """Forward, then backward of a weighted sum; outputs and all grads must match torch."""
    t, e = both(build)
    t.train(train)
    e.train(train)
    t_in = [torch.tensor(x, requires_grad=x.dtype.kind == "f") if isinstance(x, np.ndarray)
            else x for x in inputs]
    e_in = [ember.tensor(x, requires_grad=x.dtype.kind == "f") if isinstance(x, np.ndarray)
            else x for x in inputs]
    to, eo = t(*t_in), e(*e_in)
    if isinstance(to, tuple):
        to, eo = to[0], eo[0]
    same(eo, to, rtol, atol)
    if grad_fn and (eo.grad_fn is not None or to.grad_fn is not None):
        assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__
    if not to.requires_grad:
        return t, e
    up = RNG.standard_normal(tuple(to.shape)).astype(np.float32)
    (to * torch.tensor(up)).sum().backward()
    (eo * ember.tensor(up)).sum().backward()
    for ti, ei in zip(t_in, e_in):
        if isinstance(ti, torch.Tensor) and ti.requires_grad:
            same(ei.grad, ti.grad, rtol * 10, atol * 10)
    for (name, tp), (ename, ep) in zip(t.named_parameters(), e.named_parameters()):
        assert name == ename
        if tp.grad is None:
            assert ep.grad is None
        else:
            same(ep.grad, tp.grad, rtol * 10, atol * 10)
    return t, e


def test_linear():
    compare(lambda t: t.nn.Linear(5, 3), data(4, 5))
    compare(lambda t: t.nn.Linear(5, 3, bias=False), data(2, 4, 5))


def test_bilinear():
    compare(lambda t: t.nn.Bilinear(3, 4, 2), data(5, 3), data(5, 4))


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}, {"groups": 2, "dilation": 2},
                                {"padding": "same"}, {"padding": 1, "padding_mode": "reflect"},
                                {"padding": 2, "padding_mode": "circular"},
                                {"padding": 1, "padding_mode": "replicate", "bias": False}])
def test_conv2d_module(kw):
    compare(lambda t: t.nn.Conv2d(4, 6, 3, **kw), data(2, 4, 9, 8), rtol=1e-4)


def test_conv1d_conv3d_modules():
    compare(lambda t: t.nn.Conv1d(3, 4, 3, stride=2), data(2, 3, 11), rtol=1e-4)
    compare(lambda t: t.nn.Conv3d(2, 3, 2, padding=1), data(1, 2, 4, 4, 3), rtol=1e-4)


def test_conv_transpose_modules():
    compare(lambda t: t.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1),
            data(2, 4, 5, 5), rtol=1e-4)
    compare(lambda t: t.nn.ConvTranspose1d(2, 3, 4, stride=3, groups=1), data(2, 2, 5),
            rtol=1e-4)


def test_conv_transpose_output_size():
    t, e = both(lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1))
    x = data(1, 3, 4, 4)
    same(e(ember.tensor(x), output_size=[8, 8]), t(torch.tensor(x), output_size=[8, 8]))
    with pytest.raises(ValueError) as et:
        t(torch.tensor(x), output_size=[10, 10])
    with pytest.raises(ValueError) as ee:
        e(ember.tensor(x), output_size=[10, 10])
    assert str(ee.value) == str(et.value).replace("torch.Size", "torch.Size")


@pytest.mark.parametrize("build", [
    lambda t: t.nn.MaxPool2d(3, 2, 1), lambda t: t.nn.MaxPool2d(2, return_indices=True),
    lambda t: t.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda t: t.nn.AdaptiveAvgPool2d((3, 2)), lambda t: t.nn.AdaptiveAvgPool2d(1),
    lambda t: t.nn.AdaptiveMaxPool2d(2), lambda t: t.nn.LPPool2d(2, 2),
])
def test_pool_modules(build):
    compare(build, data(2, 3, 8, 7, low=0.1))


def test_pool_1d_modules():
    compare(lambda t: t.nn.MaxPool1d(3, 2), data(2, 3, 10))
    compare(lambda t: t.nn.AvgPool1d(2), data(2, 3, 10))
    compare(lambda t: t.nn.AdaptiveAvgPool1d(4), data(2, 3, 10))


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm2d(train):
    t, e = compare(lambda lib: lib.nn.BatchNorm2d(3), data(4, 3, 5, 5), train=train, rtol=1e-4)
    same(e.running_mean, t.running_mean, 1e-5, 1e-6)
    same(e.running_var, t.running_var, 1e-5, 1e-6)
    assert int(e.num_batches_tracked) == int(t.num_batches_tracked)


def test_batchnorm1d_momentum_none_and_no_affine():
    t, e = both(lambda lib: lib.nn.BatchNorm1d(3, momentum=None, affine=False))
    for i in range(3):
        x = data(6, 3) + i
        same(e(ember.tensor(x)), t(torch.tensor(x)), 1e-4, 1e-5)
    same(e.running_mean, t.running_mean)
    same(e.running_var, t.running_var, 1e-4)
    assert int(e.num_batches_tracked) == 3
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        e(ember.ones(2, 3, 4, 5))


def test_batchnorm_untracked():
    compare(lambda t: t.nn.BatchNorm2d(3, track_running_stats=False), data(2, 3, 4, 4),
            train=False, rtol=1e-4)


def test_layernorm_groupnorm():
    compare(lambda t: t.nn.LayerNorm([4, 5]), data(3, 4, 5), rtol=1e-4)
    compare(lambda t: t.nn.LayerNorm(5, elementwise_affine=False), data(3, 5), rtol=1e-4)
    compare(lambda t: t.nn.GroupNorm(2, 4), data(3, 4, 5), rtol=1e-4)


def test_embedding():
    idx = np.array([[1, 2, 0], [4, 3, 0]])
    t, e = compare(lambda lib: lib.nn.Embedding(6, 3, padding_idx=0), idx)
    assert float(e.weight.grad[0].abs().sum()) == 0.0
    pre = ember.nn.Embedding.from_pretrained(ember.ones(4, 2))
    assert not pre.weight.requires_grad and pre.weight.shape == (4, 2)
    assert ember.nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4
    assert float(ember.nn.Embedding(5, 2, padding_idx=1).weight[1].detach().abs().sum()) == 0


def test_dropout_eval_is_identity_and_train_scales():
    compare(lambda t: t.nn.Dropout(0.3), data(4, 5), train=False)
    d = ember.nn.Dropout(0.5)
    y = d(ember.ones(1000))
    vals = set(np.unique(y.numpy()).tolist())
    assert vals <= {0.0, 2.0} and 300 < int((y == 0).sum()) < 700
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        ember.nn.Dropout(1.5)


def test_flatten_unflatten_identity():
    compare(lambda t: t.nn.Flatten(), data(2, 3, 4))
    compare(lambda t: t.nn.Flatten(0, 1), data(2, 3, 4))
    compare(lambda t: t.nn.Unflatten(1, (2, 3)), data(4, 6))
    compare(lambda t: t.nn.Identity(3, unused=1), data(4, 6))
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        ember.nn.Unflatten(1, (2.0, 3))


@pytest.mark.parametrize("build", [
    lambda t: t.nn.ReLU(), lambda t: t.nn.LeakyReLU(0.1), lambda t: t.nn.GELU(),
    lambda t: t.nn.GELU("tanh"), lambda t: t.nn.SiLU(), lambda t: t.nn.Sigmoid(),
    lambda t: t.nn.Tanh(), lambda t: t.nn.Softmax(dim=1), lambda t: t.nn.LogSoftmax(dim=-1),
    lambda t: t.nn.Softmin(dim=0), lambda t: t.nn.ELU(0.5), lambda t: t.nn.CELU(),
    lambda t: t.nn.SELU(), lambda t: t.nn.Softplus(2.0, 5.0), lambda t: t.nn.Hardtanh(-0.5, 1),
    lambda t: t.nn.ReLU6(), lambda t: t.nn.PReLU(), lambda t: t.nn.Threshold(0.1, -1.0),
    lambda t: t.nn.Hardsigmoid(), lambda t: t.nn.Hardswish(), lambda t: t.nn.Mish(),
    lambda t: t.nn.LogSigmoid(), lambda t: t.nn.Softsign(), lambda t: t.nn.Tanhshrink(),
    lambda t: t.nn.Hardshrink(), lambda t: t.nn.Softshrink(), lambda t: t.nn.GLU(),
])
def test_activation_modules(build):
    compare(build, data(3, 4), rtol=1e-5, atol=1e-6)


def test_inplace_relu_in_sequential():
    compare(lambda t: t.nn.Sequential(t.nn.Linear(3, 4), t.nn.ReLU(inplace=True)), data(2, 3))


@pytest.mark.parametrize("build, target", [
    (lambda t: t.nn.CrossEntropyLoss(), np.array([1, 0, 3])),
    (lambda t: t.nn.CrossEntropyLoss(label_smoothing=0.1, reduction="sum"), np.array([1, 0, 3])),
    (lambda t: t.nn.CrossEntropyLoss(weight=t.tensor([1.0, 2.0, 0.5, 1.0]), ignore_index=0),
     np.array([1, 0, 3])),
    (lambda t: t.nn.NLLLoss(), np.array([1, 0, 3])),
    (lambda t: t.nn.MSELoss(), data(3, 4)), (lambda t: t.nn.L1Loss(reduction="none"), data(3, 4)),
    (lambda t: t.nn.SmoothL1Loss(beta=0.5), data(3, 4)),
    (lambda t: t.nn.HuberLoss(delta=0.7), data(3, 4)),
    (lambda t: t.nn.BCEWithLogitsLoss(pos_weight=t.ones(4) * 2), data(3, 4, low=0, high=1)),
    (lambda t: t.nn.KLDivLoss(reduction="batchmean"), data(3, 4, low=0.1, high=1)),
])
def test_loss_modules(build, target):
    t, e = both(build)
    x = data(3, 4)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tl, el = t(tx, torch.tensor(target)), e(ex, ember.tensor(target))
    same(el, tl)
    assert type(el.grad_fn).__name__ == type(tl.grad_fn).__name__
    tl.sum().backward()
    el.sum().backward()
    same(ex.grad, tx.grad)
    assert list(e.state_dict()) == list(t.state_dict())


def test_bce_loss_module():
    t, e = both(lambda lib: lib.nn.BCELoss())
    x, y = data(3, 4, low=0.05, high=0.95), data(3, 4, low=0, high=1)
    same(e(ember.tensor(x), ember.tensor(y)), t(torch.tensor(x), torch.tensor(y)))


def test_legacy_loss_flags_warn_like_torch():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        t = torch.nn.MSELoss(size_average=False)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        e = ember.nn.MSELoss(size_average=False)
    assert e.reduction == t.reduction == "sum"


def test_module_constructor_errors_match_torch():
    def errs(t):
        out = []
        for fn in (lambda: t.nn.Conv2d(3, 4, 3, groups=2), lambda: t.nn.Conv2d(4, 3, 3, groups=2),
                   lambda: t.nn.Conv2d(4, 4, 3, padding="full"),
                   lambda: t.nn.Conv2d(4, 4, 3, stride=2, padding="same"),
                   lambda: t.nn.Conv2d(4, 4, 3, padding_mode="wrap"),
                   lambda: t.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
                   lambda: t.nn.GroupNorm(3, 4), lambda: t.nn.Dropout(-0.1),
                   lambda: t.nn.Hardtanh(1.0, 0.0)):
            try:
                fn()
                out.append(None)
            except Exception as ex:  # noqa: BLE001
                # Sets print in hash order, which varies even within torch: sort them.
                msg = re.sub(r"\{[^}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))),
                             str(ex))
                out.append((type(ex).__name__, msg))
        return out
    assert errs(ember) == errs(torch)


def test_forward_error_from_layer_matches_torch():
    x = data(8, 4, 10, 10)
    with pytest.raises(RuntimeError) as et:
        torch.nn.Conv2d(3, 16, 3)(torch.tensor(x))
    with pytest.raises(RuntimeError) as ee:
        ember.nn.Conv2d(3, 16, 3)(ember.tensor(x))
    assert str(ee.value) == str(et.value)


def test_small_cnn_training_step_matches_torch():
    def build(t):
        nn = t.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.0),
                             nn.Linear(8, 3))
    t, e = both(build)
    x, y = data(4, 1, 8, 8), np.array([0, 2, 1, 2])
    topt = torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9)
    eopt = ember.optim.SGD(e.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        tl = torch.nn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
        el = ember.nn.functional.cross_entropy(e(ember.tensor(x)), ember.tensor(y))
        same(el, tl, 1e-4, 1e-5)
        topt.zero_grad()
        eopt.zero_grad()
        tl.backward()
        el.backward()
        topt.step()
        eopt.step()
    for k, v in t.state_dict().items():
        same(e.state_dict()[k], v, 1e-4, 1e-5)


@pytest.mark.parametrize("build", [
    lambda t: t.nn.ZeroPad2d((1, 2, 0, 1)), lambda t: t.nn.ConstantPad1d(2, 3.5),
    lambda t: t.nn.ReflectionPad2d(1), lambda t: t.nn.ReplicationPad2d((2, 1, 1, 0)),
    lambda t: t.nn.PixelShuffle(2), lambda t: t.nn.PixelUnshuffle(2),
])
def test_padding_and_pixel_shuffle_modules(build):
    compare(build, data(2, 4, 4, 6))
    assert repr(build(ember)) == repr(build(torch))


def test_circular_pad_module():
    # F.pad(mode="circular") records IndexBackward0 where torch has CopySlices (F's choice)
    compare(lambda t: t.nn.CircularPad2d(1), data(2, 4, 4, 6), grad_fn=False)
    assert repr(ember.nn.CircularPad2d(1)) == repr(torch.nn.CircularPad2d(1))
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        ember.nn.CircularPad2d(1)(ember.ones(2))

"""nn.init and default layer initialisation: the distributions are torch's (bounds, means,
standard deviations measured on both libraries over many draws); deterministic initialisers
give torch's exact values."""

import math

import numpy as np
import pytest
import torch

import ember

init_e, init_t = ember.nn.init, torch.nn.init


def stats(t):
    a = np.asarray(t.detach().numpy(), dtype=np.float64).ravel()
    return a.min(), a.max(), a.mean(), a.std()


def assert_same_distribution(e, t, bound=None, rel=0.03):
    emin, emax, emean, estd = stats(e)
    tmin, tmax, tmean, tstd = stats(t)
    assert abs(estd - tstd) <= rel * tstd, (estd, tstd)
    assert abs(emean - tmean) <= 0.05 * tstd + 4 * tstd / math.sqrt(e.numel())
    if bound is not None:  # uniform: both fill [-bound, bound]
        assert -bound <= emin and emax <= bound and -bound <= tmin and tmax <= bound
        fill = 1 - max(0.01, 8 / e.numel())  # how close the extremes of n draws must come
        assert emax > fill * bound and emin < -fill * bound


def test_linear_default_init():
    torch.manual_seed(0)
    t, e = torch.nn.Linear(400, 500), ember.nn.Linear(400, 500)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) reduces to this
    assert_same_distribution(e.weight, t.weight, bound)
    assert_same_distribution(e.bias, t.bias, bound, rel=0.15)


def test_conv_default_init():
    torch.manual_seed(0)
    t, e = torch.nn.Conv2d(16, 64, 5), ember.nn.Conv2d(16, 64, 5)
    bound = 1 / math.sqrt(16 * 25)
    assert_same_distribution(e.weight, t.weight, bound)
    assert_same_distribution(e.bias, t.bias, bound, rel=0.3)
    tt, et = torch.nn.ConvTranspose2d(64, 16, 5), ember.nn.ConvTranspose2d(64, 16, 5)
    # transposed weights are (in, out/groups, k, k): fan_in is computed from dim 1
    assert_same_distribution(et.weight, tt.weight, 1 / math.sqrt(16 * 25))


def test_embedding_and_norm_defaults():
    torch.manual_seed(0)
    assert_same_distribution(ember.nn.Embedding(1000, 64).weight,
                             torch.nn.Embedding(1000, 64).weight)
    for build in (lambda t: t.nn.BatchNorm2d(5), lambda t: t.nn.LayerNorm(5),
                  lambda t: t.nn.GroupNorm(1, 5), lambda t: t.nn.PReLU(3, 0.1)):
        e, t = build(ember), build(torch)
        for (n, ev), (_, tv) in zip(e.state_dict().items(), t.state_dict().items()):
            np.testing.assert_array_equal(ev.numpy(), tv.numpy(), err_msg=n)


@pytest.mark.parametrize("name, kwargs, uniform_bound", [
    ("uniform_", {"a": -0.3, "b": 0.7}, None),
    ("normal_", {"mean": 0.5, "std": 2.0}, None),
    ("xavier_uniform_", {"gain": 2.0}, 2.0 * math.sqrt(6 / (300 + 200))),
    ("xavier_normal_", {}, None),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"},
     math.sqrt(2) * math.sqrt(3 / 200)),
    ("kaiming_normal_", {"a": 0.2}, None),
    ("trunc_normal_", {"std": 0.5, "a": -0.4, "b": 0.8}, None),
    ("trunc_normal_", {"mean": 1.0, "std": 3.0, "a": -1.0, "b": 2.0}, None),
])
def test_random_initialisers(name, kwargs, uniform_bound):
    torch.manual_seed(0)
    shape = (50, 200) if name == "trunc_normal_" else (200, 300)  # torch's is slow
    t, e = torch.empty(*shape), ember.empty(*shape)
    out = getattr(init_e, name)(e, **kwargs)
    getattr(init_t, name)(t, **kwargs)
    assert out is e
    assert_same_distribution(e, t, uniform_bound)
    if name == "trunc_normal_":
        assert e.min().item() >= kwargs["a"] and e.max().item() <= kwargs["b"]
    if name == "uniform_":
        assert e.min().item() >= -0.3 and e.max().item() <= 0.7


def test_orthogonal():
    torch.manual_seed(0)
    for shape in [(6, 10), (10, 6), (4, 3, 2)]:
        e = ember.empty(*shape)
        init_e.orthogonal_(e, gain=2.0)
        m = e.numpy().reshape(shape[0], -1)
        small = min(m.shape)
        prod = m @ m.T if m.shape[0] == small else m.T @ m
        np.testing.assert_allclose(prod, 4.0 * np.eye(small), atol=1e-5)


def test_deterministic_initialisers_equal_torch():
    for fn, shape, args in [(init_e.eye_, (3, 5), ()), (init_e.dirac_, (4, 2, 3, 3), ()),
                            (init_e.dirac_, (6, 3, 3), (2,)), (init_e.constant_, (2, 3), (0.25,)),
                            (init_e.ones_, (2, 2), ()), (init_e.zeros_, (3,), ())]:
        e, t = ember.full(shape, 7.0), torch.full(shape, 7.0)
        fn(e, *args)
        getattr(init_t, fn.__name__)(t, *args)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_calculate_gain_and_fans():
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                  ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None),
                  ("leaky_relu", 1)]:
        assert init_e.calculate_gain(nl, p) == init_t.calculate_gain(nl, p)
    for shape in [(3, 4), (5, 2, 3, 3), (2, 7, 4)]:
        assert init_e._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            init_t._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("call", [
    lambda i, t: i.calculate_gain("swish"),
    lambda i, t: i.calculate_gain("leaky_relu", "x"),
    lambda i, t: i.xavier_uniform_(t.empty(3)),
    lambda i, t: i.kaiming_normal_(t.empty(3, 3), mode="fan_avg"),
    lambda i, t: i.eye_(t.empty(2, 2, 2)),
    lambda i, t: i.dirac_(t.empty(2, 2)),
    lambda i, t: i.orthogonal_(t.empty(3)),
])
def test_init_errors_match_torch(call):
    with pytest.raises(Exception) as et:
        call(init_t, torch)
    with pytest.raises(Exception) as ee:
        call(init_e, ember)
    assert type(ee.value) is type(et.value) and str(ee.value) == str(et.value)


def test_init_leaves_parameters_as_leaves_and_bumps_version():
    lin = ember.nn.Linear(3, 2)
    v = lin.weight._version
    init_e.xavier_uniform_(lin.weight)
    assert lin.weight.is_leaf and lin.weight.requires_grad and lin.weight.grad_fn is None
    assert lin.weight._version > v


def test_generator_makes_init_reproducible():
    g = ember.Generator().manual_seed(3)
    a = init_e.normal_(ember.empty(5), generator=g).tolist()
    g.manual_seed(3)
    b = init_e.normal_(ember.empty(5), generator=g).tolist()
    assert a == b
    ember.manual_seed(11)
    x = ember.nn.Linear(4, 4).weight.tolist()
    ember.manual_seed(11)
    assert ember.nn.Linear(4, 4).weight.tolist() == x


def test_zero_element_warning_and_deprecated_aliases():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init_e.kaiming_uniform_(ember.empty(0, 3))
    with pytest.warns(FutureWarning, match="`nn.init.normal` is now deprecated"):
        init_e.normal(ember.empty(2))

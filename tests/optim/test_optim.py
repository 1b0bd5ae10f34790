"""torch.optim against torch: parameter trajectories over several steps for every option,
state_dict format, load_state_dict, param groups, zero_grad, closures, hooks, errors."""

import itertools

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
W0 = [RNG.standard_normal((3, 4)).astype(np.float32), RNG.standard_normal(4).astype(np.float32)]
X = RNG.standard_normal((5, 3)).astype(np.float32)


def loss_fn(lib, params):
    w, b = params
    x = lib.tensor(X)
    return ((x @ w + b).tanh() ** 2).sum() + (w * w).sum() * 0.1


def trajectory(lib, make_opt, steps=5, groups=None):
    params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in W0]
    opt = make_opt(lib, params if groups is None else groups(params))
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, params).backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out, opt, params


def assert_trajectories_equal(make_opt, steps=5, groups=None, rtol=1e-5, atol=1e-6):
    te, _, _ = trajectory(ember, make_opt, steps, groups)
    tt, _, _ = trajectory(torch, make_opt, steps, groups)
    for step, (a, b) in enumerate(zip(te, tt)):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=rtol, atol=atol, err_msg=f"step {step}")


SGD_OPTIONS = [dict(zip(("momentum", "dampening", "nesterov", "weight_decay", "maximize"), v))
               for v in itertools.product((0, 0.9), (0, 0.3), (False, True), (0, 0.05),
                                          (False, True))]
SGD_OPTIONS = [o for o in SGD_OPTIONS if not (o["nesterov"] and (o["momentum"] == 0
                                                                 or o["dampening"] != 0))]


@pytest.mark.parametrize("opts", SGD_OPTIONS, ids=lambda o: "-".join(
    f"{k}={v}" for k, v in o.items() if v))
def test_sgd_trajectories(opts):
    assert_trajectories_equal(lambda lib, p: lib.optim.SGD(p, lr=0.05, **opts))


@pytest.mark.parametrize("opts", [
    {}, {"weight_decay": 0.1}, {"amsgrad": True}, {"maximize": True},
    {"betas": (0.5, 0.9), "eps": 1e-3}, {"amsgrad": True, "weight_decay": 0.05},
])
@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
def test_adam_trajectories(cls, opts):
    assert_trajectories_equal(lambda lib, p: getattr(lib.optim, cls)(p, lr=0.01, **opts),
                              steps=6, rtol=1e-4, atol=1e-6)


def test_param_groups_with_own_options():
    def groups(params):
        return [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5, "momentum": 0.5}]
    assert_trajectories_equal(lambda lib, p: lib.optim.SGD(p, lr=0.1), groups=groups)


def test_state_dict_format_and_values():
    _, oe, _ = trajectory(ember, lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9), 2)
    _, ot, _ = trajectory(torch, lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9), 2)
    se, st = oe.state_dict(), ot.state_dict()
    assert se["param_groups"] == st["param_groups"]
    assert list(se["state"]) == list(st["state"]) == [0, 1]
    for k in st["state"]:
        assert list(se["state"][k]) == list(st["state"][k])
        np.testing.assert_allclose(se["state"][k]["momentum_buffer"].numpy(),
                                   st["state"][k]["momentum_buffer"].numpy(), rtol=1e-5)
    _, ae, _ = trajectory(ember, lambda lib, p: lib.optim.Adam(p, amsgrad=True), 2)
    _, at, _ = trajectory(torch, lambda lib, p: lib.optim.Adam(p, amsgrad=True), 2)
    sa, sat = ae.state_dict(), at.state_dict()
    assert sa["param_groups"] == sat["param_groups"]
    for k in sat["state"]:
        assert list(sa["state"][k]) == list(sat["state"][k])
        assert sa["state"][k]["step"].dtype == ember.float32
        assert float(sa["state"][k]["step"]) == float(sat["state"][k]["step"]) == 2.0


def test_load_state_dict_resumes_the_same_trajectory():
    def make(lib, p):
        return lib.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)
    full, _, _ = trajectory(ember, make, 4)
    _, opt, params = trajectory(ember, make, 2)
    saved = opt.state_dict()
    params2 = [ember.nn.Parameter(p.detach().clone()) for p in params]
    opt2 = make(ember, params2)
    opt2.load_state_dict(saved)
    assert opt2.state[params2[0]]["momentum_buffer"] is not None
    for _ in range(2):
        opt2.zero_grad()
        loss_fn(ember, params2).backward()
        opt2.step()
    for a, b in zip(params2, full[-1]):
        np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-6)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt2.load_state_dict({"state": {}, "param_groups": []})


def test_zero_grad_and_closure():
    def run(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.SGD([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p ** 2).sum()
            loss.backward()
            return loss

        losses = [float(opt.step(closure).detach()) for _ in range(3)]
        opt.zero_grad(set_to_none=False)
        zeroed = p.grad.tolist()
        opt.zero_grad()
        return losses, p.tolist(), zeroed, p.grad
    got, want = run(ember), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    assert got[2] == want[2] == [0.0, 0.0] and got[3] is None and want[3] is None


def test_step_runs_without_grad_and_bumps_versions():
    p = ember.nn.Parameter(ember.ones(3))
    (p * 2).sum().backward()
    v = p._version
    opt = ember.optim.SGD([p], lr=1.0)
    opt.step()
    assert p._version == v + 1 and p.is_leaf and p.grad_fn is None
    assert p.tolist() == [-1.0, -1.0, -1.0]
    q = ember.nn.Parameter(ember.ones(2))  # no grad: untouched
    ember.optim.SGD([q], lr=1.0).step()
    assert q.tolist() == [1.0, 1.0]


def test_repr_and_add_param_group():
    def run(lib):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([a], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": b, "lr": 0.01})
        out = [repr(opt), len(opt.param_groups), opt.param_groups[1]["momentum"]]
        try:
            opt.add_param_group({"params": [a]})
        except ValueError as ex:
            out.append(str(ex))
        return out
    assert run(ember) == run(torch)
    assert repr(ember.optim.Adam([ember.nn.Parameter(ember.ones(1))])) == \
        repr(torch.optim.Adam([torch.nn.Parameter(torch.ones(1))]))


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p, lr=-1),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=-1),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, weight_decay=-1),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, nesterov=True),
    lambda lib, p: lib.optim.SGD([], lr=0.1),
    lambda lib, p: lib.optim.SGD(p[0], lr=0.1),
    lambda lib, p: lib.optim.SGD([p[0] * 2], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": {p[0]}}], lr=0.1),
    lambda lib, p: lib.optim.SGD([1.0], lr=0.1),
    lambda lib, p: lib.optim.Adam(p, betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam(p, eps=-1),
    lambda lib, p: lib.optim.Adam(p, betas=(0.9, 1)),
])
def test_optimizer_errors_match_torch(make):
    def err(lib):
        p = [lib.nn.Parameter(lib.ones(2))]
        try:
            make(lib, p)
        except Exception as ex:  # noqa: BLE001
            return type(ex).__name__, str(ex).replace("torch.", "")
        return None
    want = err(torch)
    assert want is not None and err(ember) == want


def test_step_hooks():
    def run(lib):
        log = []
        p = lib.nn.Parameter(lib.ones(1))
        p.grad = lib.ones(1)
        opt = lib.optim.SGD([p], lr=0.5)
        h = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", p.tolist())))
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", p.tolist())))
        opt.step()
        h.remove()
        opt.step()
        return log
    assert run(ember) == run(torch)


def test_duplicate_parameter_warning():
    p = ember.nn.Parameter(ember.ones(1))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ember.optim.SGD([p, p], lr=0.1)


def test_tensor_lr():
    assert_trajectories_equal(lambda lib, p: lib.optim.SGD(p, lr=lib.tensor(0.05), momentum=0.5))

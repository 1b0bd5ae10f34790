"""optim.RMSprop, optim.Adagrad and the cyclic schedulers (OneCycleLR, CyclicLR,
CosineAnnealingWarmRestarts) against torch: parameter trajectories, state, learning rates
and momentums at every step, state_dict, errors."""

import itertools
import warnings

import numpy as np
import pytest
import torch
from test_optim import assert_trajectories_equal, trajectory

import ember

RMSPROP_OPTIONS = [dict(zip(("momentum", "centered", "weight_decay", "maximize"), v))
                   for v in itertools.product((0, 0.9), (False, True), (0, 0.05),
                                              (False, True))]


@pytest.mark.parametrize("opts", RMSPROP_OPTIONS, ids=lambda o: "-".join(
    f"{k}={v}" for k, v in o.items() if v) or "default")
def test_rmsprop_trajectories(opts):
    assert_trajectories_equal(lambda lib, p: lib.optim.RMSprop(p, lr=0.01, alpha=0.9, **opts),
                              steps=6)


ADAGRAD_OPTIONS = [dict(zip(("lr_decay", "weight_decay", "initial_accumulator_value",
                             "maximize"), v))
                   for v in itertools.product((0, 0.1), (0, 0.05), (0, 0.5), (False, True))]


@pytest.mark.parametrize("opts", ADAGRAD_OPTIONS, ids=lambda o: "-".join(
    f"{k}={v}" for k, v in o.items() if v) or "default")
def test_adagrad_trajectories(opts):
    assert_trajectories_equal(lambda lib, p: lib.optim.Adagrad(p, lr=0.1, **opts), steps=6)


def test_fixed_gradients_step_for_step():
    # Same gradients fed to both: the updates themselves agree to float32 rounding.
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    grads = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(8)]
    for make in (lambda lib, p: lib.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True,
                                                  weight_decay=0.05),
                 lambda lib, p: lib.optim.Adagrad(p, lr=0.1, lr_decay=0.1, weight_decay=0.05,
                                                  initial_accumulator_value=0.5, eps=1e-3)):
        out = []
        for lib in (ember, torch):
            p = lib.nn.Parameter(lib.tensor(w.copy()))
            opt = make(lib, [p])
            traj = []
            for g in grads:
                p.grad = lib.tensor(g.copy())
                opt.step()
                traj.append(p.detach().numpy().copy())
            out.append(traj)
        np.testing.assert_allclose(out[0], out[1], rtol=1e-6, atol=3e-7)


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.RMSprop(p, lr=0.1, momentum=0.5, centered=True),
    lambda lib, p: lib.optim.RMSprop(p),
    lambda lib, p: lib.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1),
])
def test_state_dict_and_repr(make):
    _, oe, pe = trajectory(ember, make, 3)
    _, ot, _ = trajectory(torch, make, 3)
    se, st = oe.state_dict(), ot.state_dict()
    assert se["param_groups"] == st["param_groups"]
    assert repr(oe) == repr(ot)
    for k in st["state"]:
        assert list(se["state"][k]) == list(st["state"][k])
        for name, v in st["state"][k].items():
            assert str(se["state"][k][name].dtype) == str(v.dtype)
            np.testing.assert_allclose(se["state"][k][name].numpy(), v.numpy(), rtol=1e-4,
                                       atol=1e-5)
    # A fresh optimizer loaded from the state continues the same trajectory.
    fresh = make(ember, pe)
    fresh.load_state_dict(se)
    assert fresh.state_dict()["param_groups"] == se["param_groups"]
    for k in se["state"]:
        for name, v in se["state"][k].items():
            np.testing.assert_array_equal(fresh.state_dict()["state"][k][name].numpy(),
                                          v.numpy())


def test_adagrad_state_exists_before_the_first_step():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.Adagrad([p], initial_accumulator_value=0.3)
        st = opt.state_dict()["state"][0]
        assert list(st) == ["step", "sum"]
        assert float(st["step"]) == 0.0
        np.testing.assert_allclose(st["sum"].numpy(), [0.3, 0.3])


def test_errors():
    for lib in (torch, ember):
        p = [lib.nn.Parameter(lib.ones(1))]
        for kw, msg in (({"lr": -1}, "Invalid learning rate"), ({"eps": -1}, "Invalid epsilon"),
                        ({"momentum": -1}, "Invalid momentum"), ({"alpha": -1}, "Invalid alpha"),
                        ({"weight_decay": -1}, "Invalid weight_decay")):
            with pytest.raises(ValueError, match=msg):
                lib.optim.RMSprop(p, **kw)
        for kw, msg in (({"lr_decay": -1}, "Invalid lr_decay"),
                        ({"initial_accumulator_value": -1},
                         "Invalid initial_accumulator_value")):
            with pytest.raises(ValueError, match=msg):
                lib.optim.Adagrad(p, **kw)


# -- schedulers ------------------------------------------------------------------------------

def sched(lib, name):
    return getattr(lib.optim.lr_scheduler, name)


def history(lib, build, steps=30, opt="SGD"):
    """Every group's lr, momentum/betas (and get_last_lr) after each step."""
    ps = [lib.nn.Parameter(lib.ones(1)) for _ in range(2)]
    groups = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(ps)]
    o = (lib.optim.SGD(groups, lr=0.1, momentum=0.9) if opt == "SGD"
         else lib.optim.Adam(groups, lr=0.1))
    s = build(lib, o)

    def snap():
        return (list(s.get_last_lr()),
                [{k: v for k, v in g.items() if k != "params"} for g in o.param_groups])

    out = [snap()]
    for _ in range(steps):
        o.step()
        s.step()
        out.append(snap())
    return out, s


SCHEDULES = [
    lambda lib, o: sched(lib, "OneCycleLR")(o, max_lr=1.0, total_steps=30),
    lambda lib, o: sched(lib, "OneCycleLR")(o, max_lr=[1.0, 0.5], total_steps=30,
                                            anneal_strategy="linear", three_phase=True),
    lambda lib, o: sched(lib, "OneCycleLR")(o, max_lr=1.0, epochs=3, steps_per_epoch=10,
                                            cycle_momentum=False, pct_start=0.25,
                                            div_factor=10.0, final_div_factor=100.0),
    lambda lib, o: sched(lib, "OneCycleLR")(o, max_lr=0.3, total_steps=31,
                                            base_momentum=[0.8, 0.7], max_momentum=0.9),
    lambda lib, o: sched(lib, "CyclicLR")(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    lambda lib, o: sched(lib, "CyclicLR")(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3,
                                          step_size_down=5, mode="triangular2"),
    lambda lib, o: sched(lib, "CyclicLR")(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                          mode="exp_range", gamma=0.9),
    lambda lib, o: sched(lib, "CyclicLR")(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                          scale_fn=lambda x: 0.5 ** x,
                                          scale_mode="iterations", cycle_momentum=False),
    lambda lib, o: sched(lib, "CosineAnnealingWarmRestarts")(o, T_0=4),
    lambda lib, o: sched(lib, "CosineAnnealingWarmRestarts")(o, T_0=3, T_mult=2,
                                                             eta_min=0.001),
]


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize("build", SCHEDULES)
def test_schedules_match_torch(build, opt):
    (got, se), (want, st) = history(ember, build, opt=opt), history(torch, build, opt=opt)
    assert got == want  # exact: the same float formulas, momentum/betas included
    assert sorted(se.state_dict()) == sorted(st.state_dict())


def test_cosine_warm_restarts_at_fractional_epochs():
    out = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(1))
        o = lib.optim.SGD([p], lr=0.1)
        s = sched(lib, "CosineAnnealingWarmRestarts")(o, T_0=3, T_mult=2)
        got = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (0.5, 1.2, 3.7, 9.1, 2.0, 21.5):
                o.step()
                s.step(epoch)
                got.append((s.get_last_lr(), s.T_cur, s.T_i, s.last_epoch))
            o.step()
            s.step()
            got.append((s.get_last_lr(), s.T_cur, s.T_i, s.last_epoch))
        out.append(got)
    assert out[0] == out[1]


def test_scheduler_errors():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(1))
        sgd = lib.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="You must define either total_steps OR"):
            sched(lib, "OneCycleLR")(sgd, max_lr=1.0)
        with pytest.raises(ValueError, match="Expected float between 0 and 1 pct_start"):
            sched(lib, "OneCycleLR")(sgd, max_lr=1.0, total_steps=10, pct_start=2.0)
        with pytest.raises(ValueError, match="anneal_strategy must be one of"):
            sched(lib, "OneCycleLR")(sgd, max_lr=1.0, total_steps=10, anneal_strategy="x")
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            sched(lib, "OneCycleLR")(lib.optim.Adagrad([p]), max_lr=1.0, total_steps=10)
        with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
            sched(lib, "CyclicLR")(sgd, 0.01, 0.1, mode="zigzag")
        with pytest.raises(ValueError, match="Expected positive integer T_0"):
            sched(lib, "CosineAnnealingWarmRestarts")(sgd, T_0=0)
        with pytest.raises(ValueError, match="max_lr must have the same length"):
            sched(lib, "OneCycleLR")(sgd, max_lr=[1.0, 2.0], total_steps=10)
        s = sched(lib, "OneCycleLR")(lib.optim.SGD([p], lr=0.1), max_lr=1.0, total_steps=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(3):
                s.step()
            with pytest.raises(ValueError, match="Tried to step 4 times. The specified number "
                                                 "of total steps is 3"):
                s.step()


def test_cyclic_lr_state_dict_roundtrip():
    class Scale:
        def __init__(self):
            self.base = 0.5

        def __call__(self, x):
            return self.base ** x

    def build(lib, o):
        return sched(lib, "CyclicLR")(o, 0.01, 0.1, step_size_up=2, scale_fn=Scale())

    _, se = history(ember, build, steps=3)
    _, st = history(torch, build, steps=3)
    de, dt = se.state_dict(), st.state_dict()
    assert sorted(de) == sorted(dt)
    assert de["_scale_fn_custom"] == dt["_scale_fn_custom"] == {"base": 0.5}
    _, fresh = history(ember, build, steps=0)
    fresh.load_state_dict(de)
    assert fresh.last_epoch == se.last_epoch and fresh.get_last_lr() == se.get_last_lr()

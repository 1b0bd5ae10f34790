"""torch.optim.lr_scheduler against torch: the learning rate of every epoch, state_dict,
and the step-order warning."""

import warnings

import pytest
import torch

import ember


def sched(lib, name):
    return getattr(lib.optim.lr_scheduler, name)


def lrs(lib, build, epochs=12, groups=2, metrics=None):
    ps = [lib.nn.Parameter(lib.ones(1)) for _ in range(groups)]
    opt = lib.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(ps)],
                        lr=0.1, momentum=0.9)
    s = build(lib, opt)
    out = [list(s.get_last_lr())]
    for e in range(epochs):
        opt.step()
        s.step() if metrics is None else s.step(metrics[e])
        out.append(list(s.get_last_lr()))
        out.append([g["lr"] for g in opt.param_groups])
    return out, s


@pytest.mark.parametrize("build", [
    lambda lib, o: sched(lib, "StepLR")(o, step_size=3, gamma=0.5),
    lambda lib, o: sched(lib, "MultiStepLR")(o, milestones=[2, 5, 5, 9], gamma=0.3),
    lambda lib, o: sched(lib, "ExponentialLR")(o, gamma=0.9),
    lambda lib, o: sched(lib, "CosineAnnealingLR")(o, T_max=4, eta_min=0.001),
    lambda lib, o: sched(lib, "LambdaLR")(o, lambda e: 1 / (e + 1)),
    lambda lib, o: sched(lib, "LambdaLR")(o, [lambda e: 0.9 ** e, lambda e: e]),
    lambda lib, o: sched(lib, "MultiplicativeLR")(o, lambda e: 0.95),
    lambda lib, o: sched(lib, "ConstantLR")(o, factor=0.5, total_iters=3),
    lambda lib, o: sched(lib, "LinearLR")(o, start_factor=0.2, end_factor=0.9, total_iters=6),
    lambda lib, o: sched(lib, "PolynomialLR")(o, total_iters=8, power=2.0),
    lambda lib, o: sched(lib, "SequentialLR")(o, [sched(lib, "LinearLR")(o, 0.1, total_iters=3),
                                                 sched(lib, "ExponentialLR")(o, 0.8)], [3]),
    lambda lib, o: sched(lib, "ChainedScheduler")([sched(lib, "ConstantLR")(o, 0.5, 4),
                                                   sched(lib, "ExponentialLR")(o, 0.9)]),
])
def test_schedules_match_torch(build):
    (got, se), (want, st) = lrs(ember, build), lrs(torch, build)
    assert got == want  # exact: the same float recurrences
    keys = [k for k in st.state_dict() if not k.startswith("_get_lr")]
    assert sorted(k for k in se.state_dict() if not k.startswith("_get_lr")) == sorted(keys)


def test_reduce_lr_on_plateau():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85]
    for kw in ({"patience": 2}, {"patience": 1, "cooldown": 2, "factor": 0.5},
               {"mode": "max", "threshold_mode": "abs", "patience": 0, "min_lr": 0.02}):
        got, _ = lrs(ember, lambda lib, o: sched(lib, "ReduceLROnPlateau")(o, **kw),
                     metrics=metrics)
        want, _ = lrs(torch, lambda lib, o: sched(lib, "ReduceLROnPlateau")(o, **kw),
                      metrics=metrics)
        assert got == want


def test_scheduler_state_dict_roundtrip_and_closed_form():
    _, s = lrs(ember, lambda lib, o: sched(lib, "StepLR")(o, 2, 0.5), epochs=5)
    p = ember.nn.Parameter(ember.ones(1))
    opt = ember.optim.SGD([p], lr=0.1)
    s2 = ember.optim.lr_scheduler.StepLR(opt, 2, 0.5)
    s2.load_state_dict(s.state_dict())
    assert s2.last_epoch == 5 and s2.get_last_lr() == s.get_last_lr()
    with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
        s2.step(4)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.25)


def test_step_order_warning_like_torch():
    for lib in (torch, ember):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        s = lib.optim.lr_scheduler.StepLR(opt, 1)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
            s.step()
        opt2 = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        s2 = lib.optim.lr_scheduler.StepLR(opt2, 1)
        opt2.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s2.step()


def test_scheduler_errors_match_torch():
    def errs(lib):
        out = []
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        for fn in (lambda: lib.optim.lr_scheduler.StepLR(object(), 1),
                   lambda: lib.optim.lr_scheduler.ConstantLR(opt, factor=2),
                   lambda: lib.optim.lr_scheduler.StepLR(opt, 1, last_epoch=3),
                   lambda: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.5),
                   lambda: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="avg")):
            try:
                fn()
                out.append(None)
            except Exception as ex:  # noqa: BLE001
                out.append((type(ex).__name__, str(ex)))
        return out
    assert errs(ember) == errs(torch)

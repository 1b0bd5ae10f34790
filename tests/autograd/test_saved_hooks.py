"""autograd.graph.saved_tensors_hooks / save_on_cpu / disable_saved_tensors_hooks, and
anomaly mode's forward tracebacks, each run on torch and on ember side by side."""

import warnings

import numpy as np
import pytest
import torch

import ember

X = np.array([0.5, -1.25, 2.0])


def _leaf(lib):
    return lib.tensor(X, requires_grad=True)


def _logged(lib, log):
    def pack(t):
        log.append(("pack", tuple(t.shape)))
        return t

    def unpack(t):
        log.append(("unpack", tuple(t.shape)))
        return t

    return lib.autograd.graph.saved_tensors_hooks(pack, unpack)


def test_pack_and_unpack_calls_follow_what_each_op_saves():
    def run(lib):
        log = []
        x = _leaf(lib)
        with _logged(lib, log):
            y = x * x  # saves self and other: two packs
            z = y.exp()  # saves its result: one pack
            w = x + 1  # saves nothing
        packed = list(log)
        (z.sum() + w.sum()).backward()
        return packed, log[len(packed):], x.grad.numpy()

    pe, ue, ge = run(ember)
    pt, ut, gt = run(torch)
    assert pe == pt and len(pe) == 3
    assert ue == ut and len(ue) == 3
    np.testing.assert_allclose(ge, gt)


def test_packed_value_is_what_backward_uses():
    # The pack hook may keep anything; backward uses what unpack gives back.
    def run(lib):
        x = _leaf(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 3, lambda p: p):
            y = x * x.detach()
        y.sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(run(ember), run(torch))
    np.testing.assert_allclose(run(ember), 3 * X)


def test_hooks_are_not_version_checked_and_inner_context_wins():
    def run(lib):
        calls = []
        x = _leaf(lib)
        a = x * 1
        with lib.autograd.graph.saved_tensors_hooks(lambda t: ("outer", t), lambda p: p[1]):
            with lib.autograd.graph.saved_tensors_hooks(
                    lambda t: ("inner", t.clone()), lambda p: (calls.append(p[0]), p[1])[1]):
                b = a * a
        with lib.no_grad():
            a.mul_(2)  # the hooks kept clones: no "modified by an inplace operation" error
        b.sum().backward()
        return calls, x.grad.numpy()

    ce, ge = run(ember)
    ct, gt = run(torch)
    assert ce == ct == ["inner", "inner"]
    np.testing.assert_allclose(ge, gt)


def test_unpack_must_return_a_tensor():
    def run(lib):
        x = _leaf(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: 1, lambda p: p):
            y = x * x
        y.sum().backward()

    with pytest.raises(TypeError) as et:
        run(torch)
    with pytest.raises(TypeError) as ee:
        run(ember)
    assert str(ee.value) == str(et.value)


def test_pack_hook_may_not_modify_its_input():
    def run(lib):
        def pack(t):
            t.add_(1)
            return t

        x = _leaf(lib)
        with lib.autograd.graph.saved_tensors_hooks(pack, lambda p: p):
            (x * 1) * x

    with pytest.raises(RuntimeError) as et:
        run(torch)
    with pytest.raises(RuntimeError) as ee:
        run(ember)
    assert str(ee.value) == str(et.value)


def test_custom_function_saved_tensors_go_through_the_hooks():
    def run(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return 2 * g * a

        log = []
        x = _leaf(lib)
        with _logged(lib, log):
            y = Square.apply(x)
        y.sum().backward()
        return log, x.grad.numpy()

    le, ge = run(ember)
    lt, gt = run(torch)
    assert le == lt
    np.testing.assert_allclose(ge, gt)


def test_save_on_cpu_gives_the_same_gradients():
    def run(lib):
        x = _leaf(lib)
        with lib.autograd.graph.save_on_cpu():
            y = (x.sin() * x).exp()
        y.sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(run(ember), run(torch))


def test_disable_saved_tensors_hooks():
    for lib in (torch, ember):
        with lib.autograd.graph.disable_saved_tensors_hooks("hooks are off here"):
            with pytest.raises(RuntimeError, match="hooks are off here"):
                with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass  # allowed again after the context


# -- anomaly mode: the forward stack of the node that failed ------------------------------

def _make_nan(lib, x):
    return (x * 0).log() * 0  # LogBackward0 returns nan: 0 * (1 / 0)


def _anomaly_run(lib, fail):
    x = _leaf(lib)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            y = fail(lib, x)
            recorded = y.grad_fn.metadata.get("traceback_")
            try:
                y.sum().backward()
                err = None
            except Exception as e:  # noqa: BLE001 - we compare what each library raises
                err = e
    messages = [str(m.message) for m in w if "Error detected in" in str(m.message)]
    return recorded, err, messages


def test_anomaly_nan_warns_with_the_forward_stack():
    re_, ee, me = _anomaly_run(ember, _make_nan)
    rt, et, mt = _anomaly_run(torch, _make_nan)
    assert type(ee) is type(et) is RuntimeError and str(ee) == str(et)
    assert len(me) == len(mt) == 1
    # The user's frames are the same on both sides: this test file, the lines of the call.
    assert me[0].startswith("Error detected in LogBackward0. Traceback of forward call")
    assert "_make_nan" in me[0] and "return (x * 0).log() * 0" in me[0]
    # The frames from _anomaly_run down (the test function's own line differs).
    user = [line for line in rt if __file__ in line and "test_anomaly_nan" not in line]
    assert [line for line in re_ if __file__ in line and "test_anomaly_nan" not in line] == user
    assert len(user) == 2
    assert "site-packages/ember" not in me[0] and "/ember/" not in me[0].split("(Trig")[0]


def _make_failing_function(lib, x):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    return Bad.apply(x) * 1


def test_anomaly_reports_the_node_that_raised():
    def run(lib):
        x = _leaf(lib)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = _make_failing_function(lib, x)
                with pytest.raises(ValueError, match="boom"):
                    y.sum().backward()
        return [str(m.message) for m in w if "Error detected in" in str(m.message)]

    me, mt = run(ember), run(torch)
    assert len(me) == len(mt) == 1
    assert me[0].split(".")[0] == mt[0].split(".")[0] == "Error detected in BadBackward"
    assert "_make_failing_function" in me[0]


def test_no_traceback_recorded_without_anomaly_mode():
    for lib in (torch, ember):
        y = _leaf(lib) * 2
        assert y.grad_fn.metadata == {}

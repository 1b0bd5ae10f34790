"""Grad modes against real PyTorch: no_grad, enable_grad, set_grad_enabled, inference_mode,
as context managers and decorators, nesting, exceptions, generators and threads."""

from __future__ import annotations

import threading

import pytest
from agcompare import raises, same


def _x(t):  # noqa: ANN001, ANN202
    return t.tensor([1.0, -2.0, 3.0], requires_grad=True)


def test_no_grad_context():
    def f(t):
        x = _x(t)
        with t.no_grad() as g:
            y = x * 2
            inside = t.is_grad_enabled()
        return g, y, y.requires_grad, y.grad_fn, inside, t.is_grad_enabled(), (x * 2).grad_fn
    same(f)


def test_seed_no_grad_example():
    def f(t):
        x = _x(t)
        out = [x.requires_grad, (x ** 2).requires_grad]
        with t.no_grad():
            out.append((x ** 2).requires_grad)
        out.append((x ** 2).requires_grad)
        return out
    same(f)


@pytest.mark.parametrize("deco", ["bare", "called"])
def test_no_grad_decorator(deco):
    def f(t):
        d = t.no_grad if deco == "bare" else t.no_grad()

        @d
        def double(a):  # noqa: ANN001, ANN202
            """Doc."""
            return a * 2, t.is_grad_enabled()

        y, mode = double(_x(t))
        return y, mode, double.__name__, double.__doc__, t.is_grad_enabled()
    same(f)


@pytest.mark.parametrize("deco", ["bare", "called"])
def test_enable_grad_decorator_inside_no_grad(deco):
    def f(t):
        d = t.enable_grad if deco == "bare" else t.enable_grad()

        @d
        def double(a):  # noqa: ANN001, ANN202
            return a * 2

        with t.no_grad():
            y = double(_x(t))
            z = _x(t) * 2
        return y, z
    same(f)


def test_enable_grad_inside_no_grad():
    def f(t):
        x = _x(t)
        with t.no_grad():
            with t.enable_grad() as e:
                a = x * 2
            b = x * 2
        return e, a, b, a.grad_fn
    same(f)


def test_nested_modes():
    def f(t):
        x = _x(t)
        out = []
        with t.no_grad():
            with t.set_grad_enabled(True):
                out.append((x * 2).requires_grad)
                with t.no_grad():
                    out.append((x * 2).requires_grad)
                out.append(t.is_grad_enabled())
            out.append((x * 2).requires_grad)
        out.append(t.is_grad_enabled())
        return out
    same(f)


def test_set_grad_enabled_as_function():
    def f(t):
        x = _x(t)
        r = t.set_grad_enabled(False)
        a = (x * 2, t.is_grad_enabled(), type(r).__name__)
        t.set_grad_enabled(True)
        b = (x * 2, t.is_grad_enabled())
        return a, b
    same(f)


@pytest.mark.parametrize("mode", [False, True])
def test_set_grad_enabled_context(mode):
    def f(t):
        x = _x(t)
        with t.no_grad() if mode else t.enable_grad():
            with t.set_grad_enabled(mode) as s:
                y = x * 2
                inside = t.is_grad_enabled()
            after = t.is_grad_enabled()
        return s, y, inside, after, t.is_grad_enabled()
    same(f)


def test_set_grad_enabled_decorator():
    def f(t):
        @t.set_grad_enabled(False)
        def g(a):  # noqa: ANN001, ANN202
            return a * 2

        return g(_x(t)), t.is_grad_enabled(), g.__name__
    same(f)


def test_set_grad_enabled_requires_argument():
    raises(lambda t: t.set_grad_enabled())


def test_mode_restored_after_exception():
    def f(t):
        out = []
        for ctx in (t.no_grad, t.enable_grad, lambda: t.set_grad_enabled(False),
                    t.inference_mode):
            try:
                with t.no_grad():
                    with t.enable_grad():
                        with ctx():
                            raise ValueError("boom")
            except ValueError:
                pass
            out.append(t.is_grad_enabled())
            out.append(t.is_inference_mode_enabled())
        return out
    same(f)


def test_decorated_function_exception_restores():
    def f(t):
        @t.no_grad()
        def g():  # noqa: ANN202
            raise KeyError("k")

        try:
            g()
        except KeyError:
            pass
        return t.is_grad_enabled()
    same(f)


def test_decorated_generator():
    def f(t):
        x = _x(t)

        @t.no_grad()
        def gen():  # noqa: ANN202
            for _ in range(2):
                yield (x * 2).requires_grad, t.is_grad_enabled()
            return "done"

        g = gen()
        out = [next(g), t.is_grad_enabled(), (x * 2).requires_grad, next(g)]
        try:
            next(g)
        except StopIteration as e:
            out.append(e.value)
        return out, gen.__name__
    same(f)


def test_decorated_generator_send_and_close():
    def f(t):
        @t.no_grad
        def gen():  # noqa: ANN202
            got = yield t.is_grad_enabled()
            yield got, t.is_grad_enabled()

        g = gen()
        a = next(g)
        b = g.send(5)
        g.close()
        return a, b, t.is_grad_enabled()
    same(f)


def test_same_context_object_reused():
    def f(t):
        ng = t.no_grad()
        out = []
        for _ in range(2):
            with ng:
                out.append(t.is_grad_enabled())
            out.append(t.is_grad_enabled())
        return out
    same(f)


def test_grad_mode_is_thread_local():
    def f(t):
        x = _x(t)
        res = []
        with t.no_grad():
            th = threading.Thread(target=lambda: res.append(
                (t.is_grad_enabled(), (x * 2).requires_grad)))
            th.start()
            th.join()
            res.append(t.is_grad_enabled())
        t.set_grad_enabled(False)
        th = threading.Thread(target=lambda: res.append(t.is_grad_enabled()))
        th.start()
        th.join()
        t.set_grad_enabled(True)
        return res
    same(f)


def test_thread_no_grad_does_not_leak_to_main():
    def f(t):
        x = _x(t)
        ready, done = threading.Event(), threading.Event()

        def worker():  # noqa: ANN202
            with t.no_grad():
                ready.set()
                done.wait(5)

        th = threading.Thread(target=worker)
        th.start()
        ready.wait(5)
        r = (x * 2).requires_grad, t.is_grad_enabled()
        done.set()
        th.join()
        return r
    same(f)


def test_backward_in_no_grad_and_grad_in_thread():
    def f(t):
        out = []

        def worker():  # noqa: ANN202
            x = _x(t)
            (x * x).sum().backward()
            out.append(x.grad)

        with t.no_grad():
            th = threading.Thread(target=worker)
            th.start()
            th.join()
        return out
    same(f)


# -- inference_mode ---------------------------------------------------------------------

def test_inference_mode_context():
    def f(t):
        x = _x(t)
        with t.inference_mode():
            y = x * 2
            inside = (t.is_grad_enabled(), t.is_inference_mode_enabled(), y.requires_grad,
                      y.grad_fn, y.is_inference())
        return y, inside, t.is_inference_mode_enabled(), y.is_inference(), x.is_inference(), \
            (x * 2).is_inference()
    same(f)


def test_inference_mode_false():
    def f(t):
        with t.inference_mode(False):
            return t.is_grad_enabled(), t.is_inference_mode_enabled(), (_x(t) * 2).grad_fn
    same(f)


@pytest.mark.parametrize("deco", ["bare", "called"])
def test_inference_mode_decorator(deco):
    def f(t):
        d = t.inference_mode if deco == "bare" else t.inference_mode()

        @d
        def g(a):  # noqa: ANN001, ANN202
            return a * 2, t.is_inference_mode_enabled()

        y, inside = g(_x(t))
        return y, inside, y.is_inference(), g.__name__
    same(f)


def test_inference_mode_nested_in_no_grad_and_back():
    def f(t):
        x = _x(t)
        with t.no_grad():
            with t.inference_mode():
                a = x.exp()
            b = x.exp()
        return a.is_inference(), b.is_inference(), t.is_grad_enabled()
    same(f)


def test_autograd_namespace_aliases():
    def f(t):
        x = _x(t)
        with t.autograd.no_grad():
            a = x * 2
        with t.autograd.set_grad_enabled(False):
            b = x * 2
        with t.autograd.grad_mode.no_grad():
            c = x * 2
        return a, b, c, t.autograd.is_grad_enabled() if hasattr(t.autograd, "is_grad_enabled") \
            else t.is_grad_enabled()
    same(f)


def test_grad_mode_classes():
    def f(t):
        return (isinstance(t.no_grad(), t.autograd.grad_mode.no_grad),
                type(t.enable_grad()).__name__, type(t.inference_mode()).__name__,
                type(t.set_grad_enabled(True)).__name__)
    same(f)


# -- anomaly detection ------------------------------------------------------------------

def _anomaly_state(t):  # noqa: ANN001, ANN202
    mod = t if hasattr(t, "is_anomaly_enabled") else t.autograd.grad_mode
    return mod.is_anomaly_enabled(), mod.is_anomaly_check_nan_enabled()


def test_detect_anomaly_nan():
    def f(t):
        x = t.tensor([0.0, 1.0], requires_grad=True)
        with t.autograd.detect_anomaly():
            inside = _anomaly_state(t)
            z = (x.sqrt() * 0).sum()
            try:
                z.backward()
            except RuntimeError as e:
                return inside, str(e), _anomaly_state(t)
        return inside
    same(f, warns=False)  # torch adds a warning with the forward traceback; ember has none


def test_detect_anomaly_warns_on_enable():
    def f(t):
        with t.autograd.detect_anomaly(check_nan=False):
            return _anomaly_state(t)
    same(f)


def test_set_detect_anomaly():
    def f(t):
        out = [type(t.autograd.set_detect_anomaly(True)).__name__, _anomaly_state(t)]
        t.autograd.set_detect_anomaly(False)
        out.append(_anomaly_state(t))
        with t.autograd.set_detect_anomaly(True, check_nan=False):
            out.append(_anomaly_state(t))
        out.append(_anomaly_state(t))
        x = t.tensor([0.0], requires_grad=True)
        with t.autograd.set_detect_anomaly(True, check_nan=False):
            (x.sqrt() * 0).sum().backward()  # NaN, but not checked
        out.append(x.grad)
        return out
    same(f)


def test_inference_mode_factory_tensors():
    def f(t):
        with t.inference_mode():
            a, b = t.ones(2), t.tensor([1.0])
        return a.is_inference(), b.is_inference()
    same(f)

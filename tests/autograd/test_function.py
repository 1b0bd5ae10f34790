"""autograd.Function (ember/autograd/function.py) against torch.autograd.Function.

Each snippet defines its Function subclass on the library it is given (``torch`` or
``ember``) and returns what a user would look at; ``same`` runs it on both and compares
values, grad_fn names, exceptions (type and exact message), warnings and printed output.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from agcompare import graph, raises, same

import ember
import ember.autograd.function  # noqa: F401  (so that ember.autograd.function resolves)


def fn_mod(lib: Any) -> Any:
    """``torch.autograd.function`` or ``ember.autograd.function``."""
    return importlib.import_module(lib.__name__ + ".autograd.function")


def make_exp(lib: Any) -> type:
    class Exp(fn_mod(lib).Function):
        @staticmethod
        def forward(ctx, x):  # noqa: ANN001, ANN205
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            (r,) = ctx.saved_tensors
            return g * r

    return Exp


def make_mul(lib: Any, seen: list | None = None) -> type:
    class Mul(fn_mod(lib).Function):
        @staticmethod
        def forward(ctx, a, b):  # noqa: ANN001, ANN205
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            a, b = ctx.saved_tensors
            if seen is not None:
                seen.append(ctx.needs_input_grad)
            return g * b, g * a

    return Mul


X2 = np.array([1.0, 2.0], dtype=np.float32)


def x2(lib: Any, requires_grad: bool = True) -> Any:
    return lib.tensor(X2.copy(), requires_grad=requires_grad)


# -- basics -------------------------------------------------------------------------------

def test_forward_backward_name_and_edges():
    def snippet(lib):
        x = x2(lib)
        y = make_exp(lib).apply(x)
        fn = y.grad_fn
        y.sum().backward()
        return (y, x.grad, type(fn).__name__, fn.name(), graph(fn), repr(y),
                fn.needs_input_grad)

    same(snippet)


def test_second_backward_after_free_raises():
    def snippet(lib):
        y = make_exp(lib).apply(x2(lib))
        y.sum().backward()
        y.sum().backward()

    raises(snippet)


def test_retain_graph_allows_second_backward_and_saved_tensors():
    def snippet(lib):
        x = x2(lib)
        y = make_exp(lib).apply(x)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return x.grad

    same(snippet)


def test_saved_tensors_after_free_raises():
    def snippet(lib):
        y = make_exp(lib).apply(x2(lib))
        y.sum().backward()
        return y.grad_fn.saved_tensors

    raises(snippet)


def test_function_without_saved_tensors_can_run_backward_twice():
    def snippet(lib):
        class Double(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return a * 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g * 2

        x = x2(lib)
        y = Double.apply(x)
        y.sum().backward()
        y.sum().backward()
        return x.grad

    same(snippet)


def test_saved_output_modified_in_place_raises_version_error():
    def snippet(lib):
        y = make_exp(lib).apply(x2(lib))
        y.mul_(2)
        y.sum().backward()

    raises(snippet)


def test_saved_input_modified_in_place_raises_version_error():
    def snippet(lib):
        x = x2(lib)
        w = lib.tensor([3.0, 4.0])
        y = make_mul(lib).apply(x, w)
        w.add_(1)
        y.sum().backward()

    raises(snippet)


def test_needs_input_grad_and_next_functions():
    def snippet(lib):
        seen = []
        x, w = x2(lib), lib.tensor([3.0, 4.0])
        y = make_mul(lib, seen).apply(x, w)
        y.sum().backward()
        return x.grad, graph(y.grad_fn), seen

    same(snippet)


def test_saved_tensors_inside_forward_is_empty_and_none_is_saved():
    def snippet(lib):
        class S(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                ctx.save_for_backward(a, None)
                print("forward sees", ctx.saved_tensors, ctx.needs_input_grad)
                return a * 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                a, none = ctx.saved_tensors
                print("backward sees", a, none)
                return g * 2

        x = x2(lib)
        y = S.apply(x)
        saved = y.grad_fn.saved_tensors
        y.sum().backward()
        return saved[0] is x, saved[1], x.grad

    same(snippet)


def test_save_for_backward_of_non_tensor_raises():
    def snippet(lib):
        class S(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                ctx.save_for_backward(a, 3)
                return a * 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g

        return S.apply(x2(lib))

    raises(snippet)


# -- what backward returns ----------------------------------------------------------------

def make_returning(lib: Any, grads: Any, n_in: int = 1) -> type:
    class Bad(fn_mod(lib).Function):
        @staticmethod
        def forward(ctx, *a):  # noqa: ANN001, ANN205
            return a[-1] * 2

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            return grads(lib, g)

    return Bad


@pytest.mark.parametrize("case", [
    "too_many", "too_few", "shape", "scalar_shape", "float", "nontensor_grad",
])
def test_wrong_gradients_raise_torchs_errors(case):
    def snippet(lib):
        if case == "too_many":
            fn = make_returning(lib, lambda t, g: (g, g, g))
            return fn.apply(x2(lib), x2(lib)).sum().backward()
        if case == "too_few":
            fn = make_returning(lib, lambda t, g: g)
            return fn.apply(2.0, x2(lib)).sum().backward()
        if case == "shape":
            # The index counts tensor inputs only: 0 here although the tensor is argument 1.
            fn = make_returning(lib, lambda t, g: (None, g[:1]))
            return fn.apply(2.0, x2(lib)).sum().backward()
        if case == "scalar_shape":
            fn = make_returning(lib, lambda t, g: g.sum())
            return fn.apply(x2(lib)).sum().backward()
        if case == "float":
            fn = make_returning(lib, lambda t, g: 3.0)
            return fn.apply(x2(lib)).sum().backward()
        fn = make_returning(lib, lambda t, g: (g, g))
        return fn.apply(2.0, x2(lib)).sum().backward()

    raises(snippet)


@pytest.mark.parametrize("case", ["broadcast", "extra_nones", "dtype", "none_for_input"])
def test_gradients_torch_accepts(case):
    def snippet(lib):
        x = x2(lib)
        if case == "broadcast":  # summed back to the input's shape
            fn = make_returning(lib, lambda t, g: t.ones(3, 2))
            fn.apply(x).sum().backward()
        elif case == "extra_nones":
            fn = make_returning(lib, lambda t, g: (None, g * 5, None, None))
            fn.apply(2.0, x).sum().backward()
        elif case == "dtype":  # cast to the input's dtype
            fn = make_returning(lib, lambda t, g: g.double())
            fn.apply(x).sum().backward()
        else:
            b = x2(lib)
            fn = make_returning(lib, lambda t, g: (None, g * 3))
            fn.apply(x, b).sum().backward()
            return x.grad, b.grad
        return x.grad

    same(snippet)


def test_gradient_shape_not_checked_for_input_without_grad():
    def snippet(lib):
        fn = make_returning(lib, lambda t, g: (None, g, g[:1]))
        fn.apply(2.0, x2(lib), x2(lib, False)).sum().backward()
        return "ok"

    same(snippet)


# -- outputs ------------------------------------------------------------------------------

def make_identity(lib: Any) -> type:
    class Ident(fn_mod(lib).Function):
        @staticmethod
        def forward(ctx, a, b=None):  # noqa: ANN001, ANN205
            return a if b is None else (a, b)

        @staticmethod
        def backward(ctx, g, h=None):  # noqa: ANN001, ANN205
            return (g * 3,) if h is None else (g * 3, h * 5)

    return Ident


def test_input_returned_unchanged_becomes_a_view():
    def snippet(lib):
        x = x2(lib)
        y = make_identity(lib).apply(x)
        facts = (y is x, y._base is x, y.grad_fn, y.is_leaf, y._version)
        y.sum().backward()
        z = x * 1
        w = make_identity(lib).apply(z)
        return facts, x.grad, w is z, w._base is z, w.grad_fn

    same(snippet)


def test_returned_inputs_with_and_without_grad():
    def snippet(lib):
        x, b = x2(lib), x2(lib, False)
        y, z = make_identity(lib).apply(x, b)
        facts = (y._base is x, z._base is b, z.requires_grad, z.grad_fn)
        (y + z).sum().backward()
        y2 = make_identity(lib).apply(x, x)
        (y2[0] + 2 * y2[1]).sum().backward()
        return facts, x.grad, y2[0] is y2[1]

    same(snippet)


def test_in_place_on_output_that_is_a_view_of_an_input_raises():
    # torch: "Output 0 of Ident is a view and is being modified inplace. ..."; ember raises
    # the same type (the message is views.py's, see the report).
    for lib in (torch, ember):
        y = make_identity(lib).apply(x2(lib) * 1)
        with pytest.raises(RuntimeError):
            y.mul_(2)


def test_output_not_an_input_gets_the_node_in_place():
    def snippet(lib):
        w = lib.ones(2, requires_grad=True)

        class RetOther(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return w

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g

        y = RetOther.apply(x2(lib))
        return y is w, w.grad_fn, w.is_leaf

    same(snippet)


def test_multiple_outputs_and_non_tensor_outputs():
    def snippet(lib):
        seen = []

        class Multi(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return a * 2, (a > 1).long(), 5, a * 3

            @staticmethod
            def backward(ctx, g, gi, gn, g3):  # noqa: ANN001, ANN205
                seen.append((g, gi, gn, g3))
                return g * 2 + g3 * 3

        x = x2(lib)
        a, i, n, b = Multi.apply(x)
        facts = (a.grad_fn is b.grad_fn, a.grad_fn, i.requires_grad, i.grad_fn, n)
        (a * lib.tensor([1.0, 10.0])).sum().backward()
        return facts, x.grad, seen

    same(snippet)


def test_list_output_is_not_unpacked():
    def snippet(lib):
        class Lst(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return [a * 2, a * 3]

            @staticmethod
            def backward(ctx, g, h):  # noqa: ANN001, ANN205
                return g

        y = Lst.apply(x2(lib))
        return type(y).__name__, y[0].grad_fn, y[0].requires_grad

    same(snippet)


def test_mark_non_differentiable():
    def snippet(lib):
        seen = []

        class Sort(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                v, i = a.sort()
                ctx.mark_non_differentiable(i)
                ctx.save_for_backward(i)
                return v, i

            @staticmethod
            def backward(ctx, gv, gi):  # noqa: ANN001, ANN205
                (i,) = ctx.saved_tensors
                seen.append(gi)
                out = lib.zeros_like(gv)
                out[i] = gv
                return out

        x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
        v, i = Sort.apply(x)
        facts = (v.grad_fn, i.requires_grad, i.grad_fn)
        (v * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return facts, x.grad, seen

    same(snippet)


def test_mark_non_differentiable_float_output():
    def snippet(lib):
        class Two(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                b = a * 3
                ctx.mark_non_differentiable(b)
                return a * 2, b

            @staticmethod
            def backward(ctx, g, h):  # noqa: ANN001, ANN205
                print("h", h)
                return g * 2

        x = x2(lib)
        a, b = Two.apply(x)
        a.sum().backward()
        return b.requires_grad, b.grad_fn, x.grad

    same(snippet)


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads(materialize):
    def snippet(lib):
        seen = []

        class Two(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                ctx.set_materialize_grads(materialize)
                return a * 2, a * 3

            @staticmethod
            def backward(ctx, g1, g2):  # noqa: ANN001, ANN205
                seen.append((g1, g2))
                r = None
                if g1 is not None:
                    r = g1 * 2
                if g2 is not None:
                    r = g2 * 3 if r is None else r + g2 * 3
                return r

        x = x2(lib)
        a, b = Two.apply(x)
        a.sum().backward()
        return x.grad, seen

    same(snippet)


# -- non-tensor arguments, kwargs, grad mode ------------------------------------------------

def test_non_tensor_arguments_and_keyword_arguments():
    def snippet(lib):
        seen = []

        class Affine(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a, k, b, flag=True):  # noqa: ANN001, ANN205
                ctx.k = k
                return a * k + b if flag else a

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                seen.append(ctx.needs_input_grad)
                return g * ctx.k, None, g, None

        x, b = x2(lib), x2(lib)
        y = Affine.apply(x, 2.5, b)
        y.sum().backward()
        y2 = Affine.apply(x, 2.5, b, flag=False)
        return y, graph(y.grad_fn), x.grad, b.grad, seen, y2

    same(snippet)


def test_apply_under_no_grad_and_without_grad_inputs():
    def snippet(lib):
        seen = []

        class Sq(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                seen.append(ctx.needs_input_grad)
                return a ** 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g

        with lib.no_grad():
            y = Sq.apply(x2(lib))
        z = Sq.apply(x2(lib, False))
        return y, z, seen

    same(snippet)


def test_forward_runs_without_recording_a_graph():
    def snippet(lib):
        seen = []

        class Peek(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                b = a * 2
                seen.append((lib.is_grad_enabled(), b.requires_grad))
                return b

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                seen.append(lib.is_grad_enabled())
                return g * 2

        x = x2(lib)
        lib.autograd.grad(Peek.apply(x).sum(), x, create_graph=True)
        lib.autograd.grad(Peek.apply(x).sum(), x)
        return seen

    same(snippet)


# -- in-place functions (mark_dirty) --------------------------------------------------------

def make_inplace(lib: Any, two: bool = False) -> type:
    class Inpl(fn_mod(lib).Function):
        @staticmethod
        def forward(ctx, a):  # noqa: ANN001, ANN205
            a.mul_(2)
            ctx.mark_dirty(a)
            return (a, a * 2) if two else a

        @staticmethod
        def backward(ctx, g, h=None):  # noqa: ANN001, ANN205
            return g * 2 if h is None else g * 2 + h * 4

    return Inpl


def test_mark_dirty_on_leaf_raises():
    raises(lambda lib: make_inplace(lib).apply(x2(lib)))


def test_mark_dirty_on_view_of_leaf_raises():
    raises(lambda lib: make_inplace(lib).apply(x2(lib)[:1]))


def test_mark_dirty_non_leaf():
    def snippet(lib):
        x = x2(lib)
        z = x * 1
        y = make_inplace(lib).apply(z)
        facts = (y is z, y.grad_fn, z._version, z)
        y.sum().backward()
        return facts, x.grad

    same(snippet)


def test_mark_dirty_two_outputs():
    def snippet(lib):
        x = x2(lib)
        z = x.clone()
        y, w = make_inplace(lib, two=True).apply(z)
        (y + w).sum().backward()
        return y is z, z.grad_fn, x.grad

    same(snippet)


def test_mark_dirty_view_rewrites_base_history():
    def snippet(lib):
        x = x2(lib)
        z = x.clone()
        v = z[:1]
        y = make_inplace(lib).apply(v)
        facts = (y is v, y.grad_fn, z.grad_fn, z)
        z.sum().backward()
        return facts, x.grad

    same(snippet)


def test_mark_dirty_view_with_two_outputs_raises():
    raises(lambda lib: make_inplace(lib, two=True).apply(x2(lib).clone()[:1]))


def test_mark_dirty_invalidates_what_others_saved():
    def snippet(lib):
        x = x2(lib)
        z = x * 2
        w = z * z  # saves z
        make_inplace(lib).apply(z)
        w.sum().backward()

    raises(snippet)


def test_mark_dirty_bumps_version_without_grad():
    def snippet(lib):
        x = x2(lib, False)
        y = make_inplace(lib).apply(x)
        x2_ = x2(lib)
        with lib.no_grad():
            y2 = make_inplace(lib).apply(x2_)
        return x._version, y is x, y.requires_grad, x2_._version, y2 is x2_, y2.requires_grad

    same(snippet)


def test_mark_dirty_not_returned_raises():
    def snippet(lib):
        class DirtyNotReturned(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                a.add_(1)
                ctx.mark_dirty(a)
                return a * 2

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g

        return DirtyNotReturned.apply(x2(lib).clone())

    raises(snippet)


def test_mark_dirty_on_an_output_warns():
    def snippet(lib):
        class MarkOut(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                o = a * 2
                ctx.mark_dirty(o)
                return o

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g * 2

        return MarkOut.apply(x2(lib))

    same(snippet)


# -- higher order, once_differentiable, NumPy ---------------------------------------------------

def make_square(lib: Any, once: bool = False) -> type:
    def backward(ctx, g):  # noqa: ANN001, ANN202
        (a,) = ctx.saved_tensors
        return 2 * a * g

    class Sq(fn_mod(lib).Function):
        @staticmethod
        def forward(ctx, a):  # noqa: ANN001, ANN205
            ctx.save_for_backward(a)
            return a ** 2

    Sq.backward = staticmethod(fn_mod(lib).once_differentiable(backward) if once else backward)
    return Sq


def test_double_backward_through_function_written_with_ops():
    def snippet(lib):
        x = lib.tensor([3.0, 1.0], requires_grad=True)
        y = make_square(lib).apply(x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg

    same(snippet)


def test_double_backward_through_saved_output_of_second_output():
    def snippet(lib):
        class Two(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                b, c = a * 3, a * 2
                ctx.save_for_backward(c)
                return b, c

            @staticmethod
            def backward(ctx, g1, g2):  # noqa: ANN001, ANN205
                (c,) = ctx.saved_tensors
                print("saved output's grad_fn:", c.grad_fn.name(), c.requires_grad)
                return g1 * 3 + g2 * c

        x = lib.ones(2, requires_grad=True, dtype=lib.float64)
        b, c = Two.apply(x)
        (g,) = lib.autograd.grad((b + c * c).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg

    same(snippet)


def test_once_differentiable_first_order_and_no_graph():
    def snippet(lib):
        x = lib.tensor([3.0, 1.0], requires_grad=True)
        y = make_square(lib, once=True).apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return g  # grad outputs did not require grad: no Error node, as in torch

    same(snippet)


def test_once_differentiable_second_order_raises():
    def snippet(lib):
        x = lib.tensor([3.0, 1.0], requires_grad=True)
        y = make_square(lib, once=True).apply(x)
        v = lib.ones(2, requires_grad=True)
        (g,) = lib.autograd.grad(y, x, v, create_graph=True)
        print(g.grad_fn.name(), type(g.grad_fn).__name__, g.requires_grad)
        g.sum().backward()

    raises(snippet)


def test_numpy_inside_forward_and_backward():
    def snippet(lib):
        class NpSin(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                arr = a.detach().numpy()
                ctx.save_for_backward(a)
                return lib.from_numpy(np.sin(arr))

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                (a,) = ctx.saved_tensors
                return g * lib.from_numpy(np.cos(a.detach().numpy()))

        x = lib.tensor([0.5, 1.5, -2.0], requires_grad=True, dtype=lib.float64)
        y = NpSin.apply(x)
        (y * y).sum().backward()
        return y, x.grad

    same(snippet)


# -- styles: setup_context, vjp, legacy --------------------------------------------------------

def test_setup_context_style_sees_defaults():
    def snippet(lib):
        class Scale(fn_mod(lib).Function):
            @staticmethod
            def forward(a, k=2.0):  # noqa: ANN001, ANN205
                return a * k

            @staticmethod
            def setup_context(ctx, inputs, output):  # noqa: ANN001, ANN205
                print("inputs", len(inputs), inputs[1:], output)
                ctx.k = inputs[1]
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                (a,) = ctx.saved_tensors
                return g * ctx.k + 0 * a, None

        x = x2(lib)
        y = Scale.apply(x)
        y.sum().backward()
        return x.grad, y.grad_fn, Scale.apply(x, 3.0)

    same(snippet)


def test_setup_context_saving_a_returned_input_raises():
    def snippet(lib):
        class Ident(fn_mod(lib).Function):
            @staticmethod
            def forward(a):  # noqa: ANN001, ANN205
                return a

            @staticmethod
            def setup_context(ctx, inputs, output):  # noqa: ANN001, ANN205
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g

        return Ident.apply(x2(lib))

    raises(snippet)


def test_vjp_is_an_alias_of_backward():
    def snippet(lib):
        class V(fn_mod(lib).Function):
            @staticmethod
            def forward(ctx, a):  # noqa: ANN001, ANN205
                return a * 2

            @staticmethod
            def vjp(ctx, g):  # noqa: ANN001, ANN205
                return g * 7

        x = x2(lib)
        V.apply(x).sum().backward()
        return x.grad, fn_mod(lib).Function.vjp is fn_mod(lib).Function.backward

    same(snippet)


@pytest.mark.parametrize("which", ["both", "neither"])
def test_backward_and_vjp_both_or_neither_raise(which):
    def snippet(lib):
        def back(ctx, g):  # noqa: ANN001, ANN202
            return g

        attrs = {"forward": staticmethod(lambda ctx, a: a * 2)}
        if which == "both":
            attrs.update(backward=staticmethod(back), vjp=staticmethod(back))
        fn = type("Fn", (fn_mod(lib).Function,), attrs)
        fn.apply(x2(lib)).sum().backward()

    raises(snippet)


def test_forward_not_implemented_raises():
    def snippet(lib):
        class NoFwd(fn_mod(lib).Function):
            @staticmethod
            def backward(ctx, g):  # noqa: ANN001, ANN205
                return g

        return NoFwd.apply(x2(lib))

    raises(snippet)


def test_instantiating_warns_and_calling_new_style_instance_raises():
    def snippet(lib):
        inst = make_exp(lib)()
        inst(x2(lib))

    t_res = raises(snippet)
    assert "Legacy autograd function" in t_res.message
    same(lambda lib: make_exp(lib)() and None)  # the DeprecationWarning, compared


def test_legacy_function_of_seed_004_runs_in_ember():
    # Seed 004's BadFFTFunction: a non-static forward called as BadFFTFunction()(input).
    # torch 2.x raises; ember runs it on purpose (old tutorials), after torch's warning.
    Function = ember.autograd.function.Function  # noqa: N806
    Variable = ember.autograd.Variable  # noqa: N806

    class BadFFTFunction(Function):
        def forward(self, input):  # noqa: ANN001, ANN201, A002
            numpy_input = input.detach().numpy()
            self.input = numpy_input
            result = np.power(np.add(numpy_input, 2), 2) + 3  # (x+2) ** 2 + 3
            return input.new(result)

        def backward(self, grad_output):  # noqa: ANN001, ANN201
            input = self.input  # noqa: A001
            result = np.dot(np.add(input, 2), 2)
            return grad_output.new(result) * grad_output

    x = Variable(ember.Tensor([2.0]), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = BadFFTFunction()(x)
    assert [w.category for w in caught] == [DeprecationWarning]
    assert "should not be instantiated" in str(caught[0].message)
    assert result.tolist() == [19.0]  # (2+2)^2 + 3
    assert result.grad_fn.name() == "BadFFTFunctionBackward"
    result.backward(ember.ones(result.size()) * 0.01)
    # d/dx((x+2)^2+3) * 0.01 at x = 2 is 2*(2+2)*0.01 = 0.08.
    np.testing.assert_allclose(x.grad.numpy(), [0.08], rtol=1e-6)
    assert x.grad.dtype == ember.float32


def test_legacy_function_with_save_for_backward_on_self():
    class LegacySquare(ember.autograd.function.Function):
        def forward(self, a):  # noqa: ANN001, ANN201
            self.save_for_backward(a)
            return a * a

        def backward(self, g):  # noqa: ANN001, ANN201
            (a,) = self.saved_tensors
            return 2 * a * g

    x = ember.tensor([3.0], requires_grad=True)
    with pytest.warns(DeprecationWarning):
        y = LegacySquare()(x)
    y.backward()
    assert x.grad.tolist() == [6.0]  # d(a^2)/da at 3


def test_seed004_variable_and_autograd_function_of_it():
    def snippet(lib):
        Variable = lib.autograd.Variable  # noqa: N806
        x = Variable(lib.Tensor([2.0]), requires_grad=True)
        a = Variable(lib.Tensor([2.0]), requires_grad=True)
        z = (x + a) ** 2 + 3
        facts = (x.is_leaf, x.requires_grad, isinstance(x, Variable), isinstance(x, lib.Tensor),
                 type(x).__name__)
        z.backward()
        y = Variable(lib.Tensor([1.0]))
        return facts, z, x.grad, a.grad, y.requires_grad, y.is_leaf

    same(snippet)


def test_variable_shares_memory_with_its_data():
    def snippet(lib):
        t = lib.Tensor([2.0, 3.0])
        v = lib.autograd.Variable(t, requires_grad=True)
        t.add_(1)
        return v, v is t

    same(snippet)


# -- hooks and node API -----------------------------------------------------------------------

def test_node_hooks_and_apply():
    def snippet(lib):
        Exp = make_exp(lib)  # noqa: N806
        x = x2(lib)
        y = Exp.apply(x)
        y.grad_fn.register_prehook(lambda go: print("prehook", go))
        y.grad_fn.register_hook(lambda gi, go: print("hook", gi, go))
        direct = y.grad_fn.apply(lib.ones(2))
        y.sum().backward()
        return x.grad, direct, y.grad_fn.metadata

    same(snippet)


def test_node_of_custom_function_is_not_callable():
    raises(lambda lib: make_exp(lib).apply(x2(lib)).grad_fn(lib.ones(2)))


def test_gradcheck_accepts_a_correct_function():
    from ember.autograd.gradcheck import gradcheck

    class Cube(ember.autograd.function.Function):
        @staticmethod
        def forward(ctx, a):  # noqa: ANN001, ANN205
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            (a,) = ctx.saved_tensors
            return 3 * a ** 2 * g

    x = ember.tensor([0.5, -1.5, 2.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(Cube.apply, (x,))

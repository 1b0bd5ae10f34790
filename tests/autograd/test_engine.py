"""The backward engine against real PyTorch: leaves, grad_fn graphs, backward(), .grad,
retain_graph, hooks, autograd.grad, higher order, graph freeing."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch
from agcompare import graph, raises, same

import ember

A = np.array([0.5, -1.25, 2.0], dtype=np.float32)
M = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)


def leaf(lib, arr=A, requires_grad=True):  # noqa: ANN001, ANN201
    return lib.tensor(arr.copy(), requires_grad=requires_grad)


# -- leaves, requires_grad, grad_fn ------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda t: t.tensor([1.0, 2.0]),
    lambda t: t.tensor([1.0, 2.0], requires_grad=True),
    lambda t: t.ones(2, 3, requires_grad=True),
    lambda t: t.zeros(2, dtype=t.float64, requires_grad=True),
    lambda t: t.tensor([1, 2]),
    lambda t: t.Tensor([2.0]),
    lambda t: t.tensor(3.0, requires_grad=True),
])
def test_leaf_attributes(make):
    same(lambda t: (lambda x: (x, x.is_leaf, x.requires_grad, x.grad_fn, x.grad))(make(t)))


@pytest.mark.parametrize("op", [
    lambda t, x, y: x + y, lambda t, x, y: x * y, lambda t, x, y: x - y,
    lambda t, x, y: x / y, lambda t, x, y: t.mul(x, y), lambda t, x, y: t.add(x, y),
    lambda t, x, y: x ** 2, lambda t, x, y: x.exp(), lambda t, x, y: x.sum(),
    lambda t, x, y: -x, lambda t, x, y: x[0], lambda t, x, y: x * 2.0 + 1,
])
@pytest.mark.parametrize("rx,ry", [(True, False), (False, True), (False, False), (True, True)])
def test_requires_grad_propagates(op, rx, ry):
    def f(t):
        x, y = leaf(t, A, rx), leaf(t, A[::-1].copy(), ry)
        out = op(t, x, y)
        return out, out.requires_grad, out.is_leaf, out.grad_fn
    same(f)


def test_requires_grad_():
    def f(t):
        x = t.tensor([1.0, 2.0])
        r = x.requires_grad_()
        y = x * 2
        x2 = t.tensor([1.0]).requires_grad_(False)
        return r is x, x.requires_grad, y.grad_fn, x2.requires_grad, x.requires_grad_(False)
    same(f)


def test_requires_grad_setter_on_leaf():
    def f(t):
        x = t.tensor([1.0, 2.0])
        x.requires_grad = True
        a = (x * 3).requires_grad
        x.requires_grad = False
        return a, (x * 3).requires_grad, x.is_leaf
    same(f)


@pytest.mark.parametrize("value", [False, True])
def test_requires_grad_on_non_leaf(value):
    def f(t):
        y = leaf(t) * 2
        y.requires_grad = value
        return y
    same(f)


@pytest.mark.parametrize("value", [False, True])
def test_requires_grad__on_non_leaf(value):
    same(lambda t: (leaf(t) * 2).requires_grad_(value))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
def test_requires_grad_on_integer_tensor(dtype):
    raises(lambda t: t.tensor([1, 0]).to(getattr(t, dtype)).requires_grad_())

    def setattr_(t):
        x = t.tensor([1, 0]).to(getattr(t, dtype))
        x.requires_grad = True
    raises(setattr_)
    raises(lambda t: t.autograd.Variable(t.tensor([1, 0]).to(getattr(t, dtype)),
                                         requires_grad=True))
    # False is always fine
    same(lambda t: t.tensor([1, 0]).to(getattr(t, dtype)).requires_grad_(False).requires_grad)


@pytest.mark.parametrize("make", [
    lambda t: t.tensor([1, 2], requires_grad=True),
    lambda t: t.ones(2, dtype=t.int64, requires_grad=True),
    lambda t: t.arange(3, requires_grad=True),
])
def test_requires_grad_on_integer_tensor_factory(make):
    raises(make)


def test_next_functions_structure():
    def f(t):
        w, b = leaf(t, A), leaf(t, A[::-1].copy())
        x = t.tensor([2.0, 1.0, 0.5])
        z = t.add(t.mul(w, x), b)
        return graph(z.grad_fn), graph((z * z).sum().grad_fn)
    same(f)


def test_accumulate_grad_node():
    def f(t):
        w = leaf(t)
        y = w * 2
        acc = y.grad_fn.next_functions[0][0]
        acc2 = (w + 1).grad_fn.next_functions[0][0]
        return (acc.name(), type(acc).__name__, acc.variable is w, acc.next_functions,
                acc is acc2, repr(acc), y.grad_fn.next_functions[1])
    same(f)


def test_accumulate_grad_lives_while_graph_does():
    def f(t):
        w = leaf(t)
        acc_id = id((w * 2).grad_fn.next_functions[0][0])
        y = w * 3
        keep = y.grad_fn.next_functions[0][0]
        return keep is (w * 4).grad_fn.next_functions[0][0], isinstance(acc_id, int)
    same(f)


def test_grad_fn_name_and_repr():
    def f(t):
        x = leaf(t)
        y = x * 2
        return (y.grad_fn.name(), repr(y.grad_fn), str(y.grad_fn), type(y.grad_fn).__name__,
                f"{y.grad_fn}", y.grad_fn.metadata, repr(y))
    same(f)


def test_grad_fn_is_autograd_node():
    for t in (torch, ember):
        y = leaf(t) * 2
        assert isinstance(y.grad_fn, t.autograd.graph.Node)
        assert isinstance(y.grad_fn.next_functions[0][0], t.autograd.graph.Node)


def test_grad_fn_same_object_each_access():
    def f(t):
        y = leaf(t) * 2
        return y.grad_fn is y.grad_fn
    same(f)


def test_grad_fn_call_directly():
    def f(t):
        x = leaf(t)
        y = x * t.tensor([2.0, 3.0, 4.0])
        return y.grad_fn(t.ones(3))
    same(f)


def test_multi_output_node_output_nr():
    def f(t):
        x = leaf(t, M)
        a, b = x.unbind(0)
        return a.grad_fn, a.grad_fn is b.grad_fn, a._version, (a * b).grad_fn.next_functions
    same(f)


# -- backward() ----------------------------------------------------------------------------

def test_backward_scalar():
    def f(t):
        x = leaf(t)
        y = (x * x * 3).sum()
        r = y.backward()
        return r, x.grad, x.grad.requires_grad, x.grad.grad_fn, x.grad.is_leaf
    same(f)


def test_backward_with_gradient():
    def f(t):
        x = leaf(t)
        y = x * x
        y.backward(t.tensor([1.0, 0.5, -2.0]))
        return x.grad
    same(f)


def test_backward_with_gradient_keyword_and_list():
    def f(t):
        x = leaf(t)
        (x * 3).backward(gradient=t.ones(3))
        t.autograd.backward([x * x, (x * 2).sum()], [t.ones(3), t.tensor(2.0)])
        return x.grad
    same(f)


def test_autograd_backward_grad_tensors_none():
    def f(t):
        x = leaf(t)
        t.autograd.backward((x * x).sum())
        t.autograd.backward([(x * 2).sum()], None)
        return x.grad
    same(f)


@pytest.mark.parametrize("grad_shape", [(2,), (3, 1), (1, 3), ()])
def test_backward_gradient_shape_mismatch(grad_shape):
    raises(lambda t: (leaf(t) * 2).backward(t.ones(grad_shape)))


def test_backward_gradient_shape_mismatch_second_output():
    raises(lambda t: t.autograd.backward([leaf(t) * 2, leaf(t) * 3], [t.ones(3), t.ones(2)]))


def test_backward_gradient_count_mismatch():
    raises(lambda t: t.autograd.backward([leaf(t) * 2, leaf(t) * 3], [t.ones(3)]))


def test_backward_gradient_dtype():
    same(lambda t: (lambda x: ((x * 2).backward(t.ones(3, dtype=t.float64)), x.grad))(leaf(t)))


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16"])
def test_backward_gradient_other_dtype_is_cast(dtype):
    def f(t):
        x = leaf(t)
        (x * 2).backward(t.ones(3, dtype=getattr(t, dtype)))
        x.backward(t.ones(3, dtype=getattr(t, dtype)))
        return x.grad
    same(f)


def test_backward_gradient_complex_mismatch():
    raises(lambda t: (leaf(t) * 2).backward(t.ones(3, dtype=t.complex64)))


def test_backward_gradient_not_a_tensor():
    raises(lambda t: t.autograd.backward([(leaf(t) * 2).sum()], [1.0]))
    raises(lambda t: t.autograd.grad([(leaf(t) * 2).sum()], [leaf(t)], [1.0]))


def test_implicit_grad_non_scalar():
    raises(lambda t: (leaf(t) * 2).backward())
    raises(lambda t: t.autograd.grad(leaf(t) * 2, leaf(t)))


def test_implicit_grad_one_element_non_scalar():
    same(lambda t: (lambda x: ((x * 3).backward(), x.grad))(t.tensor([[2.0]], requires_grad=True)))


def test_backward_without_grad_fn():
    raises(lambda t: t.tensor([1.0]).backward())
    raises(lambda t: (t.tensor([1.0]) * 2).sum().backward())
    raises(lambda t: t.autograd.backward([leaf(t).sum(), t.tensor(1.0)]))


def test_backward_on_leaf_itself():
    same(lambda t: (lambda x: (x.backward(t.ones(3)), x.grad))(leaf(t)))
    same(lambda t: (lambda x: (x.backward(), x.grad))(t.tensor(2.0, requires_grad=True)))


def test_backward_under_no_grad_still_works():
    def f(t):
        x = leaf(t)
        y = (x * x).sum()
        with t.no_grad():
            y.backward()
        return x.grad
    same(f)


def test_backward_second_time_error():
    def f(t):
        x = leaf(t)
        y = (x * x).sum()
        y.backward()
        y.backward()
    raises(f)


def test_autograd_grad_second_time_error():
    def f(t):
        x = leaf(t)
        y = (x.exp()).sum()
        t.autograd.grad(y, x)
        t.autograd.grad(y, x)
    raises(f)


def test_retain_graph_allows_second_backward_and_accumulates():
    def f(t):
        x = leaf(t)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        g1 = x.grad.clone()
        y.backward(retain_graph=True)
        g2 = x.grad.clone()
        y.backward()
        return g1, g2, x.grad
    same(f)


def test_second_backward_through_node_without_saved_tensors():
    # AddBackward0 / SumBackward0 save nothing, so torch happily runs them again.
    def f(t):
        x = leaf(t)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    same(f)


def test_second_backward_partially_freed():
    def f(t):
        x = leaf(t)
        h = x * x
        y = (h + 1).sum()
        z = (h * 2).sum()
        y.backward()  # frees MulBackward0 of h
        z.backward()
    raises(f)


def test_accumulation_across_graphs():
    def f(t):
        x = leaf(t)
        (x * 2).sum().backward()
        g = x.grad
        (x * x).sum().backward()
        return x.grad, g is x.grad, g
    same(f)


def test_grad_zero_and_none():
    def f(t):
        x = leaf(t)
        (x * 2).sum().backward()
        x.grad.zero_()
        z = x.grad.clone()
        (x * 3).sum().backward()
        g = x.grad.clone()
        x.grad = None
        (x * 5).sum().backward()
        return z, g, x.grad
    same(f)


def test_grad_data_version_bumps_on_accumulate():
    def f(t):
        x = leaf(t)
        (x * 2).sum().backward()
        g = x.grad
        v = g._version
        (x * 2).sum().backward()
        return v, g._version, g
    same(f)


def test_assign_grad():
    def f(t):
        x = leaf(t)
        x.grad = t.ones(3)
        (x * 2).sum().backward()
        return x.grad
    same(f)


@pytest.mark.parametrize("value", [
    lambda t: t.ones(3, dtype=t.float64),
    lambda t: t.ones(4),
    lambda t: t.ones(3, 1),
    lambda t: t.ones(3, dtype=t.int64),
    lambda t: [1.0, 2.0, 3.0],
    lambda t: 1.0,
])
def test_assign_grad_errors(value):
    def f(t):
        x = leaf(t)
        x.grad = value(t)
        return x.grad
    same(f)


def test_assign_grad_to_non_leaf():
    def f(t):
        y = leaf(t) * 2
        y.grad = t.ones(3)
        return y.grad
    same(f)


def test_del_grad():
    def f(t):
        x = leaf(t)
        (x * 2).sum().backward()
        del x.grad
        return x.grad
    same(f)


def test_non_leaf_grad_warns():
    def f(t):
        y = leaf(t) * 2
        (y * y).sum().backward()
        return y.grad
    same(f)
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert (leaf(ember) * 2).grad is None


def test_non_leaf_grad_no_warning_when_retained_or_no_grad():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.retain_grad()
        before = y.grad
        with t.no_grad():
            w = x * 2
        return before, w.grad
    same(f)


def test_grad_of_grad_is_none_without_warning():
    def f(t):
        x = leaf(t)
        (x * x).sum().backward()
        return x.grad.grad
    same(f)


def test_retain_grad():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.retain_grad()
        z = y * y
        z.retain_grad()
        s = z.sum()
        s.backward()
        return y.grad, z.grad, y.retains_grad, x.retains_grad, s.retains_grad, x.grad
    same(f)


def test_retain_grad_accumulates():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.retain_grad()
        s = (y * y).sum()
        s.backward(retain_graph=True)
        s.backward()
        return y.grad
    same(f)


def test_retain_grad_on_leaf_is_noop():
    def f(t):
        x = leaf(t)
        x.retain_grad()
        (x * 2).sum().backward()
        return x.grad, x.retains_grad
    same(f)


def test_retain_grad_without_requires_grad():
    raises(lambda t: t.ones(2).retain_grad())


def test_retain_grad_twice():
    def f(t):
        y = leaf(t) * 2
        y.retain_grad()
        y.retain_grad()
        y.sum().backward()
        return y.grad
    same(f)


# -- hooks ------------------------------------------------------------------------------

def test_hook_on_leaf_modifies_gradient():
    def f(t):
        x = leaf(t)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()) or g * 10)
        (x * x).sum().backward()
        return x.grad, seen
    same(f)


def test_hook_on_non_leaf_modifies_gradient():
    def f(t):
        x = leaf(t)
        y = x * 3
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()) or g + 1)
        (y * y).sum().backward()
        return x.grad, seen
    same(f)


def test_hook_returning_none_observes_only():
    def f(t):
        x = leaf(t)
        y = x * 3
        seen = []
        y.register_hook(seen.append)
        y.sum().backward()
        return x.grad, seen
    same(f)


def test_hook_removed_by_handle():
    def f(t):
        x = leaf(t)
        y = x * 3
        h = y.register_hook(lambda g: g * 100)
        h2 = x.register_hook(lambda g: g * 7)
        h.remove()
        h2.remove()
        h.remove()  # twice is fine
        y.sum().backward()
        return x.grad
    same(f)


def test_several_hooks_run_in_order():
    def f(t):
        x = leaf(t)
        y = x * 1
        order = []
        y.register_hook(lambda g: order.append("a") or g * 2)
        y.register_hook(lambda g: order.append("b") or g + 1)
        x.register_hook(lambda g: order.append("leaf") or None)
        y.sum().backward()
        return order, x.grad
    same(f)


def test_hooks_and_retain_grad_order():
    # retain_grad registered first sees the gradient before later hooks change it; hooks
    # registered before retain_grad do change what is retained (torch 2.x semantics).
    def f(t):
        x = leaf(t)
        y = x * 2
        y.register_hook(lambda g: g * 3)
        y.retain_grad()
        y.register_hook(lambda g: g * 5)
        y.sum().backward()
        z = x * 2
        z.retain_grad()
        z.register_hook(lambda g: g * 7)
        z.sum().backward()
        return y.grad, z.grad, x.grad
    same(f)


def test_hook_on_tensor_without_grad():
    raises(lambda t: t.ones(2).register_hook(lambda g: g))


def test_hook_on_leaf_accumulates_per_backward():
    def f(t):
        x = leaf(t)
        calls = []
        x.register_hook(lambda g: calls.append(1))
        y = x * 2 + x * 3
        y.sum().backward()
        return len(calls), x.grad
    same(f)


def test_hook_when_used_twice():
    def f(t):
        x = leaf(t)
        y = x * 2
        calls = []
        y.register_hook(lambda g: calls.append(g.clone()))
        (y * y + y).sum().backward()
        return calls
    same(f)


def test_post_accumulate_grad_hook():
    def f(t):
        x = leaf(t)
        seen = []
        x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        return seen
    same(f)


def test_post_accumulate_grad_hook_on_non_leaf():
    raises(lambda t: (leaf(t) * 2).register_post_accumulate_grad_hook(lambda p: None))


def test_node_hooks():
    def f(t):
        x = leaf(t)
        y = x * 2
        z = y.sum()
        seen = []
        z.grad_fn.register_prehook(lambda go: seen.append(("pre", go)))
        y.grad_fn.register_hook(lambda gi, go: seen.append(("post", gi, go)))
        z.backward()
        return seen
    same(f)


# -- backward(inputs=) and autograd.grad ----------------------------------------------------

def test_backward_inputs_subset():
    def f(t):
        x, w = leaf(t), leaf(t, A * 2)
        y = (x * w).sum()
        y.backward(inputs=[x])
        return x.grad, w.grad
    same(f)


def test_backward_inputs_single_tensor_and_non_leaf():
    def f(t):
        x = leaf(t)
        h = x * 2
        y = (h * h).sum()
        y.backward(inputs=h)
        return h.grad, x.grad
    same(f)


def test_backward_inputs_empty():
    raises(lambda t: (leaf(t) * 2).sum().backward(inputs=[]))


def test_backward_inputs_unused():
    def f(t):
        x, w = leaf(t), leaf(t)
        (x * 2).sum().backward(inputs=[w])
        return w.grad, x.grad
    same(f)


def test_autograd_grad_basic():
    def f(t):
        x, w = leaf(t), leaf(t, A * 2)
        y = (x * w * w).sum()
        gx, gw = t.autograd.grad(y, [x, w])
        return gx, gw, x.grad, w.grad, gx.requires_grad
    same(f)


def test_autograd_grad_single_input_returns_tuple():
    same(lambda t: (lambda x: t.autograd.grad((x * x).sum(), x))(leaf(t)))


def test_autograd_grad_grad_outputs():
    def f(t):
        x = leaf(t)
        return t.autograd.grad(x * x, x, grad_outputs=t.tensor([1.0, 2.0, 3.0]))
    same(f)


def test_autograd_grad_multiple_outputs():
    def f(t):
        x = leaf(t)
        return t.autograd.grad([x * x, x.exp()], [x], [t.ones(3), t.full((3,), 0.5)])
    same(f)


def test_autograd_grad_unused_error():
    raises(lambda t: t.autograd.grad((leaf(t) * 2).sum(), [leaf(t)]))


def test_autograd_grad_allow_unused():
    def f(t):
        x, w = leaf(t), leaf(t)
        return t.autograd.grad((x * 2).sum(), [x, w], allow_unused=True)
    same(f)


def test_autograd_grad_materialize_grads():
    def f(t):
        x, w = leaf(t), leaf(t)
        return t.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)
    same(f)


def test_autograd_grad_materialize_with_allow_unused_false():
    raises(lambda t: t.autograd.grad((leaf(t) * 2).sum(), [leaf(t)], allow_unused=False,
                                     materialize_grads=True))


def test_autograd_grad_input_not_requiring_grad():
    raises(lambda t: (lambda x: t.autograd.grad((x * 2).sum(), [t.ones(3)]))(leaf(t)))


def test_autograd_grad_output_not_requiring_grad():
    raises(lambda t: t.autograd.grad(t.ones(3).sum(), [leaf(t)]))


def test_autograd_grad_non_leaf_input():
    def f(t):
        x = leaf(t)
        h = x.exp()
        y = (h * h).sum()
        return t.autograd.grad(y, h), x.grad
    same(f)


def test_autograd_grad_retain_graph():
    def f(t):
        x = leaf(t)
        y = (x * x).sum()
        a = t.autograd.grad(y, x, retain_graph=True)
        b = t.autograd.grad(y, x)
        return a, b
    same(f)


def test_autograd_grad_does_not_touch_other_grads():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.retain_grad()
        t.autograd.grad(y.sum(), x)
        return x.grad, y.grad
    same(f)


def test_autograd_grad_create_graph():
    def f(t):
        x = leaf(t)
        (g,) = t.autograd.grad((x ** 3).sum(), x, create_graph=True)
        (gg,) = t.autograd.grad(g.sum(), x)
        return g, gg
    same(f)


# -- higher order -----------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda x: x ** 3, lambda x: x.sin(), lambda x: x.exp(), lambda x: x * x * x,
    lambda x: x.tanh(), lambda x: 1 / (x + 3), lambda x: (x * 2).cos() * x,
])
def test_third_order(fn):
    def f(t):
        x = leaf(t)
        (g1,) = t.autograd.grad(fn(x).sum(), x, create_graph=True)
        (g2,) = t.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = t.autograd.grad(g2.sum(), x)
        # values only: the names of double-backward nodes (TanhBackwardBackward0) are the
        # op's business, not the engine's
        return g1.detach(), g2.detach(), g3, g1.requires_grad, g2.requires_grad
    same(f, rtol=1e-4)


def test_backward_create_graph_then_grad_of_grad():
    def f(t):
        x = leaf(t)
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        g = x.grad
        gfn = g.grad_fn
        x.grad = None
        g.sum().backward()
        return g, gfn, x.grad
    same(f, warns=False)


def test_backward_create_graph_accumulates_with_history():
    def f(t):
        x = leaf(t)
        (x ** 2).sum().backward(create_graph=True)
        (x ** 3).sum().backward(create_graph=True)
        return x.grad, x.grad.grad_fn
    # torch warns about the reference cycle once per process, so which call warns depends
    # on test order
    same(f, warns=False)


def test_gradient_penalty():
    def f(t):
        w = leaf(t, M)
        x = t.tensor([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]).requires_grad_()
        out = (w.t() * x.sum(1, keepdim=True)).tanh().sum()
        (g,) = t.autograd.grad(out, x, create_graph=True)
        pen = (g * g).sum()
        pen.backward()
        return g, pen, w.grad, x.grad
    same(f, rtol=1e-4)


def test_hessian_vector_product():
    def f(t):
        x = leaf(t)
        v = t.tensor([1.0, -1.0, 0.5])
        (g,) = t.autograd.grad((x.sin() * x).sum(), x, create_graph=True)
        return t.autograd.grad(g, x, v)
    same(f)


def test_create_graph_grad_requires_grad():
    def f(t):
        x = leaf(t)
        (g,) = t.autograd.grad((x * 3).sum(), x, create_graph=True)
        return g, g.requires_grad, g.grad_fn
    same(f)


def test_second_order_of_linear_is_unused():
    def f(t):
        x = leaf(t)
        (g,) = t.autograd.grad((x * 3).sum(), x, create_graph=True)
        return t.autograd.grad(g.sum(), x, allow_unused=True)
    same(f)


# -- graph shapes --------------------------------------------------------------------------

def test_jacobian_by_repeated_backward():
    def f(t):
        x = t.tensor([[2.0, 3.0]], requires_grad=True)
        y = t.zeros(1, 2)
        y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
        y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
        j = t.zeros(2, 2)
        y.backward(t.Tensor([[1, 0]]), retain_graph=True)
        j[0] = x.grad
        x.grad = t.zeros_like(x.grad)
        y.backward(t.Tensor([[0, 1]]))
        j[1] = x.grad
        return j, y
    same(f)


def test_diamond():
    def f(t):
        x = leaf(t)
        a = x * 2
        b, c = a.exp(), a * a
        d = b * c
        d.sum().backward()
        return x.grad, graph(d.grad_fn)
    same(f)


def test_same_tensor_used_twice():
    def f(t):
        x = leaf(t)
        y = x * x
        z = y + y
        z.sum().backward()
        return x.grad, graph(z.grad_fn)
    same(f)


def test_leaf_used_by_many():
    def f(t):
        x = leaf(t)
        s = x
        for _ in range(10):
            s = s + x
        s.sum().backward()
        return x.grad
    same(f)


def test_multiple_roots_share_graph():
    def f(t):
        x = leaf(t)
        h = x.exp()
        t.autograd.backward([h.sum(), (h * x).sum()])
        return x.grad
    same(f)


def test_long_chain_no_recursion():
    n = 100_000
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0000001
    y.sum().backward(retain_graph=True)
    # torch's backward multiplies the incoming float32 gradient by the constant n times
    expected = torch.ones(2)
    for _ in range(n):
        expected = expected * 1.0000001
    np.testing.assert_allclose(x.grad.numpy(), expected.numpy(), rtol=1e-5)
    gc.disable()
    try:
        ref = weakref.ref(y.grad_fn)
        del y  # a 100 000-node graph, saved tensors kept, freed without recursing
        assert ref() is None
    finally:
        gc.enable()


def test_result_of_backward_is_none():
    same(lambda t: (leaf(t) * 2).sum().backward())


def test_int_output_not_differentiable():
    same(lambda t: (lambda x: ((x > 0), (x > 0).requires_grad, x.long().requires_grad))(
        leaf(t)))


# -- memory ------------------------------------------------------------------------------
# torch's nodes cannot be weak-referenced, so these watch a tensor that only the graph keeps
# alive; the ember-only tests below watch the nodes themselves.

def _freed_with_graph(t, fn):  # noqa: ANN001, ANN202
    gc.disable()
    try:
        x = leaf(t)
        h = x.exp()
        ref = weakref.ref(h)
        y = fn(h, x)
        del h
        alive = ref() is not None
        del y
        return alive, ref() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("fn", [
    lambda h, x: h * x, lambda h, x: (h * x).sum(), lambda h, x: (h * h).exp(),
    lambda h, x: h.sin() + x, lambda h, x: h[0] * x[1:],
])
def test_dropped_graph_freed_by_refcount(fn):
    same(lambda t: _freed_with_graph(t, fn))


def test_graph_freed_after_backward_and_drop():
    def f(t):
        gc.disable()
        try:
            x = leaf(t)
            h = x.exp()
            ref = weakref.ref(h)
            y = (h * x).sum()
            del h
            y.backward()
            del y
            return ref() is None, x.grad
        finally:
            gc.enable()
    same(f)


def test_output_saved_by_its_own_node_no_cycle():
    # exp saves its result; that must not make the output and its node a cycle.
    def f(t):
        gc.disable()
        try:
            x = leaf(t)
            y = x.exp()
            r = weakref.ref(y)
            del y
            return r() is None
        finally:
            gc.enable()
    same(f)


def test_retained_non_leaf_freed():
    def f(t):
        gc.disable()
        try:
            x = leaf(t)
            y = x * 2
            y.retain_grad()
            r = weakref.ref(y)
            z = (y * y).sum()
            z.backward()
            del y, z
            return r() is None
        finally:
            gc.enable()
    same(f)


def test_hooked_non_leaf_freed():
    def f(t):
        gc.disable()
        try:
            x = leaf(t)
            y = x * 2
            y.register_hook(lambda g: g * 2)
            r = weakref.ref(y)
            del y
            return r() is None
        finally:
            gc.enable()
    same(f)


@pytest.mark.parametrize("make", [
    lambda x: (x * 2).exp() * x, lambda x: x.exp(), lambda x: (x * x).sum(),
    lambda x: x[0], lambda x: x.view(3, 1).t(),
])
def test_ember_nodes_freed_by_refcount(make):
    gc.disable()
    try:
        x = leaf(ember)
        y = make(x)
        ref = weakref.ref(y.grad_fn)
        refs = [weakref.ref(n) for n, _ in y.grad_fn.next_functions if n is not None]
        del y
        assert ref() is None
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_ember_accumulator_freed_with_graph():
    gc.disable()
    try:
        x = leaf(ember)
        y = x * 2
        acc = weakref.ref(y.grad_fn.next_functions[0][0])
        del y
        assert acc() is None
        y = x * 3
        a1 = y.grad_fn.next_functions[0][0]
        assert (x * 4).grad_fn.next_functions[0][0] is a1  # one accumulator while alive
    finally:
        gc.enable()


def test_saved_tensors_freed_after_backward():
    # torch exposes _saved_other and raises once it is freed; ember's saved dict likewise
    t_node = (lambda x: x * torch.tensor([1.0, 2.0, 3.0]))(leaf(torch))
    t_node.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        t_node.grad_fn._saved_other  # noqa: B018
    e_node = (lambda x: x * ember.tensor([1.0, 2.0, 3.0]))(leaf(ember))
    e_node.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        e_node.grad_fn._saved_tensors  # noqa: B018


def test_node_hooks_replace_gradients():
    def f(t):
        x = leaf(t)
        y = x * 3
        z = y.sum()
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
        z.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        z.backward()
        return x.grad
    same(f)


def test_accumulate_grad_node_hooks():
    def f(t):
        x = leaf(t)
        acc = (x * 3).grad_fn.next_functions[0][0]
        seen = []
        acc.register_prehook(lambda go: seen.append(("pre", go)))
        acc.register_hook(lambda gi, go: seen.append(("post", gi, go)))
        (x * 2).sum().backward()
        return seen, x.grad
    same(f)


def test_node_metadata_persists():
    def f(t):
        x = leaf(t)
        y = x * 3
        acc = y.grad_fn.next_functions[0][0]
        y.grad_fn.metadata["a"] = 1
        acc.metadata["b"] = 2
        return y.grad_fn.metadata, acc.metadata, (x * 4).grad_fn.metadata
    same(f)


def test_node_hook_handle_remove():
    def f(t):
        x = leaf(t)
        y = x * 3
        h = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 100, None))
        h2 = y.grad_fn.register_prehook(lambda go: (go[0] * 100,))
        h.remove()
        h2.remove()
        y.sum().backward()
        return x.grad, type(h).__name__
    same(f)


def test_assigned_grad_accumulated_in_place():
    def f(t):
        x = leaf(t)
        g = t.ones(3)
        x.grad = g
        (x * 3).sum().backward()
        return g, x.grad is g, g._version
    same(f)


def test_grad_with_history_then_first_order_accumulates_in_place():
    def f(t):
        x = leaf(t)
        (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        v = g._version
        (x * 2).sum().backward()
        return x.grad, x.grad is g, x.grad.grad_fn, v, g._version
    same(f, warns=False)


@pytest.mark.parametrize("make", [
    lambda t: t.ones(2, 3).t().requires_grad_(),
    lambda t: t.ones(2, 3, 4).permute(2, 0, 1).requires_grad_(),
    lambda t: t.ones(3, 2).requires_grad_(),
    lambda t: t.ones(4, 6)[:, ::2].requires_grad_(),
])
@pytest.mark.parametrize("use", [lambda x: x * 2, lambda x: x.t() * 2 if x.dim() == 2 else x])
def test_grad_layout_follows_parameter(make, use):
    def f(t):
        x = make(t)
        use(x).sum().backward()
        g = x.grad
        g.add_(1)  # writable, not a broadcast view
        return g, g.stride(), g.is_contiguous(), x.stride()
    same(f)


def test_grad_not_aliasing_user_gradient():
    def f(t):
        x = leaf(t)
        gr = t.full((3,), 2.0)
        x.backward(gr)
        gr.add_(1)
        y = leaf(t)
        (y + y).backward(gr)
        return x.grad, y.grad
    same(f)


def test_grad_of_expanded_scalar_writable():
    def f(t):
        x = t.tensor(1.0, requires_grad=True)
        x.expand(3).sum().backward()
        x.grad.add_(1)
        return x.grad
    same(f)


# -- random programs: many shapes of graph, the same gradients as torch --------------------

_UNARY = [
    lambda t, a: a.exp() * 0.5, lambda t, a: a.sin(), lambda t, a: a * a, lambda t, a: -a,
    lambda t, a: a.tanh(), lambda t, a: a.t().contiguous().t(), lambda t, a: a[:, 1:].sum(1,
    keepdim=True) * a, lambda t, a: a.clone(), lambda t, a: (a + 1).sigmoid(),
    lambda t, a: a.view(-1).view(2, 3), lambda t, a: a.flip(0),
]
_BINARY = [
    lambda t, a, b: a + b, lambda t, a, b: a * b, lambda t, a, b: a - 2 * b,
    lambda t, a, b: a / (b * b + 1), lambda t, a, b: t.maximum(a, b),
    lambda t, a, b: t.where(a > b, a, b * 3),
]
_INPLACE = [
    lambda t, a, b: a.add_(b), lambda t, a, b: a.mul_(b), lambda t, a, b: a[0].mul_(2),
    lambda t, a, b: a[:, 1].copy_(b[:, 2]), lambda t, a, b: a.t()[1].add_(b[0, :2].sum()),
    lambda t, a, b: a.exp_(), lambda t, a, b: a[1:].clamp_(max=1.0),
]


def _program(seed):  # noqa: ANN001, ANN202
    rng = np.random.default_rng(seed)
    steps = []
    n = 3  # the leaves
    for _ in range(int(rng.integers(4, 12))):
        kind = rng.choice(["u", "b", "i"], p=[0.4, 0.4, 0.2])
        if kind == "u":
            steps.append(("u", int(rng.integers(len(_UNARY))), int(rng.integers(n)), 0))
        else:
            table = _BINARY if kind == "b" else _INPLACE
            steps.append((kind, int(rng.integers(len(table))), int(rng.integers(n)),
                          int(rng.integers(n))))
        if kind != "i":
            n += 1
    arrays = [rng.uniform(-1, 1, (2, 3)).astype(np.float32) for _ in range(3)]
    return steps, arrays


@pytest.mark.parametrize("seed", range(30))
def test_random_program_gradients(seed):
    steps, arrays = _program(seed)

    def f(t):
        leaves = [t.tensor(a.copy(), requires_grad=True) for a in arrays]
        vals = list(leaves)
        for kind, k, i, j in steps:
            if kind == "u":
                vals.append(_UNARY[k](t, vals[i]))
            elif kind == "b":
                vals.append(_BINARY[k](t, vals[i], vals[j]))
            else:
                target = vals[i]
                if target.is_leaf:  # torch refuses in-place on leaves; write into a copy
                    target = vals[i] = target * 1
                _INPLACE[k](t, target, vals[j])
        out = sum((v * (n + 1)).sum() for n, v in enumerate(vals[3:])) if len(vals) > 3 \
            else vals[0].sum()
        try:
            out.backward()
        except RuntimeError as e:  # an in-place change of something saved: both must raise
            return str(e)
        return out.detach(), [leaf.grad for leaf in leaves]
    same(f, rtol=1e-4, atol=1e-5)


def test_gradient_edge():
    def f(t):
        x = leaf(t)
        y = x * 2
        z = (y * y).sum()
        e = t.autograd.graph.get_gradient_edge(y)
        ex = t.autograd.graph.get_gradient_edge(x)
        gy = t.autograd.grad(z, e, retain_graph=True)
        both = t.autograd.grad(z, [ex, y])
        return (e.node, e.output_nr, e.ownership_token, isinstance(e, tuple), ex.node, gy, both,
                type(e).__name__)
    same(f)


def test_gradient_edge_of_tensor_without_grad():
    raises(lambda t: t.autograd.graph.get_gradient_edge(t.ones(2)))


def test_gradient_edge_materialize_error():
    def f(t):
        x, w = leaf(t), leaf(t)
        e = t.autograd.graph.get_gradient_edge(w)
        return t.autograd.grad((x * 2).sum(), [x, e], materialize_grads=True)
    raises(f)

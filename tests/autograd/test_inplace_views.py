"""In-place ops, version counters and views against real PyTorch: which errors, which
grad_fn (CopySlices, AsStridedBackward0), and which gradients."""

from __future__ import annotations

import numpy as np
import pytest
from agcompare import graph, raises, same

A = np.array([0.5, -1.25, 2.0], dtype=np.float32)
M = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)


def leaf(lib, arr=A, requires_grad=True):  # noqa: ANN001, ANN201
    return lib.tensor(arr.copy(), requires_grad=requires_grad)


# -- version counters --------------------------------------------------------------------

INPLACE = [
    lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.zero_(),
    lambda x: x.fill_(3.0),
    lambda x: x.copy_(x * 0 + 5), lambda x: x.exp_(), lambda x: x.clamp_(min=0),
    lambda x: x.__iadd__(2), lambda x: x.__imul__(x), lambda x: x.sub_(1, alpha=2),
    lambda x: x.div_(4), lambda x: x.neg_(), lambda x: x.pow_(2),
]


@pytest.mark.parametrize("op", INPLACE)
def test_version_counter_bumps(op):
    def f(t):
        x = t.tensor(A.copy())
        v0 = x._version
        r = op(x)
        return v0, x._version, r is x, x
    same(f)


def test_version_counter_not_bumped_by_out_of_place():
    same(lambda t: (lambda x: (x + 1, x.exp(), x.t(), x[0], x._version))(t.tensor(A.copy())))


def test_version_counter_shared_by_views_and_detach():
    def f(t):
        x = t.tensor(M.copy())
        v, d, row, tr = x.view(6), x.detach(), x[0], x.t()
        row.add_(1)
        out = [x._version, v._version, d._version, row._version, tr._version]
        d.mul_(2)
        out += [x._version, v._version, row._version]
        x.zero_()
        out += [d._version, tr._version]
        return out, x, d
    same(f)


def test_version_counter_not_shared_by_data():
    def f(t):
        x = t.tensor(A.copy(), requires_grad=True)
        d = x.data
        d.add_(1)
        out = [x._version, d._version, d.requires_grad, d.is_leaf]
        with t.no_grad():
            x.add_(1)
        out += [x._version, d._version, d]
        return out
    same(f)


def test_setitem_bumps_version():
    def f(t):
        x = t.tensor(M.copy())
        x[0, 1] = 7.0
        x[1] = t.tensor([1.0, 2.0, 3.0])
        return x._version, x
    same(f)


# -- the seed example: detach() vs .data --------------------------------------------------

def test_detach_then_modify_raises_at_backward():
    def f(t):
        a = t.tensor([7.0, 0, 0], requires_grad=True)
        b = a + 2
        loss = t.mean(b * b)
        b_ = b.detach()
        b_.zero_()
        r = [repr(b), b._version, b_._version]
        try:
            loss.backward()
        except RuntimeError as e:
            r.append(str(e))
        return r
    same(f)


def test_data_then_modify_is_silently_wrong():
    def f(t):
        a = t.tensor([7.0, 0, 0], requires_grad=True)
        b = a + 2
        loss = t.mean(b * b)
        b_ = b.data
        b_.zero_()
        loss.backward()
        return repr(b), a.grad, b._version
    same(f)


# -- in-place on leaves ---------------------------------------------------------------------

@pytest.mark.parametrize("op", INPLACE[:10])
def test_inplace_on_leaf_requiring_grad(op):
    raises(lambda t: op(leaf(t)))


@pytest.mark.parametrize("op", [
    lambda x: x[0].mul_(2), lambda x: x[1:].zero_(), lambda x: x.view(3).add_(1),
    lambda x: x.unsqueeze(0).exp_(), lambda x: x.view(1, 3).t().fill_(1.0),
])
def test_inplace_on_view_of_leaf(op):
    raises(lambda t: op(leaf(t)))


@pytest.mark.parametrize("op", INPLACE[:10])
def test_inplace_on_leaf_under_no_grad(op):
    def f(t):
        x = leaf(t)
        with t.no_grad():
            op(x)
        y = (x * x).sum()
        y.backward()
        return x, x.grad, x.is_leaf, x._version
    same(f)


def test_inplace_on_view_of_leaf_under_no_grad():
    def f(t):
        x = leaf(t)
        with t.no_grad():
            v = x[1:]
            v.mul_(2)
            inner = (v.requires_grad, v.grad_fn)
        outer = v.grad_fn  # its version moved on: torch regenerates it as AsStridedBackward0
        (x * 3).sum().backward()
        return x, inner, outer, x.grad, v.is_leaf
    same(f)


def test_view_of_leaf_made_under_no_grad():
    def f(t):
        x = leaf(t)
        with t.no_grad():
            v = x[0]
        return v, v.requires_grad, v.grad_fn, v.is_leaf
    same(f)


def test_inplace_on_leaf_not_requiring_grad_with_grad_operand():
    def f(t):
        x = leaf(t, A, False)
        w = leaf(t, A * 2)
        x.mul_(w)
        y = (x * x).sum()
        y.backward()
        return x, x.is_leaf, x.grad_fn, w.grad, graph(y.grad_fn)
    same(f)


def test_inplace_on_detached_leaf():
    def f(t):
        x = leaf(t)
        d = x.detach()
        d.add_(10)
        return x, d, x._version
    same(f)


# -- in-place on non-leaves -------------------------------------------------------------------

@pytest.mark.parametrize("op", INPLACE)
def test_inplace_on_non_leaf_gradient(op):
    def f(t):
        x = leaf(t)
        y = x * 1.5
        op(y)
        z = (y * t.tensor([1.0, 2.0, 3.0])).sum()
        z.backward()
        return y, x.grad, y.grad_fn
    same(f)


def test_inplace_chain_grad_fn():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.add_(1)
        y.mul_(y)
        y.exp_()
        return graph(y.grad_fn), y._version
    same(f)


def test_mul_by_requires_grad_tensor_saves_old_value():
    def f(t):
        x = leaf(t)
        w = leaf(t, A[::-1].copy())
        y = x + 0
        y.mul_(w)
        y.mul_(w)
        y.sum().backward()
        return y, x.grad, w.grad
    same(f)


def test_mul_self_inplace():
    def f(t):
        x = leaf(t)
        y = x * 1
        y.mul_(y)
        y.sum().backward()
        return x.grad
    same(f)


def test_inplace_on_plain_tensor_by_requires_grad():
    def f(t):
        w = leaf(t)
        y = t.ones(3)
        y.mul_(w)
        y.add_(w)
        y.sum().backward()
        return y, w.grad, y.is_leaf, y.grad_fn
    same(f)


def test_modified_saved_input_errors():
    def f(t):
        x = leaf(t)
        h = x * 2
        y = h * h  # saves h
        h.add_(1)
        y.sum().backward()
    raises(f)


def test_modified_saved_output_errors():
    def f(t):
        x = leaf(t)
        y = x.exp()  # saves its result
        y.add_(1)
        y.sum().backward()
    raises(f)


def test_modified_saved_plain_tensor_errors():
    def f(t):
        x = leaf(t)
        w = t.ones(3)
        y = x * w
        w.add_(1)
        y.sum().backward()
    raises(f)


def test_modified_unsaved_input_is_fine():
    def f(t):
        x = leaf(t)
        h = x * 2
        y = h + 1  # add saves nothing
        z = h * 3  # saves only the constant side
        h.add_(1)
        (y + z).sum().backward()
        return x.grad
    same(f)


def test_modified_via_view_of_saved():
    def f(t):
        x = leaf(t, M)
        h = x * 2
        y = h[0]
        z = (y * y).sum()
        h.add_(1)
        z.backward()
    raises(f)


def test_modified_saved_view_transposed():
    def f(t):
        x = leaf(t, M)
        h = x * 2
        y = h.t()
        z = (y * y).sum()
        h.add_(1)
        z.backward()
    raises(f)


def test_modified_saved_with_retain_graph_second_time():
    def f(t):
        x = leaf(t)
        h = x * 2
        y = (h * h).sum()
        y.backward(retain_graph=True)
        h.mul_(3)
        y.backward()
    raises(f)


# -- in-place on views of non-leaves -----------------------------------------------------

def test_inplace_on_view_copyslices_graph():
    def f(t):
        x = leaf(t)
        y = x * 1
        y[0].mul_(2)
        v = y[1:]
        g1 = graph(y.grad_fn)
        y.add_(1)
        return g1, graph(v.grad_fn), graph(y.grad_fn), v, y
    same(f)


@pytest.mark.parametrize("view", [
    lambda y: y[0], lambda y: y[1:], lambda y: y[:, 1], lambda y: y.t()[0],
    lambda y: y.view(6)[2:5], lambda y: y.unsqueeze(0)[0, 1], lambda y: y.reshape(3, 2)[1],
    lambda y: y.transpose(0, 1), lambda y: y[..., ::2], lambda y: y.narrow(1, 1, 2),
])
@pytest.mark.parametrize("op", [
    lambda v, w: v.mul_(2), lambda v, w: v.zero_(), lambda v, w: v.add_(w.sum()),
    lambda v, w: v.exp_(), lambda v, w: v.copy_(w.sum() * 3),
])
def test_inplace_on_view_of_non_leaf(view, op):
    def f(t):
        x = leaf(t, M)
        w = leaf(t, A)
        y = x * 1.5
        v = view(y)
        op(v, w)
        out = (y * t.arange(6.0).view(2, 3)).sum() + (v * v).sum()
        out.backward()
        return y, v, y.grad_fn, v.grad_fn, x.grad, w.grad
    same(f)


def test_view_grad_fn_after_base_modified():
    def f(t):
        x = leaf(t, M)
        y = x * 2
        a, b = y[0], y.t()
        names = (a.grad_fn, b.grad_fn)
        y.mul_(3)
        return names, a.grad_fn, b.grad_fn, graph(a.grad_fn), a, b
    same(f)


def test_gradient_through_stale_view():
    def f(t):
        x = leaf(t, M)
        y = x * 2
        a = y[1]
        y.mul_(3)
        (a * t.tensor([1.0, 2.0, 3.0])).sum().backward()
        return x.grad
    same(f)


def test_setitem_on_non_leaf():
    def f(t):
        x = leaf(t)
        w = leaf(t, A * 3)
        y = x * 2
        y[0] = w[1] * 5
        y[1:] = 0.0
        y.sum().backward()
        return y, graph(y.grad_fn), x.grad, w.grad
    same(f)


def test_setitem_on_tensor_without_grad():
    def f(t):
        x = leaf(t)
        y = t.zeros(3)
        y[1] = x[0] * 2
        y[2] = x[2]
        (y * y).sum().backward()
        return y, graph(y.grad_fn), x.grad
    same(f)


def test_views_share_memory():
    def f(t):
        x = t.tensor(M.copy())
        v = x.view(6)
        v[0] = 100.0
        x.t()[2, 1] = -5.0
        return x, v, x._base is None, v._base is x, v.is_leaf
    same(f)


def test_chain_of_views_base():
    def f(t):
        x = t.tensor(M.copy())
        v = x.view(6)[1:].view(5, 1)
        return v._base is x, x[0]._base is x
    same(f)


def test_multiple_views_modified():
    def f(t):
        x = leaf(t, M)
        y = x.exp()
        y[0].mul_(2)
        y[1].add_(y[0].sum())
        y.sum().backward()
        return y, x.grad
    same(f)


def test_inplace_on_view_then_view_again():
    def f(t):
        x = leaf(t, M)
        y = x * 1
        r = y[0]
        r[1:].mul_(3)
        (y * y).sum().backward()
        return y, r.grad_fn, x.grad
    same(f)


def test_inplace_view_of_view_of_leaf_error():
    raises(lambda t: leaf(t, M)[0][1:].add_(1))


# -- detach_, .data = -----------------------------------------------------------------

def test_detach_():
    def f(t):
        x = leaf(t)
        y = x * 2
        r = y.detach_()
        return r is y, y, y.requires_grad, y.is_leaf, y.grad_fn
    same(f)


def test_detach__on_view():
    raises(lambda t: (leaf(t) * 2)[0].detach_())


def test_detach_shares_memory_and_is_leaf():
    def f(t):
        x = leaf(t)
        d = x.detach()
        with t.no_grad():
            x.mul_(2)
        return d, d.requires_grad, d.is_leaf, d._version
    same(f)


def test_assign_data():
    def f(t):
        x = leaf(t)
        x.data = t.tensor([1.0, 2.0, 3.0, 4.0])
        y = (x * x).sum()
        y.backward()
        return x, x.grad, x.requires_grad, x._version
    same(f)


def test_assign_data_other_dtype():
    def f(t):
        x = leaf(t)
        x.data = t.ones(2, dtype=t.float64)
        return x, x.dtype
    same(f)


def test_data_fill_for_init():
    def f(t):
        x = leaf(t, M)
        x.data.fill_(0.1)
        (x * 3).sum().backward()
        return x, x.grad, x._version
    same(f)


def test_data_is_detached_leaf():
    def f(t):
        y = leaf(t) * 2
        d = y.data
        return d, d.is_leaf, d.requires_grad, d.grad_fn, d._version
    same(f)


# -- retain_grad and hooks across in-place --------------------------------------------------

def test_retain_grad_follows_inplace():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.retain_grad()
        seen = []
        y.register_hook(lambda g: seen.append(("before", g)))
        y.mul_(3)
        y.register_hook(lambda g: seen.append(("after", g)))
        (y * y).sum().backward()
        return y.grad, x.grad, y.retains_grad, seen
    same(f)


def test_retain_grad_on_view_follows_base_change():
    def f(t):
        x = leaf(t)
        y = x * 2
        v = y[1:]
        v.retain_grad()
        seen = []
        v.register_hook(seen.append)  # on the old grad_fn: never called, as in torch
        y.mul_(2)
        (v * 3).sum().backward()
        return v.grad, x.grad, seen
    same(f)


def test_retain_grad_on_base_follows_copyslices():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.retain_grad()
        y[0].mul_(5)
        (y * y).sum().backward()
        return y.grad, x.grad
    same(f)


# -- every in-place op, on a tensor and on a view, against torch's gradients ---------------

P = np.array([[0.5, 1.25, 2.0], [1.5, 0.75, 1.1]], dtype=np.float32)  # positive: log, sqrt
INPLACE_OPS = {
    "add_": lambda v, w: v.add_(w, alpha=2), "sub_": lambda v, w: v.sub_(w),
    "mul_": lambda v, w: v.mul_(w), "div_": lambda v, w: v.div_(w + 2),
    "pow_": lambda v, w: v.pow_(w), "pow_scalar": lambda v, w: v.pow_(3),
    "clamp_": lambda v, w: v.clamp_(0.8, 1.6), "clamp_t": lambda v, w: v.clamp_(max=w),
    "addcmul_": lambda v, w: v.addcmul_(w, w * 2, value=0.5),
    "addcdiv_": lambda v, w: v.addcdiv_(w, w + 1, value=2),
    "lerp_": lambda v, w: v.lerp_(w, 0.3), "hypot_": lambda v, w: v.hypot_(w),
    "atan2_": lambda v, w: v.atan2_(w), "sigmoid_": lambda v, w: v.sigmoid_(),
    "tanh_": lambda v, w: v.tanh_(), "relu_": lambda v, w: (v - 1).relu_() * v,
    "exp_": lambda v, w: v.exp_(), "log_": lambda v, w: v.log_(), "sqrt_": lambda v, w: v.sqrt_(),
    "abs_": lambda v, w: v.abs_(), "neg_": lambda v, w: v.neg_(),
    "reciprocal_": lambda v, w: v.reciprocal_(), "square_": lambda v, w: v.square_(),
    "masked_fill_": lambda v, w: v.masked_fill_(v > 1, 0.5),
    "copy_": lambda v, w: v.copy_(w * w), "fill_t": lambda v, w: v.fill_(w.sum()),
    "zero_": lambda v, w: v.zero_(), "sin_": lambda v, w: v.sin_(),
    "xlogy_": lambda v, w: v.xlogy_(w), "fmod_": lambda v, w: v.fmod_(w + 0.5),
    "maximum": lambda v, w: v.copy_(t_maximum(v, w)), "iadd": lambda v, w: v.__iadd__(w),
    "imul": lambda v, w: v.__imul__(w), "itruediv": lambda v, w: v.__itruediv__(w + 1),
    "lerp_t": lambda v, w: v.lerp_(w, w / 4), "expm1_": lambda v, w: v.expm1_(),
    "log1p_": lambda v, w: v.log1p_(), "rsqrt_": lambda v, w: v.rsqrt_(),
}


def t_maximum(v, w):  # noqa: ANN001, ANN201
    return type(v).maximum(v, w) if hasattr(type(v), "maximum") else v.maximum(w)


@pytest.mark.parametrize("where", ["whole", "row", "column", "transposed"])
@pytest.mark.parametrize("name", sorted(INPLACE_OPS))
def test_inplace_op_gradients(name, where):
    op = INPLACE_OPS[name]
    pick = {"whole": lambda y: y, "row": lambda y: y[1], "column": lambda y: y[:, 1],
            "transposed": lambda y: y.t()}[where]

    def f(t):
        x = leaf(t, P)
        w0 = leaf(t, P[::-1].copy() * 0.7)
        y = x * 1.0
        v = pick(y)
        w = w0 if where in ("whole",) else pick(w0 * 1.0)
        op(v, w)
        out = (y * t.arange(1.0, 7.0).view(2, 3)).sum()
        out.backward()
        return y.detach(), x.grad, w0.grad, y._version, y.requires_grad, y.is_leaf
    same(f)


def test_inplace_nondifferentiable_op():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.eq_(t.tensor([1.0, -2.5, 0.0]))
        z = x * 2
        z[1:].gt_(0)
        u = x * 2
        u.ne_(2.5)
        q = x * 2
        q.logical_not_()
        (y + z + u + q).sum().backward()
        return (y, z.detach(), u, q, y.grad_fn, z.grad_fn, x.grad, graph(y.grad_fn),
                graph(u.grad_fn), graph(q.grad_fn))
    same(f)


def test_inplace_saved_result_then_modified():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.exp_()  # ExpBackward0 saves its result: now y itself
        y.add_(1)
        y.sum().backward()
    raises(f)


def test_inplace_saved_result_unmodified_ok():
    def f(t):
        x = leaf(t)
        y = x * 2
        y.exp_()
        y.sigmoid_()
        y.sum().backward()
        return x.grad
    same(f)


def test_inplace_twice_saving_self():
    def f(t):
        x = leaf(t)
        w = leaf(t, A * -0.5)
        y = x + 0
        y.mul_(w)  # saves y's old value for w's gradient
        y.pow_(2)  # saves y's old value again
        y.mul_(y)
        y.sum().backward()
        return x.grad, w.grad
    same(f)


# -- in-place view ops: t_, transpose_, unsqueeze_, squeeze_ -------------------------------

VIEW_INPLACE = {
    "t_": lambda y: y.t_(), "transpose_": lambda y: y.transpose_(0, 1),
    "unsqueeze_": lambda y: y.unsqueeze_(0), "squeeze_": lambda y: y.unsqueeze_(0).squeeze_(0),
}
@pytest.mark.parametrize("name", sorted(VIEW_INPLACE))
def test_view_inplace_on_leaf_requiring_grad(name):
    raises(lambda t: VIEW_INPLACE[name](t.ones(2, 3, requires_grad=True)))


@pytest.mark.parametrize("name", sorted(VIEW_INPLACE))
def test_view_inplace_semantics(name):
    def f(t):
        x = t.ones(2, 3, requires_grad=True)
        y = x * t.arange(6.0).view(2, 3)
        v0 = y._version
        r = VIEW_INPLACE[name](y)
        (y * y).sum().backward()
        with t.no_grad():
            z = t.ones(2, 3)
            VIEW_INPLACE[name](z)
        return r is y, y.detach(), y._version - v0, y.is_leaf, x.grad, z.shape, z._version
    same(f)


@pytest.mark.parametrize("name", sorted(VIEW_INPLACE))
def test_view_inplace_grad_fn_names(name):
    def f(t):
        y = t.ones(2, 3, requires_grad=True) * 2
        VIEW_INPLACE[name](y)
        return y.grad_fn
    same(f)


# -- views torch forbids modifying in place ("creation meta") -------------------------------

@pytest.mark.parametrize("make", [
    lambda t, h: h.unbind(0)[1], lambda t, h: h.split(1)[0], lambda t, h: h.chunk(2)[1],
    lambda t, h: h.unbind(1)[2][1:], lambda t, h: h.split([1, 2], 1)[1].t(),
])
def test_inplace_on_multi_output_view(make):
    def f(t):
        h = leaf(t, M) * 1
        v = make(t, h)
        v.mul_(2)
    raises(f)


def test_multi_output_view_base_modified():
    def f(t):
        h = leaf(t, M) * 1
        a, b = h.unbind(0)
        h.add_(1)
        return b.grad_fn
    raises(f)


def test_multi_output_view_allowed_without_grad():
    def f(t):
        out = []
        a, b = t.tensor(M.copy()).unbind(0)
        a.mul_(2)  # nothing requires grad: fine
        out.append(a)
        h = leaf(t, M) * 1
        with t.no_grad():
            c, d = h.unbind(0)
            c.mul_(2)  # under no_grad: fine
        out.append(h.detach())
        return out
    same(f)


def test_multi_output_view_of_plain_tensor_with_grad_operand():
    def f(t):
        a, b = t.tensor(M.copy()).unbind(0)
        a.mul_(leaf(t)[0])
    raises(f)


@pytest.mark.parametrize("base_requires_grad", [False, True])
def test_view_made_under_no_grad_modified_with_grad_operand(base_requires_grad):
    def f(t):
        w = leaf(t, M, base_requires_grad) * 1 if base_requires_grad else t.tensor(M.copy())
        with t.no_grad():
            v = w[1:]
        v.mul_(leaf(t, A * 0 + 2))
    raises(f)


def test_view_made_under_no_grad_base_then_modified():
    def f(t):
        x = leaf(t, M)
        w = t.tensor(M.copy())
        with t.no_grad():
            v = w[1:]
        w.mul_(x)
        return v.grad_fn
    raises(f)


def test_view_of_view_made_under_no_grad():
    def f(t):
        x = leaf(t, M)
        with t.no_grad():
            v = x[1:]
        u = v[0]
        r = (u.grad_fn, u.requires_grad, u.is_leaf)
        try:
            u.mul_(2)
        except RuntimeError as e:
            return r, str(e)
        return r
    same(f)


def test_view_made_under_no_grad_used_with_grad():
    def f(t):
        x = leaf(t, M)
        with t.no_grad():
            v = x[1:]
        w = v * 2
        w.sum().backward()
        return w, graph(w.grad_fn), x.grad, v.grad
    same(f)

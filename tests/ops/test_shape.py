"""ember.ops.shape against real PyTorch: views and copies, their grad_fn names, gradients,
view semantics (shared memory and version counter), casts, and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import assert_same, check, check_error, rand

import ember

X = rand(2, 3, 4)
M = rand(3, 4, seed=1)


def _facts(t, r):
    """What a user can see about how ``r`` relates to its input: view or copy, contiguity."""
    return r, r._base is not None, r.is_contiguous()


# -- views and reshapes ------------------------------------------------------------------------

SHAPE_OPS = {
    "view": lambda t, a: a.view(6, 4), "view_-1": lambda t, a: a.view(-1),
    "view_tuple": lambda t, a: a.view((4, 6)), "view_size": lambda t, a: a.view(t.Size([24])),
    "view_as": lambda t, a: a.view_as(a.reshape(6, 4)),
    "reshape": lambda t, a: a.reshape(4, 6), "reshape_same": lambda t, a: a.reshape(2, 3, 4),
    "reshape_fn": lambda t, a: t.reshape(a, (3, -1)),
    "reshape_noncontig": lambda t, a: a.transpose(0, 1).reshape(-1),
    "reshape_noncontig_ok": lambda t, a: a.transpose(0, 1).reshape(3, 2, 2, 2),
    "reshape_as": lambda t, a: a.reshape_as(a.view(4, 6)),
    "flatten": lambda t, a: a.flatten(), "flatten_1": lambda t, a: a.flatten(1),
    "flatten_0_1": lambda t, a: t.flatten(a, 0, 1), "flatten_T": lambda t, a: a.mT.flatten(),
    "ravel": lambda t, a: a.ravel(), "ravel_T": lambda t, a: a.mT.ravel(),
    "unflatten": lambda t, a: a.unflatten(2, (2, 2)),
    "unflatten_-1": lambda t, a: t.unflatten(a, -1, (-1, 2)),
    "squeeze": lambda t, a: a[:, :1].squeeze(), "squeeze_dim": lambda t, a: a[:, :1].squeeze(1),
    "squeeze_dims": lambda t, a: a[:, :1].squeeze((0, 1)),
    "squeeze_noop": lambda t, a: a.squeeze(0), "squeeze_all_noop": lambda t, a: a.squeeze(),
    "unsqueeze": lambda t, a: a.unsqueeze(-1), "unsqueeze_0": lambda t, a: t.unsqueeze(a, 0),
    "transpose": lambda t, a: a.transpose(0, 2), "transpose_same": lambda t, a: a.transpose(1, 1),
    "swapaxes": lambda t, a: a.swapaxes(0, 1), "swapdims": lambda t, a: t.swapdims(a, 2, 1),
    "permute": lambda t, a: a.permute(2, 0, 1), "permute_list": lambda t, a: a.permute([1, 2, 0]),
    "permute_fn": lambda t, a: t.permute(a, (2, 1, 0)),
    "permute_neg": lambda t, a: a.permute(-1, 0, 1),
    "t": lambda t, a: a[0].t(), "t_fn": lambda t, a: t.t(a[0]), "t_1d": lambda t, a: a[0, 0].t(),
    "T": lambda t, a: a[0].T, "mT": lambda t, a: a.mT, "mH": lambda t, a: a.mH,
    "movedim": lambda t, a: a.movedim(0, -1),
    "moveaxis": lambda t, a: t.moveaxis(a, [0, 1], [2, 0]),
    "movedim_same": lambda t, a: a.movedim(1, 1),
    "narrow": lambda t, a: a.narrow(1, 1, 2), "narrow_neg": lambda t, a: t.narrow(a, -1, -3, 2),
    "select": lambda t, a: a.select(1, 0), "select_neg": lambda t, a: t.select(a, -1, -1),
    "expand": lambda t, a: a[:, :1].expand(2, 3, 4),
    "expand_new": lambda t, a: a.expand(2, 2, 3, 4),
    "expand_-1": lambda t, a: a[:, :1].expand(-1, 5, -1),
    "expand_same": lambda t, a: a.expand(2, 3, 4),
    "expand_as": lambda t, a: a[0].expand_as(a),
    "broadcast_to": lambda t, a: t.broadcast_to(a, (2, 2, 3, 4)),
    "diagonal": lambda t, a: a.diagonal(), "diagonal_off": lambda t, a: t.diagonal(a, 1, 1, 2),
    "diagonal_neg": lambda t, a: a.diagonal(-1, -1, -2),
    "contiguous": lambda t, a: a.transpose(0, 1).contiguous(),
    "atleast_1d": lambda t, a: t.atleast_1d(a[0, 0, 0]),
    "atleast_2d": lambda t, a: t.atleast_2d(a[0, 0]),
    "atleast_3d": lambda t, a: t.atleast_3d(a[0]),
    "atleast_3d_0": lambda t, a: t.atleast_3d(a[0, 0, 0]),
    "atleast_3d_1": lambda t, a: t.atleast_3d(a[0, 0]),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_view_op(name):
    f = SHAPE_OPS[name]
    check(lambda t, a: _facts(t, f(t, a)), X)
    check(lambda t, a: f(t, a), X.astype(np.float64))


def test_H_is_transpose():
    check(lambda t, a: _facts(t, a[0].H), X)


def test_t_of_3d_error():
    check_error(lambda t, a: a.t(), X, match=True)


def test_T_on_3d_warns_and_reverses():
    # torch warns once per process (TORCH_WARN_ONCE), so only ember's warning is checked.
    with pytest.warns(UserWarning, match="The use of `x.T` on tensors of dimension other "):
        check(lambda t, a: a.T, X)
    with pytest.warns(UserWarning, match="Tensor.T is deprecated on 0-D tensors"):
        check(lambda t, a: a[0, 0, 0].T, X)
    check(lambda t, a: _facts(t, a[0, 0].T), X)


def test_mT_errors():
    check_error(lambda t, a: a[0, 0].mT, X, match=True)


COPY_OPS = {
    "cat": lambda t, a: t.cat([a, a * 2], 1), "cat_neg": lambda t, a: t.cat((a, a), -1),
    "concat": lambda t, a: t.concat([a, a]), "concatenate": lambda t, a: t.concatenate([a, a], 2),
    "cat_one": lambda t, a: t.cat([a]), "cat_empty_legacy": lambda t, a: t.cat([a, t.tensor([])]),
    "cat_mixed_dtype": lambda t, a: t.cat([a, a.double()]),
    "cat_int_float": lambda t, a: t.cat([a.long(), a]),
    "stack": lambda t, a: t.stack([a, a * 2]), "stack_neg": lambda t, a: t.stack((a, a), -1),
    "stack_mid": lambda t, a: t.stack([a, a, a], 1),
    "hstack": lambda t, a: t.hstack([a, a]), "hstack_1d": lambda t, a: t.hstack([a[0, 0], a[1, 1]]),
    "vstack": lambda t, a: t.vstack([a, a]), "vstack_1d": lambda t, a: t.vstack([a[0, 0], a[1, 1]]),
    "dstack": lambda t, a: t.dstack([a, a]), "dstack_2d": lambda t, a: t.dstack([a[0], a[1]]),
    "flip": lambda t, a: a.flip(0), "flip_multi": lambda t, a: t.flip(a, (0, 2)),
    "flip_none": lambda t, a: a.flip([]), "fliplr": lambda t, a: a.fliplr(),
    "flipud": lambda t, a: t.flipud(a),
    "roll": lambda t, a: a.roll(1, 0), "roll_neg": lambda t, a: a.roll(-2, -1),
    "roll_flat": lambda t, a: a.roll(5), "roll_multi": lambda t, a: t.roll(a, (1, 2), (0, 2)),
    "clone": lambda t, a: a.clone(), "clone_fn": lambda t, a: t.clone(a.mT),
    "tile": lambda t, a: a.tile((2,)), "tile_more": lambda t, a: t.tile(a[0], (2, 1, 1)),
    "repeat": lambda t, a: a.repeat(1, 2, 1), "repeat_new": lambda t, a: a[0].repeat(2, 1, 3),
    "repeat_tuple": lambda t, a: a.repeat((2, 1, 1)),
    "double": lambda t, a: a.double(), "half": lambda t, a: a.half(),
    "to_dtype": lambda t, a: a.to(t.float64), "to_kw": lambda t, a: a.to(dtype=t.float64),
    "to_other": lambda t, a: a.to(t.ones(2, dtype=t.float64)),
    "to_device_dtype": lambda t, a: a.to("cpu", t.float64),
    "type": lambda t, a: a.type(t.float64), "type_str": lambda t, a: a.type("torch.DoubleTensor"),
}


@pytest.mark.parametrize("name", sorted(COPY_OPS))
def test_copy_op(name):
    f = COPY_OPS[name]
    check(lambda t, a: _facts(t, f(t, a)), X, rtol=1e-3 if name == "half" else None,
          atol=1e-3 if name == "half" else None)


MULTI_OPS = {
    "split": lambda t, a: a.split(2, 1), "split_sizes": lambda t, a: t.split(a, [1, 2], 1),
    "split_big": lambda t, a: a.split(5, 1), "split_neg": lambda t, a: a.split(3, -1),
    "chunk": lambda t, a: a.chunk(2, 2), "chunk3": lambda t, a: t.chunk(a, 3, 2),
    "chunk_more": lambda t, a: a.chunk(5, 1),
    "unbind": lambda t, a: a.unbind(1), "unbind0": lambda t, a: t.unbind(a),
    "tensor_split": lambda t, a: a.tensor_split(3, 2),
    "tensor_split_idx": lambda t, a: t.tensor_split(a, [1, 3], 2),
    "tensor_split_oob": lambda t, a: t.tensor_split(a, [2, 9], 1),
    "broadcast_tensors": lambda t, a: t.broadcast_tensors(a, a[0], a[:, :1]),
    "atleast_1d_many": lambda t, a: t.atleast_1d(a[0, 0, 0], a),
}


@pytest.mark.parametrize("name", sorted(MULTI_OPS))
def test_multi_output_op(name):
    f = MULTI_OPS[name]
    check(lambda t, a: [(o, o._base is not None) for o in f(t, a)], X)


def test_unbind_partial_use_gradient():
    check(lambda t, a: a.unbind(1)[2] * 3, X)
    check(lambda t, a: a.split(1, 0)[1], X)
    check(lambda t, a: a.chunk(2, 2)[0].exp(), X)


# -- view semantics ---------------------------------------------------------------------------

def test_identity_results_are_self():
    check(lambda t, a: (a.flatten(1, 1) is a, t.atleast_1d(a) is a, a.float() is a,
                        a.to(t.float32) is a, a.contiguous() is a, a.to("cpu") is a,
                        a.type(t.float32) is a, a.to(a) is a,
                        t.broadcast_tensors(a, a[0])[0] is a), X)


def test_to_copy_flag():
    check(lambda t, a: (lambda r: (r, r is a))(a.to(t.float32, copy=True)), X)


def test_type_name():
    check(lambda t, a: (a.type(), a.long().type(), a.bool().type(), a.double().type()), X)


def test_view_shares_memory_and_version():
    def run(t, a):
        base = a.detach().clone()
        v = base.view(6, 4)
        v[0, 0] = 100.0
        s = base[1]
        s.add_(1)
        tr = base.transpose(0, 2)
        tr.mul_(2)
        return base, v, s, tr, base._version, v._version, s._version, tr._version

    check(run, X, grad=False)


def test_detach_shares_version_data_does_not():
    def run(t, a):
        base = a.detach().clone()
        d = base.detach()
        d.add_(1)
        w = base.data
        w.add_(1)
        return base, base._version, d._version, w._version

    check(run, X, grad=False)


def test_view_noncontiguous_error():
    check_error(lambda t, a: a.transpose(0, 1).view(-1), X, match=True)
    check_error(lambda t, a: a.mT.view(2, 12), X, match=True)


def test_view_after_transpose_that_fits():
    check(lambda t, a: _facts(t, a.transpose(0, 1).view(3, 2, 4)), X)
    check(lambda t, a: _facts(t, a[:, 1:].view(2, 2, 2, 2)), X)


def test_reshape_view_or_copy_graph():
    def run(t, a):
        v = a.reshape(4, 6)
        c = a.transpose(0, 1).reshape(-1)
        return (v.grad_fn.name(), c.grad_fn.name(), c.grad_fn.next_functions[0][0].name(),
                v._base is a, c._base is None)

    check(run, X)


def test_contiguous_of_view_is_clone():
    def run(t, a):
        tr = a.transpose(0, 1)
        c = tr.contiguous()
        return c, c.grad_fn.name(), c.is_contiguous(), c._base is None, tr.is_contiguous()

    check(run, X)


def test_stride_and_contiguity():
    check(lambda t, a: (a.stride(), a.transpose(0, 2).stride(), a[:, 1:].stride(),
                        a[:, ::2].stride(), a.expand(2, 2, 3, 4).stride(),
                        a.unsqueeze(1).stride(), a[0, 0].stride(0)), X, grad=False)


def test_inplace_through_view_rewrites_base_history():
    def run(t, a):
        y = a * 1
        y.view(-1)[:5].mul_(3)
        y.select(0, 1).add_(y.select(0, 0))
        return y

    check(run, X)


# -- errors -----------------------------------------------------------------------------------

ERRORS = {
    "view_bad_size": lambda t, a: a.view(5, 5),
    "view_two_inferred": lambda t, a: a.view(-1, -1),
    "reshape_bad": lambda t, a: a.reshape(7, -1),
    "reshape_neg": lambda t, a: a.reshape(-2, 12),
    "cat_size": lambda t, a: t.cat([a, a[:, :2, :2]], 1),
    "cat_dims": lambda t, a: t.cat([a, a[0]]),
    "cat_zero_dim": lambda t, a: t.cat([a[0, 0, 0], a[0, 0, 1]]),
    "cat_empty_list": lambda t, a: t.cat([]),
    "cat_dim_range": lambda t, a: t.cat([a, a], 3),
    "stack_shapes": lambda t, a: t.stack([a, a[:, :2]]),
    "stack_empty": lambda t, a: t.stack([]),
    "expand_smaller": lambda t, a: a.expand(3, 4),
    "expand_mismatch": lambda t, a: a.expand(2, 5, 4),
    "expand_neg_lead": lambda t, a: a.expand(-1, 2, 3, 4),
    "permute_dup": lambda t, a: a.permute(0, 0, 1),
    "permute_len": lambda t, a: a.permute(0, 1),
    "permute_range": lambda t, a: a.permute(0, 1, 3),
    "transpose_range": lambda t, a: a.transpose(0, 3),
    "unsqueeze_range": lambda t, a: a.unsqueeze(4),
    "squeeze_range": lambda t, a: a.squeeze(3),
    "select_range": lambda t, a: a.select(1, 3),
    "select_dim_range": lambda t, a: a.select(3, 0),
    "narrow_range": lambda t, a: a.narrow(1, 2, 2),
    "narrow_start": lambda t, a: a.narrow(1, 4, 0),
    "split_sizes_sum": lambda t, a: a.split([1, 1], 1),
    "chunk_zero": lambda t, a: a.chunk(0),
    "repeat_few": lambda t, a: a.repeat(2, 2),
    "flatten_order": lambda t, a: a.flatten(2, 1),
    "unflatten_bad": lambda t, a: a.unflatten(1, (2, 2)),
    "movedim_dup": lambda t, a: a.movedim((0, 0), (1, 2)),
    "diagonal_same": lambda t, a: a.diagonal(0, 1, 1),
    "flip_dup": lambda t, a: a.flip(0, 0),
    "roll_mismatch": lambda t, a: a.roll((1, 2), (0,)),
    "view_dtype": lambda t, a: a.view(t.float64).view(t.int8).view(t.float16).shape,
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_shape_errors(name):
    f = ERRORS[name]
    try:
        f(torch, torch.from_numpy(X.copy()))
    except Exception:  # noqa: BLE001
        check_error(f, X, match=True)
    else:  # torch accepts it: then ember must give the same answer
        check(f, X, grad=False)


# -- casts, copy_, fill_, zero_ ------------------------------------------------------------------

@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "char",
                                    "byte", "bool"])
def test_cast_methods(method):
    a = np.array([[-1.7, 0.0, 2.5], [3.9, -0.2, 300.0]], np.float32)
    check(lambda t, x: getattr(x, method)(), a, grad=method in ("float", "double", "half"),
          rtol=1e-2, atol=1e-2)
    check(lambda t, x: getattr(x, method)(), np.array([0, 1, 2, -3]))
    check(lambda t, x: getattr(x, method)(), np.array([True, False]))


def test_to_dtype_float_int_bool_python_types():
    check(lambda t, x: (x.to(float), x.to(int), x.to(bool)), rand(3) * 3)


def test_cast_gradient_back_to_source_dtype():
    check(lambda t, x: x.double() * 2, rand(3))
    check(lambda t, x: x.float().exp(), rand(3, dtype=np.float64))


def test_copy_():
    def run(t, a, b):
        y = a * 1
        y.copy_(b)
        z = a * 1
        z[0].copy_(b[0, 0])
        w = t.zeros(2, 3, 4, dtype=t.float64)
        w.copy_(a.detach())
        k = t.zeros(3, dtype=t.int64)
        k.copy_(t.tensor([1.7, -2.2, 3.0]))
        return y, z, w, k, y._version

    check(run, X, rand(2, 3, 4, seed=5))


def test_copy_broadcast_and_errors():
    def run(t, a, b):
        y = a * 1
        y.copy_(b[0])
        return y

    check(run, X, rand(2, 3, 4, seed=5))
    check_error(lambda t, a: a.detach().clone().copy_(a[:, :2]), X, match=True)
    check_error(lambda t, a: a.copy_(a * 2), X, match=True)


def test_zero_and_fill():
    def run(t, a, v):
        y = a * 2
        y[0].zero_()
        z = a * 2
        z[:, 1].fill_(3.5)
        w = a * 2
        w.fill_(v)
        k = t.zeros(3, dtype=t.int64)
        k.fill_(2.7)
        return y, z, w, k, y._version, z._version

    check(run, X, np.array(1.5, np.float32))


def test_fill_errors():
    check_error(lambda t, a: a.detach().clone().fill_(a[0]), X, match=True)
    check_error(lambda t, a: a.fill_(1.0), X, match=True)
    check_error(lambda t, a: a.zero_(), X, match=True)


def test_clone_of_view_and_grad():
    check(lambda t, a: (lambda c: (c, c._base is None, c.is_contiguous()))(a.mT.clone()), X)


def test_inplace_view_methods():
    def run(t, a):
        y = a * 1
        r1 = y.t_()
        z = a[0] * 1
        z.unsqueeze_(0)
        w = (a * 1).unsqueeze(1)
        w.squeeze_(1)
        v = a * 1
        v.transpose_(0, 1)
        return y, r1 is y, z, w, v, y.grad_fn.name(), z.grad_fn.name(), v.grad_fn.name()

    check(run, X[0].copy())
    check(lambda t, a: (lambda v: (v.transpose_(0, 1), v.shape))(a * 1)[1], X)


def test_as_strided_forward():
    check(lambda t, a: a.detach().as_strided((2, 2), (1, 2)), X, grad=False)
    check(lambda t, a: t.as_strided(a.detach(), (3,), (4,), 1), X, grad=False)


def test_view_dtype():
    check(lambda t, a: (a.detach().view(t.int32), a.detach().view(t.uint8).shape), X,
          grad=False)


# -- properties ---------------------------------------------------------------------------------

@st.composite
def _shape_and_perm(draw):
    n = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(n))
    perm = draw(st.permutations(range(n)))
    return shape, tuple(perm)


@settings(max_examples=30, deadline=None)
@given(_shape_and_perm())
def test_permute_reshape_property(case):
    shape, perm = case
    a = rand(*shape)
    check(lambda t, x: x.permute(perm).reshape(-1), a)
    check(lambda t, x: _facts(t, x.permute(perm).contiguous()), a, grad=False)


def test_broadcast_shapes():
    for shapes in [((2, 1), (3,)), ((1,), (4, 1, 1), (2, 1)), (3, (2, 1)), ((),), ((0, 1), (3,))]:
        assert_same(ember.broadcast_shapes(*shapes), torch.broadcast_shapes(*shapes))
    with pytest.raises(RuntimeError) as e:
        torch.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError) as ee:
        ember.broadcast_shapes((2,), (3,))
    assert str(ee.value) == str(e.value)

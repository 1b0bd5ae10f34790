"""Forward-mode AD (ember/autograd/forward_ad.py) against torch.autograd.forward_ad.

Snippets run on ``torch`` and on ``ember`` (``same`` compares results, exception types and
messages, warnings). Tangents are compared as arrays (values, dtype, shape): how torch
builds a tangent (its grad_fn) is an implementation detail. The op table of
test_gradcheck.py is reused to compare tangents with torch's over every op, and the
reverse-mode derivative of tangents with torch's, or with finite differences where torch's
own is wrong or missing. Custom Function.jvp and gradcheck(check_forward_ad=True) are at
the end.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from agcompare import raises, same
from test_gradcheck import OPS

import ember
import ember.autograd.forward_ad as fwAD  # noqa: N812  (the name torch's docs use)
import ember.autograd.function  # noqa: F401
from ember.autograd.gradcheck import gradcheck, gradgradcheck

with warnings.catch_warnings():
    # torch's first make_dual imports its jvp decompositions, which warn (deprecated
    # torch.jit.script) once per process: import them here, not inside a compared snippet.
    warnings.simplefilter("ignore")
    importlib.import_module("torch._decomp.decompositions_for_jvp")

RNG = np.random.default_rng(11)
A = RNG.standard_normal((2, 3))
TA = RNG.standard_normal((2, 3))
B = RNG.standard_normal((3,))
TB = RNG.standard_normal((3,))


def fw(L: Any) -> Any:  # noqa: N802
    return importlib.import_module(L.__name__ + ".autograd.forward_ad")


def fn_mod(L: Any) -> Any:  # noqa: N802
    return importlib.import_module(L.__name__ + ".autograd.function")


def T(L: Any, a: Any, **kw: Any) -> Any:  # noqa: N802
    return L.tensor(np.array(a), dtype=kw.pop("dtype", L.float64), **kw)


def val(t: Any) -> Any:
    """A tensor's values as an array (None stays None): what is compared of a tangent."""
    if t is None:
        return None
    if isinstance(t, ember.Tensor):
        return np.array(t.detach()._data)
    if t._is_zerotensor():  # torch's lazy zeros cannot become arrays
        return np.zeros(tuple(t.shape), dtype=torch.empty(0, dtype=t.dtype).numpy().dtype)
    return t.detach().numpy().copy()


def tangent(L: Any, t: Any) -> Any:
    return val(fw(L).unpack_dual(t).tangent)


# -- the API and its errors ----------------------------------------------------------------

def test_module_imports_and_namespace():
    assert ember.autograd.forward_ad is fwAD
    with ember.autograd.forward_ad.dual_level() as level:
        assert level == 0
    assert fwAD.__all__ == torch.autograd.forward_ad.__all__
    assert fwAD.UnpackedDualTensor._fields == ("primal", "tangent")
    same(lambda L: repr(fw(L).UnpackedDualTensor(1, None)))


def test_make_dual_and_unpack_dual():
    def snippet(L):
        x, t = T(L, A), T(L, TA)
        with fw(L).dual_level():
            d = fw(L).make_dual(x, t)
            p, tt = fw(L).unpack_dual(d)
            out = (d, p, val(tt), tt is t, p._base is x, d._base is x,
                   fw(L).unpack_dual(x).tangent is None, type(fw(L).unpack_dual(d)).__name__)
        return out + (fw(L).unpack_dual(d).tangent is None,)

    same(snippet)


def test_grad_fn_of_dual_and_primal():
    def snippet(L):
        x = T(L, A, requires_grad=True)
        with fw(L).dual_level():
            d = fw(L).make_dual(x, T(L, TA))
            p = fw(L).unpack_dual(d).primal
            p.sum().backward()
            return d.grad_fn.name(), p.grad_fn.name(), d.is_leaf, p.requires_grad, val(x.grad)

    same(snippet)


def test_primal_shares_memory_and_has_no_tangent():
    def snippet(L):
        x = T(L, A)
        with fw(L).dual_level():
            d = fw(L).make_dual(x, T(L, TA))
            p = fw(L).unpack_dual(d).primal
            p.mul_(2)
            return (val(d), val(x), fw(L).unpack_dual(p).tangent, fw(L).unpack_dual(p[0]).tangent,
                    tangent(L, d), x._version)

    same(snippet)


def test_unpack_of_a_plain_tensor_and_outside_a_level():
    def snippet(L):
        x = T(L, A)
        outside = fw(L).unpack_dual(x)
        with fw(L).dual_level():
            inside = fw(L).unpack_dual(x)
            return (outside.primal is x, outside.tangent, inside.primal is x,
                    inside.primal._base is x, inside.tangent)

    same(snippet)


def test_tangent_kept_as_given_or_copied_to_the_primals_layout():
    def snippet(L):
        x = T(L, A)
        t = T(L, TA.T.copy()).t()  # same values, transposed strides
        with fw(L).dual_level():
            d = fw(L).make_dual(x, t)
            d2 = fw(L).make_dual(x, T(L, TA))
            e = fw(L).make_dual(T(L, B), T(L, [1.0]).expand(3))
            return (fw(L).unpack_dual(d).tangent is t, fw(L).unpack_dual(d).tangent.stride(),
                    val(fw(L).unpack_dual(d).tangent), fw(L).unpack_dual(d2).tangent.stride(),
                    fw(L).unpack_dual(e).tangent.stride())

    same(snippet)


def test_tangent_dtype_may_differ():
    def snippet(L):
        with fw(L).dual_level():
            d = fw(L).make_dual(T(L, A), T(L, TA, dtype=L.float32))
            return tangent(L, d).dtype.name, tangent(L, d.sin()).dtype.name, \
                tangent(L, d.to(L.float32)).dtype.name, tangent(L, d.float()).dtype.name

    same(snippet)


@pytest.mark.parametrize("case", ["no_level", "bad_shape", "bad_shape_broadcastable",
                                  "int_primal", "int_tangent", "nested", "dual_of_dual",
                                  "tangent_is_dual", "bad_level", "negative_level",
                                  "unpack_int", "unpack_bad_level", "primal_not_tensor",
                                  "tangent_not_tensor", "exit_wrong_level", "exit_no_level",
                                  "exit_twice", "decorated_nested"])
def test_errors(case):
    def snippet(L):
        f = fw(L)
        x, t = T(L, A), T(L, TA)
        if case == "no_level":
            return f.make_dual(x, t)
        if case == "exit_no_level":
            return f.exit_dual_level()
        if case == "exit_twice":
            f.enter_dual_level()
            f.exit_dual_level(level=0)
            return f.exit_dual_level(level=0)
        if case == "decorated_nested":
            g = f.dual_level()(lambda: f.make_dual(x, t))
            with f.dual_level():
                return g()
        with f.dual_level():
            if case == "bad_shape":
                return f.make_dual(x, T(L, B))
            if case == "bad_shape_broadcastable":
                return f.make_dual(x, T(L, TA[:1]))
            if case == "int_primal":
                return f.make_dual(T(L, [1, 2], dtype=L.int64), T(L, [1.0, 2.0]))
            if case == "int_tangent":
                return f.make_dual(T(L, [1.0, 2.0]), T(L, [1, 2], dtype=L.int64))
            if case == "nested":
                return f.enter_dual_level()
            d = f.make_dual(x, t)
            if case == "dual_of_dual":
                return f.make_dual(d, t)
            if case == "tangent_is_dual":
                return f.make_dual(T(L, TA), d)
            if case == "bad_level":
                return f.make_dual(T(L, TA), t, level=3)
            if case == "negative_level":
                return f.make_dual(T(L, TA), t, level=-1)
            if case == "unpack_int":
                return f.unpack_dual(3)
            if case == "unpack_bad_level":
                return f.unpack_dual(d, level=1)
            if case == "primal_not_tensor":
                return f.make_dual(3.0, t)
            if case == "tangent_not_tensor":
                return f.make_dual(x, 3.0)
            if case == "exit_wrong_level":
                return f.exit_dual_level(level=2)
        return None

    raises(snippet)
    assert fwAD._current_level == -1 and not fwAD._state.active


def test_level_functions_and_decorator():
    def snippet(L):
        f = fw(L)
        level = f.enter_dual_level()
        d = f.make_dual(T(L, A), T(L, TA))
        inside = tangent(L, d * 2)
        f.exit_dual_level()
        after = f.unpack_dual(d).tangent

        @f.dual_level()
        def run():
            return tangent(L, f.make_dual(T(L, B), T(L, TB)).exp())

        return level, inside, after, run(), f.unpack_dual(d * 2).tangent

    same(snippet)


def test_level_closes_when_the_block_raises():
    with pytest.raises(ValueError):
        with fwAD.dual_level():
            fwAD.make_dual(T(ember, A), T(ember, TA))
            raise ValueError("boom")
    assert fwAD._current_level == -1 and not fwAD._state.active and not fwAD._holders


def test_tangents_are_gone_after_the_level():
    x = T(ember, A)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, T(ember, TA))
        y = d.exp()
        v = y[0]
        assert fwAD.unpack_dual(v).tangent is not None
    for t in (d, y, v):
        assert fwAD.unpack_dual(t).tangent is None
        assert "_fw_grad" not in t.__dict__
    with fwAD.dual_level():  # a new level starts clean
        assert fwAD.unpack_dual(y).tangent is None


# -- tangents through every op of the gradcheck table ---------------------------------------

def _inputs(L: Any, arrays: list, requires_grad: bool = False) -> list:
    return [L.tensor(a.copy(), dtype=L.float64, requires_grad=requires_grad) for a in arrays]


def _tangents(arrays: list) -> list:
    rng = np.random.default_rng(5)
    return [rng.standard_normal(a.shape) for a in arrays]


def _run_dual(L: Any, name: str, xs: list, tans: list) -> tuple:
    """The op on dual inputs: (outputs, their tangents)."""
    fn, _ = OPS[name]
    f = fw(L)
    duals = [f.make_dual(x, L.tensor(t, dtype=L.float64)) for x, t in zip(xs, tans)]
    out = fn(L, *duals)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return outs, [f.unpack_dual(o).tangent for o in outs]


def _skip_missing(name: str) -> None:
    fn, arrays = OPS[name]
    try:
        fn(ember, *_inputs(ember, arrays))
    except (AttributeError, NotImplementedError) as e:
        pytest.skip(f"ember lacks this op yet: {e}")


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_tangents_match_torch(name):
    _skip_missing(name)
    _compare_tangents(OPS[name][0], OPS[name][1])


def _compare_tangents(fn: Any, arrays: list) -> None:
    tans = _tangents(arrays)
    got = {}
    for L in (torch, ember):
        with fw(L).dual_level():
            duals = [fw(L).make_dual(x, L.tensor(t, dtype=L.float64))
                     for x, t in zip(_inputs(L, arrays), tans)]
            out = fn(L, *duals)
            outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
            got[L] = ([val(o) for o in outs], [tangent(L, o) for o in outs])
    (e_out, e_tan), (t_out, t_tan) = got[ember], got[torch]
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, err_msg=f"output {i}")
    for i, (e, t) in enumerate(zip(e_tan, t_tan)):
        assert (e is None) == (t is None), f"tangent {i}: ember {e}, torch {t}"
        if t is not None:
            assert e.dtype == t.dtype and e.shape == t.shape, f"tangent {i}"
            np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-11, err_msg=f"tangent {i}")


def _spd(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def _r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def _F(L: Any) -> Any:  # noqa: N802
    return L.nn.functional


# More ops, with every output (indices included), beyond the gradcheck table. Cholesky and
# eigh get a non-symmetric tangent: their jvp is not the transpose of their vjp there.
EXTRA = {
    "pad_value": (lambda L, a: _F(L).pad(a, (1, 2), value=3.0), [_r(2, 3)]),
    "pad_replicate": (lambda L, a: _F(L).pad(a, (1, 2), mode="replicate"), [_r(1, 2, 3)]),
    "channel_shuffle": (lambda L, a: _F(L).channel_shuffle(a, 2), [_r(1, 4, 2, 2)]),
    "pixel_unshuffle": (lambda L, a: _F(L).pixel_unshuffle(a, 2), [_r(1, 1, 4, 4)]),
    "where_number": (lambda L, a: L.where(a > 0, a, 0.0), [_r(2, 3)]),
    "masked_fill_tensor": (lambda L, a, v: a.masked_fill(a > 0, v), [_r(2, 3), _r()]),
    "clamp_tensor": (lambda L, a, lo: L.clamp(a, min=lo), [_r(2, 3), _r(3)]),
    "max_dim": (lambda L, a: L.max(a, 1), [_r(2, 3)]),
    "sort": (lambda L, a: L.sort(a, 1), [_r(2, 3)]),
    "var_mean": (lambda L, a: L.var_mean(a, 1), [_r(2, 3)]),
    "std_mean": (lambda L, a: L.std_mean(a, 1), [_r(2, 3)]),
    "aminmax": (lambda L, a: L.aminmax(a, dim=1), [_r(2, 3)]),
    "cummax": (lambda L, a: L.cummax(a, 1), [_r(2, 3)]),
    "logcumsumexp": (lambda L, a: L.logcumsumexp(a, 1), [_r(2, 3)]),
    "nansum": (lambda L, a: L.nansum(a), [_r(2, 3)]),
    "mode": (lambda L, a: L.mode(a, 1), [_r(2, 3)]),
    "nanmedian": (lambda L, a: L.nanmedian(a, 1), [_r(2, 3)]),
    "inv_ex": (lambda L, a: L.linalg.inv_ex(a), [_spd(3)]),
    "det": (lambda L, a: L.linalg.det(a), [_r(3, 3)]),
    "slogdet": (lambda L, a: L.linalg.slogdet(a), [_r(3, 3)]),
    "solve_ex": (lambda L, a, b: L.linalg.solve_ex(a, b), [_spd(3), _r(3, 2)]),
    "cholesky": (lambda L, a: L.linalg.cholesky(a), [_spd(3)]),
    "cholesky_upper": (lambda L, a: L.linalg.cholesky(a, upper=True), [_spd(3)]),
    "eigh": (lambda L, a: L.linalg.eigh(a), [_spd(3)]),
    "eigvalsh": (lambda L, a: L.linalg.eigvalsh(a), [_spd(3)]),
    "svd": (lambda L, a: L.linalg.svd(a, full_matrices=False), [_r(3, 3)]),
    "qr": (lambda L, a: L.linalg.qr(a), [_r(3, 3)]),
    "pinv": (lambda L, a: L.linalg.pinv(a), [_r(3, 2)]),
    "matrix_exp": (lambda L, a: L.linalg.matrix_exp(a), [_r(3, 3) * 0.3]),
    "lstsq": (lambda L, a, b: L.linalg.lstsq(a, b).solution, [_r(4, 3), _r(4, 2)]),
    "solve_triangular": (lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True),
                         [np.triu(_spd(3)), _r(3, 2)]),
    "fold": (lambda L, a: _F(L).fold(a, (3, 3), 2), [_r(1, 4, 4)]),
    "instance_norm": (lambda L, a: _F(L).instance_norm(a), [_r(2, 3, 4)]),
    "group_norm_plain": (lambda L, a: _F(L).group_norm(a, 1), [_r(2, 3, 4)]),
    "batch_norm_eval": (lambda L, a, w: _F(L).batch_norm(
        a, L.zeros(3, dtype=L.float64), L.ones(3, dtype=L.float64), w), [_r(4, 3), _r(3)]),
    "adaptive_max_pool2d": (lambda L, a: _F(L).adaptive_max_pool2d(a, 2, return_indices=True),
                            [_r(1, 1, 4, 4)]),
    "max_pool1d": (lambda L, a: _F(L).max_pool1d(a, 2, return_indices=True), [_r(1, 2, 4)]),
    "avg_pool3d": (lambda L, a: _F(L).avg_pool3d(a, 2), [_r(1, 1, 2, 2, 2)]),
    "conv_transpose1d": (lambda L, a, w: _F(L).conv_transpose1d(a, w),
                         [_r(1, 2, 3), _r(2, 1, 2)]),
    "conv3d": (lambda L, a, w: _F(L).conv3d(a, w), [_r(1, 1, 3, 3, 3), _r(1, 1, 2, 2, 2)]),
    "nll_loss_weight": (lambda L, a, w: _F(L).nll_loss(a, L.tensor([0, 2, 1]), weight=w),
                        [_r(3, 3), np.abs(_r(3))]),
    "nll_loss2d": (lambda L, a: _F(L).nll_loss(a, L.zeros(1, 2, 2, dtype=L.int64)),
                   [_r(1, 3, 2, 2)]),
    "activations": (lambda L, a: (_F(L).hardsigmoid(a), _F(L).hardswish(a), _F(L).celu(a),
                                  _F(L).threshold(a, 0.1, 2.0), _F(L).softshrink(a),
                                  _F(L).rrelu(a), _F(L).hardshrink(a)), [_r(2, 3)]),
    "prelu_channels": (lambda L, a, w: _F(L).prelu(a, w), [_r(2, 3, 2), _r(3)]),
    "rounding": (lambda L, a: (L.floor(a), a.round(), a.sign(), L.frac(a)), [_r(2, 3)]),
    "addmv": (lambda L, c, a, b: L.addmv(c, a, b, beta=0.3), [_r(2), _r(2, 3), _r(3)]),
    "addr": (lambda L, c, a, b: L.addr(c, a, b), [_r(2, 3), _r(2), _r(3)]),
    "addbmm": (lambda L, c, a, b: L.addbmm(c, a, b), [_r(2, 2), _r(3, 2, 3), _r(3, 3, 2)]),
    "index_copy": (lambda L, a, s: a.index_copy(0, L.tensor([1, 0]), s), [_r(2, 3), _r(2, 3)]),
    "index_fill": (lambda L, a: a.index_fill(1, L.tensor([0, 2]), 1.5), [_r(2, 3)]),
    "masked_scatter": (lambda L, a, s: a.masked_scatter(a > 0, s), [_r(2, 3), _r(2, 3)]),
    "scatter_value": (lambda L, a: a.scatter(1, L.tensor([[0], [2]]), 2.0), [_r(2, 3)]),
    "as_strided": (lambda L, a: a.as_strided((2, 2), (1, 2)) * 1, [_r(2, 3)]),
    "rms_norm": (lambda L, a: _F(L).rms_norm(a, (3,)), [_r(2, 3)]),
    "lp_pool2d": (lambda L, a: _F(L).lp_pool2d(a, 2, 2), [np.abs(_r(1, 1, 4, 4)) + 0.1]),
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_more_op_tangents_match_torch(name):
    _compare_tangents(*EXTRA[name])


# torch's reverse mode through its own tangents raises for these ("... modified by an
# inplace operation", or no derivative for glu's jvp), and gives wrong numbers for these
# (checked against finite differences); ember is checked against finite differences there.
TORCH_RAISES = {"F_cross_entropy", "F_cross_entropy_probs", "F_cross_entropy_smoothing",
                "F_glu", "F_log_softmax", "F_sdpa", "F_softmax", "log_softmax", "logsumexp",
                "norm_p1_dim", "softmax"}
TORCH_WRONG = {"F_layer_norm", "F_batch_norm_train"}


def _tangent_fn(L: Any, name: str, tans: list) -> Any:
    """x -> (tangents of the op at x, for the tangents ``tans``): differentiable in x."""

    def fn(*xs: Any) -> tuple:
        with fw(L).dual_level():
            _, ts = _run_dual(L, name, list(xs), tans)
            # a tangent that does not depend on x is a constant here
            return tuple(t if t.requires_grad else t.detach() for t in ts if t is not None)

    return fn


@pytest.mark.parametrize("name", sorted(OPS))
def test_reverse_mode_through_tangents(name):
    _skip_missing(name)
    arrays = OPS[name][1]
    tans = _tangents(arrays)
    if name in TORCH_RAISES | TORCH_WRONG:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name in TORCH_WRONG:  # the verdict the exclusion rests on
                assert not torch.autograd.gradcheck(
                    _tangent_fn(torch, name, tans), _inputs(torch, arrays, True),
                    raise_exception=False)
            else:
                with pytest.raises(Exception):  # noqa: B017
                    torch.autograd.gradcheck(_tangent_fn(torch, name, tans),
                                             _inputs(torch, arrays, True))
        assert gradcheck(_tangent_fn(ember, name, tans), _inputs(ember, arrays, True))
        return
    rng = np.random.default_rng(3)
    grads = {}
    for L in (torch, ember):
        xs = _inputs(L, arrays, True)
        ts = _tangent_fn(L, name, tans)(*xs)
        ws = [rng.standard_normal(tuple(t.shape)) for t in ts]
        rng = np.random.default_rng(3)
        total = sum((t * L.tensor(w)).sum() for t, w in zip(ts, ws) if t.requires_grad)
        if isinstance(total, int):  # no tangent depends on x
            grads[L] = [None] * len(xs)
            continue
        gs = L.autograd.grad(total, xs, allow_unused=True)
        grads[L] = [None if g is None or (L is torch and g._is_zerotensor()) else val(g)
                    for g in gs]
    for i, (e, t) in enumerate(zip(grads[ember], grads[torch])):
        if t is None or not np.any(t):
            assert e is None or not np.any(e), f"input {i}: ember {e}, torch zero"
        else:
            assert e is not None, f"input {i}: no gradient in ember"
            np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-10, err_msg=f"input {i}")


# -- complex tangents ------------------------------------------------------------------------

def _c(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


COMPLEX = {
    "mul": (lambda L, a, b: a * b, [_c(2, 3), _c(2, 3)]),
    "mul_real": (lambda L, a, b: a * b, [_c(2, 3), RNG.standard_normal((2, 3))]),
    "mul_number": (lambda L, a: a * (1 + 2j), [RNG.standard_normal((2, 3))]),
    "add_alpha": (lambda L, a, b: L.add(a, b, alpha=2j), [_c(2, 3), _c(2, 3)]),
    "sub": (lambda L, a, b: a - b, [_c(2, 3), _c(3)]),
    "rsub": (lambda L, a: 2 - a, [_c(2, 3)]),
    "div": (lambda L, a, b: a / b, [_c(2, 3), _c(2, 3)]),
    "exp": (lambda L, a: a.exp(), [_c(2, 3)]),
    "log": (lambda L, a: a.log(), [_c(2, 3)]),
    "sqrt": (lambda L, a: a.sqrt(), [_c(2, 3)]),
    "sin": (lambda L, a: a.sin(), [_c(2, 3)]),
    "tanh": (lambda L, a: a.tanh(), [_c(2, 3)]),
    "asin": (lambda L, a: a.asin(), [_c(2, 3) * 0.3]),
    "acosh": (lambda L, a: a.acosh(), [_c(2, 3) + 2]),
    "reciprocal": (lambda L, a: a.reciprocal(), [_c(2, 3)]),
    "pow_scalar": (lambda L, a: a ** 3, [_c(2, 3)]),
    "pow_tensor": (lambda L, a, b: a ** b, [_c(2, 3), _c(2, 3)]),
    "abs": (lambda L, a: a.abs(), [_c(2, 3)]),
    "angle": (lambda L, a: a.angle(), [_c(2, 3)]),
    "sgn": (lambda L, a: a.sgn(), [_c(2, 3)]),
    "real_imag": (lambda L, a: a.real * 2 + a.imag, [_c(2, 3)]),
    "conj": (lambda L, a: a.conj() * 1, [_c(2, 3)]),
    "matmul": (lambda L, a, b: a @ b, [_c(2, 3), _c(3, 2)]),
    "vdot": (lambda L, a, b: L.vdot(a, b), [_c(3), _c(3)]),
    "sum_mean": (lambda L, a: a.sum(0) + a.mean(1).sum(), [_c(2, 3)]),
    "norm": (lambda L, a: L.linalg.vector_norm(a), [_c(2, 3)]),
    "view_index": (lambda L, a: a.t()[1:] * 1, [_c(2, 3)]),
}


@pytest.mark.parametrize("name", sorted(COMPLEX))
def test_complex_tangents_match_torch(name):
    fn, arrays = COMPLEX[name]
    tans = [_c(*a.shape) if a.dtype.kind == "c" else RNG.standard_normal(a.shape)
            for a in arrays]

    def snippet(L):
        with fw(L).dual_level():
            duals = [fw(L).make_dual(L.tensor(a), L.tensor(t)) for a, t in zip(arrays, tans)]
            return tangent(L, fn(L, *duals))

    same(snippet, rtol=1e-9, atol=1e-11)


# -- views and in-place ops ----------------------------------------------------------------

def test_view_tangents_are_views_of_the_tangent():
    def snippet(L):
        x, t = T(L, A), T(L, TA)
        with fw(L).dual_level():
            d = fw(L).make_dual(x, t)
            views = [d[0], d.t(), d.view(-1), d[:, 1:], d.unsqueeze(0).expand(2, 2, 3),
                     d.diagonal(), d.unbind(1)[2], d.split([1, 2], 1)[1]]
            shared = [fw(L).unpack_dual(v).tangent._base is t for v in views]
            t.mul_(10)  # seen through every view
            return shared, [tangent(L, v) for v in views]

    same(snippet)


@pytest.mark.parametrize("case", range(17))
def test_inplace_updates_tangents_as_torch(case):
    def snippet(L):
        f = fw(L)
        x, t = T(L, A), T(L, TA)
        with f.dual_level():
            d = f.make_dual(x.clone(), t.clone())
            y = f.make_dual(T(L, B), T(L, TB))
            plain = T(L, A)
            if case == 0:
                d.mul_(2).add_(y)
                return tangent(L, d)
            if case == 1:
                d[0].mul_(d[1])  # a view changed in place: the base's tangent follows
                return tangent(L, d)
            if case == 2:
                plain[1] = y  # a plain tensor gets a (zero) tangent, y's in row 1
                return tangent(L, plain)
            if case == 3:
                d[1] = T(L, B)  # row 1's tangent is zero now
                return tangent(L, d)
            if case == 4:
                v = plain[0]  # a view made before its base had a tangent
                plain[1] = y
                return tangent(L, v), tangent(L, plain[1])
            if case == 5:
                v = d[0]
                d.exp_()
                return tangent(L, v), tangent(L, d)
            if case == 6:
                tt = T(L, TA)
                e = f.make_dual(x.clone(), tt)
                e.mul_(3)  # the tangent object itself is updated in place
                e.zero_()
                return val(tt), tangent(L, e)
            if case == 7:
                d.t_()
                d.unsqueeze_(0)
                return tangent(L, d), d.shape
            if case == 8:
                v = d[1]
                v.t_() if v.ndim == 2 else v.unsqueeze_(1)
                return tangent(L, v), tangent(L, d)
            if case == 9:
                plain.copy_(y)  # broadcast from a dual
                return tangent(L, plain)
            if case == 10:
                d.clamp_(-0.5, 0.5).relu_()
                L.nn.functional.relu(d, inplace=True)
                return tangent(L, d)
            if case == 11:
                d.masked_fill_(T(L, A > 0, dtype=L.bool), 1.0)
                d[T(L, [1, 0], dtype=L.int64), T(L, [2, 2], dtype=L.int64)] = y[:2]
                return tangent(L, d)
            if case == 12:
                s = T(L, A, dtype=L.float32)
                s.add_(f.make_dual(T(L, A), T(L, TA)))  # cast to the tensor's dtype
                return tangent(L, s)
            if case == 13:
                c = T(L, A, requires_grad=True).clone()  # with autograd history
                c.mul_(d)
                c[0].add_(y)
                return tangent(L, c), c.grad_fn.name()
            if case == 14:
                e = d + 1  # the result's tangent is its own, not d's
                e.mul_(5)
                return tangent(L, d), tangent(L, e)
            if case == 15:
                d.fill_(2.0)
                return tangent(L, d)
            if case == 16:
                p = f.unpack_dual(d).primal
                p.copy_(y)  # the primal is no dual: d keeps its tangent
                return tangent(L, d), tangent(L, p), val(d)
        return None

    same(snippet)


def test_outside_dual_tensors_nothing_changes():
    def snippet(L):
        with fw(L).dual_level():
            x = T(L, A)
            x.mul_(2)
            v = x[0]
            return fw(L).unpack_dual(x).tangent, fw(L).unpack_dual(v * 2).tangent, \
                fw(L).unpack_dual(fw(L).make_dual(x, T(L, TA)).detach()).tangent

    same(snippet)


@pytest.mark.parametrize("case", ["floor_divide", "floor_divide_number", "remainder_number",
                                  "heaviside", "scatter_reduce", "multi_margin_loss",
                                  "integer_result"])
def test_ops_torch_has_no_forward_ad_for(case):
    def snippet(L):
        with fw(L).dual_level():
            d = fw(L).make_dual(T(L, A), T(L, TA))
            if case == "floor_divide":
                return L.floor_divide(T(L, A), d)
            if case == "floor_divide_number":
                return d // 2
            if case == "remainder_number":
                return 2.0 % d
            if case == "heaviside":
                return L.heaviside(d, T(L, A))
            if case == "scatter_reduce":
                idx = T(L, [[0, 1, 1], [1, 0, 0]], dtype=L.int64)
                return L.scatter(d, 1, idx, d, reduce="add")
            if case == "multi_margin_loss":
                return L.nn.functional.multi_margin_loss(d, T(L, [0, 2], dtype=L.int64))
            # integer results carry no tangent (and raise nothing)
            return fw(L).unpack_dual(d.argmax(1)).tangent, fw(L).unpack_dual(d > 0).tangent

    if case == "integer_result":
        same(snippet)
    else:
        raises(snippet)


# -- networks --------------------------------------------------------------------------------

def test_mlp_and_convnet_tangents():
    rng = np.random.default_rng(2)
    w1, b1, w2 = rng.standard_normal((5, 4)), rng.standard_normal(5), rng.standard_normal((3, 5))
    img, k = rng.standard_normal((2, 1, 5, 5)), rng.standard_normal((2, 1, 3, 3))
    x, tx = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    tw = rng.standard_normal(k.shape)

    def snippet(L):
        F = L.nn.functional  # noqa: N806
        f = fw(L)
        with f.dual_level():
            xd = f.make_dual(T(L, x), T(L, tx))
            h = F.relu(F.linear(xd, T(L, w1), T(L, b1)))
            logits = F.linear(h, T(L, w2))
            loss = F.cross_entropy(logits, T(L, [0, 1, 2, 0, 1, 2], dtype=L.int64))
            mse = F.mse_loss(F.softmax(logits, -1), T(L, np.full((6, 3), 1 / 3)))
            kd = f.make_dual(T(L, k), T(L, tw))
            c = F.max_pool2d(F.conv2d(T(L, img), kd, padding=1).tanh(), 2)
            ln = F.layer_norm(c.flatten(1), (8,))
            return [tangent(L, t) for t in (h, logits, loss, mse, c, ln,
                                            F.log_softmax(logits, 1))]

    same(snippet, rtol=1e-9, atol=1e-11)


def test_modules_and_rnn():
    def snippet(L):
        L.manual_seed(0)
        rnn = L.nn.LSTM(3, 4).double()
        lin = L.nn.Linear(3, 2).double()
        with L.no_grad():  # the same weights on both sides
            for p in list(rnn.parameters()) + list(lin.parameters()):
                p.copy_(T(L, np.linspace(-0.5, 0.5, p.numel()).reshape(tuple(p.shape))))
        x = np.linspace(-1, 1, 2 * 1 * 3).reshape(2, 1, 3)
        with fw(L).dual_level():
            xd = fw(L).make_dual(T(L, x), T(L, np.cos(x)))
            out, (h, c) = rnn(xd)
            return tangent(L, out), tangent(L, c), tangent(L, lin(xd))

    same(snippet, rtol=1e-9, atol=1e-11)


def test_under_no_grad_tangents_still_flow():
    def snippet(L):
        with fw(L).dual_level(), L.no_grad():
            d = fw(L).make_dual(T(L, A, requires_grad=True), T(L, TA))
            y = (d.exp() * d).sum(0)
            return tangent(L, y), fw(L).unpack_dual(y).tangent.requires_grad

    same(snippet)


def test_reverse_mode_of_tangent_for_pointwise_ops():
    def snippet(L):
        x = T(L, A, requires_grad=True)
        t = T(L, TA, requires_grad=True)
        with fw(L).dual_level():
            d = fw(L).make_dual(x, t)
            y = (d.sin() * d.exp() / (d * d + 1)).tanh().sum()
            fw(L).unpack_dual(y).tangent.backward()
            return val(x.grad), val(t.grad)

    same(snippet, rtol=1e-9, atol=1e-11)


def test_reverse_mode_through_inplace_tangent_updates():
    def snippet(L):
        x = T(L, B, requires_grad=True)
        t = T(L, TB, requires_grad=True)
        with fw(L).dual_level():
            d = fw(L).make_dual(x, t)
            e = d * 1
            e.mul_(d)
            e[1:].exp_()
            fw(L).unpack_dual(e).tangent.sum().backward()
            return val(x.grad), val(t.grad)

    same(snippet, rtol=1e-9, atol=1e-11)


# -- custom Function.jvp -------------------------------------------------------------------

def _function(L: Any, forward: Any, jvp: Any = None, setup: Any = None) -> type:
    body = {"forward": staticmethod(forward),
            "backward": staticmethod(lambda ctx, *g: g[0] if len(g) == 1 else g)}
    if jvp is not None:
        body["jvp"] = staticmethod(jvp)
    if setup is not None:
        body["setup_context"] = staticmethod(setup)
    return type("Fn", (fn_mod(L).Function,), body)


def test_function_jvp_gets_zeros_none_and_saved_tensors():
    def snippet(L):
        seen = []

        def forward(ctx, a, b, k, n):
            ctx.save_for_forward(a, b)
            ctx.k = k
            return a * b * k

        def jvp(ctx, ta, tb, tk, tn):
            a, b = ctx.saved_tensors
            seen.extend([val(ta), val(tb), tk, tn, ctx.needs_input_grad,
                         fw(L).unpack_dual(a).tangent])
            return (ta * b + a * tb) * ctx.k

        Fn = _function(L, forward, jvp)  # noqa: N806
        with fw(L).dual_level():
            d = fw(L).make_dual(T(L, A), T(L, TA))
            out = Fn.apply(d, T(L, A), 3.0, T(L, [1, 2], dtype=L.int64))
            return tangent(L, out), seen

    same(snippet)


def test_function_forward_and_jvp_see_no_tangents():
    def snippet(L):
        seen = []

        def forward(ctx, a):
            seen.append((fw(L).unpack_dual(a).tangent, fw(L).unpack_dual(a * 2).tangent))
            ctx.save_for_forward(a)
            return a.exp()

        def jvp(ctx, ta):
            (a,) = ctx.saved_tensors
            seen.append((fw(L).unpack_dual(a).tangent, fw(L).unpack_dual(a * 2).tangent))
            return ta * a.exp()

        x = T(L, A, requires_grad=True)
        with fw(L).dual_level():
            out = _function(L, forward, jvp).apply(fw(L).make_dual(x, T(L, TA)))
            t = fw(L).unpack_dual(out).tangent
            t.sum().backward()  # the tangent is differentiable
            return val(t), t.requires_grad, seen, val(x.grad)

    same(snippet)


def test_function_setup_context_and_backward_saved():
    def snippet(L):
        def setup(ctx, inputs, output):
            ctx.save_for_forward(output)
            ctx.save_for_backward(output)

        def jvp(ctx, ta):
            (o,) = ctx.saved_tensors
            return ta * o

        Fn = _function(L, lambda a: a.exp(), jvp, setup)  # noqa: N806
        with fw(L).dual_level():
            return tangent(L, Fn.apply(fw(L).make_dual(T(L, A), T(L, TA))))

    same(snippet)


@pytest.mark.parametrize("case", ["no_jvp", "count", "shape", "not_tensor", "list",
                                  "inplace", "inplace_not_inplace", "as_is_view",
                                  "as_is_not_view", "as_is_other_view", "fwd_view_not_view",
                                  "nondiff", "nondiff_none", "int_output_none", "none",
                                  "no_dual",
                                  "save_non_tensor", "identity_dual_input_view"])
def test_function_jvp_rules(case):
    def snippet(L):
        f = fw(L)
        fwd, jvp = (lambda ctx, a: a * 2), (lambda ctx, t: t * 2)
        if case == "no_jvp":
            jvp = None
        elif case == "count":
            fwd = lambda ctx, a: (a * 2, a * 3)  # noqa: E731
        elif case == "shape":
            jvp = lambda ctx, t: t.sum()  # noqa: E731
        elif case == "not_tensor":
            jvp = lambda ctx, t: 3  # noqa: E731
        elif case == "list":
            jvp = lambda ctx, t: [t]  # noqa: E731
        elif case == "inplace":
            fwd = lambda ctx, a: (a.mul_(2), ctx.mark_dirty(a))[0]  # noqa: E731
            jvp = lambda ctx, t: t.mul_(2)  # noqa: E731
        elif case == "inplace_not_inplace":
            fwd = lambda ctx, a: (a.mul_(2), ctx.mark_dirty(a))[0]  # noqa: E731
        elif case == "as_is_view":
            fwd, jvp = (lambda ctx, a: a), (lambda ctx, t: t.view_as(t))
        elif case == "as_is_not_view":
            fwd, jvp = (lambda ctx, a: a), (lambda ctx, t: t)
        elif case == "as_is_other_view":
            fwd, jvp = (lambda ctx, a: a), (lambda ctx, t: (t * 3).view_as(t))
        elif case == "fwd_view_not_view":
            fwd = lambda ctx, a: a.view(-1)  # noqa: E731
            jvp = lambda ctx, t: t.reshape(-1) * 1  # noqa: E731
        elif case == "nondiff":
            fwd = lambda ctx, a: (ctx.mark_non_differentiable(o := a * 2), o)[1]  # noqa: E731
        elif case == "nondiff_none":
            fwd = lambda ctx, a: (ctx.mark_non_differentiable(o := a * 2), o)[1]  # noqa: E731
            jvp = lambda ctx, t: None  # noqa: E731
        elif case == "int_output_none":
            fwd = lambda ctx, a: (a * 2, a.argmax())  # noqa: E731
            jvp = lambda ctx, t: (t * 2, None)  # noqa: E731
        elif case == "none":
            fwd = lambda ctx, a: (a * 2, a * 3)  # noqa: E731
            jvp = lambda ctx, t: (t * 2, None)  # noqa: E731
        elif case == "save_non_tensor":
            fwd = lambda ctx, a: (ctx.save_for_forward(a, 3), a * 2)[1]  # noqa: E731
        Fn = _function(L, fwd, jvp)  # noqa: N806
        with f.dual_level():
            t = T(L, TA)
            if case == "no_dual":
                return tangent(L, Fn.apply(T(L, A)))
            if case == "identity_dual_input_view":
                fwd2 = lambda ctx, a: a  # noqa: E731
                Fn2 = _function(L, fwd2, lambda ctx, tt: tt.view_as(tt))  # noqa: N806
                d = f.make_dual(T(L, A), t)
                return tangent(L, Fn2.apply(d[0])), tangent(L, d)
            d = f.make_dual(T(L, A), t)
            out = Fn.apply(d)
            outs = out if isinstance(out, tuple) else (out,)
            return [tangent(L, o) for o in outs], val(t), val(d)

    same(snippet)


def test_forward_over_reverse_through_a_function_saving_its_output():
    def snippet(L):
        class Exp(fn_mod(L).Function):
            @staticmethod
            def forward(ctx, a):
                r = a.exp()
                ctx.save_for_backward(r)
                ctx.save_for_forward(r)
                return r

            @staticmethod
            def backward(ctx, g):
                (r,) = ctx.saved_tensors
                return g * r

            @staticmethod
            def jvp(ctx, t):
                (r,) = ctx.saved_tensors
                return t * r

        kw = {"check_fwd_over_rev": True, "check_rev_over_rev": False,
              "check_undefined_grad": False}
        return (G(L).gradgradcheck(Exp.apply, (x64(L),), **kw),
                G(L).gradgradcheck(lambda a: Exp.apply(a) * a, (x64(L),), **kw))

    same(snippet)


def test_no_trace_outside_a_level():
    x = T(ember, A, requires_grad=True)
    v = (x * 2)[0]
    y = v.exp()
    y.sum().backward()
    for t in (x, v, v._base, y):
        assert not {"_fw_grad", "_fwv"} & set(t.__dict__)
    assert not fwAD._state.active and not fwAD._holders


# -- gradcheck(check_forward_ad=True) --------------------------------------------------------

def G(L: Any) -> Any:  # noqa: N802
    return importlib.import_module(L.__name__ + ".autograd.gradcheck")


def _wrong_jvp(L: Any) -> type:
    def forward(ctx, a):
        ctx.save_for_forward(a)
        return a ** 2

    def jvp(ctx, t):
        (a,) = ctx.saved_tensors
        return t * a  # 2 t a is right

    return _function(L, forward, jvp)


def x64(L: Any, values: Any = (0.5, 1.5)) -> Any:
    return L.tensor(list(values), dtype=L.float64, requires_grad=True)


def test_gradcheck_forward_ad_passes_and_fails_as_torch():
    same(lambda L: G(L).gradcheck(lambda a, b: (a.exp() * b, (a @ b).sin()),
                                  (x64(L), x64(L, (0.2, -0.7))), check_forward_ad=True))
    same(lambda L: G(L).gradcheck(_wrong_jvp(L).apply, (x64(L),), check_forward_ad=True,
                                  check_backward_ad=False))
    same(lambda L: G(L).gradcheck(_wrong_jvp(L).apply, (x64(L),), check_forward_ad=True,
                                  check_backward_ad=False, raise_exception=False))
    same(lambda L: G(L).gradcheck(_wrong_jvp(L).apply, (x64(L),), check_forward_ad=True,
                                  check_backward_ad=False, check_undefined_grad=False))


def test_gradcheck_forward_ad_fast_mode_message():
    def snippet(L):
        try:
            G(L).gradcheck(_wrong_jvp(L).apply, (x64(L),), check_forward_ad=True,
                           check_backward_ad=False, fast_mode=True)
        except G(L).GradcheckError as e:
            msg = str(e)  # random projections differ from torch's: compare the rest
            return msg.split("\n")[0], msg[msg.index("Numerical:"):]
        return "passed"

    same(snippet)


def test_gradcheck_forward_ad_other_behaviour():
    same(lambda L: G(L).gradcheck(L.sin, (x64(L),), check_forward_ad=False,
                                  check_backward_ad=False))
    same(lambda L: G(L).gradcheck(lambda a: (a > 0).double(), (x64(L),),
                                  check_forward_ad=True))
    same(lambda L: G(L).gradcheck(lambda a: a.detach() * 2, (x64(L),), check_forward_ad=True,
                                  check_backward_ad=False))
    # a function whose tangent is wrong but backward right is caught only in forward mode
    same(lambda L: (G(L).gradcheck(_wrong_jvp(L).apply, (x64(L),), raise_exception=False),
                    G(L).gradcheck(_wrong_jvp(L).apply, (x64(L),), check_forward_ad=True,
                                   raise_exception=False)))


def test_undefined_tangent_check():
    def snippet(L):
        class ZeroMatters(fn_mod(L).Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * b

            @staticmethod
            def jvp(ctx, ta, tb):
                return ta * 2 + tb.abs().sum() * 0 + (tb == 0).double()  # differs for 0

            @staticmethod
            def backward(ctx, g):
                return g, g

        return G(L).gradcheck(ZeroMatters.apply, (x64(L), x64(L, (0.3, 0.4))),
                              check_forward_ad=True, check_backward_ad=False,
                              raise_exception=False)

    same(snippet)


SAMPLE = ["exp", "div", "pow_tensor", "prod_dim", "norm", "logsumexp", "softmax", "cumprod",
          "matmul", "F_layer_norm", "F_conv2d", "F_cross_entropy", "getitem_advanced",
          "setitem_on_clone", "std", "max_dim", "F_pairwise_distance", "F_sdpa"]


@pytest.mark.parametrize("name", SAMPLE)
def test_gradcheck_and_gradgradcheck_forward_on_ops(name):
    fn, arrays = OPS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        expected = (torch.autograd.gradcheck(
            lambda *a: fn(torch, *a), _inputs(torch, arrays, True), check_forward_ad=True,
            check_backward_ad=False, fast_mode=True, raise_exception=False),
            torch.autograd.gradgradcheck(
                lambda *a: fn(torch, *a), _inputs(torch, arrays, True), check_fwd_over_rev=True,
                check_rev_over_rev=False, check_undefined_grad=False, fast_mode=True,
                raise_exception=False))
    assert expected == (True, True)
    ember.manual_seed(0)
    assert gradcheck(lambda *a: fn(ember, *a), _inputs(ember, arrays, True),
                     check_forward_ad=True, check_backward_ad=False)
    assert gradgradcheck(lambda *a: fn(ember, *a), _inputs(ember, arrays, True),
                         check_fwd_over_rev=True, check_rev_over_rev=False,
                         check_undefined_grad=False)
    assert gradcheck(lambda *a: fn(ember, *a), _inputs(ember, arrays, True),
                     check_forward_ad=True, check_backward_ad=False, fast_mode=True)


def test_dual_tensors_print_their_tangent_as_torch():
    def printed(lib):
        fw = lib.autograd.forward_ad
        x, t = lib.tensor([1.0, 2.0]), lib.tensor([0.5, 0.25])
        with fw.dual_level():
            d = fw.make_dual(x, t)
            z = lib.tensor([1.0, 2.0], requires_grad=True)
            m = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
            one = lib.ones(2, dtype=lib.float64)
            inside = [repr(d), repr(d * 2), repr(fw.make_dual(z * 1, t)),
                      repr(m * fw.make_dual(one, one))]
        return inside + [repr(d)]  # after the level: no tangent any more

    assert printed(ember) == printed(torch)

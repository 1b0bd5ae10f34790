"""Oracle tests for ember/ops/extra_shape.py (diag, scatters, unique, searchsorted, ...)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from tests.oracle import check, check_error, rand

M = rand(3, 4)
SQ = rand(3, 3, seed=1)
V = rand(3, seed=2)
B = rand(2, 3, 4, seed=3)
I64 = np.array([3, 1, 2, 1, 3, 3, 0], dtype=np.int64)


# -- diagonals -------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag(k: int) -> None:
    check(lambda t, a: t.diag(a, k), V)
    check(lambda t, a: t.diag(a, k), M)
    check(lambda t, a: a.diag(k), M)


def test_diag_embed_diagflat() -> None:
    check(lambda t, a: t.diag_embed(a), M)
    check(lambda t, a: t.diag_embed(a, 1, 0, 2), M)
    check(lambda t, a: a.diag_embed(-1, dim1=-1, dim2=0), B)
    check(lambda t, a: t.diagflat(a), M)
    check(lambda t, a: t.diagflat(a, -1), V)
    check(lambda t, a: a.diagflat(2), V)


def test_diag_errors() -> None:
    check_error(lambda t, a: t.diag(a), B)
    check_error(lambda t, a: t.diag_embed(a, 0, 1, 1), M)


def test_diagonal_scatter() -> None:
    check(lambda t, a, b: t.diagonal_scatter(a, b), SQ, V)
    check(lambda t, a, b: t.diagonal_scatter(a, b, 1), M, V)
    check(lambda t, a, b: a.diagonal_scatter(b, 0, 1, 2), B, rand(2, 3, seed=5))
    check_error(lambda t, a, b: t.diagonal_scatter(a, b), M, rand(4))


def test_select_slice_scatter() -> None:
    check(lambda t, a, b: t.select_scatter(a, b, 0, 1), M, rand(4, seed=4))
    check(lambda t, a, b: a.select_scatter(b, 1, -1), M, V)
    check(lambda t, a, b: t.slice_scatter(a, b, 1, 1, 3), M, rand(3, 2, seed=6))
    check(lambda t, a, b: a.slice_scatter(b, start=0, step=2), M, rand(2, 4, seed=7))
    check(lambda t, a, b: t.slice_scatter(a, b, dim=1, start=-2), M, rand(3, 2, seed=8))
    check_error(lambda t, a, b: t.select_scatter(a, b, 0, 5), M, rand(4))
    check_error(lambda t, a, b: t.select_scatter(a, b, 0, 0), M, rand(3))
    check_error(lambda t, a, b: t.slice_scatter(a, b, 1, 1, 3), M, rand(3, 3))


# -- repeat_interleave, rot90 ----------------------------------------------------------------

def test_repeat_interleave() -> None:
    check(lambda t, a: t.repeat_interleave(a, 2), M)
    check(lambda t, a: a.repeat_interleave(3, dim=1), M)
    check(lambda t, a: a.repeat_interleave(t.tensor([1, 0, 2]), dim=0), M)
    check(lambda t, a: a.repeat_interleave(t.tensor([2]), dim=-1), M)
    check(lambda t, a: a.repeat_interleave(t.tensor([1, 2, 0, 1]), dim=1, output_size=4), M)
    check(lambda t, a: t.repeat_interleave(a), np.array([2, 0, 3]), grad=False)
    check_error(lambda t, a: a.repeat_interleave(t.tensor([1, 2]), dim=0), M)
    check_error(lambda t, a: a.repeat_interleave(-1), M)


@pytest.mark.parametrize("k", [0, 1, 2, 3, -1, 5])
def test_rot90(k: int) -> None:
    check(lambda t, a: t.rot90(a, k), M)
    check(lambda t, a: a.rot90(k, [2, 0]), B)


def test_rot90_errors() -> None:
    check_error(lambda t, a: t.rot90(a, 1, [0, 0]), M)
    check_error(lambda t, a: t.rot90(a, 1, [0]), M)
    check_error(lambda t, a: t.rot90(a), V)


# -- stacking and splitting ------------------------------------------------------------------

def test_column_row_stack() -> None:
    check(lambda t, a, b, c: t.column_stack([a, b, c]), V, rand(3, 2), rand(3, seed=9))
    check(lambda t, a, b: t.column_stack((a, b)), V, V)
    check(lambda t, a, b: t.row_stack([a, b]), V, rand(2, 3))
    check_error(lambda t, a: t.column_stack([]), V)


def test_splits() -> None:
    check(lambda t, a: t.hsplit(a, 2), M)
    check(lambda t, a: a.hsplit([1, 3]), M)
    check(lambda t, a: t.hsplit(a, 3), V)
    check(lambda t, a: t.vsplit(a, [1]), M)
    check(lambda t, a: a.dsplit(2), B)
    check_error(lambda t, a: t.hsplit(a, 3), M)
    check_error(lambda t, a: t.vsplit(a, 1), V)
    check_error(lambda t, a: t.dsplit(a, 1), M)


def test_block_diag() -> None:
    check(lambda t, a, b, c: t.block_diag(a, b, c), M, V, rand(2, 2, seed=11))
    check(lambda t, a: t.block_diag(a, t.tensor(2.0)), SQ)
    check_error(lambda t, a: t.block_diag(a), B)


def test_meshgrid() -> None:
    w = rand(2, seed=12)
    check(lambda t, a, b: t.meshgrid(a, b, indexing="ij"), V, w)
    check(lambda t, a, b, c: t.meshgrid([a, b, c], indexing="xy"), V, w, rand(4, seed=13))
    check(lambda t, a: t.meshgrid(a, indexing="xy"), V)
    with pytest.warns(UserWarning, match="indexing argument"):
        ember.meshgrid(ember.ones(2), ember.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.meshgrid(ember.ones(2), ember.ones(3), indexing="ij")
    check_error(lambda t, a: t.meshgrid(a, a, indexing="ab"), V)


def test_cartesian_prod_combinations() -> None:
    w = rand(2, seed=14)
    check(lambda t, a, b: t.cartesian_prod(a, b), V, w)
    check(lambda t, a: t.cartesian_prod(a), V)
    check(lambda t, a: t.combinations(a), rand(4))
    check(lambda t, a: t.combinations(a, 3), rand(4))
    check(lambda t, a: t.combinations(a, 2, with_replacement=True), V)
    check(lambda t, a: t.combinations(a, 0), V, grad=False)
    check_error(lambda t, a: t.combinations(a), M)


def test_vander() -> None:
    # torch's own backward of vander fails (an in-place cumprod on a saved tensor): values and
    # grad_fn only; ember's gradient is the true one.
    check(lambda t, a: t.vander(a), V, grad=False)
    check(lambda t, a: t.vander(a, 5), V, grad=False)
    check(lambda t, a: t.vander(a, 4, increasing=True), V, grad=False, grad_fn=False)
    check(lambda t, a: t.vander(a, 3), np.array([1, 2, 3], dtype=np.int32), grad=False)


# -- integration -----------------------------------------------------------------------------

def test_trapezoid() -> None:
    x = np.sort(rand(4, seed=15))
    check(lambda t, a: t.trapezoid(a), M)
    check(lambda t, a: t.trapezoid(a, dx=0.5, dim=0), M)
    check(lambda t, a, b: t.trapezoid(a, b), M, x)
    check(lambda t, a, b: t.trapezoid(a, b), M, rand(3, 4, seed=16))
    check(lambda t, a: t.trapz(a, dim=0), M)
    check(lambda t, a, b: t.trapz(a, b), M, x)
    check(lambda t, a: t.trapz(a, dx=2.0), M)
    check_error(lambda t, a, b: t.trapezoid(a, b), M, V)


def test_cumulative_trapezoid() -> None:
    x = np.sort(rand(4, seed=17))
    check(lambda t, a: t.cumulative_trapezoid(a), M)
    check(lambda t, a: t.cumulative_trapezoid(a, dx=2.0, dim=0), M)
    check(lambda t, a, b: t.cumulative_trapezoid(a, b), M, x)


# -- sets and searching ----------------------------------------------------------------------

def test_unique() -> None:
    check(lambda t, a: t.unique(a), I64, grad=False)
    check(lambda t, a: a.unique(return_inverse=True, return_counts=True), I64, grad=False)
    check(lambda t, a: t.unique(a, return_counts=True), I64.reshape(1, 7), grad=False)
    m = np.array([[1, 2], [0, 1], [1, 2], [0, 0]], dtype=np.int64)
    check(lambda t, a: t.unique(a, dim=0, return_inverse=True, return_counts=True), m,
          grad=False)
    check(lambda t, a: t.unique(a, dim=1, return_inverse=True), m, grad=False)
    f = np.array([1.5, -1.0, 1.5, 2.0], dtype=np.float32)
    check(lambda t, a: t.unique(a, return_inverse=True), f, grad=False)
    check(lambda t, a: t.unique(a, dim=0), f, grad=False)


def test_unique_consecutive() -> None:
    check(lambda t, a: t.unique_consecutive(a), I64, grad=False)
    check(lambda t, a: a.unique_consecutive(return_inverse=True, return_counts=True), I64,
          grad=False)
    m = np.array([[1, 2], [1, 2], [0, 1], [1, 2]], dtype=np.int64)
    check(lambda t, a: t.unique_consecutive(a, return_counts=True, dim=0), m, grad=False)
    check(lambda t, a: t.unique_consecutive(a, return_inverse=True, dim=0), m, grad=False)
    f = np.array([1.5, 1.5, 2.0], dtype=np.float32)
    check(lambda t, a: t.unique_consecutive(a), f, grad=False)


def test_unique_backward_not_implemented() -> None:
    def f(t: object, a: object) -> None:
        t.unique(a).sum().backward()  # type: ignore[attr-defined]

    check_error(f, rand(5), match=True)
    check_error(lambda t, a: t.unique(a, dim=0).sum().backward(), rand(5))
    check_error(lambda t, a: t.unique_consecutive(a).sum().backward(), rand(5))


def test_searchsorted_bucketize() -> None:
    seq = np.array([1.0, 2.0, 2.0, 4.0], dtype=np.float32)
    vals = np.array([[0.5, 2.0], [3.0, 5.0]], dtype=np.float32)
    check(lambda t, a, b: t.searchsorted(a, b), seq, vals, grad=False)
    check(lambda t, a, b: t.searchsorted(a, b, right=True), seq, vals, grad=False)
    check(lambda t, a, b: t.searchsorted(a, b, side="right", out_int32=True), seq, vals,
          grad=False)
    check(lambda t, a: t.searchsorted(a, 2.0), seq, grad=False)
    batch = np.sort(rand(2, 5), axis=-1)
    check(lambda t, a, b: t.searchsorted(a, b), batch, vals, grad=False)
    check(lambda t, a, b: t.searchsorted(a, b, sorter=t.argsort(a)), rand(4), vals[0],
          grad=False)
    check(lambda t, a, b: t.bucketize(b, a), seq, vals, grad=False)
    check(lambda t, a, b: t.bucketize(b, a, right=True, out_int32=True), seq, vals,
          grad=False)
    check_error(lambda t, a, b: t.searchsorted(a, b, side="middle"), seq, vals)
    check_error(lambda t, a, b: t.bucketize(b, a), batch, vals)


def test_isin() -> None:
    check(lambda t, a, b: t.isin(a, b), I64, np.array([1, 3], dtype=np.int64), grad=False)
    check(lambda t, a, b: t.isin(a, b, invert=True), I64, np.array([1, 3], dtype=np.int64),
          grad=False)
    check(lambda t, a: t.isin(a, 3), I64, grad=False)
    check(lambda t, a: t.isin(2, a), I64, grad=False)


@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (4, 3, -1), (0, 2), (2, 5, 10)])
def test_tri_indices(args: tuple) -> None:
    check(lambda t: t.tril_indices(*args), grad=False)
    check(lambda t: t.triu_indices(*args), grad=False)
    check(lambda t: t.tril_indices(*args, dtype=t.int32), grad=False)


def test_unravel_index() -> None:
    idx = np.array([[0, 5], [11, 7]], dtype=np.int64)
    check(lambda t, a: t.unravel_index(a, (3, 4)), idx, grad=False)
    check(lambda t, a: t.unravel_index(a, 12), idx, grad=False)
    check(lambda t, a: t.unravel_index(a, (2, 3, 2)), idx, grad=False)
    check_error(lambda t, a: t.unravel_index(a, (3, 4)), rand(2))
    check_error(lambda t, a: t.unravel_index(a, (-1, 4)), idx)


def test_nonzero_static() -> None:
    a = np.array([[0, 1, 0], [2, 0, 3]], dtype=np.int64)
    check(lambda t, x: t.nonzero_static(x, size=5), a, grad=False)
    check(lambda t, x: x.nonzero_static(size=2, fill_value=9), a, grad=False)
    check(lambda t, x: t.nonzero_static(x, size=0), a, grad=False)


def test_put_index_put() -> None:
    idx = np.array([0, 5, 11], dtype=np.int64)
    src = rand(3, seed=20)
    check(lambda t, a, i, s: t.put(a, i, s), M, idx, src)
    check(lambda t, a, i, s: a.put(i, s, accumulate=True), M, idx, src)
    check(lambda t, a, i, s: a.put(i, s.view(1, 3)), M, np.array([-1, 2, 3]), src)
    check(lambda t, a, i, s: a.clone().put_(i, s), M, idx, src)
    check(lambda t, a, s: t.index_put(a, (t.tensor([0, 2]),), s), M, rand(4, seed=21))
    check_error(lambda t, a, s: t.put(a, t.tensor([0, 1]), s), M, src)
    check_error(lambda t, a, s: t.put(a, t.tensor([0, 1, 12]), s), M, src)


# -- scatter_reduce, gradient ----------------------------------------------------------------

SR_INDEX = np.array([[0, 1, 0, 2], [2, 2, 0, 1]], dtype=np.int64)


@pytest.mark.parametrize("reduce", ["sum", "mean", "prod", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce: str, include_self: bool) -> None:
    check(lambda t, a, s: t.scatter_reduce(a, 0, t.tensor(SR_INDEX), s, reduce,
                                           include_self=include_self),
          rand(3, 4), rand(2, 4, seed=30))
    check(lambda t, a, s: a.scatter_reduce(1, t.tensor(SR_INDEX[:, :3]), s, reduce,
                                           include_self=include_self),
          rand(2, 3), rand(2, 3, seed=31))
    ints = np.array([[4, 7, 1, 3], [2, 9, 5, 6], [8, 3, 3, 1]], dtype=np.int64)
    check(lambda t, a, s: t.scatter_reduce(a, 0, t.tensor(SR_INDEX), s, reduce,
                                           include_self=include_self),
          ints, ints[:2] * 3 - 5, grad=False)


def test_scatter_reduce_ties_zeros_and_inplace() -> None:
    a = np.array([[1.0, 0.0, 2.0], [3.0, 3.0, 0.0]], dtype=np.float32)
    s = np.array([[3.0, 0.0, 2.0], [1.0, 4.0, 5.0]], dtype=np.float32)
    idx = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.int64)
    for reduce in ("prod", "amax", "amin"):
        check(lambda t, x, y: t.scatter_reduce(x, 0, t.tensor(idx), y, reduce), a, s)
    check(lambda t, x, y: x.clone().scatter_reduce_(0, t.tensor(idx), y, "sum"), a, s)
    check_error(lambda t, x, y: t.scatter_reduce(x, 0, t.tensor(idx), y, "add"), a, s)
    # torch's forward takes "max"/"min" but its backward refuses them
    check(lambda t, x, y: t.scatter_reduce(x, 0, t.tensor(idx), y, "max"), a, s, grad=False)
    check(lambda t, x, y: t.scatter_reduce(x, 0, t.tensor(idx), y, "min"), a, s, grad=False)
    check_error(lambda t, x, y: t.scatter_reduce(x, 0, t.tensor(idx) + 5, y, "sum"), a, s)


def test_gradient() -> None:
    check(lambda t, a: t.gradient(a), M)
    check(lambda t, a: t.gradient(a, spacing=2.0), M)
    check(lambda t, a: t.gradient(a, spacing=[0.5], dim=1), M)
    check(lambda t, a: t.gradient(a, dim=[1, 2], spacing=(2.0, 3.0), edge_order=2), B)
    check(lambda t, a: t.gradient(a, edge_order=2), V)
    x1, x2 = np.sort(rand(3, seed=52)), np.sort(rand(4, seed=53))
    check(lambda t, a, u, w: t.gradient(a, spacing=[u, w]), M, x1, x2)
    check(lambda t, a, u, w: t.gradient(a, spacing=[u, w], edge_order=2), M, x1, x2)
    check(lambda t, a, w: t.gradient(a, spacing=(w,), dim=-1, edge_order=2), B, x2)
    check_error(lambda t, a: t.gradient(a, edge_order=2), rand(2, 3))
    check_error(lambda t, a: t.gradient(a, spacing=[1.0, 2.0], dim=0), M)


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce(reduce: str, include_self: bool) -> None:
    idx = np.array([0, 2, 0], dtype=np.int64)
    check(lambda t, a, s: t.index_reduce(a, 0, t.tensor(idx), s, reduce,
                                         include_self=include_self),
          rand(3, 4), rand(3, 4, seed=40))
    check(lambda t, a, s: a.index_reduce(-1, t.tensor(idx), s, reduce,
                                         include_self=include_self),
          rand(2, 4), rand(2, 3, seed=41))
    ints = np.array([[4, 7], [2, 9], [8, 3]], dtype=np.int64)
    check(lambda t, a, s: t.index_reduce(a, 0, t.tensor(idx), s, reduce,
                                         include_self=include_self),
          ints, ints * 2 - 7, grad=False)


def test_index_reduce_warns_and_errors() -> None:
    with pytest.warns(UserWarning, match="beta"):
        ember.zeros(3).index_reduce(0, ember.tensor([1]), ember.ones(1), "prod")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, a, s: a.clone().index_reduce_(0, t.tensor([1, 1]), s, "amax"),
              rand(3, 2), rand(2, 2, seed=42))
        for idx in ([0, 5], [-1, 0], [0, 1, 2]):
            check_error(lambda t, a, s: t.index_reduce(a, 0, t.tensor(idx), s, "prod"),
                        rand(3, 2), rand(2, 2))
        check_error(lambda t, a, s: t.index_reduce(a, 0, t.tensor([0, 1]), s, "sum"),
                    rand(3, 2), rand(2, 2))


def test_as_strided_scatter() -> None:
    # torch 2.13's gradient for ``input`` is the complement of the true one (it keeps the
    # scattered positions and zeroes the rest); ember gives the true gradient, so gradients
    # are compared for src only.
    check(lambda t, a, s: t.as_strided_scatter(a, s, (2,), (2,), 1), M, rand(2), grad=False)
    check(lambda t, a, s: a.t().as_strided_scatter(s, (2, 2), (1, 4), 2), M, rand(2, 2),
          grad=False)
    check(lambda t, a, s: t.as_strided_scatter(a.detach(), s, (3,), (5,)), M, rand(3))
    x = ember.zeros(2, 3, requires_grad=True)
    g = ember.arange(6.0).view(2, 3) + 1
    gx, = ember.autograd.grad(ember.as_strided_scatter(x, ember.zeros(2), (2,), (2,), 1), x, g)
    assert gx.tolist() == [[1.0, 0.0, 3.0], [0.0, 5.0, 6.0]]
    check_error(lambda t, a, s: t.as_strided_scatter(a, s, (2,), (8,), 6), M, rand(2))
    check_error(lambda t, a, s: t.as_strided_scatter(a, s, (2,), (1,)), M, rand(3))


def test_edge_cases() -> None:
    check(lambda t: t.block_diag(), grad=False)
    check(lambda t, a, b: t.block_diag(a, b), np.ones((2, 2), dtype=np.int32), V)
    check(lambda t, a: t.unique(a, return_counts=True), np.zeros(0, dtype=np.float32),
          grad=False)
    check(lambda t, a: t.unique(a, return_inverse=True), np.array(3.0, dtype=np.float32),
          grad=False)
    check(lambda t, a: t.unique_consecutive(a, return_inverse=True),
          np.zeros(0, dtype=np.int64), grad=False)
    check(lambda t, a: t.diag(a, 5), M)
    check(lambda t, a: t.repeat_interleave(a, 3), np.array(2.0, dtype=np.float32))
    check(lambda t, a: t.trapezoid(a), np.array([1, 2, 3], dtype=np.int64), grad=False)
    check(lambda t, a: t.combinations(a, 3), np.array([1, 2], dtype=np.int64), grad=False)
    check(lambda t, a: t.nonzero_static(a, size=2), np.array(5, dtype=np.int64), grad=False)
    check_error(lambda t: t.meshgrid(indexing="ij"))
    check_error(lambda t, a, b: t.meshgrid(a, b, indexing="ij"), V, np.ones(2, dtype=np.int64))
    check_error(lambda t, a, b: t.cumulative_trapezoid(a, b), V, rand(2))


def test_histogram() -> None:
    x = rand(4, 5, seed=50)
    check(lambda t, a: t.histogram(a, 4), x, grad=False)
    check(lambda t, a: a.histogram(7, range=(-1.0, 1.5)), x, grad=False)
    check(lambda t, a, w: t.histogram(a, 3, weight=w, density=True), x, rand(4, 5, seed=51),
          grad=False)
    check(lambda t, a: t.histogram(a, t.tensor([-2.0, 0.0, 0.5, 2.0])), x, grad=False)
    check(lambda t, a: t.histogram(a), np.full(3, 2.0, dtype=np.float64), grad=False)
    check(lambda t, a: t.histogram(a, 5), x.astype(np.float64), grad=False)
    check_error(lambda t, a: t.histogram(a, 2), np.array([1, 2], dtype=np.int64))
    check_error(lambda t, a: t.histogram(a, 2, range=(3.0, 1.0)), x)
    check_error(lambda t, a: t.histogram(a, 2)[0].sum().backward(), x)


@pytest.mark.parametrize("dim,size,step", [(0, 2, 1), (1, 3, 2), (-1, 1, 3), (1, 5, 1), (0, 3, 3)])
def test_tensor_unfold(dim, size, step):
    check(lambda t, a: a.unfold(dim, size, step), rand(3, 5))


def test_tensor_unfold_zero_dim_and_errors():
    check(lambda t, a: a.unfold(0, 1, 1), rand())
    check_error(lambda t, a: a.unfold(1, 6, 1), rand(3, 5), match=True)
    check_error(lambda t, a: a.unfold(1, 2, 0), rand(3, 5), match=True)
    check_error(lambda t, a: a.unfold(2, 2, 1), rand(3, 5))


def test_repeat_interleave_negative_counts_raise_torchs_errors():
    check_error(lambda t, a: a.repeat_interleave(-1), rand(3), match=True)
    check_error(lambda t, a: a.repeat_interleave(t.tensor([1, -1, 2])), rand(3), match=True)

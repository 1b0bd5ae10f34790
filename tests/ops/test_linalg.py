"""Matrix products against torch: values, dtypes, grad_fn names, first and second order grads."""

import numpy as np
import pytest
import torch
from oracle import check, check_error, rand

import ember

F64 = np.float64

MATMUL_SHAPES = [
    ((3,), (3,)),  # DotBackward0
    ((2, 3), (3,)),  # MvBackward0
    ((3,), (3, 4)),  # SqueezeBackward4 over MmBackward0
    ((2, 3), (3, 4)),  # MmBackward0
    ((5, 2, 3), (3,)),  # folded mv
    ((3,), (5, 3, 4)),  # folded, transposed
    ((5, 2, 3), (3, 4)),  # folded mm
    ((2, 3), (5, 3, 4)),  # folded mm, transposed and made contiguous
    ((5, 2, 3), (5, 3, 4)),  # bmm
    ((5, 2, 3), (1, 3, 4)),  # squeezed batch of one
    ((1, 2, 3), (5, 3, 4)),
    ((2, 5, 2, 3), (5, 3, 4)),  # broadcast batches
    ((7, 1, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (2, 5, 3, 4)),
    ((3,), (2, 2, 3, 4)),
    ((2, 2, 2, 3), (3,)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes(sa, sb):
    check(lambda t, a, b: t.matmul(a, b), rand(*sa), rand(*sb, seed=1))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[::3])
def test_matmul_operator_float64(sa, sb):
    check(lambda t, a, b: a @ b, rand(*sa, dtype=F64), rand(*sb, seed=1, dtype=F64))


@pytest.mark.parametrize("sa,sb", [((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
                                   ((5, 2, 3), (5, 3, 4))])
def test_matmul_one_side_requires_grad(sa, sb):
    # Which operand needs a gradient decides ATen's folding, hence the grad_fn.
    b = rand(*sb, seed=1)
    check(lambda t, a: t.matmul(a, t.from_numpy(b.copy())), rand(*sa))
    a = rand(*sa)
    check(lambda t, b_: t.matmul(t.from_numpy(a.copy()), b_), b)


def test_matmul_no_grad_values():
    a, b = rand(2, 5, 2, 3), rand(5, 3, 4, seed=1)
    check(lambda t, x, y: x @ y, a, b, grad=False)


def test_matmul_non_contiguous():
    check(lambda t, a, b: a.transpose(-1, -2) @ b[:, ::2], rand(4, 3, 2), rand(4, 6, 5))
    check(lambda t, a, b: a.t() @ b.t(), rand(3, 2), rand(4, 3))


def test_matmul_int():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    b = np.arange(12, dtype=np.int64).reshape(3, 4)
    check(lambda t, x, y: x @ y, a, b)
    check(lambda t, x, y: x @ y[:, 0], a, b)


def test_rmatmul():
    check(lambda t, a, b: b.__rmatmul__(a), rand(2, 3), rand(3, 4))


def test_mm_bmm_mv_dot():
    check(lambda t, a, b: t.mm(a, b), rand(2, 3), rand(3, 4))
    check(lambda t, a, b: a.mm(b), rand(1, 1, dtype=F64), rand(1, 5, dtype=F64))
    check(lambda t, a, b: t.bmm(a, b), rand(5, 2, 3), rand(5, 3, 4))
    check(lambda t, a, b: a.bmm(b), rand(1, 2, 3, dtype=F64), rand(1, 3, 1, dtype=F64))
    check(lambda t, a, b: t.mv(a, b), rand(2, 3), rand(3))
    check(lambda t, a, b: a.mv(b), rand(4, 1), rand(1))
    check(lambda t, a, b: t.dot(a, b), rand(5), rand(5, seed=1))
    check(lambda t, a, b: a.dot(b), rand(1, dtype=F64), rand(1, seed=2, dtype=F64))
    check(lambda t, a, b: t.vdot(a, b), rand(5), rand(5, seed=1))


def test_outer_inner():
    check(lambda t, a, b: t.outer(a, b), rand(5), rand(3))
    check(lambda t, a, b: a.ger(b), rand(5), rand(3))
    check(lambda t, a, b: t.inner(a, b), rand(2, 5), rand(3, 5))
    check(lambda t, a, b: t.inner(a, b), rand(5), rand(5))
    check(lambda t, a, b: t.inner(a, b), rand(2, 3, 5), rand(4, 5))
    check(lambda t, a, b: t.inner(a, b), rand(2, 3), np.array(1.5, dtype=np.float32))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2), (0, 1)])
def test_addmm_family(beta, alpha):
    kw = {"beta": beta, "alpha": alpha}
    check(lambda t, c, a, b: t.addmm(c, a, b, **kw), rand(2, 4), rand(2, 3), rand(3, 4))
    check(lambda t, c, a, b: c.addmm(a, b, **kw), rand(4), rand(2, 3), rand(3, 4))
    check(lambda t, c, a, b: t.addmv(c, a, b, **kw), rand(2), rand(2, 3), rand(3))
    check(lambda t, c, a, b: t.addr(c, a, b, **kw), rand(2, 4), rand(2), rand(4))
    check(lambda t, c, a, b: t.baddbmm(c, a, b, **kw), rand(5, 2, 4), rand(5, 2, 3),
          rand(5, 3, 4))
    check(lambda t, c, a, b: t.baddbmm(c, a, b, **kw), rand(4), rand(5, 2, 3), rand(5, 3, 4))
    check(lambda t, c, a, b: t.addbmm(c, a, b, **kw), rand(2, 4), rand(5, 2, 3),
          rand(5, 3, 4))


def test_addmm_beta_zero_ignores_nan():
    c = np.full((2, 4), np.nan, dtype=np.float32)
    check(lambda t, c_, a, b: t.addmm(c_, a, b, beta=0), c, rand(2, 3), rand(3, 4))


def test_addmm_inplace():
    check(lambda t, c, a, b: (c * 1).addmm_(a, b, beta=2), rand(2, 4), rand(2, 3), rand(3, 4))


@pytest.mark.parametrize("dims,sa,sb", [
    (2, (2, 3, 4), (3, 4, 5)), (1, (2, 3, 4), (4, 5)), (0, (2, 3), (3, 2)),
    (([1, 2], [1, 0]), (2, 3, 4), (4, 3, 5)), (([0], [1]), (3, 4), (2, 3)),
])
def test_tensordot(dims, sa, sb):
    check(lambda t, a, b: t.tensordot(a, b, dims=dims), rand(*sa), rand(*sb, seed=1))


def test_tensordot_broadcast_dim():
    check(lambda t, a, b: t.tensordot(a, b, dims=([1], [0])), rand(2, 1), rand(3, 3))


def test_kron():
    check(lambda t, a, b: t.kron(a, b), rand(2, 3), rand(3, 4))
    check(lambda t, a, b: t.kron(a, b), rand(2), rand(3, 2))
    check(lambda t, a, b: a.kron(b), rand(2, 2, dtype=F64), rand(2, dtype=F64))


def test_cross():
    check(lambda t, a, b: t.cross(a, b, dim=1), rand(4, 3), rand(4, 3, seed=1))
    check(lambda t, a, b: a.cross(b, dim=0), rand(3, 2, dtype=F64), rand(3, 2, dtype=F64))
    check(lambda t, a, b: t.cross(a, b, dim=-1), rand(4, 3), rand(1, 3, seed=1))


def test_cross_default_dim_warns():
    with pytest.warns(UserWarning, match="without specifying the dim"):
        out = ember.cross(ember.ones(3, 3, 2), ember.ones(3, 3, 2))
    assert out.shape == torch.cross(torch.ones(3, 3, 2), torch.ones(3, 3, 2), dim=0).shape


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("i,i->", [(3,), (3,)]),
    ("ij->", [(3, 3)]),
    ("ij->ji", [(3, 3)]),
    ("ij->ij", [(3, 3)]),
    ("ij->i", [(3, 4)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,jk", [(2, 5, 2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ij,ij->ij", [(3, 3), (3, 3)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("bij,bkj->bik", [(5, 2, 3), (5, 4, 3)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("ij,jk->ki", [(2, 3), (3, 4)]),
    ("ij,k->k", [(2, 3), (4,)]),
    ("bij,bj->bi", [(1, 2, 3), (4, 3)]),
    ("...i,...i->...", [(2, 1, 3), (4, 3)]),
    ("ij,ij->", [(3, 3), (3, 3)]),
    ("b h i d, b h j d -> b h i j", [(2, 2, 3, 4), (2, 2, 5, 4)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM)
def test_einsum(eq, shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check(lambda t, *ops: t.einsum(eq, *ops), *arrays)


def test_einsum_list_and_float64():
    check(lambda t, a, b: t.einsum("ij,jk->ik", [a, b]), rand(2, 3, dtype=F64),
          rand(3, 4, dtype=F64))


def test_einsum_int():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    check(lambda t, x, y: t.einsum("ij,jk->ik", x, y), a, a.T.copy())


def test_chain_matmul_and_multi_dot():
    with pytest.warns(UserWarning):
        check(lambda t, a, b, c: t.chain_matmul(a, b, c), rand(3, 3), rand(3, 3), rand(3, 2),
              grad_fn=False)


# -- errors ---------------------------------------------------------------------------------

def test_mm_errors():
    check_error(lambda t, a, b: a @ b, rand(2, 3), rand(2, 3), match=True)
    check_error(lambda t, a, b: t.mm(a, b), rand(3), rand(3, 2), match=True)
    check_error(lambda t, a, b: t.mm(a, b), rand(2, 3), rand(3), match=True)
    check_error(lambda t, a, b: a.mm(b.double()), rand(2, 3), rand(3, 4), match=True)
    check_error(lambda t, a, b: a.mm(b.long()), rand(2, 3), rand(3, 4), match=True)
    check_error(lambda t, a, b: a @ b, rand(4), rand(3, 2), match=True)


def test_matmul_errors():
    check_error(lambda t, a, b: a @ b, rand(5, 2, 3), rand(4, 3, 2), match=True)
    check_error(lambda t, a, b: a @ b, rand(5, 2, 3), rand(5, 4, 2), match=True)
    check_error(lambda t, a, b: a @ b, rand(5, 2, 3), rand(4), match=True)
    check_error(lambda t, a, b: a.sum() @ b, rand(2), rand(3), match=True)
    check_error(lambda t, a, b: a @ b.sum(), rand(3), rand(3), match=True)
    check_error(lambda t, a, b: a @ b, rand(3), rand(4), match=True)
    check_error(lambda t, a, b: a @ b.double(), rand(2, 3), rand(3), match=True)
    check_error(lambda t, a, b: a @ b.double(), rand(5, 2, 3), rand(5, 3, 4), match=True)
    check_error(lambda t, a, b: a @ b.double(), rand(5, 2, 3), rand(3, 4), match=True)


def test_bool_matmul_not_implemented():
    check_error(lambda t, a, b: (a > 0) @ (b > 0), rand(3, 3), rand(3, 3), match=True)
    check_error(lambda t, a, b: (a > 0) @ (b > 0), rand(3), rand(3), match=True)


def test_product_errors():
    check_error(lambda t, a, b: t.bmm(a, b), rand(2, 3), rand(3, 4), match=True)
    check_error(lambda t, a, b: t.bmm(a, b), rand(5, 2, 3), rand(5, 4, 4), match=True)
    check_error(lambda t, a, b: t.bmm(a, b.double()), rand(5, 2, 3), rand(5, 3, 4), match=True)
    check_error(lambda t, a, b: t.dot(a, b), rand(2, 3), rand(3), match=True)
    check_error(lambda t, a, b: t.dot(a, b), rand(3), rand(4), match=True)
    check_error(lambda t, a, b: t.dot(a, b.double()), rand(3), rand(3), match=True)
    check_error(lambda t, a, b: t.mv(a, b), rand(2, 3), rand(4), match=True)
    check_error(lambda t, a, b: t.mv(a, b.double()), rand(2, 3), rand(3), match=True)
    check_error(lambda t, a, b: t.outer(a, b), rand(2, 2), rand(3), match=True)
    check_error(lambda t, a, b: t.inner(a, b), rand(3), rand(4), match=True)
    check_error(lambda t, a, b: t.vdot(a, b), rand(3), rand(4), match=True)


def test_addmm_errors():
    check_error(lambda t, c, a, b: t.addmm(c, a, b), rand(3, 4), rand(2, 3), rand(3, 4),
                match=True)
    check_error(lambda t, c, a, b: t.addmm(c, a, b), rand(2, 4), rand(2, 2, 3), rand(3, 4),
                match=True)
    check_error(lambda t, c, a, b: t.addmm(c.double(), a, b), rand(2, 4), rand(2, 3),
                rand(3, 4), match=True)
    check_error(lambda t, c, a, b: t.addmv(c, a, b), rand(3), rand(2, 3), rand(3), match=True)
    check_error(lambda t, c, a, b: t.baddbmm(c, a, b), rand(3, 2, 4), rand(5, 2, 3),
                rand(5, 3, 4), match=True)


def test_tensordot_errors():
    check_error(lambda t, a, b: t.tensordot(a, b, dims=1), rand(2, 3), rand(4, 3), match=True)
    check_error(lambda t, a, b: t.tensordot(a, b, dims=-1), rand(2, 3), rand(3, 3), match=True)
    check_error(lambda t, a, b: t.tensordot(a, b.double(), dims=1), rand(2, 3), rand(3, 3),
                match=True)
    check_error(lambda t, a, b: t.tensordot(a, b, dims=([0, 1], [0])), rand(2, 3), rand(3, 3),
                match=True)


def test_cross_errors():
    check_error(lambda t, a, b: t.cross(a, b, dim=1), rand(4, 2), rand(4, 2))
    check_error(lambda t, a, b: t.cross(a, b.double(), dim=1), rand(4, 3), rand(4, 3),
                match=True)


def test_einsum_errors():
    check_error(lambda t, a, b: t.einsum("ij,jk->ik", a, b), rand(2, 3), rand(4, 5),
                match=True)
    check_error(lambda t, a: t.einsum("ij,jk->ik", a), rand(2, 3), match=True)


# -- the graph -------------------------------------------------------------------------------

def test_matmul_graph_matches_torch():
    """Below the top node too: 3-D @ 2-D is UnsafeView(Mm(View(x), w))."""
    x_t, w_t = torch.ones(2, 3, 4, requires_grad=True), torch.ones(4, 5, requires_grad=True)
    x_e, w_e = ember.ones(2, 3, 4, requires_grad=True), ember.ones(4, 5, requires_grad=True)
    yt, ye = x_t @ w_t, x_e @ w_e

    def names(fn):
        return [type(f).__name__ for f, _ in fn.next_functions if f is not None]

    assert names(ye.grad_fn) == names(yt.grad_fn)
    assert names(ye.grad_fn.next_functions[0][0]) == names(yt.grad_fn.next_functions[0][0])


def test_dot_saves_nothing_it_does_not_need():
    """An in-place change to an operand that needs no gradient is not an error."""
    a = ember.ones(3, requires_grad=True)
    b = ember.ones(3)
    y = a.dot(b * 2)
    y.backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_plain_backward(sa, sb):
    """Without create_graph the product gradients take an array fast path: same values."""
    check(lambda t, a, b: a @ b, rand(*sa), rand(*sb, seed=1), second_order=False)


def test_fused_products_plain_backward():
    check(lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2), rand(2, 4), rand(2, 3),
          rand(3, 4), second_order=False)
    check(lambda t, c, a, b: t.baddbmm(c, a, b, alpha=3), rand(5, 2, 4), rand(5, 2, 3),
          rand(5, 3, 4), second_order=False)
    check(lambda t, a, b: t.bmm(a, b), rand(5, 2, 3, dtype=F64), rand(5, 3, 4, dtype=F64),
          second_order=False)

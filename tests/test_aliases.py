"""Top-level torch.* spellings of ember functions (ember/_aliases.py), checked against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from oracle import assert_same, check, check_error, positive, rand

import ember

warnings.filterwarnings("ignore", message=".*deprecated.*")


def spd(n: int, seed: int = 0) -> np.ndarray:
    a = rand(n, n, dtype=np.float64, seed=seed)
    return a @ a.T + n * np.eye(n)


def lower(n: int, seed: int = 0) -> np.ndarray:
    return np.tril(rand(n, n, dtype=np.float64, seed=seed)) + 3 * np.eye(n)


# -- nn.functional at the top level ----------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda t, x, w: t.conv1d(x, w, None, 1, 1),
    lambda t, x, w: t.conv_transpose1d(x, w.transpose(0, 1), None, 2),
    lambda t, x, w: t.avg_pool1d(x, 2),
    lambda t, x, w: t.max_pool1d(x, 2),
    lambda t, x, w: t.max_pool1d(x, 3, 1, 1),
    lambda t, x, w: t.max_pool1d_with_indices(x, 2),
    lambda t, x, w: t.adaptive_avg_pool1d(x, 3),
    lambda t, x, w: t.adaptive_max_pool1d(x, 3),
    lambda t, x, w: t.layer_norm(x, [6], None, None, 1e-5, True),
    lambda t, x, w: t.group_norm(x, 2),
    lambda t, x, w: t.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
    lambda t, x, w: t.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
    lambda t, x, w: t.rms_norm(x, [6]),
    lambda t, x, w: t.constant_pad_nd(x, [1, 2], 0.5),
    lambda t, x, w: t.channel_shuffle(x, 2),
    lambda t, x, w: t.dropout(x, 0.5, False),
    lambda t, x, w: t.feature_dropout(x, 0.0, True),
    lambda t, x, w: t.alpha_dropout(x, 0.5, False),
    lambda t, x, w: t.feature_alpha_dropout(x, 0.5, False),
])
def test_functional(fn):
    check(fn, rand(2, 4, 6), rand(3, 4, 3, seed=1), second_order=False)


def test_conv2d_pool2d_3d():
    check(lambda t, x, w: t.conv2d(x, w, None, 1, 1), rand(1, 2, 5, 5), rand(3, 2, 3, 3),
          second_order=False)
    check(lambda t, x: t.max_pool2d(x, 2), rand(1, 2, 4, 4), second_order=False)
    check(lambda t, x: t.max_pool3d(x, 2), rand(1, 1, 4, 4, 4), second_order=False)
    check(lambda t, x: t.pixel_shuffle(x, 2), rand(1, 4, 2, 2))
    check(lambda t, x: t.pixel_unshuffle(x, 2), rand(1, 1, 4, 4))


def test_batch_norm_running_stats():
    rm, rv = np.zeros(4, np.float32), np.ones(4, np.float32)

    def fn(t, x, w, b):
        m, v = t.from_numpy(rm.copy()), t.from_numpy(rv.copy())
        out = t.batch_norm(x, w, b, m, v, True, 0.3, 1e-5, False)
        return out, m, v

    check(fn, rand(3, 4, 5), positive(4), rand(4, seed=2), second_order=False)
    check(lambda t, x, m, v: t.batch_norm(x, None, None, m, v, False, 0.1, 1e-3, False),
          rand(3, 4, 5), rand(4, seed=3), positive(4, seed=4), grad=False)
    check(lambda t, x, m, v: t.instance_norm(x, None, None, m, v, True, 0.1, 1e-5, False),
          rand(3, 4, 5), rand(4, seed=3), positive(4, seed=4), grad=False)


def test_embedding_and_bilinear():
    idx = np.array([[0, 2], [1, 0]])
    check(lambda t, w, i: t.embedding(w, i), rand(3, 4), idx, second_order=False)
    check(lambda t, w, i: t.embedding(w, i, 0), rand(3, 4), idx, second_order=False)
    check(lambda t, a, b, w: t.bilinear(a, b, w), rand(2, 3), rand(2, 4), rand(5, 3, 4),
          second_order=False)


def test_dropout_training_and_inplace():
    x = ember.ones(100, 100)
    y = ember.dropout(x, 0.5, True)
    assert set(np.unique(y.numpy())) <= {0.0, 2.0}
    z = ember.feature_dropout(ember.ones(4, 50, 3), 0.5, True).numpy()
    assert np.all(z.min(-1) == z.max(-1))
    w = ember.ones(10)
    assert ember.dropout_(w, 1.0, True) is w and not w.any()
    for lib in (torch, ember):
        x = lib.ones(4, 5, 3, requires_grad=True)
        assert type(lib.dropout(x, 0.3, True).grad_fn).__name__ == "MulBackward0"
        assert type(lib.feature_dropout(x, 0.3, True).grad_fn).__name__ == "MulBackward0"
        assert lib.dropout(x, 0.3, False) is x


# -- linalg at the top level -----------------------------------------------------------------

def _svd_abs(t, a, some=True):
    u, s, v = t.svd(a, some)
    return u.abs(), s, v.abs()  # signs of singular vectors are arbitrary


def test_svd_qr_family():
    a = rand(4, 3, dtype=np.float64)
    check(_svd_abs, a, grad_fn=False, second_order=False)
    check(lambda t, x: t.svd(x, compute_uv=False).S, a, second_order=False)
    assert_same(ember.svd(ember.from_numpy(a), compute_uv=False).U,
                torch.svd(torch.from_numpy(a), compute_uv=False).U)
    check(lambda t, x: _svd_abs(t, x, False), a, grad_fn=False, grad=False)
    for lib in (torch, ember):
        out = lib.svd(lib.from_numpy(a).requires_grad_())
        assert [type(o.grad_fn).__name__ for o in out] == \
            ["LinalgSvdBackward0", "LinalgSvdBackward0", "TransposeBackward0"]
    u, s, v = ember.svd(ember.from_numpy(a))
    np.testing.assert_allclose((u * s @ v.mT).numpy(), a, atol=1e-12)
    q, r = ember.qr(ember.from_numpy(a), some=False)
    assert q.shape == (4, 4) and r.shape == (4, 3)
    check(lambda t, x: t.qr(x), a, second_order=False)
    assert type(ember.qr(ember.from_numpy(a))).__name__ == "qr"


def test_cholesky_family():
    check(lambda t, x: t.cholesky(x), spd(3), second_order=False)
    check(lambda t, x: t.cholesky(x, True), spd(3), second_order=False)
    check(lambda t, b, x: t.cholesky_solve(b, x), rand(3, 2, dtype=np.float64), lower(3),
          second_order=False)
    check(lambda t, b, x: t.cholesky_solve(b, x.mT, True), rand(3, 2, dtype=np.float64),
          lower(3), second_order=False)
    check(lambda t, x: t.cholesky_inverse(x), lower(3), second_order=False)
    check(lambda t, x: t.cholesky_inverse(x.mT, upper=True), lower(3),
          second_order=False)


@pytest.mark.parametrize("upper,transpose,unit", [(True, False, False), (False, False, True),
                                                  (False, True, False), (True, True, True)])
def test_triangular_solve(upper, transpose, unit):
    a = lower(3).T if upper else lower(3)
    check(lambda t, b, x: tuple(t.triangular_solve(b, x, upper, transpose, unit)),
          rand(3, 2, dtype=np.float64), a, second_order=False)


def test_matrix_functions():
    a = rand(3, 3, dtype=np.float64)
    check(lambda t, x: t.pinverse(x), rand(4, 3, dtype=np.float64), second_order=False)
    check(lambda t, x: t.matrix_power(x, 3), a, second_order=False)
    check(lambda t, x: t.matrix_exp(x), a, second_order=False)
    check(lambda t, x: t.nuclear_norm(x), a, second_order=False)
    check(lambda t, x: t.nuclear_norm(x, [0, 1], True), a, second_order=False)
    check(lambda t, x: t.frobenius_norm(x, [0, 1]), a, second_order=False)
    check(lambda t, x, y: t.dist(x, y), a, rand(3, 3, dtype=np.float64, seed=3),
          second_order=False)
    check(lambda t, x, y: t.dist(x, y, 1), a, rand(3, dtype=np.float64, seed=3),
          second_order=False)
    check(lambda t, x: t.nuclear_norm(x, True), rand(2, 3, 3, dtype=np.float64),
          second_order=False)
    check_error(lambda t, x: t.nuclear_norm(x), rand(3))


@pytest.mark.parametrize("name", ["eig", "symeig", "solve", "lstsq", "matrix_rank"])
def test_removed(name):
    check_error(lambda t, x: getattr(t, name)(x, x), rand(2, 2), match=True)


# -- in-place functions ----------------------------------------------------------------------

@pytest.mark.parametrize("name,args", [
    ("abs_", ()), ("exp_", ()), ("sigmoid_", ()), ("relu_", ()), ("tanh_", ()), ("neg_", ()),
    ("sqrt_", ()), ("log_", ()), ("clamp_", (0.7, 1.5)), ("clamp_", (None, 1.5)),
    ("clamp_min_", (1.0,)),
    ("fill_", (3.0,)), ("zero_", ()), ("round_", ()), ("reciprocal_", ()), ("square_", ()),
])
def test_inplace(name, args):
    def fn(t, x):
        y = x * 1
        out = getattr(t, name)(y, *args)
        assert out is y
        return out

    check(fn, positive(3, 4), second_order=False)


def test_inplace_names():
    assert ember.exp_.__name__ == "exp_"
    missing = [n for n in ("abs_", "exp_", "relu_", "sigmoid_", "clamp_", "zero_", "fill_")
               if n not in ember._aliases.__all__]
    assert not missing


# -- small tensor functions ------------------------------------------------------------------

def test_fill_detach_adjoint():
    check(lambda t, x: t.fill(x, 2.5), rand(2, 3))
    check(lambda t, x: t.fill(x, t.tensor(1.5)), rand(2, 3), grad=False)
    check_error(lambda t, x: t.fill(x, t.ones(2)), rand(2, 3))
    check(lambda t, x: t.detach(x), rand(2, 3))
    check(lambda t, x: t.adjoint(x), rand(2, 3, 4))
    check(lambda t, x: t.resolve_conj(x) * 1, rand(2, 3))
    check(lambda t, x: t.resolve_neg(x) * 1, rand(2, 3))
    x = ember.ones(2, requires_grad=True) * 1
    assert ember.detach_(x) is x and x.grad_fn is None


def test_predicates():
    for lib in (torch, ember):
        x = lib.ones(2, 3)
        assert lib.is_conj(x) is False and lib.is_neg(x) is False
        assert lib.is_same_size(x, lib.zeros(2, 3)) and not lib.is_same_size(x, lib.zeros(3))
        assert lib.is_signed(x) and not lib.is_signed(lib.ones(1, dtype=lib.uint8))
        assert lib.is_inference(x) is False
        assert lib.get_device(x) == -1
        assert lib.is_nonzero(lib.tensor([1.5])) and not lib.is_nonzero(lib.tensor(0))
        assert lib.is_storage(x) is False and lib.is_distributed(x) is False
    check_error(lambda t, x: t.is_nonzero(x), rand(0), match=True)
    check_error(lambda t, x: t.is_nonzero(x), rand(2), match=True)


@pytest.mark.parametrize("fn", [
    lambda t, x: t.t_copy(x[0]),
    lambda t, x: t.transpose_copy(x, 0, 2),
    lambda t, x: t.permute_copy(x, (2, 0, 1)),
    lambda t, x: t.expand_copy(x[:, :1], (2, 5, 4)),
    lambda t, x: t.view_copy(x, (6, 4)),
    lambda t, x: t.unsqueeze_copy(x, 1),
    lambda t, x: t.squeeze_copy(x[:, :1]),
    lambda t, x: t.squeeze_copy(x[:, :1], 1),
    lambda t, x: t.select_copy(x, 1, 2),
    lambda t, x: t.slice_copy(x, 2, 1, 4, 2),
    lambda t, x: t.slice_copy(x),
    lambda t, x: t.diagonal_copy(x),
    lambda t, x: t.diagonal_copy(x, 1, 1, 2),
    lambda t, x: t.alias_copy(x),
    lambda t, x: t.unbind_copy(x, 1),
    lambda t, x: t.split_copy(x, 2, 2),
    lambda t, x: t.split_with_sizes_copy(x, [1, 2], 1),
    lambda t, x: t.narrow_copy(x, 1, 1, 2),
    lambda t, x: t.split_with_sizes(x, [1, 2], 1),
    lambda t, x: t.unsafe_split(x, 2, 2),
    lambda t, x: t.unsafe_chunk(x, 2, 2),
    lambda t, x: t.unsafe_split_with_sizes(x, [3, 1], 2),
])
def test_copy_variants(fn):
    check(fn, rand(2, 3, 4))


def test_copy_variants_copy():
    x = ember.zeros(2, 3)
    y = ember.t_copy(x)
    y[0, 0] = 1
    assert x.sum().item() == 0 and y.is_contiguous()
    d = ember.detach_copy(ember.ones(2, requires_grad=True))
    assert d.grad_fn is None and not d.requires_grad
    check(lambda t, x: t.t_copy(x), rand(2, 3), grad=False)


# -- process-wide switches -------------------------------------------------------------------

def test_threads():
    n = ember.get_num_threads()
    assert n == torch.get_num_threads()
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(n)
    assert ember.get_num_interop_threads() == torch.get_num_interop_threads()
    ember.set_num_interop_threads(ember.get_num_interop_threads())
    ember.init_num_threads()
    assert isinstance(ember.set_flush_denormal(False), bool)
    with pytest.raises(RuntimeError):
        ember.set_num_threads(0)


def test_determinism_and_warn_always():
    try:
        for lib in (torch, ember):
            assert not lib.are_deterministic_algorithms_enabled()
            lib.use_deterministic_algorithms(True, warn_only=True)
            assert lib.get_deterministic_debug_mode() == 1
            assert lib.is_deterministic_algorithms_warn_only_enabled()
            lib.set_deterministic_debug_mode("error")
            assert lib.are_deterministic_algorithms_enabled()
            assert not lib.is_deterministic_algorithms_warn_only_enabled()
            lib.set_deterministic_debug_mode(0)
            assert lib.get_deterministic_debug_mode() == 0
            lib.set_warn_always(True)
            assert lib.is_warn_always_enabled()
            lib.set_warn_always(False)
        for bad in ("loud", 3):
            with pytest.raises(RuntimeError):
                torch.set_deterministic_debug_mode(bad)
            with pytest.raises(RuntimeError):
                ember.set_deterministic_debug_mode(bad)
    finally:
        torch.use_deterministic_algorithms(False)
        ember.use_deterministic_algorithms(False)


def test_default_device_and_anomaly():
    assert str(ember.get_default_device()) == str(torch.get_default_device()) == "cpu"
    ember.set_default_device("cpu")
    ember.set_default_device(None)
    ember.set_anomaly_enabled(True)
    assert ember.is_anomaly_enabled()
    ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled()


def test_set_default_tensor_type():
    try:
        with pytest.warns(UserWarning, match="deprecated"):
            ember.set_default_tensor_type(ember.DoubleTensor)
        for lib in (torch, ember):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib.set_default_tensor_type(lib.DoubleTensor)
                assert lib.get_default_dtype() == lib.float64
                lib.set_default_tensor_type("torch.FloatTensor")
                assert lib.get_default_dtype() == lib.float32
                with pytest.raises(TypeError):
                    lib.set_default_tensor_type(lib.LongTensor)
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def test_typename_can_cast():
    for lib in (torch, ember):
        assert lib.typename(lib.zeros(2)) == "torch.FloatTensor"
        assert lib.typename(lib.zeros(2, dtype=lib.int64)) == "torch.LongTensor"
        assert lib.typename(3) == "int"
    names = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64",
             "complex64"]
    for a in names:
        for b in names:
            assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)
    assert ember.compiled_with_cxx11_abi() is True


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "bfloat16", "complex64",
                                  "complex128"])
def test_finfo(name):
    t, e = torch.finfo(getattr(torch, name)), ember.finfo(getattr(ember, name))
    for k in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, k) == getattr(t, k), k
        assert type(getattr(e, k)) is type(getattr(t, k)), k
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    t, e = torch.iinfo(getattr(torch, name)), ember.iinfo(getattr(ember, name))
    for k in ("bits", "max", "min", "dtype"):
        assert getattr(e, k) == getattr(t, k), k
    assert repr(e) == repr(t)


def test_info_errors():
    assert repr(ember.finfo()) == repr(torch.finfo())
    for lib in (torch, ember):
        with pytest.raises(TypeError, match="requires a floating point"):
            lib.finfo(lib.int32)
        with pytest.raises(TypeError, match="requires an integer"):
            lib.iinfo(lib.float32)
        with pytest.raises(TypeError):
            lib.iinfo(lib.bool)


def test_compile():
    def f(x):
        return x * 2

    assert ember.compile(f) is f
    assert ember.compile(mode="max-autotune")(f) is f

    @ember.compile
    def g(x):
        return x + 1

    @ember.compile(fullgraph=True)
    def h(x):
        return x + 2

    assert g(1) == 2 and h(1) == 3
    m = ember.nn.Linear(2, 2)
    assert ember.compile(m) is m


# -- further spellings -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["arccos_", "arcsin_", "arctan_", "arctanh_", "fix_"])
def test_inplace_other_spellings(name):
    def fn(t, x):
        y = x * 0.5
        assert getattr(t, name)(y) is y
        return y

    # torch has no derivative for in-place atanh (its node AtanhBackward1 raises): no grads.
    check(fn, rand(3, 4, low=-1.5, high=1.5), second_order=False, grad=name != "arctanh_")
    assert getattr(ember, name).__name__ == name


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("n", [1, 2])
def test_convolution(transposed, n):
    x = rand(1, 2, *(5,) * n)
    w = rand(2, 3, *(2,) * n, seed=1)
    check(lambda t, a, b, c: t.convolution(a, b, c, [2] * n, [1] * n, [1] * n, transposed,
                                           [1 if transposed else 0] * n, 1),
          x, w if transposed else w.swapaxes(0, 1).copy(), rand(3, seed=2), second_order=False)


def test_inplace_alpha_dropout():
    x = ember.ones(5)
    assert ember.alpha_dropout_(x, 0.5, False) is x
    assert ember.feature_alpha_dropout_(x, 0.5, False) is x


def test_view_copies_and_conj_physical():
    z = (rand(3, 2) + 1j * rand(3, 2, seed=4)).astype(np.complex64)
    check(lambda t, x: t.view_as_real_copy(x), z, second_order=False)
    check(lambda t, x: t.view_as_complex_copy(x), rand(3, 2), grad=False)
    check(lambda t, x: t.as_strided_copy(x, (2, 2), (1, 2), 1), rand(6), grad=False)
    check(lambda t, x: t.conj_physical(x), z, second_order=False)
    check(lambda t, x: t.conj_physical(x), rand(3))


def test_empty_permuted_vulkan_autocast():
    for lib in (torch, ember):
        e = lib.empty_permuted((2, 3, 4), (0, 2, 1), dtype=lib.float64)
        assert e.shape == (2, 3, 4) and e.stride() == (12, 1, 3) and e.dtype == lib.float64
        assert lib.is_vulkan_available() is False
    prev = ember.get_autocast_dtype("cpu")
    with pytest.warns(DeprecationWarning, match="set_autocast_dtype"):
        ember.set_autocast_cpu_dtype(ember.float16)
    assert ember.get_autocast_dtype("cpu") == ember.float16
    ember.set_autocast_dtype("cpu", prev)
    with pytest.warns(DeprecationWarning):
        ember.set_autocast_cpu_enabled(False)
    assert not ember.is_autocast_enabled("cpu")

"""ember.ops.creation against real PyTorch: torch.tensor's dtype inference, the legacy
constructors, factories (zeros/full/arange/linspace/...), *_like, random factories (shapes,
dtypes and seeding), from_numpy/as_tensor memory sharing, and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from oracle import check, check_error

import ember


def same(fn):
    """``fn(lib)`` gives the same result (values, dtype, shape, requires_grad) for both."""
    check(lambda t: fn(t), grad=False)


def _meta(r):
    return tuple(r.shape), str(r.dtype), r.requires_grad


# -- torch.tensor -------------------------------------------------------------------------------

TENSOR_DATA = {
    "ints": [1, 2, 3], "floats": [1.0, 2], "bools": [True, False], "bool_int": [True, 2],
    "int_float": [1, 2.5], "nested": [[1, 2], [3, 4]], "nested_mixed": [[1, 2.5], [3, 4]],
    "scalar_int": 3, "scalar_float": 3.5, "scalar_bool": True, "complex": [1 + 2j, 3],
    "tuple": (1, 2), "empty": [], "empty_nested": [[], []], "big_int": [1, 2 ** 40],
    "np_f64": np.array([1.0, 2.0]), "np_i32": np.array([1, 2], np.int32),
    "np_u8": np.array([1], np.uint8), "np_f16": np.array([1.5], np.float16),
    "np_bool": np.array([True]), "np_scalar_f64": np.float64(2.5), "np_scalar_f32": np.float32(2.5),
    "np_scalar_i64": np.int64(2), "np_2d": np.arange(6).reshape(2, 3),
    "list_np_f64": [np.float64(1.5), 2.0], "list_np_f32": [np.float32(1.5), 1],
    "list_np_i32": [np.int32(1), 2], "list_of_arrays": [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    "np_noncontig": np.arange(12.0).reshape(3, 4)[:, ::2],
    "negative_zero": [-0.0, 0.0], "inf_nan": [float("inf"), float("nan")],
}


@pytest.mark.parametrize("name", sorted(TENSOR_DATA))
def test_tensor_inference(name):
    data = TENSOR_DATA[name]
    same(lambda t: t.tensor(data))


@pytest.mark.parametrize("name", ["ints", "floats", "nested_mixed", "bools", "np_f64"])
@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "int64", "bool", "uint8",
                                   "complex64"])
def test_tensor_with_dtype(name, dtype):
    data = TENSOR_DATA[name]
    same(lambda t: t.tensor(data, dtype=getattr(t, dtype)))


def test_tensor_python_dtype_arguments():
    same(lambda t: (t.tensor([1, 2], dtype=float), t.tensor([1.5], dtype=int),
                    t.tensor([0, 2], dtype=bool), t.zeros(2, dtype=float),
                    t.ones(2, dtype=int), t.full((2,), 1, dtype=bool)))


def test_tensor_of_tensors():
    same(lambda t: t.tensor([t.tensor(1.5), t.tensor(2.0)]))
    same(lambda t: t.tensor([[t.tensor(1), 2], [3, 4]]))
    same(lambda t: t.tensor([t.tensor(1), 2.5]))


def test_tensor_copies_and_detaches():
    def run(t):
        a = t.ones(3, requires_grad=True)
        b = t.tensor(a.detach())
        b.add_(1)
        n = np.zeros(2, np.float32)
        c = t.tensor(n)
        n[0] = 5
        return a, b, c, b.requires_grad, b.is_leaf

    check(lambda t: run(t), grad=False)


def _warnings(fn, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(lib)
    return [(w.category.__name__, str(w.message)) for w in caught]


def test_tensor_warnings():
    def copy(t):
        return t.tensor(t.ones(2))

    assert _warnings(copy, ember) == _warnings(copy, torch) != []

    def quiet(t):
        return t.tensor([1.0]), t.as_tensor(t.ones(2)), t.tensor(np.ones(2))

    assert _warnings(quiet, ember) == _warnings(quiet, torch) == []
    # torch warns about lists of arrays once per process; ember's text must be the same
    with pytest.warns(UserWarning, match="Creating a tensor from a list of numpy.ndarrays is "
                                         "extremely slow"):
        ember.tensor([np.ones(2), np.ones(2)])


def test_tensor_requires_grad():
    check(lambda t: (lambda x: (x, x.requires_grad, x.is_leaf, x.grad_fn))(
        t.tensor([1.0, 2.0], requires_grad=True)), grad=False)


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    same(lambda t: (t.tensor([1.5]), t.tensor(2.5), t.tensor([1, 2.5]), t.tensor([1j]),
                    t.arange(0.0, 1.0, 0.25), t.arange(3), t.zeros(2), t.full((2,), 1.5),
                    t.linspace(0, 1, 3), t.tensor([np.float32(1.5)]), str(t.empty(1).dtype),
                    str(t.get_default_dtype())))


TENSOR_ERRORS = {
    "ragged": lambda t: t.tensor([[1, 2], [3]]),
    "ragged_deep": lambda t: t.tensor([[[1], [2]], [[3], [4, 5]]]),
    "not_sequence": lambda t: t.tensor([[1, 2], 3]), "str": lambda t: t.tensor("a"),
    "none": lambda t: t.tensor(None), "none_in_list": lambda t: t.tensor([1, None]),
    "overflow": lambda t: t.tensor([2 ** 63]), "overflow_scalar": lambda t: t.tensor(-2 ** 63 - 1),
    "requires_grad_int": lambda t: t.tensor([1], requires_grad=True),
    "np_str": lambda t: t.tensor(np.array(["a"])),
    "np_obj": lambda t: t.from_numpy(np.array([None])),
    "from_numpy_list": lambda t: t.from_numpy([1, 2]),
    "zeros_requires_grad_int": lambda t: t.zeros(2, dtype=t.int64, requires_grad=True),
    "arange_requires_grad_int": lambda t: t.arange(3, requires_grad=True),
    "dtype_numpy": lambda t: t.zeros(2, dtype=np.float64),
}


@pytest.mark.parametrize("name", sorted(TENSOR_ERRORS))
def test_tensor_errors(name):
    check_error(TENSOR_ERRORS[name], match=True)


# -- legacy constructors ----------------------------------------------------------------------

LEGACY = {
    "Tensor_list": lambda t: t.Tensor([2]), "Tensor_nested": lambda t: t.Tensor([[1, 2], [3, 4]]),
    "Tensor_shape": lambda t: t.Tensor(2, 3).shape, "Tensor_empty": lambda t: t.Tensor(),
    "Tensor_size": lambda t: t.Tensor(t.Size([2, 3])).shape, "Tensor_zero": lambda t: t.Tensor(0),
    "Tensor_np": lambda t: t.Tensor(np.array([1, 2])), "Tensor_tuple": lambda t: t.Tensor((1.5, 2)),
    "Tensor_from_float_tensor": lambda t: t.Tensor(t.tensor([1.0])),
    "FloatTensor": lambda t: t.FloatTensor([1, 2]),
    "FloatTensor_np": lambda t: t.FloatTensor(np.array([1.5])),
    "LongTensor": lambda t: t.LongTensor([1.7, 2]),
    "LongTensor_shape": lambda t: t.LongTensor(2, 3).shape,
    "LongTensor_size": lambda t: t.LongTensor(t.Size([2])).shape,
    "DoubleTensor": lambda t: t.DoubleTensor([1]),
    "BoolTensor": lambda t: t.BoolTensor([1, 0]), "IntTensor": lambda t: t.IntTensor([1, 2]),
    "ByteTensor": lambda t: t.ByteTensor([1, 2]), "HalfTensor": lambda t: t.HalfTensor([1.5]),
    "ShortTensor": lambda t: t.ShortTensor([1]), "CharTensor": lambda t: t.CharTensor([-1]),
    "isinstance_Tensor": lambda t: isinstance(t.FloatTensor([1.0]), t.Tensor),
    "type_name": lambda t: (t.FloatTensor([1]).type(), t.LongTensor([1]).type()),
}


@pytest.mark.parametrize("name", sorted(LEGACY))
def test_legacy_constructors(name):
    same(LEGACY[name])


def test_legacy_Tensor_of_int_tensor_is_alias():
    same(lambda t: t.Tensor(t.tensor([1, 2])))


def test_legacy_isinstance_by_dtype():
    same(lambda t: (isinstance(t.tensor([1.0]), t.FloatTensor),
                    isinstance(t.tensor([1]), t.LongTensor)))


def test_legacy_errors():
    check_error(lambda t: t.FloatTensor(t.tensor([1])), match=True)
    check_error(lambda t: t.LongTensor(t.tensor([1.0])), match=True)


# -- factories ----------------------------------------------------------------------------------

FACTORIES = {
    "zeros": lambda t: t.zeros(2, 3), "zeros_tuple": lambda t: t.zeros((2, 3)),
    "zeros_list": lambda t: t.zeros([2, 3]), "zeros_size": lambda t: t.zeros(t.Size([2])),
    "zeros_scalar": lambda t: t.zeros(()), "zeros_empty_list": lambda t: t.zeros([]),
    "zeros_0": lambda t: t.zeros(0, 3), "zeros_int": lambda t: t.zeros(2, dtype=t.int16),
    "zeros_tensor_size": lambda t: t.zeros(t.tensor(2), 3),
    "ones": lambda t: t.ones(2, 1), "ones_int": lambda t: t.ones(2, dtype=t.int32),
    "ones_bool": lambda t: t.ones(2, dtype=t.bool),
    "ones_f64": lambda t: t.ones((1, 2), dtype=t.float64),
    "ones_requires_grad": lambda t: t.ones(2, requires_grad=True),
    "full_int": lambda t: t.full((2,), 3), "full_float": lambda t: t.full((2,), 3.5),
    "full_bool": lambda t: t.full((2,), True), "full_complex": lambda t: t.full((1,), 1j),
    "full_dtype": lambda t: t.full((2,), 3, dtype=t.float32),
    "full_list": lambda t: t.full([2, 2], -1.5),
    "full_neg_int": lambda t: t.full((3,), -1),
    "full_tensor_value": lambda t: t.full((2,), t.tensor(2.5)),
    "full_np_value": lambda t: t.full((2,), np.float32(2.5)),
    "empty_meta": lambda t: _meta(t.empty(2, 3)),
    "empty_dtype": lambda t: _meta(t.empty(2, dtype=t.int64)),
    "empty_strided": lambda t: _meta(t.empty_strided((2, 3), (3, 1))),
    "eye": lambda t: t.eye(3), "eye_rect": lambda t: t.eye(2, 3), "eye_tall": lambda t: t.eye(3, 2),
    "eye_dtype": lambda t: t.eye(2, dtype=t.int64), "eye_0": lambda t: t.eye(0),
    "eye_bool": lambda t: t.eye(2, dtype=t.bool),
    "scalar_tensor": lambda t: t.scalar_tensor(3),
    "scalar_tensor_bool": lambda t: t.scalar_tensor(True),
    "scalar_tensor_dtype": lambda t: t.scalar_tensor(2, dtype=t.int64),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory(name):
    same(FACTORIES[name])


ARANGES = [(5,), (0.0, 1.0, 0.25), (5, 0, -1), (1, 0, -0.3), (0, 1, 0.1), (1, 4), (2.5,),
           (1, 1), (-1.5, 2.7, 0.9), (0, 10, 3), (-5, 5, 2), (0.1, 0.9, 0.2), (1e-3, 1e-2, 1e-3),
           (0, -3, -1), (10, 0, -3.5)]


@pytest.mark.parametrize("args", ARANGES)
def test_arange(args):
    same(lambda t: t.arange(*args))
    same(lambda t: t.arange(*args, dtype=t.float64))


def test_arange_dtype_and_tensor_args():
    same(lambda t: (t.arange(3, dtype=t.float64), t.arange(0.5, 3, dtype=t.int64),
                    t.arange(0, 2.5, 1, dtype=t.int64), t.arange(t.tensor(3)),
                    t.arange(t.tensor(0.5), 2), t.arange(np.int64(3)), t.arange(4, dtype=t.uint8),
                    t.arange(0, 1, 0.25, requires_grad=True)))


def test_arange_errors():
    check_error(lambda t: t.arange(0, 1, 0), match=True)
    check_error(lambda t: t.arange(3, 1), match=True)
    check_error(lambda t: t.arange(0, 1, -1), match=True)
    check_error(lambda t: t.arange(0, 2.5, 0.5, dtype=t.int64), match=True)


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 3, 1), (0, 1, 0), (-3.3, 7.1, 11),
                                  (1, -1, 4), (0, 10, 4), (2.5, 2.5, 3), (0, 1, 2)])
@pytest.mark.parametrize("dtype", [None, "float64", "int64", "float16"])
def test_linspace_logspace(args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    same(lambda t: t.linspace(*args, **{k: getattr(t, v) for k, v in kw.items()}))
    if dtype != "int64" and dtype != "float16":
        same(lambda t: t.logspace(*args, **{k: getattr(t, v) for k, v in kw.items()}))
        same(lambda t: t.logspace(*args, base=2, **{k: getattr(t, v) for k, v in kw.items()}))


def test_linspace_errors_and_tensor_args():
    check_error(lambda t: t.linspace(0, 1, -1), match=True)
    check_error(lambda t: t.linspace(0, 1, 2.5))
    same(lambda t: t.linspace(t.tensor(0.0), t.tensor(1.0), 3))


FACTORY_ERRORS = {
    "zeros_neg": lambda t: t.zeros(-1), "zeros_neg_tuple": lambda t: t.zeros((2, -3)),
    "ones_neg": lambda t: t.ones(-1), "empty_neg": lambda t: t.empty(2, -1),
    "full_neg": lambda t: t.full((-1,), 2.0), "rand_neg": lambda t: t.rand(-1),
    "randn_neg": lambda t: t.randn(2, -1), "randperm_neg": lambda t: t.randperm(-1),
    "full_int_size": lambda t: t.full(3, 1.0), "zeros_float_size": lambda t: t.zeros(2.5),
    "zeros_float_in_tuple": lambda t: t.zeros((2, 2.5)), "eye_neg": lambda t: t.eye(-1),
    "zeros_float_varargs": lambda t: t.zeros(2, 2.5), "rand_float_first": lambda t: t.rand((2.5,)),
    "ones_str_dtype": lambda t: t.ones(2, dtype="float32"),
    "eye_neg_m": lambda t: t.eye(2, -1), "randint_low_high": lambda t: t.randint(3, 1, (2,)),
    "randint_no_size": lambda t: t.randint(5),
}


@pytest.mark.parametrize("name", sorted(FACTORY_ERRORS))
def test_factory_errors(name):
    check_error(FACTORY_ERRORS[name], match=name != "randint_no_size")


# -- *_like ----------------------------------------------------------------------------------

LIKES = {
    "zeros_like": lambda t, x: t.zeros_like(x), "ones_like": lambda t, x: t.ones_like(x),
    "full_like": lambda t, x: t.full_like(x, 2.7),
    "full_like_int_fill": lambda t, x: t.full_like(x, 7),
    "zeros_like_dtype": lambda t, x: t.zeros_like(x, dtype=t.float64),
    "ones_like_rg": lambda t, x: t.ones_like(x, dtype=t.float32, requires_grad=True),
    "empty_like": lambda t, x: _meta(t.empty_like(x)),
    "rand_like": lambda t, x: _meta(t.rand_like(x.double())),
    "randn_like": lambda t, x: _meta(t.randn_like(x.float())),
    "randint_like": lambda t, x: _meta(t.randint_like(x, 5)),
    "randint_like_low": lambda t, x: _meta(t.randint_like(x, 2, 5)),
}


@pytest.mark.parametrize("name", sorted(LIKES))
@pytest.mark.parametrize("src", [np.ones((2, 3), np.int32), np.ones(4, np.float64),
                                 np.ones((), np.float32)])
def test_like(name, src):
    check(LIKES[name], src, grad=False)


def test_like_of_requires_grad_input_is_leaf():
    check(lambda t, x: (lambda z: (z, z.requires_grad, z.is_leaf))(t.zeros_like(x * 2)),
          np.ones(3, np.float32))


# -- random -----------------------------------------------------------------------------------

RANDOM = {
    "rand": lambda t: t.rand(2, 3), "rand_tuple": lambda t: t.rand((2, 3)),
    "rand_f64": lambda t: t.rand(2, dtype=t.float64),
    "rand_rg": lambda t: t.rand(2, requires_grad=True),
    "randn": lambda t: t.randn(4), "randn_f16": lambda t: t.randn(2, dtype=t.float16),
    "randint": lambda t: t.randint(0, 5, (3,)), "randint_high": lambda t: t.randint(5, (2, 2)),
    "randint_dtype": lambda t: t.randint(0, 5, (3,), dtype=t.int32),
    "randint_float": lambda t: t.randint(0, 5, (3,), dtype=t.float32),
    "randperm": lambda t: t.randperm(5), "randperm_dtype": lambda t: t.randperm(5, dtype=t.float32),
    "normal_tensors": lambda t: t.normal(t.zeros(3), t.ones(3)),
    "normal_floats": lambda t: t.normal(0.0, 1.0, (2, 2)),
    "normal_mean_tensor": lambda t: t.normal(t.zeros(2, dtype=t.float64), 1.0),
    "normal_std_tensor": lambda t: t.normal(0.0, t.ones(2, 3)),
}


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_shapes_and_dtypes(name):
    same(lambda t: _meta(RANDOM[name](t)))


def test_random_values_in_range():
    ember.manual_seed(0)
    r = ember.rand(1000)
    assert r.min().item() >= 0 and r.max().item() < 1
    i = ember.randint(-3, 4, (1000,))
    assert i.min().item() >= -3 and i.max().item() <= 3
    assert sorted(ember.randperm(10).tolist()) == list(range(10))
    n = ember.randn(4000, dtype=ember.float64)
    assert abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    m = ember.normal(ember.full((4000,), 5.0), 2.0)
    assert abs(m.mean().item() - 5) < 0.2


def test_manual_seed_reproducible():
    ember.manual_seed(123)
    a = (ember.rand(5), ember.randn(3), ember.randint(0, 100, (4,)), ember.randperm(6))
    ember.manual_seed(123)
    b = (ember.rand(5), ember.randn(3), ember.randint(0, 100, (4,)), ember.randperm(6))
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    ember.manual_seed(124)
    assert ember.rand(5).tolist() != a[0].tolist()
    assert ember.initial_seed() == 124


def test_bernoulli_and_multinomial():
    ember.manual_seed(0)
    p = ember.tensor([0.0, 1.0, 0.5] * 200)
    b = ember.bernoulli(p)
    tb = torch.bernoulli(torch.tensor([0.0, 1.0, 0.5] * 200))
    assert str(b.dtype) == str(tb.dtype) and b.shape == tuple(tb.shape)
    assert b[0::3].sum().item() == 0 and b[1::3].sum().item() == 200
    assert 60 < b[2::3].sum().item() < 140
    w = ember.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    m = ember.multinomial(w, 2)
    tm = torch.multinomial(torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]]), 2)
    assert str(m.dtype) == str(tm.dtype) and m.shape == tuple(tm.shape)
    assert m[1].tolist() in ([0, 2], [2, 0])
    r = ember.multinomial(ember.tensor([1.0, 1.0]), 50, replacement=True)
    assert set(r.tolist()) == {0, 1}


def test_seed_and_default_generator():
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s
    ember.default_generator.manual_seed(5)
    a = ember.rand(3).tolist()
    ember.manual_seed(5)
    assert ember.rand(3).tolist() == a


def test_generator_and_rng_state():
    g = ember.Generator().manual_seed(7)
    x = ember.rand(4, generator=g)
    g2 = ember.Generator()
    g2.manual_seed(7)
    assert ember.rand(4, generator=g2).tolist() == x.tolist()
    ember.manual_seed(1)
    state = ember.get_rng_state()
    first = ember.randn(3).tolist()
    ember.set_rng_state(state)
    assert ember.randn(3).tolist() == first
    assert isinstance(ember.manual_seed(3), ember.Generator)
    assert isinstance(torch.manual_seed(3), torch.Generator)


# -- from_numpy / as_tensor -------------------------------------------------------------------

def test_from_numpy_shares_memory():
    def run(t):
        n = np.array([1.0, 2.0, 3.0])
        x = t.from_numpy(n)
        n[0] = 10.0
        x[1] = 20.0
        return x, n.tolist(), str(x.dtype)

    same(run)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int16,
                                   np.int32, np.int64, np.uint8, np.bool_, np.complex64])
def test_from_numpy_dtypes(dtype):
    arr = np.arange(4).astype(dtype)
    same(lambda t: t.from_numpy(arr))


def test_as_tensor_shares_where_possible():
    def run(t):
        n = np.array([1.0, 2.0])
        a = t.as_tensor(n)
        b = t.as_tensor(n, dtype=t.float32)
        c = t.asarray(n)
        x = t.ones(2)
        d = t.as_tensor(x)
        n[0] = 9.0
        return a, b, c, d is x, t.as_tensor([1, 2]), t.as_tensor(x, dtype=t.float64)

    same(run)


def test_size_argument_forms():
    same(lambda t: [t.zeros(2, 3).shape, t.zeros((2, 3)).shape, t.zeros([2, 3]).shape,
                    t.zeros(t.Size([2, 3])).shape, t.ones(t.zeros(2, 3).shape).shape,
                    t.rand(t.Size([1])).shape, t.empty((0,)).shape, t.randn([2]).shape])


# -- in-place random fills --------------------------------------------------------------------

RANDOM_FILLS = {
    "uniform_": (lambda x: x.uniform_(2.0, 3.0), lambda a: (a >= 2).all() and (a < 3).all()),
    "normal_": (lambda x: x.normal_(5.0, 0.01), lambda a: abs(a.mean() - 5) < 0.1),
    "bernoulli_": (lambda x: x.bernoulli_(0.5), lambda a: set(np.unique(a)) <= {0, 1}),
    "random_": (lambda x: x.random_(3, 7), lambda a: (a >= 3).all() and (a < 7).all()),
    "exponential_": (lambda x: x.exponential_(2.0), lambda a: (a >= 0).all()),
    "geometric_": (lambda x: x.geometric_(0.5), lambda a: (a >= 1).all()),
    "log_normal_": (lambda x: x.log_normal_(), lambda a: (a > 0).all()),
    "cauchy_": (lambda x: x.cauchy_(), lambda a: np.isfinite(a).all()),
}


@pytest.mark.parametrize("name", sorted(RANDOM_FILLS))
def test_random_fill_in_place(name):
    fill, ok = RANDOM_FILLS[name]
    for lib in (torch, ember):
        x = lib.zeros(200)
        out = fill(x)
        assert out is x and x._version == 1 and str(x.dtype) == "torch.float32"
        assert ok(np.asarray(x)), (lib.__name__, name)


@pytest.mark.parametrize("name", sorted(RANDOM_FILLS))
def test_random_fill_on_leaf_requiring_grad(name):
    fill, _ = RANDOM_FILLS[name]
    errors = []
    for lib in (torch, ember):
        w = lib.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            fill(w)
        errors.append(str(e.value))
        with lib.no_grad():
            fill(w)  # allowed without grad mode, as in an initialiser
        assert w.requires_grad and w.is_leaf
    assert errors[0] == errors[1]


def test_random_fill_integer_tensor():
    x = ember.zeros(100, dtype=ember.int64).random_(0, 10)
    assert x.dtype is ember.int64 and 0 <= int(x.min()) and int(x.max()) < 10

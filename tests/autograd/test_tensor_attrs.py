"""Tensor attributes and conversions against real PyTorch: shape/size/stride, item/tolist/
numpy, Python number conversions, iteration, copies, pickling, devices."""

from __future__ import annotations

import copy
import io
import pickle

import numpy as np
import pytest
import torch
from agcompare import raises, same

import ember

M = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)
C = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def mk(t, arr=M, **kw):  # noqa: ANN001, ANN003, ANN202
    return t.tensor(arr.copy(), **kw)


# -- shape and layout ---------------------------------------------------------------------

@pytest.mark.parametrize("arr", [M, C, np.float32(3.5), np.zeros((0, 3), np.float32),
                                 np.arange(5, dtype=np.int64)])
def test_shape_attributes(arr):
    def f(t):
        x = t.tensor(np.array(arr).copy())
        return (x.shape, x.size(), x.dim(), x.ndim, x.numel(), x.nelement(), x.ndimension(),
                x.dtype, x.element_size(), x.is_contiguous(), x.stride(), x.is_floating_point(),
                x.is_complex(), str(x.shape), repr(x.size()), x.is_leaf, x.requires_grad,
                t.numel(x), x.shape == tuple(arr.shape) if hasattr(arr, "shape") else None)
    same(f)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_size_and_stride_of_dim(dim):
    same(lambda t: (lambda x: (x.size(dim), x.stride(dim), x.shape[dim]))(mk(t, C)))


@pytest.mark.parametrize("dim", [3, -4])
def test_size_dim_out_of_range(dim):
    raises(lambda t: mk(t, C).size(dim))


def test_size_is_tuple_like():
    def f(t):
        s = mk(t, C).size()
        return (isinstance(s, tuple), s[1:], type(s[1:]).__name__, s + (5,), s.numel(),
                list(s), s == (2, 3, 4), len(s), s[-1], str(s[1:]), type(s + (5,)).__name__)
    same(f)


def test_views_change_strides_and_contiguity():
    def f(t):
        x = mk(t, C)
        tr = x.transpose(0, 2)
        sl = x[:, 1]
        return (tr.stride(), tr.is_contiguous(), sl.stride(), sl.is_contiguous(),
                x[..., ::2].stride(), x.view(6, 4).t().stride())
    same(f)


def test_contiguous_makes_contiguous():
    def f(t):
        tr = mk(t, C).transpose(0, 2)
        return tr.contiguous().is_contiguous(), tr.contiguous().stride()
    same(f)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool", "complex64", "bfloat16"])
def test_element_size_and_dtype_flags(dtype):
    if getattr(ember, dtype) is None:
        pytest.skip(f"ember.{dtype} needs ml_dtypes, which is not installed")

    def f(t):
        x = t.zeros(2).to(getattr(t, dtype))
        return (x.element_size(), x.dtype, x.is_floating_point(), x.is_complex(), str(x.dtype),
                x.dtype.is_floating_point, x.dtype.is_complex, x.dtype.itemsize,
                x.dtype.is_signed)
    same(f)


def test_T_and_mT():
    def f(t):
        x = mk(t, C, requires_grad=True)
        m = mk(t, requires_grad=True)
        return m.T, m.mT, x.mT, m.T.grad_fn, x.mT.grad_fn, m.mT.shape, t.tensor([1.0, 2.0]).T
    same(f, warns=False)


def test_T_on_3d_deprecated():
    def f(t):
        return mk(t, C).T.shape
    same(f, warns=False)  # torch warns (once per process) that .T on 3-D is deprecated


def test_mT_on_1d_error():
    raises(lambda t: t.tensor([1.0, 2.0]).mT)


def test_data_attribute():
    def f(t):
        x = mk(t, requires_grad=True)
        d = x.data
        return d, d.requires_grad, d.is_leaf, d.data_ptr() == x.data_ptr(), type(d).__name__
    same(f)


# -- Python conversions -----------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda t: t.tensor(2.5), lambda t: t.tensor([2.5]), lambda t: t.tensor([[7]]),
    lambda t: t.tensor(True), lambda t: t.tensor(3, dtype=t.int32),
    lambda t: t.tensor([-0.4717], requires_grad=True), lambda t: t.tensor(1.5, dtype=t.float64),
    lambda t: t.tensor(0.1, dtype=t.float16),
])
def test_item_and_numbers(make):
    # float() of a tensor requiring grad warns once per process in both libraries, so which
    # test sees the warning depends on order: warnings are checked in test_scalar_warning
    def f(t):
        x = make(t)
        out = [x.item(), type(x.item()).__name__, float(x), int(x), bool(x), x.tolist()]
        out.append(complex(x))
        return out
    same(f, warns=False)


def test_scalar_warning():
    import ember._tensor as et

    et._warned_scalar = False
    x = ember.tensor([2.5], requires_grad=True)
    with pytest.warns(UserWarning) as rec:
        float(x)
        float(x)
    assert len(rec) == 1
    assert str(rec[0].message).startswith(
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
        "behavior.\nConsider using tensor.detach() first.")


def test_item_precision_matches():
    def f(t):
        x = t.tensor([-0.4717346727848053])
        return x.item(), repr(x.item())
    same(f)


@pytest.mark.parametrize("shape", [(2,), (2, 3), (0,)])
def test_item_many_elements_error(shape):
    raises(lambda t: t.zeros(shape).item())


@pytest.mark.parametrize("conv", [float, int, bool])
def test_number_conversion_many_elements_error(conv):
    raises(lambda t: conv(t.zeros(2)))


def test_bool_of_empty_error():
    raises(lambda t: bool(t.zeros(0)))


def test_if_tensor():
    def f(t):
        x = t.tensor([2.0], requires_grad=True)
        return "yes" if x > 1 else "no", bool(t.tensor([0.0]))
    same(f)


def test_index_conversion():
    def f(t):
        lst = [10, 20, 30]
        return lst[t.tensor(1)], lst[t.tensor([2])], range(5)[t.tensor(3)], hex(t.tensor(255))
    same(f)


@pytest.mark.parametrize("make", [lambda t: t.tensor(1.0), lambda t: t.tensor([1, 2])])
def test_index_conversion_error(make):
    raises(lambda t: [1, 2, 3][make(t)])


@pytest.mark.parametrize("arr", [M, C, np.float32(2.0), np.array([1, 2], np.int64),
                                 np.array([True, False]), np.zeros((2, 0), np.float32)])
def test_tolist(arr):
    def f(t):
        x = t.tensor(np.array(arr).copy())
        lst = x.tolist()
        return lst, type(lst).__name__
    same(f)


def test_tolist_requires_grad_ok():
    same(lambda t: mk(t, requires_grad=True).tolist())


def test_format():
    def f(t):
        x = t.tensor(3.14159)
        return f"{x:.2f}", f"{x}", "{}".format(t.tensor([1.0, 2.0]))  # noqa: UP032, f"{t.tensor(7):>4}"
    same(f)


# -- numpy interop ----------------------------------------------------------------------

def test_numpy_shares_memory():
    def f(t):
        x = mk(t)
        n = x.numpy()
        n[0, 0] = 42.0
        x[1, 1] = -7.0
        return x, n.copy(), type(n).__name__, n.dtype.name, x._version
    same(f)


def test_numpy_requires_grad_error():
    raises(lambda t: mk(t, requires_grad=True).numpy())
    raises(lambda t: (mk(t, requires_grad=True) * 2).numpy())


def test_numpy_after_detach_and_force():
    def f(t):
        x = mk(t, requires_grad=True)
        return x.detach().numpy(), x.numpy(force=True), x.cpu().detach().numpy()
    same(f)


def test_array_protocol():
    def f(t):
        x = mk(t)
        a = np.asarray(x)
        a[0, 0] = 99.0  # np.asarray(t) shares memory, as torch does on the CPU
        return a.copy(), x, np.array(x, dtype=np.float64), np.add(np.asarray(x), 1)
    same(f, warns=False)  # numpy warns that torch's __array__ lacks ``copy``; ember has it


def test_array_protocol_requires_grad():
    raises(lambda t: np.asarray(mk(t, requires_grad=True)))


def test_from_numpy_shares_memory():
    def f(t):
        a = M.copy()
        x = t.from_numpy(a)
        a[0, 0] = 5.0
        x.add_(1)
        return x, a.copy()
    same(f)


# -- len, iteration ---------------------------------------------------------------------

def test_len_and_iteration():
    def f(t):
        x = mk(t, requires_grad=True)
        rows = list(x)
        return len(x), rows, [r.grad_fn for r in rows], [r.tolist() for r in t.tensor([3, 4])]
    same(f)


def test_len_of_scalar_error():
    raises(lambda t: len(t.tensor(1.0)))


def test_iter_of_scalar_error():
    raises(lambda t: iter(t.tensor(1.0)))


def test_iteration_gradient():
    def f(t):
        x = mk(t, requires_grad=True)
        s = sum(r.sum() * (i + 1) for i, r in enumerate(x))
        s.backward()
        return s, x.grad
    same(f)


def test_unpacking():
    def f(t):
        a, b = mk(t)
        return a, b
    same(f)


def test_contains():
    same(lambda t: (2.0 in mk(t), 9.0 in mk(t), t.tensor(0.5) in mk(t)))


# -- copies and conversions -------------------------------------------------------------

def test_clone():
    def f(t):
        x = mk(t, requires_grad=True)
        c = x.clone()
        c2 = x.detach().clone()
        c2[0, 0] = 100.0
        c.sum().backward()
        return c, c.grad_fn, c2, x, x.grad, c.is_leaf
    same(f)


@pytest.mark.parametrize("dtype", ["float64", "float16", "int64", "int32", "bool", "float32"])
def test_to_dtype(dtype):
    def f(t):
        x = mk(t, requires_grad=True)
        y = x.to(getattr(t, dtype))
        z = x.to(dtype=getattr(t, dtype))
        return y, z, y is x, y.grad_fn, x.to(getattr(t, dtype), copy=True) is x
    same(f)


def test_to_same_dtype_returns_self():
    same(lambda t: (lambda x: (x.to(t.float32) is x, x.to("cpu") is x, x.cpu() is x,
                               x.to(x) is x, x.float() is x, x.type(t.float32) is x))(mk(t)))


def test_type_strings():
    def f(t):
        x = mk(t)
        return (x.type(), x.long().type(), x.double().type(), x.type(t.float64),
                x.type("torch.LongTensor"), x.int().type(), x.bool().type(), x.half().type())
    same(f)


def test_conversion_methods():
    def f(t):
        x = mk(t, requires_grad=True)
        return x.double(), x.half(), x.long(), x.int(), x.bool(), x.float(), x.double().grad_fn
    same(f)


def test_to_dtype_gradient():
    def f(t):
        x = mk(t, requires_grad=True)
        y = x.double() * 3
        y.sum().backward()
        return x.grad
    same(f)


def test_deepcopy_leaf():
    def f(t):
        x = mk(t, requires_grad=True)
        (x * 2).sum().backward()
        c = copy.deepcopy(x)
        c.data.add_(1)
        return c, c.grad, c.requires_grad, c.is_leaf, x, c.grad is x.grad
    same(f)


def test_deepcopy_keeps_shared_structure():
    def f(t):
        x = mk(t)
        d = copy.deepcopy({"a": x, "b": x})
        return d["a"] is d["b"], d["a"] is x
    same(f)


def test_deepcopy_non_leaf_error():
    raises(lambda t: copy.deepcopy(mk(t, requires_grad=True) * 2))


def test_copy_copy():
    def f(t):
        x = mk(t)
        c = copy.copy(x)
        return c, c is x
    same(lambda t: copy.copy(mk(t)))


@pytest.mark.parametrize("requires_grad", [False, True])
def test_pickle_round_trip(requires_grad):
    def f(t):
        x = mk(t, C, requires_grad=requires_grad)
        y = pickle.loads(pickle.dumps(x))
        return y, y.requires_grad, y.is_leaf, y.dtype
    same(f)


def test_pickle_non_leaf_becomes_leaf():
    def f(t):
        y = pickle.loads(pickle.dumps(mk(t, requires_grad=True) * 2))
        return y, y.is_leaf, y.requires_grad, y.grad_fn
    same(f)


def test_pickle_int_and_view():
    def f(t):
        v = t.arange(10)[2:5]
        y = pickle.loads(pickle.dumps(v))
        return y, y.stride()
    same(f)


def test_save_load_round_trip():
    for t in (torch, ember):
        if not hasattr(t, "save"):
            pytest.skip("ember.save is not implemented yet")
    def f(t):
        buf = io.BytesIO()
        t.save({"w": mk(t)}, buf)
        buf.seek(0)
        return t.load(buf)
    same(f)


# -- identity, hashing, misc ------------------------------------------------------------------

def test_hash_and_identity():
    def f(t):
        x, y = mk(t), mk(t)
        d = {x: 1, y: 2}
        return len(d), d[x], hash(x) == hash(x), x is not y
    same(f)


def test_is_tensor_and_isinstance():
    def f(t):
        x = mk(t)
        return (t.is_tensor(x), isinstance(x, t.Tensor), t.is_tensor(M), type(x).__name__,
                isinstance(x, t.autograd.Variable), t.is_floating_point(x), t.is_complex(x))
    same(f)


def test_tensor_constructor_legacy():
    def f(t):
        return (t.Tensor([2.0]), t.Tensor(2, 3).shape, t.Tensor([[1, 2]]).dtype,
                t.FloatTensor([1, 2]), t.LongTensor([1, 2]), t.Tensor([2]).requires_grad)
    same(f)


def test_variable_wrapper():
    def f(t):
        base = t.Tensor([2.0])
        x = t.autograd.Variable(base, requires_grad=True)
        y = t.autograd.Variable(t.Tensor([3.0]))
        base.add_(1)  # same memory and version counter as torch's Variable(...)
        return x, x.requires_grad, x.is_leaf, y.requires_grad, x is base, x._version
    same(f)


def test_variable_of_non_leaf_detaches():
    def f(t):
        h = t.tensor([1.0], requires_grad=True) * 2
        v = t.autograd.Variable(h)
        w = t.autograd.Variable(h, requires_grad=True)
        return v.requires_grad, v.grad_fn, w.is_leaf, w.requires_grad
    same(f)


def test_variable_errors():
    raises(lambda t: t.autograd.Variable([1.0]))


def test_variable_volatile_warns():
    same(lambda t: t.autograd.Variable(t.ones(2), volatile=True))


def test_grad_dtype():
    same(lambda t: (mk(t).grad_dtype, t.zeros(2, dtype=t.float64).grad_dtype))


# -- devices ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [("cpu",), ("cuda",), ("cuda", 1), ("cuda:0",), ("cpu", 0),
                                  ("meta",), (0,), ("mps",), ("cuda:12",)])
def test_device_objects(spec):
    def f(t):
        d = t.device(*spec)
        return str(d), repr(d), d.type, d.index, d == t.device(*spec), hash(d) == \
            hash(t.device(*spec))
    same(f)


def test_device_equality_and_strings():
    def f(t):
        c = t.device("cpu")
        return (c == t.device("cpu"), c == t.device("cuda"), c == "cpu", c != t.device("cpu"),
                t.device(c) == c, t.device("cuda:1") == t.device("cuda", 1),
                t.device("cuda") == t.device("cuda", 0), {c: 1}[t.device("cpu")])
    same(f)


@pytest.mark.parametrize("spec", [("gpu",), ("cuda:0", 1), ("cpu:x",), ("",), ("cuda", -1),
                                  ("cuda:-1",), ("cuda:01",), ("cuda: 1",), ("cpu", "x"),
                                  ("CPU",), ("cuda:1:2",), ("cuda:",), (1.5,)])
def test_device_errors(spec):
    raises(lambda t: t.device(*spec))


def test_tensor_device():
    def f(t):
        x = mk(t)
        return (x.device, x.is_cuda, x.is_cpu, str(x.device), x.device == t.device("cpu"),
                x.device.type, x.get_device(), t.ones(2, device="cpu").device,
                t.ones(2, device=t.device("cpu")).device)
    same(f)


def test_to_cpu_returns_self():
    def f(t):
        x = mk(t, requires_grad=True)
        return (x.to("cpu") is x, x.to(t.device("cpu")) is x, x.cpu() is x,
                x.to("cpu", t.float64).dtype, x.to(device="cpu", dtype=t.float32) is x)
    same(f)


def test_seed_device_idiom():
    def f(t):
        device = t.device("cuda") if t.cuda.is_available() else t.device("cpu")
        a = t.ones(3, 3).to(device)
        return device, a.device, t.cuda.is_available(), t.cuda.device_count()
    same(f)


@pytest.mark.parametrize("call", [lambda x: x.cuda(), lambda x: x.to("cuda"),
                                  lambda x: x.to("cuda:0"), lambda x: x.cuda(0)])
def test_cuda_without_gpu_raises(call):
    if torch.cuda.is_available() or ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(Exception) as te:
        call(torch.ones(2))
    with pytest.raises(type(te.value)) as ee:
        call(ember.ones(2))
    assert "CuPy" in str(ee.value) or "cupy" in str(ee.value)


def test_cuda_factory_without_gpu_raises():
    if torch.cuda.is_available() or ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(Exception) as te:
        torch.ones(2, device="cuda")
    with pytest.raises(type(te.value)) as ee:
        ember.ones(2, device="cuda")
    assert "CuPy" in str(ee.value) or "cupy" in str(ee.value)


def test_cuda_module_without_gpu():
    def f(t):
        return t.cuda.is_available(), t.cuda.device_count(), t.cuda.manual_seed(0), \
            t.cuda.manual_seed_all(0)
    same(f)


@pytest.mark.parametrize("name", ["is_available", "device_count", "empty_cache", "is_initialized",
                                  "memory_allocated", "max_memory_allocated", "memory_reserved",
                                  "is_bf16_supported", "seed"])
def test_cuda_queries_without_gpu(name):
    if torch.cuda.is_available() or ember.cuda.is_available():
        pytest.skip("a GPU is present")
    same(lambda t: getattr(t.cuda, name)())


@pytest.mark.parametrize("name", ["current_device", "synchronize", "get_device_name",
                                  "get_device_capability", "init"])
def test_cuda_refusals_without_gpu(name):
    if torch.cuda.is_available() or ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(Exception) as te:
        getattr(torch.cuda, name)()
    with pytest.raises(type(te.value)) as ee:
        getattr(ember.cuda, name)()
    assert isinstance(ee.value, RuntimeError)  # also catchable as torch-on-CUDA's RuntimeError
    assert "CuPy" in str(ee.value)

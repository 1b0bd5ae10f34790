"""DLPack both ways with torch and NumPy: shared memory (a write on one side shows on the
other), dtypes, strides, torch's errors; CuPy and CUDA cases skip without a GPU."""

import numpy as np
import pytest
import torch

import ember
import ember.utils.dlpack

NO_GPU = "no GPU: needs an NVIDIA GPU and CuPy (pip install 'ember[cuda]')"

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "complex64", "complex128"]


def _arange(lib, n, dtype):
    return lib.arange(n).to(getattr(lib, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_from_ember_shares_memory(dtype):
    e = _arange(ember, 6, dtype)
    t = torch.from_dlpack(e)
    assert str(t.dtype) == str(e.dtype) and tuple(t.shape) == (6,)
    np.testing.assert_array_equal(t.numpy(), np.asarray(e._data))
    e[1] = 0  # write through ember, read through torch
    assert t[1].item() == 0
    t[2] = 1  # and the other way
    assert e[2].item() == 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_from_torch_shares_memory(dtype):
    t = _arange(torch, 6, dtype)
    e = ember.from_dlpack(t)
    assert str(e.dtype) == str(t.dtype) and e.device == ember.device("cpu")
    np.testing.assert_array_equal(np.asarray(e._data), t.numpy())
    t[3] = 0
    assert e[3].item() == 0
    e[4] = 1
    assert t[4].item() == 1


def test_numpy_both_ways_share_memory():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    e = ember.from_dlpack(a)
    a[0, 0] = -1.0
    assert e[0, 0].item() == -1.0
    e2 = ember.arange(5.0)
    b = np.from_dlpack(e2)
    e2[0] = 42.0
    assert b[0] == 42.0


def test_strides_and_views_survive():
    base = torch.arange(24.0).reshape(4, 6)
    t = base.t()[1:, ::2]  # transposed, offset, stepped
    e = ember.from_dlpack(t)
    assert e.shape == ember.Size(t.shape) and e.stride() == t.stride()
    np.testing.assert_array_equal(np.asarray(e._data), t.numpy())
    back = torch.from_dlpack(ember.arange(24.0).reshape(4, 6).t())
    assert back.stride() == (1, 6)
    np.testing.assert_array_equal(back.numpy(), np.arange(24.0).reshape(4, 6).T)


def test_capsules_both_ways():
    e = ember.arange(4.0)
    cap = ember.utils.dlpack.to_dlpack(e)
    assert type(cap).__name__ == "PyCapsule"
    t = torch.utils.dlpack.from_dlpack(cap)
    t[0] = 7.0
    assert e[0].item() == 7.0
    t2 = torch.arange(3.0)
    e2 = ember.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(t2))
    t2[1] = -5.0
    assert e2[1].item() == -5.0
    # A versioned capsule (what max_version=(1, 0) gives) is read too.
    e3 = ember.from_dlpack(t2.__dlpack__(max_version=(1, 0)))
    assert e3.tolist() == t2.tolist()


def test_dlpack_device_matches_torch():
    assert ember.ones(2).__dlpack_device__() == torch.ones(2).__dlpack_device__()
    assert ember.utils.dlpack.DLDeviceType.kDLCUDA == torch.utils.dlpack.DLDeviceType.kDLCUDA


def test_export_errors_match_torch():
    for lib in (torch, ember):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(BufferError, match="Can't export tensors that require gradient"):
            x.__dlpack__()
        with pytest.raises(AssertionError, match="stream should be None on cpu"):
            lib.ones(2).__dlpack__(stream=5)
        with pytest.raises(TypeError, match="stream must be"):
            lib.ones(2).__dlpack__(stream="x")
    # detach() is the way out, as torch's message says
    assert torch.from_dlpack(ember.ones(2, requires_grad=True).detach()).tolist() == [1.0, 1.0]


def test_from_dlpack_device_argument_and_bad_input():
    t = torch.arange(3.0)
    e = ember.from_dlpack(t, device="cpu")
    t[0] = 9.0
    assert e[0].item() == 9.0  # same device: still shared
    with pytest.raises(TypeError, match="__dlpack__"):
        ember.from_dlpack([1, 2, 3])


def test_ember_to_ember_round_trip_keeps_the_memory():
    e = ember.arange(4.0)
    f = ember.from_dlpack(e)
    f[0] = 3.0
    assert e[0].item() == 3.0
    assert f.requires_grad is False and f.grad_fn is None


def test_cuda_array_interface_is_absent_on_cpu_as_in_torch():
    for lib in (torch, ember):
        assert not hasattr(lib.ones(2), "__cuda_array_interface__")
    with pytest.raises(AttributeError) as te:
        torch.ones(2).__cuda_array_interface__  # noqa: B018
    with pytest.raises(AttributeError) as ee:
        ember.ones(2).__cuda_array_interface__  # noqa: B018
    assert str(ee.value) == str(te.value)


# -- on a GPU ------------------------------------------------------------------------------

@pytest.mark.skipif(not ember.cuda.is_available(), reason=NO_GPU)
def test_cuda_dlpack_with_cupy_zero_copy():
    import cupy as cp

    device = "cuda"
    e = ember.arange(6.0, device=device)
    c = cp.from_dlpack(e)
    assert c.data.ptr == e.data_ptr()
    e[0] = 5.0
    assert float(c[0]) == 5.0
    c2 = cp.arange(4, dtype=cp.float32)
    e2 = ember.from_dlpack(c2)
    assert e2.is_cuda and e2.data_ptr() == c2.data.ptr
    c2[1] = -1
    assert e2[1].item() == -1.0
    # __cuda_array_interface__: CuPy reads it without copying
    c3 = cp.asarray(e)
    assert c3.data.ptr == e.data_ptr()
    iface = e.__cuda_array_interface__
    assert iface["shape"] == (6,) and iface["typestr"] == "<f4"
    with pytest.raises(RuntimeError, match="requires grad"):
        ember.ones(2, device=device, requires_grad=True).__cuda_array_interface__  # noqa: B018
    assert ember.as_tensor(c2).data_ptr() == c2.data.ptr  # as_tensor shares GPU memory too

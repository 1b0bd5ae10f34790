"""Devices as in PyTorch: device objects, factories' device=, .to/.cuda/.cpu, Module.to, the
ember.cuda functions and torch.backends flags. Without a GPU ember must answer as torch's CPU
build does (same values, same exception types), with messages that say what to install; the
CUDA cases of the ``device`` fixture skip."""

import copy
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import _device

HAS_GPU = ember.cuda.is_available()
NO_GPU = "no GPU: needs an NVIDIA GPU and CuPy (pip install 'ember[cuda]')"
only_without_gpu = pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason=NO_GPU)


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001
        return (type(e), str(e))


# -- device objects --------------------------------------------------------------------------

DEVICE_ARGS = [("cpu",), ("cuda",), ("cuda:0",), ("cuda:1",), ("cuda", 0), ("cuda", 3),
               ("cpu", 0), ("cpu:0",), ("meta",), ("mps",), ("cuda:01",), ("cuda:-1",),
               ("cuda", -1), ("cuda:x",), ("",), ("gpu",), ("cuda:0", 1), (" cuda",),
               ("cuda:",), ("CUDA",), ("cuda1",), ("cu da",), (None,), (1.5,), ("cuda", "0"),
               ("cuda", True), ("cuda:0:1",), ("cuda:1 ",), ("cpu", None)]


@pytest.mark.parametrize("args", DEVICE_ARGS, ids=repr)
def test_device_parsing_matches_torch(args):
    def describe(lib):
        d = lib.device(*args)
        return repr(d), str(d), d.type, d.index

    t, e = outcome(lambda: describe(torch)), outcome(lambda: describe(ember))
    assert e == t


@only_without_gpu
def test_bare_index_without_accelerator_matches_torch():
    assert outcome(lambda: ember.device(0)) == outcome(lambda: torch.device(0))


def test_device_equality_hash_pickle():
    for lib in (torch, ember):
        assert lib.device("cuda:0") == lib.device("cuda", 0)
        assert lib.device("cuda") != lib.device("cuda", 0)
        assert lib.device("cpu") != "cpu"  # never equal to a string
        assert hash(lib.device("cuda:1")) == hash(lib.device("cuda", 1))
        assert len({lib.device("cpu"), lib.device("cpu"), lib.device("cuda")}) == 2
        d = lib.device("cuda:2")
        assert lib.device(d) == d
    assert pickle.loads(pickle.dumps(ember.device("cuda:1"))) == ember.device("cuda:1")
    assert copy.deepcopy(ember.device("cpu")) == ember.device("cpu")


def test_tensor_device_attributes_match_torch():
    for lib in (torch, ember):
        x = lib.ones(2)
        assert x.device == lib.device("cpu")
        assert (x.is_cuda, x.is_cpu, x.get_device()) == (False, True, -1)
        assert str(x.device) == "cpu"


# -- factories and moves on the CPU ----------------------------------------------------------

FACTORIES = {
    "tensor": lambda m, d: m.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda m, d: m.as_tensor(np.ones(2), device=d),
    "zeros": lambda m, d: m.zeros(2, 3, device=d),
    "ones": lambda m, d: m.ones(2, device=d),
    "empty": lambda m, d: m.empty(2, device=d),
    "full": lambda m, d: m.full((2,), 3.0, device=d),
    "eye": lambda m, d: m.eye(3, device=d),
    "arange": lambda m, d: m.arange(5, device=d),
    "linspace": lambda m, d: m.linspace(0, 1, 5, device=d),
    "logspace": lambda m, d: m.logspace(0, 1, 5, device=d),
    "rand": lambda m, d: m.rand(3, device=d),
    "randn": lambda m, d: m.randn(3, device=d),
    "randint": lambda m, d: m.randint(0, 5, (3,), device=d),
    "randperm": lambda m, d: m.randperm(4, device=d),
    "normal": lambda m, d: m.normal(0.0, 1.0, (3,), device=d),
    "scalar_tensor": lambda m, d: m.scalar_tensor(2.0, device=d),
    "empty_strided": lambda m, d: m.empty_strided((2, 2), (2, 1), device=d),
    "zeros_like": lambda m, d: m.zeros_like(m.ones(2), device=d),
    "ones_like": lambda m, d: m.ones_like(m.ones(2), device=d),
    "full_like": lambda m, d: m.full_like(m.ones(2), 7, device=d),
    "rand_like": lambda m, d: m.rand_like(m.ones(2), device=d),
    "randn_like": lambda m, d: m.randn_like(m.ones(2), device=d),
    "randint_like": lambda m, d: m.randint_like(m.ones(2), 5, device=d),
    "legacy_Tensor": lambda m, d: m.Tensor([1.0], device=d),
}


@pytest.mark.parametrize("name", list(FACTORIES))
@pytest.mark.parametrize("spelling", ["str", "device", "indexed"])
def test_factories_accept_every_device_spelling(name, spelling, device):
    spell = {"str": lambda m: device, "device": lambda m: m.device(device),
             "indexed": lambda m: m.device(device, 0)}[spelling]
    e = FACTORIES[name](ember, spell(ember))
    assert e.device.type == device
    if device == "cpu":
        t = FACTORIES[name](torch, spell(torch))
        assert e.device == ember.device(str(t.device))
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
    else:
        assert e.device == ember.device("cuda", 0)


def test_to_and_cpu_on_the_same_device_return_self_as_torch():
    for lib in (torch, ember):
        x = lib.ones(2)
        assert x.to("cpu") is x
        assert x.to(lib.device("cpu")) is x
        assert x.to("cpu", non_blocking=True) is x
        assert x.cpu() is x
        assert x.to(device="cpu", dtype=lib.float32) is x
        assert x.to(lib.ones(1)) is x
        c = x.to("cpu", copy=True)
        assert c is not x and c.tolist() == x.tolist()
        y = x.to("cpu", lib.float64)
        assert y.dtype is lib.float64 and y.device == x.device


def test_module_to_cpu_keeps_parameter_objects():
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
        params = list(m.parameters())
        assert m.to("cpu") is m and m.cpu() is m
        assert m.to(lib.device("cpu"), non_blocking=True) is m
        assert m.to("cpu", lib.float64) is m
        assert all(p is q for p, q in zip(m.parameters(), params))
        assert all(p.dtype is lib.float64 and p.device.type == "cpu" for p in m.parameters())
        assert m[1].num_batches_tracked.dtype is lib.int64  # integer buffers keep their dtype


# -- without a GPU: what torch's CPU build does, with ember's install hint --------------------

NEEDS_CUDA = {
    "Tensor.cuda": lambda m: m.ones(2).cuda(),
    "Tensor.cuda(0)": lambda m: m.ones(2).cuda(0),
    "Tensor.to('cuda')": lambda m: m.ones(2).to("cuda"),
    "Tensor.to(cuda, non_blocking)": lambda m: m.ones(2).to("cuda", non_blocking=True),
    "Tensor.to(device obj)": lambda m: m.ones(2).to(m.device("cuda:0")),
    "zeros(device=cuda)": lambda m: m.zeros(2, device="cuda"),
    "tensor(device=cuda)": lambda m: m.tensor([1.0], device=m.device("cuda")),
    "Module.cuda": lambda m: m.nn.Linear(2, 2).cuda(),
    "Module.to(cuda)": lambda m: m.nn.Linear(2, 2).to("cuda"),
    "cuda.synchronize": lambda m: m.cuda.synchronize(),
    "cuda.current_device": lambda m: m.cuda.current_device(),
    "cuda.get_device_name": lambda m: m.cuda.get_device_name(),
    "cuda.get_device_capability": lambda m: m.cuda.get_device_capability(),
    "cuda.init": lambda m: m.cuda.init(),
    "cuda.initial_seed": lambda m: m.cuda.initial_seed(),
    "cuda.mem_get_info": lambda m: m.cuda.mem_get_info(),
}


@only_without_gpu
@pytest.mark.parametrize("name", list(NEEDS_CUDA))
def test_cuda_requests_raise_torchs_exception_type_naming_the_install(name):
    t_type, _ = outcome(lambda: NEEDS_CUDA[name](torch))
    e_type, e_msg = outcome(lambda: NEEDS_CUDA[name](ember))
    # torch: AssertionError("Torch not compiled with CUDA enabled"), or RuntimeError for a
    # bare index; ember's error is both (a CUDA build of torch without a GPU raises the latter)
    assert t_type in (AssertionError, RuntimeError)
    assert issubclass(e_type, t_type) and issubclass(e_type, RuntimeError)
    assert "pip install 'ember[cuda]'" in e_msg and "cupy" in e_msg.lower()


ANSWERS = {
    "is_available": lambda m: m.cuda.is_available(),
    "device_count": lambda m: m.cuda.device_count(),
    "is_initialized": lambda m: m.cuda.is_initialized(),
    "memory_allocated": lambda m: m.cuda.memory_allocated(),
    "memory_allocated(0)": lambda m: m.cuda.memory_allocated(0),
    "max_memory_allocated": lambda m: m.cuda.max_memory_allocated(),
    "memory_reserved": lambda m: m.cuda.memory_reserved(),
    "max_memory_reserved": lambda m: m.cuda.max_memory_reserved(),
    "empty_cache": lambda m: m.cuda.empty_cache(),
    "manual_seed": lambda m: m.cuda.manual_seed(3),
    "manual_seed_all": lambda m: m.cuda.manual_seed_all(3),
    "seed": lambda m: m.cuda.seed(),
    "seed_all": lambda m: m.cuda.seed_all(),
    "is_bf16_supported": lambda m: m.cuda.is_bf16_supported(),
    "cudnn.is_available": lambda m: m.backends.cudnn.is_available(),
    "cudnn.version": lambda m: m.backends.cudnn.version(),
    "cuda.is_built": lambda m: m.backends.cuda.is_built(),
}


@only_without_gpu
@pytest.mark.parametrize("name", list(ANSWERS))
def test_cuda_queries_answer_as_torchs_cpu_build(name):
    assert outcome(lambda: ANSWERS[name](ember)) == outcome(lambda: ANSWERS[name](torch))


def test_import_never_touches_the_gpu():
    # Importing ember must not load CuPy (slow, and it may not be there).
    code = "import sys, ember; ember.ones(2) + 1; print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONWARNINGS": "error"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_same_device_error_message():
    err = _device.same_device_error([ember.device("cpu"), ember.device("cuda", 0)])
    assert isinstance(err, RuntimeError)
    assert str(err) == ("Expected all tensors to be on the same device, but found at least two "
                        "devices, cuda:0 and cpu!")
    _device.check_same_device([np.ones(2), np.ones(3), 1.0])  # one device: no error


# -- torch.backends ----------------------------------------------------------------------------

@pytest.fixture
def _restore_backends():
    saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.benchmark,
             torch.backends.cudnn.deterministic, torch.backends.cudnn.enabled,
             torch.backends.cudnn.allow_tf32, torch.get_float32_matmul_precision())
    e_saved = (ember.backends.cuda.matmul.allow_tf32, ember.backends.cudnn.benchmark,
               ember.backends.cudnn.deterministic, ember.backends.cudnn.enabled,
               ember.backends.cudnn.allow_tf32, ember.get_float32_matmul_precision())
    yield
    for lib, s in ((torch, saved), (ember, e_saved)):
        lib.set_float32_matmul_precision(s[5])
        lib.backends.cuda.matmul.allow_tf32 = s[0]
        (lib.backends.cudnn.benchmark, lib.backends.cudnn.deterministic,
         lib.backends.cudnn.enabled, lib.backends.cudnn.allow_tf32) = s[1:5]


FLAGS = [("cuda.matmul", "allow_tf32"), ("cuda.matmul", "allow_fp16_reduced_precision_reduction"),
         ("cuda.matmul", "allow_bf16_reduced_precision_reduction"), ("cudnn", "allow_tf32"),
         ("cudnn", "benchmark"), ("cudnn", "deterministic"), ("cudnn", "enabled")]


def _ns(lib, path):
    obj = lib.backends
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("path,name", FLAGS)
def test_backend_flags_defaults_and_setters_match_torch(path, name, _restore_backends):
    t, e = _ns(torch, path), _ns(ember, path)
    assert getattr(e, name) == getattr(t, name)
    for value in (not getattr(t, name), 1, "x"):
        assert outcome(lambda: setattr(e, name, value)) == \
            outcome(lambda: setattr(t, name, value))
        assert getattr(e, name) == getattr(t, name)


def test_unknown_matmul_flag_and_precision_api_match_torch(_restore_backends):
    for lib in (torch, ember):
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            lib.backends.cuda.matmul.foo  # noqa: B018
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            lib.backends.cuda.matmul.foo = 1
    seq = []
    for lib in (torch, ember):
        got = [lib.get_float32_matmul_precision()]
        lib.backends.cuda.matmul.allow_tf32 = True
        got.append(lib.get_float32_matmul_precision())
        lib.set_float32_matmul_precision("medium")
        got += [lib.backends.cuda.matmul.allow_tf32, lib.get_float32_matmul_precision()]
        lib.set_float32_matmul_precision("highest")
        got.append(lib.backends.cuda.matmul.allow_tf32)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.set_float32_matmul_precision("low")
        got += [str(x.message).split(" (Triggered")[0] for x in w]
        got.append(lib.get_float32_matmul_precision())
        seq.append(got)
    assert seq[0] == seq[1]


def test_cudnn_flags_context_restores(_restore_backends):
    for lib in (torch, ember):
        c = lib.backends.cudnn
        before = (c.enabled, c.benchmark, c.deterministic, c.allow_tf32)
        with c.flags(enabled=False, benchmark=True, deterministic=True, allow_tf32=False):
            assert (c.enabled, c.benchmark, c.deterministic, c.allow_tf32) == \
                (False, True, True, False)
        assert (c.enabled, c.benchmark, c.deterministic, c.allow_tf32) == before


# -- the MNIST example's --device ------------------------------------------------------------

@only_without_gpu
def test_mnist_example_device_cuda_says_what_to_install(tmp_path):
    from ember.examples import mnist

    with pytest.raises(SystemExit) as e:
        mnist.main(["--device", "cuda", "--out", str(tmp_path), "--epochs", "1"])
    assert "pip install 'ember[cuda]'" in str(e.value)
    assert not any(tmp_path.iterdir())  # it stopped before doing anything


# -- on a GPU (run with: EMBER_TEST_DEVICE=cuda python -m pytest tests) ------------------------

def test_round_trip_through_device(device):
    x = ember.arange(6.0).reshape(2, 3)
    y = x.to(device)
    assert y.device.type == device and y.is_cuda == (device == "cuda")
    assert y.to("cpu").tolist() == x.tolist()
    assert y.tolist() == x.tolist() and y[1, 2].item() == 5.0
    z = y.cuda() if device == "cuda" else y.cpu()
    assert z is y


def test_module_to_device_trains(device):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 2))
    params = list(model.parameters())
    model.to(device, non_blocking=True)
    assert all(p is q and p.device.type == device for p, q in zip(model.parameters(), params))
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x = ember.randn(5, 4, device=device)
    y = ember.randint(0, 2, (5,), device=device)
    loss = ember.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    assert all(p.grad.device.type == device for p in model.parameters())
    opt.step()
    assert model.cpu() is model and all(p.device.type == "cpu" for p in model.parameters())


@needs_gpu
def test_cuda_specifics():
    x = ember.ones(3, device="cuda")
    assert x.device == ember.device("cuda", 0) and x.get_device() == 0
    assert repr(x) == "tensor([1., 1., 1.], device='cuda:0')"  # torch's format
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    assert x.cpu().numpy().tolist() == [1.0, 1.0, 1.0]
    assert x.sum().item() == 3.0 and x.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        x + ember.ones(3)
    before = ember.cuda.memory_allocated()
    big = ember.empty(1 << 20, device="cuda")
    assert ember.cuda.memory_allocated() >= before + big.numel() * 4
    assert ember.cuda.max_memory_allocated() >= ember.cuda.memory_allocated()
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    big.fill_(1.0)
    end.record()
    end.synchronize()
    assert end.query() and start.elapsed_time(end) >= 0.0
    ember.cuda.synchronize()
    del big
    ember.cuda.empty_cache()
    ember.cuda.manual_seed(0)
    assert ember.cuda.device_count() >= 1 and isinstance(ember.cuda.get_device_name(), str)
    with pytest.raises(NotImplementedError, match="bfloat16"):
        ember.ones(2, dtype=ember.bfloat16).cuda()


# -- bench/gpu.py ------------------------------------------------------------------------------

@only_without_gpu
def test_gpu_bench_without_gpu_says_so_and_exits_0():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-m", "bench.gpu"], capture_output=True, text=True,
                         timeout=120, cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("no GPU")


def test_gpu_bench_code_runs_on_the_cpu(capsys, tmp_path):
    import json

    from bench import gpu

    out = tmp_path / "gpu.json"
    assert gpu.main(["--device", "cpu", "--quick", "--only", "tiny,mlp", "--json",
                     str(out)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split()[0] == "workload"
    assert [r.split()[0] for r in rows[1:]] == ["tiny", "mlp"]
    saved = json.loads(out.read_text())["ms"]
    for r in rows[1:]:
        ms = saved[r.split()[0]]
        assert ms["ember"] > 0 and ms["torch"] > 0
        assert float(r.split()[3]) == pytest.approx(ms["ember"] / ms["torch"], abs=0.006)
    for name in gpu.WORKLOADS:  # every model builds and takes a step on both libraries
        for lib in (ember, torch):
            if name in ("resnet", "transformer"):
                continue  # seconds per step on the CPU; their code is the same as below
            gpu.build(name, lib, "cpu", amp=False)()

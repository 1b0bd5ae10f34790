"""torch.autocast and torch.amp.GradScaler: ember against torch on the CPU (where torch's CPU
build runs both), and the CUDA spellings' behaviour without a GPU."""

import importlib
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.amp import autocast_mode

NO_GPU = "no GPU: needs an NVIDIA GPU and CuPy (pip install 'ember[cuda]')"
HAS_GPU = ember.cuda.is_available()
HAS_BF16 = getattr(ember, "bfloat16", None) is not None


@pytest.fixture(autouse=True)
def _autocast_off():
    yield
    assert not autocast_mode._state.enabled, "a test left autocast on"
    assert not torch.is_autocast_enabled("cpu")


def rnd(*shape, seed=0):
    return np.random.default_rng(seed + sum(shape)).uniform(-1, 1, shape).astype(np.float32)


A, B = rnd(4, 4), rnd(4, 4, seed=1)
X4, W4 = rnd(2, 3, 6, 6), rnd(4, 3, 3, 3, seed=2)
TGT = np.array([0, 1, 2, 3])


def F(m):
    return m.nn.functional


# name -> (function of (lib, *tensors), input arrays). The inputs require grad.
LOWER = {
    "mm": (lambda m, a, b: m.mm(a, b), (A, B)),
    "matmul_2d": (lambda m, a, b: a @ b, (A, B)),
    "matmul_3d": (lambda m, a, b: a[None].expand(2, 4, 4) @ b, (A, B)),
    "bmm": (lambda m, a, b: m.bmm(a[None], b[None]), (A, B)),
    "addmm": (lambda m, a, b: m.addmm(a, a, b), (A, B)),
    "baddbmm": (lambda m, a, b: m.baddbmm(a[None], a[None], b[None]), (A, B)),
    "addbmm": (lambda m, a, b: m.addbmm(a, a[None], b[None]), (A, B)),
    "linear": (lambda m, a, b: F(m).linear(a, b, b[0]), (A, B)),
    "linear_3d": (lambda m, a, b: F(m).linear(a[None], b), (A, B)),
    "prelu": (lambda m, a, b: F(m).prelu(a, b[0, :1]), (A, B)),
    "conv2d": (lambda m, x, w: F(m).conv2d(x, w, padding=1), (X4, W4)),
    "conv_transpose2d": (lambda m, x, w: F(m).conv_transpose2d(x, w.transpose(0, 1)),
                         (X4, W4)),
    "linear_no_bias": (lambda m, a, b: F(m).linear(a, b), (A, B)),
}
FP32 = {
    "mse_loss": (lambda m, a, b: F(m).mse_loss(a, b), (A, B)),
    "nll_loss": (lambda m, a, b: F(m).nll_loss(a, m.tensor(TGT)), (A, B)),
    "cross_entropy": (lambda m, a, b: F(m).cross_entropy(a, m.tensor(TGT)), (A, B)),
    "bce_with_logits": (lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b.abs()),
                        (A, B)),
    "bce": (lambda m, a, b: F(m).binary_cross_entropy(m.sigmoid(a), m.sigmoid(b)), (A, B)),
    "smooth_l1": (lambda m, a, b: F(m).smooth_l1_loss(a, b), (A, B)),
    "huber": (lambda m, a, b: F(m).huber_loss(a, b), (A, B)),
    "soft_margin": (lambda m, a, b: F(m).soft_margin_loss(a, b.detach().sign()), (A, B)),
    "multi_margin": (lambda m, a, b: F(m).multi_margin_loss(a, m.tensor(TGT)), (A, B)),
    "prod": (lambda m, a, b: (a + 1.5).prod(), (A, B)),
    "prod_dim": (lambda m, a, b: (a + 1.5).prod(1), (A, B)),
    "trace": (lambda m, a, b: m.trace(a), (A, B)),
    "inverse": (lambda m, a, b: m.inverse(a + 3 * m.eye(4)), (A, B)),
    "linalg_solve": (lambda m, a, b: m.linalg.solve(a + 3 * m.eye(4), b), (A, B)),
    "reflection_pad1d": (lambda m, a, b: F(m).pad(a[None], (1, 1), mode="reflect"), (A, B)),
    "replication_pad2d": (lambda m, a, b: F(m).pad(a[None, None], (1, 1, 1, 1),
                                                    mode="replicate"), (A, B)),
    "avg_pool3d": (lambda m, a, b: F(m).avg_pool3d(a[None, None, None].expand(1, 1, 2, 4, 4),
                                                   2), (A, B)),
}
PROMOTE = {
    "cat": (lambda m, a, b: m.cat([a, b]), (A, B)),
    "stack": (lambda m, a, b: m.stack([a, b]), (A, B)),
    "index_copy": (lambda m, a, b: a.index_copy(0, m.tensor([2, 0]), b[:2]), (A, B)),
}
UNLISTED = {  # not in torch's CPU lists: they run in their inputs' dtype
    "softmax": (lambda m, a, b: m.softmax(a, 1), (A, B)),
    "relu": (lambda m, a, b: m.relu(a) + b, (A, B)),
    "layer_norm": (lambda m, a, b: F(m).layer_norm(a, (4,)), (A, B)),
    "sum": (lambda m, a, b: (a * b).sum(), (A, B)),
    "exp": (lambda m, a, b: a.exp(), (A, B)),
}
ALL = {**LOWER, **FP32, **PROMOTE, **UNLISTED}


def run(m, fn, arrays, dtype, in_dtype="float32", **kw):
    """fn under autocast("cpu", dtype) on leaves made from arrays; (output, leaf grads)."""
    leaves = [m.tensor(a).to(getattr(m, in_dtype)).requires_grad_() for a in arrays]
    with m.autocast("cpu", dtype=getattr(m, dtype), **kw):
        out = fn(m, *leaves)
    up = np.random.default_rng(5).uniform(-1, 1, tuple(out.shape)).astype(np.float32)
    grads = m.autograd.grad(out, leaves, m.tensor(up).to(out.dtype), allow_unused=True)
    return out, grads


def compare(name, dtype, in_dtype="float32", tol=2e-2):
    fn, arrays = ALL[name]
    t_out, t_g = run(torch, fn, arrays, dtype, in_dtype)
    e_out, e_g = run(ember, fn, arrays, dtype, in_dtype)
    assert str(e_out.dtype) == str(t_out.dtype), f"{name}: {e_out.dtype} != {t_out.dtype}"
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    np.testing.assert_allclose(np.asarray(e_out.detach().float()._data),
                               t_out.detach().float().numpy(), rtol=tol, atol=tol)
    for i, (eg, tg) in enumerate(zip(e_g, t_g)):
        assert (eg is None) == (tg is None), f"grad {i}"
        if tg is not None:
            assert str(eg.dtype) == str(tg.dtype), f"grad {i}: {eg.dtype} != {tg.dtype}"
            np.testing.assert_allclose(np.asarray(eg.float()._data), tg.float().numpy(),
                                       rtol=5 * tol, atol=5 * tol, err_msg=f"grad {i}")


@pytest.mark.parametrize("name", list(ALL))
def test_cpu_op_lists_float16(name):
    """float32 inputs, autocast("cpu", dtype=float16): each op's output dtype, value, grad_fn
    and input gradients are torch's."""
    compare(name, "float16")


@pytest.mark.skipif(not HAS_BF16, reason="ember.bfloat16 needs ml_dtypes")
@pytest.mark.parametrize("name", list({**FP32, **PROMOTE, **UNLISTED}))
def test_cpu_op_lists_bfloat16_default(name):
    """The default CPU autocast dtype, bfloat16: fp32 and promote ops (and unlisted ones)."""
    compare(name, "bfloat16")


@pytest.mark.skipif(not HAS_BF16, reason="ember.bfloat16 needs ml_dtypes")
@pytest.mark.parametrize("name", ["mse_loss", "nll_loss", "smooth_l1", "huber", "soft_margin",
                                  "multi_margin"])
def test_low_precision_inputs_to_fp32_ops(name):
    """bfloat16 inputs: fp32 ops cast them up (values, dtypes and gradients as torch's)."""
    compare(name, "bfloat16", in_dtype="bfloat16")


@pytest.mark.skipif(not HAS_BF16, reason="ember.bfloat16 needs ml_dtypes")
@pytest.mark.parametrize("op", ["cat", "stack"])
def test_promote_ops_widen_low_precision_inputs(op):
    for m in (torch, ember):
        h, f = m.tensor(A).to(m.bfloat16), m.tensor(B)
        with m.autocast("cpu"):
            assert getattr(m, op)([h, f]).dtype is m.float32
            assert getattr(m, op)([h, h]).dtype is m.bfloat16


@pytest.mark.skipif(not HAS_BF16, reason="ember.bfloat16 needs ml_dtypes")
def test_cpu_lower_precision_bfloat16():
    compare("mm", "bfloat16")


@pytest.mark.parametrize("name", ["mm", "linear", "mse_loss", "cat", "relu"])
def test_float64_inputs_are_never_cast(name):
    compare(name, "float16", in_dtype="float64", tol=1e-6)


def test_float16_inputs_to_lower_ops_stay_float16():
    compare("mm", "float16", in_dtype="float16")


def test_promote_of_float16_and_bfloat16_is_torchs_error():
    if not HAS_BF16:
        pytest.skip("ember.bfloat16 needs ml_dtypes")
    a, b = torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.float16):
        with pytest.raises(RuntimeError) as te:
            torch.stack([b, a])
    # ember's stack promotes before its op runs, so the check is the entry hook's
    a, b = ember.ones(2, dtype=ember.float16), ember.ones(2, dtype=ember.bfloat16)
    with ember.autocast("cpu", dtype=ember.float16):
        with pytest.raises(RuntimeError) as ee:
            autocast_mode.cast_at_entry("stack", b, a)
    assert str(ee.value) == str(te.value)


def test_weight_cache_shares_one_cast_per_region():
    def cast_nodes(m, cache_enabled):
        w = m.tensor(A, requires_grad=True)
        x = m.tensor(B)
        with m.autocast("cpu", dtype=m.float16, cache_enabled=cache_enabled):
            y1, y2 = m.mm(x, w), m.mm(x, w)
        with m.autocast("cpu", dtype=m.float16, cache_enabled=cache_enabled):
            y3 = m.mm(x, w)
        n1, n2, n3 = (y.grad_fn.next_functions[1][0] for y in (y1, y2, y3))
        assert type(n1).__name__ == "ToCopyBackward0"
        return n1 is n2, n1 is n3

    for cache_enabled in (True, False):
        assert cast_nodes(ember, cache_enabled) == cast_nodes(torch, cache_enabled)
    assert cast_nodes(ember, True) == (True, False)


def test_state_functions_match_torch():
    for m in (torch, ember):
        assert m.is_autocast_enabled() is False
        assert m.is_autocast_enabled("cpu") is False
        assert str(m.get_autocast_dtype("cuda")) == "torch.float16"
        if HAS_BF16:
            assert str(m.get_autocast_dtype("cpu")) == "torch.bfloat16"
        with m.autocast("cpu", dtype=m.float16):
            assert m.is_autocast_enabled("cpu") is True
            assert m.is_autocast_enabled() is False  # no argument: CUDA, as in torch
            assert m.get_autocast_dtype("cpu") is m.float16
            with m.autocast("cpu", enabled=False):
                assert m.is_autocast_enabled("cpu") is False
                a = m.ones(2, 2)
                assert (a @ a).dtype is m.float32
            assert m.is_autocast_enabled("cpu") is True
            assert m.is_autocast_cache_enabled() is True
            with m.autocast("cpu", dtype=m.float16, cache_enabled=False):
                assert m.is_autocast_cache_enabled() is False
        assert m.is_autocast_enabled("cpu") is False
        assert m.amp.is_autocast_available("cpu") and m.amp.is_autocast_available("cuda")


def test_autocast_state_is_per_thread_as_in_torch():
    import threading

    def other_thread_sees(m):
        seen = {}
        inside, done = threading.Event(), threading.Event()

        def other():
            inside.wait(10)
            a = m.ones(2, 2)
            seen["dtype"], seen["on"] = str((a @ a).dtype), m.is_autocast_enabled("cpu")
            done.set()

        t = threading.Thread(target=other)
        t.start()
        with m.autocast("cpu", dtype=m.float16):
            inside.set()
            done.wait(10)
            seen["here"] = str((m.ones(2, 2) @ m.ones(2, 2)).dtype)
        t.join()
        return seen

    assert other_thread_sees(ember) == other_thread_sees(torch) == \
        {"dtype": "torch.float32", "on": False, "here": "torch.float16"}


def test_decorator_and_autocast_errors_match_torch():
    for m in (torch, ember):
        @m.autocast("cpu", dtype=m.float16)
        def f(a):
            return a @ a

        assert f(m.ones(2, 2)).dtype is m.float16
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            m.autocast(3)
        with pytest.raises(TypeError, match="requires a callable"):
            m.autocast("cpu")(5)
    for bad in ("xyz", "cuda:x"):
        with pytest.raises(RuntimeError) as te:
            torch.autocast(bad)
        with pytest.raises(RuntimeError) as ee:
            ember.autocast(bad)
        assert str(ee.value) == str(te.value)


def _warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message), x.filename) for x in w]


def test_unsupported_cpu_dtype_warns_and_disables_as_torch():
    got = []
    for m in (torch, ember):
        def enter(m=m):
            with m.autocast("cpu", dtype=m.float64):
                got.append(m.is_autocast_enabled("cpu"))

        got.append(_warnings(enter))
    t_on, tw, e_on, ew = got
    assert t_on is e_on is False
    assert [(c, msg) for c, msg, _ in ew] == [(c, msg) for c, msg, _ in tw]


@pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
def test_cuda_autocast_and_scaler_without_gpu_warn_and_disable_as_torch():
    def make(m):
        def go():
            with m.autocast("cuda"):
                assert not m.is_autocast_enabled("cuda")
            s = m.amp.GradScaler("cuda")
            assert not s.is_enabled()
            x = m.ones(2)
            assert s.scale(x) is x and s.get_scale() == 1.0 and s.state_dict() == {}
        return go

    tw, ew = _warnings(make(torch)), _warnings(make(ember))
    assert [(c, m) for c, m, _ in ew] == [(c, m) for c, m, _ in tw]
    assert all(f == __file__ for _, _, f in ew)  # pointing at the caller


def test_deprecated_spellings_warn_as_torch():
    def make(m):
        def go():
            m.cpu.amp.autocast(dtype=m.float16)
            m.cpu.amp.GradScaler()
            m.cuda.amp.autocast()
            m.cuda.amp.GradScaler()
        return go

    tw, ew = _warnings(make(torch)), _warnings(make(ember))
    futures = [(c, msg) for c, msg, _ in tw if c is FutureWarning]
    assert futures and [(c, msg) for c, msg, _ in ew if c is FutureWarning] == futures
    assert all(f == __file__ for c, _, f in ew if c is FutureWarning)
    if not HAS_GPU:
        assert [(c, msg) for c, msg, _ in ew] == [(c, msg) for c, msg, _ in tw]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.cpu.amp.autocast(dtype=ember.float16):
            assert ember.is_autocast_enabled("cpu")
            a = ember.ones(2, 2)
            assert (a @ a).dtype is ember.float16
    # importable as modules, as torch.cpu.amp and torch.cuda.amp are
    assert importlib.import_module("ember.cpu.amp") is ember.cpu.amp
    assert importlib.import_module("ember.cuda.amp") is ember.cuda.amp


def test_custom_fwd_casts_and_disables_autocast_inside():
    dtypes = []
    for m in (torch, ember):
        class MyMM(m.autograd.Function):
            @staticmethod
            @m.amp.custom_fwd(device_type="cpu", cast_inputs=m.float32)
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                inner = m.is_autocast_enabled("cpu")
                return a.mm(b) * (2.0 if inner else 1.0)

            @staticmethod
            @m.amp.custom_bwd(device_type="cpu")
            def backward(ctx, grad):
                a, b = ctx.saved_tensors
                return grad.mm(b.t()), a.t().mm(grad)

        a = m.tensor(A, requires_grad=True)
        b = m.tensor(B).half().requires_grad_()
        with m.autocast("cpu", dtype=m.float16):
            y = MyMM.apply(a.half(), b)
        y.sum().backward()
        dtypes.append((str(y.dtype), str(a.grad.dtype), str(b.grad.dtype),
                       y.detach().float().sum().item()))
    assert dtypes[0][:3] == dtypes[1][:3]
    assert abs(dtypes[0][3] - dtypes[1][3]) < 1e-2


def test_cast_at_entry_for_composite_functions():
    """What a composite function calls first: the policy of the PyTorch function named."""
    a16 = ember.ones(2, 2, dtype=ember.float16)
    w = ember.ones(2, 2)
    assert autocast_mode.cast_at_entry("linear", a16, w) == (a16, w)  # autocast off: as is
    with ember.autocast("cpu", dtype=ember.float16):
        x, y = autocast_mode.cast_at_entry("linear", a16, w)
        assert x is a16 and y.dtype is ember.float16
        (z,) = autocast_mode.cast_at_entry("cross_entropy_loss", a16)
        assert z.dtype is ember.float32
        assert autocast_mode.cast_at_entry("relu", a16)[0] is a16  # not listed


def test_op_hook_costs_nothing_when_off():
    # Op.apply reads one attribute; it must be a plain False outside any region.
    assert autocast_mode._state.enabled is False
    with ember.autocast("cpu", dtype=ember.float16):
        assert autocast_mode._state.enabled is True
    assert autocast_mode._state.enabled is False


# -- GradScaler -----------------------------------------------------------------------------

def _train(m, steps, inf_at, init_scale=2.0**4, growth_interval=3, param_dtype="float32"):
    """A few SGD steps through GradScaler("cpu"), gradients made inf at some steps."""
    m.manual_seed(0)
    w = m.tensor(A).to(getattr(m, param_dtype)).requires_grad_()
    opt = m.optim.SGD([w], lr=0.1)
    scaler = m.amp.GradScaler("cpu", init_scale=init_scale, growth_interval=growth_interval)
    scales, trackers, stepped = [], [], []
    for i in range(steps):
        opt.zero_grad()
        loss = (w * m.tensor(B)).sum() * (float("inf") if i in inf_at else 1.0)
        scaler.scale(loss).backward()
        before = w.detach().clone()
        scaler.step(opt)
        scaler.update()
        stepped.append(not bool((w.detach() == before).all()))
        scales.append(scaler.get_scale())
        trackers.append(scaler._get_growth_tracker())
    return w, scales, trackers, stepped, scaler


def test_grad_scaler_trajectory_matches_torch():
    inf_at = {2, 3, 9}
    te = _train(torch, 14, inf_at)
    ee = _train(ember, 14, inf_at)
    assert ee[1] == te[1]  # scales: halved after inf, doubled after 3 clean steps
    assert ee[2] == te[2]  # growth trackers
    assert ee[3] == te[3] == [i not in inf_at for i in range(14)]  # inf steps skipped
    np.testing.assert_allclose(np.asarray(ee[0].detach()._data), te[0].detach().numpy(),
                               rtol=1e-6)
    assert ee[4].state_dict() == te[4].state_dict()


def test_grad_scaler_state_dict_round_trip_and_pickle():
    for m in (torch, ember):
        s = _train(m, 4, set())[4]
        sd = s.state_dict()
        s2 = m.amp.GradScaler("cpu")
        s2.load_state_dict(sd)
        assert s2.state_dict() == sd
        assert pickle.loads(pickle.dumps(s2)).state_dict() == sd
    assert _train(ember, 4, set())[4].state_dict() == _train(torch, 4, set())[4].state_dict()
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            m.amp.GradScaler("cpu").load_state_dict({})


def test_grad_scaler_errors_match_torch():
    def errors(m):
        out = []
        w = m.tensor(A, requires_grad=True)
        opt = m.optim.SGD([w], lr=0.1)
        s = m.amp.GradScaler("cpu")
        for call in (lambda: s.step(opt), lambda: s.update(), lambda: s.unscale_(opt)):
            try:
                call()
            except Exception as e:  # noqa: BLE001
                out.append((type(e).__name__, str(e)))
        s.scale(w.sum()).backward()
        s.unscale_(opt)
        for call in (lambda: s.unscale_(opt), lambda: s.step(opt, closure=lambda: 0)):
            try:
                call()
            except Exception as e:  # noqa: BLE001
                out.append((type(e).__name__, str(e)))
        s.step(opt)
        for call in (lambda: s.step(opt), lambda: s.unscale_(opt)):
            try:
                call()
            except Exception as e:  # noqa: BLE001
                out.append((type(e).__name__, str(e)))
        s.update(8.0)
        out.append(s.get_scale())
        s.update(m.tensor(4.0))
        out.append(s.get_scale())
        with pytest.raises(AssertionError):
            s.update(m.tensor([1.0, 2.0]))
        h = m.tensor(A).half().requires_grad_()
        opt16 = m.optim.SGD([h], lr=0.1)
        s.scale(h.float().sum()).backward()
        try:
            s.step(opt16)
        except ValueError as e:
            out.append(str(e))
        return out

    assert errors(ember) == errors(torch)


def test_grad_scaler_scales_nested_outputs_and_factors():
    for m in (torch, ember):
        s = m.amp.GradScaler("cpu", init_scale=4.0, growth_factor=3.0, backoff_factor=0.25,
                             growth_interval=7)
        out = s.scale([m.ones(2), (m.ones(1) * 2, m.ones(3))])
        assert isinstance(out, list) and isinstance(out[1], tuple)
        assert out[0].tolist() == [4.0, 4.0] and out[1][0].tolist() == [8.0]
        assert (s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()) == \
            (3.0, 0.25, 7)
        with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable"):
            s.scale([1.0])
        with pytest.raises(AssertionError, match="growth factor must be > 1.0"):
            m.amp.GradScaler("cpu", growth_factor=1.0)


def test_grad_scaler_disabled_is_transparent():
    w = ember.tensor(A, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.5)
    s = ember.amp.GradScaler("cpu", enabled=False)
    loss = w.sum()
    assert s.scale(loss) is loss
    loss.backward()
    s.step(opt)
    s.update()
    np.testing.assert_allclose(np.asarray(w.detach()._data), A - 0.5, rtol=1e-6)


@pytest.mark.skipif(not HAS_GPU, reason=NO_GPU)
def test_cuda_autocast_float16_and_banned_bce():
    a = ember.randn(8, 8, device="cuda")
    with ember.autocast("cuda"):
        assert (a @ a).dtype is ember.float16
        assert ember.softmax(a.half(), 1).dtype is ember.float32  # fp32 list on CUDA
        with pytest.raises(RuntimeError, match="unsafe to autocast"):
            ember.nn.functional.binary_cross_entropy(ember.sigmoid(a), ember.sigmoid(a))
    scaler = ember.amp.GradScaler()
    w = ember.randn(8, 8, device="cuda", requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    with ember.autocast("cuda"):
        loss = (a @ w).float().pow(2).mean()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0**16


@pytest.mark.skipif(not HAS_BF16, reason="ember.bfloat16 needs ml_dtypes")
@pytest.mark.parametrize("case", ["conv_bf16_input", "linear_1d", "matmul_1d", "cross_entropy"])
def test_composites_cast_at_entry(case):
    """conv/linear/matmul/cross_entropy decide at the function, as in torch: low-precision
    inputs meet float32 weights without an error, and results have torch's dtype."""
    def run(m):
        m.manual_seed(0)
        x = m.tensor(np.linspace(-1, 1, 4 * 3 * 6 * 6, dtype=np.float32).reshape(4, 3, 6, 6))
        w = m.tensor(np.linspace(-0.5, 0.5, 5 * 3 * 3 * 3, dtype=np.float32).reshape(5, 3, 3, 3))
        with m.autocast("cpu"):
            if case == "conv_bf16_input":
                y = m.nn.functional.conv2d(x.to(m.bfloat16), w)
            elif case == "linear_1d":
                y = m.nn.functional.linear(x[0, 0, 0], x[0, 0, :5])
            elif case == "matmul_1d":
                y = m.matmul(x[0, 0, 0], x[0, 0])
            else:
                y = m.nn.functional.cross_entropy(x[:, :, 0, 0].to(m.bfloat16),
                                                  m.tensor([0, 1, 2, 0]))
        return y.dtype, y.float().detach().numpy()

    (de, ve), (dt, vt) = run(ember), run(torch)
    assert str(de) == str(dt)
    np.testing.assert_allclose(ve, vt, rtol=2e-2, atol=2e-2)


@pytest.mark.skipif(not HAS_BF16, reason="ember.bfloat16 needs ml_dtypes")
def test_lstm_inverse_and_solve_take_low_precision_inputs_under_autocast():
    def run(m):
        m.manual_seed(0)
        lstm = m.nn.LSTM(4, 3)
        x = m.tensor(np.linspace(-1, 1, 40, dtype=np.float32).reshape(5, 2, 4))
        a = m.tensor(np.eye(3, dtype=np.float32) * 3 + np.linspace(0, 1, 9, dtype=np.float32)
                     .reshape(3, 3)).to(m.bfloat16)
        with m.autocast("cpu"):
            y, _ = lstm(x.to(m.bfloat16))
            inv = m.inverse(a)
            sol = m.linalg.solve(a, m.ones(3))
        return [str(t.dtype) for t in (y, inv, sol)], inv.detach().numpy(), sol.detach().numpy()

    (de, ie, se), (dt, it, st) = run(ember), run(torch)
    assert de == dt
    np.testing.assert_allclose(ie, it, rtol=1e-5)
    np.testing.assert_allclose(se, st, rtol=1e-5)

"""nn.Module bookkeeping against torch: names, order, state_dict, load_state_dict errors,
hooks, modes, conversions, containers and reprs."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from _helpers import both, copy_weights, same

import ember


def small_cnn(t):
    nn = t.nn
    return nn.Sequential(OrderedDict([
        ("features", nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                   nn.MaxPool2d(2))),
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flat", nn.Flatten()),
        ("head", nn.Linear(8, 4)),
    ]))


class Net:
    """The same custom Module subclass for either library (shared params, a buffer)."""

    @staticmethod
    def build(t):
        nn = t.nn

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.register_buffer("steps", t.zeros(1))
                self.register_buffer("scratch", t.ones(2), persistent=False)
                self.scale = nn.Parameter(t.ones(1))

            def forward(self, x):
                return self.fc(x) * self.scale

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = Block()
                self.b = Block()
                self.b.fc = self.a.fc  # shared submodule: its parameters appear once
                self.tied = self.a.scale  # shared parameter under a second name
                self.empty = None
                self.register_parameter("nothing", None)

            def forward(self, x):
                return self.b(self.a(x))

        return Net()


def test_named_parameters_buffers_modules_order_and_dedup():
    t, e = Net.build(torch), Net.build(ember)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in e.a.named_parameters(prefix="x", recurse=False)] == \
        [n for n, _ in t.a.named_parameters(prefix="x", recurse=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert all(isinstance(p, ember.nn.Parameter) for p in e.parameters())
    assert list(e.state_dict()) == list(t.state_dict())
    assert list(e.state_dict(prefix="m.", keep_vars=True)) == \
        list(t.state_dict(prefix="m.", keep_vars=True))


def test_state_dict_of_a_cnn():
    t, e = both(small_cnn)
    ts, es = t.state_dict(), e.state_dict()
    assert isinstance(es, OrderedDict)
    assert list(es) == list(ts)
    for k in ts:
        same(es[k], ts[k])
        assert not es[k].requires_grad and es[k].grad_fn is None
    assert dict(es._metadata) == dict(ts._metadata)
    # keep_vars gives the parameters themselves
    assert e.state_dict(keep_vars=True)["head.weight"] is e.head.weight
    # values share memory with the parameters (state_dict is not a copy)
    es["head.bias"].zero_()
    assert float(e.head.bias.detach().abs().sum()) == 0.0


def _load_error(lib, state_of):
    m = small_cnn(lib)
    try:
        m.load_state_dict(state_of(lib, m))
    except Exception as ex:  # noqa: BLE001
        return type(ex), str(ex)
    return None


@pytest.mark.parametrize("edit", [
    lambda lib, m: {k: v for k, v in m.state_dict().items() if "bias" not in k},
    lambda lib, m: {**m.state_dict(), "head.extra": lib.zeros(1), "other.w": lib.zeros(1)},
    lambda lib, m: {**m.state_dict(), "head.weight": lib.zeros(3, 8)},
    lambda lib, m: {**{k: v for k, v in m.state_dict().items() if k != "pool.x"},
                    "features.0.weight": lib.zeros(8, 3, 2, 2), "features.9.w": lib.zeros(1),
                    "head.bias": 3.0},
])
def test_load_state_dict_errors_match_torch(edit):
    got, want = _load_error(ember, edit), _load_error(torch, edit)
    assert want is not None
    assert got == want


def test_load_state_dict_non_strict_and_result():
    t, e = small_cnn(torch), small_cnn(ember)
    sd_t = {k: v for k, v in t.state_dict().items() if k != "head.bias"}
    sd_t["junk"] = torch.zeros(1)
    sd_e = {k: ember.tensor(v.numpy()) for k, v in sd_t.items()}
    rt, re_ = t.load_state_dict(sd_t, strict=False), e.load_state_dict(sd_e, strict=False)
    assert re_.missing_keys == rt.missing_keys and re_.unexpected_keys == rt.unexpected_keys
    assert repr(re_) == repr(rt)
    full = {k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()}
    assert repr(e.load_state_dict(full)) == "<All keys matched successfully>"
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        e.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_and_keeps_parameter_identity():
    e = small_cnn(ember)
    w = e.head.weight
    e.load_state_dict({k: v.clone() + 1 for k, v in e.state_dict().items()})
    assert e.head.weight is w
    assert e.head.weight.requires_grad and e.head.weight.is_leaf


def test_load_state_dict_assign():
    e = small_cnn(ember)
    new = {k: v.clone() for k, v in e.state_dict().items()}
    e.load_state_dict(new, assign=True)
    assert isinstance(e.head.weight, ember.nn.Parameter) and e.head.weight.requires_grad
    assert e.head.weight.data_ptr() == new["head.weight"].data_ptr()


def test_reprs_match_torch():
    def build(t):
        nn = t.nn
        return nn.Sequential(
            nn.Conv2d(3, 16, 3, 1), nn.Conv2d(16, 32, (3, 5), stride=(2, 1), padding=(4, 2),
                                              dilation=(3, 1), groups=2, bias=False),
            nn.Conv2d(4, 4, 3, padding="same", padding_mode="zeros"),
            nn.Conv1d(2, 3, 3, padding_mode="reflect"), nn.Conv3d(2, 2, 1),
            nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1),
            nn.BatchNorm2d(8), nn.BatchNorm1d(3, affine=False, momentum=None),
            nn.LayerNorm([4, 5]), nn.GroupNorm(2, 4), nn.Dropout(0.2), nn.Dropout2d(),
            nn.MaxPool2d(2), nn.MaxPool2d(3, 2, 1, ceil_mode=True), nn.AvgPool2d(2),
            nn.AvgPool1d(3), nn.AdaptiveAvgPool2d((1, None)), nn.AdaptiveMaxPool2d(2),
            nn.Flatten(), nn.Unflatten(1, (2, 3)), nn.Identity(), nn.Embedding(10, 3,
                                                                             padding_idx=0),
            nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(0.2), nn.GELU(), nn.GELU("tanh"),
            nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(-1),
            nn.ELU(), nn.Softplus(), nn.Hardtanh(), nn.ReLU6(), nn.PReLU(), nn.Threshold(0.1, 0),
            nn.CrossEntropyLoss(), nn.MSELoss(), nn.Linear(3, 4), nn.Bilinear(2, 3, 4),
            nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()]),
            nn.ModuleDict({"a": nn.Tanh(), "b": nn.Sequential(nn.Linear(1, 1))}),
            nn.ParameterList([nn.Parameter(t.zeros(2, 3)), t.zeros(4, dtype=t.float64)]),
            nn.ParameterDict({"w": nn.Parameter(t.zeros(2))}),
        )
    assert repr(build(ember)) == repr(build(torch))
    assert repr(ember.nn.Sequential()) == repr(torch.nn.Sequential())
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_custom_extra_repr_and_nested_indent():
    def build(t):
        class Inner(t.nn.Module):
            def extra_repr(self):
                return "line one\nline two"

        class Outer(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = Inner()
                self.seq = t.nn.Sequential(Inner(), t.nn.Linear(1, 2))

        return Outer()
    assert repr(build(ember)) == repr(build(torch))


def test_setattr_errors_match_torch():
    def errs(t):
        out = []
        m = t.nn.Linear(2, 2)
        for fn in (lambda: setattr(m, "weight", t.zeros(2, 2)),
                   lambda: m.register_buffer("weight", t.zeros(1)),
                   lambda: m.register_parameter("a.b", None),
                   lambda: m.register_buffer("x", 3),
                   lambda: m.add_module("bias", t.nn.ReLU()),
                   lambda: m.add_module("r", 3),
                   lambda: setattr(t.nn.Sequential(t.nn.ReLU()), "0", 5),
                   lambda: m.get_submodule("nope"),
                   lambda: t.nn.Sequential(t.nn.Linear(1, 1)).get_submodule("0.weight"),
                   lambda: getattr(m, "missing"),
                   lambda: m.register_parameter("p", t.nn.Parameter(t.ones(1)) * 2)):
            try:
                fn()
                out.append(None)
            except Exception as ex:  # noqa: BLE001
                out.append((type(ex).__name__, str(ex).replace("torch.", "T.")))
        return out
    got, want = errs(ember), errs(torch)
    assert got[:-1] == want[:-1]
    assert got[-1][0] == want[-1][0]


def test_cannot_assign_before_init():
    class Bad(ember.nn.Module):
        def __init__(self):
            self.w = ember.nn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Bad()


def test_parameter_basics():
    p = ember.nn.Parameter(ember.ones(2, 2))
    tp = torch.nn.Parameter(torch.ones(2, 2))
    assert repr(p) == repr(tp)
    assert p.requires_grad and p.is_leaf and type(p).__name__ == "Parameter"
    assert type(p * 2) is ember.Tensor and type(p.data) is ember.Tensor
    assert type(p.detach()) is ember.Tensor
    q = ember.nn.Parameter(ember.zeros(3), requires_grad=False)
    assert not q.requires_grad
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        ember.nn.Parameter(ember.tensor([1, 2]))
    base = ember.zeros(3)
    shared = ember.nn.Parameter(base)
    base.add_(1)
    assert shared.tolist() == [1.0, 1.0, 1.0]
    assert ember.nn.Parameter().shape == torch.nn.Parameter().shape
    d = copy.deepcopy(p)
    assert type(d) is ember.nn.Parameter and d.requires_grad and d.data_ptr() != p.data_ptr()
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is ember.nn.Parameter and r.requires_grad and r.tolist() == p.tolist()


def test_buffer_class():
    m = ember.nn.Module()
    m.b = ember.nn.Buffer(ember.ones(2), persistent=False)
    m.c = ember.nn.Buffer(ember.ones(1))
    tm = torch.nn.Module()
    tm.b = torch.nn.Buffer(torch.ones(2), persistent=False)
    tm.c = torch.nn.Buffer(torch.ones(1))
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert list(m.state_dict()) == list(tm.state_dict())


def test_train_eval_requires_grad_zero_grad():
    m = small_cnn(ember)
    assert m.training and all(c.training for c in m.modules())
    assert m.eval() is m and not any(c.training for c in m.modules())
    m.train()
    assert all(c.training for c in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    for p in m.parameters():
        p.grad = ember.ones_like(p)
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_to_double_half_float_keeps_parameters():
    e = small_cnn(ember)
    w = e.head.weight
    w.grad = ember.ones_like(w)
    assert e.double() is e
    assert e.head.weight is w and w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert e.features[1].num_batches_tracked.dtype == ember.int64  # not floating: unchanged
    assert e.features[1].running_mean.dtype == ember.float64
    e.to(ember.float32)
    assert w.dtype == ember.float32
    e.half()
    assert w.dtype == ember.float16
    e.float().to("cpu").cpu()
    assert w.dtype == ember.float32 and w.device.type == "cpu"
    e.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex"):
        e.to(ember.int32)


def test_apply_and_custom_init():
    order = []

    def fn(m):
        order.append(type(m).__name__)
        if isinstance(m, ember.nn.Linear):
            ember.nn.init.constant_(m.weight, 0.5)

    e = small_cnn(ember)
    assert e.apply(fn) is e
    t_order = []
    small_cnn(torch).apply(lambda m: t_order.append(type(m).__name__))
    assert order == t_order
    assert float(e.head.weight.detach().mean()) == 0.5


def test_forward_hooks_order_and_results():
    def run(t):
        log = []
        lin = t.nn.Linear(2, 2)
        h1 = lin.register_forward_pre_hook(lambda m, a: log.append("pre") or (a[0] * 2,))
        lin.register_forward_hook(lambda m, a, out: log.append("post") or out + 1)
        lin.register_forward_pre_hook(lambda m, a, k: log.append(("kw", sorted(k))),
                                      with_kwargs=True)
        lin.register_forward_hook(lambda m, a, out: log.append("first"), prepend=True)
        with t.no_grad():
            lin.weight.fill_(1.0)
            lin.bias.fill_(0.0)
        y = lin(t.ones(1, 2))
        h1.remove()
        y2 = lin(t.ones(1, 2))
        return log, y.tolist(), y2.tolist()
    assert run(ember) == run(torch)


def _assert_nested_close(got, want):
    """Nested lists/tuples with None in the same places and numbers equal to float32."""
    if isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), (got, want)
        for g, w in zip(got, want):
            _assert_nested_close(g, w)
    elif want is None:
        assert got is None
    else:
        assert got == pytest.approx(want, rel=1e-6)


def test_full_backward_hook():
    def run(t):
        seen = []
        lin = t.nn.Linear(3, 2)
        with t.no_grad():
            lin.weight.copy_(t.arange(6.0).reshape(2, 3) / 10)
        lin.register_full_backward_hook(
            lambda m, gin, gout: seen.append(([g.tolist() if g is not None else None
                                                for g in gin], [g.tolist() for g in gout])))
        x = t.ones(1, 3, requires_grad=True)
        y = lin(x)
        (y * t.tensor([[1.0, 2.0]])).sum().backward()
        z = lin(t.ones(1, 3))  # no input requires grad: grad_input is (None,), and a warning
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            z.sum().backward()
        return seen, y.grad_fn.name(), x.grad.tolist()
    got, want = run(ember), run(torch)
    _assert_nested_close(got[0], want[0])
    assert got[1] == want[1]
    np.testing.assert_allclose(got[2], want[2], rtol=1e-6)


def test_full_backward_hook_can_replace_grad_input():
    def run(t):
        lin = t.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gin, gout: (gin[0] * 0 + 7,))
        x = t.ones(1, 2, requires_grad=True)
        lin(x).sum().backward()
        return x.grad.tolist()
    assert run(ember) == run(torch)


def test_seed001_freezing():
    """Seed 001: named_parameters and freezing every parameter."""
    def run(t):
        nn = t.nn
        t.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(3, 16, 3, 1), nn.Conv2d(16, 32, 3, 1))
        x = t.randn(8, 3, 50, 100)
        names = [(n, p.requires_grad) for n, p in net.named_parameters()]
        before = net(x).requires_grad
        for param in net.named_parameters():
            param[1].requires_grad = False
        frozen = [(n, p.requires_grad) for n, p in net.named_parameters()]
        return names, before, frozen, net(x).requires_grad, x.requires_grad
    got, want = run(ember), run(torch)
    assert got == want
    assert want[1] is True and want[3] is False


def test_seed001_sequential_output_equals_torch():
    t, e = both(lambda lib: lib.nn.Sequential(lib.nn.Conv2d(3, 16, 3, 1),
                                              lib.nn.Conv2d(16, 32, 3, 1)))
    x = np.random.default_rng(0).standard_normal((2, 3, 12, 20)).astype(np.float32)
    same(e(ember.tensor(x)), t(torch.tensor(x)), rtol=1e-4, atol=1e-5)


def test_sequential_container_ops():
    def run(t):
        nn = t.nn
        s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
        out = [len(s), type(s[0]).__name__, type(s[-1]).__name__, type(s[1:]).__name__,
               [type(m).__name__ for m in s[::2]], [type(m).__name__ for m in s]]
        s.append(nn.Tanh())
        s.insert(1, nn.Sigmoid())
        del s[0]
        out.append([(n, type(m).__name__) for n, m in s.named_children()])
        s[0] = nn.ELU()
        out.append(repr(s))
        out.append(repr(s + nn.Sequential(nn.ReLU())))
        out.append(repr(s.pop(1)))
        try:
            s[10]
        except IndexError as ex:
            out.append(str(ex))
        d = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
        d["c"] = nn.Sigmoid()
        out.append((list(d.keys()), "a" in d, len(d), repr(d.pop("a"))))
        ml = nn.ModuleList([nn.ReLU()])
        ml.extend([nn.Tanh(), nn.Tanh()])
        ml += [nn.ReLU()]
        out.append((len(ml), repr(ml), repr(ml[1:])))
        pl = nn.ParameterList([t.ones(2)])
        pl.append(nn.Parameter(t.zeros(1)))
        out.append((len(pl), [type(p).__name__ for p in pl], [n for n, _ in
                                                               pl.named_parameters()]))
        return out
    assert run(ember) == run(torch)


def test_sequential_forward_matches_torch():
    t, e = both(lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(),
                                              lib.nn.Linear(8, 3)))
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    same(e(ember.tensor(x)), t(torch.tensor(x)))


def test_deepcopy_and_pickle_module():
    e = small_cnn(ember)
    c = copy.deepcopy(e)
    assert c.head.weight is not e.head.weight
    np.testing.assert_array_equal(c.head.weight.detach().numpy(), e.head.weight.detach().numpy())
    assert isinstance(c.head.weight, ember.nn.Parameter)
    r = pickle.loads(pickle.dumps(e))
    assert list(r.state_dict()) == list(e.state_dict())
    assert repr(r) == repr(e)


def test_missing_forward_and_delattr():
    def run(t):
        m = t.nn.Module()
        m.lin = t.nn.Linear(1, 1)
        m.register_buffer("b", t.ones(1))
        del m.lin, m.b
        try:
            m(1)
        except NotImplementedError as ex:
            return str(ex), list(m.state_dict())
    assert run(ember) == run(torch)


def test_dir_lists_registered_names():
    e = small_cnn(ember)
    assert {"features", "head", "pool"} <= set(dir(e))
    assert "weight" in dir(e.head) and "bias" in dir(e.head)


def test_copy_weights_helper_checks_values():
    t, e = both(lambda lib: lib.nn.Linear(3, 2))
    same(e.weight, t.weight)
    with pytest.raises(RuntimeError, match="Unexpected key"):
        copy_weights(torch.nn.Linear(3, 2), ember.nn.Linear(3, 2, bias=False))

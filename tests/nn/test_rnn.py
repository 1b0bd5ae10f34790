"""nn.RNN / LSTM / GRU and the cells against torch: outputs, final states, grad_fn names, the
gradients of every parameter, input and initial state, double backward, reprs, errors."""

import warnings

import numpy as np
import pytest
import torch
from _helpers import both, copy_weights, same

import ember

RNG = np.random.default_rng(0)
MODES = ["RNN", "RNN_relu", "GRU", "LSTM"]


def build(lib, mode, *args, **kw):
    if mode == "RNN_relu":
        return lib.nn.RNN(*args, nonlinearity="relu", **kw)
    return getattr(lib.nn, mode)(*args, **kw)


def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def leaf(lib, a):
    return (torch.tensor(a) if lib is torch else ember.tensor(a)).requires_grad_(True)


def flat(out):
    """(output, h) or (output, (h, c)) as a list of tensors."""
    o, h = out
    return [o] + (list(h) if isinstance(h, tuple) else [h])


def run_both(mode, kw, x, h0=None, dtype=np.float32, train=False, grad_fn=True):
    t, e = both(lambda lib: build(lib, mode, x.shape[-1], 4, **kw))
    if dtype == np.float64:
        t, e = t.double(), e.double()
    t.train(train)
    e.train(train)
    x = x.astype(dtype)
    tin = [leaf(torch, x)]
    ein = [leaf(ember, x)]
    if h0 is not None:
        tin += [leaf(torch, h.astype(dtype)) for h in h0]
        ein += [leaf(ember, h.astype(dtype)) for h in h0]
    state_t = None if h0 is None else (tuple(tin[1:]) if mode == "LSTM" else tin[1])
    state_e = None if h0 is None else (tuple(ein[1:]) if mode == "LSTM" else ein[1])
    touts, eouts = flat(t(tin[0], state_t)), flat(e(ein[0], state_e))
    tol = 1e-5 if dtype == np.float32 else 1e-10
    for eo, to in zip(eouts, touts):
        same(eo, to, rtol=tol, atol=tol)
        if grad_fn:
            assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__
    ups = [arr(*o.shape, dtype=dtype) for o in touts]
    sum((o * torch.tensor(u)).sum() for o, u in zip(touts, ups)).backward()
    sum((o * ember.tensor(u)).sum() for o, u in zip(eouts, ups)).backward()
    gtol = 1e-4 if dtype == np.float32 else 1e-9
    for (name, pt), (name_e, pe) in zip(t.named_parameters(), e.named_parameters()):
        assert name == name_e
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=gtol, atol=gtol,
                                   err_msg=name)
    for a, b in zip(ein, tin):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=gtol, atol=gtol)
    return t, e


def states(mode, layers_dirs, batch, hidden=4, proj=None):
    shape = (layers_dirs,) + (() if batch is None else (batch,))
    h = arr(*shape, proj or hidden)
    return [h, arr(*shape, hidden)] if mode == "LSTM" else [h]


CONFIGS = [
    ({}, (5, 2, 3), 1),
    ({"bidirectional": True}, (5, 2, 3), 2),
    ({"num_layers": 2}, (4, 3, 3), 2),
    ({"num_layers": 2, "bidirectional": True, "bias": False}, (4, 2, 3), 4),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw,shape,ld", CONFIGS, ids=lambda v: str(v))
@pytest.mark.parametrize("mode", MODES)
def test_layers_match_torch(mode, kw, shape, ld, dtype):
    run_both(mode, kw, arr(*shape), states(mode, ld, shape[1]), dtype=dtype)


@pytest.mark.parametrize("mode", MODES)
def test_zero_initial_state_and_unbatched_input(mode):
    run_both(mode, {}, arr(5, 2, 3))
    run_both(mode, {"num_layers": 2}, arr(6, 3))  # (L, H_in): no batch dimension
    run_both(mode, {"bidirectional": True}, arr(6, 3), states(mode, 2, None))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", MODES)
def test_batch_first(mode, dtype):
    # ATen ends RNN/GRU with an in-place transpose_ (TransposeBackward1), LSTM with an
    # out-of-place one (TransposeBackward0): the grad_fn names tell them apart.
    run_both(mode, {"batch_first": True, "num_layers": 2}, arr(2, 5, 3),
             states(mode, 2, 2), dtype=dtype)
    run_both(mode, {"batch_first": True}, arr(5, 3), dtype=dtype)


def test_lstm_with_projections():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, e = run_both("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True},
                        arr(4, 2, 3), states("LSTM", 4, 2, proj=2))
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert "weight_hr_l1_reverse" in dict(e.named_parameters())
    assert repr(e) == repr(t)


def test_float32_lstm_is_one_node_per_layer():
    t, e = both(lambda lib: lib.nn.LSTM(3, 4, num_layers=2))
    x = arr(5, 2, 3)
    out, (h, c) = e(ember.tensor(x))
    tout, (th, tc) = t(torch.tensor(x))
    assert type(out.grad_fn).__name__ == type(tout.grad_fn).__name__ == "MkldnnRnnLayerBackward0"
    assert [type(n).__name__ for n, _ in h.grad_fn.next_functions] == \
        [type(n).__name__ for n, _ in th.grad_fn.next_functions]


@pytest.mark.parametrize("mode,dtype", [("LSTM", np.float32), ("LSTM", np.float64),
                                        ("GRU", np.float64), ("RNN", np.float64)])
def test_double_backward(mode, dtype):
    t, e = both(lambda lib: build(lib, mode, 3, 4, num_layers=2))
    if dtype == np.float64:
        t, e = t.double(), e.double()
    x = arr(4, 2, 3, dtype=dtype)
    tx, ex = leaf(torch, x), leaf(ember, x)
    tg, = torch.autograd.grad((t(tx)[0] ** 2).sum(), tx, create_graph=True)
    eg, = ember.autograd.grad((e(ex)[0] ** 2).sum(), ex, create_graph=True)
    tol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=tol, atol=tol)
    wt, we = t.weight_hh_l0, e.weight_hh_l0
    tgg = torch.autograd.grad((tg ** 2).sum(), [tx, wt])
    egg = ember.autograd.grad((eg ** 2).sum(), [ex, we])
    for a, b in zip(egg, tgg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol * 10, atol=tol)


@pytest.mark.parametrize("mode", MODES)
def test_dropout_between_layers(mode):
    kw = {"num_layers": 3, "dropout": 1.0}  # p = 1 zeroes every layer's output: deterministic
    run_both(mode, kw, arr(4, 2, 3), states(mode, 3, 2), train=True)
    run_both(mode, {"num_layers": 2, "dropout": 0.5}, arr(4, 2, 3))  # eval: no dropout
    e = build(ember, mode, 3, 4, num_layers=2, dropout=0.5)
    x = ember.tensor(arr(6, 2, 3))
    assert not np.allclose(e(x)[0].detach().numpy(), e.eval()(x)[0].detach().numpy())


def test_training_loop_matches_torch():
    t, e = both(lambda lib: lib.nn.LSTM(3, 5, num_layers=2, batch_first=True))
    ot = torch.optim.SGD(t.parameters(), lr=0.5)
    oe = ember.optim.SGD(e.parameters(), lr=0.5)
    x, y = arr(4, 6, 3), arr(4, 6, 5)
    for _ in range(3):
        for m, opt, lib in ((t, ot, torch), (e, oe, ember)):
            opt.zero_grad()
            loss = ((m(lib.tensor(x))[0] - lib.tensor(y)) ** 2).mean()
            loss.backward()
            opt.step()
    for (n, pt), (_, pe) in zip(t.named_parameters(), e.named_parameters()):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=n)


@pytest.mark.parametrize("mode", MODES)
def test_parameters_init_and_state_dict(mode):
    kw = {"num_layers": 2, "bidirectional": True}
    t, e = build(torch, mode, 3, 16, **kw), build(ember, mode, 3, 16, **kw)
    assert list(e.state_dict()) == list(t.state_dict())
    for (n, pt), (_, pe) in zip(t.named_parameters(), e.named_parameters()):
        assert tuple(pe.shape) == tuple(pt.shape), n
        a = pe.detach().numpy()
        assert np.abs(a).max() <= 0.25 and a.std() > 0.05  # U(-1/sqrt(16), 1/sqrt(16))
    assert [[p.shape for p in ws] for ws in e.all_weights] == \
        [[p.shape for p in ws] for ws in t.all_weights]
    assert len(e._flat_weights) == len(t._flat_weights)


@pytest.mark.parametrize("args,kw", [
    ((10, 20), {"num_layers": 2, "batch_first": True}),
    ((3, 4), {}),
    ((3, 4, 2), {"bias": False, "dropout": 0.5, "bidirectional": True}),
    ((3, 4), {"nonlinearity": "relu"}),
])
@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_reprs(cls, args, kw):
    if "nonlinearity" in kw and cls != "RNN":
        return
    assert repr(getattr(ember.nn, cls)(*args, **kw)) == repr(getattr(torch.nn, cls)(*args, **kw))


def test_errors():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="Unknown nonlinearity"):
            lib.nn.RNN(3, 4, nonlinearity="gelu")
        with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
            lib.nn.GRU(3, 4, proj_size=2)
        with pytest.raises(ValueError, match="dropout should be a number"):
            lib.nn.LSTM(3, 4, dropout=1.5)
        with pytest.raises(ValueError, match="proj_size has to be smaller"):
            lib.nn.LSTM(3, 4, proj_size=4)
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater"):
            lib.nn.GRU(3, 4, dropout=0.2)
    msgs = []
    for lib in (torch, ember):
        m = lib.nn.LSTM(3, 4)
        got = []
        for call in (lambda: m(lib.zeros(2, 2, 2, 3)),
                     lambda: m(lib.zeros(5, 2, 5)),
                     lambda: m(lib.zeros(5, 2, 3, dtype=lib.float64)),
                     lambda: m(lib.zeros(5, 2, 3), (lib.zeros(1, 3, 4), lib.zeros(1, 2, 4))),
                     lambda: m(lib.zeros(5, 2, 3), (lib.zeros(2, 4), lib.zeros(2, 4))),
                     lambda: lib.nn.GRU(3, 4)(lib.zeros(5, 3), lib.zeros(1, 2, 4))):
            with pytest.raises((ValueError, RuntimeError)) as info:
                call()
            got.append((info.type, str(info.value)))
        msgs.append(got)
    assert msgs[1] == msgs[0]  # the same exception types and messages


# -- cells -----------------------------------------------------------------------------------

CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {}), ("GRUCell", {"bias": False}), ("LSTMCell", {"bias": False})]


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("name,kw", CELLS, ids=lambda v: str(v))
def test_cells_match_torch(name, kw, with_state, batched):
    t, e = both(lambda lib: getattr(lib.nn, name)(3, 4, **kw))
    lead = (2,) if batched else ()
    x = arr(*lead, 3)
    tin, ein = [leaf(torch, x)], [leaf(ember, x)]
    n_states = 2 if name == "LSTMCell" else 1
    if with_state:
        hs = [arr(*lead, 4) for _ in range(n_states)]
        tin += [leaf(torch, h) for h in hs]
        ein += [leaf(ember, h) for h in hs]
    pack = (lambda xs: tuple(xs) if n_states == 2 else xs[0]) if with_state else (lambda xs: None)
    to, eo = t(tin[0], pack(tin[1:])), e(ein[0], pack(ein[1:]))
    touts = list(to) if isinstance(to, tuple) else [to]
    eouts = list(eo) if isinstance(eo, tuple) else [eo]
    for a, b in zip(eouts, touts):
        same(a, b)
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    ups = [arr(*o.shape) for o in touts]
    sum((o * torch.tensor(u)).sum() for o, u in zip(touts, ups)).backward()
    sum((o * ember.tensor(u)).sum() for o, u in zip(eouts, ups)).backward()
    for (n, pt), (_, pe) in zip(t.named_parameters(), e.named_parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=n)
    for a, b in zip(ein, tin):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(e) == repr(t)


def test_cell_loop_equals_layer():
    # Unrolling a GRUCell by hand gives nn.GRU's output (shared weights).
    t, e = both(lambda lib: lib.nn.GRUCell(3, 4))
    g = ember.nn.GRU(3, 4)
    g.load_state_dict({k + "_l0": v for k, v in e.state_dict().items()})
    x = ember.tensor(arr(5, 2, 3))
    h = None
    outs = []
    for step in x.unbind(0):
        h = e(step, h)
        outs.append(h)
    np.testing.assert_allclose(ember.stack(outs).detach().numpy(),
                               g(x)[0].detach().numpy(), rtol=1e-6, atol=1e-6)


def test_cell_errors():
    for lib in (torch, ember):
        c = lib.nn.GRUCell(3, 4)
        with pytest.raises(ValueError, match="Expected input to be 1D or 2D"):
            c(lib.zeros(1, 2, 3))
        with pytest.raises(RuntimeError, match="input has inconsistent input_size"):
            c(lib.zeros(2, 5))
        with pytest.raises(RuntimeError, match="doesn't match hidden0 batch size"):
            c(lib.zeros(2, 3), lib.zeros(3, 4))
        with pytest.raises(RuntimeError, match="Unknown nonlinearity"):
            lib.nn.RNNCell(3, 4, nonlinearity="gelu")(lib.zeros(2, 3))


def test_copy_weights_roundtrip():
    t = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    e = copy_weights(t, ember.nn.LSTM(3, 4, num_layers=2, bidirectional=True))
    for k, v in t.state_dict().items():
        np.testing.assert_array_equal(e.state_dict()[k].numpy(), v.numpy())

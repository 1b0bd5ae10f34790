"""The same workloads on the peers: NumPy by hand (the floor), MyGrad, HIPS autograd, tinygrad.

Each peer is optional: ``available(name)`` imports it and says why not when it cannot run.
A peer implements the workloads it can; ``BUILDERS[peer][key]`` is absent otherwise and
the table shows "-". Every peer starts from ``param_array`` weights and the same data, so
its losses are checked against torch's like ember's are.

How each peer is driven, so that the columns mean the same thing:

- ``numpy``: forward and gradients written out by hand, no autograd; the "fresh leaves"
  tiny workloads copy the two arrays (``np.array``) as the others construct tensors.
- ``mygrad``: ``mg.tensor`` leaves, ``.backward()``, then ``p.data -= lr * p.grad``
  and ``null_grad`` (MyGrad has no optimizer classes).
- ``autograd`` (HIPS): the forward alone runs untraced on plain arrays (HIPS only
  traces inside ``grad``); fwd+bwd and training use ``value_and_grad`` of a loss function.
- ``tinygrad``: ``.realize()`` forces the lazy graph every call; tiny workloads run
  untraced (scheduled each call from its kernel cache), training steps and the chain under
  ``TinyJit`` with ``nn.optim.SGD`` as its examples do, and every step waits for the
  device. ``NUM_CPU_THREADS=1`` keeps its kernels on one thread and ``DEV=CPU`` on the CPU
  (both set by the runner before the import). Its CPU device needs ``clang`` on PATH.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.workloads import (
    CNN_BATCH,
    LR,
    MLP_BATCH,
    MLP_SIZES,
    Step,
    chain_math,
    data,
    param_array,
)

PEERS = ("numpy", "mygrad", "autograd", "tinygrad")
_MLP_NAMES = ("0", "2", "4")  # nn.Sequential indices of the three Linear layers
_CNN_NAMES = ("0", "3", "7", "9", "11")  # conv, conv, linear, linear, linear in lenet()


def _mlp_params() -> list[np.ndarray]:
    s = MLP_SIZES
    out = []
    for name, (i, o) in zip(_MLP_NAMES, zip(s[:-1], s[1:])):
        out += [param_array(f"{name}.weight", (o, i)), param_array(f"{name}.bias", (o,))]
    return out


def _cnn_params() -> list[np.ndarray]:
    shapes = [(6, 1, 5, 5), (16, 6, 5, 5), (120, 256), (84, 120), (10, 84)]
    out = []
    for name, shape in zip(_CNN_NAMES, shapes):
        out += [param_array(f"{name}.weight", shape), param_array(f"{name}.bias", shape[:1])]
    return out


def available(peer: str) -> str | None:
    """None when ``peer`` can run here, otherwise the reason it cannot."""
    try:
        if peer == "numpy":
            return None
        if peer == "autograd":
            importlib.import_module("autograd.numpy")
            return None
        mod = importlib.import_module(peer)
        if peer == "tinygrad":
            # The CPU device compiles its own helpers with clang when it opens, so a
            # missing compiler only shows up here, not at import.
            mod.Device["CPU"]
            if mod.Device.DEFAULT != "CPU":
                return f"tinygrad's default device is {mod.Device.DEFAULT}; run with DEV=CPU"
        return None
    except Exception as e:  # noqa: BLE001  (any failure means "skip this peer")
        return f"{type(e).__name__}: {e}"[:120]


def version(peer: str) -> str:
    """The installed version of ``peer`` (for the JSON)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _v

    try:
        return _v(peer)
    except PackageNotFoundError:
        return "?"


# --- NumPy by hand ------------------------------------------------------------------------


def _softmax_xent(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient with respect to the logits."""
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    p[np.arange(n), y] -= 1
    return float(loss), p / n


def _np_tiny_forward() -> Step:
    d = data("tiny")
    A, B = d["a"], d["b"]

    def step() -> Any:
        a, b = np.array(A), np.array(B)
        return a * b + a

    return step


def _np_tiny_forward_ops() -> Step:
    d = data("tiny")
    a, b = d["a"], d["b"]
    return lambda: a * b + a


def _np_tiny_backward() -> Step:
    d = data("tiny")
    A, B = d["a"], d["b"]

    def step() -> Any:
        a, b = np.array(A), np.array(B)
        (a * b + a).sum()
        return b + 1.0  # d/da of sum(a*b + a); d/db is a itself

    return step


def _np_mlp() -> Step:
    d = data("mlp")
    x, y = d["x"], d["y"]
    params = _mlp_params()

    def step() -> Any:
        hs = [x]
        for k in range(0, 6, 2):
            z = hs[-1] @ params[k].T + params[k + 1]
            hs.append(np.maximum(z, 0) if k < 4 else z)
        loss, g = _softmax_xent(hs[-1], y)
        for k in (4, 2, 0):
            gw, gb = g.T @ hs[k // 2], g.sum(0)
            if k:
                g = (g @ params[k]) * (hs[k // 2] > 0)
            params[k] -= LR * gw
            params[k + 1] -= LR * gb
        return loss

    return step


def _conv_fwd(x: np.ndarray, w2d: np.ndarray, b: np.ndarray,
              k: int) -> tuple[np.ndarray, np.ndarray]:
    """Valid conv in channels-first-then-batch (C, N, H, W) layout via im2col.

    The columns are built as (C*k*k, N*OH*OW) from k*k shifted slices, each a contiguous
    copy, so the conv is one (O, C*k*k) @ (C*k*k, N*OH*OW) matmul and its output is (O, N,
    OH, OW) again.
    """
    c, n, h, wd = x.shape
    oh, ow = h - k + 1, wd - k + 1
    cols = np.stack([x[:, :, i:i + oh, j:j + ow] for i in range(k) for j in range(k)], axis=1)
    cols = cols.reshape(c * k * k, n * oh * ow)  # row order (c, kh, kw) = the weight's layout
    return (w2d @ cols + b[:, None]).reshape(-1, n, oh, ow), cols


def _col2im(gcols: np.ndarray, shape: tuple[int, ...], k: int) -> np.ndarray:
    c, n, h, w = shape
    oh, ow = h - k + 1, w - k + 1
    g = gcols.reshape(c, k, k, n, oh, ow)
    out = np.zeros(shape, gcols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, :, i:i + oh, j:j + ow] += g[:, i, j]
    return out


_CORNERS = ((0, 0), (1, 0), (0, 1), (1, 1))


def _relu_pool_fwd(z: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """relu then 2x2 max-pool over the last two axes; keeps the four corners for backward."""
    q = [z[..., i::2, j::2] for i, j in _CORNERS]
    return np.maximum(np.maximum(np.maximum(q[0], q[1]), np.maximum(q[2], q[3])), 0), q


def _relu_pool_bwd(g: np.ndarray, p: np.ndarray, q: list[np.ndarray],
                   shape: tuple[int, ...]) -> np.ndarray:
    """Route g to each window's maximum, and only where it passed the relu (p > 0)."""
    out = np.zeros(shape, g.dtype)
    live = g * (p > 0)
    for (i, j), qk in zip(_CORNERS, q):
        out[..., i::2, j::2] = live * (qk == p)
    return out


def _np_cnn() -> Step:
    d = data("cnn")
    x, y = np.ascontiguousarray(d["x"].transpose(1, 0, 2, 3)), d["y"]
    params = _cnn_params()
    n = CNN_BATCH

    def step() -> Any:
        w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
        w1m, w2m = w1.reshape(6, -1), w2.reshape(16, -1)
        z1, cols1 = _conv_fwd(x, w1m, b1, 5)
        p1, q1 = _relu_pool_fwd(z1)
        z2, cols2 = _conv_fwd(p1, w2m, b2, 5)
        p2, q2 = _relu_pool_fwd(z2)
        f = p2.transpose(1, 0, 2, 3).reshape(n, -1)  # torch flattens (c, h, w)
        h3 = np.maximum(f @ w3.T + b3, 0)
        h4 = np.maximum(h3 @ w4.T + b4, 0)
        loss, g5 = _softmax_xent(h4 @ w5.T + b5, y)
        grads = [None] * 10
        grads[8], grads[9] = g5.T @ h4, g5.sum(0)
        g4 = (g5 @ w5) * (h4 > 0)
        grads[6], grads[7] = g4.T @ h3, g4.sum(0)
        g3 = (g4 @ w4) * (h3 > 0)
        grads[4], grads[5] = g3.T @ f, g3.sum(0)
        gp2 = (g3 @ w3).reshape(n, 16, 4, 4).transpose(1, 0, 2, 3)
        gz2 = _relu_pool_bwd(gp2, p2, q2, z2.shape).reshape(16, -1)
        grads[2], grads[3] = (gz2 @ cols2.T).reshape(w2.shape), gz2.sum(1)
        gp1 = _col2im(w2m.T @ gz2, p1.shape, 5)
        gz1 = _relu_pool_bwd(gp1, p1, q1, z1.shape).reshape(6, -1)
        grads[0], grads[1] = (gz1 @ cols1.T).reshape(w1.shape), gz1.sum(1)
        for p, g in zip(params, grads):
            p -= LR * g
        return loss

    return step


def _np_chain() -> Step:
    d = data("chain")
    x, w = d["x"], d["w"]
    inv_n = np.float32(1.0 / x.size)

    def step() -> Any:
        u = x * w + np.float32(0.5)
        s = 1 / (1 + np.exp(-u))
        t = np.tanh(x)
        v = s * t
        e = np.exp(v * v - u)
        loss = (e * w + v).mean()
        ge = inv_n * w
        gw = inv_n * e
        gq = ge * e
        gv = inv_n + gq * 2 * v
        gu = gv * t * s * (1 - s) - gq
        gx = gv * s * (1 - t * t) + gu * w
        gw += gu * x
        return loss, gx, gw

    return lambda: step()[0]


# --- MyGrad -------------------------------------------------------------------------------


def _mg_tiny(backward: bool, fresh: bool) -> Step:
    import mygrad as mg

    d = data("tiny")
    A, B = d["a"], d["b"]
    a0, b0 = mg.tensor(A), mg.tensor(B)

    def step() -> Any:
        a, b = (mg.tensor(A), mg.tensor(B)) if fresh else (a0, b0)
        c = a * b + a
        if not backward:
            return c
        c.sum().backward()
        return a.grad

    return step


def _mg_train(forward: Callable, params: list[np.ndarray], x: np.ndarray,
              y: np.ndarray) -> Step:
    import mygrad as mg

    ps = [mg.tensor(p) for p in params]
    xt = mg.tensor(x, constant=True)

    def step() -> Any:
        loss = mg.nnet.softmax_crossentropy(forward(xt, ps), y)
        loss.backward()
        for p in ps:
            p.data -= LR * p.grad
        loss.null_grad()
        return loss

    return step


def _mg_mlp() -> Step:
    import mygrad as mg

    def forward(h: Any, ps: list) -> Any:
        for k in range(0, 6, 2):
            h = mg.matmul(h, ps[k].T) + ps[k + 1]
            if k < 4:
                h = mg.nnet.relu(h)
        return h

    d = data("mlp")
    return _mg_train(forward, _mlp_params(), d["x"], d["y"])


def _mg_cnn() -> Step:
    import mygrad as mg

    relu, conv, pool = mg.nnet.relu, mg.nnet.conv_nd, mg.nnet.max_pool

    def forward(h: Any, ps: list) -> Any:
        for k in (0, 2):
            h = conv(h, ps[k], stride=1) + ps[k + 1].reshape(1, -1, 1, 1)
            h = pool(relu(h), (2, 2), 2)
        h = h.reshape(len(h), -1)
        for k in (4, 6, 8):
            h = mg.matmul(h, ps[k].T) + ps[k + 1]
            if k < 8:
                h = relu(h)
        return h

    d = data("cnn")
    return _mg_train(forward, _cnn_params(), d["x"], d["y"])


def _mg_chain() -> Step:
    import mygrad as mg

    d = data("chain")
    x, w = mg.tensor(d["x"]), mg.tensor(d["w"])

    def step() -> Any:
        loss = chain_math(x, w, mg.nnet.sigmoid, mg.tanh, mg.exp, mg.mean)
        loss.backward()
        loss.null_grad()
        return loss

    return step


# --- HIPS autograd ------------------------------------------------------------------------


def _ag_tiny(backward: bool, fresh: bool) -> Step:
    import autograd.numpy as anp
    from autograd import grad

    d = data("tiny")
    A, B = d["a"], d["b"]
    f = grad(lambda a, b: anp.sum(a * b + a), argnum=(0, 1))  # both grads, as the others

    def step() -> Any:
        a, b = (np.array(A), np.array(B)) if fresh else (A, B)
        return f(a, b)[0] if backward else anp.multiply(a, b) + a

    return step


def _ag_mlp() -> Step:
    import autograd.numpy as anp
    from autograd import value_and_grad

    d = data("mlp")
    x, y = d["x"], d["y"]
    params = _mlp_params()
    rows = np.arange(MLP_BATCH)

    def loss_fn(ps: list) -> Any:
        h = x
        for k in range(0, 6, 2):
            h = anp.dot(h, ps[k].T) + ps[k + 1]
            if k < 4:
                h = anp.maximum(h, 0.0)
        z = h - anp.max(h, axis=1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(logp[rows, y])

    vg = value_and_grad(loss_fn)

    def step() -> Any:
        loss, grads = vg(params)
        for p, g in zip(params, grads):
            p -= LR * g
        return loss

    return step


def _ag_chain() -> Step:
    import autograd.numpy as anp
    from autograd import value_and_grad

    d = data("chain")
    vg = value_and_grad(lambda xw: chain_math(
        xw[0], xw[1], lambda u: 1 / (1 + anp.exp(-u)), anp.tanh, anp.exp, anp.mean))
    xw = [d["x"], d["w"]]
    return lambda: vg(xw)[0]


# --- tinygrad -----------------------------------------------------------------------------


def _synced(step: Step) -> Step:
    """``step`` followed by waiting for the device, so no kernel is left queued when timed."""
    from tinygrad import Device

    dev = Device[Device.DEFAULT]

    def synced() -> Any:
        out = step()
        dev.synchronize()
        return out

    return synced


def _tg_tiny(backward: bool, fresh: bool) -> Step:
    from tinygrad import Tensor

    d = data("tiny")
    A, B = d["a"], d["b"]
    a0, b0 = Tensor(A).realize(), Tensor(B).realize()

    def step() -> Any:
        a, b = (Tensor(A), Tensor(B)) if fresh else (a0, b0)
        c = a * b + a
        if not backward:
            return c.realize()
        a.grad = b.grad = None
        c.sum().backward()
        Tensor.realize(a.grad, b.grad)
        return a.grad

    return _synced(step)


def _tg_train(forward: Callable, params: list[np.ndarray], x: np.ndarray,
              y: np.ndarray) -> Step:
    from tinygrad import Tensor, TinyJit
    from tinygrad import nn as tnn
    from tinygrad.helpers import Context

    ps = [Tensor(p).realize() for p in params]
    xt, yt = Tensor(x).realize(), Tensor(y.astype(np.int32)).realize()
    opt = tnn.optim.SGD(ps, lr=LR)

    @TinyJit
    def jitted() -> Any:
        with Context(TRAINING=1):
            opt.zero_grad()
            xt.grad = None  # tinygrad gives every float tensor a (lazy) grad, data included
            loss = forward(xt, ps).sparse_categorical_crossentropy(yt).backward()
            # One realize, so the loss is computed from the weights before the update.
            Tensor.realize(loss, *opt.schedule_step())
            return loss

    return _synced(jitted)


def _tg_mlp() -> Step:
    def forward(h: Any, ps: list) -> Any:
        for k in range(0, 6, 2):
            h = h.linear(ps[k].T, ps[k + 1])
            if k < 4:
                h = h.relu()
        return h

    d = data("mlp")
    return _tg_train(forward, _mlp_params(), d["x"], d["y"])


def _tg_cnn() -> Step:
    def forward(h: Any, ps: list) -> Any:
        for k in (0, 2):
            h = h.conv2d(ps[k], ps[k + 1]).relu().max_pool2d((2, 2))
        h = h.flatten(1)
        for k in (4, 6, 8):
            h = h.linear(ps[k].T, ps[k + 1])
            if k < 8:
                h = h.relu()
        return h

    d = data("cnn")
    return _tg_train(forward, _cnn_params(), d["x"], d["y"])


def _tg_chain() -> Step:
    from tinygrad import Tensor, TinyJit

    d = data("chain")
    x, w = Tensor(d["x"]).realize(), Tensor(d["w"]).realize()

    @TinyJit
    def jitted() -> Any:
        x.grad = w.grad = None
        loss = chain_math(x, w, Tensor.sigmoid, Tensor.tanh, Tensor.exp, Tensor.mean)
        loss.backward()
        Tensor.realize(loss, x.grad, w.grad)
        return loss

    return _synced(jitted)


def _tiny_set(make: Callable[[bool, bool], Step]) -> dict[str, Callable[[], Step]]:
    return {"tiny_fwd": lambda: make(False, True), "tiny_fwd_ops": lambda: make(False, False),
            "tiny_bwd": lambda: make(True, True), "tiny_bwd_ops": lambda: make(True, False)}


BUILDERS: dict[str, dict[str, Callable[[], Step]]] = {
    "numpy": {"tiny_fwd": _np_tiny_forward, "tiny_fwd_ops": _np_tiny_forward_ops,
              "tiny_bwd": _np_tiny_backward, "mlp": _np_mlp, "cnn": _np_cnn,
              "chain": _np_chain},
    "mygrad": {**_tiny_set(_mg_tiny), "mlp": _mg_mlp, "cnn": _mg_cnn, "chain": _mg_chain},
    "autograd": {**_tiny_set(_ag_tiny), "mlp": _ag_mlp, "chain": _ag_chain},
    "tinygrad": {**_tiny_set(_tg_tiny), "mlp": _tg_mlp, "cnn": _tg_cnn, "chain": _tg_chain},
}

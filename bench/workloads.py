"""The workloads, written once against the PyTorch API and run on both ember and torch.

Every builder takes the library module (``ember`` or ``torch``), builds the model and the
data outside the timed region, and returns a ``step`` callable: one call is what gets
timed. ``step`` returns a tensor the runner reduces to a float on the warm-up calls only, to
check that ember and torch (and the peers, which start from the same numbers) agree.

Parameters are not left to each library's random initialisation: ``param_array`` derives
every parameter from its name and shape, so ember, torch and the peers start from the same
weights and their first two losses (before and after one update) must agree.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Step = Callable[[], Any]

# Shapes from the speed issue; peers import these so that every column runs the same problem.
TINY_N = 10
MLP_SIZES = (784, 256, 128, 10)
MLP_BATCH = 128
CNN_BATCH = 64
TF_BATCH, TF_SEQ, TF_WIDTH, TF_HEADS, TF_FF = 16, 64, 128, 4, 512
LSTM_SEQ, LSTM_BATCH, LSTM_IN, LSTM_HIDDEN, LSTM_CLASSES = 32, 16, 64, 128, 10
CHAIN_N = 1_000_000
LR = 0.01


def param_array(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic float32 values for the parameter called ``name`` (torch's naming)."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if len(shape) == 1 and name.rsplit(".", 1)[-1].startswith("weight"):
        return np.ones(shape, np.float32)  # a norm's scale: random ones would be unrepresentative
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(np.float32)


def data(key: str) -> dict[str, np.ndarray]:
    """The inputs of workload ``key`` as NumPy arrays (the same for every library)."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))

    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    if key.startswith("tiny"):
        return {"a": rng.random(TINY_N).astype(np.float32),
                "b": rng.random(TINY_N).astype(np.float32)}
    if key == "mlp":
        return {"x": normal(MLP_BATCH, MLP_SIZES[0]), "y": rng.integers(0, 10, MLP_BATCH)}
    if key == "cnn":
        return {"x": normal(CNN_BATCH, 1, 28, 28), "y": rng.integers(0, 10, CNN_BATCH)}
    if key == "transformer":
        return {"x": normal(TF_BATCH, TF_SEQ, TF_WIDTH), "y": normal(TF_BATCH, TF_SEQ, TF_WIDTH)}
    if key == "lstm":
        return {"x": normal(LSTM_SEQ, LSTM_BATCH, LSTM_IN),
                "y": rng.integers(0, LSTM_CLASSES, LSTM_BATCH)}
    if key == "chain":
        return {"x": rng.uniform(-1, 1, CHAIN_N).astype(np.float32),
                "w": rng.uniform(-1, 1, CHAIN_N).astype(np.float32)}
    raise KeyError(key)


def init_module(lib: Any, module: Any) -> Any:
    """Overwrite every parameter of ``module`` with ``param_array`` values."""
    with lib.no_grad():
        for name, p in module.named_parameters():
            p.copy_(lib.tensor(param_array(name, tuple(p.shape))))
    return module


# --- torch-API builders (ember and torch) -----------------------------------------------


def tiny_forward(lib: Any) -> Step:
    d = data("tiny")
    A, B = d["a"], d["b"]

    def step() -> Any:
        a = lib.tensor(A, requires_grad=True)
        b = lib.tensor(B, requires_grad=True)
        return a * b + a

    return step


def tiny_forward_ops(lib: Any) -> Step:
    d = data("tiny")
    a = lib.tensor(d["a"], requires_grad=True)
    b = lib.tensor(d["b"], requires_grad=True)

    def step() -> Any:
        return a * b + a

    return step


def tiny_backward(lib: Any) -> Step:
    d = data("tiny")
    A, B = d["a"], d["b"]

    def step() -> Any:
        a = lib.tensor(A, requires_grad=True)
        b = lib.tensor(B, requires_grad=True)
        (a * b + a).sum().backward()
        return a.grad

    return step


def tiny_backward_ops(lib: Any) -> Step:
    d = data("tiny")
    a = lib.tensor(d["a"], requires_grad=True)
    b = lib.tensor(d["b"], requires_grad=True)

    def step() -> Any:
        a.grad = None
        b.grad = None
        (a * b + a).sum().backward()
        return a.grad

    return step


def _train_step(lib: Any, model: Any, loss_fn: Any, opt: Any, x: Any, y: Any) -> Step:
    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def mlp(lib: Any) -> Step:
    nn = lib.nn
    s = MLP_SIZES
    model = init_module(lib, nn.Sequential(
        nn.Linear(s[0], s[1]), nn.ReLU(), nn.Linear(s[1], s[2]), nn.ReLU(), nn.Linear(s[2], s[3])))
    d = data("mlp")
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    return _train_step(lib, model, nn.CrossEntropyLoss(), opt,
                       lib.tensor(d["x"]), lib.tensor(d["y"]))


def lenet(lib: Any) -> Any:
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def cnn(lib: Any) -> Step:
    model = init_module(lib, lenet(lib))
    d = data("cnn")
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    return _train_step(lib, model, lib.nn.CrossEntropyLoss(), opt,
                       lib.tensor(d["x"]), lib.tensor(d["y"]))


def transformer(lib: Any) -> Step:
    layer = lib.nn.TransformerEncoderLayer(TF_WIDTH, nhead=TF_HEADS, dim_feedforward=TF_FF,
                                           batch_first=True, dropout=0.0)
    model = init_module(lib, layer)
    d = data("transformer")
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return _train_step(lib, model, lib.nn.MSELoss(), opt,
                       lib.tensor(d["x"]), lib.tensor(d["y"]))


def lstm(lib: Any) -> Step:
    nn = lib.nn

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn.LSTM(LSTM_IN, LSTM_HIDDEN)
            self.head = nn.Linear(LSTM_HIDDEN, LSTM_CLASSES)

        def forward(self, x: Any) -> Any:
            _, (h, _) = self.rnn(x)
            return self.head(h[-1])

    model = init_module(lib, Model())
    d = data("lstm")
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    return _train_step(lib, model, nn.CrossEntropyLoss(), opt,
                       lib.tensor(d["x"]), lib.tensor(d["y"]))


def chain_math(x: Any, w: Any, sigmoid: Callable, tanh: Callable, exp: Callable,
               mean: Callable) -> Any:
    """The 1M-float chain: 11 elementwise ops, every intermediate saved, x/w/u/v reused."""
    u = x * w + 0.5
    v = sigmoid(u) * tanh(x)
    z = exp(v * v - u) * w
    return mean(z + v)


def chain(lib: Any) -> Step:
    d = data("chain")
    x = lib.tensor(d["x"], requires_grad=True)
    w = lib.tensor(d["w"], requires_grad=True)

    def step() -> Any:
        x.grad = None
        w.grad = None
        loss = chain_math(x, w, lib.sigmoid, lib.tanh, lib.exp, lib.mean)
        loss.backward()
        return loss

    return step


@dataclass
class Workload:
    """One row of the table."""

    key: str
    title: str
    make: Callable[[Any], Step]
    target: float | None = None  # the ceiling on ember/torch
    cheap: bool = False  # fast enough for the smoke test
    memory: bool = True  # False where another row's peak memory says the same


WORKLOADS: list[Workload] = [
    Workload("tiny_fwd", "tiny forward: 2 leaves + a*b+a (10 floats)", tiny_forward, 0.8, True),
    Workload("tiny_fwd_ops", "  same, leaves made once (2 ops only)", tiny_forward_ops, None, True,
             memory=False),
    Workload("tiny_bwd", "tiny fwd+bwd: 2 leaves, (a*b+a).sum().backward()", tiny_backward,
             0.4, True),
    Workload("tiny_bwd_ops", "  same, leaves made once", tiny_backward_ops, None, True,
             memory=False),
    Workload("mlp", "MLP 784-256-128-10 train step, batch 128", mlp, 0.9),
    Workload("cnn", "LeNet CNN train step, batch 64 of 1x28x28", cnn, 1.0),
    Workload("transformer", "transformer block train step (16x64x128, Adam)", transformer),
    Workload("lstm", "LSTM(64,128) train step, seq 32, batch 16", lstm),
    Workload("chain", "elementwise chain fwd+bwd (2 x 1M floats)", chain),
]

"""GPU benchmarks: ember (CuPy) against PyTorch on the same GPU, in one process.

Run ``python -m bench.gpu``. Without a GPU it says so and exits 0. Options: ``--only
NAME[,NAME]`` picks workloads, ``--repeat N`` the samples per library, ``--quick`` a smoke
test, ``--amp`` runs the training steps under ``autocast("cuda")`` with a ``GradScaler``,
``--json PATH`` saves the numbers, ``--device cpu`` runs the same code on the CPU (to check
the script itself; the numbers then mean little).

What is timed. Each workload is built once per library (model, data, optimizer) outside the
timing, warmed up, then sampled alternately (ember, torch, ember, ...). A sample is N calls
between two device synchronisations, divided by N, N chosen so that a sample lasts about
50 ms; the table shows the median sample per library and ember / torch (below 1: ember
faster). torch needs a CUDA build; with a CPU-only torch only ember's column is filled.

Workloads:

- ``tiny``: leaves a, b of 10 float32 values; ``((a * b + a).sum()).backward()``: the fixed
  cost per op (kernel launches and Python), which dominates small models on a GPU.
- ``mlp``: Linear(784,512) ReLU Linear(512,512) ReLU Linear(512,10), cross-entropy, SGD,
  batch 256: one training step.
- ``lenet``: Conv2d(1,6,5) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,120) ReLU Linear(120,84) ReLU Linear(84,10), cross-entropy, SGD, batch 128 of
  1x28x28.
- ``resnet``: a ResNet-style net on 3x32x32 (stem conv, three stages of two residual blocks
  with BatchNorm, 32/64/128 channels, global average pool, Linear(128,10)), SGD with
  momentum, batch 64.
- ``transformer``: two ``nn.TransformerEncoderLayer(256, nhead=8, dim_feedforward=1024,
  batch_first=True, dropout=0.0)`` on (32, 128, 256), MSE to a fixed target, Adam.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

WORKLOADS = ("tiny", "mlp", "lenet", "resnet", "transformer")


def _sync(lib: Any, device: str) -> Callable[[], None]:
    if device == "cpu":
        return lambda: None
    return lib.cuda.synchronize


def _ce(lib: Any) -> Any:
    return lib.nn.functional.cross_entropy


def _train_step(lib: Any, model: Any, opt: Any, x: Any, y: Any, loss_fn: Any, amp: bool,
                device: str) -> Callable[[], None]:
    """zero_grad, forward, loss, backward, step; under autocast + GradScaler with --amp."""
    if not amp:
        def step() -> None:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step
    scaler = lib.amp.GradScaler(device)

    def amp_step() -> None:
        opt.zero_grad()
        with lib.autocast(device, dtype=lib.float16):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    return amp_step


def build(name: str, lib: Any, device: str, amp: bool) -> Callable[[], None]:
    """The step function of workload ``name`` for ``lib`` (ember or torch) on ``device``."""
    nn = lib.nn
    lib.manual_seed(0)
    rng = np.random.default_rng(0)

    def data(*shape: int) -> Any:
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), device=device)

    def labels(n: int, k: int = 10) -> Any:
        return lib.tensor(rng.integers(0, k, n), device=device)

    if name == "tiny":
        a = lib.tensor(rng.standard_normal(10).astype(np.float32), device=device,
                       requires_grad=True)
        b = lib.tensor(rng.standard_normal(10).astype(np.float32), device=device,
                       requires_grad=True)

        def tiny() -> None:
            a.grad = b.grad = None
            (a * b + a).sum().backward()
        return tiny
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 10)).to(device)
        opt = lib.optim.SGD(model.parameters(), lr=0.01)
        return _train_step(lib, model, opt, data(256, 784), labels(256), _ce(lib), amp, device)
    if name == "lenet":
        model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                              nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120),
                              nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                              nn.Linear(84, 10)).to(device)
        opt = lib.optim.SGD(model.parameters(), lr=0.01)
        return _train_step(lib, model, opt, data(128, 1, 28, 28), labels(128), _ce(lib), amp,
                           device)
    if name == "resnet":
        model = _resnet(lib).to(device)
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        return _train_step(lib, model, opt, data(64, 3, 32, 32), labels(64), _ce(lib), amp,
                           device)
    if name == "transformer":
        layer = [nn.TransformerEncoderLayer(256, nhead=8, dim_feedforward=1024,
                                            batch_first=True, dropout=0.0) for _ in range(2)]
        model = nn.Sequential(*layer).to(device)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        return _train_step(lib, model, opt, data(32, 128, 256), data(32, 128, 256),
                           nn.functional.mse_loss, amp, device)
    raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")


def _resnet(lib: Any) -> Any:
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                        nn.BatchNorm2d(cout))
                          if stride != 1 or cin != cout else nn.Identity())

        def forward(self, x: Any) -> Any:
            out = lib.relu(self.bn1(self.conv1(x)))
            return lib.relu(self.bn2(self.conv2(out)) + self.short(x))

    layers = [nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU()]
    cin = 32
    for cout, stride in ((32, 1), (64, 2), (128, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


def _sample(step: Callable[[], None], sync: Callable[[], None], n: int) -> float:
    sync()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    sync()
    return (time.perf_counter() - t0) / n


def measure(steps: dict, syncs: dict, repeat: int, target: float) -> dict:
    """Median seconds per call for each library, sampled alternately."""
    counts = {}
    for lib, step in steps.items():
        for _ in range(3):  # warm-up: CuPy compiles kernels, torch picks algorithms
            step()
        syncs[lib]()
        once = _sample(step, syncs[lib], 1)
        counts[lib] = max(1, min(10_000, int(target / max(once, 1e-7))))
    samples: dict = {lib: [] for lib in steps}
    for _ in range(repeat):
        for lib, step in steps.items():
            samples[lib].append(_sample(step, syncs[lib], counts[lib]))
    return {lib: statistics.median(s) for lib, s in samples.items()}


def torch_on(device: str) -> Any:
    """torch if it can run on ``device`` (a CUDA build for the GPU), else None."""
    try:
        import torch
    except ImportError:
        return None
    if device != "cpu" and not torch.cuda.is_available():
        return None
    return torch


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.gpu", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=None, help="comma-separated workloads: " +
                   ", ".join(WORKLOADS))
    p.add_argument("--repeat", type=int, default=7, help="samples per library (median)")
    p.add_argument("--quick", action="store_true", help="smoke test: 2 short samples")
    p.add_argument("--amp", action="store_true",
                   help="training steps under autocast(float16) with a GradScaler")
    p.add_argument("--device", default="cuda", help="cuda (default) or cpu (to check the script)")
    p.add_argument("--json", default=None, help="save the results here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import ember

    device = args.device
    if device != "cpu" and not ember.cuda.is_available():
        print("no GPU: ember's CUDA backend needs an NVIDIA GPU and CuPy "
              "(pip install 'ember[cuda]'); nothing to benchmark.")
        return 0
    names = WORKLOADS if args.only is None else tuple(args.only.split(","))
    repeat, target = (2, 0.01) if args.quick else (args.repeat, 0.05)
    torch = torch_on(device)
    libs = {"ember": ember} if torch is None else {"ember": ember, "torch": torch}
    if device != "cpu":
        print(f"GPU: {ember.cuda.get_device_name()}; torch: "
              + ("n/a (CPU-only build)" if torch is None else torch.__version__))
    if torch is not None and device != "cpu":
        # The same math on both sides: no TF32 unless asked for, no autotuning.
        torch.backends.cuda.matmul.allow_tf32 = ember.backends.cuda.matmul.allow_tf32
        torch.backends.cudnn.allow_tf32 = ember.backends.cudnn.allow_tf32
    results = {}
    print(f"{'workload':<12} {'ember (ms)':>11} {'torch (ms)':>11} {'ember/torch':>12}")
    for name in names:
        steps = {k: build(name, lib, device, args.amp) for k, lib in libs.items()}
        syncs = {k: _sync(lib, device) for k, lib in libs.items()}
        med = measure(steps, syncs, repeat, target)
        results[name] = {k: v * 1e3 for k, v in med.items()}
        t = med.get("torch")
        ratio = f"{med['ember'] / t:12.2f}" if t else f"{'':>12}"
        tcol = f"{t * 1e3:11.3f}" if t else f"{'n/a':>11}"
        print(f"{name:<12} {med['ember'] * 1e3:11.3f} {tcol} {ratio}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"device": device, "amp": args.amp, "ms": results}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Side-by-side benchmarks: ember against PyTorch in one process.

Run ``python -m bench`` (``--json out.json`` to save the numbers, ``--only NAME`` to pick
workloads). Each workload is built once per library, warmed up, then timed alternately
(ember, torch, ember, ...) so that both see the same machine state; the table gives the
median time of each and the ratio ember / torch (below 1 means ember is faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _tiny_forward(lib: Any) -> Callable:
    a = lib.tensor(np.random.rand(10).astype(np.float32), requires_grad=True)
    b = lib.tensor(np.random.rand(10).astype(np.float32), requires_grad=True)

    def step() -> None:
        a * b + a

    return step


def _tiny_backward(lib: Any) -> Callable:
    a = lib.tensor(np.random.rand(10).astype(np.float32), requires_grad=True)
    b = lib.tensor(np.random.rand(10).astype(np.float32), requires_grad=True)

    def step() -> None:
        (a * b + a).sum().backward()

    return step


def _mlp(lib: Any) -> Callable:
    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        w = lib.tensor((rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32),
                       requires_grad=True)
        b = lib.tensor(np.zeros(o, np.float32), requires_grad=True)
        params += [w, b]
    x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 128))
    F = lib.nn.functional

    def step() -> None:
        h = x
        for k in range(0, len(params), 2):
            h = F.linear(h, params[k], params[k + 1])
            if k < len(params) - 2:
                h = F.relu(h)
        loss = F.cross_entropy(h, y)
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad

    return step


def _elementwise_chain(lib: Any) -> Callable:
    x = lib.tensor(np.random.rand(1_000_000).astype(np.float32), requires_grad=True)

    def step() -> None:
        y = (x * 1.5 + 0.5).sigmoid() * x.tanh()
        y.exp().mean().backward()

    return step


WORKLOADS: dict[str, tuple[Callable, int]] = {
    "tiny forward (a*b + a, 10 floats)": (_tiny_forward, 2000),
    "tiny forward+backward": (_tiny_backward, 500),
    "MLP 784-256-128-10 train step (batch 128)": (_mlp, 20),
    "elementwise chain fwd+bwd (1M floats)": (_elementwise_chain, 5),
}


def _time(step: Callable, number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        step()
    return (time.perf_counter() - t0) / number


def run(only: str | None = None, repeats: int = 7) -> list[dict]:
    """Time every workload on ember and torch; return one row per workload."""
    import torch

    import ember

    torch.set_num_threads(1)
    rows = []
    for name, (make, number) in WORKLOADS.items():
        if only and only not in name:
            continue
        steps = {}
        for lib in (ember, torch):
            try:
                steps[lib.__name__] = make(lib)
                steps[lib.__name__]()  # warm-up
            except Exception as e:  # noqa: BLE001  (a missing op skips the row, not the run)
                steps[lib.__name__] = e
        if any(isinstance(s, Exception) for s in steps.values()):
            rows.append({"workload": name, "error": repr(steps["ember"])[:80]})
            continue
        times: dict[str, list[float]] = {"ember": [], "torch": []}
        for _ in range(repeats):
            for lib_name in ("ember", "torch"):
                times[lib_name].append(_time(steps[lib_name], number))
        e, t = statistics.median(times["ember"]), statistics.median(times["torch"])
        rows.append({"workload": name, "ember_s": e, "torch_s": t, "ratio": e / t})
    return rows


def _fmt(s: float) -> str:
    return f"{s * 1e6:9.1f} us" if s < 1e-3 else f"{s * 1e3:9.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--only", help="run workloads whose name contains this")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    rows = run(args.only, args.repeats)
    print(f"{'workload':45s} {'ember':>12s} {'torch':>12s} {'ember/torch':>12s}")
    for r in rows:
        if "error" in r:
            print(f"{r['workload']:45s} skipped: {r['error']}")
        else:
            print(f"{r['workload']:45s} {_fmt(r['ember_s'])} {_fmt(r['torch_s'])} "
                  f"{r['ratio']:12.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()

"""Side-by-side benchmarks: ember against PyTorch (and peers) in one process.

Run ``python -m bench``; ``--json out.json`` saves the numbers, ``--only NAME[,NAME]``
picks workloads by key or by words of the title, ``--repeat N`` sets the samples per
library, ``--quick`` is a smoke test (few, short samples), ``--verbose`` adds every sample
and ``-X importtime``'s slowest modules for ``import ember``.

What is timed. Every workload is built once per library outside the timing (model, data,
optimizer), warmed up (at least 3 calls and 0.2 s; tinygrad's JIT captures on its second
call), then sampled alternately: each round times one sample of every library, the order
rotating round by round so that no library always runs after the same one. A sample is a
loop of N calls divided by N, N chosen per library so that a sample lasts ~40 ms: timer
resolution and per-sample overhead vanish even for microsecond workloads. The table shows
the median sample and ember / torch (below 1: ember faster). The garbage collector stays
on (cyclic garbage is part of a library's cost); it is run once before each workload.

One thread everywhere: ``torch.set_num_threads(1)``, NumPy's BLAS and OpenMP pools
limited to one thread with threadpoolctl (optional: without it the runner warns and uses
whatever OPENBLAS/OMP_NUM_THREADS the process started with; ``python -m bench`` sets them
to 1 before NumPy loads), ``NUM_CPU_THREADS=1`` and ``DEV=CPU`` for tinygrad. On a busy
2-core machine a multithreaded OpenBLAS spins against the other process and a NumPy MLP
step can go from 1.3 ms to 90 ms, so this is not optional for meaningful numbers.

The workloads (keys for ``--only``), following the speed issue:

- ``tiny_fwd``: ``a = tensor(A, requires_grad=True)``, same for ``b`` (A, B: 10 float32
  values in NumPy arrays), then ``a * b + a``. The leaves are made inside the step because
  that is what reproduces the issue's torch figure (9.3 us there; 7-9 us here, against
  ~3 us for the two ops on leaves made once), and its NumPy floor (1.8 us there, ~1 us
  here with the two arrays copied, 0.5 us without).
- ``tiny_fwd_ops``: the same two ops on leaves made once (extra row, no target): the pure
  per-op dispatch overhead.
- ``tiny_bwd``: fresh leaves, ``(a * b + a).sum().backward()``. The issue's torch figure
  (123 us) is not reproduced by any plausible reading: torch takes 22-30 us here with
  leaves made once or per step, from arrays or lists; only anomaly detection (~105 us) or
  tracemalloc running during the timing (~95 us) come near it.
- ``tiny_bwd_ops``: leaves made once, ``a.grad = b.grad = None`` then the same (extra row).
- ``mlp``: ``nn.Sequential(Linear(784,256), ReLU, Linear(256,128), ReLU, Linear(128,10))``,
  ``CrossEntropyLoss``, ``optim.SGD(lr=0.01)``; the step is ``zero_grad``, forward, loss,
  ``backward``, ``step`` on a fixed batch of 128. This matches the issue: the hand-written
  NumPy floor / torch is 0.79-0.82 here and 0.81 there; torch's 2.85 ms there against
  ~1.6 ms here is the machine's BLAS (torch with 2 threads here: 0.9 ms).
- ``cnn``: LeNet: Conv2d(1,6,5) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,120) ReLU Linear(120,84) ReLU Linear(84,10), cross-entropy, SGD, batch 64 of
  1x28x28.
- ``transformer``: ``nn.TransformerEncoderLayer(128, nhead=4, dim_feedforward=512,
  batch_first=True, dropout=0.0)`` on a (16, 64, 128) batch, MSELoss to a fixed target,
  ``optim.Adam(lr=1e-3)``.
- ``lstm``: ``nn.LSTM(64, 128)`` over (seq 32, batch 16, 64), ``Linear(128, 10)`` on the
  last hidden state, cross-entropy, SGD.
- ``chain``: leaves x, w of 1M float32 each; ``u = x*w + 0.5; v = sigmoid(u) * tanh(x);
  loss = mean(exp(v*v - u) * w + v)``, then ``backward`` (grads reset to None each step):
  11 elementwise ops, all saved for backward, four tensors used twice (gradient
  accumulation).

Every library starts from the same weights and data (``workloads.param_array``); the
first two warm-up results (before and after one update) are compared with torch's and a
mismatch is reported under the table. Peers are described in ``bench.peers``; peak memory
in ``bench.memory``. Import time is ``import X`` timed inside a fresh ``python -c``
(interpreter start-up excluded), median of several runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench import peers as _peers
from bench.workloads import WORKLOADS, Step, Workload

LIBS = ("ember", "torch")
# Single-threaded BLAS/OpenMP for subprocesses, and tinygrad on its CPU device, one thread.
BENCH_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
             "NUM_CPU_THREADS": "1", "DEV": "CPU"}
CHECK_RTOL, CHECK_ATOL = 2e-3, 1e-5


@dataclass
class Settings:
    """How long to sample; ``--quick`` shrinks everything for a smoke test."""

    repeats: int = 11
    sample_s: float = 0.04
    warmup_s: float = 0.2
    import_runs: int = 5

    @classmethod
    def quick(cls) -> Settings:
        return cls(repeats=3, sample_s=0.005, warmup_s=0.0, import_runs=1)


def _time(step: Callable, number: int) -> float:
    """Mean seconds per call over ``number`` back-to-back calls."""
    t0 = time.perf_counter()
    for _ in range(number):
        step()
    return (time.perf_counter() - t0) / number


def _to_float(v: Any) -> float:
    """Reduce a step's result (any library's tensor, an array or a scalar) to one float."""
    if hasattr(v, "detach"):
        v = v.detach()
    if hasattr(v, "numpy"):
        v = v.numpy()
    return float(np.sum(np.asarray(v, dtype=np.float64)))


def _warm_up(step: Step, settings: Settings) -> tuple[list[float], float]:
    """Run ``step`` until warm; return its first two results and the seconds per call."""
    check = [_to_float(step()), _to_float(step())]
    step()
    t0 = time.perf_counter()
    calls = 0
    while calls < 1 or time.perf_counter() - t0 < settings.warmup_s:
        step()
        calls += 1
    return check, (time.perf_counter() - t0) / calls


def _selected(only: str | Iterable[str] | None) -> list[Workload]:
    if not only:
        return list(WORKLOADS)
    names = [only] if isinstance(only, str) else list(only)
    names = [n.strip().lower() for part in names for n in part.split(",") if n.strip()]
    return [w for w in WORKLOADS
            if any(n in w.key or n in w.title.lower() for n in names)]


def _thread_limits(stack: ExitStack) -> dict[str, Any]:
    """Limit every BLAS/OpenMP pool loaded so far to one thread, until ``stack`` closes."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        print("warning: threadpoolctl is not installed; NumPy's BLAS may use several threads "
              "(pip install threadpoolctl, or run via `python -m bench`)", file=sys.stderr)
        return {"threadpoolctl": False,
                "env": {k: os.environ.get(k) for k in BENCH_ENV}}
    stack.enter_context(threadpool_limits(1))
    return {"threadpoolctl": True,
            "pools": [{"api": p["internal_api"], "lib": os.path.basename(p["filepath"]),
                       "threads": p["num_threads"]} for p in threadpool_info()]}


def _import_libs(peer_names: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
    import torch

    import ember

    libs: dict[str, Any] = {"ember": ember, "torch": torch}
    skipped: dict[str, str] = {}
    for name in peer_names:
        if name == "tinygrad" and "tinygrad" not in sys.modules:
            for var in ("NUM_CPU_THREADS", "DEV"):  # read once, when tinygrad loads
                os.environ.setdefault(var, BENCH_ENV[var])
        why = _peers.available(name)
        if why is None:
            libs[name] = name
        else:
            skipped[name] = why
    return libs, skipped


def _bench_workload(w: Workload, libs: dict[str, Any], settings: Settings,
                    log: Callable[[str], None]) -> dict[str, Any]:
    row: dict[str, Any] = {"key": w.key, "title": w.title, "target": w.target,
                           "median_s": {}, "ratio": {}, "calls_per_sample": {},
                           "samples_s": {}, "check": {}, "errors": {}, "mismatch": []}
    steps: dict[str, Step] = {}
    for name, lib in libs.items():
        if name not in LIBS and w.key not in _peers.BUILDERS[name]:
            continue
        try:
            step = w.make(lib) if name in LIBS else _peers.BUILDERS[name][w.key]()
            check, per_call = _warm_up(step, settings)
        except Exception as e:  # noqa: BLE001  (a missing op skips the cell, not the run)
            row["errors"][name] = f"{type(e).__name__}: {e}"[:160]
            log(f"  {name}: {row['errors'][name]}")
            continue
        steps[name] = step
        row["check"][name] = check
        row["calls_per_sample"][name] = max(1, round(settings.sample_s / max(per_call, 1e-9)))
    gc.collect()
    order = list(steps)
    samples: dict[str, list[float]] = {name: [] for name in order}
    for r in range(settings.repeats):
        k = r % len(order) if order else 0
        for name in order[k:] + order[:k]:
            samples[name].append(_time(steps[name], row["calls_per_sample"][name]))
    for name, s in samples.items():
        row["samples_s"][name] = s
        row["median_s"][name] = statistics.median(s)
    t = row["median_s"].get("torch")
    for name, m in row["median_s"].items():
        row["ratio"][name] = m / t if t else None
    ref = row["check"].get("torch")
    if ref:
        for name, c in row["check"].items():
            if not all(math.isclose(a, b, rel_tol=CHECK_RTOL, abs_tol=CHECK_ATOL)
                       for a, b in zip(c, ref)):
                row["mismatch"].append(name)
    row["meets_target"] = _meets_target(row)
    return row


def _meets_target(row: dict[str, Any]) -> bool | None:
    """The issue's bar: ember/torch within the target and ember faster than every peer."""
    if row["target"] is None or "ember" not in row["ratio"] or row["ratio"]["ember"] is None:
        return None
    e = row["median_s"]["ember"]
    beats_peers = all(e < m for name, m in row["median_s"].items() if name not in LIBS)
    return row["ratio"]["ember"] <= row["target"] and beats_peers


def measure_memory(key: str, lib: str, timeout: float = 300) -> dict[str, Any]:
    """Peak memory of workload ``key`` on ``lib``, from a fresh ``python -m bench.memory``."""
    env = {**os.environ, **BENCH_ENV}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    try:
        out = subprocess.run([sys.executable, "-m", "bench.memory", key, lib], env=env,
                             capture_output=True, text=True, timeout=timeout, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        err = getattr(e, "stderr", None) or str(e)
        return {"error": err.strip().splitlines()[-1][:160] if err.strip() else repr(e)}


def import_times(mods: Iterable[str] = ("ember", "torch"), runs: int = 5) -> dict[str, Any]:
    """Median seconds of ``import mod`` in fresh interpreters (start-up itself excluded)."""
    code = "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
    out: dict[str, Any] = {}
    env = {**os.environ, **BENCH_ENV}
    for mod in mods:
        ts = [float(subprocess.run([sys.executable, "-c", code.format(mod)], env=env,
                                   capture_output=True, text=True, check=True).stdout)
              for _ in range(runs)]
        out[mod] = {"median_s": statistics.median(ts), "runs_s": ts}
    return out


def import_offenders(mod: str = "ember", top: int = 12) -> list[dict[str, Any]]:
    """The slowest modules of ``import mod`` by self time, from ``python -X importtime``."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {mod}"],
                         capture_output=True, text=True, check=True, env={**os.environ,
                                                                           **BENCH_ENV})
    rows = []
    for line in res.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        rows.append({"module": parts[2].strip(), "self_us": int(parts[0]),
                     "cumulative_us": int(parts[1])})
    return sorted(rows, key=lambda r: -r["self_us"])[:top]


def run(only: str | Iterable[str] | None = None, repeats: int | None = None,
        quick: bool = False, peers: Iterable[str] | None = _peers.PEERS, memory: bool = True,
        imports: bool = True, verbose: bool = False,
        log: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Time the selected workloads; return ``{"config", "workloads", "import_time"}``.

    ``peers`` None or empty runs ember and torch only; ``memory`` adds a subprocess per
    (workload, library) for peak memory (peers only on the non-tiny workloads, and not in
    quick mode); ``imports`` times ``import ember`` and ``import torch``. Thread settings
    are restored on return (torch's count, the BLAS limits).
    """
    settings = Settings.quick() if quick else Settings()
    if repeats:
        settings.repeats = repeats
    libs, skipped = _import_libs(peers or ())
    torch = libs["torch"]
    torch_threads = torch.get_num_threads()
    result: dict[str, Any] = {"workloads": [], "import_time": None}
    with ExitStack() as stack:
        torch.set_num_threads(1)
        stack.callback(torch.set_num_threads, torch_threads)
        threads = _thread_limits(stack)
        result["config"] = {
            "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "loadavg_start": _loadavg(),
            "versions": {"ember": getattr(libs["ember"], "__version__", "?"),
                         "torch": torch.__version__, "numpy": np.__version__,
                         **{p: _peers.version(p) for p in libs if p not in LIBS}},
            "threads": {"torch": torch.get_num_threads(), **threads},
            "settings": vars(settings), "peers": [p for p in libs if p not in LIBS],
            "skipped_peers": skipped,
        }
        for name, why in skipped.items():
            log(f"peer {name} skipped: {why}")
        phases = result["config"]["phase_s"] = {}
        t0 = time.perf_counter()
        for w in _selected(only):
            log(f"{w.key} ...")
            result["workloads"].append(_bench_workload(w, libs, settings, log))
        phases["timing"] = round(time.perf_counter() - t0, 1)
        result["config"]["loadavg_end"] = _loadavg()
    t0 = time.perf_counter()
    if memory:
        wants = {w.key for w in WORKLOADS if w.memory}
        jobs = [(row, lib) for row in result["workloads"] if row["key"] in wants
                for lib in row["median_s"]
                if lib in LIBS or not (quick or row["key"].startswith("tiny"))]
        log(f"peak memory: {len(jobs)} subprocesses ...")
        # Two at a time: timing is over, and RSS does not depend on what runs beside it.
        with ThreadPoolExecutor(2) as pool:
            mems = list(pool.map(lambda j: measure_memory(j[0]["key"], j[1]), jobs))
        for (row, lib), mem in zip(jobs, mems):
            row.setdefault("peak_mb", {})[lib] = mem
        phases["memory"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    if imports:
        log("import times ...")
        result["import_time"] = import_times(runs=settings.import_runs)
        if verbose:
            result["import_time"]["ember_offenders"] = import_offenders()
        phases["imports"] = round(time.perf_counter() - t0, 1)
    if not verbose:
        for row in result["workloads"]:
            row.pop("samples_s")
    return result


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --- output -------------------------------------------------------------------------------


def _fmt(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def _mb(m: dict[str, Any] | None) -> str:
    if not m:
        return "-"
    if "error" in m:
        return "error"
    step = m.get("step_mb")
    return f"{m['total_mb']:.1f}/{step:.1f}" if step is not None else f"{m['total_mb']:.1f}"


def format_table(result: dict[str, Any]) -> str:
    """The human-readable report of a ``run`` result."""
    cfg = result["config"]
    peer_names = cfg["peers"]
    lines = []
    pools = ", ".join(f"{p['api']} {p['threads']}" for p in cfg["threads"].get("pools", []))
    lines.append(f"ember {cfg['versions']['ember']} vs torch {cfg['versions']['torch']}, "
                 f"numpy {cfg['versions']['numpy']}, python {cfg['python']}, "
                 f"{cfg['cpus']} cpus; threads: torch {cfg['threads']['torch']}"
                 + (f", {pools}" if pools else ", BLAS not limited (no threadpoolctl)"))
    lines.append(f"median of {cfg['settings']['repeats']} samples (~"
                 f"{cfg['settings']['sample_s'] * 1e3:.0f} ms each), alternating; "
                 f"load average {cfg['loadavg_start']} -> {cfg['loadavg_end']}")
    lines.append("")
    head = (f"{'workload':50s} {'ember':>10s} {'torch':>10s} {'e/t':>6s} {'target':>7s} "
            f"{'ok?':>4s}")
    head += "".join(f" | {p:>17s}" for p in peer_names)
    lines.append(head)
    lines.append("-" * len(head))
    notes = []
    for row in result["workloads"]:
        med, ratio = row["median_s"], row["ratio"]
        er = ratio.get("ember")
        ok = {True: "yes", False: "NO", None: "-"}[row.get("meets_target")]
        target = f"<={row['target']:.2f}" if row["target"] else "-"
        er_s = f"{er:.2f}" if er is not None else "-"
        line = (f"{row['title']:50s} {_fmt(med.get('ember')):>10s} "
                f"{_fmt(med.get('torch')):>10s} {er_s:>6s} {target:>7s} {ok:>4s}")
        for p in peer_names:
            cell = "-"
            if p in med:
                r = ratio.get(p)
                cell = _fmt(med[p]) + (f" {r:5.2f}x" if r is not None else "")
            line += f" | {cell:>17s}"
        lines.append(line)
        for lib, err in row["errors"].items():
            notes.append(f"{row['key']}: {lib} failed: {err}")
        for lib in row["mismatch"]:
            notes.append(f"{row['key']}: {lib} result differs from torch: "
                         f"{row['check'][lib]} vs {row['check']['torch']}")
    lines.append("e/t = ember / torch; peers: time and peer / torch. ok? = within the "
                 "issue's target and faster than every peer that ran.")
    if any("peak_mb" in row for row in result["workloads"]):
        lines.append("")
        libs = list(LIBS) + peer_names
        head = f"{'peak memory, MB total/step (RSS)':50s}" + "".join(f" {n:>13s}" for n in libs)
        head += f" {'ember tracemalloc':>18s}"
        lines.append(head)
        lines.append("-" * len(head))
        for row in result["workloads"]:
            if "peak_mb" not in row:
                continue
            mem = row["peak_mb"]
            tm = (mem.get("ember") or {}).get("tracemalloc_step_mb")
            lines.append(f"{row['title']:50s}" + "".join(f" {_mb(mem.get(n)):>13s}" for n in libs)
                         + f" {(f'{tm:.1f}' if tm is not None else '-'):>18s}")
            for lib, m in mem.items():
                if "error" in m:
                    notes.append(f"{row['key']}: memory of {lib} failed: {m['error']}")
        lines.append("total: high-water RSS above the RSS after import; step: steady-state "
                     "step's peak above the RSS before it (bench/memory.py).")
    it = result.get("import_time")
    if it:
        e, t = it["ember"]["median_s"], it["torch"]["median_s"]
        lines.append("")
        lines.append(f"import time: ember {_fmt(e)}, torch {_fmt(t)} (ember / torch {e / t:.2f})")
        for o in it.get("ember_offenders", []):
            lines.append(f"  {o['self_us'] / 1e3:8.1f} ms self {o['cumulative_us'] / 1e3:8.1f} ms "
                         f"cumulative  {o['module']}")
    for name, why in result["config"]["skipped_peers"].items():
        notes.append(f"peer {name} skipped: {why}")
    if notes:
        lines.append("")
        lines += notes
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """The ``python -m bench`` entry point; returns the result it printed."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", metavar="PATH", help="write the numbers to this file")
    ap.add_argument("--only", metavar="NAME", help="workloads by key or title words, "
                    "comma-separated: " + ", ".join(w.key for w in WORKLOADS))
    ap.add_argument("--repeat", "--repeats", type=int, dest="repeat",
                    help="samples per library and workload (default 11)")
    ap.add_argument("--quick", action="store_true", help="few short samples: a smoke test")
    ap.add_argument("--peers", default=",".join(_peers.PEERS),
                    help="comma-separated peers to try, or 'none' (default: all installed)")
    ap.add_argument("--no-memory", action="store_true", help="skip peak memory")
    ap.add_argument("--no-import", action="store_true", help="skip import times")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="progress, every sample in the JSON, ember's slowest imports")
    args = ap.parse_args(argv)
    peer_names = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    unknown = set(peer_names) - set(_peers.PEERS)
    if unknown:
        ap.error(f"unknown peers {sorted(unknown)}; known: {', '.join(_peers.PEERS)}")
    if not _selected(args.only):
        ap.error(f"no workload matches {args.only!r}; keys: "
                 + ", ".join(w.key for w in WORKLOADS))
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if args.verbose else (lambda s: None)
    t0 = time.perf_counter()
    result = run(args.only, args.repeat, args.quick, peer_names, not args.no_memory,
                 not args.no_import, args.verbose, log)
    result["config"]["wall_s"] = round(time.perf_counter() - t0, 1)
    print(format_table(result))
    phases = ", ".join(f"{k} {v} s" for k, v in result["config"]["phase_s"].items())
    print(f"\n({result['config']['wall_s']} s: {phases})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()

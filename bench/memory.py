"""Peak memory of one workload on one library, measured in a fresh subprocess.

``python -m bench.memory KEY LIB`` prints one JSON object. tracemalloc cannot be the common
measure: it sees NumPy's allocations (ember, MyGrad, HIPS autograd, NumPy by hand) but not
torch's or tinygrad's own allocators. The resident set can be read the same way for all of
them, so the numbers compared are RSS, from Linux's ``/proc/self/status``:

- ``total_mb``: the process's high-water mark (VmHWM) minus its RSS right after importing
  the library: the model, the data, warm-up (tinygrad's JIT compiling included), gradients,
  optimiser state and the largest step. For torch this includes ~8 MB of lazy
  initialisation on the first op (see the tiny workloads, whose tensors weigh nothing) and
  more when the first matmul or conv loads its kernels; for tinygrad, its compiler's state.
- ``step_mb``: after warm-up, freed heap is handed back (``malloc_trim``), the high-water
  mark is reset (``echo 5 > /proc/self/clear_refs``) and three more steps run; their peak
  minus the RSS before them. This is the transient memory of a step in steady state:
  activations kept for backward, gradients (``zero_grad`` frees them in ember and torch),
  temporaries. Buffers a library keeps between steps (tinygrad's JIT, MyGrad's and HIPS's
  none) count in ``total_mb`` only.
- ``tracemalloc_step_mb`` (NumPy-based libraries only): the same steady-state steps under
  tracemalloc, counting NumPy's buffers and Python objects without allocator slack.

A subprocess per (workload, library) keeps one measurement's freed-but-kept heap from
hiding the next one's peak. Where ``/proc`` is missing (not Linux) the totals fall back
on ``getrusage``'s ``ru_maxrss`` and ``step_mb`` is None.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import sys
import tracemalloc
from typing import Any

_NUMPY_BASED = {"ember", "mygrad", "autograd", "numpy"}
_MB = 1024 * 1024


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.MULTILINE)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def _rss_and_hwm() -> tuple[float, float]:
    rss, hwm = _status_kb("VmRSS"), _status_kb("VmHWM")
    if rss is None or hwm is None:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
        return float(peak), float(peak)
    return rss * 1024.0, hwm * 1024.0


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _trim() -> None:
    """Hand freed heap back to the OS, so that RSS is live memory, not allocator slack.

    Without it a step's peak hides in the heap the previous step freed but glibc kept, and
    the steady-state figure reads 0 for everything.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS then includes the slack
        pass


def _build(key: str, lib: str) -> Any:
    from bench import peers, workloads

    if lib in ("ember", "torch"):
        import importlib

        mod = importlib.import_module(lib)
        if lib == "torch":
            mod.set_num_threads(1)
        return next(w for w in workloads.WORKLOADS if w.key == key).make(mod)
    return peers.BUILDERS[lib][key]()


def measure(key: str, lib: str, warmup: int = 3, steps: int = 3) -> dict[str, float | None]:
    """Run workload ``key`` on ``lib`` in this process and return its memory figures (MB)."""
    import importlib

    importlib.import_module({"autograd": "autograd.numpy"}.get(lib, lib))
    _trim()
    base, _ = _rss_and_hwm()
    step = _build(key, lib)
    for _ in range(warmup):
        step()
    _trim()
    ready, hwm_warm = _rss_and_hwm()
    can_reset = _reset_hwm()
    for _ in range(steps):
        step()
    _, hwm_steps = _rss_and_hwm()
    out: dict[str, float | None] = {
        "total_mb": (max(hwm_warm, hwm_steps) - base) / _MB,
        "step_mb": (hwm_steps - ready) / _MB if can_reset else None,
        "tracemalloc_step_mb": None,
    }
    if lib in _NUMPY_BASED:
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(steps):
            step()
        out["tracemalloc_step_mb"] = (tracemalloc.get_traced_memory()[1] - start) / _MB
        tracemalloc.stop()
    return out


def main() -> None:
    key, lib = sys.argv[1], sys.argv[2]
    # Same single-thread setting as the timed run: thread pools' stacks and buffers are RSS.
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    print(json.dumps(measure(key, lib)))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (tinygrad's atexit hooks): nothing left to report


if __name__ == "__main__":
    main()

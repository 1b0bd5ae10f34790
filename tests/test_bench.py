"""Smoke test of the benchmark runner: it runs and reports finite numbers (no timing checks)."""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

from bench.run import import_times, main, measure_memory, run  # noqa: E402
from bench.workloads import WORKLOADS  # noqa: E402

CHEAP = [w.key for w in WORKLOADS if w.cheap]
ROW_KEYS = {"key", "title", "target", "median_s", "ratio", "calls_per_sample", "check",
            "errors", "mismatch", "meets_target"}


def _finite(x):
    return isinstance(x, float) and math.isfinite(x)


def test_quick_run_cheap_workloads():
    import torch

    threads = torch.get_num_threads()
    result = run(only=CHEAP, quick=True, peers=("numpy", "mygrad", "autograd"),
                 memory=False, imports=False)
    assert torch.get_num_threads() == threads  # the runner restores what it changed
    assert [row["key"] for row in result["workloads"]] == CHEAP
    for row in result["workloads"]:
        assert ROW_KEYS <= set(row)
        assert not row["errors"], row["errors"]
        for lib in ("ember", "torch"):
            assert _finite(row["median_s"][lib]) and row["median_s"][lib] > 0
            assert _finite(row["ratio"][lib])
            assert all(_finite(v) for v in row["check"][lib])
        for lib, m in row["median_s"].items():
            assert _finite(m), lib


def test_json_output(tmp_path):
    path = tmp_path / "bench.json"
    main(["--quick", "--only", "tiny_fwd_ops", "--peers", "none", "--no-memory",
          "--no-import", "--json", str(path)])
    data = json.loads(path.read_text())
    assert {"config", "workloads", "import_time"} <= set(data)
    assert {"versions", "threads", "settings", "peers"} <= set(data["config"])
    (row,) = data["workloads"]
    assert ROW_KEYS <= set(row)
    assert set(row["median_s"]) == {"ember", "torch"}


def test_memory_and_import_time():
    mem = measure_memory("tiny_fwd_ops", "ember")
    assert "error" not in mem, mem
    assert _finite(mem["total_mb"]) and _finite(mem["tracemalloc_step_mb"])
    assert mem["step_mb"] is None or _finite(mem["step_mb"])
    t = import_times(("ember",), runs=1)
    assert _finite(t["ember"]["median_s"]) and t["ember"]["median_s"] > 0

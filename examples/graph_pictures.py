"""Pictures of autograd graphs: python examples/graph_pictures.py

Draws the backward graph of seed 000's ``z = w*x + b`` and of a small CNN's loss with
``ember.viz.make_dot`` (torchviz's make_dot), as PNG files in runs/. Drawing needs the
graphviz package and the Graphviz ``dot`` program; without them the DOT text is written
instead (runs/*.dot), which any Graphviz viewer can open later.
"""

from __future__ import annotations

import os
from typing import Any

import ember as torch
from ember.viz import GraphvizMissing, make_dot

OUT = "runs"


def save(dot: Any, name: str) -> None:
    """Render ``dot`` to runs/<name>.png, or keep its DOT text when Graphviz is missing."""
    path = os.path.join(OUT, name)
    try:
        print("wrote", dot.render(path, format="png", cleanup=True))
    except GraphvizMissing as e:
        if os.path.exists(path):  # graphviz writes the source before it looks for dot
            os.remove(path)
        with open(path + ".dot", "w", encoding="utf-8") as f:
            f.write(dot.source)
        print(f"wrote {path}.dot (no picture: {e})")


def seed000() -> Any:
    """Seed 000: leaves w and b require grad, x does not; z = w*x + b."""
    torch.manual_seed(0)
    x = torch.Tensor([2])
    w = torch.randn(1, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    z = torch.add(torch.mul(w, x), b)
    return make_dot(z, params={"w": w, "b": b})


def small_cnn() -> Any:
    """conv -> relu -> max-pool -> linear -> cross-entropy."""
    from ember import nn

    torch.manual_seed(0)
    images = torch.randn(2, 1, 8, 8)
    labels = torch.tensor([1, 0])
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    loss = nn.functional.cross_entropy(model(images), labels)
    return make_dot(loss, params=dict(model.named_parameters()), show_saved=True)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    save(seed000(), "seed000_graph")
    save(small_cnn(), "small_cnn_graph")


if __name__ == "__main__":
    main()

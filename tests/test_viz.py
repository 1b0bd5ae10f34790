"""ember.viz.make_dot: the backward graph as a Graphviz digraph (torchviz's make_dot).

The node names are compared with the grad_fn names of the same computation in torch. The
``graphviz`` package and the ``dot`` program are optional: tests that need them skip.
"""

from __future__ import annotations

import builtins
import re
import shutil
import sys
from typing import Any

import numpy as np
import pytest
import torch

import ember
import ember.autograd.function
from ember import viz

try:
    import graphviz
except ImportError:  # the optional dependency is not installed
    graphviz = None

NODE = re.compile(r'^\t(\S+) \[label=("(?:[^"\\]|\\.)*"|\S+)(.*)\]\n$', re.S)
EDGE = re.compile(r"^\t(\S+) -> (\S+)(?: \[(.*)\])?\n$", re.S)


def parse(dot: Any) -> tuple[dict, list]:
    """Nodes {id: (label, attributes)} and edges [(tail, head, attributes)] of a digraph."""
    nodes, edges = {}, []
    for line in dot.body:
        m = EDGE.match(line)
        if m:
            edges.append((m[1], m[2], m[3] or ""))
            continue
        m = NODE.match(line)
        assert m, f"unexpected DOT statement {line!r}"
        label = m[2][1:-1] if m[2].startswith('"') else m[2]
        nodes[m[1]] = (label, m[3])
    return nodes, edges


def fn_labels(dot: Any) -> list[str]:
    """Labels of the grad_fn boxes (the ones without a fill colour)."""
    return sorted(label.split("\n")[0] for label, attrs in parse(dot)[0].values()
                  if "fillcolor" not in attrs)


def colored(dot: Any, color: str) -> list[str]:
    return sorted(label for label, attrs in parse(dot)[0].values()
                  if f"fillcolor={color}" in attrs)


def torch_fn_names(t: torch.Tensor) -> list[str]:
    """Names of every node of torch's graph behind ``t`` (what torchviz would draw)."""
    seen, stack, names = set(), [t.grad_fn], []
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names.append(type(fn).__name__)
        stack.extend(n for n, _ in fn.next_functions)
    return sorted(names)


def seed000(lib: Any) -> tuple:
    x = lib.Tensor([2])
    w = lib.tensor([0.5], requires_grad=True)
    b = lib.tensor([0.1], requires_grad=True)
    z = w * x + b
    return z, {"w": w, "b": b}


def mlp(lib: Any) -> tuple:
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    w1 = lib.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    w2 = lib.tensor(rng.standard_normal((1, 5)).astype(np.float32), requires_grad=True)
    h = lib.relu(x @ w1.t())
    loss = ((h @ w2.t()).sigmoid() - 1).pow(2).mean()
    return loss, {"w1": w1, "w2": w2}


@pytest.mark.parametrize("graph", [seed000, mlp])
def test_one_box_per_grad_fn_named_like_torch(graph):
    z, params = graph(ember)
    tz, _ = graph(torch)
    assert fn_labels(viz.make_dot(z, params)) == torch_fn_names(tz)


def test_leaves_named_from_params_with_shape_and_output_box():
    z, params = seed000(ember)
    dot = viz.make_dot(z, params=params)
    assert colored(dot, "lightblue") == ["b\n (1)", "w\n (1)"]
    assert colored(dot, "darkolivegreen1") == ["\n (1)"]
    nodes, edges = parse(dot)
    ids = {label: i for i, (label, _) in nodes.items()}
    # leaf -> its AccumulateGrad -> MulBackward0 -> AddBackward0 -> output
    acc_w = next(h for t, h, _ in edges if t == ids["w\n (1)"])
    assert nodes[acc_w][0] == "AccumulateGrad"
    assert (ids["MulBackward0"], ids["AddBackward0"], "") in edges
    assert (ids["AddBackward0"], ids["\n (1)"], "") in edges
    assert (acc_w, ids["MulBackward0"], "") in edges


def test_unnamed_leaf_and_params_type_check():
    x = ember.ones(2, 3, requires_grad=True)
    dot = viz.make_dot((x * 2).sum())
    assert colored(dot, "lightblue") == ["\n (2, 3)"]
    with pytest.raises(TypeError):
        viz.make_dot((x * 2).sum(), params={"x": 3.0})


def test_show_saved_and_show_attrs():
    x = ember.ones(2, 3, requires_grad=True)
    y = (x.sum(1, keepdim=True) * 2).exp()
    plain = viz.make_dot(y)
    assert colored(plain, "orange") == []
    saved = viz.make_dot(y, show_saved=True)
    # ExpBackward0 saves its result, as torch's _saved_result (shape (2, 1)).
    assert colored(saved, "orange") == ["result\n (2, 1)"]
    attrs = viz.make_dot(y, show_attrs=True)
    exp_label = next(lbl for lbl in fn_labels_full(attrs) if lbl.startswith("ExpBackward0"))
    assert exp_label.splitlines()[2] == "result: [saved tensor]"
    assert fn_labels(attrs) == torch_fn_names(
        (torch.ones(2, 3, requires_grad=True).sum(1, keepdim=True) * 2).exp())


def fn_labels_full(dot: Any) -> list[str]:
    return [label for label, attrs in parse(dot)[0].values() if "fillcolor" not in attrs]


def test_show_attrs_truncates_long_values():
    x = ember.ones(2, 3, requires_grad=True)
    y = x * 2
    y.grad_fn.note = "x" * 80  # forward may store anything on its node
    dot = viz.make_dot(y, show_attrs=True, max_attr_chars=10)
    label = next(lbl for lbl in fn_labels_full(dot) if lbl.startswith("MulBackward0"))
    # torch's MulBackward0 shows its saved scalar as "other"; long values are cut.
    assert label.splitlines()[2:] == ["other:          2", "note : xxxxxxx..."]


def test_custom_function_saved_tensors_always_shown():
    class Square(ember.autograd.function.Function):
        @staticmethod
        def forward(ctx, a):  # noqa: ANN001, ANN205
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            (a,) = ctx.saved_tensors
            return 2 * a * g

    x = ember.ones(3, requires_grad=True)
    y = Square.apply(x).sum()
    dot = viz.make_dot(y, params={"x": x})
    assert "SquareBackward" in fn_labels(dot)
    # The saved input is the leaf itself: one box, drawn as saved (orange) like torchviz.
    nodes, edges = parse(dot)
    assert colored(dot, "orange") == ["x\n (3)"]
    sq = next(i for i, (lbl, _) in nodes.items() if lbl == "SquareBackward")
    assert any(h == sq and "dir=none" in a for _, h, a in edges)


def test_output_view_has_its_base_drawn():
    x = ember.ones(2, 3, requires_grad=True)
    base = x * 2
    v = base[0]
    dot = viz.make_dot(v)
    assert colored(dot, "darkolivegreen1") == ["\n (3)"]
    assert colored(dot, "darkolivegreen3") == ["\n (2, 3)"]
    assert any("style=dotted" in a for _, _, a in parse(dot)[1])


def test_several_outputs():
    x = ember.ones(2, requires_grad=True)
    dot = viz.make_dot((x.sin(), x.cos()))
    assert colored(dot, "darkolivegreen1") == ["\n (2)", "\n (2)"]
    assert fn_labels(dot) == ["AccumulateGrad", "CosBackward0", "SinBackward0"]


def test_deep_graph_does_not_recurse():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y + 1
    dot = viz.make_dot(y)
    assert len(fn_labels(dot)) == 3001
    assert float(dot.graph_attr["size"].split(",")[0]) > 12  # resized to its content


def test_without_graphviz_package(monkeypatch):
    real_import = builtins.__import__

    def no_graphviz(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "graphviz":
            raise ImportError("No module named 'graphviz'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "graphviz", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    z, params = seed000(ember)
    dot = viz.make_dot(z, params)
    assert isinstance(dot, viz.Digraph)
    assert dot.source.startswith("digraph {\n\tgraph [size=")
    assert 'label="w\n (1)" fillcolor=lightblue]' in dot.source
    with pytest.raises(viz.GraphvizMissing, match="pip install graphviz") as info:
        dot.render("runs/x", format="png")
    assert "dot" in str(info.value) and isinstance(info.value, ImportError)


def test_stand_in_writes_the_same_dot_text_as_graphviz(monkeypatch, tmp_path):
    if graphviz is None:
        pytest.skip("the graphviz package is not installed")
    z, params = mlp(ember)
    real = viz.make_dot(z, params, show_saved=True, show_attrs=True)
    monkeypatch.setattr(viz, "_digraph", lambda **kw: viz.Digraph(**kw))
    stand_in = viz.make_dot(z, params, show_saved=True, show_attrs=True)
    ids_real = re.findall(r"\b\d{6,}\b", real.source)
    ids_stand = re.findall(r"\b\d{6,}\b", stand_in.source)
    assert len(ids_real) == len(ids_stand)
    assert re.sub(r"\b\d{6,}\b", "N", real.source) == re.sub(r"\b\d{6,}\b", "N",
                                                               stand_in.source)
    path = stand_in.save(str(tmp_path / "g.dot"))
    assert open(path, encoding="utf-8").read() == stand_in.source


def test_graphviz_without_dot_program_says_how_to_install(monkeypatch, tmp_path):
    if graphviz is None:
        pytest.skip("the graphviz package is not installed")
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    z, params = seed000(ember)
    dot = viz.make_dot(z, params)
    assert isinstance(dot, graphviz.Digraph)
    with pytest.raises(viz.GraphvizMissing, match="apt-get install graphviz") as info:
        dot.render(str(tmp_path / "g"), format="png")
    assert isinstance(info.value.__cause__, graphviz.ExecutableNotFound)


def test_render_png(tmp_path):
    if graphviz is None or shutil.which("dot") is None:
        pytest.skip("rendering needs the graphviz package and the dot program")
    z, params = seed000(ember)
    out = viz.make_dot(z, params).render(str(tmp_path / "seed000"), format="png")
    with open(out, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_drawing_a_checkpointed_graph_does_not_rerun_it():
    from ember.utils.checkpoint import checkpoint

    calls = []

    def seg(a: Any) -> Any:
        calls.append(1)
        return (a * 2).exp()

    x = ember.ones(2, requires_grad=True)
    y = checkpoint(seg, x, use_reentrant=False)
    dot = viz.make_dot(y, show_saved=True, show_attrs=True)
    assert fn_labels(dot) == ["AccumulateGrad", "ExpBackward0", "MulBackward0"]
    assert len(calls) == 1
    y.sum().backward()
    assert len(calls) == 2  # backward re-ran the segment


def test_example_graph_pictures(tmp_path, monkeypatch):
    import os
    import runpy

    example = os.path.join(os.path.dirname(__file__), "..", "examples", "graph_pictures.py")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(example, run_name="__main__")
    made = sorted(os.listdir(tmp_path / "runs"))
    rendered = graphviz is not None and shutil.which("dot") is not None
    ext = ".png" if rendered else ".dot"
    assert made == ["seed000_graph" + ext, "small_cnn_graph" + ext]

"""The autograd graph as a picture, like the torchviz package's ``make_dot``.

``make_dot(loss, params=dict(model.named_parameters()))`` gives a Graphviz digraph with one
gray box per grad_fn (named as PyTorch names it: ``MulBackward0``, ``AccumulateGrad``), a
light blue box per leaf that requires grad (``w\\n (1)``: its name in ``params`` and its
shape), orange boxes for saved tensors (always for custom Functions, for built-in nodes
with ``show_saved=True``), and green boxes for the output tensors (dark green for the base
of an output that is a view).

The ``graphviz`` Python package is optional. Without it ``make_dot`` still returns a
digraph with the same ``.source`` (DOT text) and ``.save()``; only drawing needs the
package and the Graphviz ``dot`` program, and ``.render()`` says how to install them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ._tensor import Tensor

__all__ = ["make_dot", "resize_graph", "GraphvizMissing"]

_INSTALL = ("install the graphviz Python package (pip install graphviz) and the Graphviz "
            "'dot' program (apt-get install graphviz, brew install graphviz, or "
            "https://graphviz.org/download/)")


class GraphvizMissing(ImportError):
    """Drawing a graph needs the graphviz package and the dot program."""


def make_dot(var: Tensor | Iterable[Tensor], params: dict | None = None,
             show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50) -> Any:
    """torchviz.make_dot: the backward graph of ``var`` as a graphviz Digraph."""
    if params is not None:
        if not all(isinstance(p, Tensor) for p in params.values()):
            raise TypeError("make_dot: params must map names to tensors")
        param_map = {id(v): k for k, v in params.items()}
    else:
        param_map = {}
    node_attr = dict(style="filled", shape="box", align="left", fontsize="10",
                     ranksep="0.1", height="0.2", fontname="monospace")
    dot = _digraph(node_attr=node_attr, graph_attr=dict(size="12,12"))
    seen: set = set()

    def var_label(t: Any, shape: tuple, name: str | None = None) -> str:
        if not name:
            name = param_map.get(id(t), "")
        return f"{name}\n (" + ", ".join(str(int(s)) for s in shape) + ")"

    def saved_node(fn: Any, key: Any, shape: tuple, name: str) -> None:
        dot.edge(str(id(fn)), str(id(key)), dir="none")
        dot.node(str(id(key)), var_label(key, shape, name), fillcolor="orange")

    def add_nodes(root: Any) -> None:
        # Iterative, so that a graph of 100 000 nodes does not hit the recursion limit.
        stack = [root]
        deferred = []  # torchviz draws a Function's saved tensors after its inputs' boxes
        while stack:
            fn = stack.pop()
            if fn in seen:
                continue
            seen.add(fn)
            if show_saved:
                for name, saved in _op_saved(fn):
                    seen.add(id(saved))
                    saved_node(fn, *_saved_key_shape(saved), name)
            variable = getattr(fn, "variable", None)
            if variable is not None:  # AccumulateGrad: the leaf it fills
                seen.add(id(variable))
                dot.node(str(id(variable)), var_label(variable, tuple(variable.shape)),
                         fillcolor="lightblue")
                dot.edge(str(id(variable)), str(id(fn)))
            dot.node(str(id(fn)), _fn_label(fn, show_attrs, max_attr_chars))
            for nxt, _ in fn.next_functions:
                if nxt is not None:
                    dot.edge(str(id(nxt)), str(id(fn)))
                    stack.append(nxt)
            deferred += [(fn, s) for s in _function_saved(fn)]  # custom Functions: always
        for fn, saved in deferred:
            key, shape = _saved_key_shape(saved)
            seen.add(id(key))
            dot.edge(str(id(key)), str(id(fn)), dir="none")
            dot.node(str(id(key)), var_label(key, shape), fillcolor="orange")

    def add_base_tensor(t: Tensor, color: str = "darkolivegreen1") -> None:
        while t is not None and id(t) not in seen:
            seen.add(id(t))
            dot.node(str(id(t)), var_label(t, tuple(t.shape)), fillcolor=color)
            if t.grad_fn is not None:
                add_nodes(t.grad_fn)
                dot.edge(str(id(t.grad_fn)), str(id(t)))
            base = t._base
            if base is not None:
                dot.edge(str(id(base)), str(id(t)), style="dotted")
            t, color = base, "darkolivegreen3"

    for v in (var if isinstance(var, (tuple, list)) else (var,)):
        add_base_tensor(v)
    resize_graph(dot)
    return dot


def resize_graph(dot: Any, size_per_element: float = 0.15, min_size: float = 12) -> None:
    """torchviz.dot.resize_graph: grow the drawing with the number of DOT statements."""
    size = max(min_size, len(dot.body) * size_per_element)
    dot.graph_attr.update(size=f"{size},{size}")


# -- what nodes saved ------------------------------------------------------------------------

# ember's formulas name operands a, b, x; torch's nodes call them self and other.
_TORCH_NAMES = {"a": "self", "x": "self", "input": "self", "b": "other"}


def _op_saved(fn: Any) -> list[tuple[str, Any]]:
    """(name, SavedTensor) pairs of a built-in op's node (torch's ``_saved_*``)."""
    from .autograd.graph import SavedTensor

    saved = getattr(fn, "_saved", None)
    if type(saved) is not dict:  # (a checkpoint stand-in would re-run its segment)
        return []
    return [(_TORCH_NAMES.get(name, name), s) for name, s in saved.items()
            if s.__class__ is SavedTensor]


def _function_saved(fn: Any) -> list:
    from .autograd.function import BackwardCFunction

    if not isinstance(fn, BackwardCFunction):
        return []
    saved = fn.__dict__.get("_saved")  # None once freed by backward
    return [s[0] for s in saved or () if s is not None]


def _saved_key_shape(saved: Any) -> tuple[Any, tuple]:
    """The object that stands for a saved tensor (the tensor itself when the node holds it,
    so that it is the same box as the leaf) and its shape."""
    if saved.tensor is not None:
        return saved.tensor, tuple(saved.tensor.shape)
    return saved, tuple(saved.data.shape)


def _fn_label(fn: Any, show_attrs: bool, max_attr_chars: int) -> str:
    name = type(fn).__name__
    if not show_attrs:
        return name
    attrs = {}
    saved = getattr(fn, "_saved", None)
    if type(saved) is dict:
        for k, v in saved.items():
            attrs[_TORCH_NAMES.get(k, k)] = "[saved tensor]" if hasattr(v, "unpack") else str(v)
    for k, v in getattr(fn, "__dict__", {}).items():
        if not k.startswith("_") and k not in ("needs_input_grad", "to_save",
                                               "dirty_tensors", "non_differentiable"):
            attrs[k] = "[saved tensor]" if isinstance(v, Tensor) else str(v)
    if not attrs:
        return name
    max_attr_chars = max(max_attr_chars, 3)
    col1 = max(len(k) for k in attrs)
    col2 = min(max(len(v) for v in attrs.values()), max_attr_chars)
    sep = "-" * max(col1 + col2 + 2, len(name))

    def truncate(s: str) -> str:
        return s[:col2 - 3] + "..." if len(s) > col2 else s

    rows = "\n".join(f"{k:<{col1}}: {truncate(v):>{col2}}" for k, v in attrs.items())
    return name + "\n" + sep + "\n" + rows


# -- graphviz, or a stand-in that writes the same DOT text ---------------------------------------

def _digraph(**kwargs: Any) -> Any:
    try:
        import graphviz
    except ImportError:
        return Digraph(**kwargs)

    class _Digraph(graphviz.Digraph):
        """graphviz.Digraph whose render/view/pipe say how to install the dot program."""

        def render(self, *args: Any, **kw: Any) -> Any:
            try:
                return super().render(*args, **kw)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizMissing(f"{e}: {_INSTALL}") from e

        def pipe(self, *args: Any, **kw: Any) -> Any:
            try:
                return super().pipe(*args, **kw)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizMissing(f"{e}: {_INSTALL}") from e

    return _Digraph(**kwargs)


_ID = re.compile(r"^([a-zA-Z_][a-zA-Z0-9_]*|-?(\.\d+|\d+(\.\d*)?))$")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _quote(s: str) -> str:
    if _ID.match(s) and s.lower() not in _KEYWORDS:
        return s
    return '"' + re.sub(r'(?<!\\)"', r'\\"', s) + '"'


def _attr_list(label: str | None, attrs: dict) -> str:
    parts = [] if label is None else [f"label={_quote(label)}"]
    parts += [f"{k}={_quote(str(v))}" for k, v in sorted(attrs.items()) if v is not None]
    return f" [{' '.join(parts)}]" if parts else ""


class Digraph:
    """What make_dot returns without the graphviz package: the same DOT text (``source``,
    ``save``), and a ``render`` that says what to install."""

    def __init__(self, name: str | None = None, node_attr: dict | None = None,
                 graph_attr: dict | None = None, edge_attr: dict | None = None) -> None:
        self.name = name
        self.node_attr = dict(node_attr or {})
        self.graph_attr = dict(graph_attr or {})
        self.edge_attr = dict(edge_attr or {})
        self.body: list[str] = []

    def node(self, name: str, label: str | None = None, **attrs: Any) -> None:
        """Digraph.node: add a node statement."""
        self.body.append(f"\t{_quote(name)}{_attr_list(label, attrs)}\n")

    def edge(self, tail_name: str, head_name: str, label: str | None = None,
             **attrs: Any) -> None:
        """Digraph.edge: add an edge statement."""
        self.body.append(f"\t{_quote(tail_name)} -> {_quote(head_name)}"
                         f"{_attr_list(label, attrs)}\n")

    @property
    def source(self) -> str:
        """The DOT text, as graphviz.Digraph.source writes it."""
        lines = ["digraph {\n" if self.name is None else f"digraph {_quote(self.name)} {{\n"]
        for kind, attrs in (("graph", self.graph_attr), ("node", self.node_attr),
                            ("edge", self.edge_attr)):
            if attrs:
                lines.append(f"\t{kind}{_attr_list(None, attrs)}\n")
        return "".join(lines + self.body + ["}\n"])

    def __str__(self) -> str:
        return self.source

    def save(self, filename: str) -> str:
        """Write the DOT text to ``filename`` (no Graphviz needed)."""
        with open(filename, "w", encoding="utf-8") as f:
            f.write(self.source)
        return filename

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Drawing needs Graphviz: raises GraphvizMissing saying what to install."""
        raise GraphvizMissing(f"make_dot(...).render() needs Graphviz: {_INSTALL}")

    pipe = view = render

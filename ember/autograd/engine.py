"""backward(): run the graph from the outputs back to the leaves.

Dependency counting, as in PyTorch and HIPS autograd: first count, for every node reachable
from the roots, how many edges point at it; then run a node once all of those gradients
have arrived. Ready nodes run latest-created first (a heap on the sequence number), which
is PyTorch's order. No recursion, so a 100 000-node chain is fine.

Before a node runs, the hooks on the tensors it produced see their gradient (tensor hooks,
then retain_grad, then the node's own pre-hooks, PyTorch's order). ``inputs=`` limits the
run to the nodes from which an input can be reached; autograd.grad captures the gradients
arriving at its inputs instead of accumulating them into ``.grad``.
"""

from __future__ import annotations

import heapq
import warnings
from collections.abc import Sequence
from typing import Any

from .._device import array_module
from .grad_mode import _anomaly, _state
from .graph import AccumulateGrad, GradientEdge, Node, gradient_edge

__all__ = ["run_backward"]


def _count_dependencies(roots: list[Node]) -> dict[Node, int]:
    deps: dict[Node, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _needed(roots: list[Node], targets: set[Node]) -> set[Node]:
    """The nodes that must run: leaf targets (their accumulators) and every node from which
    a target can be reached. A non-leaf target only has its gradient captured, as in torch
    (running it would waste work and free what it saved)."""
    needed: set[Node] = set()
    done: set[Node] = set()
    stack = [(r, False) for r in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            done.add(node)
            if (node in targets and node.__class__ is AccumulateGrad) or any(
                    n in needed or n in targets for n, _ in node.next_functions):
                needed.add(node)
            continue
        if node in done:
            continue
        stack.append((node, True))
        stack.extend((n, False) for n, _ in node.next_functions
                     if n is not None and n not in done)
    return needed


def _accumulate(buffer: list, i: int, grad: Any) -> None:
    old = buffer[i]
    buffer[i] = grad if old is None else old + grad


def run_backward(tensors: Sequence[Any], grads: Sequence[Any], keep_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None,
                 accumulate: bool = True) -> list | None:
    """The engine. With ``accumulate=False`` (autograd.grad) it returns the gradients that
    reach ``inputs`` instead of adding them into ``.grad``."""
    roots: list[Node] = []
    buffers: dict[Node, list] = {}
    for i, (t, g) in enumerate(zip(tensors, grads)):
        node, nr = gradient_edge(t)
        if node is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
        if node not in buffers:
            roots.append(node)
            buffers[node] = [None] * node._num_outputs()
        _accumulate(buffers[node], nr, g)

    # autograd.grad: where the gradients of the inputs are captured.
    captures: dict[Node, list[tuple[int, int]]] = {}
    needed = None
    if inputs is not None:
        targets = set()
        for k, t in enumerate(inputs):
            node, nr = (t.node, t.output_nr) if t.__class__ is GradientEdge else \
                gradient_edge(t)
            if node is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            targets.add(node)
            if accumulate:
                if t.__class__ is not GradientEdge:
                    t.retain_grad()  # as torch: backward(inputs=[non-leaf]) fills its .grad
            else:
                captures.setdefault(node, []).append((nr, k))
        needed = _needed(roots, targets)
    results: list = [None] * (len(inputs) if inputs is not None else 0)

    deps = _count_dependencies(roots)
    ready = [(-n._seq, id(n), n) for n in roots if deps.get(n, 0) == 0]
    heapq.heapify(ready)
    check_nan = _anomaly.enabled and _anomaly.check_nan
    prev_mode = _state.enabled
    _state.enabled = create_graph  # the formulas build a graph only for create_graph
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads_in = buffers.pop(node)
            if node._tensor_hooks or node._retains or node._pre_hooks:
                grads_in = _call_pre_hooks(node, grads_in)
            if captures and node in captures:
                for nr, k in captures[node]:
                    results[k] = grads_in[nr]
            if needed is not None and node not in needed or \
                    not accumulate and node.__class__ is AccumulateGrad:
                continue
            if _anomaly.enabled:
                grads_out = _run_reporting(node, grads_in, keep_graph, check_nan)
            else:
                grads_out = node._run(grads_in, keep_graph)
            if node._hooks:
                for hook in tuple(node._hooks.values()):
                    new = hook(tuple(grads_out), tuple(grads_in))
                    if new is not None:  # a post-hook may replace the gradients it sees
                        grads_out = list(new)
            for (nxt, nr), g in zip(node.next_functions, grads_out):
                if nxt is None:
                    continue
                buf = buffers.get(nxt)
                if buf is None:
                    buf = buffers[nxt] = [None] * nxt._num_outputs()
                if g is not None:
                    old = buf[nr]
                    buf[nr] = g if old is None else _sum(old, g, create_graph)
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    heapq.heappush(ready, (-nxt._seq, id(nxt), nxt))
            # Hold no gradient beyond its buffer: AccumulateGrad takes one without a copy
            # only when nobody else refers to it (graph.py).
            grads_out = g = None
    finally:
        _state.enabled = prev_mode
    return results if not accumulate else None


def _sum(old: Any, g: Any, create_graph: bool) -> Any:
    """Two gradients for the same place (a tensor used twice). Without a graph to build,
    arrays of one shape and dtype are added directly, skipping the op machinery."""
    a, b = old._data, g._data
    if not create_graph and a.__class__ is b.__class__ and a.shape == b.shape \
            and a.dtype == b.dtype:
        return old.__class__._make(a + b) if old.__class__ is g.__class__ else old + g
    return old + g


def _run_reporting(node: Node, grads_in: list, keep_graph: bool, check_nan: bool) -> list:
    """Run a node under anomaly mode: if it fails (or returns NaN, with check_nan), first
    warn with the stack of the forward call that created it, as torch does, then let the
    error go on."""
    try:
        grads_out = node._run(grads_in, keep_graph)
        if check_nan:
            _check_nan(node, grads_out)
        return grads_out
    except Exception:
        stack = node.metadata.get("traceback_") if hasattr(node, "__dict__") else None
        if stack:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                          f"caused the error:\n{''.join(stack)} (Triggered internally at "
                          "/__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:"
                          "122.)", UserWarning, stacklevel=2)
        raise


def _check_nan(node: Node, grads: list) -> None:
    for i, g in enumerate(grads):
        if g is not None and bool(array_module(g._data).isnan(g._data).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


def _call_pre_hooks(node: Node, grads: list) -> list:
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in tuple(hooks.values()):
                if grads[nr] is not None:
                    new = hook(grads[nr])
                    if new is not None:
                        grads[nr] = new
    if node._retains:
        for nr, ref in node._retains.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                g = grads[nr]
                t._grad = g.clone() if t._grad is None else t._grad + g
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks.values()):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads

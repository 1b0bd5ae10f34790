"""backward(): run the graph from the outputs back to the leaves.

Dependency counting, as in PyTorch and HIPS autograd: first count, for every node reachable
from the roots, how many edges point at it; then run a node once all of those gradients
have arrived. Ready nodes run latest-created first (a heap on the sequence number), which
is PyTorch's order. No recursion, so a 100 000-node chain is fine.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

from .grad_mode import set_grad_enabled
from .graph import Node, gradient_edge

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
    """Nodes from whose outputs some target can be reached: only those need to run."""
    needed: set[Node] = set()
    done: set[Node] = set()
    stack = [(r, False) for r in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            done.add(node)
            if any(n in needed or n in targets for n, _ in node.next_functions):
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
            buffers[node] = [None] * _num_outputs(node)
        _accumulate(buffers[node], nr, g)

    # Where gradients are captured (autograd.grad) or the only places they go (inputs=).
    captures: dict[Node, list[tuple[int, int]]] = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            node, nr = gradient_edge(t)
            if node is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            captures.setdefault(node, []).append((nr, k))
        needed = _needed(roots, set(captures))
    else:
        needed = None
    results: list = [None] * (len(inputs) if inputs is not None else 0)

    deps = _count_dependencies(roots)
    ready = [(-n._seq, id(n), n) for n in roots if deps.get(n, 0) == 0]
    heapq.heapify(ready)
    with set_grad_enabled(create_graph):
        while ready:
            node = heapq.heappop(ready)[2]
            grads_in = buffers.pop(node)
            grads_in = _call_pre_hooks(node, grads_in)
            if node in captures:
                for nr, k in captures[node]:
                    results[k] = grads_in[nr]
                    if accumulate and not _is_accumulator(node):
                        _retain(inputs[k], grads_in[nr])
            if _is_accumulator(node):
                if not accumulate or (needed is not None and node not in captures):
                    continue
            elif needed is not None and node not in needed:
                continue
            grads_out = node._run(grads_in, keep_graph)
            if node._hooks:
                for hook in tuple(node._hooks.values()):
                    hook(tuple(grads_out), tuple(grads_in))
            for (nxt, nr), g in zip(node.next_functions, grads_out):
                if nxt is None:
                    continue
                if g is not None:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * _num_outputs(nxt)
                    _accumulate(buf, nr, g)
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    if nxt not in buffers:  # every gradient that reached it was None
                        buffers[nxt] = [None] * _num_outputs(nxt)
                    heapq.heappush(ready, (-nxt._seq, id(nxt), nxt))
    return results if not accumulate else None


def _num_outputs(node: Node) -> int:
    return getattr(node, "_n_outputs", 1)


def _is_accumulator(node: Node) -> bool:
    return type(node).__name__ == "AccumulateGrad"


def _retain(t: Any, g: Any) -> None:
    """backward(inputs=[non-leaf]) fills that non-leaf's .grad, as PyTorch does."""
    if g is None:
        return
    t._grad = g.clone() if t._grad is None else t._grad + g


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

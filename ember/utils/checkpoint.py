"""torch.utils.checkpoint: trade compute for memory by recomputing a segment in backward.

Two variants, as in PyTorch:

- ``use_reentrant=True`` (torch's default when the argument is left out, with a warning):
  ``CheckpointFunction``, an autograd Function whose forward runs the segment under
  no_grad and saves only its inputs; its backward re-runs the segment with grad enabled on
  detached inputs and calls ``autograd.backward`` inside it. One node,
  ``CheckpointFunctionBackward``, stands for the whole segment.
- ``use_reentrant=False``: the segment runs normally, so the graph has the usual nodes
  (the same grad_fn names as without checkpointing), then those nodes drop what they saved.
  The first time backward unpacks one of them, the segment is run again with grad enabled
  and every dropped node gets the values the re-run saved (torch does the same with saved
  tensor hooks). It works with ``autograd.grad``, keyword arguments and double backward.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function
from ..autograd.graph import AccumulateGrad, Node, _sequence

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointFunction", "CheckpointError",
           "detach_variable", "check_backward_validity"]


class CheckpointError(RuntimeError):
    """torch.utils.checkpoint.CheckpointError: the re-run did not match the forward."""


def detach_variable(inputs: tuple) -> tuple:
    """torch.utils.checkpoint.detach_variable: detached tensors keeping requires_grad."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs: Iterable[Any]) -> None:
    """torch.utils.checkpoint.check_backward_validity: warn when no input requires grad."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


class _ForkedRng:
    """Run with the generator state of the forward, then give back the current one."""

    def __init__(self, state: Tensor | None) -> None:
        self.state, self.outer = state, None

    def __enter__(self) -> None:
        if self.state is not None:
            from ..ops.creation import get_rng_state, set_rng_state

            self.outer = get_rng_state()
            set_rng_state(self.state)

    def __exit__(self, *exc: object) -> None:
        if self.state is not None:
            from ..ops.creation import set_rng_state

            set_rng_state(self.outer)


def _rng_state(preserve: bool) -> Tensor | None:
    from ..ops.creation import get_rng_state

    return get_rng_state() if preserve else None


class CheckpointFunction(Function):
    """torch.utils.checkpoint.CheckpointFunction: the reentrant variant's one node."""

    @staticmethod
    def forward(ctx: Any, run_function: Callable, preserve_rng_state: bool,
                *args: Any) -> Any:
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.fwd_rng_state = _rng_state(preserve_rng_state)
        # Non-tensor inputs stay on ctx; tensors are saved (version-checked) for backward.
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with grad_mode.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        from ..autograd import backward as _backward

        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with _ForkedRng(ctx.fwd_rng_state):
            detached = detach_variable(tuple(inputs))
            with grad_mode.enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        # Reentrant: an inner backward accumulates into the leaves (parameters) directly.
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(t.grad if isinstance(t, Tensor) else None
                                    for t in detached)


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable | None = None, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs: Any) -> Any:
    """torch.utils.checkpoint.checkpoint: run ``function(*args)`` keeping only its inputs,
    and run it again in backward to get what its backward needs."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if context_fn is not None or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return _checkpoint_without_reentrant(function, preserve, context_fn, args, kwargs)


def checkpoint_sequential(functions: Any, segments: int, input: Tensor,  # noqa: A002
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """torch.utils.checkpoint.checkpoint_sequential: checkpoint all segments but the last."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run_function(start: int, end: int, functions: list) -> Callable:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())  # an nn.Sequential
    segment_size = len(functions) // segments
    end = -1  # the last segment runs normally: its backward comes first anyway
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,  # noqa: A001
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)


# -- the non-reentrant variant ------------------------------------------------------------------

class _Recompute(dict):
    """Stands in for a node's saved values (``node._saved``) until backward reads them: the
    first read re-runs the segment and fills every stand-in of the segment."""

    __slots__ = ("frame",)

    def __init__(self, frame: _Frame) -> None:
        super().__init__()
        self.frame = frame

    def items(self) -> Any:
        self.frame.recompute()
        return super().items()

    def values(self) -> Any:
        self.frame.recompute()
        return super().values()


class _Frame:
    """One checkpointed call: how to run it again, and the nodes waiting for its values."""

    def __init__(self, function: Callable, args: tuple, kwargs: dict,
                 rng_state: Tensor | None, nodes: list) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state = rng_state
        self.nodes: list | None = nodes  # the segment's nodes, in creation order

    def recompute(self) -> None:
        nodes = self.nodes
        if nodes is None:  # done already
            return
        self.nodes = None
        start = next(_sequence)
        with _ForkedRng(self.rng_state), grad_mode.enable_grad():
            out = self.function(*self.args, **self.kwargs)
        again = _segment_nodes(out, start)
        if [type(n) for n in again] != [type(n) for n in nodes]:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                "different metadata than during the forward pass: the re-run of the "
                "checkpointed function built a different graph ("
                f"{len(again)} nodes instead of {len(nodes)}). Is it deterministic?")
        for old, new in zip(nodes, again):
            if isinstance(old._saved, _Recompute) and isinstance(new._saved, dict):
                old._saved.update(new._saved)
        self.function = self.args = self.kwargs = None  # nothing more to re-run


def _segment_nodes(out: Any, start: int) -> list:
    """The nodes created after sequence number ``start`` that the outputs reach, oldest
    first (leaves' AccumulateGrad nodes are not the segment's)."""
    roots = [o.grad_fn for o in (out if isinstance(out, (tuple, list)) else (out,))
             if isinstance(o, Tensor) and o.grad_fn is not None]
    seen: set = set()
    stack = [n for n in roots if n._seq > start]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(n for n, _ in node.next_functions
                     if n is not None and n.__class__ is not AccumulateGrad and n._seq > start)
    return sorted(seen, key=Node._sequence_nr)


def _checkpoint_without_reentrant(function: Callable, preserve: bool,
                                  context_fn: Callable | None, args: tuple,
                                  kwargs: dict) -> Any:
    rng_state = _rng_state(preserve)
    start = next(_sequence)
    out = function(*args, **kwargs)
    if not grad_mode.is_grad_enabled():
        return out
    nodes = _segment_nodes(out, start)
    frame = _Frame(function, args, kwargs, rng_state, nodes)
    for node in nodes:
        saved = getattr(node, "_saved", None)
        if type(saved) is dict and saved:
            # Drop what the node saved: that is the memory checkpointing gives back.
            node._saved = _Recompute(frame)
    return out

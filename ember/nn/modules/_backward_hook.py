"""Full backward hooks of a Module (torch.utils.hooks.BackwardHook, simplified).

The module's tensor inputs and outputs pass through an identity node
(BackwardHookFunctionBackward, as in PyTorch). The output node sees grad_output first and
runs the backward pre-hooks; the input node then sees grad_input and runs the hooks
``hook(module, grad_input, grad_output)``, whose result may replace grad_input.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..._tensor import Tensor
from ...autograd.grad_mode import is_grad_enabled
from ...ops._op import Op


class _BackwardHookFunction(Op, name="BackwardHookFunctionBackward"):
    def forward(ctx, xp, *xs, hook):
        ctx.hook = hook
        return xs if ctx.n_outputs > 1 else xs[0]

    def backward(ctx, grad):
        grads = list(grad) if isinstance(grad, (list, tuple)) else [grad]
        new = ctx.hook(grads)
        return tuple(new if new is not None else grads)


_CLASSES: dict = {}


def _identity(tensors: list, hook: Any) -> tuple:
    n = len(tensors)
    cls = _CLASSES.get(n)
    if cls is None:
        cls = _CLASSES[n] = type("BackwardHookFunctionBackward", (_BackwardHookFunction,),
                                 {"n_outputs": n})
    out = cls.apply(*tensors, hook=hook)
    return out if isinstance(out, tuple) else (out,)


class BackwardHook:
    """Wires a module's full backward (pre-)hooks around one call of its forward."""

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.input_index: list | None = None

    def _pack(self, index: list, values: list, n: int) -> tuple:
        out: list = [None] * n
        for i, v in zip(index, values):
            out[i] = v
        return tuple(out)

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not is_grad_enabled() or not any(args[i].requires_grad for i in index):
            return args
        self.input_index = index

        def hook(grads: list) -> Any:
            grad_input = self._pack(index, grads, self.n_inputs)
            changed = None
            for user_hook in self.user_hooks:
                res = user_hook(self.module, grad_input, self.grad_outputs)
                if res is not None:
                    res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                    if len(res) != len(grad_input):
                        raise RuntimeError("Backward hook returned an invalid number of grad_input"
                                           f", got {len(res)}, but expected {len(grad_input)}")
                    grad_input = res
                    changed = [res[i] for i in index]
            return changed

        wrapped = _identity([args[i] for i in index], hook)
        new = list(args)
        for i, t in zip(index, wrapped):
            new[i] = t
        return tuple(new)

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        outs = result if is_tuple else (result,)
        index = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not index or not is_grad_enabled():
            return result
        n = len(outs)

        def hook(grads: list) -> Any:
            grad_output = self._pack(index, grads, n)
            changed = None
            for pre in self.user_pre_hooks:
                res = pre(self.module, grad_output)
                if res is not None:
                    grad_output = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                    changed = [grad_output[i] for i in index]
            self.grad_outputs = grad_output
            if self.input_index is None:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to "
                    "module outputs since no inputs require gradients. See https://docs.pytorch"
                    ".org/docs/main/generated/torch.nn.Module.html#torch.nn.Module."
                    "register_full_backward_hook for more details.", stacklevel=5)
                grad_input = (None,) * self.n_inputs
                for user_hook in self.user_hooks:
                    res = user_hook(self.module, grad_input, self.grad_outputs)
                    if res is not None and not (isinstance(res, tuple)
                                                and all(r is None for r in res)):
                        raise RuntimeError("Backward hook for Modules where no input requires "
                                           "gradient should always return None or None for "
                                           "all gradients.")
                self.grad_outputs = None
            return changed

        wrapped = _identity([outs[i] for i in index], hook)
        new = list(outs)
        for i, t in zip(index, wrapped):
            new[i] = t
        return tuple(new) if is_tuple else new[0]

"""torch.optim.Adagrad (single-tensor path, PyTorch's operation order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._device import array_module
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..ops.creation import full_like, tensor
from .optimizer import Optimizer, _scalar

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """torch.optim.Adagrad: lr_decay, weight decay, initial accumulator value, maximize."""

    def __init__(self, params: Any, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # Unlike most optimizers, Adagrad creates its state up front (as PyTorch does).
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = tensor(0.0)
                state["sum"] = full_like(p, initial_accumulator_value)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        for st in self.state.values():
            if "step" in st and not isinstance(st["step"], Tensor):
                st["step"] = tensor(float(st["step"]))

    def share_memory(self) -> None:
        """Adagrad.share_memory: a no-op here (one process shares its arrays already)."""

    def step(self, closure: Callable | None = None) -> Any:
        """Adagrad.step."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:  # a parameter added after construction
                    state["step"] = tensor(0.0)
                    state["sum"] = full_like(p, self.defaults["initial_accumulator_value"])
                _update(p, state, group)
        return loss


def _update(p: Tensor, state: dict, group: dict) -> None:
    xp = array_module(p._data)
    lr, wd, lr_decay, eps = (_scalar(group["lr"]), group["weight_decay"], group["lr_decay"],
                             group["eps"])
    param = p._data
    dt = param.dtype.type
    step_t = state["step"]
    step_t._data += 1
    step_t._vc[0] += 1
    step = float(step_t._data)
    g = p.grad._data
    if group["maximize"]:
        g = -g
    if wd != 0:
        g = g + dt(wd) * param  # grad.add(param, alpha=weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)
    s = state["sum"]
    s._data += dt(1) * g * g  # state_sum.addcmul_(grad, grad, value=1)
    s._vc[0] += 1
    std = xp.sqrt(s._data)
    std += dt(eps)
    param += dt(-clr) * g / std  # param.addcdiv_(grad, std, value=-clr)
    p._vc[0] += 1

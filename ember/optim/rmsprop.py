"""torch.optim.RMSprop (single-tensor path, PyTorch's operation order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._device import array_module
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..ops.creation import tensor, zeros_like
from .adam import _lerp_
from .optimizer import Optimizer, _scalar

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """torch.optim.RMSprop: alpha, eps, weight decay, momentum, centered, maximize."""

    def __init__(self, params: Any, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                st = self.state.get(p, {})
                if len(st) != 0 and not isinstance(st["step"], Tensor):
                    st["step"] = tensor(float(st["step"]))

    def step(self, closure: Callable | None = None) -> Any:
        """RMSprop.step."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = tensor(0.0)
                    state["square_avg"] = zeros_like(p)
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = zeros_like(p)
                _update(p, state, group)
        return loss


def _update(p: Tensor, state: dict, group: dict) -> None:
    xp = array_module(p._data)
    lr, alpha, eps = _scalar(group["lr"]), group["alpha"], group["eps"]
    wd, momentum = group["weight_decay"], group["momentum"]
    param = p._data
    dt = param.dtype.type
    g = p.grad._data
    if group["maximize"]:
        g = -g
    step_t = state["step"]
    step_t._data += 1
    step_t._vc[0] += 1
    if wd != 0:
        g = g + dt(wd) * param  # grad.add(param, alpha=weight_decay)
    sq = state["square_avg"]
    sq._data *= dt(alpha)  # square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    sq._data += dt(1 - alpha) * g * g
    sq._vc[0] += 1
    if group["centered"]:
        ga = state["grad_avg"]
        _lerp_(ga._data, g, 1 - alpha)
        ga._vc[0] += 1
        avg = xp.sqrt(sq._data + dt(-1) * ga._data * ga._data)  # addcmul(.., value=-1).sqrt_()
    else:
        avg = xp.sqrt(sq._data)
    avg += dt(eps)
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf._data *= dt(momentum)  # buf.mul_(momentum).addcdiv_(grad, avg)
        buf._data += g / avg
        buf._vc[0] += 1
        param += dt(-lr) * buf._data  # param.add_(buf, alpha=-lr)
    else:
        param += dt(-lr) * g / avg  # param.addcdiv_(grad, avg, value=-lr)
    p._vc[0] += 1

"""torch.optim.Adam and AdamW (single-tensor path, PyTorch's operation order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._device import array_module
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..ops.creation import tensor, zeros_like
from .optimizer import Optimizer, _scalar

__all__ = ["Adam", "AdamW"]


def _lerp_(a: Any, b: Any, w: float) -> None:
    """a.lerp_(b, w) with ATen's two-sided formula (exact at w = 1)."""
    w = a.dtype.type(w)
    if w < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (a.dtype.type(1) - w)


class Adam(Optimizer):
    """torch.optim.Adam (``decoupled_weight_decay=True`` is AdamW)."""

    def __init__(self, params: Any, lr: float | Tensor = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)
                or isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(_scalar(b) for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
            group.setdefault("decoupled_weight_decay", False)

    def step(self, closure: Callable | None = None) -> Any:
        """Adam.step."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd, eps = _scalar(group["lr"]), group["weight_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = tensor(0.0)
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = zeros_like(p)
                self._update(p, state, group, beta1, beta2, lr, wd, eps)
        return loss

    @staticmethod
    def _update(p: Tensor, state: dict, group: dict, beta1: float, beta2: float, lr: float,
                wd: float, eps: float) -> None:
        xp = array_module(p._data)
        g = p.grad._data
        if group["maximize"]:
            g = -g
        step_t = state["step"]
        step_t._data += 1  # a float32 counter, as in torch
        step_t._vc[0] += 1
        param = p._data
        dt = param.dtype.type
        if wd != 0:
            if group["decoupled_weight_decay"]:
                param *= dt(1 - lr * wd)
            else:
                g = g + dt(wd) * param
        m, v = state["exp_avg"], state["exp_avg_sq"]
        _lerp_(m._data, g, 1 - beta1)
        v._data *= dt(beta2)
        v._data += dt(1 - beta2) * g * g
        m._vc[0] += 1
        v._vc[0] += 1
        step = float(step_t._data)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bc2_sqrt = bias_correction2 ** 0.5
        if group["amsgrad"]:
            mx = state["max_exp_avg_sq"]
            xp.maximum(mx._data, v._data, out=mx._data)
            mx._vc[0] += 1
            denom = xp.sqrt(mx._data) / dt(bc2_sqrt) + dt(eps)
        else:
            denom = xp.sqrt(v._data) / dt(bc2_sqrt) + dt(eps)
        param += dt(-step_size) * m._data / denom  # addcdiv_(exp_avg, denom, -step_size)
        p._vc[0] += 1


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2)."""

    def __init__(self, params: Any, lr: float | Tensor = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)



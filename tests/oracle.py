"""The oracle: run the same function on real PyTorch and on ember, and compare.

``check(fn, *args)`` builds torch and ember tensors from the same NumPy arrays, runs ``fn``
(written against the torch API, called with ``torch`` or ``ember`` as its first argument),
and compares forward values, dtypes, shapes and grad_fn names, the gradients of every
floating input (for a random upstream gradient), and second-order gradients (the gradient
of <grad, v> with create_graph=True). Expected values always come from torch.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import ember

TOL = {np.float32: (1e-5, 1e-5), np.float64: (1e-10, 1e-10), np.float16: (1e-2, 1e-2)}

# ``EMBER_TEST_DEVICE=cuda python -m pytest tests`` runs every check on the GPU: ember's
# inputs are moved there, its results must come back on it, and they are compared on the
# host. Without a GPU those checks skip. torch stays on the CPU (the CPU build is the oracle).
DEVICE = os.environ.get("EMBER_TEST_DEVICE", "cpu")
NO_GPU = "no GPU: EMBER_TEST_DEVICE=cuda needs an NVIDIA GPU and CuPy (pip install 'ember[cuda]')"


def _device() -> str:
    if DEVICE != "cpu" and not ember.cuda.is_available():
        pytest.skip(NO_GPU)
    return DEVICE


def to_np(t: Any) -> Any:
    if isinstance(t, torch.Tensor):
        if t._is_zerotensor():  # torch's lazy all-zero gradients cannot become arrays
            return np.zeros(t.shape, dtype=torch.empty(0, dtype=t.dtype).numpy().dtype)
        return t.detach().cpu().numpy(force=True)
    if isinstance(t, ember.Tensor):
        return np.asarray(t.detach().cpu()._data)
    return t


def assert_same(e: Any, t: Any, rtol: float | None = None, atol: float | None = None,
                what: str = "value") -> None:
    """An ember result equals a torch result: type, shape, dtype and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: expected a sequence, got {type(e)}"
        assert len(e) == len(t), f"{what}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, rtol, atol, f"{what}[{i}]")
        return
    if t is None:
        assert e is None, f"{what}: expected None, got {e!r}"
        return
    if not isinstance(t, torch.Tensor):
        assert not isinstance(e, ember.Tensor), f"{what}: expected {type(t)}, got a Tensor"
        if isinstance(t, float):
            np.testing.assert_allclose(e, t, rtol=rtol or 1e-6, atol=atol or 1e-6)
        else:
            assert e == t, f"{what}: {e!r} != {t!r}"
        return
    assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e)}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} != {t.dtype}"
    a, b = to_np(e), to_np(t)
    if b.dtype.kind in "fc":
        r, at = TOL.get(b.dtype.type, (1e-5, 1e-5))
        np.testing.assert_allclose(a, b, rtol=rtol if rtol is not None else r,
                                   atol=atol if atol is not None else at, equal_nan=True,
                                   err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def _on(t: Any, device: str) -> Any:
    return t if device == "cpu" else t.to(device)


def _make(lib: Any, arr: Any, requires_grad: bool, device: str = "cpu") -> Any:
    if not isinstance(arr, np.ndarray):
        return arr
    if lib is torch:
        t = torch.from_numpy(arr.copy())
    else:
        t = ember.from_numpy(arr.copy())
        if device != "cpu":
            t = t.to(device)  # before requires_grad: the input stays a leaf
    if requires_grad and arr.dtype.kind in "fc":
        t.requires_grad_(True)
    return t


def _grad_name(t: Any) -> str | None:
    fn = getattr(t, "grad_fn", None)
    return None if fn is None else type(fn).__name__


def _flat(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def check(fn: Callable, *args: Any, grad: bool = True, second_order: bool = True,
          rtol: float | None = None, atol: float | None = None, grad_fn: bool = True,
          seed: int = 0) -> None:
    """Compare ``fn(torch, *args)`` with ``fn(ember, *args)`` (see the module docstring)."""
    dev = _device()
    t_in = [_make(torch, a, grad) for a in args]
    e_in = [_make(ember, a, grad, dev) for a in args]
    t_out = fn(torch, *t_in)
    e_out = fn(ember, *e_in)
    assert_same(e_out, t_out, rtol, atol)
    t_outs, e_outs = _flat(t_out), _flat(e_out)
    if dev != "cpu":
        for i, eo in enumerate(e_outs):
            if isinstance(eo, ember.Tensor):
                assert eo.device.type == dev, f"output {i} is on {eo.device}, not {dev}"
    if grad_fn:
        for i, (eo, to) in enumerate(zip(e_outs, t_outs)):
            if isinstance(to, torch.Tensor):
                assert _grad_name(eo) == _grad_name(to), \
                    f"grad_fn of output {i}: {_grad_name(eo)} != {_grad_name(to)}"
    if not grad:
        return
    diff = [(e, t) for e, t in zip(e_outs, t_outs)
            if isinstance(t, torch.Tensor) and t.requires_grad]
    t_leaves = [t for t in t_in if isinstance(t, torch.Tensor) and t.requires_grad]
    e_leaves = [e for e in e_in if isinstance(e, ember.Tensor) and e.requires_grad]
    if not diff or not t_leaves:
        return
    rng = np.random.default_rng(seed)
    ups = [rng.standard_normal(t.shape).astype(to_np(t).dtype) for _, t in diff]
    t_up = [torch.from_numpy(u) for u in ups]
    e_up = [_on(ember.from_numpy(u.copy()), dev) for u in ups]
    t_g = torch.autograd.grad([t for _, t in diff], t_leaves, t_up, allow_unused=True,
                              create_graph=second_order)
    g_tol = (rtol * 10 if rtol else None, atol * 10 if atol else None)
    if second_order:
        # A plain backward (no graph recorded) takes array-level fast paths that the
        # create_graph one below does not: both must give torch's gradients. (torch's own
        # can differ between the two: det of a singular matrix.)
        t_plain = torch.autograd.grad([t for _, t in diff], t_leaves, t_up, allow_unused=True,
                                      retain_graph=True)
        e_plain = ember.autograd.grad([e for e, _ in diff], e_leaves, e_up, allow_unused=True,
                                      retain_graph=True)
        for i, (eg, tg) in enumerate(zip(e_plain, t_plain)):
            assert_same(eg, tg, *g_tol,
                        what=f"grad of input {i} (plain backward)")
    e_g = ember.autograd.grad([e for e, _ in diff], e_leaves, e_up, allow_unused=True,
                              create_graph=second_order)
    for i, (eg, tg) in enumerate(zip(e_g, t_g)):
        assert_same(eg, tg, *g_tol, what=f"grad of input {i}")
    if not second_order:
        return
    pairs = [(e, t) for e, t in zip(e_g, t_g) if t is not None and t.requires_grad]
    if not pairs:
        return
    vs = [rng.standard_normal(t.shape).astype(to_np(t).dtype) for _, t in pairs]
    t_s = sum((t * torch.from_numpy(v)).sum() for (_, t), v in zip(pairs, vs))
    e_s = sum((e * _on(ember.from_numpy(v.copy()), dev)).sum() for (e, _), v in zip(pairs, vs))
    t_gg = torch.autograd.grad(t_s, t_leaves, allow_unused=True)
    e_gg = ember.autograd.grad(e_s, e_leaves, allow_unused=True)
    for i, (eg, tg) in enumerate(zip(e_gg, t_gg)):
        if tg is None:  # torch found no second-order dependence; ember may give zeros
            assert eg is None or not np.any(to_np(eg)), f"second-order grad {i} should be 0"
            continue
        if eg is None:
            assert not np.any(to_np(tg)), f"second-order grad of input {i} missing"
            continue
        assert_same(eg, tg, *g_tol, what=f"second-order grad of input {i}")


def check_error(fn: Callable, *args: Any, match: str | None = None) -> None:
    """``fn`` raises the same exception type on torch and ember (and, if asked, a message
    containing ``match``; with ``match=True`` the whole message must be the same)."""
    dev = _device()
    t_in = [_make(torch, a, True) for a in args]
    e_in = [_make(ember, a, True, dev) for a in args]
    try:
        fn(torch, *t_in)
    except Exception as te:  # noqa: BLE001
        t_exc = te
    else:
        raise AssertionError("torch raised nothing; the test is wrong")
    try:
        fn(ember, *e_in)
    except Exception as ee:  # noqa: BLE001
        assert type(ee) is type(t_exc) or isinstance(ee, type(t_exc)), \
            f"ember raised {type(ee).__name__}: {ee}; torch raised {type(t_exc).__name__}: {t_exc}"
        if match is True:
            assert str(ee) == str(t_exc), f"message {str(ee)!r} != {str(t_exc)!r}"
        elif match:
            assert match in str(ee), f"{match!r} not in {str(ee)!r}"
        return
    raise AssertionError(f"ember raised nothing; torch raised {type(t_exc).__name__}: {t_exc}")


def rand(*shape: int, dtype: Any = np.float32, seed: int = 0, low: float = -2.0,
         high: float = 2.0) -> np.ndarray:
    """A reproducible random array."""
    rng = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    return rng.uniform(low, high, size=shape).astype(dtype)


def positive(*shape: int, dtype: Any = np.float32, seed: int = 0) -> np.ndarray:
    """Random values in [0.5, 2.5): safe for log, sqrt, division."""
    return rand(*shape, dtype=dtype, seed=seed, low=0.5, high=2.5)

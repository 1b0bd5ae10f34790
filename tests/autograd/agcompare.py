"""Run one snippet with real PyTorch and with ember and compare what the user would see.

A snippet is a function of the library module (``torch`` or ``ember``) that returns any
nesting of tuples/lists/dicts of tensors, grad_fn nodes, Python values and strings. Each
observation is reduced to something comparable:

- a tensor: shape, dtype, requires_grad, is_leaf, grad_fn name and values;
- a grad_fn node: its name;
- an exception raised by the snippet: its type name and exact message;
- strings (printed reprs): memory addresses (``0x7f...``) are blanked.

Warnings raised while the snippet runs are compared too (category and message). Expected
values always come from torch, run in the same test.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import ember

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


class Raised:
    """An exception a snippet raised, kept as (type name, message)."""

    def __init__(self, exc: BaseException) -> None:
        self.type = type(exc)
        self.message = str(exc)

    def __repr__(self) -> str:
        return f"Raised({self.type.__name__}: {self.message!r})"


def _is_node(x: Any) -> bool:
    return callable(getattr(x, "name", None)) and hasattr(x, "next_functions")


def run(fn: Callable, lib: Any, *args: Any) -> tuple[Any, list, str]:
    """``fn(lib, *args)``: its result (or Raised), the warnings it gave, what it printed."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            result = fn(lib, *args)
        except Exception as e:  # noqa: BLE001 - the exception is the observation
            result = Raised(e)
    ws = [(w.category.__name__, _ADDR.sub("0x", str(w.message))) for w in caught]
    return result, ws, _ADDR.sub("0x", out.getvalue())


def assert_same(e: Any, t: Any, where: str = "result", rtol: float = 1e-5,
                atol: float = 1e-6) -> None:
    """An ember observation equals the torch one (see the module docstring)."""
    if isinstance(t, Raised):
        assert isinstance(e, Raised), f"{where}: torch raised {t!r}, ember gave {e!r}"
        assert e.type.__name__ == t.type.__name__ or issubclass(e.type, t.type), \
            f"{where}: exception {e!r} != {t!r}"
        assert e.message == t.message, f"{where}: message\n  ember: {e.message!r}\n  torch: " \
                                       f"{t.message!r}"
        return
    assert not isinstance(e, Raised), f"{where}: ember raised {e!r}, torch gave {t!r}"
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{where}: expected a tensor, got {e!r}"
        assert tuple(e.shape) == tuple(t.shape), f"{where}: shape {e.shape} != {t.shape}"
        assert str(e.dtype) == str(t.dtype), f"{where}: dtype {e.dtype} != {t.dtype}"
        assert e.requires_grad == t.requires_grad, f"{where}: requires_grad"
        assert e.is_leaf == t.is_leaf, f"{where}: is_leaf {e.is_leaf} != {t.is_leaf}"
        en = None if e.grad_fn is None else e.grad_fn.name()
        tn = None if t.grad_fn is None else t.grad_fn.name()
        assert en == tn, f"{where}: grad_fn {en} != {tn}"
        a, b = np.asarray(e.detach()._data), t.detach().numpy()
        if b.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=where)
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
        return
    if _is_node(t):
        assert _is_node(e), f"{where}: expected a node {t.name()}, got {e!r}"
        assert e.name() == t.name(), f"{where}: node {e.name()} != {t.name()}"
        return
    if isinstance(t, torch.Size):
        assert isinstance(e, ember.Size), f"{where}: expected a Size, got {type(e)}"
        assert tuple(e) == tuple(t), f"{where}: {e} != {t}"
        return
    if isinstance(t, torch.dtype):
        assert str(e) == str(t), f"{where}: {e} != {t}"
        return
    if isinstance(t, torch.device):
        assert isinstance(e, ember.device), f"{where}: expected a device, got {e!r}"
        assert (str(e), repr(e)) == (str(t), repr(t)), f"{where}: {e!r} != {t!r}"
        return
    if isinstance(t, (tuple, list)):
        assert type(e) is type(t), f"{where}: {type(e).__name__} != {type(t).__name__}"
        assert len(e) == len(t), f"{where}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, f"{where}[{i}]", rtol, atol)
        return
    if isinstance(t, dict):
        assert isinstance(e, dict) and e.keys() == t.keys(), f"{where}: keys differ"
        for k in t:
            assert_same(e[k], t[k], f"{where}[{k!r}]", rtol, atol)
        return
    if isinstance(t, str):
        assert isinstance(e, str), f"{where}: expected str, got {e!r}"
        assert _ADDR.sub("0x", e) == _ADDR.sub("0x", t), f"{where}:\n  ember: {e!r}\n  " \
                                                          f"torch: {t!r}"
        return
    if isinstance(t, float):
        assert type(e) is float, f"{where}: expected float, got {type(e).__name__}"
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=where)
        return
    if isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray), f"{where}: expected ndarray, got {type(e)}"
        assert e.dtype == t.dtype and e.shape == t.shape, f"{where}: {e.dtype} {t.dtype}"
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=where)
        return
    assert type(e) is type(t), f"{where}: type {type(e).__name__} != {type(t).__name__}"
    assert e == t, f"{where}: {e!r} != {t!r}"


def same(fn: Callable, *args: Any, warns: bool = True, prints: bool = True,
         rtol: float = 1e-5, atol: float = 1e-6) -> Any:
    """Run ``fn`` with torch and with ember and assert they agree; return ember's result."""
    t_res, t_w, t_out = run(fn, torch, *args)
    e_res, e_w, e_out = run(fn, ember, *args)
    assert_same(e_res, t_res, rtol=rtol, atol=atol)
    if warns:
        assert e_w == t_w, f"warnings:\n  ember: {e_w}\n  torch: {t_w}"
    if prints:
        assert e_out == t_out, f"printed:\n--- ember\n{e_out}\n--- torch\n{t_out}"
    return e_res


def raises(fn: Callable, *args: Any) -> Raised:
    """Like ``same``, for a snippet that must raise; returns torch's exception."""
    t_res, _, _ = run(fn, torch, *args)
    assert isinstance(t_res, Raised), f"torch raised nothing ({t_res!r}): the test is wrong"
    same(fn, *args, warns=False)
    return t_res


def graph(fn: Any, depth: int = 6) -> Any:
    """The structure of a backward graph: (name, [children...]); AccumulateGrad children
    carry the shape of their variable. Comparable across libraries."""
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    kids = []
    for nxt, nr in fn.next_functions:
        kids.append((graph(nxt, depth - 1), nr))
    if fn.name() == "torch::autograd::AccumulateGrad" or fn.name() == "AccumulateGrad":
        return ("AccumulateGrad", tuple(fn.variable.shape))
    return (fn.name(), kids)

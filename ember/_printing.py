"""How tensors print: ``repr(t)`` / ``str(t)``, matching PyTorch character for character.

The rules follow ``torch/_tensor_str.py``:

* One formatter is built for the whole tensor (for complex tensors, one for the real parts
  and one for the imaginary parts), so every element gets the same column width.
* A floating formatter looks only at the non-zero finite values.  If they are all whole
  numbers it prints them as ``3.``; it switches to scientific notation when the largest
  magnitude is more than 1000x the smallest, above 1e8, or below 1e-4 (unless the user
  forced ``sci_mode``).
* When a tensor has more than ``threshold`` elements it is summarized: each dimension
  longer than ``2 * edgeitems`` keeps its first and last ``edgeitems`` entries around a
  ``...``, and the formatter is built from the kept entries only.
* Rows wrap to ``linewidth``; nested dimensions are indented one column per level and
  separated by ``dim - 1`` newlines.
* Suffixes (device, dtype, requires_grad / grad_fn) follow the contents, and move onto a
  new line when they would run past ``linewidth``.

Everything is computed from the tensor's NumPy data, converted to Python numbers so the
formatting uses Python's ``format`` exactly as PyTorch's ``.item()`` / ``.tolist()`` do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["get_printoptions", "printoptions", "set_printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

# set_printoptions(profile=...) presets, as in torch.
_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """torch.set_printoptions: change how tensors print.

    ``profile`` ("default", "short", "full") applies a preset first; the other arguments
    then override it.  Like torch, ``sci_mode`` is always assigned, so leaving it out
    returns to automatic selection.
    """
    if profile is not None and profile in _PROFILES:
        for key, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, key, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """torch.get_printoptions: the current options, usable as ``set_printoptions(**opts)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (same arguments as :func:`set_printoptions`)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------------------
# Element formatting
# ---------------------------------------------------------------------------------------


class _Formatter:
    """Decides the style (int / fixed / scientific) and column width for a set of values.

    ``values`` is the flat array of values the decision is based on: the whole tensor, or
    only its summarized part.
    """

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not floating:
            # Integers and bools print with str(); the widest one sets the column width.
            for value in set(values.tolist()):
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        # float64 holds float16/bfloat16/float32 values exactly, so these comparisons agree
        # with PyTorch's in the original dtype (and bfloat16 gets plain NumPy math).
        values = values.astype(np.float64)
        nonzero_finite = values[np.isfinite(values) & (values != 0)]
        if nonzero_finite.size == 0:
            # Nothing to measure (all zero / inf / nan): keep int mode with width 1.
            return

        magnitudes = np.abs(nonzero_finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)

        precision = PRINT_OPTS.precision
        unique = set(nonzero_finite.tolist())
        if self.sci_mode:
            widths = (len(f"{v:.{precision}e}") for v in unique)
        elif self.int_mode:
            # Whole numbers print as "3." - one extra column for the trailing point.
            widths = (len(f"{v:.0f}") + 1 for v in unique)
        else:
            widths = (len(f"{v:.{precision}f}") for v in unique)
        self.max_width = max(self.max_width, *widths)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                # The point marks the tensor as floating; inf and nan need no marker.
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _format_value(value: Any, real_fmt: _Formatter, imag_fmt: _Formatter | None) -> str:
    """One element; complex values join the real and imaginary strings with their sign."""
    if imag_fmt is None:
        return real_fmt.format(value)
    real_str = real_fmt.format(value.real)
    imag_str = (imag_fmt.format(value.imag) + "j").lstrip()
    # A negative (or signed) imaginary part brings its own sign; otherwise insert "+".
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


# ---------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------


def _summarized_values(a: np.ndarray) -> np.ndarray:
    """The values a summarized print shows, flattened (torch's get_summarized_data).

    The formatter is built from these alone, so a huge outlier in the hidden middle of a
    tensor does not change how the visible part prints.
    """
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a.reshape(-1)
    if a.ndim == 1:
        if a.shape[0] > 2 * edge:
            # Like torch, a[-0:] is the whole row when edgeitems is 0.
            return np.concatenate((a[:edge], a[-edge:]))
        return a
    if not edge:
        return np.empty(0, a.dtype)
    n = a.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.concatenate([_summarized_values(a[i]) for i in rows])


def _py_values(a: np.ndarray) -> Any:
    """Elements as Python numbers, as PyTorch's ``.tolist()`` / ``.item()`` give them.

    Floats widen to float64 (exact), which also turns float16 and bfloat16 (an ml_dtypes
    type) into plain Python floats; complex widens to complex128 likewise.
    """
    if a.dtype.kind in "biu":
        return a.tolist()
    if a.dtype.kind == "c":
        return a.astype(np.complex128).tolist()
    return a.astype(np.float64).tolist()


def _vector_str(a: np.ndarray, indent: int, summarize: bool, real_fmt: _Formatter,
                imag_fmt: _Formatter | None) -> str:
    # Each element takes its width plus ", "; complex adds the imaginary width and "j".
    element_length = real_fmt.width() + 2
    if imag_fmt is not None:
        element_length += imag_fmt.width() + 1
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = ([_format_value(v, real_fmt, imag_fmt) for v in _py_values(a[:edge])]
                + [" ..."]
                + [_format_value(v, real_fmt, imag_fmt) for v in _py_values(a[-edge:])])
    else:
        data = [_format_value(v, real_fmt, imag_fmt) for v in _py_values(a)]

    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, real_fmt: _Formatter,
                imag_fmt: _Formatter | None) -> str:
    if a.ndim == 0:
        return _format_value(_py_values(a), real_fmt, imag_fmt)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, real_fmt, imag_fmt)

    n, edge = a.shape[0], PRINT_OPTS.edgeitems
    if summarize and n > 2 * edge:
        slices = ([_nested_str(a[i], indent + 1, summarize, real_fmt, imag_fmt)
                   for i in range(edge)]
                  + ["..."]
                  + [_nested_str(a[i], indent + 1, summarize, real_fmt, imag_fmt)
                     for i in range(n - edge, n)])
    else:
        slices = [_nested_str(a[i], indent + 1, summarize, real_fmt, imag_fmt)
                  for i in range(n)]
    # Deeper blocks are separated by more blank lines: dim - 1 newlines between them.
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _contents_str(a: np.ndarray, dtype: Any, indent: int) -> str:
    """The bracketed contents of a non-empty tensor (torch's _tensor_str)."""
    summarize = a.size > PRINT_OPTS.threshold

    def formatter(part: np.ndarray, floating: bool) -> _Formatter:
        values = _summarized_values(part) if summarize else part.reshape(-1)
        return _Formatter(values, floating)

    # Only the shown elements are converted to Python numbers, so printing a huge
    # summarized tensor stays cheap.
    if dtype.is_complex:
        real_fmt = formatter(a.real, True)
        imag_fmt = formatter(a.imag, True)
        return _nested_str(a, indent, summarize, real_fmt, imag_fmt)
    formatter1 = formatter(a, bool(dtype.is_floating_point))
    return _nested_str(a, indent, summarize, formatter1, None)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int) -> str:
    parts = [tensor_str]
    # Mirrors torch's arithmetic exactly, including its +1 (so +2 on a single line): it
    # decides where the suffixes wrap.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _default_dtype_name() -> str:
    # Imported lazily so that importing this module never depends on the rest of ember.
    try:
        from ._dtype import get_default_dtype
    except ImportError:  # pragma: no cover - only while the package is incomplete
        return "float32"
    return get_default_dtype().name


def _numpy_data(t: Any) -> np.ndarray:
    data = t._data
    if type(data) is not np.ndarray and hasattr(data, "get"):
        data = data.get()  # CuPy array: copy to the host for printing
    return np.asarray(data)


def tensor_repr(t: Any, *, tensor_contents: str | None = None) -> str:
    """``repr(t)`` / ``str(t)`` exactly as PyTorch prints the tensor.

    ``tensor_contents`` replaces the bracketed contents, as torch's ``Tensor.__repr__``
    allows; the suffixes are still computed from ``t``.
    """
    cls_name = type(t).__name__
    prefix = "tensor(" if cls_name in ("Tensor", "Parameter") else f"{cls_name}("
    indent = len(prefix)
    suffixes: list[str] = []

    # CPU is the only default device, so any other device is named.
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")

    data = _numpy_data(t)
    dtype = t.dtype
    default = _default_dtype_name()
    default_complex = "complex128" if default == "float64" else "complex64"
    # These dtypes are what torch.tensor() would infer from the printed values anyway.
    has_default_dtype = dtype.name in (default, default_complex, "int64", "bool")
    dtype_str = f"dtype=torch.{dtype.name}"

    if data.size == 0:
        # Show the shape unless it is (0,), matching NumPy; an empty tensor has no values
        # to infer the dtype from, so only the default dtype goes unnamed.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype.name != default:
            suffixes.append(dtype_str)
        tensor_str = "[]" if tensor_contents is None else tensor_contents
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        if not has_default_dtype:
            suffixes.append(dtype_str)
        tensor_str = (_contents_str(data, dtype, indent) if tensor_contents is None
                      else tensor_contents)

    # Non-leaves name their grad_fn; requires_grad=True is only shown for leaves.
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    from .autograd import forward_ad  # (printing is no hot path)

    if forward_ad._state.active:  # a dual tensor shows its tangent, as in torch
        tangent = forward_ad._tangent(t)
        if tangent is not None:
            suffixes.append(f"tangent={tensor_repr(tangent)}")

    string = _add_suffixes(prefix + tensor_str, suffixes, indent)
    if cls_name == "Parameter":
        # nn.Parameter.__repr__ puts this header in front of the tensor's own repr.
        string = "Parameter containing:\n" + string
    return string

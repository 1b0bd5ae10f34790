"""dtypes and PyTorch's type-promotion rules.

PyTorch promotes differently from NumPy in two ways that users notice:
Python numbers are "weak" (``float32_tensor * 2.5`` stays float32, ``int64_tensor * 2.5``
becomes the default float dtype), and zero-dim tensors only win when they are of a higher
category (bool < integer < floating < complex) than the dimensioned operands.
"""

from __future__ import annotations

import builtins

import numpy as np

__all__ = [
    "dtype", "float16", "half", "float32", "float", "float64", "double", "bfloat16",
    "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "uint16", "uint32",
    "uint64", "bool",
    "complex64", "cfloat", "complex128", "cdouble",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


_TYPE_WORDS = {"float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
               "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
               "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64", "bool": "Bool",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_CPP_NAMES = {"float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
              "float64": "double", "int8": "signed char", "int16": "short int", "int32": "int",
              "int64": "long int", "uint8": "unsigned char", "uint16": "unsigned short",
              "uint32": "unsigned int", "uint64": "unsigned long", "bool": "bool",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


class dtype:
    """A tensor element type, printed as PyTorch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "category", "itemsize", "is_floating_point", "is_complex",
                 "is_signed", "type_word", "cpp_name")

    def __init__(self, name: str, np_dtype: object, category: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = not name.startswith("uint") and name != "bool"
        # How PyTorch's error messages name the type: "Float" (ScalarType) or "float" (C++).
        self.type_word = _TYPE_WORDS[name]
        self.cpp_name = _CPP_NAMES[name]

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self) -> str:
        return self.name

    def to_real(self) -> dtype:
        """torch.dtype.to_real: the real counterpart of a complex dtype."""
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> dtype:
        """torch.dtype.to_complex: the complex counterpart of a floating dtype."""
        if self.is_complex:
            return self
        if self.category != _FLOAT:
            raise RuntimeError(f"Unknown Complex ScalarType for {self.type_word}")
        return complex128 if self is float64 else complex64


float16 = half = dtype("float16", np.float16, _FLOAT)
float32 = float = dtype("float32", np.float32, _FLOAT)
float64 = double = dtype("float64", np.float64, _FLOAT)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = int = dtype("int32", np.int32, _INT)
int64 = long = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
# PyTorch's "shell" unsigned types: they exist, but promote only with floating types.
uint16 = dtype("uint16", np.uint16, _INT)
uint32 = dtype("uint32", np.uint32, _INT)
uint64 = dtype("uint64", np.uint64, _INT)
bool = dtype("bool", np.bool_, _BOOL)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)
BFLOAT16_MISSING = ("ember.bfloat16 needs the ml_dtypes package, which is not installed: "
                    "pip install ml_dtypes (or pip install 'ember[bf16]')")
try:  # bfloat16 exists on the CPU only through ml_dtypes; without it the name is None here
    # and ember.bfloat16 raises AttributeError(BFLOAT16_MISSING).
    import ml_dtypes

    bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT)
except ImportError:  # pragma: no cover - depends on the environment
    bfloat16 = None

_ALL = [d for d in (float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8,
                    uint16, uint32, uint64, bool, complex64, complex128) if d is not None]
_SHELL = (uint16, uint32, uint64)
_FROM_NP = {d.np: d for d in _ALL}
_FROM_NAME = {d.name: d for d in _ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    """torch.get_default_dtype."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """torch.set_default_dtype (float32 or float64)."""
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def from_numpy_dtype(np_dtype: object) -> dtype:
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        d = np.dtype(np_dtype)
        if d in _FROM_NP:
            return _FROM_NP[d]
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{d.type.__name__}. The only supported "
            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
            "int8, uint64, uint32, uint16, uint8, and bool.") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the higher category wins; within one category, the wider type."""
    if a is b:
        return a
    if a in _SHELL or b in _SHELL:
        if a.category == _FLOAT or b.category == _FLOAT:
            return a if a.category == _FLOAT else b
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {a.type_word} and {b.type_word}")
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi is complex64 and lo is float64:
            return complex128
        return hi
    if {a, b} == {float16, bfloat16}:
        return float32
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # Mirrors c10's combine_categories: the lower class of operand only matters when it
    # is of a higher category than what the higher class already settled on.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value: object) -> dtype:
    """The dtype a Python number takes when it stands alone as a tensor."""
    if isinstance(value, _pybool):
        return bool
    if isinstance(value, _pyint):
        return int64
    if isinstance(value, _pycomplex):
        return complex64 if _default[0] is not float64 else complex128
    return _default[0]


# This module binds bool and int to dtypes, as torch does; Python's own come from builtins.
_pybool, _pyint, _pycomplex = builtins.bool, builtins.int, complex


def result_type(*operands: object) -> dtype:
    """torch.result_type over tensors and Python numbers."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:  # a Python number: weak, it only decides its category
            d = scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        elif x.ndim > 0:
            dim = d if dim is None else promote_types(dim, d)
        else:
            zero = d if zero is None else promote_types(zero, d)
    return _combine(dim, _combine(zero, wrapped))

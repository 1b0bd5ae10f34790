"""ember._dtype against real PyTorch: promote_types for every pair, result_type for tensors,
zero-dim tensors and Python numbers, the default dtype, and dtype attributes and reprs."""

from __future__ import annotations

import itertools

import pytest
import torch
from oracle import check, check_error

import ember
from ember import _dtype

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]
SHELL = ["uint16", "uint32", "uint64"]  # PyTorch's unsigned types with no promotion rules


def _e(name):
    return getattr(_dtype, name)


def _t(name):
    return getattr(torch, name)


def _same_promotion(a, b):
    try:
        expected = torch.promote_types(_t(a), _t(b))
    except RuntimeError as err:
        with pytest.raises(RuntimeError) as got:
            ember.promote_types(_e(a), _e(b))
        assert str(got.value) == str(err)
        return
    assert str(ember.promote_types(_e(a), _e(b))) == str(expected), (a, b)


@pytest.mark.parametrize("a", NAMES + SHELL)
def test_promote_types_all_pairs(a):
    for b in NAMES + SHELL:
        _same_promotion(a, b)


# Operands: ("dim", dtype) a 1-D tensor, ("zero", dtype) a 0-dim tensor, ("py", value).
PY_VALUES = [True, 2, 2.5, 1j]


def _operand(lib, spec):
    kind, v = spec
    if kind == "py":
        return v
    t = lib.ones(2 if kind == "dim" else (), dtype=getattr(lib, v))
    return t


def _complex_half(specs):
    """float16 with a complex number is complex32 in PyTorch, which ember lacks."""
    names = [v for k, v in specs if k != "py"]
    return "float16" in names and any(k == "py" and isinstance(v, complex) for k, v in specs) \
        and not any(n.startswith("complex") for n in names)


def _cases():
    specs = [("dim", n) for n in NAMES] + [("zero", n) for n in NAMES] + \
        [("py", v) for v in PY_VALUES]
    for a, b in itertools.combinations_with_replacement(specs, 2):
        if a[0] == "py" and b[0] == "py":
            continue
        if _complex_half((a, b)):
            continue
        yield a, b


CASES = list(_cases())


@pytest.mark.parametrize("first", sorted({a for a, _ in CASES}, key=str))
def test_result_type_table(first):
    for a, b in CASES:
        if a != first:
            continue
        for x, y in ((a, b), (b, a)):
            expected = torch.result_type(_operand(torch, x), _operand(torch, y))
            if expected is torch.complex32:  # ember has no complex32 (complex half)
                continue
            got = ember.result_type(_operand(ember, x), _operand(ember, y))
            assert str(got) == str(expected), (x, y)


@pytest.mark.parametrize("ops", [
    (("dim", "int32"), ("zero", "int64"), ("zero", "float16")),
    (("dim", "uint8"), ("zero", "int8"), ("dim", "int8")),
    (("dim", "bool"), ("zero", "float64"), ("zero", "complex64")),
    (("zero", "int16"), ("zero", "float16"), ("dim", "bool")),
    (("dim", "float16"), ("zero", "float64"), ("dim", "int64")),
    (("dim", "int8"), ("zero", "complex128"), ("zero", "float64")),
])
def test_three_operand_promotion(ops):
    """addcmul promotes its three operands together (zero-dim tensors are weaker)."""
    if any(v in ("bool",) for _, v in ops[1:]):
        pytest.skip("addcmul rejects bool tensor1/tensor2")
    check(lambda t: str(t.addcmul(*(_operand(t, s) for s in ops)).dtype), grad=False)


@pytest.mark.parametrize("a,b", [(a, b) for a in NAMES for b in NAMES if a <= b])
def test_binary_op_result_dtype_matches_promotion(a, b):
    """x + y really has the promoted dtype (tensors of both shapes)."""
    if "bool" == a == b:
        op = lambda x, y: x | y  # noqa: E731
    else:
        op = lambda x, y: x * y  # noqa: E731
    check(lambda t: str(op(t.ones(2, dtype=_lib(t, a)), t.ones(2, dtype=_lib(t, b))).dtype),
          grad=False)
    check(lambda t: str(op(t.ones(2, dtype=_lib(t, a)), t.ones((), dtype=_lib(t, b))).dtype),
          grad=False)


def _lib(t, name):
    return getattr(t, name)


# -- default dtype ------------------------------------------------------------------------------

def test_default_dtype():
    assert str(ember.get_default_dtype()) == str(torch.get_default_dtype()) == "torch.float32"
    for d in ("float64", "float16", "float32"):
        torch.set_default_dtype(_t(d))
        ember.set_default_dtype(_e(d))
        assert str(ember.get_default_dtype()) == str(torch.get_default_dtype())
        check(lambda t: (t.tensor([1.5]), t.arange(0.0, 1.0), t.tensor([1, 2]),
                         str(t.result_type(t.tensor([1]), 2.5)),
                         d == "float16" or str(t.result_type(t.tensor([1]), 2j))), grad=False)


def test_set_default_dtype_errors():
    check_error(lambda t: t.set_default_dtype(t.int64), match=True)
    check_error(lambda t: t.set_default_dtype(t.complex64), match=True)


def test_default_float64_promotion_of_ints():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    check(lambda t: (t.tensor([1, 2]) / 2, t.tensor([1, 2]) * 1.5, t.tensor([1]).float().dtype
                     is t.float32, t.ones(2, dtype=t.float32) * 2.5), grad=False)


# -- attributes and reprs ---------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES + SHELL)
def test_dtype_attributes(name):
    e, t = _e(name), _t(name)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e.is_floating_point == t.is_floating_point
    assert e.is_complex == t.is_complex
    assert e.is_signed == t.is_signed
    assert e.itemsize == t.itemsize
    if t.is_floating_point or t.is_complex:
        assert str(e.to_complex()) == str(t.to_complex()) or name == "float16"
    assert str(e.to_real()) == str(t.to_real())


def test_dtype_aliases():
    for alias, name in [("float", "float32"), ("double", "float64"), ("half", "float16"),
                        ("long", "int64"), ("int", "int32"), ("short", "int16"),
                        ("cfloat", "complex64"), ("cdouble", "complex128")]:
        assert getattr(ember, alias) is getattr(ember, name)
        assert getattr(torch, alias) is getattr(torch, name)


def test_to_complex_of_int_error():
    with pytest.raises(RuntimeError) as e:
        torch.int64.to_complex()
    with pytest.raises(RuntimeError) as ee:
        ember.int64.to_complex()
    assert str(ee.value) == str(e.value)


def test_tensor_dtype_properties():
    check(lambda t: [(x.is_floating_point(), x.is_complex(), x.element_size(), str(x.dtype))
                     for x in (t.ones(1), t.ones(1, dtype=t.int8), t.ones(1, dtype=t.bool),
                               t.ones(1, dtype=t.complex128), t.ones(1, dtype=t.float16))],
          grad=False)

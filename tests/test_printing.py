"""ember._printing against real PyTorch: repr() must agree character for character.

The tensors handed to ``tensor_repr`` are small stand-ins carrying only the attributes the
printer uses, so these tests do not depend on the rest of ember.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch

from ember import _printing
from ember._printing import (
    get_printoptions,
    printoptions,
    set_printoptions,
    tensor_repr,
)

# ---------------------------------------------------------------------------------------
# Stand-ins for ember's dtype / device / Tensor / Parameter
# ---------------------------------------------------------------------------------------


class FakeDtype:
    def __init__(self, name: str) -> None:
        self.name = name
        self.is_floating_point = name.startswith(("float", "bfloat"))
        self.is_complex = name.startswith("complex")

    def __repr__(self) -> str:
        return "torch." + self.name


class FakeDevice:
    def __init__(self, name: str = "cpu") -> None:
        self.name = name
        self.type = name.split(":")[0]

    def __str__(self) -> str:
        return self.name


class FakeCupyArray:
    """Enough of a CuPy array for printing: ``.get()`` copies to a NumPy array."""

    def __init__(self, arr: np.ndarray) -> None:
        self._arr = arr

    def get(self) -> np.ndarray:
        return self._arr.copy()


class AddBackward0:
    """Named like PyTorch's node so that ``type(grad_fn).__name__`` matches."""


class Tensor:
    def __init__(self, arr: Any, *, requires_grad: bool = False, grad_fn: Any = None,
                 device: str = "cpu", dtype: str | None = None) -> None:
        self._data = arr
        data = arr.get() if isinstance(arr, FakeCupyArray) else arr
        self.dtype = FakeDtype(dtype or data.dtype.name)
        self.device = FakeDevice(device)
        self.requires_grad = requires_grad
        self.grad_fn = grad_fn
        self.is_leaf = grad_fn is None

    def __repr__(self) -> str:
        return tensor_repr(self)


class Parameter(Tensor):
    def __init__(self, arr: np.ndarray, requires_grad: bool = True) -> None:
        super().__init__(arr, requires_grad=requires_grad)


class MyTensor(Tensor):
    pass


class TorchMyTensor(torch.Tensor):
    pass


@pytest.fixture(autouse=True)
def _restore_print_options() -> Iterator[None]:
    """Every test starts from, and leaves behind, the default options in both libraries."""
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def check(arr: np.ndarray, **kwargs: Any) -> None:
    expected = repr(torch.from_numpy(arr.copy()))
    got = tensor_repr(Tensor(arr.copy(), **kwargs))
    assert got == expected, f"\nexpected:\n{expected}\ngot:\n{got}"


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------
# Plain tensors: values, dtypes, shapes
# ---------------------------------------------------------------------------------------

Factory = Callable[[], np.ndarray]
f32, f64 = np.float32, np.float64
inf, nan = np.inf, np.nan

CASES: dict[str, Factory] = {
    # random values at several magnitudes (fixed-point vs scientific selection)
    **{
        f"randn-scale{scale:g}-{shape}": (
            lambda scale=scale, shape=shape, seed=seed: (
                rng(seed).standard_normal(shape) * scale).astype(f32))
        for seed, (scale, shape) in enumerate([
            (1e-6, (5,)), (1e-3, (4,)), (0.05, (3, 4)), (1.0, (6,)), (1.0, (3, 4)),
            (10.0, (2, 3)), (1e3, (5,)), (1e5, (4,)), (1e9, (3,)), (1e-9, (2, 2)),
        ])
    },
    "uniform-span-999x": lambda: np.array([0.001, 0.5, 0.999], f32),
    "uniform-span-over-1000x": lambda: np.array([0.001, 0.5, 1.5], f32),
    "just-below-1e-4": lambda: np.array([9.9e-5, 0.5], f32),
    "just-above-1e8": lambda: np.array([1.5e8, 2e8], f32),
    "rounding-widens": lambda: np.array([9.99996, 1.0], f32),
    # integer-valued floats
    "int-valued-1d": lambda: np.array([9.0, 2.0, 2.0], f32),
    "int-valued-2d": lambda: np.array([[4, 2, 2], [2, 4, 2], [2, 2, 4]], f32),
    "int-valued-negative": lambda: np.array([-3.0, 10.0, 0.0, -100.0], f32),
    "int-valued-large": lambda: np.array([1e5, 1.0, 3.0], f32),
    "int-valued-huge": lambda: np.array([1e9, 2e9], f32),
    "int-valued-1024-0d": lambda: np.array(1024.0, f32),
    # non-finite values and signed zeros
    "inf-nan-only": lambda: np.array([inf, -inf, nan], f32),
    "int-with-inf": lambda: np.array([1.0, inf, -2.0], f32),
    "frac-with-nan": lambda: np.array([1.5, nan, -inf, 0.25], f32),
    "sci-with-nan": lambda: np.array([1e-6, nan, 3.0, -inf], f32),
    "zeros": lambda: np.zeros(4, f32),
    "negative-zero": lambda: np.array([-0.0, 0.0, 2.0], f32),
    "negative-zero-frac": lambda: np.array([-0.0, 1.5], f32),
    "negative-zero-sci": lambda: np.array([-0.0, 1e-7, 5.0], f32),
    "only-negative-zero": lambda: np.array([-0.0], f32),
    # 0-d
    "0d-float": lambda: np.array(3.0, f32),
    "0d-frac": lambda: np.array(-0.4717, f32),
    "0d-tiny": lambda: np.array(1e-7, f32),
    "0d-nan": lambda: np.array(nan, f32),
    "0d-float64": lambda: np.array(2.5, f64),
    "0d-bool": lambda: np.array(True),
    "0d-int64": lambda: np.array(7, np.int64),
    "0d-int8": lambda: np.array(-5, np.int8),
    "0d-complex": lambda: np.array(1 - 2j, np.complex64),
    # empty
    "empty-1d": lambda: np.zeros(0, f32),
    "empty-0x3": lambda: np.zeros((0, 3), f32),
    "empty-2x0": lambda: np.zeros((2, 0), f32),
    "empty-0x2x3": lambda: np.zeros((0, 2, 3), f32),
    "empty-int64": lambda: np.zeros(0, np.int64),
    "empty-int32-2d": lambda: np.zeros((3, 0), np.int32),
    "empty-bool": lambda: np.zeros(0, bool),
    "empty-float64": lambda: np.zeros((0, 4), f64),
    "empty-complex64": lambda: np.zeros(0, np.complex64),
    # every dtype
    "float16": lambda: rng(20).standard_normal((2, 3)).astype(np.float16),
    "float16-int-valued": lambda: np.array([1, 2, 2048], np.float16),
    "float16-inf": lambda: np.array([65504, inf, 0.001], np.float16),
    "float64": lambda: rng(21).standard_normal((3, 3)),
    "float64-sci": lambda: rng(22).standard_normal(4) * 1e-12,
    "int64": lambda: np.array([[-1, 20, 300], [4, 5, -6000]], np.int64),
    "int32": lambda: np.array([1, -2, 3], np.int32),
    "int16": lambda: np.array([-32768, 0, 32767], np.int16),
    "int8": lambda: np.array([[-128, 127], [0, 1]], np.int8),
    "uint8": lambda: np.array([0, 7, 255], np.uint8),
    "bool": lambda: np.array([True, False, True]),
    "bool-all-true": lambda: np.array([[True, True], [True, True]]),
    "complex64": lambda: np.array([1 + 2j, 3 - 1j], np.complex64),
    "complex64-frac": lambda: (rng(23).standard_normal(4)
                               + 1j * rng(24).standard_normal(4)).astype(np.complex64),
    "complex128-2d": lambda: (rng(25).standard_normal((2, 3))
                              + 1j * rng(26).standard_normal((2, 3))),
    "complex-sci": lambda: np.array([1e-6 + 1e3j, 2.0 - 5e-7j], np.complex128),
    "complex-negzero-imag": lambda: np.array([complex(1.5, -0.0), 2 + 0j], np.complex64),
    "complex-nan-inf": lambda: np.array([complex(nan, 1), complex(inf, -inf)], np.complex64),
    # multi-dimensional
    "3d": lambda: rng(30).standard_normal((2, 3, 4)).astype(f32),
    "4d": lambda: rng(31).standard_normal((2, 2, 2, 3)).astype(f32),
    "4d-int": lambda: np.arange(36, dtype=np.int64).reshape(3, 1, 3, 4) - 10,
    "5d-ones": lambda: np.ones((1, 2, 1, 2, 2), f32),
    "2d-single-column": lambda: rng(32).standard_normal((4, 1)).astype(f32),
    # wide rows that wrap at 80 columns
    "wrap-1d": lambda: rng(40).standard_normal(30).astype(f32),
    "wrap-1d-int": lambda: np.arange(100, dtype=np.int64),
    "wrap-1d-float64-wide": lambda: rng(41).standard_normal(25) * 1000,
    "wrap-1d-sci": lambda: (rng(42).standard_normal(20) * 1e6).astype(f32),
    "wrap-complex": lambda: (rng(43).standard_normal(20)
                             + 1j * rng(44).standard_normal(20)).astype(np.complex64),
    "wrap-2d": lambda: rng(45).standard_normal((3, 30)).astype(f32),
    "wrap-3d": lambda: rng(46).standard_normal((2, 2, 25)).astype(f32),
    "wrap-bool": lambda: rng(47).standard_normal(40) > 0,
    # above the 1000-element threshold: summarized with "..."
    "summ-1d-float": lambda: np.arange(2000, dtype=f32) / 7,
    "summ-1d-randn": lambda: rng(50).standard_normal(1001).astype(f32),
    "summ-2d": lambda: rng(51).standard_normal((40, 40)).astype(f32),
    "summ-3d": lambda: rng(52).standard_normal((10, 10, 20)).astype(f32),
    "summ-2d-short-rows": lambda: rng(53).standard_normal((500, 3)).astype(f32),
    "summ-2d-short-cols": lambda: rng(54).standard_normal((3, 500)).astype(f32),
    "summ-int": lambda: np.arange(5000, dtype=np.int64).reshape(50, 100),
    "summ-bool": lambda: rng(55).standard_normal(1500) > 0,
    "summ-complex": lambda: (rng(56).standard_normal(1200)
                             + 1j * rng(57).standard_normal(1200)).astype(np.complex64),
    # the hidden middle must not influence the format of what is shown
    "summ-hidden-outlier": lambda: np.concatenate(
        [np.ones(3, f32), np.full(2000, 1e10, f32), np.full(3, 2.5, f32)]),
    "summ-4d": lambda: np.arange(2 * 7 * 8 * 9, dtype=f64).reshape(2, 7, 8, 9),
}


@pytest.mark.parametrize("factory", list(CASES.values()), ids=list(CASES))
def test_matches_torch(factory: Factory) -> None:
    check(factory())


def test_str_equals_repr() -> None:
    arr = rng(60).standard_normal((2, 3)).astype(f32)
    assert str(Tensor(arr)) == repr(Tensor(arr)) == str(torch.from_numpy(arr))


# ---------------------------------------------------------------------------------------
# Autograd suffixes, Parameter, device, subclasses, default dtype
# ---------------------------------------------------------------------------------------

GRAD_CASES: dict[str, Factory] = {
    "scalar-list": lambda: np.array([-0.4717], f32),
    "2d": lambda: rng(70).standard_normal((3, 4)).astype(f32),
    "float64": lambda: np.array([1.0, 2.5], f64),
    "0d": lambda: np.array(3.0, f32),
    "wrap-suffix": lambda: rng(71).standard_normal(9).astype(f64),
    "long-line-suffix": lambda: rng(72).standard_normal(8).astype(f32),
    "summarized": lambda: rng(73).standard_normal((50, 50)).astype(f32),
}


@pytest.mark.parametrize("factory", list(GRAD_CASES.values()), ids=list(GRAD_CASES))
def test_requires_grad_leaf(factory: Factory) -> None:
    arr = factory()
    expected = repr(torch.from_numpy(arr.copy()).requires_grad_())
    assert tensor_repr(Tensor(arr, requires_grad=True)) == expected


@pytest.mark.parametrize("factory", list(GRAD_CASES.values()), ids=list(GRAD_CASES))
def test_grad_fn(factory: Factory) -> None:
    arr = factory()
    result = torch.tensor(arr, requires_grad=True) + 0
    assert type(result.grad_fn).__name__ == "AddBackward0"
    fake = Tensor(arr, requires_grad=True, grad_fn=AddBackward0())
    assert tensor_repr(fake) == repr(result)


@pytest.mark.parametrize("requires_grad", [True, False])
def test_parameter(requires_grad: bool) -> None:
    arr = rng(80).standard_normal((2, 3)).astype(f32)
    expected = repr(torch.nn.Parameter(torch.from_numpy(arr.copy()), requires_grad))
    assert expected.startswith("Parameter containing:\ntensor(")
    assert tensor_repr(Parameter(arr, requires_grad)) == expected


def test_subclass_uses_its_name() -> None:
    arr = np.array([1.0, 2.0], f32)
    expected = repr(torch.from_numpy(arr.copy()).as_subclass(TorchMyTensor))
    assert tensor_repr(MyTensor(arr)).replace("MyTensor", "TorchMyTensor") == expected


# The CPU-only oracle cannot make CUDA tensors; these strings are PyTorch's own output.
@pytest.mark.parametrize(("arr", "kwargs", "expected"), [
    (np.array([1.0, 2.0], f32), {},
     "tensor([1., 2.], device='cuda:0')"),
    (np.array([1.5], f64), {"requires_grad": True},
     "tensor([1.5000], device='cuda:0', dtype=torch.float64, requires_grad=True)"),
    (np.zeros((0, 2), np.int64), {},
     "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int64)"),
    (np.array(True), {},
     "tensor(True, device='cuda:0')"),
], ids=["float32", "float64-grad", "empty-int", "0d-bool"])
def test_cuda_device(arr: np.ndarray, kwargs: dict[str, Any], expected: str) -> None:
    fake = Tensor(FakeCupyArray(arr), device="cuda:0", **kwargs)
    assert tensor_repr(fake) == expected


def test_default_dtype_float64(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_printing, "_default_dtype_name", lambda: "float64")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for arr in (np.array([1.5, 2.0], f32), np.array([1.5, 2.0], f64),
                    np.array([1 + 1j], np.complex64), np.array([1 + 1j], np.complex128),
                    np.zeros(0, f32), np.zeros(0, f64)):
            check(arr)
    finally:
        torch.set_default_dtype(old)


# ---------------------------------------------------------------------------------------
# Print options
# ---------------------------------------------------------------------------------------

OPTION_CASES: list[tuple[str, dict[str, Any], Factory]] = [
    ("precision2", {"precision": 2}, lambda: rng(90).standard_normal((3, 3)).astype(f32)),
    ("precision2-sci", {"precision": 2}, lambda: np.array([1e-6, 1.0], f32)),
    ("precision8-float64", {"precision": 8}, lambda: rng(91).standard_normal(4)),
    ("precision0", {"precision": 0}, lambda: np.array([1.25, 2.75], f32)),
    ("sci-off-small", {"sci_mode": False}, lambda: np.array([1e-6, 1.0], f32)),
    ("sci-off-large", {"sci_mode": False}, lambda: np.array([1e10, 1.5], f64)),
    ("sci-on", {"sci_mode": True}, lambda: np.array([1.5, 2.25], f32)),
    ("sci-on-int-valued", {"sci_mode": True}, lambda: np.array([1.0, 200.0], f32)),
    ("threshold5", {"threshold": 5}, lambda: np.arange(10, dtype=np.int64)),
    ("threshold5-2d", {"threshold": 5}, lambda: np.arange(64, dtype=f32).reshape(8, 8)),
    ("threshold0-small", {"threshold": 0}, lambda: np.array([1.0, 2.0], f32)),
    ("edgeitems1", {"threshold": 10, "edgeitems": 1},
     lambda: rng(92).standard_normal((5, 6)).astype(f32)),
    ("edgeitems0-1d", {"threshold": 3, "edgeitems": 0}, lambda: np.arange(10, dtype=f32)),
    ("edgeitems0-2d", {"threshold": 3, "edgeitems": 0},
     lambda: np.arange(12, dtype=np.int64).reshape(3, 4)),
    ("linewidth40", {"linewidth": 40}, lambda: rng(93).standard_normal(20).astype(f32)),
    ("linewidth40-3d", {"linewidth": 40},
     lambda: rng(94).standard_normal((2, 2, 12)).astype(f32)),
    ("linewidth10", {"linewidth": 10}, lambda: np.array([1.5, 2.5, 3.5], f64)),
    ("linewidth200", {"linewidth": 200}, lambda: rng(95).standard_normal(40).astype(f32)),
    ("profile-short", {"profile": "short"},
     lambda: rng(96).standard_normal((20, 60)).astype(f32)),
    ("profile-full", {"profile": "full"}, lambda: np.arange(1200, dtype=np.int64)),
]


@pytest.mark.parametrize(("options", "factory"), [(o, f) for _, o, f in OPTION_CASES],
                         ids=[name for name, _, _ in OPTION_CASES])
def test_print_options(options: dict[str, Any], factory: Factory) -> None:
    set_printoptions(**options)
    torch.set_printoptions(**options)
    check(factory())


def test_print_options_with_grad_suffix() -> None:
    # The suffix wraps against the configured linewidth too.
    arr = rng(97).standard_normal(6).astype(f64)
    with printoptions(linewidth=50), torch._tensor_str.printoptions(linewidth=50):
        expected = repr(torch.from_numpy(arr.copy()).requires_grad_())
        assert tensor_repr(Tensor(arr, requires_grad=True)) == expected


def test_get_printoptions_matches_torch() -> None:
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    set_printoptions(precision=2, sci_mode=True, threshold=7, edgeitems=1, linewidth=60)
    torch.set_printoptions(precision=2, sci_mode=True, threshold=7, edgeitems=1,
                           linewidth=60)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    set_printoptions(profile="full")
    torch.set_printoptions(profile="full")
    assert get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager_restores() -> None:
    before = get_printoptions()
    arr = np.array([1.23456, 2.0], f32)
    with printoptions(precision=2):
        assert tensor_repr(Tensor(arr)) == "tensor([1.23, 2.00])"
    assert get_printoptions() == before
    assert tensor_repr(Tensor(arr)) == "tensor([1.2346, 2.0000])"


def test_printoptions_context_manager_restores_on_error() -> None:
    before = get_printoptions()
    with pytest.raises(ValueError), printoptions(threshold=1, sci_mode=True):
        raise ValueError
    assert get_printoptions() == before


def test_tensor_contents_override() -> None:
    fake = Tensor(np.array([1.0], f64), requires_grad=True)
    expected = torch.tensor([1.0], dtype=torch.float64, requires_grad=True).__repr__(
        tensor_contents="[...]")
    assert tensor_repr(fake, tensor_contents="[...]") == expected

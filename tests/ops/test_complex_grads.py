"""Complex gradients follow PyTorch's convention, grad * conj(df/dz) (Wirtinger calculus),
for the elementwise ops: compared with torch for a complex upstream gradient."""

import numpy as np
import pytest
import torch

import ember

Z = np.array([0.3 + 0.7j, -1.1 + 0.2j, 0.5 - 0.4j])
W = np.array([1.3 - 0.2j, 0.4 + 0.9j, -0.7 - 0.3j])

UNARY = ["exp", "log", "sin", "cos", "tan", "sqrt", "rsqrt", "tanh", "sigmoid", "reciprocal",
         "sinh", "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "log2", "log10",
         "log1p", "expm1", "exp2", "square", "abs", "angle", "sgn", "neg", "conj"]
BINARY = {
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b, "pow_scalar": lambda a, b: a ** 3 + b,
    "pow_half": lambda a, b: a ** 0.5 + b, "rpow": lambda a, b: 2 ** a + b,
    "matmul": lambda a, b: a.reshape(1, 3) @ b.reshape(3, 1),
}


def _grads(lib, f):
    a = lib.tensor(Z, requires_grad=True)
    b = lib.tensor(W, requires_grad=True)
    out = f(lib, a, b)
    if out.is_complex():
        seed = lib.tensor(np.full(out.shape, 0.5 - 0.25j))
    else:
        seed = lib.tensor(np.full(out.shape, 0.75))
    out.backward(seed)
    return _np(out.detach()), _np(a.grad), None if b.grad is None else _np(b.grad)


def _np(t):
    return (t.resolve_conj() if hasattr(t, "resolve_conj") else t).numpy()


@pytest.mark.parametrize("name", UNARY)
def test_unary_complex_gradient(name):
    f = lambda lib, a, b: getattr(lib, name)(a)  # noqa: E731
    oe, ae, _ = _grads(ember, f)
    ot, at, _ = _grads(torch, f)
    np.testing.assert_allclose(oe, ot, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ae, at, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_complex_gradient(name):
    f = lambda lib, a, b: BINARY[name](a, b)  # noqa: E731
    oe, ae, be = _grads(ember, f)
    ot, at, bt = _grads(torch, f)
    np.testing.assert_allclose(oe, ot, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ae, at, rtol=1e-12, atol=1e-14)
    assert (be is None) == (bt is None)
    if bt is not None:
        np.testing.assert_allclose(be, bt, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["exp", "sin", "sqrt", "reciprocal", "sgn", "angle", "abs",
                                  "tanh", "log"])
def test_gradcheck_of_complex_functions(name):
    # ember's gradcheck checks complex functions through their real and imaginary parts,
    # as torch's does: finite differences, independent of either library's formulas.
    z = ember.tensor(Z, requires_grad=True)
    assert ember.autograd.gradcheck(getattr(ember, name), (z,))


def test_gradcheck_catches_a_missing_conjugate_as_torch_does():
    def run(lib):
        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a.exp()

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return g * a.exp()  # wrong for complex: the conjugate is missing

        z = lib.tensor(Z, requires_grad=True)
        return lib.autograd.gradcheck(Exp.apply, (z,), raise_exception=False)

    assert run(ember) is run(torch) is False


@pytest.mark.parametrize("part", ["real", "imag"])
def test_real_and_imag_of_complex_results(part):
    def run(lib):
        a = lib.tensor(Z, requires_grad=True)
        out = getattr(a.exp() * 2, part)
        out.backward(lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64))
        return type(out.grad_fn).__name__, _np(out.detach()), _np(a.grad)

    (ne, oe, ge), (nt, ot, gt) = run(ember), run(torch)
    assert ne == nt == "SelectBackward0"
    np.testing.assert_allclose(oe, ot, rtol=1e-12)
    np.testing.assert_allclose(ge, gt, rtol=1e-12)

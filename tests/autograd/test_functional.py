"""autograd.functional (ember/autograd/functional.py) against torch.autograd.functional.

Every case runs with torch and with ember (``same`` compares values, dtypes, grad_fn names,
exceptions with their messages, and warnings).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from agcompare import same

import ember
import ember.autograd.functional  # noqa: F401  (so that ember.autograd.functional resolves)

X = np.array([[1.0, 2.0], [3.0, 4.0]])
Y = np.array([0.5, -1.0])
V = np.array([1.0, 2.0])


def F(lib: Any) -> Any:  # noqa: N802
    """``torch.autograd.functional`` or ``ember.autograd.functional``."""
    return importlib.import_module(lib.__name__ + ".autograd.functional")


def t(lib: Any, a: Any, requires_grad: bool = False) -> Any:
    return lib.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def exp_rows(a: Any) -> Any:
    return a.exp().sum(1)


def two_out(a: Any, b: Any) -> tuple:
    return a @ b, (a * a).sum()


def cubic(a: Any) -> Any:
    return (a ** 3).sum() + a.prod()


def coupled(a: Any, b: Any) -> Any:
    return (a * b).sum() ** 2 + a.exp().sum()


CASES = {
    # jacobian
    "jac_single": lambda lib: F(lib).jacobian(exp_rows, t(lib, X)),
    "jac_tuple": lambda lib: F(lib).jacobian(two_out, (t(lib, X), t(lib, Y))),
    "jac_tuple_in_single_out": lambda lib: F(lib).jacobian(lambda a, b: a.sum() * b,
                                                           (t(lib, X), t(lib, Y))),
    "jac_single_in_tuple_out": lambda lib: F(lib).jacobian(lambda a: (a.sum(), a * 2),
                                                           t(lib, X)),
    "jac_scalar": lambda lib: F(lib).jacobian(lambda a: a ** 3, t(lib, 2.0)),
    "jac_create_graph": lambda lib: F(lib).jacobian(exp_rows, t(lib, [[1.0, 2.0]], True),
                                                    create_graph=True),
    "jac_no_create_graph": lambda lib: F(lib).jacobian(exp_rows, t(lib, [[1.0, 2.0]], True)),
    "jac_independent": lambda lib: F(lib).jacobian(lambda a, b: a * 2, (t(lib, Y), t(lib, Y))),
    "jac_constant": lambda lib: F(lib).jacobian(lambda a: lib.ones(2), t(lib, Y)),
    "jac_int_output": lambda lib: F(lib).jacobian(lambda a: (a > 0).long(), t(lib, Y)),
    "jac_vectorize": lambda lib: F(lib).jacobian(exp_rows, t(lib, X), vectorize=True),
    "jac_forward_mode_vectorized": lambda lib: F(lib).jacobian(
        exp_rows, t(lib, X), vectorize=True, strategy="forward-mode"),
    "jac_strict_independent": lambda lib: F(lib).jacobian(
        lambda a, b: a * 2, (t(lib, Y), t(lib, Y)), strict=True),
    "jac_strict_constant": lambda lib: F(lib).jacobian(lambda a: lib.ones(2), t(lib, Y),
                                                       strict=True),
    "jac_strict_create_graph_linear": lambda lib: F(lib).jacobian(
        lambda a: a * 2, t(lib, Y), strict=True, create_graph=True),
    "jac_strict_vectorize": lambda lib: F(lib).jacobian(exp_rows, t(lib, X), strict=True,
                                                        vectorize=True),
    "jac_forward_mode_unvectorized": lambda lib: F(lib).jacobian(
        exp_rows, t(lib, X), strategy="forward-mode"),
    "jac_forward_mode_create_graph": lambda lib: F(lib).jacobian(
        exp_rows, t(lib, X), strategy="forward-mode", vectorize=True, create_graph=True),
    "jac_bad_strategy": lambda lib: F(lib).jacobian(exp_rows, t(lib, X), strategy="xx"),
    "jac_list_inputs": lambda lib: F(lib).jacobian(two_out, [t(lib, X), t(lib, Y)]),
    "jac_non_tensor_output": lambda lib: F(lib).jacobian(lambda a: 3, t(lib, X)),
    "jac_non_tensor_in_tuple": lambda lib: F(lib).jacobian(two_out, (t(lib, X), 3.0)),
    "jac_non_tensor_input": lambda lib: F(lib).jacobian(exp_rows, 3.0),
    # hessian
    "hess": lambda lib: F(lib).hessian(cubic, t(lib, Y)),
    "hess_tuple": lambda lib: F(lib).hessian(coupled, (t(lib, Y), t(lib, V))),
    "hess_create_graph": lambda lib: F(lib).hessian(cubic, t(lib, Y, True), create_graph=True),
    "hess_linear": lambda lib: F(lib).hessian(lambda a: a.sum(), t(lib, Y)),
    "hess_vectorize": lambda lib: F(lib).hessian(cubic, t(lib, Y), vectorize=True),
    "hess_non_scalar": lambda lib: F(lib).hessian(lambda a: a * 2, t(lib, Y)),
    "hess_tuple_output": lambda lib: F(lib).hessian(lambda a: (a.sum(),), t(lib, Y)),
    "hess_strict_linear": lambda lib: F(lib).hessian(lambda a: a.sum(), t(lib, Y),
                                                     strict=True),
    "hess_bad_strategy": lambda lib: F(lib).hessian(cubic, t(lib, Y),
                                                    outer_jacobian_strategy="x"),
    # vjp
    "vjp": lambda lib: F(lib).vjp(lambda a: a ** 2, t(lib, Y), t(lib, V)),
    "vjp_no_v_scalar": lambda lib: F(lib).vjp(lambda a: (a ** 2).sum(), t(lib, Y)),
    "vjp_no_v_non_scalar": lambda lib: F(lib).vjp(lambda a: a ** 2, t(lib, Y)),
    "vjp_tuple": lambda lib: F(lib).vjp(two_out, (t(lib, X), t(lib, Y)),
                                        (t(lib, V), t(lib, 1.0))),
    "vjp_v_wrong_shape": lambda lib: F(lib).vjp(lambda a: a ** 2, t(lib, Y),
                                                t(lib, [1.0, 2.0, 3.0])),
    "vjp_v_tuple_wrong_shape": lambda lib: F(lib).vjp(two_out, (t(lib, X), t(lib, Y)),
                                                      (t(lib, V), t(lib, V))),
    "vjp_v_wrong_count": lambda lib: F(lib).vjp(two_out, (t(lib, X), t(lib, Y)), t(lib, V)),
    "vjp_v_single_wrong_count": lambda lib: F(lib).vjp(lambda a: a * 2, t(lib, Y),
                                                       (t(lib, V), t(lib, V))),
    "vjp_strict": lambda lib: F(lib).vjp(lambda a, b: a * 2, (t(lib, Y), t(lib, Y)),
                                         t(lib, V), strict=True),
    "vjp_independent": lambda lib: F(lib).vjp(lambda a, b: a * 2, (t(lib, Y), t(lib, Y)),
                                              t(lib, V)),
    "vjp_create_graph": lambda lib: F(lib).vjp(lambda a: a ** 2, t(lib, Y, True), t(lib, V),
                                               create_graph=True),
    "vjp_output_detached": lambda lib: F(lib).vjp(lambda a: a ** 2, t(lib, Y, True),
                                                  t(lib, V)),
    "vjp_non_tensor_output": lambda lib: F(lib).vjp(lambda a: 3.0, t(lib, Y), t(lib, V)),
    # jvp
    "jvp": lambda lib: F(lib).jvp(lambda a: a ** 2, t(lib, Y), t(lib, V)),
    "jvp_tuple": lambda lib: F(lib).jvp(two_out, (t(lib, X), t(lib, Y)),
                                        (t(lib, X), t(lib, V))),
    "jvp_no_v": lambda lib: F(lib).jvp(lambda a: a ** 2, t(lib, [3.0])),
    "jvp_no_v_bad": lambda lib: F(lib).jvp(lambda a: a ** 2, t(lib, Y)),
    "jvp_strict": lambda lib: F(lib).jvp(lambda a, b: a * 2, (t(lib, Y), t(lib, Y)),
                                         (t(lib, V), t(lib, V)), strict=True),
    "jvp_strict_constant": lambda lib: F(lib).jvp(lambda a: a.detach() * 2, t(lib, Y),
                                                  t(lib, V), strict=True),
    "jvp_v_wrong_shape": lambda lib: F(lib).jvp(lambda a: a ** 2, t(lib, Y),
                                                t(lib, [1.0, 2.0, 3.0])),
    "jvp_create_graph": lambda lib: F(lib).jvp(lambda a: a ** 2, t(lib, Y, True), t(lib, V),
                                               create_graph=True),
    # hvp / vhp
    "hvp": lambda lib: F(lib).hvp(cubic, t(lib, Y), t(lib, V)),
    "vhp": lambda lib: F(lib).vhp(cubic, t(lib, Y), t(lib, V)),
    "hvp_tuple": lambda lib: F(lib).hvp(coupled, (t(lib, Y), t(lib, V)), (t(lib, V), t(lib, Y))),
    "vhp_tuple": lambda lib: F(lib).vhp(coupled, (t(lib, Y), t(lib, V)), (t(lib, V), t(lib, Y))),
    "hvp_non_scalar": lambda lib: F(lib).hvp(lambda a: a * 2, t(lib, Y), t(lib, V)),
    "vhp_tuple_output": lambda lib: F(lib).vhp(lambda a: (a.sum(),), t(lib, Y), t(lib, V)),
    "hvp_strict_linear": lambda lib: F(lib).hvp(lambda a: a.sum(), t(lib, Y), t(lib, V),
                                                strict=True),
    "vhp_strict_linear": lambda lib: F(lib).vhp(lambda a: a.sum(), t(lib, Y), t(lib, V),
                                                strict=True),
    "vhp_strict_independent": lambda lib: F(lib).vhp(
        lambda a, b: (a ** 3).sum(), (t(lib, Y), t(lib, V)), (t(lib, V), t(lib, V)),
        strict=True),
    "hvp_linear": lambda lib: F(lib).hvp(lambda a: a.sum(), t(lib, Y), t(lib, V)),
    "hvp_no_v": lambda lib: F(lib).hvp(lambda a: a.sum() ** 3, t(lib, [2.0])),
    "hvp_no_v_bad": lambda lib: F(lib).hvp(lambda a: a.sum() ** 3, t(lib, Y)),
    "hvp_create_graph": lambda lib: F(lib).hvp(cubic, t(lib, Y, True), t(lib, V),
                                               create_graph=True),
    "vhp_create_graph": lambda lib: F(lib).vhp(cubic, t(lib, Y, True), t(lib, V),
                                               create_graph=True),
    "hvp_v_wrong_count": lambda lib: F(lib).hvp(lambda a, b: (a * b).sum(),
                                                (t(lib, Y), t(lib, Y)), t(lib, V)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_functional_matches_torch(name):
    # torch's vmap-based paths warn about torch.jit internals; that is not the API's output.
    internal_warnings = "vectorize" in name or "forward_mode" in name
    same(CASES[name], warns=not internal_warnings)


def test_results_under_no_grad_and_float32():
    def snippet(lib):
        x = lib.tensor([0.3, 0.7], requires_grad=True)
        with lib.no_grad():
            out = F(lib).vjp(lambda a: a.sin(), x, lib.ones(2))
            jac = F(lib).jacobian(lambda a: a.sin() * a, x)
        return out, jac, lib.is_grad_enabled()

    same(snippet)


def test_create_graph_results_are_differentiable():
    def snippet(lib):
        x = lib.tensor([0.3, 0.7], dtype=lib.float64, requires_grad=True)
        h = F(lib).hessian(lambda a: (a ** 4).sum(), x, create_graph=True)
        (g,) = lib.autograd.grad(h.sum(), x)
        _, hv = F(lib).hvp(lambda a: (a.sin() * a).sum(), x, lib.ones_like(x),
                           create_graph=True)
        (g2,) = lib.autograd.grad(hv.sum(), x)
        return h, g, hv, g2

    same(snippet)


def seed000_jacobian_by_backward(lib: Any) -> Any:
    """Seed 000's non-scalar backward: the Jacobian row by row with retain_graph."""
    x = lib.tensor([[2, 3]], dtype=lib.float, requires_grad=True)
    J = lib.zeros(2, 2)  # noqa: N806 - the seed's names
    y = lib.zeros(1, 2)
    y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
    y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
    y.backward(lib.Tensor([[1, 0]]), retain_graph=True)
    J[0] = x.grad
    x.grad = lib.zeros_like(x.grad)
    y.backward(lib.Tensor([[0, 1]]))
    J[1] = x.grad
    return J


def seed000_function(x: Any) -> Any:
    return x[0, 0] ** 2 + 3 * x[0, 1], x[0, 1] ** 2 + 2 * x[0, 0]


def test_seed000_jacobian_by_repeated_backward_equals_jacobian():
    by_hand = seed000_jacobian_by_backward(ember)
    x = ember.tensor([[2.0, 3.0]])
    rows = ember.autograd.functional.jacobian(seed000_function, x)
    jac = ember.stack([r.reshape(-1) for r in rows])
    np.testing.assert_array_equal(jac.numpy(), by_hand.numpy())
    # The seed's printed answer, and the mathematics: d(x1^2+3x2, x2^2+2x1)/d(x1, x2).
    np.testing.assert_array_equal(by_hand.numpy(), [[4.0, 3.0], [2.0, 6.0]])
    same(lambda lib: (seed000_jacobian_by_backward(lib),
                      F(lib).jacobian(seed000_function, lib.tensor([[2.0, 3.0]]))))

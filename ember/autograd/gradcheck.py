"""torch.autograd.gradcheck: gradcheck and gradgradcheck.

Central finite differences against reverse-mode Jacobians, following
torch/autograd/gradcheck.py so that verdicts and messages agree: the numerical Jacobian
perturbs each element of an input's memory in place (bypassing the version counter, as
torch does through ``.data``), the analytical one is built row by row from
``autograd.grad`` with one-hot output gradients, computed twice to catch non-determinism.
Both are laid out (input numel, output numel). Then torch's extra checks run: backward is
multiplied by grad_output, and undefined (None) output gradients are handled. With
``check_forward_ad`` the same numerical Jacobian is compared with one built column by column
from forward-mode AD (one-hot tangents), or in fast mode J u with a random u.

Complex inputs and outputs are checked as torch checks them, through their real and
imaginary parts (``_realified``). ember has no vmap: ``check_batched_grad`` and
``check_batched_forward_grad`` have nothing to compare.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

# The module, not the class: ember.autograd may import this file while Tensor is still
# being defined (Tensor's module imports autograd.graph), so Tensor is looked up when used.
from .. import _tensor
from . import grad as _autograd_grad
from .graph import Node, gradient_edge

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """torch.autograd.gradcheck.GradcheckError: raised by gradcheck and gradgradcheck."""


_NONDET_MSG = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""

_FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()

_UNDEFINED_BC = ("Backwards compatibility: New undefined gradient support checking feature is "
                 "enabled by default, but it may break existing callers of this function. If "
                 "this is true for you, you can call this function with "
                 '"check_undefined_grad=False" to disable the feature')


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """torch.autograd.gradcheck: finite differences in float64 against backward."""
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad "
                             "to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to "
                             "be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires "
                             "check_forward_ad to be True")
    try:
        return _gradcheck_helper(func, inputs, eps, atol, rtol, nondet_tol,
                                 check_undefined_grad, check_grad_dtypes, fast_mode,
                                 check_forward_ad, check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """torch.autograd.gradgradcheck: gradcheck of the function's vector-Jacobian product."""
    from ..ops.creation import rand

    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or "
                             "check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev "
                             "to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to "
                             "be True")
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        # torch.testing.make_tensor(low=-1, high=1): uniform values from the global generator.
        outputs = _differentiable_outputs(func(*tupled_inputs))
        tupled_grad_outputs = tuple(
            (rand(x.shape, dtype=x.dtype if _is_float(x) else _float64(), device=x.device) * 2
             - 1).requires_grad_() for x in outputs)
    else:
        tupled_grad_outputs = _as_tuple(grad_outputs)
    num_outputs = len(tupled_grad_outputs)
    diff_input_idx = {i for i, x in enumerate(tupled_inputs)
                      if _needs_grad(x)}
    diff_grad_output_idx = {i for i, x in enumerate(tupled_grad_outputs) if x.requires_grad}

    def new_func(*args: Any) -> tuple:
        input_args = tuple(x.requires_grad_() if i in diff_input_idx else x
                           for i, x in enumerate(args[:-num_outputs]))
        outputs = _differentiable_outputs(func(*input_args))
        grad_outs = tuple(x.requires_grad_() if i in diff_grad_output_idx else x
                          for i, x in enumerate(args[-num_outputs:]))
        diff_input_args = tuple(x for i, x in enumerate(input_args) if i in diff_input_idx)
        grad_inputs = _autograd_grad(outputs, diff_input_args, grad_outs, create_graph=True,
                                     allow_unused=True)
        return tuple(g for g in grad_inputs if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)


# -- the checks ----------------------------------------------------------------------------

def _gradcheck_helper(func: Callable, inputs: Any, eps: float, atol: float, rtol: float,
                      nondet_tol: float, check_undefined_grad: bool, check_grad_dtypes: bool,
                      fast_mode: bool, check_forward_ad: bool = False,
                      check_backward_ad: bool = True) -> bool:
    tupled_inputs = _as_tuple(inputs)
    _check_inputs(tupled_inputs)
    func_out = func(*tupled_inputs)
    outputs = _differentiable_outputs(func_out)
    if any(_is_complex(x) for x in tupled_inputs if _needs_grad(x)) or \
            any(_is_complex(o) for o in outputs):
        func, tupled_inputs = _realified(func, tupled_inputs)
        func_out = func(*tupled_inputs)
        outputs = _differentiable_outputs(func_out)
    if check_backward_ad:
        check = _fast_gradcheck if fast_mode else _slow_gradcheck
        check(func, func_out, tupled_inputs, outputs, eps, rtol, atol, check_grad_dtypes,
              nondet_tol)
    if check_forward_ad:
        check = _fast_forward_check if fast_mode else _slow_forward_check
        check(func, func_out, tupled_inputs, outputs, eps, rtol, atol, check_grad_dtypes)
        if check_undefined_grad:
            _test_undefined_forward_mode(func, tupled_inputs)
    if not check_backward_ad:  # the remaining checks are about backward
        return True
    _test_backward_mul_by_grad_output(outputs, tupled_inputs)
    if check_undefined_grad:
        _test_undefined_backward_mode(func, outputs, tupled_inputs)
    return True


def _is_complex(x: Any) -> bool:
    return isinstance(x, _tensor.Tensor) and x._data.dtype.kind == "c"


def _realified(func: Callable, inputs: tuple) -> tuple:
    """The function of real tensors that torch checks in place of a complex one: every
    complex input that requires grad is given as its real and imaginary parts, and every
    complex output is returned as its real and imaginary parts. Its real Jacobian holds all
    of the complex function's Wirtinger derivatives, so checking it checks PyTorch's
    convention (grad * conj(df/dz) for holomorphic f) without a formula of its own."""
    split = [_needs_grad(x) and _is_complex(x) for x in inputs]
    real_inputs: list = []
    for x, c in zip(inputs, split):
        if c:
            real_inputs += [x.real.detach().clone().requires_grad_(),
                            x.imag.detach().clone().requires_grad_()]
        else:
            real_inputs.append(x)

    def real_func(*args: Any) -> tuple:
        it = iter(args)
        rebuilt = [next(it) + next(it) * 1j if c else next(it) for c in split]
        out = func(*rebuilt)
        flat: list = []
        for o in out if isinstance(out, (tuple, list)) else (out,):
            flat += [o.real, o.imag] if _is_complex(o) else [o]
        return tuple(flat)

    return real_func, tuple(real_inputs)


def _check_inputs(tupled_inputs: tuple) -> None:
    any_requiring = False
    for idx, inp in enumerate(tupled_inputs):
        if _needs_grad(inp):
            if inp._data.dtype not in (np.float64, np.complex128):
                # stacklevel as torch's: it points into this module, not at the caller.
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating "
                    "point or complex. This check will likely fail if all the inputs are not "
                    "of double precision floating point or complex. ", stacklevel=2)
            if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.shape)):
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck.")
            any_requiring = True
    if not any_requiring:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")


def _slow_gradcheck(func: Callable, func_out: Any, inputs: tuple, outputs: tuple, eps: float,
                    rtol: float, atol: float, check_grad_dtypes: bool,
                    nondet_tol: float) -> bool:
    func_out = _as_tuple(func_out)
    if not outputs:
        return _check_no_differentiable_outputs(func, inputs, func_out, eps)
    numerical = _numerical_jacobian(func, inputs, func_out, eps)  # [input][float output]
    numerical = [[n[k] for k, o in enumerate(_float_outputs(func_out)) if o.requires_grad]
                 for n in numerical]
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobian(inputs, o, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][i]
            if not np.allclose(a, n.astype(np.result_type(a, n)), rtol, atol):
                raise GradcheckError(_notallclose_msg(_t(a), _t(n), i, j))
    return True


def _fast_gradcheck(func: Callable, func_out: Any, inputs: tuple, outputs: tuple, eps: float,
                    rtol: float, atol: float, check_grad_dtypes: bool,
                    nondet_tol: float) -> bool:
    """Compare v^T J u numerically and analytically for random unit vectors u and v."""
    diff_idx = [i for i, t in enumerate(inputs) if _needs_grad(t)]
    rng = np.random.default_rng(0)  # torch uses its own fixed-seed generator here

    def unit(n: int, dtype: Any) -> np.ndarray:
        vec = rng.random(n).astype(dtype)
        return vec / np.linalg.norm(vec) if n else vec

    all_u = [unit(inputs[i].numel(), inputs[i]._data.dtype) for i in diff_idx]
    all_v = [unit(o.numel(), o._data.dtype) for o in outputs]
    if not outputs:
        for k, u in zip(diff_idx, all_u):
            for ju in _numerical_jvp(func, inputs, k, u, eps):
                if ju.size and np.abs(ju).max() > nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
    float_outs = _float_outputs(_as_tuple(func_out))
    numerical = []  # [input][output] scalars
    for k, u in zip(diff_idx, all_u):
        jus = _numerical_jvp(func, inputs, k, u, eps)
        jus = [ju for ju, o in zip(jus, float_outs) if o.requires_grad]
        numerical.append([np.dot(v, ju) for v, ju in zip(all_v, jus)])
    diff_inputs = [inputs[i] for i in diff_idx]
    for j, (o, v) in enumerate(zip(outputs, all_v)):
        vjs = _vjp_twice(diff_inputs, o, v.reshape(o.shape), nondet_tol, check_grad_dtypes)
        for i, (vj, u) in enumerate(zip(vjs, all_u)):
            a, n = np.dot(vj, u), numerical[i][j]
            adjusted_atol = atol * float(u.sum()) * float(v.sum())
            if not np.allclose(a, n, rtol, adjusted_atol):
                msg = _notallclose_msg(_t(np.asarray(a)), _t(np.asarray(n)), j, i)
                raise GradcheckError(msg + _slow_mode_error(func, inputs, func_out, outputs,
                                                             i, j, rtol, atol, eps))
    return True


def _slow_mode_report(n: np.ndarray, a: np.ndarray, rtol: float, atol: float) -> str:
    """What torch appends to a fast-mode failure: both Jacobians recomputed in slow mode."""
    max_diff = np.abs(n - a).max()
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are "
           "computed \nin fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for "
           "more background \nabout fast mode. Below, we recompute numerical and analytical "
           "jacobians in slow mode:\n\n"
           f"Numerical:\n {_t(n)!r}\nAnalytical:\n{_t(a)!r}\n\n"
           f"The max per-element difference (slow mode) is: {float(max_diff)}.\n")
    if np.allclose(a, n, rtol, atol):
        msg += _FAST_FAIL_SLOW_OK_MSG
    return msg


def _slow_mode_error(func: Callable, inputs: tuple, func_out: Any, outputs: tuple, i: int,
                     j: int, rtol: float, atol: float, eps: float) -> str:
    n = _numerical_jacobian(func, inputs, _as_tuple(func_out), eps)[i][j]
    a = _analytical_jacobian(inputs, outputs[j], float("inf"), False)[i]
    return _slow_mode_report(n, a, rtol, atol)


def _notallclose_msg(analytical: Tensor, numerical: Tensor, output_idx: int,
                     input_idx: int, forward: bool = False) -> str:
    mode = "computed with forward mode " if forward else ""
    return (f"Jacobian {mode}mismatch for output {output_idx:d} with respect to input "
            f"{input_idx:d},\nnumerical:{numerical}\nanalytical:{analytical}\n")


def _slow_forward_check(func: Callable, func_out: Any, inputs: tuple, outputs: tuple,
                        eps: float, rtol: float, atol: float, check_grad_dtypes: bool) -> bool:
    """Each Jacobian column from forward AD (one-hot tangent) against the numerical one."""
    func_out = _as_tuple(func_out)
    if not outputs:
        return _check_no_differentiable_outputs(func, inputs, func_out, eps)
    numerical = _numerical_jacobian(func, inputs, func_out, eps)  # [input][float output]
    # torch pairs the float outputs' Jacobians with all outputs when it drops those that do
    # not require grad; kept, so that verdicts agree.
    per_output = [list(col) for col in zip(*numerical)]
    per_output = [n for o, n in zip(func_out, per_output) if o.requires_grad]
    analytical = _forward_jacobian(func, inputs, func_out, check_grad_dtypes)
    for i, n_per_input in enumerate(per_output):
        for j, n in enumerate(n_per_input):
            a = analytical[j][i]
            if not np.allclose(a, n.astype(np.result_type(a, n)), rtol, atol):
                raise GradcheckError(_notallclose_msg(_t(a), _t(n), i, j, forward=True))
    return True


def _fast_forward_check(func: Callable, func_out: Any, inputs: tuple, outputs: tuple,
                        eps: float, rtol: float, atol: float, check_grad_dtypes: bool) -> bool:
    """J u from forward AD against (f(x + eps u) - f(x - eps u)) / 2 eps, for a random unit
    vector u per input."""
    diff_idx = [i for i, t in enumerate(inputs) if _needs_grad(t)]
    rng = np.random.default_rng(0)
    all_u = []
    for i in diff_idx:
        vec = rng.random(inputs[i].numel()).astype(inputs[i]._data.dtype)
        all_u.append(vec / np.linalg.norm(vec) if vec.size else vec)
    float_outs = _float_outputs(_as_tuple(func_out))
    numerical = [[ju for ju, o in zip(_numerical_jvp(func, inputs, k, u, eps),
                                       _as_tuple(func_out)) if _is_float(o)]
                 for k, u in zip(diff_idx, all_u)]
    analytical = _forward_jacobian(func, inputs, float_outs, check_grad_dtypes, all_u)
    for i, per_input in enumerate(numerical):
        for j, n in enumerate(per_input):
            a = analytical[i][j]
            adjusted_atol = atol * float(all_u[i].sum())
            if not np.allclose(a, n.astype(np.result_type(a, n)), rtol, adjusted_atol):
                msg = _notallclose_msg(_t(a), _t(n), j, i, forward=True)
                raise GradcheckError(msg + _slow_forward_error(func, inputs, func_out, i, j,
                                                               diff_idx, rtol, atol, eps))
    return True


def _slow_forward_error(func: Callable, inputs: tuple, func_out: Any, i: int, j: int,
                        diff_idx: list, rtol: float, atol: float, eps: float) -> str:
    n = _numerical_jacobian(func, inputs, _as_tuple(func_out), eps)[i][j]
    k = diff_idx[i]

    def one_input(x: Tensor) -> Any:
        args = list(inputs)
        args[k] = x
        return _as_tuple(func(*args))[j]

    a = _forward_jacobian(one_input, (inputs[k],), (_as_tuple(func_out)[j],), False)[0][0]
    return _slow_mode_report(n, a, rtol, atol)


def _forward_jacobian(func: Callable, inputs: tuple, outputs: Sequence, check_grad_dtypes: bool,
                      all_u: list | None = None) -> list[list[np.ndarray]]:
    """[input][float output]: the Jacobian (input numel, output numel) from forward AD, one
    one-hot tangent at a time; or, given ``all_u``, the vector J u per input."""
    from ..ops.creation import zeros_like
    from . import forward_ad as fw

    diff_inputs = [t for t in inputs if _needs_grad(t)]
    if any(t.dtype.is_complex for t in diff_inputs):
        raise ValueError("Expected inputs to be non-complex for "
                         "_get_analytical_jacobian_forward_ad.")
    float_outs = _float_outputs(outputs)
    jacs = [[np.zeros(o.numel() if all_u else (t.numel(), o.numel()), dtype=o._data.dtype)
             for o in float_outs] for t in diff_inputs]

    def record(jac_row: list, lin: Any) -> None:
        outs = [o for o in _as_tuple(func(*duals)) if _is_float(o)]
        for k, o in enumerate(outs):
            val, res = fw.unpack_dual(o)
            if check_grad_dtypes and res is not None and val.is_complex() != res.is_complex():
                raise GradcheckError("Forward AD gradient has dtype mismatch.")
            target = jac_row[k] if lin is None else jac_row[k][lin]
            target[...] = 0 if res is None else res._data.reshape(-1)

    with fw.dual_level():
        tangents, duals = [], []
        for inp in inputs:
            if _needs_grad(inp):
                inp = fw.make_dual(inp.detach(), zeros_like(inp))
                # a differentiable view's tangent may not be the one given: read it back
                tangents.append(fw.unpack_dual(inp)[1])
            duals.append(inp)
        for i, tangent in enumerate(tangents):
            data = tangent._data
            if all_u is not None:
                data[...] = all_u[i].reshape(data.shape)
                record(jacs[i], None)
                data[...] = 0
                continue
            for lin, idx in enumerate(np.ndindex(data.shape)):
                data[idx] = 1
                record(jacs[i], lin)
                data[idx] = 0
    return jacs


def _test_undefined_forward_mode(func: Callable, inputs: tuple) -> bool:
    """Outputs' tangents are the same whether an input's tangent is zero or absent."""
    from ..ops.creation import zeros_like
    from . import forward_ad as fw

    rng = np.random.default_rng(0)
    with fw.dual_level():
        tangents, duals, indices = [], [], set()
        for i, inp in enumerate(inputs):
            if _needs_grad(inp):
                inp = fw.make_dual(inp.detach(), zeros_like(inp))
                tangents.append(fw.unpack_dual(inp)[1])
                indices.add(i)
            duals.append(inp)
        for tangent in tangents:
            vec = rng.random(tangent.numel()).astype(tangent._data.dtype)
            tangent._data[...] = (vec / np.linalg.norm(vec)).reshape(tangent.shape)
        for idx, inp in enumerate(inputs):
            if idx not in indices:
                continue
            kept = duals[idx]
            duals[idx] = fw.make_dual(inp.detach(), zeros_like(inp))
            outs1 = [o for o in _as_tuple(func(*duals)) if _is_float(o)]
            duals[idx] = inp.detach()
            outs2 = [o for o in _as_tuple(func(*duals)) if _is_float(o)]
            duals[idx] = kept
            for index_o, (o1, o2) in enumerate(zip(outs1, outs2)):
                res1, res2 = fw.unpack_dual(o1)[1], fw.unpack_dual(o2)[1]
                if res1 is not None and res2 is not None and not np.allclose(
                        res1._data, res2._data, 1e-05, 1e-08):
                    raise GradcheckError("Mismatch in tangent values for output with index: ",
                                         index_o, " when input: ", inp, " has an undefined "
                                         "tangent value. ", " Got: ", res1,
                                         " but expected: ", res2)
    return True


def _check_no_differentiable_outputs(func: Callable, inputs: tuple, func_out: tuple,
                                     eps: float) -> bool:
    # No output requires grad: every numerical derivative must then be zero.
    for per_input in _numerical_jacobian(func, inputs, func_out, eps):
        for jac in per_input:
            if np.count_nonzero(jac):
                raise GradcheckError("Numerical gradient for function expected to be zero")
    return True


def _test_backward_mul_by_grad_output(outputs: tuple, inputs: tuple) -> bool:
    from ..ops.creation import zeros_like

    diff_inputs = [t for t in inputs if _needs_grad(t)]
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    if not outputs:
        return True
    grads = _autograd_grad(outputs, diff_inputs, [zeros_like(o) for o in outputs],
                           allow_unused=True)
    for gi, di in zip(grads, diff_inputs):
        if gi is None:
            continue
        if np.count_nonzero(gi._data):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype != di.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.device != di.device:
            raise GradcheckError("grad is incorrect device")
        if gi.shape != di.shape:
            raise GradcheckError("grad is incorrect size")
    return True


class UndefinedGradBackward(Node):
    """torch._C._functions.UndefinedGrad's node: passes an undefined (None) gradient on."""

    __slots__ = ()

    def name(self) -> str:
        return "torch::autograd::UndefinedGradBackward"

    def _run(self, grads: list, keep_graph: bool) -> list:
        return [None]


def _undefined_grad(t: Tensor) -> Tensor:
    node = UndefinedGradBackward()
    node.next_functions = (gradient_edge(t),)
    return _tensor.Tensor._make(t._data, node)


def _test_undefined_backward_mode(func: Callable, outputs: tuple, inputs: tuple) -> bool:
    from ..ops.creation import zeros_like

    diff_inputs = [t for t in inputs if _needs_grad(t)]
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")

    def check(outs: list) -> bool:
        if not outs:
            return True
        try:
            grads = _autograd_grad(outs, diff_inputs, [zeros_like(o) for o in outs],
                                   allow_unused=True)
        except RuntimeError as e:
            warnings.warn(_UNDEFINED_BC, stacklevel=3)
            raise GradcheckError("Expected backward function to handle undefined output "
                                 'grads. Please look at "Notes about undefined output '
                                 'gradients" in "tools/autograd/derivatives.yaml"') from e
        for gi in grads:
            if gi is not None and np.count_nonzero(gi._data):
                warnings.warn(_UNDEFINED_BC, stacklevel=3)
                raise GradcheckError("Expected all input grads to be undefined or zero when "
                                     "all output grads are undefined or zero. Please look at "
                                     '"Notes about undefined output gradients" in '
                                     '"tools/autograd/derivatives.yaml"')
        return True

    to_check = [[_undefined_grad(o) for o in _differentiable_outputs(func(*inputs))]]
    if len(to_check[0]) > 1:  # then one undefined gradient at a time, too
        for k in range(len(outputs)):
            outs = _differentiable_outputs(func(*inputs))
            to_check.append([_undefined_grad(o) if i == k else o for i, o in enumerate(outs)])
    return all(check(outs) for outs in to_check)


# -- Jacobians -------------------------------------------------------------------------------

def _numerical_jacobian(func: Callable, inputs: tuple, func_out: tuple,
                        eps: float) -> list[list[np.ndarray]]:
    """For each input requiring grad, for each float output: d output / d input, shaped
    (input numel, output numel), by central differences on the input's memory."""
    float_outs = _float_outputs(func_out)
    result = []
    for inp in inputs:
        if not (_needs_grad(inp)):
            continue
        x = inp._data
        cols = [np.zeros((x.size, o.numel()), dtype=o._data.dtype) for o in float_outs]
        for d, idx in enumerate(np.ndindex(x.shape)):
            orig = x[idx].copy()
            x[idx] = orig - eps
            outa = _evaluate(func, inputs)
            x[idx] = orig + eps
            outb = _evaluate(func, inputs)
            x[idx] = orig
            outa = [a for a, o in zip(outa, _as_tuple(func_out)) if _is_float(o)]
            outb = [b for b, o in zip(outb, _as_tuple(func_out)) if _is_float(o)]
            for col, a, b in zip(cols, outa, outb):
                _check_same_dtype_and_shape(a, b, eps, idx)
                col[d] = ((b - a) / (2 * eps)).reshape(-1)
        result.append(cols)
    return result


def _numerical_jvp(func: Callable, inputs: tuple, k: int, u: np.ndarray,
                   eps: float) -> list[np.ndarray]:
    """(f(x + eps u) - f(x - eps u)) / (2 eps), flattened, for every output of func."""
    x = inputs[k]._data
    orig = x.copy()
    delta = (u * eps).reshape(x.shape)
    x[...] = orig - delta
    outa = _evaluate(func, inputs)
    x[...] = orig + delta
    outb = _evaluate(func, inputs)
    x[...] = orig
    res = []
    for a, b in zip(outa, outb):
        _check_same_dtype_and_shape(a, b, eps, None)
        res.append(((b - a) / (2 * eps)).reshape(-1))
    return res


def _evaluate(func: Callable, inputs: tuple) -> list[np.ndarray]:
    return [o._data.copy() for o in _as_tuple(func(*inputs))]


def _check_same_dtype_and_shape(a: np.ndarray, b: np.ndarray, eps: float, idx: Any) -> None:
    on_index = f"on index {idx} " if idx is not None else ""
    if a.shape != b.shape:
        raise AssertionError(f"Expected `func` to return outputs with the same shape when "
                             f"inputs are perturbed {on_index}by {eps}, but got: shapes "
                             f"{_size(a.shape)} and {_size(b.shape)}.")
    if a.dtype != b.dtype:
        raise AssertionError(f"Expected `func` to return outputs with the same dtype when "
                             f"inputs are perturbed {on_index}by {eps}, but got: dtypes "
                             f"{_t(a).dtype} and {_t(b).dtype}.")


def _analytical_jacobian(inputs: tuple, output: Tensor, nondet_tol: float,
                         check_grad_dtypes: bool) -> list[np.ndarray]:
    """Row j of the Jacobian is the gradient for the one-hot output gradient e_j; built
    twice, and the two must agree within nondet_tol (torch's reentrancy check)."""
    diff_inputs = [t for t in inputs if _needs_grad(t)]
    n_out = output.numel()
    jacs = []
    for _ in range(2):
        jac = [np.zeros((t.numel(), n_out), dtype=t._data.dtype) for t in diff_inputs]
        sizes_ok = types_ok = True
        for j in range(n_out):
            onehot = np.zeros(n_out, dtype=output._data.dtype)
            onehot[j] = 1
            grads = _autograd_grad(output, diff_inputs, _tensor.Tensor._make(onehot.reshape(
                output._data.shape)), retain_graph=True, allow_unused=True)
            for k, g in enumerate(grads):
                if g is None:
                    continue
                if g.shape != diff_inputs[k].shape:
                    sizes_ok = False
                elif g.dtype != diff_inputs[k].dtype:
                    types_ok = False
                jac[k][:, j] = g._data.reshape(-1)
        jacs.append((jac, sizes_ok, types_ok))
    (jac1, sizes_ok, types_ok), (jac2, _, _) = jacs
    # torch unpacks these two flags in swapped order, so a dtype mismatch reads as "incorrect
    # size" (and a size mismatch needs check_grad_dtypes); kept so that verdicts agree.
    if not sizes_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not types_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    _check_reentrant(jac1, jac2, nondet_tol)
    return jac1


def _vjp_twice(diff_inputs: list, output: Tensor, v: np.ndarray, nondet_tol: float,
               check_grad_dtypes: bool) -> list[np.ndarray]:
    """Fast mode's analytical side: v^T J per input (flattened), computed twice."""
    runs = []
    for _ in range(2):
        grads = _autograd_grad(output, diff_inputs, _tensor.Tensor._make(v.copy()),
                               retain_graph=True, allow_unused=True)
        runs.append([np.zeros(t.numel(), dtype=t._data.dtype) if g is None
                     else g._data.reshape(-1).copy() for g, t in zip(grads, diff_inputs)])
    _check_reentrant([r[:, None] for r in runs[0]], [r[:, None] for r in runs[1]], nondet_tol)
    return runs[0]


def _check_reentrant(jac1: list, jac2: list, nondet_tol: float) -> None:
    for a, b in zip(jac1, jac2):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                f"{nondet_tol}." + _NONDET_MSG)


# -- small helpers ---------------------------------------------------------------------------

def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _needs_grad(t: Any) -> bool:
    return isinstance(t, _tensor.Tensor) and t.requires_grad


def _differentiable_outputs(x: Any) -> tuple:
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _float_outputs(outs: Sequence) -> list:
    return [o for o in outs if _is_float(o)]


def _is_float(t: Any) -> bool:
    return isinstance(t, _tensor.Tensor) and t._data.dtype.kind in "fc"


def _t(arr: np.ndarray) -> Tensor:
    """An array as a tensor, for messages printed the way torch prints its tensors."""
    return _tensor.Tensor._make(np.array(arr))


def _size(shape: tuple) -> Any:
    from .._tensor import Size  # noqa: F811

    return Size(shape)


def _float64() -> Any:
    from .. import _dtype

    return _dtype.float64

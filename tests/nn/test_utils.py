"""torch.nn.utils: gradient clipping and parameter/vector conversion against torch."""

import math

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
GRADS = [RNG.standard_normal(s).astype(np.float32) * 3 for s in [(3, 4), (5,), (2, 2, 2)]]


def params_with_grads(lib, grads=GRADS):
    ps = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(*g.shape))
        p.grad = lib.tensor(g.copy())
        ps.append(p)
    ps.append(lib.nn.Parameter(lib.zeros(2)))  # no grad: ignored
    return ps


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1),
                                                 (2.0, math.inf), (1.0, 3.0)])
def test_clip_grad_norm(max_norm, norm_type):
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    ne = ember.nn.utils.clip_grad_norm_(pe, max_norm, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type)
    assert ne.shape == nt.shape and str(ne.dtype) == str(nt.dtype)
    np.testing.assert_allclose(ne.item(), nt.item(), rtol=1e-6)
    for a, b in zip(pe, pt):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_single_tensor_empty_and_nonfinite():
    p = ember.nn.Parameter(ember.ones(4))
    p.grad = ember.full((4,), 2.0)
    assert ember.nn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(4.0)
    np.testing.assert_allclose(p.grad.numpy(), np.full(4, 2.0 / (4 + 1e-6), np.float32),
                               rtol=1e-6)
    assert ember.nn.utils.clip_grad_norm_([ember.nn.Parameter(ember.ones(1))], 1.0).item() == 0
    bad = [ember.nn.Parameter(ember.ones(1))]
    bad[0].grad = ember.tensor([math.inf])
    tbad = [torch.nn.Parameter(torch.ones(1))]
    tbad[0].grad = torch.tensor([math.inf])
    with pytest.raises(RuntimeError) as et:
        torch.nn.utils.clip_grad_norm_(tbad, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ee:
        ember.nn.utils.clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)
    assert str(ee.value) == str(et.value)


def test_clip_grad_value():
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    ember.nn.utils.clip_grad_value_(pe, 1.5)
    torch.nn.utils.clip_grad_value_(pt, 1.5)
    for a, b in zip(pe, pt):
        if b.grad is not None:
            np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_parameters_to_vector_and_back():
    lin_t = torch.nn.Linear(3, 2)
    lin_e = ember.nn.Linear(3, 2)
    lin_e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                           lin_t.state_dict().items()})
    ve = ember.nn.utils.parameters_to_vector(lin_e.parameters())
    vt = torch.nn.utils.parameters_to_vector(lin_t.parameters())
    np.testing.assert_array_equal(ve.detach().numpy(), vt.detach().numpy())
    assert type(ve.grad_fn).__name__ == type(vt.grad_fn).__name__
    ve.sum().backward()
    assert lin_e.weight.grad.tolist() == [[1.0] * 3] * 2
    new = np.arange(8, dtype=np.float32)
    ember.nn.utils.vector_to_parameters(ember.tensor(new), lin_e.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), lin_t.parameters())
    np.testing.assert_array_equal(lin_e.weight.detach().numpy(), lin_t.weight.detach().numpy())
    np.testing.assert_array_equal(lin_e.bias.detach().numpy(), lin_t.bias.detach().numpy())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        ember.nn.utils.vector_to_parameters([1.0], lin_e.parameters())

"""Shared by the nn tests: build the same model in torch and ember, copy torch's weights."""

import numpy as np
import torch

import ember


def copy_weights(t_module, e_module):
    """Load torch's state_dict into the ember module (exercises load_state_dict too)."""
    state = {k: ember.tensor(v.detach().numpy().copy()) for k, v in
             t_module.state_dict().items()}
    result = e_module.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys
    return e_module


def both(build):
    """(torch module, ember module with torch's weights), from build(lib)."""
    torch.manual_seed(0)
    t = build(torch)
    e = build(ember)
    return t, copy_weights(t, e)


def same(e, t, rtol=1e-5, atol=1e-5):
    """An ember tensor equals a torch tensor in shape, dtype and values."""
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    np.testing.assert_allclose(np.asarray(e.detach()._data), t.detach().numpy(), rtol=rtol,
                               atol=atol)

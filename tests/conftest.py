import os
import sys
import warnings

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts with grad mode on and the default dtype float32."""
    import torch

    import ember

    yield
    ember.set_grad_enabled(True)
    torch.set_grad_enabled(True)
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)
    warnings.resetwarnings()

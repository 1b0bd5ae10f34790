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


NO_GPU = "no GPU: CUDA tests need an NVIDIA GPU and CuPy (pip install 'ember[cuda]')"


@pytest.fixture(params=["cpu", "cuda"])
def device(request):
    """Run a test on each device; the CUDA case skips without a GPU."""
    import ember

    if request.param == "cuda" and not ember.cuda.is_available():
        pytest.skip(NO_GPU)
    return request.param

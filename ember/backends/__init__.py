"""torch.backends: the CUDA math flags (``backends.cuda.matmul.allow_tf32``, ``backends.cudnn``).

The defaults are PyTorch's. ember reads them when it runs on a GPU: TF32 for float32 matmuls
is handed to CuPy's cuBLAS calls; the cuDNN flags are kept for code that sets them.
"""

from . import cuda, cudnn

__all__ = ["cuda", "cudnn"]

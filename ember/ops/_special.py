"""Special functions NumPy lacks (erf, erfinv), taken from SciPy/CuPy when present."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_np_erf = None


def erf(xp: Any, x: Any) -> Any:
    """The error function, elementwise, in x's dtype."""
    global _np_erf
    if xp is not np:
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(x)
    if _np_erf is None:
        try:
            from scipy.special import erf as scipy_erf

            _np_erf = scipy_erf
        except ImportError:  # slow but exact fallback: SciPy is optional
            _np_erf = np.vectorize(math.erf, otypes=[np.float64])
    return np.asarray(_np_erf(x)).astype(x.dtype, copy=False)


def erfinv(xp: Any, x: Any) -> Any:
    """The inverse error function, elementwise."""
    if xp is not np:
        from cupyx.scipy.special import erfinv as cupy_erfinv

        return cupy_erfinv(x)
    try:
        from scipy.special import erfinv as scipy_erfinv

        return np.asarray(scipy_erfinv(x)).astype(x.dtype, copy=False)
    except ImportError:
        # Newton's method on erf from a good starting guess (Giles' approximation).
        y = np.asarray(x, dtype=np.float64)
        w = -np.log((1.0 - y) * (1.0 + y))
        z = y * np.sqrt(np.pi) / 2 * (1 + np.pi / 12 * y * y)
        z = np.where(np.isfinite(w), z, np.sign(y) * np.inf)
        for _ in range(6):
            err = np.vectorize(math.erf)(z) - y
            z = z - err / (2 / np.sqrt(np.pi) * np.exp(-z * z))
        return z.astype(x.dtype)

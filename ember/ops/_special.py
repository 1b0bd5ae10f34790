"""Special functions NumPy lacks (erf, erfc, erfinv, expit), from SciPy/CuPy when present."""

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


def erfc(xp: Any, x: Any) -> Any:
    """The complementary error function, accurate where erf(x) is close to 1."""
    if xp is not np:
        from cupyx.scipy.special import erfc as cupy_erfc

        return cupy_erfc(x)
    try:
        from scipy.special import erfc as scipy_erfc
    except ImportError:  # 1 - erf loses digits in the tail, but SciPy is optional
        return (1 - erf(xp, x)).astype(x.dtype, copy=False)
    return np.asarray(scipy_erfc(x)).astype(x.dtype, copy=False)


def expit(xp: Any, x: Any) -> Any:
    """The logistic sigmoid 1 / (1 + exp(-x)), without overflow for large |x|."""
    if xp is not np:
        from cupyx.scipy.special import expit as cupy_expit

        return cupy_expit(x)
    try:
        from scipy.special import expit as scipy_expit
    except ImportError:
        # exp of a negative argument only, so large |x| neither overflows nor loses 1 - s.
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return np.asarray(scipy_expit(x)).astype(x.dtype, copy=False)

"""Keeping the C allocator from handing large temporaries back to the OS after every step.

A training step allocates and frees the same large arrays (im2col columns, activations,
gradients) every iteration. With glibc's defaults, blocks above a dynamic threshold are
mmap'ed and unmapped on free, and free memory at the top of the heap is trimmed as soon as
it passes another threshold; either way the next step touches fresh pages, and page faults
(each a few microseconds, thousands per step) can cost as much as the arithmetic. PyTorch
avoids this with its caching allocator; ember keeps freed blocks in malloc's heap instead,
by raising the two thresholds once per process.

``tune_malloc()`` does that on Linux with glibc and is a silent no-op elsewhere (or when the
environment sets ``EMBER_MALLOPT=0``). The price is that up to ``trim_threshold`` bytes of
freed memory stay mapped to the process (its resident size no longer shrinks right after a
step); blocks above ``mmap_threshold`` still come from and go back to the OS directly.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["tune_malloc"]

# mallopt parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

# glibc refuses an mmap threshold above HEAP_MAX_SIZE / 2, which is 32 MiB on 64-bit.
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 512 << 20


def tune_malloc(mmap_threshold: int = MMAP_THRESHOLD,
                trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Raise glibc malloc's mmap and trim thresholds; True if both settings took effect.

    Safe to call more than once. Returns False without doing anything when not on Linux,
    when the C library is not glibc, or when ``EMBER_MALLOPT=0`` is set.
    """
    if os.environ.get("EMBER_MALLOPT", "1").strip() == "0" or not sys.platform.startswith(
            "linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018  (glibc only: musl's mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    limit = 2 ** 31 - 1  # mallopt takes a C int
    ok = mallopt(_M_MMAP_THRESHOLD, min(int(mmap_threshold), limit)) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, min(int(trim_threshold), limit)) == 1 and ok
    return ok

"""More torch functions (work in progress)."""

from __future__ import annotations

__all__: list[str] = []
__methods__: list[str] = []  # names also bound as Tensor methods
__inplace__: list[str] = []  # names that also get an in-place twin (x.name_())

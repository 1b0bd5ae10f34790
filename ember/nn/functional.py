"""torch.nn.functional (being written)."""

from ..ops.conv import *  # noqa: F403

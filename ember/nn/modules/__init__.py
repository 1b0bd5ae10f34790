"""torch.nn.modules: every layer class, re-exported by ember.nn."""

from . import activation, container, conv, distance, dropout, flatten, linear, loss
from . import normalization, padding, pooling, sparse
from . import attention, rnn, transformer
from .activation import *  # noqa: F403
from .attention import *  # noqa: F403
from .container import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import Module
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pooling import *  # noqa: F403
from .rnn import *  # noqa: F403
from .sparse import *  # noqa: F403
from .transformer import *  # noqa: F403

__all__ = ["Module"] + [n for m in (activation, container, conv, distance, dropout, flatten,
                                    linear, loss, normalization, padding, pooling, sparse,
                                    attention, rnn, transformer)
                        for n in m.__all__]

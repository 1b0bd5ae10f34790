"""torch.nn: Module, Parameter, the layers, init, utils and functional."""

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import Module
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedParameter

__all__ = ["Module", "Parameter", "Buffer", "UninitializedParameter", "functional", "init",
           "utils", *_modules_all]


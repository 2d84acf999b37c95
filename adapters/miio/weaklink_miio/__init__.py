"""weaklink live adapter for Xiaomi miIO devices (python-miio, run in a worker thread)."""

from .adapter import MiioAdapter
from .errors import IdentityMismatch, MiioError, MiioFailure
from .session import MiioSession

__all__ = ["IdentityMismatch", "MiioAdapter", "MiioError", "MiioFailure", "MiioSession"]

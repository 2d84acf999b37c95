"""weaklink live adapter for Xiaomi miIO devices (python-miio, run in a worker thread)."""

from .adapter import MiioAdapter
from .errors import IdentityMismatch, MiioError, MiioFailure

__all__ = ["IdentityMismatch", "MiioAdapter", "MiioError", "MiioFailure", "MiioSession"]


def __getattr__(name: str) -> object:
    # The session pulls in the network client libraries: loaded when first asked for, so that
    # weaklink (which loads every installed adapter at start-up) stays quick for offline work.
    if name == "MiioSession":
        from .session import MiioSession

        return MiioSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""weaklink adapter for WLED."""

from .adapter import WLEDAdapter

__all__ = ["WLEDAdapter"]

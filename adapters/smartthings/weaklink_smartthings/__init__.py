"""weaklink adapter for Samsung SmartThings: REST API answers saved as files, read offline."""

from .adapter import SmartThingsAdapter

__all__ = ["SmartThingsAdapter"]

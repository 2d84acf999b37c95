"""weaklink adapter for Samsung SmartThings: REST API answers saved as files, read offline; the same API live."""

from .adapter import SmartThingsAdapter

__all__ = ["SmartThingsAdapter"]

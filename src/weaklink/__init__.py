"""weaklink: find the broken link in a home automation that crosses brands."""

__version__ = "0.1.0"

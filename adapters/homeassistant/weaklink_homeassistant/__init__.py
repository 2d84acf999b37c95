"""weaklink adapter for Home Assistant: a config folder read offline into a home fragment."""

from .adapter import HomeAssistantAdapter

__all__ = ["HomeAssistantAdapter"]

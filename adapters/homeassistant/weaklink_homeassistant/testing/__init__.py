"""Test support shipped with the Home Assistant adapter (builders of HA's own files)."""

from .recorder_writer import CURRENT_SCHEMA_VERSION, Context, RecorderWriter, new_context

__all__ = ["CURRENT_SCHEMA_VERSION", "Context", "RecorderWriter", "new_context"]

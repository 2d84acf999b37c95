"""The tracer: walks a chain hop by hop and names the broken link."""

from .causes import CAUSES, Cause
from .recording import Recording
from .replay import RecordedTracer

__all__ = ["CAUSES", "Cause", "RecordedTracer", "Recording"]

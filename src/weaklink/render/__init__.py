"""Renderers: turn a trace report or the home graph into what each user reads."""

from .graph_svg import graph_svg
from .graph_views import graph_json, graph_mermaid, graph_text
from .report_views import report_json, report_markdown, report_text

__all__ = ["graph_json", "graph_mermaid", "graph_svg", "graph_text", "report_json", "report_markdown", "report_text"]

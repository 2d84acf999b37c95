"""A finding: the broken link as the diagnosis names it, before it becomes a report."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..report import BrokenLink, Evidence
from .causes import cause


@dataclass
class Finding:
    """What broke, at which layer, why, and who answers for it.

    `summary` completes the sentence "<step> failed: …"; `detail` fills the cause's fix
    template.
    """

    cause: str
    element: str
    element_name: str
    summary: str
    responsible: str
    detail: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    def to_broken_link(self, step_index: int, step_name: str) -> BrokenLink:
        """The report's form of this finding, for the step it broke."""
        known = cause(self.cause)
        return BrokenLink(
            step=step_index,
            step_name=step_name,
            element=self.element,
            element_name=self.element_name,
            layer=known.layer,
            cause=self.cause,
            summary=self.summary,
            responsible=self.responsible,
            evidence=self.evidence,
            fix=known.fix.format(element=self.element, name=self.element_name, detail=self.detail),
        )

"""The home graph for the terminal, for machines (JSON) and as a Mermaid picture."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from ..graph import EdgeKind, HomeGraph


def graph_text(home: HomeGraph, console: Console) -> None:
    """Devices by brand, area and hub; integrations; automations."""
    by_brand: dict[str, list] = defaultdict(list)
    for device in home.devices:
        by_brand[device.brand or "unknown brand"].append(device)
    tree = Tree(f"[bold]home[/] — {len(home.devices)} devices, {len(home.capabilities)} entities")
    for brand in sorted(by_brand):
        branch = tree.add(f"[bold]{escape(brand)}[/]")
        for device in sorted(by_brand[brand], key=lambda d: d.name):
            hub = home.hub_of(device)
            where = ", ".join(p for p in (home.area_name(device), f"via {hub.name}" if hub else None,
                                          device.transport.value) if p)
            node = branch.add(f"{escape(device.name)} [dim]({escape(device.model or '?')}; {escape(where)}; {device.role.value})[/]")
            for capability in sorted(home.capabilities_of(device), key=lambda c: c.id):
                node.add(f"{capability.id} [dim]{capability.kind.value}{' disabled' if capability.disabled else ''}[/]")
    console.print(tree)
    integrations = Table(title="integrations", title_justify="left", show_edge=False, header_style="bold")
    for column in ("domain", "title", "health", "entities"):
        integrations.add_column(column)
    for integration in sorted(home.integrations, key=lambda i: (i.domain, i.title or "")):
        integrations.add_row(integration.domain, escape(integration.title or ""), integration.health.value,
                             str(len(home.carried_by(integration))))
    console.print(integrations)
    automations = Table(title="automations and scripts", title_justify="left", show_edge=False, header_style="bold")
    for column in ("id", "alias", "on", "triggered by", "acts on"):
        automations.add_column(column)
    for automation in sorted(home.automations, key=lambda a: a.entity_id):
        automations.add_row(automation.entity_id, escape(automation.alias or ""), "yes" if automation.enabled else "no",
                            ", ".join(sorted(automation.triggered_by())), ", ".join(sorted(automation.acts_on())))
    console.print(automations)


def graph_json(home: HomeGraph) -> str:
    """Nodes and typed edges as JSON."""
    nodes = [{"id": key, **{k: str(v) for k, v in data.items()}} for key, data in home.graph.nodes(data=True)]
    edges = [{"source": s, "target": t, "kind": str(d["kind"])} for s, t, d in home.graph.edges(data=True)]
    return json.dumps({
        "devices": [d.model_dump(mode="json") | {"sources": [
            {"platform": r.platform, "id": r.device.id, "source": r.source} for r in home.reports_of(d)]}
            for d in home.devices],
        "integrations": [i.model_dump(mode="json") for i in home.integrations],
        "automations": [a.model_dump(mode="json", exclude={"triggers", "conditions", "actions"}) | {
            "triggered_by": sorted(a.triggered_by()), "acts_on": sorted(a.acts_on())} for a in home.automations],
        "nodes": nodes,
        "edges": edges,
    }, indent=2)


def _mermaid_id(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", key)


def _label(text: str) -> str:
    return text.replace('"', "'").replace("<", "‹").replace(">", "›")


_ARROWS = {
    EdgeKind.RADIO_LINK: "-. radio .->",
    EdgeKind.VIA: "-->",
    EdgeKind.HOST_ON: "-->",
    EdgeKind.PROVIDED_BY: "-.->",
    EdgeKind.INTEGRATION: "-.->",
    EdgeKind.TRIGGERS: "== triggers ==>",
    EdgeKind.ACTS_ON: "== acts on ==>",
    EdgeKind.CALLS: "== calls ==>",
}


def graph_mermaid(home: HomeGraph, highlight: set[str] | None = None) -> str:
    """A Mermaid flowchart: devices grouped by hub, integrations, automations and their links.

    Entities hang off their devices in the data, but the picture shows devices, hubs and
    automations only, or it would be unreadable in a real home.
    """
    highlight = highlight or set()
    lines = ["flowchart LR"]
    shown: set[str] = set()

    def node(key: str) -> str:
        ident = _mermaid_id(key)
        if key not in shown:
            shown.add(key)
            data = home.graph.nodes[key]
            name = _label(str(data.get("name", key)))
            kind = data.get("kind")
            shape = {"automation": f'{ident}{{{{"{name}"}}}}', "script": f'{ident}{{{{"{name}"}}}}',
                     "integration": f'{ident}[/"{name}"/]', "network": f'{ident}(("{name}"))',
                     "platform": f'{ident}[["{name}"]]'}.get(str(kind), f'{ident}["{name}"]')
            lines.append(f"  {shape}")
        return ident

    def device_or_entity(key: str) -> str:
        # Collapse an entity onto its device so the picture stays at the device level.
        for _, target, data in home.graph.out_edges(key, data=True):
            if data["kind"] is EdgeKind.CAPABILITY_OF:
                return target
        return key

    for source, target, data in home.graph.edges(data=True):
        kind = data["kind"]
        if kind is EdgeKind.CAPABILITY_OF or (kind is EdgeKind.PROVIDED_BY and source.startswith("entity:")):
            continue
        source_key, target_key = device_or_entity(source), device_or_entity(target)
        lines.append(f"  {node(source_key)} {_ARROWS[kind]} {node(target_key)}")
    for key in sorted(highlight & shown):
        lines.append(f"  style {_mermaid_id(key)} stroke:#d00,stroke-width:3px")
    return "\n".join(dict.fromkeys(lines)) + "\n"

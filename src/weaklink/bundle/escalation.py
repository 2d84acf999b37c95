"""The escalation bundle: what the responsible party needs to act, and nothing else of the customer's.

A zip for the company a broken link is escalated to (`hop.responsible_party`): the report
(JSON and Markdown), the evidence, the graph when given, the hop's recorded history around
the incident (`history_extract`), and the customer's data about the broken hop (`gather`),
with a README saying what is inside and a manifest of every file's
SHA-256. Every file passes through a `scrub.Scrubber` first. The zip's bytes depend on its
contents only, so the same input and key give the same bundle.

`Party` and `responsible_party` are re-exported from `hop`, where they live.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets as random_source
import zipfile
from collections.abc import Iterable
from typing import Any

from .. import __version__
from ..home import OpenHome
from ..redact import REDACTED
from ..render import report_json, report_markdown
from ..report import TraceReport
from .gather import gather
from .history_extract import hop_history
from .homeassistant_extract import REGISTRIES
from .hop import Party, broken_hop, responsible_party
from .pseudonyms import Pseudonyms
from .scrub import Scrubber, home_secrets, local_paths

__all__ = ["Party", "build_escalation", "responsible_party"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def build_escalation(report: TraceReport, home: OpenHome, *, share_device_ids: bool = False,
                     secrets: Iterable[str] = (), graph_svg: str | None = None,
                     case_notes: str | None = None, key: bytes | None = None) -> bytes:
    """The escalation bundle for `report`'s broken link, as the bytes of a zip.

    `secrets` are strings to mask wherever they appear, beside the home's `secrets.yaml`
    values and everything under a secret key. With `share_device_ids` the identifiers of
    devices outside the broken hop are kept as they are; otherwise they are pseudonyms made
    with `key` (default: a random key, so two bundles cannot be linked by them).
    """
    hop = broken_hop(report, home)
    party = responsible_party(report, home)
    gathered = gather(hop, home)
    pseudonyms = None if share_device_ids else Pseudonyms.for_hop(
        hop, home, key or random_source.token_bytes(32), gathered.kept_addresses)
    scrub = Scrubber([*secrets, *home_secrets(home)], pseudonyms, local_paths(home))
    files: dict[str, bytes] = {
        "report.json": _json_bytes(scrub.json(json.loads(report_json(report)))),
        "report.md": scrub.text(report_markdown(report)).encode(),
        "evidence.json": _json_bytes(scrub.json(_evidence(report))),
    }
    if graph_svg is not None:
        files["graph.svg"] = scrub.text(graph_svg).encode()
    history = hop_history(report, hop, home)
    if history is not None:
        files["history.json"] = _json_bytes(scrub.json(history))
    for name, document in gathered.json.items():
        scrubbed = scrub.json(document)
        if isinstance(document, dict) and document.get("key") in REGISTRIES:
            scrubbed["key"] = document["key"]  # the storage file's own name ("key" is a secret key elsewhere)
        files[name] = _json_bytes(scrubbed)
    for name, text in gathered.text.items():
        files[name] = scrub.text(text).encode()
    redactions = {name: content.count(REDACTED.encode()) for name, content in files.items()}
    files["README.md"] = _readme(report, party, scrub, files, gathered.left_out, redactions,
                                 share_device_ids, case_notes).encode()
    files["manifest.json"] = _json_bytes(_manifest(report, party, scrub, files, gathered.left_out, redactions,
                                                   share_device_ids))
    return _zip(files)


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode()


def _evidence(report: TraceReport) -> dict[str, Any]:
    link = report.broken_link
    return {
        "scenario": report.scenario,
        "verdict": report.verdict.value,
        "summary": report.summary,
        "broken_link": link.model_dump(mode="json") if link else None,
        "concerns": [concern.model_dump(mode="json") for concern in report.concerns],
    }


_DESCRIPTIONS = {
    "README.md": "this file",
    "report.md": "the trace report, to read",
    "report.json": "the trace report, weaklink's JSON contract (docs/report.schema.json)",
    "evidence.json": "the broken link and the concerns, with every fact they rest on",
    "graph.svg": "the home graph, the broken link marked",
    "history.json": ("the recorded states of the broken hop's entities from an hour before the incident to ten "
                     "minutes after, with the runs and service calls that carried it"),
    "manifest.json": "every file with its SHA-256, and what was redacted",
}


def _describe(name: str) -> str:
    if name in _DESCRIPTIONS:
        return _DESCRIPTIONS[name]
    base = name.rsplit("/", 1)[-1]
    if base.startswith("core.") and base.endswith(".json"):
        registry = base.removesuffix(".json")
        return f"the entries of Home Assistant's `{registry}` about the broken hop (nothing else of it)"
    if base == "automations.json":
        return "the automations and scripts that carry the broken hop, as configured"
    if base.startswith("home-assistant.log"):
        return "the log records that mention the broken hop's entities, integrations or hosts"
    return "the customer's export, as their vendor's tool wrote it (redacted)"


def _readme(report: TraceReport, party: Party | None, scrub: Scrubber, files: dict[str, bytes], left_out: list[str],
            redactions: dict[str, int], shared: bool, case_notes: str | None) -> str:
    link = report.broken_link
    who = scrub.text(party.name) if party else "nobody in particular: no link broke"
    lines = [f"# Escalation: {scrub.text(report.scenario)} ({report.verdict.value})", "",
             f"For: **{who}**", "", f"> {scrub.text(report.summary)}", ""]
    if link is not None:
        lines += [f"- broken link: step {link.step} ({scrub.text(link.step_name)}), `{scrub.text(link.element)}`, "
                  f"layer `{link.layer.value}`, cause `{link.cause}`",
                  f"- responsible, as weaklink reads the evidence: {scrub.text(link.responsible)}",
                  f"- what to do: {scrub.text(link.fix)}"]
    if party is not None:
        lines += [f"- brands in the broken hop: {', '.join(scrub.text(b) for b in party.brands) or 'none known'}",
                  f"- the customer's data below comes from: {', '.join(party.adapters) or 'no export'}"]
    if case_notes:
        lines += ["", "## Notes from the support desk", "", scrub.text(case_notes).strip()]
    lines += ["", "## What is inside", "", "| file | what it is |", "|---|---|"]
    for name in sorted([*files, "README.md", "manifest.json"]):
        lines.append(f"| `{name}` | {_describe(name)} |")
    masked = sum(redactions.values())
    keys = ", ".join(f"`{k}`" for k in sorted(scrub.secret_keys)) or "none met"
    lines += ["", "## What was redacted", "",
              f"- {masked} value(s) replaced by `{REDACTED}`: everything stored under a secret key (tokens, keys, "
              f"passwords, codes, coordinates, Wi-Fi names and the like; here: {keys}), the values of the home's "
              "`secrets.yaml` wherever they appeared, and in free text bearer tokens, JSON web tokens, e-mail "
              "addresses and passwords in URLs.",
              ("- Device identifiers (MAC, IEEE, serial, IP address) were shared as they are, at the desk's request."
               if shared else
               f"- Identifiers (MAC, IEEE, serial, IP address) of devices outside the broken hop were replaced by "
               f"pseudonyms ({len(scrub.pseudonyms.made) if scrub.pseudonyms else 0} in all, `device-…`, the same "
               "identifier always the same pseudonym in this bundle); those of the broken hop's devices are kept."),
              "- Not included: the rest of the customer's data (other devices' registry entries, the recorded "
              "history of anything but the hop's entities and of any other time, `secrets.yaml`, the home's "
              "location, who in the household made a change)."]
    lines += [f"- Left out: {scrub.text(item)}" for item in left_out]
    lines += ["", f"_Made by weaklink {__version__}._", ""]
    return "\n".join(lines)


def _manifest(report: TraceReport, party: Party | None, scrub: Scrubber, files: dict[str, bytes],
              left_out: list[str], redactions: dict[str, int], shared: bool) -> dict[str, Any]:
    return {
        "weaklink_version": __version__,
        "scenario": scrub.text(report.scenario),
        "verdict": report.verdict.value,
        "for": {"name": scrub.text(party.name), "brands": [scrub.text(b) for b in party.brands],
                "adapters": list(party.adapters)} if party else None,
        "files": [{"name": name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
                  for name, content in sorted(files.items())],
        "redacted": {
            "values_per_file": {name: count for name, count in sorted(redactions.items()) if count},
            "secret_keys": sorted(scrub.secret_keys),
            "pseudonyms": dict(sorted(scrub.pseudonyms.made.items())) if scrub.pseudonyms else {},
            "left_out": [scrub.text(item) for item in left_out],
        },
        "device_ids_shared": shared,
    }


def _zip(files: dict[str, bytes]) -> bytes:
    """The files as a zip whose bytes depend on their contents only: fixed times, sorted names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()

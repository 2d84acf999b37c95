"""The escalation bundle: what the responsible party needs to act, and nothing else of the customer's.

A zip for the company a broken link is escalated to: the report (JSON and Markdown), the
evidence, and the part of the customer's data about the broken hop. From a Home Assistant
config folder that is the registry entries of the hop's entities, devices, config entries
and automations, and the log records that mention them, never the whole folder; from a
vendor's dump, the dump. Every file passes through `weaklink.redact` (and the values of the
home's `secrets.yaml`, and any other strings the caller names, are masked wherever they
appear). Unless the caller shares them, the hardware identifiers (MAC, IEEE, serial, IP
address) of devices outside the broken hop are replaced everywhere by pseudonyms keyed with
a random per-bundle key; the hop's own are kept, since the vendor needs them.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import secrets as random_source
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError
from ..graph import HomeGraph
from ..home import OpenHome
from ..model import Device, HomeFragment, IdentifierKind
from ..model.device import normalize_identifier
from ..redact import REDACTED, is_secret_key, redact, redact_text
from ..render import report_json, report_markdown
from ..report import TraceReport
from ..yamlio import Tagged, parse_yaml, plain

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_HOME_CONFIG = "the home's own configuration"
_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")
# A vendor dump larger than this is left out (and said so): a bundle is read by a person.
_MAX_EXPORT_BYTES = 20_000_000
_MAX_FOLDER_FILES = 200
_MAX_LOG_RECORDS = 5_000
_MAX_RECORD_LINES = 30
_LOG_FILES = ("home-assistant.log.old", "home-assistant.log.1", "home-assistant.log")  # oldest run first
_REGISTRIES = {"core.entity_registry": "entities", "core.device_registry": "devices", "core.config_entries": "entries"}
_LOG_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


# ----------------------------------------------------------------------------- the hop


@dataclass(frozen=True)
class Hop:
    """The elements of a report's broken hop, as the home graph knows them."""

    entities: tuple[str, ...]  # the failed step's subject, the broken element when an entity
    automations: tuple[str, ...]  # the automations and scripts carrying the hop
    devices: tuple[Device, ...]  # merged devices: the failing one first, then hubs
    integrations: tuple[str, ...]  # integration (config entry) ids

    def domains(self, graph: HomeGraph) -> list[str]:
        """The vendor domains of the hop's integrations."""
        found = (graph.integration(i) for i in self.integrations)
        return sorted({integration.domain for integration in found if integration is not None})


def broken_hop(report: TraceReport, home: OpenHome) -> Hop | None:
    """The elements of the report's broken hop (None when nothing broke)."""
    link = report.broken_link
    if link is None:
        return None
    graph = home.graph
    step = next((s for s in report.steps if s.index == link.step), None)
    entities: list[str] = []
    automations: list[str] = list(step.carried_by) if step else []
    for candidate in (link.element, step.subject if step else None):
        if not candidate:
            continue
        if graph.automation(candidate) is not None or candidate.startswith(("automation.", "script.")):
            automations.append(candidate)
        elif _ENTITY_ID.match(candidate):
            entities.append(candidate)
    devices: list[Device] = []

    def add(device: Device | None) -> None:
        if device is not None and all(device is not known for known in devices):
            devices.append(device)

    add(graph.device(link.element))  # a hub is named by its device id
    for entity in entities:
        add(graph.device_of(entity))
        capability = graph.capability(entity)
        trackers = capability.attributes.get("device_trackers", []) if capability else []
        for tracker in trackers if isinstance(trackers, list) else []:
            add(graph.device_of(str(tracker)))  # a person is located by their phone
    for item in link.evidence:
        if item.element:
            add(graph.device(item.element))
    for device in list(devices):
        add(graph.hub_of(device))
    integrations: list[str] = []
    for entity in entities:
        integration = graph.integration_of(entity)
        if integration is not None:
            integrations.append(integration.id)
    for device in devices:
        integrations += [i for i in device.integration_ids if graph.integration(i) is not None]
    if not any((found := graph.integration(i)) is not None and found.domain == link.element for i in integrations):
        integrations += [i.id for i in graph.integrations_for_domain(link.element)]  # an integration named by domain
    return Hop(entities=tuple(dict.fromkeys(entities)), automations=tuple(dict.fromkeys(automations)),
               devices=tuple(devices), integrations=tuple(dict.fromkeys(integrations)))


def _describes(fragment: HomeFragment, hop: Hop, sources: set[str]) -> bool:
    """Whether one source's fragment says something about the hop."""
    return (fragment.source in sources
            or any(c.id in hop.entities for c in fragment.capabilities)
            or any(a.entity_id in hop.automations for a in fragment.automations)
            or any(i.id in hop.integrations for i in fragment.integrations))


def hop_exports(hop: Hop, home: OpenHome) -> list[tuple[Path, str]]:
    """The exports (path, adapter) whose sources describe the hop, in the order they were read."""
    sources = {report.source for device in hop.devices for report in home.graph.reports_of(device)}
    read, fragments = home.imported.read, home.imported.fragments
    if len(read) == len(fragments):  # read in step with the fragments: one entry per adapter per export
        return [export for export, fragment in zip(read, fragments, strict=True) if _describes(fragment, hop, sources)]
    return [(path, adapter) for path, adapter in read if str(path) in sources]


# ----------------------------------------------------------------------------- the party


@dataclass(frozen=True)
class Party:
    """Who a broken link is escalated to."""

    name: str  # who to escalate to (BrokenLink.responsible, shortened to the company / party)
    brands: tuple[str, ...]  # the brands involved in the broken hop
    adapters: tuple[str, ...]  # the adapter names whose exports describe the broken hop

    @property
    def slug(self) -> str:
        """The name for a file name: `signify-netherlands-b-v`."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.casefold()).strip("-")[:48].strip("-") or "party"


def responsible_party(report: TraceReport, home: OpenHome) -> Party | None:
    """Who the report's broken link should be escalated to (None when nothing broke)."""
    hop = broken_hop(report, home)
    if hop is None or report.broken_link is None:
        return None
    brands = tuple(sorted({device.brand for device in hop.devices if device.brand}))
    adapters = tuple(sorted({adapter for _, adapter in hop_exports(hop, home)}))
    return Party(name=_party_name(report.broken_link.responsible, hop, home.graph), brands=brands, adapters=adapters)


def _party_name(responsible: str, hop: Hop, graph: HomeGraph) -> str:
    text = " ".join(responsible.split())
    if text.startswith(_HOME_CONFIG):
        return _HOME_CONFIG
    # The company behind a device: its brand, as the tracer names it ("Signify Netherlands B.V. Hue Lily …").
    own = [device.brand for device in hop.devices if device.brand]
    others = sorted({device.brand for device in graph.devices if device.brand}, key=len, reverse=True)
    for brand in [*own, *others]:
        if re.search(rf"(?<!\w){re.escape(brand)}(?!\w)", text):
            return brand
    head = text.split(": ", 1)[0]  # "Hue Bridge (hue): the hub and the devices behind it"
    return re.sub(r"\s*\([^()]*\)$", "", head) or head


# ----------------------------------------------------------------------------- identifiers


_HEX_PAIRS = re.compile(r"(?<![0-9A-Fa-f])(?<![0-9A-Fa-f][:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5,7}(?![0-9A-Fa-f])")
_HEX_IEEE = re.compile(r"(?<![0-9A-Za-z])0x([0-9A-Fa-f]{16})(?![0-9A-Za-z])")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?<![0-9.])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9]|\.[0-9])")
_IP_KEPT = ("127.", "0.0.0.0", "255.")  # loopback, "any", masks: no device's address
_HARDWARE = {IdentifierKind.MAC: "mac", IdentifierKind.BLUETOOTH: "mac", IdentifierKind.ZIGBEE: "zigbee",
             IdentifierKind.SERIAL: "serial"}
_SERIAL_KEYS = frozenset({"serial", "serial_number", "serialnumber", "serial_no"})
_MIN_SERIAL = 5  # shorter "serials" ("1", "A2") would replace ordinary words


def _distinctive(spelling: str) -> bool:
    """Whether a bare spelling can be replaced wherever it appears: a short run of digits could
    as well be the fraction of a second in a timestamp."""
    return len(spelling) >= _MIN_SERIAL and (any(c.isalpha() for c in spelling) or len(spelling) >= 10)


def _canonical(kind: str, value: str) -> str:
    if kind == "mac":
        return f"mac:{normalize_identifier(IdentifierKind.MAC, value)}"
    if kind == "zigbee":
        return f"zigbee:{normalize_identifier(IdentifierKind.ZIGBEE, value)}"
    if kind == "serial":
        return f"serial:{value.strip().upper()}"
    return f"{kind}:{value.strip()}"


def _eui64(mac: str) -> str:
    """The EUI-64 spelling of a MAC (Hue bridge ids, Zigbee coordinators): ff:fe in the middle."""
    digits = mac.replace(":", "")
    return digits[:6] + "fffe" + digits[6:]


def _spellings(device: Device) -> Iterator[tuple[str, str]]:
    """(canonical id, another way it is written) for each hardware identifier of a device."""
    for identifier in device.identifiers:
        kind = _HARDWARE.get(identifier.kind)
        if kind is None:
            continue
        canonical = _canonical(kind, identifier.value)
        yield canonical, identifier.value
        digits = identifier.value.replace(":", "")
        if kind == "mac" and len(digits) == 12:
            yield canonical, digits
            yield _canonical("zigbee", _eui64(identifier.value)), _eui64(identifier.value)
        elif kind == "zigbee" and len(digits) == 16:
            yield canonical, digits
    if device.host and _IPV4.fullmatch(device.host):
        yield f"ip:{device.host}", device.host


class Pseudonyms:
    """Replaces the hardware identifiers of devices outside the broken hop with stable pseudonyms.

    Written with separators (MACs, IEEE addresses) or as IPv4 addresses, any identifier not
    the hop's is replaced wherever it appears; written bare (`a8032abe54c8`, a serial), the
    identifiers of the home's other devices are. The same identifier, however it is spelled,
    gets the same pseudonym within a bundle, and unrelated ones in another (the key is random).
    """

    def __init__(self, key: bytes, keep: set[str], others: Iterable[tuple[str, str]]) -> None:
        self.key = key
        self.keep = keep
        self.made: dict[str, str] = {}  # pseudonym → kind of identifier
        self.bare = {spelling.casefold(): canonical for canonical, spelling in others
                     if canonical not in keep and _distinctive(spelling)}
        spellings = "|".join(re.escape(s) for s in sorted(self.bare, key=len, reverse=True))
        self.bare_pattern = (re.compile(rf"(?<![0-9A-Za-z])(?:{spellings})(?![0-9A-Za-z])", re.IGNORECASE)
                             if self.bare else None)

    @classmethod
    def for_hop(cls, hop: Hop | None, home: OpenHome, key: bytes, extra_kept: Iterable[str] = ()) -> Pseudonyms:
        """Keep the hop's devices' identifiers (and `extra_kept` IPv4 addresses); replace the rest."""
        graph = home.graph
        hop_devices = list(hop.devices) if hop else []
        accounts = [report.device for device in hop_devices for report in graph.reports_of(device)]
        keep = {canonical for device in [*hop_devices, *accounts] for canonical, _ in _spellings(device)}
        keep |= {f"ip:{address}" for address in extra_kept}
        others = [pair for device in graph.devices if all(device is not d for d in hop_devices)
                  for pair in _spellings(device)]
        return cls(key, keep, others)

    def name(self, canonical: str) -> str:
        """The pseudonym of one identifier."""
        digest = hmac.new(self.key, canonical.encode(), hashlib.sha256).hexdigest()[:12]
        pseudonym = f"device-{digest}"
        self.made[pseudonym] = canonical.split(":", 1)[0]
        return pseudonym

    def _swap(self, canonical: str, text: str) -> str:
        return text if canonical in self.keep else self.name(canonical)

    def text(self, text: str, *, addresses: bool = True) -> str:
        """`text` with every identifier outside the hop replaced (IPv4 addresses too, unless told not to)."""

        def pairs(match: re.Match[str]) -> str:
            found = match.group(0)
            groups = (len(found) + 1) // 3
            kind = {6: "mac", 8: "zigbee"}.get(groups)
            return self._swap(_canonical(kind, found), found) if kind else found

        text = _HEX_PAIRS.sub(pairs, text)
        text = _HEX_IEEE.sub(lambda m: self._swap(_canonical("zigbee", m.group(1)), m.group(0)), text)
        if addresses:
            text = _IPV4.sub(lambda m: m.group(0) if m.group(0).startswith(_IP_KEPT)
                             else self._swap(f"ip:{m.group(0)}", m.group(0)), text)
        if self.bare_pattern is not None:
            text = self.bare_pattern.sub(lambda m: self.name(self.bare[m.group(0).casefold()]), text)
        return text

    def serial(self, value: str) -> str:
        """A value stored under a serial-number key."""
        canonical = _canonical("serial", value)
        return value if canonical in self.keep or len(value.strip()) < _MIN_SERIAL else self.name(canonical)


# ----------------------------------------------------------------------------- scrubbing


def _is_version_key(key: object) -> bool:
    # "1.0.0.16" is a firmware version, not an address: left alone under keys that say so.
    name = str(key).lower()
    return "version" in name or "firmware" in name or name in ("fw", "sw", "ver") or name.startswith(("fw_", "sw_"))


class Scrubber:
    """Everything written into a bundle passes through here: redaction, then pseudonyms."""

    def __init__(self, secrets: Iterable[str], pseudonyms: Pseudonyms | None, paths: dict[str, str]) -> None:
        self.secrets = sorted({s for s in secrets if isinstance(s, str) and len(s) >= 3}, key=len, reverse=True)
        self.pseudonyms = pseudonyms
        self.paths = paths  # local paths (the work folder the home was unpacked into) → what to write instead
        self.secret_keys: set[str] = set()  # the keys whose values were redacted

    def text(self, text: str, *, addresses: bool = True) -> str:
        """Free text, scrubbed."""
        for local, shown in self.paths.items():
            text = text.replace(local, shown)
        text = redact_text(text, self.secrets)
        return self.pseudonyms.text(text, addresses=addresses) if self.pseudonyms else text

    def json(self, value: Any) -> Any:
        """A JSON document, scrubbed value by value (so it stays valid JSON)."""
        return self._walk(redact(value), None)

    def _key(self, name: str) -> str:
        return self.pseudonyms.text(name) if self.pseudonyms else name

    def _walk(self, value: Any, key: object) -> Any:
        if isinstance(value, dict):
            for name, item in value.items():
                if item == REDACTED and is_secret_key(name):
                    self.secret_keys.add(str(name))
            # Keys are the document's structure: identifiers in them (maps keyed by IEEE address) are
            # replaced, but secret strings are not looked for there, lest two keys become one.
            return {self._key(str(name)): self._walk(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [self._walk(item, key) for item in value]
        if isinstance(value, str):
            if self.pseudonyms and str(key).lower() in _SERIAL_KEYS:
                value = self.pseudonyms.serial(value)
            return self.text(value, addresses=not _is_version_key(key))
        return value


# ----------------------------------------------------------------------------- the customer's data


@dataclass
class _Data:
    """The customer's data gathered for the bundle, not yet scrubbed."""

    json: dict[str, Any]  # bundle path → document
    text: dict[str, str]  # bundle path → text
    left_out: list[str]  # what was not included, and why
    kept_addresses: set[str]  # IPv4 addresses of the hop's devices found in their config entries


def _safe_name(part: str) -> str:
    return re.sub(r"[^\w.@+ -]", "_", part).strip() or "_"


def _prefix(path: Path, adapter: str, home_root: Path) -> str:
    try:
        relative = path.relative_to(home_root).parts
    except ValueError:
        relative = (path.name,)
    return "/".join(["data", _safe_name(adapter), *(_safe_name(p) for p in relative if p not in ("", "."))])


def _gather(hop: Hop | None, home: OpenHome) -> _Data:
    data = _Data(json={}, text={}, left_out=[], kept_addresses=set())
    if hop is None:
        return data
    for path, adapter in hop_exports(hop, home):
        prefix = _prefix(path, adapter, home.path)
        if path.is_file() and path.name == "configuration.yaml":  # names its config folder
            path = path.parent
        if path.is_dir() and ((path / ".storage").is_dir() or (path / "configuration.yaml").is_file()):
            _home_assistant(path, prefix, hop, home, data)
        elif path.is_dir():
            files = [f for f in sorted(path.rglob("*")) if f.is_file() and not f.is_symlink()
                     and not any(p.startswith(".") for p in f.relative_to(path).parts)]
            for file in files[:_MAX_FOLDER_FILES]:
                _export_file(file, f"{prefix}/{'/'.join(_safe_name(p) for p in file.relative_to(path).parts)}", data)
            if len(files) > _MAX_FOLDER_FILES:
                data.left_out.append(f"{prefix}: {len(files) - _MAX_FOLDER_FILES} more files of this export")
        elif path.is_file():
            _export_file(path, prefix, data)
    return data


def _export_file(path: Path, name: str, data: _Data) -> None:
    try:
        size = path.stat().st_size
        if size > _MAX_EXPORT_BYTES:
            data.left_out.append(f"{name}: {size:,} bytes, too large to read through")
            return
        raw = path.read_bytes()
    except OSError as exc:
        data.left_out.append(f"{name}: could not be read ({exc.strerror or exc})")
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        data.left_out.append(f"{name}: not text (a binary file cannot be checked for secrets)")
        return
    try:
        data.json[name] = json.loads(text)
    except ValueError:
        data.text[name] = text


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _home_assistant(folder: Path, prefix: str, hop: Hop, home: OpenHome, data: _Data) -> None:
    """From a config folder, only what is about the hop: registry entries, automations, log records."""
    graph = home.graph
    named = set(hop.entities) | set(hop.automations)
    device_ids = {report.device.id for device in hop.devices for report in graph.reports_of(device)
                  if report.source == str(folder)}
    # each list of a registry kept, and the field of an item that says whether it is the hop's
    wanted: dict[str, tuple[str, set[str]]] = {
        "entities": ("entity_id", named), "deleted_entities": ("entity_id", named), "devices": ("id", device_ids),
        "entries": ("entry_id", set(hop.integrations))}
    for registry, main in _REGISTRIES.items():
        document = _read_json(folder / ".storage" / registry)
        if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
            continue
        kept = {key: [item for item in items if isinstance(item, dict) and item.get(field) in allowed]
                for key, items in document["data"].items() if key in wanted and isinstance(items, list)
                for field, allowed in [wanted[key]]}
        kept.setdefault(main, [])
        data.json[f"{prefix}/{registry}.json"] = {**{k: v for k, v in document.items() if k != "data"}, "data": kept}
        if registry == "core.config_entries":
            for entry in kept["entries"]:
                host = entry.get("data", {}).get("host") if isinstance(entry.get("data"), dict) else None
                if isinstance(host, str) and _IPV4.fullmatch(host):
                    data.kept_addresses.add(host)
    automations = [_automation_config(folder, graph, entity_id) for entity_id in hop.automations]
    data.json[f"{prefix}/automations.json"] = [a for a in automations if a is not None]
    terms = _log_terms(hop, graph, data.kept_addresses | {d.host for d in hop.devices if d.host})
    for log_name in _LOG_FILES:
        log = folder / log_name
        if log.is_file():
            data.text[f"{prefix}/{log_name}"] = "".join(_log_records(log, terms))


def _automation_config(folder: Path, graph: HomeGraph, entity_id: str) -> dict[str, Any] | None:
    """An automation's (or script's) configuration, as written in its file."""
    automation = graph.automation(entity_id)
    if automation is None or automation.source is None:
        return None
    path = (folder / automation.source.file).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    try:
        document = plain(parse_yaml(path.read_text(encoding="utf-8"), source=path))
    except (OSError, UnicodeDecodeError, InputError):  # the adapter read it; a re-read that fails is left out
        return None
    config: Any = None
    if isinstance(document, list):
        config = next((item for item in document if isinstance(item, dict)
                       and str(item.get("id")) == str(automation.config_id)), None)
    elif isinstance(document, dict):
        config = document.get(str(automation.config_id))
    if config is None:
        return None
    where = f"{automation.source.file}:{automation.source.line}" if automation.source.line else automation.source.file
    return {"entity_id": entity_id, "source": where, "config": _untagged(config)}


def _untagged(value: Any) -> Any:
    """YAML tags as text: `!secret alarm_code` names the secret, it never holds its value."""
    if isinstance(value, Tagged):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def _log_terms(hop: Hop, graph: HomeGraph, addresses: set[str]) -> re.Pattern[str] | None:
    patterns = [rf"(?<!\w){re.escape(name)}(?!\w)" for name in (*hop.entities, *hop.automations)]
    for domain in hop.domains(graph):
        patterns.append(rf"(?:components\.|for '?){re.escape(domain)}\b")
    patterns += [rf"(?<![0-9.]){re.escape(address)}(?![0-9])" for address in sorted(addresses)]
    return re.compile("|".join(patterns)) if patterns else None


def _log_records(path: Path, terms: re.Pattern[str] | None) -> Iterator[str]:
    """The records of a log (a line and its traceback) that mention the hop."""
    if terms is None:
        return
    kept = 0
    record: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in chain(lines, [""]):  # streamed: a log can be larger than memory
            if (not line or _LOG_RECORD.match(line)) and record:
                if terms.search("".join(record)):
                    kept += 1
                    yield "".join(r if r.endswith("\n") else r + "\n" for r in record[:_MAX_RECORD_LINES])
                    if kept >= _MAX_LOG_RECORDS:
                        return
                record = []
            if line and len(record) <= _MAX_RECORD_LINES:
                record.append(line)


def home_secrets(home: OpenHome) -> list[str]:
    """The values of every `secrets.yaml` of the home's config folders: secret wherever they appear."""
    found: list[str] = []
    for path, _ in home.imported.read:
        secrets_file = path / "secrets.yaml" if path.is_dir() else None
        if secrets_file is None or not secrets_file.is_file():
            continue
        try:
            document = plain(parse_yaml(secrets_file.read_text(encoding="utf-8"), source=secrets_file))
        except (OSError, UnicodeDecodeError, InputError):  # unreadable: no strings; the key table still applies
            continue
        if isinstance(document, dict):
            found += [str(value) for value in document.values()
                      if isinstance(value, (str, int, float)) and not isinstance(value, bool)]
    return found


# ----------------------------------------------------------------------------- the bundle


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
    gathered = _gather(hop, home)
    pseudonyms = None if share_device_ids else Pseudonyms.for_hop(
        hop, home, key or random_source.token_bytes(32), gathered.kept_addresses)
    scrub = Scrubber([*secrets, *home_secrets(home)], pseudonyms, _local_paths(home))
    files: dict[str, bytes] = {
        "report.json": _json_bytes(scrub.json(json.loads(report_json(report)))),
        "report.md": scrub.text(report_markdown(report)).encode(),
        "evidence.json": _json_bytes(scrub.json(_evidence(report))),
    }
    if graph_svg is not None:
        files["graph.svg"] = scrub.text(graph_svg).encode()
    for name, document in gathered.json.items():
        scrubbed = scrub.json(document)
        if isinstance(document, dict) and document.get("key") in _REGISTRIES:
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


def _local_paths(home: OpenHome) -> dict[str, str]:
    """Where the home was read from on this machine (a work folder, a user's home) says nothing
    the vendor needs: written as the folder's name."""
    shown = home.path.name or "home"
    paths = {}
    for local in {str(home.path.resolve()), str(home.path)}:
        if "/" in local or home.path.is_absolute():
            paths[local] = shown
    return dict(sorted(paths.items(), key=lambda item: len(item[0]), reverse=True))


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
              "history database, `secrets.yaml`, the home's location)."]
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

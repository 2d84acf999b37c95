"""Recognising Shellies on the network: their mDNS records, or a unicast `GET /shelly`.

Gen2+ devices announce `_shelly._tcp` and `_http._tcp` under their device id
(`shellyplus1pm-aabbccddeeff`) with TXT `gen`, `app` (the model family) and `ver`; Gen1
devices announce `_http._tcp` only, under their hostname (`shelly1pm-DDEEFF`) with TXT `id`
(the same name), `fw_id` and `arch`. Other brands' `_http._tcp` records (printers, NAS…)
are not Shellies and are left alone. A record that claims to be a Shelly (by its service
type, or a name starting `shelly`) whose id does not carry a MAC as a Shelly's does is kept,
with its `problem`: it is reported, and never sent credentials.
"""

from __future__ import annotations

from collections.abc import Mapping

from weaklink.adapters import AdapterManifest
from weaklink.live.contract import Discovered
from weaklink.model import IdentifierKind, normalize_identifier

from .errors import RequestFailed
from .identity import GEN1_PREFIXES, NotAShelly, id_problem, read_identity

MANIFEST = AdapterManifest.of_package(__package__)  # the adapter's own, read once

SHELLY_SERVICE = "_shelly._tcp.local."
HTTP_SERVICE = "_http._tcp.local."
DEFAULT_PORT = 80

# A Gen1 hostname prefix names its model when only one model uses it.
_GEN1_MODELS = {prefix: model for model, prefix in GEN1_PREFIXES.items()
                if list(GEN1_PREFIXES.values()).count(prefix) == 1}


def _instance(service_type: str, name: str) -> str:
    """`shelly1-AABBCC` of `shelly1-AABBCC._http._tcp.local.`."""
    suffix = "." + service_type
    return name[: -len(suffix)] if name.endswith(suffix) else name.split(".")[0]


def identify_record(service_type: str, name: str, address: str, port: int,
                    properties: Mapping[str, str]) -> Discovered | None:
    """The Shelly an mDNS record announces, None when the record is not a Shelly's."""
    instance = _instance(service_type, name)
    if service_type != SHELLY_SERVICE and not instance.lower().startswith("shelly"):
        return None
    generation, problem = _generation(service_type, properties)
    problem = problem or id_problem(instance, generation)
    txt_id = properties.get("id")
    if problem is None and generation == 1 and txt_id and txt_id.lower() != instance.lower():
        problem = f"its TXT id {txt_id!r} is not its name {instance!r}"
    identifiers = {"device_id": instance}
    if problem is None and generation > 1:
        identifiers["mac"] = normalize_identifier(IdentifierKind.MAC, instance.rpartition("-")[2])
    model = properties.get("app") if generation > 1 else _GEN1_MODELS.get(instance.rpartition("-")[0].lower())
    return Discovered(adapter="shelly", brand="Shelly", name=instance, address=address, port=port or None,
                      model=model or None, identifiers=identifiers, via=service_type, operations=MANIFEST.host_operations,
                      problem=f"{problem}: not trusted, no credentials will be sent to it" if problem else None)


def _generation(service_type: str, properties: Mapping[str, str]) -> tuple[int, str | None]:
    """The generation a record announces (TXT `gen`; none: Gen1, or Gen2 for `_shelly._tcp`), and any problem."""
    text = properties.get("gen")
    if not text:
        return (2 if service_type == SHELLY_SERVICE else 1), None
    if text.isdigit() and int(text) >= 2:
        return int(text), None
    return 2, f"its TXT gen {text!r} is no Shelly generation"


async def identify_host(address: str, timeout: float) -> Discovered | None:
    """The Shelly answering `GET /shelly` at `address` (`host` or `host:port`), None when none does."""
    host, _, port_text = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
    if not port_text.isdigit() and port_text:
        return None
    port = int(port_text) if port_text else DEFAULT_PORT
    where = f"{host}:{port}"
    import aiohttp  # the HTTP client loads when a host is asked, not when weaklink starts

    from .http import ShellyHttp

    async with aiohttp.ClientSession() as client:
        try:
            answer = await ShellyHttp(client, f"http://{where}", where, has_password=False).get("/shelly", timeout)
            identity = read_identity(answer.body)
        except (RequestFailed, NotAShelly):
            return None
    return Discovered(adapter="shelly", brand="Shelly", name=identity.device_id, address=host, port=port,
                      model=identity.model, identifiers={"mac": identity.mac_address, "device_id": identity.device_id},
                      via="unicast", operations=MANIFEST.host_operations)

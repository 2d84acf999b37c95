"""The live home file for a virtual home: how weaklink's live side reaches each simulated host.

The simulator's keys, passwords and tokens are throwaway values chosen for it, so they are
written into the file literally; a real home file names environment variables or a secrets
file instead (see `weaklink.live.homefile`).
"""

from __future__ import annotations

from typing import Any

from ..live.contract import HostSpec
from ..live.homefile import LiveHome
from ..live.secrets import Secret
from .home import VirtualHome

_ADAPTER = {"homeassistant": "homeassistant", "hue_bridge": "hue", "shelly": "shelly", "miio": "miio", "kasa": "kasa",
           "tapo": "kasa", "smartthings": "smartthings"}


def live_home_document(home: VirtualHome) -> dict[str, Any]:
    """The YAML document of the live home file for `home` (as started: real addresses and ports)."""
    hosts = []
    for name, host in home.hosts.items():
        spec = home.spec_of(name)
        entry: dict[str, Any] = {"adapter": _ADAPTER[spec.kind], "name": name, "address": host.home_address,
                                 "port": getattr(host, "port", spec.port)}
        credentials, options = _access(spec)
        if credentials:
            entry["credentials"] = credentials
        if options:
            entry["options"] = options
        hosts.append(entry)
    time_zone = next((getattr(s, "time_zone", None) for s in home.spec.hosts if s.kind == "homeassistant"), None)
    return {"name": home.spec.name, **({"time_zone": time_zone} if time_zone else {}), "hosts": hosts}


def live_home(home: VirtualHome) -> LiveHome:
    """The same, already read: what `load_live_home` would return for that file."""
    document = live_home_document(home)
    hosts = [HostSpec(adapter=h["adapter"], name=h["name"], address=h["address"], port=h["port"],
                      credentials={k: Secret(v, "literal") for k, v in h.get("credentials", {}).items()},
                      options=h.get("options", {})) for h in document["hosts"]]
    return LiveHome(name=document["name"], time_zone=document.get("time_zone"), hosts=hosts, source="virtual home")


def _access(spec: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """Credentials and identity options for one simulated host."""
    if spec.kind == "hue_bridge":
        return {"app_key": spec.app_key}, {"bridge_id": spec.bridge_id}
    if spec.kind == "shelly":
        return ({"password": spec.password} if spec.password else {}), {"device_id": spec.device_id}
    if spec.kind == "miio":
        return {"token": spec.token}, {"device_id": spec.device_id}
    if spec.kind == "kasa":  # the legacy protocol has no credentials: identity is all
        return {}, {"device_id": spec.device_id}
    if spec.kind == "tapo":  # KLAP: the TP-Link account the device was set up with
        return {"username": spec.username, "password": spec.password}, {"device_id": spec.device_id}
    if spec.kind == "smartthings":  # a cloud API: the account's token, and where the simulated cloud answers
        return {"token": spec.token}, {"base_url": f"http://{spec.address}:{spec.port}/v1"}
    return {"token": spec.token}, {"uuid": spec.uuid}

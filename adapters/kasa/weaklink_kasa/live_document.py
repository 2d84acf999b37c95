"""What a live session reads of a legacy Kasa device, as one python-kasa fixture document.

A snapshot and a dump are the same reading: `get_sysinfo` (the identity, checked first),
then one request for the modules the offline reader maps, as `dump_devinfo` asks them
(energy meters, dimmer, bulb, motion and light sensors), each answer kept as the device gave
it: `{"get_realtime": {…}}`, or the module's refusal `{"err_code": -1, "err_msg": …}`. The
snapshot is then what the offline reader makes of that document, so a device read live and
read from its dump gets the same ids, capabilities and states.

A legacy device's answers do not say where it is. The document records it the way newer
python-kasa dumps do, in `discovery_result` (`ip`, and `mgt_encrypt_schm.encrypt_type`
`XOR`, the legacy protocol), so that the dump gives the device's address as the snapshot does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.model import HomeFragment

from .errors import RequestFailed
from .iot import iot_fragment

SYSINFO_REQUEST: dict[str, Any] = {"system": {"get_sysinfo": {}}}
# What dump_devinfo asks a legacy device beside get_sysinfo, as far as the offline reader maps it.
MODULE_REQUEST: dict[str, Any] = {
    "emeter": {"get_realtime": {}},
    "smartlife.iot.common.emeter": {"get_realtime": {}},
    "smartlife.iot.dimmer": {"get_dimmer_parameters": {}},
    "smartlife.iot.smartbulb.lightingservice": {"get_light_state": {}},
    "smartlife.iot.PIR": {"get_config": {}},
    "smartlife.iot.LAS": {"get_config": {}, "get_current_brt": {}},
}


def document_of(sysinfo: dict[str, Any], modules: dict[str, Any], *, address: str, port: int) -> dict[str, Any]:
    """The fixture document: the modules' answers as given, `system.get_sysinfo`, and where it answered."""
    document: dict[str, Any] = {module: answer for module, answer in modules.items()
                                if module in MODULE_REQUEST and isinstance(answer, dict)}
    document["system"] = {"get_sysinfo": sysinfo}
    kind = sysinfo.get("mic_type") or sysinfo.get("type")
    document["discovery_result"] = {"error_code": 0, "result": {
        "device_id": sysinfo.get("deviceId"), "device_model": sysinfo.get("model"), "device_type": kind,
        "ip": address, "mac": sysinfo.get("mac") or sysinfo.get("mic_mac"),
        "mgt_encrypt_schm": {"encrypt_type": "XOR", "http_port": port, "is_support_https": False},
    }}
    return document


def fragment_of(document: dict[str, Any], where: str) -> HomeFragment:
    """The offline reader's fragment of a live document; RequestFailed (device, malformed) naming
    the answer's field when a field it reads has the wrong type."""
    try:
        return iot_fragment(document, Path(where), source=f"kasa://{where}")
    except ExportError as error:
        raise RequestFailed("device", "malformed", f"{where} answered {error.field or 'a request'} with something "
                            f"the adapter cannot read: {error.message}") from None

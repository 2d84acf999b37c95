"""The WLED adapter: recognises a saved `GET /json` answer by its content and maps the controller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaklink.adapters import AdapterManifest
from weaklink.exports import read_json, sniff_json, validated
from weaklink.model import Capability, CapabilityKind, Device, HomeFragment, Identifier, IdentifierKind, Transport

from .export import Info, State, WledAnswer


def _is_answer(document: Any) -> bool:
    # `info.brand` is "WLED" on every release since 0.10; older ones are told by `info.leds` beside `state.seg`
    if not isinstance(document, dict):
        return False
    info, state = document.get("info"), document.get("state")
    if not isinstance(info, dict) or not isinstance(state, dict):
        return False
    return info.get("brand") == "WLED" or (isinstance(info.get("leds"), dict) and "seg" in state)


class WLEDAdapter:
    """Reads WLED controllers' saved `/json` answers offline."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def detect(self, path: Path) -> bool:
        """Whether `path` is a WLED `/json` answer, whatever its name (never raises)."""
        return _is_answer(sniff_json(path))

    def load(self, path: Path) -> HomeFragment:
        """The controller and its light; ExportError naming the file and field when it cannot be read."""
        answer = validated(WledAnswer, read_json(path), path)
        device = self._device(answer.info)
        return HomeFragment(source=str(path), platform=self.manifest.name, devices=[device],
                            capabilities=self._lights(device, answer.state, answer.info))

    def open_history(self, path: Path) -> None:
        """An answer is a moment, not a history."""
        return None

    def _device(self, info: Info) -> Device:
        mac = info.mac.lower()
        model = " ".join(part for part in (info.product, info.arch) if part) or None  # "FOSS esp32"
        return Device(id=f"wled:{mac}", name=info.name, brand=info.brand, model=model, sw_version=info.ver,
                      transport=Transport.WIFI, host=info.ip, identifiers=[Identifier(kind=IdentifierKind.MAC, value=mac)])

    def _lights(self, device: Device, state: State, info: Info) -> list[Capability]:
        """The strip as one light, and each named segment as a light of its own (users name the
        segments an automation drives: "porch", "eaves")."""
        attributes: dict[str, object] = {"brightness": state.bri, "leds": info.leds.count}
        if info.leds.pwr is not None and info.leds.maxpwr:
            attributes["power_share"] = round(info.leds.pwr / info.leds.maxpwr, 3)  # near 1: the supply limits it
        lights = [Capability(id=f"{device.id}/main", kind=CapabilityKind.LIGHT, name=device.name, device_id=device.id,
                             platform=self.manifest.name, state="on" if state.on else "off", attributes=attributes)]
        for index, segment in enumerate(state.seg):
            if not segment.n:
                continue
            on = state.on and segment.on is not False
            lights.append(Capability(id=f"{device.id}/segment/{segment.id if segment.id is not None else index}",
                                     kind=CapabilityKind.LIGHT, name=segment.n, device_id=device.id,
                                     platform=self.manifest.name, state="on" if on else "off",
                                     attributes={"leds": max(segment.stop - segment.start, 0)}))
        return lights

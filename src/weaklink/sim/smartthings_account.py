"""The simulated SmartThings account's devices: their descriptions, as `GET /v1/devices` gives them,
and what each last reported.

A description has the fields of the adapter's fixtures: the common ones (`deviceId`, `name`,
`label`, `locationId`, `ownerId`, `components` with their capabilities and categories,
`profile`, `type`…), then the block of its integration type: `zigbee` (EUI, network id, the
hub), `zwave` (node id, security level), `lan` (a MAC as network id), `matter` (a unique id),
`viper` (the partner's id, model and firmware, its cloud connector), or for the hub `hub` with
its `hubData` (a Z-Wave DSK and a TLS certificate among it: secrets a dump must redact). Ids,
addresses and MACs derive from the account's and the devices' names, so they are the same at
every start.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .smartthings_profiles import PROFILES, RADIO_TYPES

HUB_FIRMWARE = "000.055.00019"
DRIVER_VERSION = "2025-01-13T18:55:57.509807915"
CHANNEL = "15ea8adc-0000-4ea6-8b51-000000000001"


def digest(*parts: str) -> str:
    """64 hex digits derived from `parts`."""
    return hashlib.sha256(":".join(("weaklink-sim", "smartthings", *parts)).encode()).hexdigest()


def stable_uuid(*parts: str) -> str:
    """A stable UUID-shaped id derived from `parts` (version 4 layout, as SmartThings ids are)."""
    return str(uuid.UUID(hex=digest(*parts)[:32], version=4))


def now_text() -> str:
    """Now, as the API writes times: ISO 8601 in UTC with milliseconds and a `Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Attribute:
    """One attribute's last report."""

    value: Any
    unit: str | None = None
    timestamp: str | None = None

    def answer(self) -> dict[str, Any]:
        """As the status answer writes it (`{"value": null}` for one never reported)."""
        if self.value is None and self.timestamp is None:
            return {"value": None}
        found: dict[str, Any] = {"value": self.value}
        if self.unit is not None:
            found["unit"] = self.unit
        if self.timestamp is not None:
            found["timestamp"] = self.timestamp
        return found


@dataclass
class SimDevice:
    """A device of the account: its description and what it last reported."""

    id: str
    label: str
    description: dict[str, Any]
    capabilities: tuple[str, ...]
    attributes: dict[tuple[str, str], Attribute]
    behind_hub: bool
    is_hub: bool = False
    load_watts: float = 0.0
    health: str = "ONLINE"
    health_since: str = field(default_factory=now_text)

    def status(self) -> dict[str, dict[str, Any]]:
        """The main component's status: capability → attribute → its report."""
        found: dict[str, dict[str, Any]] = {capability: {} for capability in self.capabilities}
        for (capability, attribute), reading in self.attributes.items():
            found.setdefault(capability, {})[attribute] = reading.answer()
        return found

    def set(self, capability: str, attribute: str, value: Any) -> None:
        """A new report of one attribute, now."""
        old = self.attributes.get((capability, attribute))
        self.attributes[(capability, attribute)] = Attribute(value, old.unit if old else None, now_text())
        self.settle()

    def settle(self) -> None:
        """What follows from a switch: a plug's meter reads its load."""
        switch = self.attributes.get(("switch", "switch"))
        meter = self.attributes.get(("powerMeter", "power"))
        if switch is not None and meter is not None:
            watts = self.load_watts if switch.value == "on" else 0.0
            if meter.value != watts:
                self.attributes[("powerMeter", "power")] = Attribute(watts, "W", now_text())


@dataclass(frozen=True)
class Account:
    """Who the devices belong to: the account's name (what ids derive from) and its hub's id."""

    name: str
    hub_id: str | None

    @property
    def location_id(self) -> str:
        """The location (the home) every device is in."""
        return stable_uuid(self.name, "location")

    @property
    def owner_id(self) -> str:
        """The Samsung account that owns them."""
        return stable_uuid(self.name, "owner")

    def _base(self, device_id: str, label: str, name: str, category: str, capabilities: tuple[str, ...],
              profile: str, created: str) -> dict[str, Any]:
        return {
            "deviceId": device_id, "name": name, "label": label, "manufacturerName": "SmartThingsCommunity",
            "presentationId": stable_uuid(self.name, "presentation", name), "locationId": self.location_id,
            "ownerId": self.owner_id,
            "components": [{"id": "main", "label": "main",
                            "capabilities": [{"id": capability, "version": 1} for capability in capabilities],
                            "categories": [{"name": category, "categoryType": "manufacturer"}], "optional": False}],
            "createTime": created, "profile": {"id": stable_uuid(self.name, "profile", profile)},
        }

    def hub(self, label: str, drivers: list[str]) -> SimDevice:
        """The hub (a SmartThings v3 hub), running a driver for each integration type in `drivers`."""
        assert self.hub_id is not None
        digits = digest(self.name, "hub")
        eui = ("D052A8" + digits[:10]).upper()
        dsk = "-".join(f"{int(digits[i:i + 4], 16):05d}" for i in range(10, 42, 4))
        description = self._base(self.hub_id, label, "SmartThings v3 Hub", "Hub", ("bridge",), "hub",
                                 "2022-03-14T18:02:11.204Z")
        description |= {
            "hub": {
                "hubEui": eui, "firmwareVersion": HUB_FIRMWARE,
                "hubDrivers": [{"driverVersion": DRIVER_VERSION, "driverId": driver_id(kind), "channelId": CHANNEL}
                               for kind in sorted(drivers)],
                "hubData": {
                    "zwaveStaticDsk": dsk, "zwaveS2": True, "hardwareType": "V3_HUB", "hardwareId": "001D",
                    "zigbeeFirmware": "6.7.10", "zigbee3": True, "zigbeeOta": "ENABLED", "otaEnable": "true",
                    "zigbeeUnsecureRejoin": False, "zigbeeRequiresExternalHardware": False,
                    "threadRequiresExternalHardware": True, "zigbeeAvailability": "Available",
                    "zwaveAvailability": "Available", "threadAvailability": "Unavailable",
                    "lanAvailability": "Available", "matterAvailability": "Available",
                    "hedgeTlsCertificate": "-----BEGIN CERTIFICATE-----\nMIIBsimulated" + digits[:40]
                                           + "\n-----END CERTIFICATE-----\n",
                    "zigbeeChannel": "20", "zigbeePanId": digits[42:46].upper(), "zigbeeEui": eui,
                    "zigbeeNodeID": "0000", "zwaveNodeID": "01", "zwaveHomeID": digits[46:54].upper(),
                    "zwaveSucID": "01", "zwaveVersion": "7.18", "zwaveRegion": "EU",
                    "macAddress": ":".join(["28", "6D", "97", *(digits[i:i + 2].upper() for i in (54, 56, 58))]),
                    "localIP": f"192.168.{int(digits[60:62], 16) % 250 + 1}.{int(digits[62:64], 16) % 250 + 2}",
                    "zigbeeRadioFunctional": True, "zwaveRadioFunctional": True, "zigbeeRadioEnabled": True,
                    "zwaveRadioEnabled": True, "zigbeeRadioDetected": True, "zwaveRadioDetected": True,
                },
            },
            "type": "HUB", "restrictionTier": 0, "allowed": None, "executionContext": "LOCAL",
        }
        return SimDevice(self.hub_id, label, description, ("bridge",), {}, behind_hub=False, is_hub=True)

    def device(self, device_id: str, label: str, kind: str, integration_type: str, state: str | None) -> SimDevice:
        """A device of profile `kind` joined through `integration_type`, its main attribute at `state`."""
        profile = PROFILES[kind]
        digits = digest(self.name, "radio", label)
        description = self._base(device_id, label, profile.name, profile.category, profile.capabilities, kind,
                                 "2022-03-14T18:25:40.918Z")
        if integration_type != "VIPER":
            description["deviceManufacturerCode"] = profile.maker
        hub = {"driverId": driver_id(integration_type), "executingLocally": True, "hubId": self.hub_id,
               "provisioningState": "PROVISIONED"}
        if integration_type == "ZIGBEE":
            description["zigbee"] = {"eui": ("286D9700" + digits[:8]).upper(), "networkId": digits[8:12].upper(), **hub}
        elif integration_type == "ZWAVE":
            security = "ZWAVE_S2_ACCESS_CONTROL" if kind == "lock" else "ZWAVE_S2_AUTHENTICATED"
            description["zwave"] = {"networkId": f"{int(digits[12:14], 16) % 200 + 2:02X}", **hub,
                                    "networkSecurityLevel": security}
        elif integration_type == "LAN":
            description["lan"] = {"networkId": ("C4411E" + digits[14:20]).upper(), **hub}
        elif integration_type == "MATTER":
            description["matter"] = {**hub, "uniqueId": digits[20:36].upper(), "vendorId": 4447,
                                     "supportedNetworkInterfaces": ["THREAD"]}
        else:
            description["viper"] = {"uniqueIdentifier": digits[36:48], "manufacturerName": profile.maker,
                                    "modelName": profile.model, "swVersion": profile.firmware,
                                    "hwVersion": profile.model,
                                    "endpointAppId": stable_uuid("endpoint app", profile.maker)}
        description |= {"type": integration_type, "restrictionTier": 0, "allowed": None,
                        "executionContext": "CLOUD" if integration_type == "VIPER" else "LOCAL"}
        stamp = now_text()
        attributes = {key: Attribute(reading.value, reading.unit, stamp if reading.value is not None else None)
                      for key, reading in profile.readings.items()}
        if state is not None:
            attributes[profile.main] = Attribute(state, None, stamp)
        device = SimDevice(device_id, label, description, profile.capabilities, attributes,
                           behind_hub=integration_type in RADIO_TYPES, load_watts=profile.load_watts)
        device.settle()
        return device


def driver_id(integration_type: str) -> str:
    """The Edge driver a hub runs for an integration type (the same id in every account)."""
    return stable_uuid("driver", integration_type)

"""Mapping HA's device, entity and config-entry registries into the weaklink home model.

A device is a `Device` (id = HA's device id), an entity a `Capability` (id = entity id), a
config entry an `Integration` (id = entry id). What HA does not store — how a device
reaches the home, whether it is a hub — is inferred from its connections, identifiers and
the integration that created it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from ipaddress import ip_address
from urllib.parse import urlsplit

from weaklink.model import (
    Area,
    Capability,
    CapabilityKind,
    DeletedCapability,
    Device,
    Identifier,
    IdentifierKind,
    Integration,
    IntegrationHealth,
    Role,
    Transport,
)
from weaklink.redact import redact_text

from .automations import slugify
from .registries import ConfigEntry, DeviceEntry, EntityEntry, Registries

PLATFORM = "homeassistant"

# Integrations whose own device is a radio coordinator or bridge other devices hang off.
BRIDGE_DOMAINS = frozenset(
    {"hue", "zha", "deconz", "zwave_js", "zigbee2mqtt", "tradfri", "lutron_caseta", "homekit_controller",
     "matter", "otbr", "thread", "smartthings", "hubitat", "aqara", "xiaomi_aqara", "nuki", "somfy_mylink",
     "bond", "insteon", "tellduslive", "rfxtrx", "velux", "powerview", "hunterdouglas_powerview"}
)
_HUB_WORDS = re.compile(r"(?i)\b(bridge|hub|gateway|coordinator|controller|stick|dongle|skyconnect|conbee|zbt-1)\b")
# Bridges that are wired to the router (a LAN port and no Wi-Fi of their own).
_WIRED_BRIDGE_MODELS = re.compile(r"(?i)\b(BSB00[12]|hue bridge|smart bridge|L-BDG2|conbee|raspbee)\b")

ZIGBEE_DOMAINS = frozenset({"zha", "deconz", "zigbee2mqtt", "tradfri", "xiaomi_aqara"})
ZWAVE_DOMAINS = frozenset({"zwave_js", "zwave", "ozw", "zwave_me"})
RF_DOMAINS = frozenset({"lutron_caseta", "rfxtrx", "somfy_mylink", "insteon", "velux"})
BLE_DOMAINS = frozenset(
    {"bthome", "xiaomi_ble", "govee_ble", "switchbot", "inkbird", "sensorpush", "ibeacon", "yalexs_ble",
     "oralb", "bluemaestro", "thermobeacon", "qingping", "moat", "kegtron", "led_ble", "ld2410_ble",
     "private_ble_device", "idasen_desk", "airthings_ble", "aranet", "mopeka", "sensirion_ble"}
)
# Integrations that reach their devices only through the vendor's cloud (iot_class
# cloud_polling / cloud_push), including the companion app, which pushes through webhooks.
CLOUD_DOMAINS = frozenset(
    {"nice_go", "simplisafe", "ecobee", "ring", "myq", "smartthings", "tuya", "mobile_app", "nest", "google",
     "august", "yale", "yalexs", "blink", "arlo", "wyze", "tesla_fleet", "tessie", "ifttt", "alexa",
     "google_assistant", "cloud", "spotify", "life360", "icloud", "netatmo", "honeywell", "total_connect",
     "tado", "switchbot_cloud", "meross_cloud", "smartthinq_sensors", "miele", "home_connect", "roborock",
     "ecovacs", "abode", "canary", "skybell", "myuplink", "overkiz", "somfy", "motion_blinds"}
)
# Software-only "devices": the sun, weather services, helpers and templates.
VIRTUAL_DOMAINS = frozenset(
    {"sun", "met", "template", "group", "time_date", "workday", "season", "moon", "zone", "person",
     "input_boolean", "input_number", "input_select", "input_text", "input_datetime", "input_button",
     "timer", "counter", "schedule", "derivative", "integration", "statistics", "threshold", "utility_meter",
     "min_max", "trend", "bayesian", "filter", "history_stats", "random", "forecast_solar", "backup",
     "hassio", "homeassistant", "shopping_list", "local_calendar", "local_todo", "radio_browser",
     "google_translate", "met_eireann", "open_meteo", "accuweather", "openweathermap"}
)
_OLD_CLOUD_CLASSES = frozenset({"cloud_poll", "cloud_push"})

_CONNECTION_KINDS = {
    "mac": IdentifierKind.MAC,
    "zigbee": IdentifierKind.ZIGBEE,
    "bluetooth": IdentifierKind.BLUETOOTH,
    "upnp": IdentifierKind.UPNP,
}
_IEEE = re.compile(r"(?i)^(0x)?[0-9a-f]{16}$|^([0-9a-f]{2}[:-]){7}[0-9a-f]{2}(-[0-9a-f]{1,2})?$")
_ZWAVE_NODE = re.compile(r"^\d+-\d+$")
_Z2M = re.compile(r"(?i)^zigbee2mqtt_(0x[0-9a-f]{16})$")

_DOMAIN_KINDS = {
    "light": CapabilityKind.LIGHT,
    "switch": CapabilityKind.SWITCH,
    "lock": CapabilityKind.LOCK,
    "cover": CapabilityKind.COVER,
    "alarm_control_panel": CapabilityKind.ALARM,
    "valve": CapabilityKind.VALVE,
    "climate": CapabilityKind.CLIMATE,
    "water_heater": CapabilityKind.CLIMATE,
    "humidifier": CapabilityKind.CLIMATE,
    "fan": CapabilityKind.FAN,
    "siren": CapabilityKind.SIREN,
    "camera": CapabilityKind.CAMERA,
    "media_player": CapabilityKind.MEDIA,
    "person": CapabilityKind.PRESENCE,
    "device_tracker": CapabilityKind.PRESENCE,
    "button": CapabilityKind.BUTTON,
    "input_button": CapabilityKind.BUTTON,
    "automation": CapabilityKind.AUTOMATION,
    "script": CapabilityKind.SCRIPT,
    "scene": CapabilityKind.SCENE,
    "notify": CapabilityKind.NOTIFY,
    "timer": CapabilityKind.HELPER,
    "counter": CapabilityKind.HELPER,
    "schedule": CapabilityKind.HELPER,
    "sensor": CapabilityKind.SENSOR,
    "weather": CapabilityKind.SENSOR,
}
_BINARY_SENSOR_KINDS = {
    "motion": CapabilityKind.MOTION,
    "occupancy": CapabilityKind.MOTION,
    "presence": CapabilityKind.PRESENCE,
    "door": CapabilityKind.CONTACT,
    "window": CapabilityKind.CONTACT,
    "opening": CapabilityKind.CONTACT,
    "garage_door": CapabilityKind.CONTACT,
    "moisture": CapabilityKind.MOISTURE,
    "smoke": CapabilityKind.SMOKE,
    "gas": CapabilityKind.SMOKE,
    "co": CapabilityKind.SMOKE,
}


def capability_kind(domain: str, device_class: str | None) -> CapabilityKind:
    """The normalized kind of an entity of `domain` with `device_class`."""
    if domain == "binary_sensor":
        return _BINARY_SENSOR_KINDS.get(device_class or "", CapabilityKind.BINARY_SENSOR)
    if domain == "event":
        return CapabilityKind.BUTTON if device_class in ("doorbell", "button") else CapabilityKind.EVENT
    if domain.startswith("input_"):
        return CapabilityKind.BUTTON if domain == "input_button" else CapabilityKind.HELPER
    return _DOMAIN_KINDS.get(domain, CapabilityKind.OTHER)


def identifiers_of(device: DeviceEntry) -> list[Identifier]:
    """The stable identifiers HA knows a device by, as weaklink identifiers."""
    found: dict[tuple[IdentifierKind, str], Identifier] = {}

    def add(kind: IdentifierKind, value: str) -> None:
        if value:
            identifier = Identifier(kind=kind, value=value)
            found.setdefault((identifier.kind, identifier.value), identifier)

    for connection in device.connections:
        kind = _CONNECTION_KINDS.get(connection[0])
        if kind is not None:
            add(kind, connection[1])
    for identifier in device.identifiers:
        domain, value = identifier[0], ":".join(identifier[1:])
        if domain == "zha" or (domain == "deconz" and _IEEE.match(value)):
            add(IdentifierKind.ZIGBEE, value)
        elif domain == "zwave_js" and _ZWAVE_NODE.match(value):
            add(IdentifierKind.ZWAVE, value)
        elif domain == "mqtt" and (z2m := _Z2M.match(value)):
            add(IdentifierKind.ZIGBEE, z2m.group(1))
        elif domain in ("bluetooth", "mac"):
            add(IdentifierKind.BLUETOOTH if domain == "bluetooth" else IdentifierKind.MAC, value)
        else:
            add(IdentifierKind.VENDOR, f"{domain}:{value}")
    if device.serial_number:
        add(IdentifierKind.SERIAL, device.serial_number)
    return list(found.values())


def _domains(device: DeviceEntry, entries: dict[str, ConfigEntry]) -> list[str]:
    """The integrations that created the device, primary first, then its identifier namespaces."""
    domains = [entries[entry_id].domain for entry_id in device.entry_ids if entry_id in entries]
    domains += [identifier[0] for identifier in device.identifiers]
    return list(dict.fromkeys(domains))


def _looks_like_hub(device: DeviceEntry) -> bool:
    return any(_HUB_WORDS.search(text or "") for text in (device.model, device.name, device.model_id))


def device_role(device: DeviceEntry, domains: list[str], is_via_target: bool) -> Role:
    """Whether the device is a hub, a phone, a software service or a plain device."""
    if device.entry_type == "service":
        return Role.SERVICE
    if is_via_target:
        return Role.HUB
    if "mobile_app" in domains:
        return Role.PHONE
    if device.via_device_id is None and domains and domains[0] in BRIDGE_DOMAINS and _looks_like_hub(device):
        return Role.HUB
    return Role.DEVICE


def device_transport(
    device: DeviceEntry, domains: list[str], identifiers: Iterable[Identifier], entries: list[ConfigEntry]
) -> Transport:
    """How the device reaches whatever controls it, inferred from what HA stored."""
    kinds = {identifier.kind for identifier in identifiers}
    domain = domains[0] if domains else ""
    connection_kinds = {connection[0] for connection in device.connections}
    behind_hub = device.via_device_id is not None
    zigbee = IdentifierKind.ZIGBEE in kinds or domain in ZIGBEE_DOMAINS or (domain == "hue" and behind_hub)
    if zigbee and not (domain == "hue" and not behind_hub):  # a Hue bridge itself is on the LAN
        return Transport.ZIGBEE
    if domain in ZWAVE_DOMAINS or IdentifierKind.ZWAVE in kinds:
        return Transport.ZWAVE
    if domain in VIRTUAL_DOMAINS:
        return Transport.VIRTUAL
    if domain in CLOUD_DOMAINS or any(entry.connection_class in _OLD_CLOUD_CLASSES for entry in entries):
        return Transport.CLOUD
    if domain in RF_DOMAINS and behind_hub:
        return Transport.RF
    if domain in BLE_DOMAINS or (connection_kinds == {"bluetooth"}):
        return Transport.BLE
    if "mac" in connection_kinds and not behind_hub:
        wired = any(_WIRED_BRIDGE_MODELS.search(text or "") for text in (device.model, device.model_id, device.name))
        return Transport.ETHERNET if wired else Transport.WIFI
    if device.entry_type == "service":
        return Transport.VIRTUAL
    return Transport.UNKNOWN


def _host(url: str | None) -> str | None:
    """The local address a device's configuration page lives on (never credentials, never a website)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        address = ip_address(host)
    except ValueError:
        return host if host.endswith((".local", ".lan", ".home.arpa")) or "." not in host else None
    return host if address.is_private or address.is_link_local else None


def map_devices(registries: Registries) -> list[Device]:
    """Every device of the device registry as a weaklink Device."""
    entries = {entry.entry_id: entry for entry in registries.config_entries.entries}
    areas = {area.id: area.name for area in registries.areas.areas}
    known = {device.id for device in registries.devices.devices}
    via_targets = {device.via_device_id for device in registries.devices.devices if device.via_device_id}
    devices = []
    for device in registries.devices.devices:
        domains = _domains(device, entries)
        identifiers = identifiers_of(device)
        own_entries = [entries[entry_id] for entry_id in device.entry_ids if entry_id in entries]
        devices.append(
            Device(
                id=device.id,
                name=device.name_by_user or device.name or " ".join(filter(None, [device.manufacturer, device.model])) or device.id,
                brand=device.manufacturer,
                model=device.model,
                area=areas.get(device.area_id, device.area_id) if device.area_id else None,
                role=device_role(device, domains, device.id in via_targets),
                transport=device_transport(device, domains, identifiers, own_entries),
                identifiers=identifiers,
                # ZHA registers its coordinator via itself (every ZHA device, the coordinator
                # included, names the coordinator as its via_device): never its own hub.
                hub_id=device.via_device_id if device.via_device_id in known and device.via_device_id != device.id else None,
                host=_host(device.configuration_url),
                integration_ids=device.entry_ids,
                sw_version=device.sw_version,
                disabled=device.disabled_by is not None,
            )
        )
    return devices


def _entity_name(entity: EntityEntry, device_names: dict[str, str]) -> str | None:
    if entity.name:
        return entity.name
    if entity.has_entity_name and entity.device_id in device_names:
        device_name = device_names[entity.device_id]
        return f"{device_name} {entity.original_name}" if entity.original_name else device_name
    return entity.original_name


def map_capabilities(registries: Registries) -> list[Capability]:
    """Every entity of the entity registry (and every stored person) as a Capability."""
    device_names = {d.id: d.name_by_user or d.name or d.id for d in registries.devices.devices}
    persons = {person.id: person for person in registries.persons.items}
    capabilities = []
    for entity in registries.entities.entities:
        device_class = entity.device_class or entity.original_device_class
        attributes: dict[str, object] = {}
        if entity.entity_category:
            attributes["entity_category"] = entity.entity_category
        if entity.unit_of_measurement:
            attributes["unit_of_measurement"] = entity.unit_of_measurement
        if entity.hidden_by:
            attributes["hidden"] = True
        name = _entity_name(entity, device_names)
        if entity.platform == "person" and entity.unique_id in persons:
            person = persons.pop(entity.unique_id)
            attributes["device_trackers"] = list(person.device_trackers)
            name = name or person.name
        capabilities.append(
            Capability(
                id=entity.entity_id,
                kind=capability_kind(entity.domain, device_class),
                name=name,
                device_id=entity.device_id,
                integration_id=entity.config_entry_id,
                platform=entity.platform,
                device_class=device_class,
                unique_id=entity.unique_id,
                disabled=entity.disabled_by is not None,
                attributes=attributes,
            )
        )
    taken = {capability.id for capability in capabilities}
    for person in persons.values():  # persons HA has not registered yet
        entity_id = f"person.{slugify(person.name)}"
        if entity_id not in taken:
            capabilities.append(
                Capability(
                    id=entity_id,
                    kind=CapabilityKind.PRESENCE,
                    name=person.name,
                    platform="person",
                    unique_id=person.id,
                    attributes={"device_trackers": list(person.device_trackers)},
                )
            )
    return capabilities


def map_deleted(registries: Registries) -> list[DeletedCapability]:
    """The entities HA remembers having deleted."""
    return [
        DeletedCapability(
            id=entity.entity_id,
            unique_id=entity.unique_id,
            platform=entity.platform,
            integration_id=entity.config_entry_id,
        )
        for entity in registries.entities.deleted_entities
    ]


def map_areas(registries: Registries) -> list[Area]:
    """The home's areas."""
    return [Area(id=area.id, name=area.name) for area in registries.areas.areas]


def map_integrations(registries: Registries) -> list[Integration]:
    """Every config entry as an Integration; HA does not persist whether it loaded."""
    integrations = []
    for entry in registries.config_entries.entries:
        health = IntegrationHealth.UNKNOWN
        detail = None
        if entry.disabled_by:
            health = IntegrationHealth.DISABLED
            detail = f"disabled by {entry.disabled_by}"
        elif entry.source == "ignore":
            health = IntegrationHealth.NOT_LOADED
            detail = "discovered, then ignored by the user"
        integrations.append(
            Integration(
                id=entry.entry_id,
                platform=PLATFORM,
                domain=entry.domain,
                # cloud integrations title their entry with the account's e-mail address
                title=redact_text(entry.title) if entry.title else entry.title,
                health=health,
                disabled_by=entry.disabled_by,
                detail=detail,
            )
        )
    return integrations

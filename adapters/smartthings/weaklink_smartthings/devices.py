"""A SmartThings device as a weaklink device: how it is reached, what identifies it, who made it.

`type` says how a device reaches SmartThings: a Zigbee or Z-Wave radio or a LAN driver on a
hub (`zigbee`/`zwave`/`lan`/`matter` blocks name the hub), a partner's cloud (VIPER), a
direct Wi-Fi link to the SmartThings cloud (OCF: Samsung appliances and TVs), Bluetooth
(BLE_D2D: SmartTags). The hub is itself a device (`type` HUB), whose id is the `hubId` the
devices behind it give. What the API does not say is left unknown rather than guessed: a LAN
device may be on Wi-Fi or Ethernet, a Matter device on Thread or Wi-Fi.
"""

from __future__ import annotations

import re

from weaklink.model import Device, Identifier, IdentifierKind, Integration, Role, Transport

from .naming import PLATFORM, device_id
from .schema import Device as StDevice
from .schema import HubDetails, RadioDetails

BRAND = "Samsung SmartThings"

_TYPE_TRANSPORTS = {
    "ZIGBEE": Transport.ZIGBEE,
    "ZWAVE": Transport.ZWAVE,
    "VIPER": Transport.CLOUD,  # cloud-to-cloud: the partner's cloud talks to SmartThings'
    "ENDPOINT_APP": Transport.CLOUD,  # a device a SmartApp keeps in the cloud
    "BLE": Transport.BLE,
    "BLE_D2D": Transport.BLE,
    "VIRTUAL": Transport.VIRTUAL,
    "GROUP": Transport.VIRTUAL,
}
_NETWORK_TRANSPORTS = {"ZIGBEE": Transport.ZIGBEE, "ZWAVE": Transport.ZWAVE}  # a legacy DTH's deviceNetworkType
_HEX = re.compile(r"[^0-9a-f]")
_ZWAVE_CODE = re.compile(r"^[0-9A-Fa-f]{4}(-[0-9A-Fa-f]{4}){2}$")  # Z-Wave manufacturer-product-model, not a name
_NOT_A_MAKER = re.compile(r"^(SmartThings(Community)?|[0-9A-Za-z]{4})$")  # a profile namespace or an MNID
# Hubs built into a Samsung appliance, TV or monitor reach the network over Wi-Fi.
_WIFI_HUBS = re.compile(r"SAMSUNG|TV|MONITOR|WIFI|WI-FI|STATION", re.IGNORECASE)


def integration_id(device: StDevice) -> str | None:
    """The id of the cloud-to-cloud connector a VIPER device comes through, if it names one."""
    connector = device.viper.endpointAppId if device.viper else None
    return f"{PLATFORM}:{connector}" if connector else None


def map_integration(device: StDevice) -> Integration | None:
    """The cloud-to-cloud connector of a VIPER device, as an integration (its health unknown)."""
    identifier = integration_id(device)
    if identifier is None or device.viper is None:
        return None
    maker = device.viper.manufacturerName or "partner"
    return Integration(id=identifier, platform=PLATFORM, domain=device.viper.endpointAppId or "",
                       title=f"{maker} (cloud-to-cloud)")


def map_device(device: StDevice, known: dict[str, StDevice]) -> Device:
    """The weaklink device for `device`; `known` holds the devices its home describes, by id
    (its hub or parent, when described, tells what the device alone does not)."""
    hub = hub_reference(device, known)
    hub_block = device.hub
    return Device(
        id=device_id(device.deviceId),
        name=device.label or device.name or device.deviceId,
        brand=_brand(device),
        model=_model(device),
        role=_role(device),
        transport=transport(device, known),
        identifiers=identifiers(device, known),
        hub_id=device_id(hub) if hub else None,
        host=hub_block.hubData.localIP if hub_block and hub_block.hubData else None,
        integration_ids=[i for i in [integration_id(device)] if i],
        sw_version=_sw_version(device),
    )


def placeholder_hub(native_id: str) -> Device:
    """A hub that devices name but no document of theirs describes: enough for the graph to
    hang them off it (and to merge it with the hub's own description, by its SmartThings id)."""
    return Device(
        id=device_id(native_id),
        name=f"SmartThings hub {native_id[:8]}",
        role=Role.HUB,
        identifiers=[Identifier(kind=IdentifierKind.VENDOR, value=device_id(native_id))],
    )


def _radio_blocks(device: StDevice) -> list[RadioDetails]:
    return [b for b in (device.zigbee, device.zwave, device.lan, device.matter, device.dth, device.virtual) if b]


def radio_hub(device: StDevice) -> str | None:
    """The hub the device's radio or LAN driver runs on, as its detail blocks name it."""
    hub = next((block.hubId for block in _radio_blocks(device) if block.hubId), None)
    return hub if hub != device.deviceId else None


def hub_reference(device: StDevice, known: dict[str, StDevice]) -> str | None:
    """The native id of the device this one reaches the home through: its parent when the home
    describes the parent (a child endpoint, an IR remote), else the hub it runs on."""
    parent = device.parentDeviceId or next((b.parentDeviceId for b in (device.ir, device.irOcf) if b), None)
    hub = radio_hub(device)
    if parent and parent != device.deviceId and (parent in known or hub is None):
        return parent
    return hub


def _role(device: StDevice) -> Role:
    if device.integration_type == "HUB" or device.hub is not None or "bridge" in device.capability_ids():
        return Role.HUB
    if device.integration_type == "MOBILE":
        return Role.PHONE
    return Role.DEVICE


def transport(device: StDevice, known: dict[str, StDevice]) -> Transport:
    """How the device reaches SmartThings; UNKNOWN where the API does not say."""
    kind = device.integration_type
    if kind in _TYPE_TRANSPORTS:
        return _TYPE_TRANSPORTS[kind]
    if kind == "HUB" or device.hub is not None:
        return _hub_transport(device.hub)
    if kind == "DTH":
        network = (device.dth.deviceNetworkType if device.dth else None) or device.deviceNetworkType
        return _NETWORK_TRANSPORTS.get((network or "").upper(), Transport.UNKNOWN)
    if kind == "OCF":
        # A directly connected appliance configures its own Wi-Fi; a TV may as well be wired.
        return Transport.WIFI if "sec.wifiConfiguration" in device.capability_ids() else Transport.UNKNOWN
    if kind == "EDGE_CHILD" and device.parentDeviceId in known:
        parent = known[device.parentDeviceId or ""]
        return transport(parent, {}) if parent.deviceId != device.deviceId else Transport.UNKNOWN
    if not kind:  # an older answer without `type`: its detail block tells
        if device.zigbee:
            return Transport.ZIGBEE
        if device.zwave:
            return Transport.ZWAVE
    return Transport.UNKNOWN


def _hub_transport(hub: HubDetails | None) -> Transport:
    data = hub.hubData if hub else None
    if data is None or not (data.localIP or data.macAddress):
        return Transport.UNKNOWN
    return Transport.WIFI if _WIFI_HUBS.search(data.hardwareType or "") else Transport.ETHERNET


def _hex(value: str | None, length: int) -> str | None:
    """The value's hex digits when it is `length` of them and not all zero (a radio not fitted)."""
    digits = _HEX.sub("", (value or "").lower())
    return digits if len(digits) == length and digits.strip("0") else None


def identifiers(device: StDevice, known: dict[str, StDevice]) -> list[Identifier]:
    """Every hardware id the device's description gives, then its SmartThings id."""
    found: list[Identifier] = []

    def add(kind: IdentifierKind, value: str | None) -> None:
        if value:
            identifier = Identifier(kind=kind, value=value)
            if identifier not in found:
                found.append(identifier)

    if device.zigbee:
        add(IdentifierKind.ZIGBEE, _hex(device.zigbee.eui, 16))
    if device.hub:
        add(IdentifierKind.ZIGBEE, _hex(device.hub.hubEui, 16))  # a hub's EUI is its Zigbee radio's IEEE address
        add(IdentifierKind.MAC, _hex(device.hub.hubEui, 12))  # … or, on some hubs, a MAC
        if device.hub.hubData:
            add(IdentifierKind.MAC, _hex(device.hub.hubData.macAddress, 12))
            add(IdentifierKind.ZIGBEE, _hex(device.hub.hubData.zigbeeEui, 16))
    if device.lan:
        add(IdentifierKind.MAC, _hex(device.lan.networkId, 12))  # LAN drivers name a device by its MAC
    add(IdentifierKind.ZWAVE, _zwave_node(device, known))
    if device.matter and device.matter.uniqueId:
        add(IdentifierKind.VENDOR, f"matter:{device.matter.uniqueId}")
    if device.viper and device.viper.uniqueIdentifier:
        add(IdentifierKind.VENDOR, f"viper:{device.viper.uniqueIdentifier}")
    add(IdentifierKind.VENDOR, device_id(device.deviceId))
    return found


def _zwave_node(device: StDevice, known: dict[str, StDevice]) -> str | None:
    """`<home id>-<node id>` in decimal (as Z-Wave JS writes it), when the device's hub is
    described, with its Z-Wave home id; the node id is the hex networkId."""
    block = device.zwave or (device.dth if device.dth and (device.dth.deviceNetworkType or "").upper() == "ZWAVE"
                             else None)
    hub = known.get(block.hubId or "") if block else None
    data = hub.hub.hubData if hub and hub.hub else None
    home = _hex(data.zwaveHomeID if data else None, 8)
    node = (block.networkId or "").strip() if block else ""
    if home is None or not re.fullmatch(r"[0-9A-Fa-f]{1,4}", node) or int(node, 16) == 0:
        return None
    return f"{int(home, 16)}-{int(node, 16)}"


def _brand(device: StDevice) -> str | None:
    makers = [
        device.viper.manufacturerName if device.viper else None,
        device.ocf.manufacturerName if device.ocf else None,
        None if _ZWAVE_CODE.match(device.deviceManufacturerCode or "") else device.deviceManufacturerCode,
        None if _NOT_A_MAKER.match(device.manufacturerName or "") else device.manufacturerName,
    ]
    maker = next((m for m in makers if m), None)
    return maker or (BRAND if _role(device) is Role.HUB else None)


def _model(device: StDevice) -> str | None:
    models = [
        device.viper.modelName if device.viper else None,
        (device.ocf.modelNumber or "").split("|")[0] if device.ocf else None,
        device.hub.hubData.hardwareType if device.hub and device.hub.hubData else None,
        device.name,
        device.deviceTypeName,
    ]
    return next((m for m in models if m), None)


def _sw_version(device: StDevice) -> str | None:
    versions = [
        device.viper.swVersion if device.viper else None,
        device.ocf.firmwareVersion if device.ocf else None,
        device.hub.firmwareVersion if device.hub else None,
    ]
    return next((v for v in versions if v), None)

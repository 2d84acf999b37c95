"""Who a legacy Kasa device is: its `deviceId` and MAC, from its `system.get_sysinfo` answer.

The legacy protocol has no credentials: anyone on the network may switch any device. So the
identity check is what keeps weaklink from switching the wrong one, after an address moved
to another device: a home file names the device it means (`options: {device_id: …}` and/or
`{mac: …}`), and every operation asks the device first and compares.

The device's id is worked out as the offline reader works it out (`naming.native_id`), so a
live session and a dump of the same device give it the same `kasa:<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from weaklink.model import IdentifierKind, normalize_identifier

from .errors import IdentityMismatch, RequestFailed
from .iot_models import SysInfo
from .naming import device_ref, mac_digits, native_id


class NotAKasa(ValueError):
    """The answer is well-formed JSON, but not a Kasa device's get_sysinfo."""


@dataclass(frozen=True)
class Identity:
    """One device's identity, as its get_sysinfo gives it."""

    native_id: str  # what the fragment calls it: its deviceId (or MAC, or a stand-in when masked)
    device_id: str | None  # `deviceId` as the device writes it
    mac: str | None  # 12 hex digits, lower case
    model: str
    alias: str | None
    firmware: str | None

    @property
    def element(self) -> str:
        """The device's id in the home fragment: `kasa:<id>`."""
        return device_ref(self.native_id)

    @property
    def mac_address(self) -> str | None:
        """The MAC in weaklink's canonical spelling (aa:bb:cc:dd:ee:ff)."""
        return normalize_identifier(IdentifierKind.MAC, self.mac) if self.mac else None

    def describe(self) -> str:
        """`Coffee Maker (KP115(US), deviceId 6975…42C4)` for a person."""
        known = self.device_id or self.mac or self.native_id
        short = f"{known[:4]}…{known[-4:]}" if len(known) > 12 else known
        return f"{self.alias or self.model} ({self.model}, {'deviceId' if self.device_id else 'id'} {short})"


def sysinfo_of(body: dict[str, Any], where: str) -> dict[str, Any]:
    """The `system.get_sysinfo` object of an answer; RequestFailed (device) when the device refused
    or answered without one; NotAKasa when the answer is no Kasa device's at all."""
    system = body.get("system")
    if not isinstance(system, dict):
        raise NotAKasa(f"its answer has no `system` module ({', '.join(sorted(body)) or 'empty'})")
    if system.get("err_code", 0) not in (0, None):
        raise RequestFailed("device", "refused", f"{where} refused the system module: {_error(system)}")
    info = system.get("get_sysinfo")
    if not isinstance(info, dict):
        raise NotAKasa("its `system` module holds no get_sysinfo object")
    if info.get("err_code", 0) not in (0, None):
        raise RequestFailed("device", "refused", f"{where} refused get_sysinfo: {_error(info)}")
    return info


def read_identity(info: dict[str, Any], where: str) -> tuple[Identity, SysInfo]:
    """The identity and the parsed sysinfo; RequestFailed (device, malformed) when a field the
    adapter reads has the wrong type; NotAKasa when it names no device (no id, no MAC)."""
    try:
        parsed = SysInfo.model_validate(info)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise RequestFailed("device", "malformed", f"{where} answered get_sysinfo with an unreadable {field}: "
                            f"{first['msg']}") from None
    macs = (parsed.mac, parsed.mic_mac, parsed.ethernet_mac)
    native = native_id(parsed.device_id, macs, parsed.model, parsed.hw_ver, parsed.sw_ver, parsed.device_type)
    if native is None:
        raise NotAKasa("its get_sysinfo names no deviceId and no MAC")
    mac = next((digits for digits in map(mac_digits, macs) if digits), None)
    identity = Identity(native_id=native, device_id=parsed.device_id, mac=mac, model=parsed.model or "unknown",
                        alias=parsed.alias, firmware=parsed.sw_ver)
    return identity, parsed


def mismatch(identity: Identity, expected_id: str | None, expected_mac: str | None) -> str | None:
    """Why `identity` is not the device expected (by deviceId and/or MAC), or None when it is."""
    if expected_id and (identity.device_id or "").upper() != expected_id.upper():
        return f"it answers as {identity.describe()}, not the expected deviceId {expected_id}"
    if expected_mac:
        expected = mac_digits(expected_mac) or expected_mac.lower()
        if expected != identity.mac:
            return f"it answers as {identity.describe()} with MAC {identity.mac_address or 'none'}, not the " \
                   f"expected {normalize_identifier(IdentifierKind.MAC, expected)}"
    return None


def check_expected(identity: Identity, where: str, expected_id: str | None, expected_mac: str | None,
                   known: Identity | None) -> None:
    """IdentityMismatch unless `identity` is the device expected: by the home file's deviceId or MAC,
    else by the identity this session already saw."""
    expected_id = expected_id or (known.device_id if known else None)
    expected_mac = expected_mac or (known.mac if known else None)
    if (reason := mismatch(identity, expected_id, expected_mac)) is not None:
        raise IdentityMismatch(f"{where} is not {expected_id or expected_mac}: {reason}; nothing was switched on it")


def _error(answer: dict[str, Any]) -> str:
    """`err_code -1 (module not support)`."""
    message = answer.get("err_msg")
    return f"err_code {answer.get('err_code')}" + (f" ({message})" if message else "")

"""Pseudonyms for the hardware identifiers of devices outside a broken hop.

A vendor needs the identifiers (MAC, Zigbee IEEE address, serial, IP address) of the
devices in the hop it is asked about, and nothing of the rest of the customer's home. The
others are replaced, however they are spelled, by `device-…` pseudonyms made with a keyed
hash: the same identifier gets the same pseudonym within a bundle, and an unrelated one in
another bundle made with another key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable, Iterator

from ..home import OpenHome
from ..model import Device, IdentifierKind
from ..model.device import normalize_identifier
from .hop import Hop

_HEX_PAIRS = re.compile(r"(?<![0-9A-Fa-f])(?<![0-9A-Fa-f][:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5,7}(?![0-9A-Fa-f])")
_HEX_IEEE = re.compile(r"(?<![0-9A-Za-z])0x([0-9A-Fa-f]{16})(?![0-9A-Za-z])")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = re.compile(rf"(?<![0-9.])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9]|\.[0-9])")
_IP_KEPT = ("127.", "0.0.0.0", "255.")  # loopback, "any", masks: no device's address
# What might be an IPv6 address (checked with `ipaddress` before it is replaced): hex groups and
# colons, possibly ending in an IPv4 address, possibly with a zone ("%wlan0", left as written).
_IPV6_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?"
    r"(?![0-9A-Za-z:]|\.[0-9])")
_HARDWARE = {IdentifierKind.MAC: "mac", IdentifierKind.BLUETOOTH: "mac", IdentifierKind.ZIGBEE: "zigbee",
             IdentifierKind.SERIAL: "serial"}
_MIN_SERIAL = 5  # shorter "serials" ("1", "A2") would replace ordinary words


def _distinctive(spelling: str) -> bool:
    """Whether a bare spelling can be replaced wherever it appears: a short run of digits could
    as well be the fraction of a second in a timestamp."""
    return len(spelling) >= _MIN_SERIAL and (any(c.isalpha() for c in spelling) or len(spelling) >= 10)


def _canonical(kind: str, value: str) -> str:
    """One spelling for every way an identifier of `kind` ("mac", "zigbee" or "serial") is written."""
    if kind == "mac":
        return f"mac:{normalize_identifier(IdentifierKind.MAC, value)}"
    if kind == "zigbee":
        return f"zigbee:{normalize_identifier(IdentifierKind.ZIGBEE, value)}"
    return f"serial:{value.strip().upper()}"


def _eui64(mac: str) -> str:
    """The EUI-64 spelling of a MAC (Hue bridge ids, Zigbee coordinators): ff:fe in the middle."""
    digits = mac.replace(":", "")
    return digits[:6] + "fffe" + digits[6:]


def ipv6(text: str) -> str | None:
    """The one spelling of an IPv6 address that identifies a device, or None (an IPv4-mapped
    address is spelled as the IPv4 address it carries).

    Loopback, the unspecified address and multicast groups (mDNS's ff02::fb) are nobody's
    address; 8 groups of two hex digits are a Zigbee IEEE address written with colons.
    """
    groups = text.split(":")
    if len(groups) == 8 and all(len(group) == 2 for group in groups):
        return None
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    if address.ipv4_mapped is not None:  # ::ffff:192.168.1.20 is the IPv4 address it carries
        mapped = str(address.ipv4_mapped)
        return None if mapped.startswith(_IP_KEPT) else mapped
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        return None
    if sum(1 for group in groups if group) < 2:  # "a::" is more likely a word than an address
        return None
    return address.compressed


def address_identifier(text: str) -> str | None:
    """The canonical `ip:` identifier of a device address written as IPv4 or IPv6, or None."""
    if IPV4.fullmatch(text):
        return f"ip:{text}"
    spelled = ipv6(text.split("%", 1)[0])
    return f"ip:{spelled}" if spelled else None


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
    address = address_identifier(device.host.strip("[]")) if device.host else None
    if address:
        yield address, device.host or ""


class Pseudonyms:
    """Replaces the hardware identifiers of devices outside the broken hop with stable pseudonyms.

    Written with separators (MACs, IEEE addresses) or as IP addresses, any identifier not
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
        """Keep the hop's devices' identifiers (and `extra_kept` IP addresses); replace the rest."""
        graph = home.graph
        hop_devices = list(hop.devices) if hop else []
        accounts = [report.device for device in hop_devices for report in graph.reports_of(device)]
        keep = {canonical for device in [*hop_devices, *accounts] for canonical, _ in _spellings(device)}
        keep |= {canonical for address in extra_kept if (canonical := address_identifier(address))}
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
        """`text` with every identifier outside the hop replaced (IP addresses too, unless told not to)."""

        def pairs(match: re.Match[str]) -> str:
            found = match.group(0)
            groups = (len(found) + 1) // 3
            kind = {6: "mac", 8: "zigbee"}.get(groups)
            return self._swap(_canonical(kind, found), found) if kind else found

        text = _HEX_PAIRS.sub(pairs, text)
        text = _HEX_IEEE.sub(lambda m: self._swap(_canonical("zigbee", m.group(1)), m.group(0)), text)
        if addresses:
            text = _IPV6_CANDIDATE.sub(self._ipv6, text)
            text = IPV4.sub(lambda m: m.group(0) if m.group(0).startswith(_IP_KEPT)
                            else self._swap(f"ip:{m.group(0)}", m.group(0)), text)
        if self.bare_pattern is not None:
            text = self.bare_pattern.sub(lambda m: self.name(self.bare[m.group(0).casefold()]), text)
        return text

    def _ipv6(self, match: re.Match[str]) -> str:
        spelled = ipv6(match.group(0))
        return self._swap(f"ip:{spelled}", match.group(0)) if spelled else match.group(0)

    def serial(self, value: str) -> str:
        """A value stored under a serial-number key."""
        canonical = _canonical("serial", value)
        return value if canonical in self.keep or len(value.strip()) < _MIN_SERIAL else self.name(canonical)

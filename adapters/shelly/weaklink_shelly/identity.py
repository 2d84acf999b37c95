"""Who a Shelly is: its device id and MAC, read from the unauthenticated `GET /shelly`.

Both generations answer `/shelly` without authentication. Gen2+ says `gen`, its device id
(`shellyplus1pm-aabbccddeeff`: a model prefix, then the MAC) and its MAC; Gen1 says `type`
and its MAC, and its device id is its hostname (`shelly1pm-DDEEFF`: a model prefix, then
the MAC's last six digits), which it only tells an authenticated client (`/settings`), so
it is built from the model's known prefix, and the home file's or mDNS record's id, when it
has one and names the same MAC, takes its place.

A device id always ends in (the tail of) the MAC: that is the identity check a host
claiming to be a Shelly must pass, before anything secret is sent to it.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from weaklink.model import IdentifierKind, normalize_identifier

_HEX12 = re.compile(r"^[0-9A-Fa-f]{12}$")

# Gen1 hostnames by model (`type`): the relays and plugs; others fall back to `shelly<type>`.
GEN1_PREFIXES = {
    "SHSW-1": "shelly1", "SHSW-L": "shelly1l", "SHSW-PM": "shelly1pm", "SHSW-21": "shellyswitch",
    "SHSW-25": "shellyswitch25", "SHPLG-1": "shellyplug", "SHPLG2-1": "shellyplug", "SHPLG-S": "shellyplug-s",
    "SHPLG-U1": "shellyplug-u1", "SHEM": "shellyem", "SHEM-3": "shellyem3", "SHUNI-1": "shellyuni",
    "SHAIR-1": "shellyair",
}


class Identity(BaseModel):
    """One Shelly's identity, as its `/shelly` answer (and, for Gen1, the home file) gives it."""

    model_config = ConfigDict(frozen=True)

    device_id: str
    mac: str = Field(pattern=r"^[0-9A-F]{12}$", description="12 hex digits, upper case, as Shelly writes it.")
    generation: int
    model: str
    name: str | None = None
    firmware: str | None = None
    auth: bool = False
    outputs: int | None = None

    @property
    def mac_address(self) -> str:
        """The MAC in weaklink's canonical spelling (aa:bb:cc:dd:ee:ff)."""
        return normalize_identifier(IdentifierKind.MAC, self.mac)

    def describe(self) -> str:
        """`shelly1-DDEEFF (SHSW-1, Gen1)` for a person."""
        return f"{self.device_id} ({self.model}, Gen{self.generation})"


class _Gen1Shelly(BaseModel):
    type: str
    mac: str = Field(pattern=_HEX12.pattern)
    auth: bool = False
    fw: str | None = None
    name: str | None = None
    num_outputs: int | None = None


class _Gen2Shelly(BaseModel):
    id: str
    mac: str = Field(pattern=_HEX12.pattern)
    gen: int = Field(ge=2)
    model: str | None = None
    app: str | None = None
    ver: str | None = None
    name: str | None = None
    auth_en: bool = False


class NotAShelly(ValueError):
    """A `/shelly` answer that is not a Shelly's identity."""


def gen1_device_id(model: str, mac: str) -> str:
    """A Gen1 device's hostname: its model's prefix, a dash, the MAC's last six digits."""
    prefix = GEN1_PREFIXES.get(model) or "shelly" + "".join(c for c in model.lower() if c.isalnum())
    return f"{prefix}-{mac[-6:].upper()}"


def read_identity(document: Any) -> Identity:
    """The identity a `/shelly` answer gives (a Gen1 id built from its model); NotAShelly when it is no Shelly's."""
    if not isinstance(document, dict):
        raise NotAShelly("the answer is not a JSON object")
    try:
        if "gen" in document:
            gen2 = _Gen2Shelly.model_validate(document)
            identity = Identity(device_id=gen2.id, mac=gen2.mac.upper(), generation=gen2.gen,
                                model=gen2.model or gen2.app or "unknown", name=gen2.name, firmware=gen2.ver,
                                auth=gen2.auth_en)
        else:
            gen1 = _Gen1Shelly.model_validate(document)
            mac = gen1.mac.upper()
            identity = Identity(device_id=gen1_device_id(gen1.type, mac), mac=mac, generation=1, model=gen1.type,
                                name=gen1.name, firmware=gen1.fw, auth=gen1.auth, outputs=gen1.num_outputs)
    except ValidationError as error:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "?" for e in error.errors())
        raise NotAShelly(f"it lacks or misstates {fields}") from None
    # Devices on Shelly's platform that are not named Shelly (Cury, and the XT1 devices of other
    # makers: the ST-802 thermostat, the FK-06X irrigation controller) prefix their id with their
    # app or product code instead (`cury-…`, `st-802-…`, `irrigation-…`): accepted when the
    # answer names that product itself.
    products = _products(document) if identity.generation > 1 else ()
    if (problem := id_problem(identity.device_id, identity.generation, products=products)) is not None:
        raise NotAShelly(problem)
    if not mac_matches(identity.device_id, identity.mac):
        raise NotAShelly(f"its id {identity.device_id} does not end in its MAC {identity.mac}")
    return identity


def id_problem(device_id: str, generation: int, *, products: tuple[str, ...] = ()) -> str | None:
    """Why `device_id` cannot be a Shelly device id of that generation, or None when it can.

    Its prefix is `shelly…`, or one of `products` (the app or product code a Gen2+ `/shelly`
    answer names, compared by letters and digits only).
    """
    prefix, dash, suffix = device_id.rpartition("-")
    digits = 6 if generation == 1 else 12
    prefix_ok = prefix.lower().startswith("shelly") or (bool(prefix) and _plain(prefix) in products)
    if not dash or not prefix_ok or not re.fullmatch(f"[0-9A-Fa-f]{{{digits}}}", suffix):
        kind = "Gen1 id (shelly<model>-<last 6 MAC digits>)" if generation == 1 \
            else "Gen2+ id (shelly<model>-<12 MAC digits>)"
        return f"{device_id!r} is not a Shelly {kind}"
    return None


def mac_matches(device_id: str, mac: str) -> bool:
    """Whether `device_id` ends in `mac` (Gen2+) or its last six digits (Gen1)."""
    suffix = device_id.rpartition("-")[2].upper()
    digits = re.sub(r"[^0-9A-F]", "", mac.upper())
    return len(suffix) in (6, 12) and digits.endswith(suffix)


def mismatch(identity: Identity, expected_mac: str | None, expected_id: str | None) -> str | None:
    """Why `identity` is not the device expected (by MAC and/or device id), or None when it is."""
    if expected_mac:
        expected = normalize_identifier(IdentifierKind.MAC, expected_mac)
        if expected != identity.mac_address:
            return f"it answers as {identity.describe()} with MAC {identity.mac_address}, not the expected {expected}"
    if expected_id:
        if identity.generation == 1 and not mac_matches(expected_id, identity.mac):
            return f"it answers as {identity.describe()}, whose MAC {identity.mac} does not end in the " \
                   f"expected {expected_id}'s {expected_id.rpartition('-')[2]}"
        if identity.generation > 1 and expected_id.lower() != identity.device_id.lower():
            return f"it answers as {identity.describe()}, not the expected {expected_id}"
    return None


def _plain(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _products(document: dict[str, Any]) -> tuple[str, ...]:
    """The app (`Cury`) and product code (an XT1 device's `jwt.p`, `ST-802`) a `/shelly` answer names."""
    jwt = document.get("jwt")
    names = (document.get("app"), jwt.get("p") if isinstance(jwt, dict) else None)
    return tuple(_plain(name) for name in names if isinstance(name, str) and _plain(name))

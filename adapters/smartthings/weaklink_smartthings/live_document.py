"""What a live session reads of a SmartThings account, as one answer the offline reader loads.

A snapshot, a probe, an observation and a dump read the same thing: `GET /v1/devices` with
`includeHealth=true&includeStatus=true` (every device, its health, and each capability's
last reported attributes), every page of it (`_links.next.href`, on the API's own origin
only). The pages' items are joined into one device list, `{"items": [...], "_links": {}}`,
which is what the offline reader reads from a saved file: the snapshot is what the offline
reader makes of it, so an account read live and read from its dump gets the same ids,
capabilities and states. One request a page, whatever the number of devices, where asking
each device's `/status` would be one request a device, each counted by the cloud's per-device
rate limit.

For the dump, the account's and owner's ids (`locationId`, `ownerId`) are redacted; what
`weaklink dump` redacts besides (any secret key: a hub's Z-Wave DSK and TLS certificate, a
Wi-Fi name, coordinates) is done there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yarl import URL

from weaklink.errors import ExportError
from weaklink.model import HomeFragment
from weaklink.redact import REDACTED

from .documents import parse
from .errors import RequestFailed
from .fragment import build_fragment
from .home import Home
from .naming import PLATFORM
from .transport import CloudClient, Deadline, excerpt

LIST_PARAMS = {"includeHealth": "true", "includeStatus": "true"}
MAX_PAGES = 200  # 40,000 devices: more pages than that is a loop, not an account
ACCOUNT_KEYS = frozenset({"locationId", "ownerId"})  # which account and home a device is in: not shared


@dataclass(frozen=True)
class Reading:
    """One reading of the account: the joined device list, and how long its first page took."""

    document: dict[str, Any]
    latency_ms: float

    @property
    def items(self) -> list[dict[str, Any]]:
        """The devices, as the API described them."""
        return [item for item in self.document["items"] if isinstance(item, dict)]


async def read_devices(client: CloudClient, deadline: Deadline) -> Reading:
    """Every device of the account with its health and status, every page; RequestFailed naming
    the answer when one is not a device list."""
    items: list[Any] = []
    target: str | URL = "devices"
    params: dict[str, str] | None = dict(LIST_PARAMS)
    latency: float | None = None
    for _ in range(MAX_PAGES):
        answer = await client.get(target, deadline, params)
        latency = answer.latency_ms if latency is None else latency
        body = answer.body
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise RequestFailed("garbled", f"{client.endpoint.where} answered GET /devices with something that is "
                                f"not a device list: {excerpt(str(body))}", latency_ms=answer.latency_ms)
        items.extend(body["items"])
        href = _next(body)
        if href is None:
            return Reading({"items": items, "_links": {}}, latency)
        following = client.endpoint.resolve(href)
        if following is None:
            raise RequestFailed("garbled", f"{client.endpoint.where} named its next page at {excerpt(href)}, not on "
                                "its own address: not followed, the token goes nowhere else")
        target, params = following, None  # the link carries the query
    raise RequestFailed("garbled", f"{client.endpoint.where} kept naming a next page past {MAX_PAGES} pages")


def _next(body: dict[str, Any]) -> str | None:
    links = body.get("_links")
    following = links.get("next") if isinstance(links, dict) else None
    href = following.get("href") if isinstance(following, dict) else following
    return href if isinstance(href, str) and href else None


def fragment_of(reading: Reading, client: CloudClient) -> HomeFragment:
    """The offline reader's fragment of a live reading; RequestFailed naming the field it cannot read."""
    where = client.endpoint.where
    source = f"{PLATFORM}://{client.endpoint.base.host}{client.endpoint.base.path}"
    if not reading.document["items"]:
        return HomeFragment(source=source, platform=PLATFORM)
    path = Path(f"GET {client.endpoint.base.path}/devices")
    try:
        parsed = parse(reading.document, path)
        fragment = build_fragment(path, parsed, Home(path))
    except ExportError as error:
        raise RequestFailed("garbled", f"{where} answered GET /devices with a device list the adapter cannot read "
                            f"({error.field or 'a device'}: {error.message})") from None
    except ValueError as error:  # a value the model refuses (an identifier that is no identifier)
        raise RequestFailed("garbled", f"{where} answered GET /devices with a value the adapter cannot read: "
                            f"{' '.join(str(error).split())[:200]}") from None
    return fragment.model_copy(update={"source": source})


def dump_document(reading: Reading) -> dict[str, Any]:
    """The device list as the dump writes it: the account's and owner's ids redacted, at any depth."""
    return _without_account(reading.document)


def _without_account(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: REDACTED if key in ACCOUNT_KEYS and item is not None else _without_account(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_without_account(item) for item in value]
    return value


def hub_firmware(reading: Reading) -> str | None:
    """The firmware of the account's hub, when it has exactly one (how the dump's file is named)."""
    found = [item["hub"].get("firmwareVersion") for item in reading.items if isinstance(item.get("hub"), dict)]
    return found[0] if len(found) == 1 and isinstance(found[0], str) else None

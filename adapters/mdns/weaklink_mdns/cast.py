"""Google Cast receivers: `_googlecast._tcp` (Chromecasts, Nest speakers and displays, Cast TVs, groups).

The TXT record: `id` the receiver's UUID (32 hex digits, no dashes), the id every Cast
sender keys it by; `md` its model ("Chromecast", "Google Nest Mini", "Google Cast Group");
`fn` the friendly name the user gave it. `ve`, `ca` and `st` (protocol version, capability
bits, status) are not needed to name it; `rs` (what is playing), `bs` and `cd` are not read.
"""

from __future__ import annotations

from weaklink.live.contract import Discovered

from .record import Record, hex_digits, untrusted

SERVICE_TYPES = ("_googlecast._tcp.local.",)
BRAND = "Google Cast"


def identify(record: Record) -> Discovered:
    """The receiver a `_googlecast` record announces; `problem` set when its id is missing or not a UUID."""
    raw = record.get("id")
    cast_id = hex_digits(raw, 32)
    problem = None
    if not raw:
        problem = untrusted("its mDNS record has no id, the UUID every Cast receiver announces")
    elif cast_id is None:
        problem = untrusted(f"its mDNS record says id {raw!r}, which is not a Cast receiver UUID (32 hex digits)")
    return record.found(brand=BRAND, name=record.get("fn") or record.instance, model=record.get("md") or None,
                        identifiers={"cast_id": cast_id or raw}, problem=problem)

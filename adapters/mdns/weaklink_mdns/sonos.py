"""Sonos players: `_sonos._tcp`.

The TXT record's `info` is the path of the player's own description
(`/api/v1/players/RINCON_347E5C0A1B2C01400/info`), which names the player by its RINCON id:
`RINCON_`, the player's MAC in 12 hex digits, then `0` and its port (1400). `vers`,
`protovers` (API version) and `bootseq` (boot counter) describe it. `hhid`, `mhhid` (the
household) and `locationid` say whose home it is in: they are never read, so they never reach
a report. The instance name may carry the room after an `@` (`Sonos-347E5C0A1B2C@Kitchen`).
"""

from __future__ import annotations

import re

from weaklink.live.contract import Discovered

from .record import Record, described, untrusted

SERVICE_TYPES = ("_sonos._tcp.local.",)
BRAND = "Sonos"

_PLAYER_ID = re.compile(r"RINCON_([0-9A-F]{12})(\d{5})", re.IGNORECASE)


def identify(record: Record) -> Discovered:
    """The player a `_sonos` record announces; `problem` set when its `info` names no RINCON player id."""
    raw = record.get("info")
    match = _PLAYER_ID.search(raw)
    problem = None
    identifiers: dict[str, str] = {}
    if match is not None:
        mac, suffix = match.groups()
        identifiers = {"sonos_player": f"RINCON_{mac.upper()}{suffix}", "mac": mac.lower()}
    elif not raw:
        problem = untrusted("its mDNS record has no info, the path naming the RINCON id every Sonos player announces")
    else:
        problem = untrusted(f"its mDNS record says info {raw!r}, which names no Sonos player (RINCON_<MAC><port>)")
    room = record.instance.partition("@")[2] or record.instance
    protocol = record.get("protovers")
    return record.found(brand=BRAND, name=room,
                        model=described(record.get("model") or None, [f"API {protocol}" if protocol else ""]),
                        identifiers=identifiers, problem=problem)

"""Reading the time a user gives: when they noticed something go wrong."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import InputError

# The tracer looks hours either side of --at: keep a day clear of what datetime can hold.
_AT_RANGE = (datetime.min.replace(tzinfo=timezone.utc) + timedelta(days=1),
             datetime.max.replace(tzinfo=timezone.utc) - timedelta(days=1))


def parse_at(text: str, time_zone: str | None, *, field: str = "--at") -> datetime:
    """Read a time the user gave (`--at`): ISO 8601 ('2026-11-11T18:50', '2026-11-11 18:50:00+01:00'), in
    the home's local time when it has no offset; `field` names where it was given, for the error."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{text!r} is not a time like '2026-11-11 18:50' or '2026-11-11T18:50:00-05:00'",
                         field=field) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(time_zone) if time_zone else timezone.utc)
    try:
        utc: datetime | None = when.astimezone(timezone.utc)
    except OverflowError:
        utc = None
    if utc is None or not _AT_RANGE[0] <= utc <= _AT_RANGE[1]:
        raise InputError(f"{text!r} is too far in the past or the future", field=field)
    return utc

"""Keeping secrets out of everything weaklink writes: one key table, applied at any depth.

`redact(value)` masks every value stored under a secret key (a password, a token, an
API key, a precise location, a Wi-Fi passphrase, a webhook id, …) however deep it sits in
dicts and lists. `redact_text(text, secrets)` masks secrets inside free text such as log
lines: the strings it is told about, plus `key=value` pairs whose key is secret, bearer
tokens, JSON web tokens and passwords embedded in URLs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

REDACTED = "**REDACTED**"

# Exact key names (compared lower-cased, with '-' and ' ' read as '_').
SECRET_KEYS = frozenset(
    {
        # credentials
        "password", "passwd", "pass", "passphrase", "passcode", "pwd",
        "secret", "client_secret", "client_id", "shared_secret",
        "token", "access_token", "refresh_token", "id_token", "auth_token",
        "api_key", "apikey", "key", "private_key", "secret_key", "local_key",
        "auth", "authorization", "credentials", "cookie", "cookies", "session",
        "otp", "totp", "mfa_code", "certificate", "ssl_key",
        # codes that open doors
        "code", "pin", "pin_code", "alarm_code", "user_code", "lock_code", "access_code",
        "master_code", "disarm_code",
        # identities
        "username", "user_name", "email", "e_mail",
        # network
        "ssid", "bssid", "wifi_ssid", "psk", "wpa_psk", "wifi_password", "wifi_key",
        "network_key",
        # remote access into the home
        "webhook_id", "webhook", "webhook_url", "cloudhook_url", "cloudhook", "remote_ui_url",
        "push_url",
        # precise locations
        "latitude", "longitude", "lat", "lon", "lng", "long", "gps", "location",
        "coordinates", "elevation", "altitude", "home_location",
    }
)

# Key endings that mark a secret (`hue_api_key`, `push_token`, `admin_password`, …).
SECRET_SUFFIXES = (
    "_token", "_key", "_password", "_passwd", "_secret", "_passphrase", "_psk", "_pin",
    "_passcode", "_apikey", "_credentials", "_cookie", "_latitude", "_longitude",
    "_certificate", "_dsk", "_seed",  # TLS certificates, Z-Wave S2 device keys, key seeds
)

# Key beginnings that mark a precise location (TP-Link's `latitude_i`, `longitude_i`).
SECRET_PREFIXES = ("latitude", "longitude")

# Keys that end like a secret but are not one.
NOT_SECRET_KEYS = frozenset({"translation_key", "sort_key", "storage_key", "primary_key", "entity_key"})


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _normal(key: str) -> str:
    # camelCase is snake_case to us (SmartThings' `encryptionKey` is an `encryption_key`)
    return _CAMEL.sub("_", key.strip()).lower().replace("-", "_").replace(" ", "_")


def is_secret_key(key: object) -> bool:
    """Whether values stored under `key` must never leave the machine."""
    if not isinstance(key, str):
        return False
    name = _normal(key)
    if name in NOT_SECRET_KEYS:
        return False
    return name in SECRET_KEYS or name.endswith(SECRET_SUFFIXES) or name.startswith(SECRET_PREFIXES)


T = TypeVar("T")


def redact(value: T) -> T:
    """A deep copy of `value` with everything under a secret key replaced by REDACTED.

    Works through mappings, lists, tuples and sets at any depth; other values are
    returned as they are (strings are immutable, so nothing is shared that could leak).
    """
    return _redact(value)  # type: ignore[no-any-return]


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            # a yes/no (Shelly's `auth: false`) says whether there is a secret, not what it is
            key: (REDACTED if is_secret_key(key) and item is not None and not isinstance(item, bool) else _redact(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_redact(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(_redact(item) for item in value)
    return value


_KEY_NAMES = sorted(
    {name for name in SECRET_KEYS if len(name) > 3} | {"pin", "psk", "otp", "lat", "lon", "lng"},
    key=len,
    reverse=True,
)
_SUFFIX_PATTERN = "|".join(re.escape(s.lstrip("_")) for s in SECRET_SUFFIXES)
# key=value, key: value, "key": "value" — the key alone or ending in a secret suffix.
_KEY_VALUE = re.compile(
    r"(?i)(?P<key>\b(?:[a-z0-9]+[_-])*(?:" + "|".join(map(re.escape, _KEY_NAMES)) + "|" + _SUFFIX_PATTERN + r")\b)"
    r"(?P<sep>['\"]?\s*[=:]\s*['\"]?)"
    r"(?P<value>(?!(?:true|false|null|none)\b)[^\s'\",;&})\]>]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
# An account's e-mail address is how cloud integrations title themselves: personal, not needed to diagnose.
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<password>[^@\s/]+)(?P<at>@)", re.I)
# Tokens recognisable by their shape alone: Google's OAuth access ("ya29.") and refresh ("1//0")
# tokens and API keys ("AIza"), GitHub's and Slack's tokens.
_SHAPED_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_-])(?:ya29\.[A-Za-z0-9_.-]{20,}|1//0[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}"
    r"|gh[pousr]_[A-Za-z0-9]{36,}|xox[abposr]-[A-Za-z0-9-]{10,})")
# A long unbroken run that mixes upper case, lower case and digits as random text does is a key
# or token written with no key name (Hue application keys, base64 secrets). Identifiers are left:
# they keep to one case (ULID context ids, hex ids, entity ids), or are words and numbers joined
# (`Hue_Bridge_001788FFFE4A1B2C_light_1`), which change kind of character far less often than
# random text (about 4 times in 10 against 6). Best effort: about 1 random token in 20 changes
# kind as rarely as an identifier and is not caught.
_OPAQUE_RUN = re.compile(r"(?<![A-Za-z0-9_+=-])[A-Za-z0-9_+=-]{32,}(?![A-Za-z0-9_+=-])")
_RANDOM_BITS_PER_CHAR = 4.0
_RANDOM_CHANGES_OF_KIND = 0.5


def _kind(character: str) -> int:
    return 0 if character.isupper() else 1 if character.islower() else 2 if character.isdigit() else 3


def _looks_random(run: str) -> bool:
    kinds = [_kind(c) for c in run]
    # a few capitals before a lower-case hex id ("ST_5d6e7f8a-9b0c-…") do not make it random
    if kinds.count(0) < 3 or kinds.count(1) < 3 or 2 not in kinds:
        return False
    changes = sum(a != b for a, b in zip(kinds, kinds[1:])) / (len(run) - 1)
    entropy = -sum(n / len(run) * math.log2(n / len(run)) for n in Counter(run).values())
    return entropy >= _RANDOM_BITS_PER_CHAR and changes >= _RANDOM_CHANGES_OF_KIND


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask secrets inside free text.

    Every string in `secrets` (values known to be secret, e.g. read from a credential
    store) is replaced wherever it appears; so are the values of `key=value` and
    `"key": "value"` pairs whose key is secret, bearer tokens, JSON web tokens, tokens of a
    known shape (Google's, GitHub's, Slack's), long runs of letters and digits as varied as
    random text (keys written with no key name), e-mail addresses and the password part of
    `scheme://user:password@host` URLs.
    """
    for secret in sorted({s for s in secrets if isinstance(s, str) and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}{m['at']}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    text = _SHAPED_TOKEN.sub(REDACTED, text)
    text = _OPAQUE_RUN.sub(lambda m: REDACTED if _looks_random(m.group(0)) else m.group(0), text)
    text = _EMAIL.sub(REDACTED, text)

    def _mask(match: re.Match[str]) -> str:
        if match["value"] in (REDACTED, "Bearer", "Basic", "bearer", "basic") or not is_secret_key(match["key"]):
            return match.group(0)
        return f"{match['key']}{match['sep']}{REDACTED}"

    return _KEY_VALUE.sub(_mask, text)

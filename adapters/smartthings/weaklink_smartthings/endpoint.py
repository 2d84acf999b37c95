"""Where a home file's SmartThings host answers: the REST API's base URL, and what may be sent there.

    - adapter: smartthings
      name: SmartThings
      address: api.smartthings.com          # the real API (HTTPS, its certificate checked)
      credentials: {token: env:SMARTTHINGS_TOKEN}

The base URL is `options.base_url` when given (the simulator's `http://127.0.0.x:PORT/v1`),
else the address when it is a URL, else `https://<address>[:<port>]/v1`, so a real home file
needs nothing but the address and the token. Two rules keep the token safe:

- plain HTTP only to a loopback address (the simulator, a local proxy): a token never
  crosses a network unencrypted;
- a URL the API hands back (a page's `_links.next.href`) is only followed when it is on the
  same scheme, host and port: the token goes nowhere else.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from yarl import URL

from weaklink.errors import InputError
from weaklink.live.contract import HostSpec

REAL_API = "https://api.smartthings.com/v1"
API_PATH = "/v1"


@dataclass(frozen=True)
class Endpoint:
    """The API's base URL (`https://api.smartthings.com/v1`)."""

    base: URL

    @property
    def where(self) -> str:
        """The base URL, as findings name it."""
        return str(self.base)

    def url(self, path: str) -> URL:
        """The URL of `path` (`devices`, `devices/<id>/status`) under the base."""
        return self.base.with_path(self.base.path.rstrip("/") + "/" + path.lstrip("/"))

    def same_origin(self, url: URL) -> bool:
        """Whether `url` is on the base's scheme, host and port (where the token may go)."""
        return (url.scheme, url.host, url.port) == (self.base.scheme, self.base.host, self.base.port)

    def resolve(self, href: str) -> URL | None:
        """An absolute or relative URL the API handed back, when it is on the same origin (else None)."""
        try:
            url = URL(href)
        except (TypeError, ValueError):
            return None
        if not url.is_absolute():
            url = self.base.join(url)
        return url if self.same_origin(url) and not url.user and not url.password else None


def is_loopback(host: str | None) -> bool:
    """Whether `host` is this machine (127.0.0.0/8, ::1, localhost)."""
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_of(host: HostSpec) -> Endpoint:
    """The endpoint a home file's host names; InputError naming the field when it cannot be used."""
    option: Any = host.options.get("base_url")
    field = "options.base_url"
    if option is not None:
        if not isinstance(option, str) or not option.strip():
            raise InputError(f"{host.label}: base_url {option!r} is not a URL", field=field)
        text = option.strip()
    elif "://" in host.address:
        text, field = host.address.strip(), "address"
    else:
        text, field = f"https://{host.address}{f':{host.port}' if host.port else ''}{API_PATH}", "address"
    try:
        url = URL(text)
    except (TypeError, ValueError):
        raise InputError(f"{host.label}: {text!r} is not a URL", field=field) from None
    if url.scheme not in ("https", "http") or not url.host:
        raise InputError(f"{host.label}: {text!r} is not an http(s) URL of the SmartThings API", field=field)
    if url.user or url.password or url.query_string or url.fragment:
        raise InputError(f"{host.label}: the API's URL takes no user, password, query or fragment", field=field)
    if url.scheme == "http" and not is_loopback(url.host):
        raise InputError(f"{host.label}: {url.host} is reached over plain HTTP, which would send the token "
                         "unencrypted; use https (plain HTTP is only for this machine: 127.0.0.1, localhost)",
                         field=field)
    path = url.path.rstrip("/") or API_PATH
    return Endpoint(url.with_path(path))

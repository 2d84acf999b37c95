"""What talking to a live Home Assistant can raise.

    WeaklinkError
    └── HomeAssistantError        a live Home Assistant could not be used
        ├── NetworkError          nothing answered: refused, timed out, cut, moved
        ├── IdentityMismatch      something answered, and it is not the instance the home file names
        ├── IdentityUnconfirmed   it answered, but its identity could not be confirmed (mDNS silent)
        ├── AuthInvalid           HA refused the long-lived access token (or none was given)
        ├── CommandFailed         HA answered a command with an error (`unknown_command`, …)
        └── MalformedAnswer       HA answered with something that is not its protocol (broken JSON)

Messages never hold a credential: they are built from what HA said and masked on the way.
"""

from __future__ import annotations

from weaklink.errors import WeaklinkError
from weaklink.live.secrets import mask


class HomeAssistantError(WeaklinkError):
    """A live Home Assistant instance could not be used."""

    def __init__(self, message: str) -> None:
        super().__init__(mask(message))

    @property
    def detail(self) -> str:
        """The message, for a probe result."""
        return str(self)


class NetworkError(HomeAssistantError):
    """The host did not answer: connection refused, no answer in time, connection cut, moved."""

    problem = "unreachable"


class IdentityMismatch(HomeAssistantError):
    """The host answered, and it is not the Home Assistant instance the home file names."""

    problem = "identity"


class IdentityUnconfirmed(HomeAssistantError):
    """The host answered like Home Assistant, but nothing confirmed it is the instance named."""

    problem = "identity"


class AuthInvalid(HomeAssistantError):
    """Home Assistant refused the long-lived access token (revoked, expired, or none given)."""

    problem = "credentials"


class CommandFailed(HomeAssistantError):
    """Home Assistant answered a WebSocket command with an error."""

    def __init__(self, command: str, code: str, message: str) -> None:
        super().__init__(f"{command} failed: {code}: {message}")
        self.command, self.code = command, code


class MalformedAnswer(HomeAssistantError):
    """Home Assistant answered with something its protocol does not allow (e.g. broken JSON)."""

    problem = "garbled"

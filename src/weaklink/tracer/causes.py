"""Every cause the tracer can name: its stable code, its layer, and what to do about it.

Codes are part of the report contract: add new ones freely, never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..report import Layer


@dataclass(frozen=True)
class Cause:
    """A kind of broken link."""

    code: str
    layer: Layer
    fix: str  # a template: {element}, {name}, {detail} are filled in


_CAUSES = [
    Cause("trigger_not_observed", Layer.TRIGGER,
          "Check that {name} reports at all: open its app or device page and confirm it updates; "
          "if it is a phone, check location permissions and battery optimisation for the companion app."),
    Cause("trigger_unavailable", Layer.TRIGGER, "Bring {name} back online; the chain cannot start without it."),
    Cause("automation_missing", Layer.LOGIC,
          "Create {element}, or point the scenario at the automation that should carry this hop."),
    Cause("automation_disabled", Layer.LOGIC, "Turn {element} back on (Settings → Automations), and find out who turned it off."),
    Cause("condition_false", Layer.LOGIC,
          "The automation ran but its condition was false ({detail}); change the condition if this run should have passed."),
    Cause("automation_not_triggered", Layer.LOGIC,
          "Compare {element}'s trigger with what really happened ({detail}); the trigger did not match."),
    Cause("automation_error", Layer.LOGIC, "Open the automation's trace for this run and fix the failing action ({detail})."),
    Cause("target_entity_deleted", Layer.LOGIC,
          "Edit {element}: it still targets {detail}, which was deleted; point it at the device that replaced it."),
    Cause("target_entity_renamed", Layer.LOGIC,
          "Edit {element}: it still targets {detail}; update it to the entity's new id."),
    Cause("target_entity_missing", Layer.LOGIC, "Edit {element}: it targets {detail}, which does not exist."),
    Cause("not_targeted", Layer.LOGIC, "Add {detail} to {element}'s actions, or name the automation that should act on it."),
    Cause("no_automation", Layer.LOGIC, "Nothing connects the previous step to {name}: create an automation for this hop."),
    Cause("integration_disabled", Layer.INTEGRATION, "Re-enable the {element} integration (Settings → Devices & services)."),
    Cause("integration_failed", Layer.INTEGRATION,
          "Open the {element} integration in Settings → Devices & services; re-authenticate or reload it ({detail})."),
    Cause("integration_unavailable", Layer.INTEGRATION,
          "Every entity of the {element} integration was unavailable: check its status page and the vendor's cloud, then reload the integration."),
    Cause("entity_removed", Layer.INTEGRATION, "The platform no longer provides {element}: reload its integration or re-add the device."),
    Cause("device_offline", Layer.NETWORK,
          "{name} dropped off the network: check its power and Wi-Fi signal, and give it a fixed address (DHCP reservation)."),
    Cause("host_moved", Layer.NETWORK,
          "{name} now answers at another address than the home file gives: give it a fixed address (a DHCP "
          "reservation in the router) and update the home file; anything that reaches it by address lost it."),
    Cause("not_advertised", Layer.NETWORK,
          "{name} answers but no longer announces itself over mDNS: restart it, and check that the network lets "
          "multicast through (Wi-Fi isolation, IGMP snooping); apps and Home Assistant cannot find it again if "
          "its address changes."),
    Cause("identity_unconfirmed", Layer.NETWORK,
          "weaklink could not confirm that {name} is the host the home file names ({detail}), so it sent no "
          "credential: turn its mDNS announcement back on, or drop the identity option from the home file to "
          "trust the address alone."),
    Cause("credentials_rejected", Layer.INTEGRATION,
          "{name} refuses the key, password or token it was given ({detail}): it was reset, re-paired or its "
          "password changed; set the new one in its integration and in the home file."),
    Cause("garbled_answers", Layer.DEVICE,
          "{name} answers, but not in its own protocol ({detail}): restart it; if it persists, update its "
          "firmware or contact its vendor with this evidence."),
    Cause("hub_offline", Layer.HUB, "Power-cycle {name} and check its network cable; every device behind it went dark."),
    Cause("radio_link_lost", Layer.RADIO,
          "{name} lost its radio link to the hub while its siblings were fine: check power to it (a wall switch?), "
          "its distance to the nearest repeater, and re-pair it if it stays unreachable."),
    Cause("device_unreachable", Layer.DEVICE, "The vendor reports {name} unreachable: check its power and the vendor's app."),
    Cause("did_not_act", Layer.DEVICE,
          "{name} was commanded and stayed {detail}: check it by hand; if it does not respond locally either, contact its vendor."),
    Cause("device_fault", Layer.DEVICE, "{name} reports a fault ({detail}): clear it on the device and contact its vendor if it returns."),
    Cause("host_slow", Layer.TIMING,
          "{name} answers too slowly ({detail}) and held up the chain: check its load, its Wi-Fi signal or "
          "network link, and restart it."),
    Cause("too_late", Layer.TIMING,
          "{name} acted, but {detail}: look for a slow cloud round-trip, or raise the step's budget if the delay is acceptable."),
]

CAUSES: dict[str, Cause] = {cause.code: cause for cause in _CAUSES}


def cause(code: str) -> Cause:
    """The cause with this code (KeyError for an unknown one: a bug, not bad input)."""
    return CAUSES[code]

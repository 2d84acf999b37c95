"""The home graph: merging sources into one node per device, and the tracer's queries."""

from __future__ import annotations

from weaklink.graph import EdgeKind, HomeGraph, device_key, entity_key
from weaklink.model import (
    Action,
    Automation,
    Capability,
    CapabilityKind,
    Device,
    HomeFragment,
    Identifier,
    IdentifierKind,
    Integration,
    Role,
    Transport,
    Trigger,
)


def zigbee(value: str) -> Identifier:
    return Identifier(kind=IdentifierKind.ZIGBEE, value=value)


def ha_fragment() -> HomeFragment:
    bridge = Device(id="bridge", name="Hue Bridge", brand="Signify", role=Role.HUB, transport=Transport.ETHERNET,
                    identifiers=[Identifier(kind=IdentifierKind.MAC, value="ec:b5:fa:00:00:01")], integration_ids=["e-hue"])
    lights = [
        Device(id=f"l{i}", name=f"Light {i}", brand="Signify", hub_id="bridge", transport=Transport.ZIGBEE,
               identifiers=[zigbee(f"00:17:88:01:00:00:00:0{i}")], integration_ids=["e-hue"])
        for i in range(3)
    ]
    plug = Device(id="plug", name="Plug", brand="Shelly", transport=Transport.WIFI, integration_ids=["e-shelly"],
                  identifiers=[Identifier(kind=IdentifierKind.MAC, value="AABBCCDDEEFF")])
    capabilities = [
        Capability(id=f"light.l{i}", kind=CapabilityKind.LIGHT, device_id=f"l{i}", integration_id="e-hue", platform="hue")
        for i in range(3)
    ] + [Capability(id="switch.plug", kind=CapabilityKind.SWITCH, device_id="plug", integration_id="e-shelly"),
         Capability(id="cover.garage", kind=CapabilityKind.COVER)]
    automations = [
        Automation(entity_id="automation.garage_lights", triggers=[Trigger(kind="state", entity_ids=["cover.garage"], to=["open"])],
                   actions=[Action(kind="service", path="action/0", service="light.turn_on", targets=["light.l0"], expected_state="on"),
                            Action(kind="service", path="action/1", service="script.welcome")]),
        Automation(entity_id="script.welcome", kind="script",
                   actions=[Action(kind="service", path="sequence/0", service="switch.turn_on", targets=["switch.plug"], expected_state="on")]),
    ]
    return HomeFragment(
        source="ha", platform="homeassistant", devices=[bridge, *lights, plug], capabilities=capabilities,
        integrations=[Integration(id="e-hue", platform="homeassistant", domain="hue"),
                      Integration(id="e-shelly", platform="homeassistant", domain="shelly")],
        automations=automations,
    )


def hue_fragment() -> HomeFragment:
    # The Hue bridge's own view: the same light, written with dashes and Hue's endpoint suffix.
    return HomeFragment(source="hue", platform="hue", devices=[
        Device(id="hue-light-0", name="Light 0 (Hue app)", brand="Signify", model="LCA001",
               identifiers=[zigbee("00-17-88-01-00-00-00-00-0b")]),
    ])


def test_identifiers_are_normalized() -> None:
    assert zigbee("0x0017880100000000").value == "00:17:88:01:00:00:00:00"
    assert zigbee("00-17-88-01-00-00-00-00-0b").value == "00:17:88:01:00:00:00:00"
    assert Identifier(kind=IdentifierKind.MAC, value="AA-BB-CC-DD-EE-FF").value == "aa:bb:cc:dd:ee:ff"


def test_one_node_per_physical_device_across_sources() -> None:
    home = HomeGraph.from_fragments([ha_fragment(), hue_fragment()])
    assert len(home.devices) == 5
    light = home.device_of("light.l0")
    assert light is not None
    assert light.model == "LCA001", "the second source filled the gap"
    assert light.name == "Light 0", "the first source's name is kept"


def test_typed_edges() -> None:
    home = HomeGraph.from_fragments([ha_fragment()])
    kinds = {(s, t): d["kind"] for s, t, d in home.graph.edges(data=True)}
    assert kinds[(device_key("l0"), device_key("bridge"))] is EdgeKind.RADIO_LINK
    assert kinds[(device_key("plug"), "network:home")] is EdgeKind.HOST_ON
    assert kinds[(entity_key("cover.garage"), entity_key("automation.garage_lights"))] is EdgeKind.TRIGGERS
    assert kinds[(entity_key("automation.garage_lights"), entity_key("light.l0"))] is EdgeKind.ACTS_ON
    assert kinds[(entity_key("automation.garage_lights"), entity_key("script.welcome"))] is EdgeKind.CALLS


def test_hub_siblings_and_integration_queries() -> None:
    home = HomeGraph.from_fragments([ha_fragment()])
    light = home.device_of("light.l1")
    assert light is not None
    hub = home.hub_of(light)
    assert hub is not None and hub.name == "Hue Bridge"
    assert sorted(d.id for d in home.siblings(light)) == ["l0", "l2"]
    assert home.link_to_hub(light) is EdgeKind.RADIO_LINK
    hue = home.integration_of("light.l1")
    assert hue is not None and hue.domain == "hue"
    assert sorted(c.id for c in home.carried_by(hue)) == ["light.l0", "light.l1", "light.l2"]
    plug = home.device_of("switch.plug")
    assert plug is not None and home.is_network_host(plug) and home.hub_of(plug) is None


def test_dependents_of_a_hub_reach_the_automations_acting_on_its_devices() -> None:
    home = HomeGraph.from_fragments([ha_fragment()])
    affected = home.dependents(device_key("bridge"))
    assert entity_key("light.l0") in affected
    assert entity_key("automation.garage_lights") in affected
    assert entity_key("switch.plug") not in affected


def test_carriers_follow_scripts() -> None:
    home = HomeGraph.from_fragments([ha_fragment()])
    assert home.carriers("cover.garage", "light.l0") == [["automation.garage_lights"]]
    assert home.carriers("cover.garage", "switch.plug") == [["automation.garage_lights", "script.welcome"]]
    assert home.carriers("light.l0", "switch.plug") == []

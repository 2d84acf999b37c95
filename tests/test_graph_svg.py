"""The SVG picture of the home graph: the chain's neighbourhood with its broken link marked, the
whole home under a cap, and nothing from the customer's home ever turning into markup."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from weaklink.cli import parse_at
from weaklink.graph import HomeGraph
from weaklink.home import OpenHome, open_home
from weaklink.model import (
    Action,
    Automation,
    Capability,
    CapabilityKind,
    Device,
    HomeFragment,
    Integration,
    Role,
    Transport,
    Trigger,
)
from weaklink.render import graph_svg
from weaklink.report import BrokenLink, Incident, Layer, StepReport, StepStatus, TraceReport, Verdict
from weaklink.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "examples" / "ha-home"
DRIVEWAY = ROOT / "scenarios" / "driveway_arrival.yaml"
SVG = "{http://www.w3.org/2000/svg}"
# Everything the picture is drawn with: anything else in it was injected.
DRAWING_TAGS = {"svg", "title", "defs", "marker", "path", "rect", "circle", "text", "g"}
RED = "#d1242f"


@pytest.fixture(scope="module")
def home() -> Iterator[OpenHome]:
    with open_home(HOME) as opened:
        yield opened


def trace(home: OpenHome, at: str, scenario: Path = DRIVEWAY) -> TraceReport:
    """Trace a chain the way `weaklink trace --home ... --at ...` does."""
    return home.tracer().trace(load_scenario(scenario), parse_at(at, home.time_zone))


@pytest.fixture(scope="module")
def radio(home: OpenHome) -> TraceReport:
    report = trace(home, "2026-11-11 18:50")
    assert report.broken_link is not None and report.broken_link.layer is Layer.RADIO
    return report


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises unless well-formed
    assert root.tag == f"{SVG}svg"
    return root


def classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    """The node or edge groups."""
    return [g for g in root.iter(f"{SVG}g") if kind in classes(g)]


def broken(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if "broken" in (e.get("class") or "")]


def node(root: ET.Element, element: str) -> ET.Element:
    found = [g for g in groups(root, "node") if g.get("data-element") == element]
    assert len(found) == 1, f"{element} is drawn {len(found)} times"
    return found[0]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def caption(root: ET.Element) -> str:
    (found,) = [t for t in root.iter(f"{SVG}text") if t.get("class") == "caption"]
    return found.text or ""


def assert_inert(svg: str) -> None:
    """No script, no event handler, no reference to anything outside the picture."""
    root = parse(svg)
    assert "<script" not in svg.lower()
    assert {e.tag.removeprefix(SVG) for e in root.iter()} <= DRAWING_TAGS
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}={value!r}"
            assert "href" not in name.lower()
            assert "http" not in value.lower() or (element is root and name == "xmlns")


# ----------------------------------------------------------------- the chain


def test_the_chain_picture_is_a_standalone_svg_sized_to_its_content(home: OpenHome, radio: TraceReport) -> None:
    root = parse(graph_svg(home.graph, radio))
    x, y, width, height = (int(v) for v in (root.get("viewBox") or "").split())
    assert (x, y) == (0, 0)
    assert (root.get("width"), root.get("height")) == (str(width), str(height))
    assert 560 <= width <= 960, "drawn for a page about 900 px wide"
    lowest = max(float(r.get("y", 0)) + float(r.get("height", 0)) for r in root.iter(f"{SVG}rect")
                 if r.get("width") != str(width))
    assert lowest < height
    assert root.find(f"{SVG}title") is not None


def test_the_broken_device_and_nothing_else_is_marked(home: OpenHome, radio: TraceReport) -> None:
    root = parse(graph_svg(home.graph, radio))
    driveway = home.graph.device_of("light.driveway")
    assert driveway is not None
    nodes = [g for g in broken(root) if "node" in classes(g)]
    assert [g.get("data-element") for g in nodes] == [driveway.id]
    marked = nodes[0]
    assert "light.driveway" in (marked.get("data-entities") or "").split()
    assert "broken: radio" in texts(marked)  # visible to a person, not only to a selector
    assert any(r.get("stroke") == RED and float(r.get("stroke-width", 0)) >= 3 for r in marked.iter(f"{SVG}rect"))
    for other in groups(root, "node"):
        if other is not marked:
            assert all(r.get("stroke") != RED for r in other.iter(f"{SVG}rect")), other.get("data-element")


def test_the_radio_link_to_the_hue_bridge_is_the_marked_edge(home: OpenHome, radio: TraceReport) -> None:
    root = parse(graph_svg(home.graph, radio))
    driveway = home.graph.device_of("light.driveway")
    assert driveway is not None
    bridge = home.graph.hub_of(driveway)
    assert bridge is not None and bridge.name == "Hue Bridge"
    edges = [g for g in broken(root) if "edge" in classes(g)]
    assert [(e.get("data-source"), e.get("data-target"), e.get("data-kind")) for e in edges] == [
        (driveway.id, bridge.id, "radio")]
    (line,) = edges[0].iter(f"{SVG}path")
    assert line.get("stroke") == RED
    others = [float(p.get("stroke-width", 0)) for g in groups(root, "edge") if g is not edges[0]
              for p in g.iter(f"{SVG}path")]
    assert others and float(line.get("stroke-width", 0)) > max(others)
    assert "✘ zigbee" in texts(edges[0])
    assert node(root, bridge.id).get("class") == "node hub"  # the hub was fine: only the link broke


def test_every_step_is_numbered_and_coloured_by_its_status(home: OpenHome, radio: TraceReport) -> None:
    root = parse(graph_svg(home.graph, radio))
    assert [s.status for s in radio.steps] == [StepStatus.PASSED, StepStatus.PASSED, StepStatus.FAILED,
                                               StepStatus.NOT_REACHED]
    fills = set()
    for step in radio.steps:
        (drawn,) = [g for g in groups(root, "node") if str(step.index) in (g.get("data-steps") or "").split()]
        assert step.status.value in classes(drawn)
        assert str(step.index) in texts(drawn)
        (badge,) = drawn.iter(f"{SVG}circle")
        fills.add((step.status, badge.get("fill")))
        if step.status is StepStatus.PASSED:
            assert "broken" not in classes(drawn)
    assert len({fill for _, fill in fills}) == 3, "passed, failed and not reached look different"
    assert node(root, "person.alice").get("data-steps") == "1"  # a person has no device: the entity stands


def test_the_hops_are_drawn_through_the_automations_that_carry_them(home: OpenHome, radio: TraceReport) -> None:
    root = parse(graph_svg(home.graph, radio))
    garage = home.graph.device_of("cover.garage_door")
    driveway = home.graph.device_of("light.driveway")
    assert garage is not None and driveway is not None
    drawn = {(g.get("data-source"), g.get("data-target"), g.get("data-kind")) for g in groups(root, "edge")}
    assert {("person.alice", "automation.arrive_home", "triggers"),
            ("automation.arrive_home", garage.id, "acts_on"),
            (garage.id, "automation.garage_opened_evening", "triggers"),
            ("automation.garage_opened_evening", driveway.id, "acts_on")} <= drawn
    hue = home.graph.integration_of("light.driveway")
    assert hue is not None and (driveway.id, hue.id, "integration") in drawn
    # The chain's neighbourhood, not the whole home.
    assert "light.kitchen" not in graph_svg(home.graph, radio)
    assert len(groups(root, "node")) < len(home.graph.devices)


@pytest.mark.parametrize(("at", "layer", "marked_node", "marked_edge"), [
    ("2026-11-12 19:20", Layer.HUB, "hub", ("light.driveway", "hub", "radio")),
    ("2026-11-13 15:50", Layer.LOGIC, "automation.garage_opened_evening",
     ("automation.garage_opened_evening", "light.driveway", "acts_on")),
    ("2026-11-15 18:40", Layer.INTEGRATION, "simplisafe",
     ("alarm_control_panel.home_alarm", "simplisafe", "integration")),
    ("2026-11-18 19:00", Layer.TRIGGER, "person.alice", None),
], ids=["hub", "logic", "integration", "trigger"])
def test_each_layer_marks_its_element_and_the_link_that_broke(home: OpenHome, at: str, layer: Layer, marked_node: str,
                                                              marked_edge: tuple[str, str, str] | None) -> None:
    report = trace(home, at)
    assert report.broken_link is not None and report.broken_link.layer is layer, report.summary
    graph = home.graph

    def element(name: str) -> str:
        if name == "hub":
            driveway = graph.device_of("light.driveway")
            hub = graph.hub_of(driveway) if driveway else None
            assert hub is not None
            return hub.id
        if name == "simplisafe":
            (integration,) = graph.integrations_for_domain("simplisafe")
            return integration.id
        device = graph.device_of(name)
        return device.id if device else name

    root = parse(graph_svg(graph, report))
    assert [g.get("data-element") for g in broken(root) if "node" in classes(g)] == [element(marked_node)]
    edges = [(g.get("data-source"), g.get("data-target"), g.get("data-kind"))
             for g in broken(root) if "edge" in classes(g)]
    expected = [] if marked_edge is None else [(element(marked_edge[0]), element(marked_edge[1]), marked_edge[2])]
    assert edges == expected


def test_a_healthy_chain_marks_nothing(home: OpenHome) -> None:
    report = trace(home, "2026-11-10 18:15")
    assert report.verdict is Verdict.OK
    root = parse(graph_svg(home.graph, report))
    assert broken(root) == []
    assert all("passed" in classes(g) for g in groups(root, "node") if g.get("data-steps"))
    assert "the broken link" not in texts(root)


def test_the_same_report_gives_the_same_bytes_in_any_process(home: OpenHome, radio: TraceReport) -> None:
    assert graph_svg(home.graph, radio) == graph_svg(home.graph, radio)
    # A cap that cuts into the integrations: which ones are drawn must not depend on hashing either.
    cap = len(home.graph.devices) + 5
    assert len(home.graph.integrations) > 6
    program = (
        "import sys\nfrom pathlib import Path\nfrom weaklink.cli import parse_at\nfrom weaklink.home import open_home\n"
        "from weaklink.render import graph_svg\nfrom weaklink.scenario import load_scenario\n"
        f"with open_home(Path({str(HOME)!r})) as home:\n"
        f"    at = parse_at('2026-11-11 18:50', home.time_zone)\n"
        f"    report = home.tracer().trace(load_scenario(Path({str(DRIVEWAY)!r})), at)\n"
        "    sys.stdout.write(graph_svg(home.graph, report) + graph_svg(home.graph, max_nodes=CAP))\n"
    ).replace("CAP", str(cap))
    outputs = {
        subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert outputs == {graph_svg(home.graph, radio) + graph_svg(home.graph, max_nodes=cap)}


def test_the_example_home_pictures_are_inert(home: OpenHome, radio: TraceReport) -> None:
    for svg in (graph_svg(home.graph, radio), graph_svg(home.graph)):
        assert_inert(svg)
        # The SVG namespace and nothing else: not even the URL in an integration's error text.
        assert svg.count("http") == 1


# ------------------------------------------------------------ the whole home


def test_without_a_report_the_whole_home_is_drawn_hubs_with_their_devices(home: OpenHome) -> None:
    graph = home.graph
    root = parse(graph_svg(graph, max_nodes=500))
    drawn = {g.get("data-element") for g in groups(root, "node")}
    assert {d.id for d in graph.devices} <= drawn
    assert {i.id for i in graph.integrations if any(i.id in d.integration_ids for d in graph.devices)} <= drawn
    links = {(g.get("data-source"), g.get("data-target")) for g in groups(root, "edge")}
    for device in graph.devices:
        hub = graph.hub_of(device)
        if hub is not None:
            assert (device.id, hub.id) in links, device.name
    assert broken(root) == []
    assert "all drawn" in caption(root)


def test_the_whole_home_is_capped_and_the_caption_says_how_many_were_left_out(home: OpenHome) -> None:
    everything = len(groups(parse(graph_svg(home.graph, max_nodes=500)), "node"))
    root = parse(graph_svg(home.graph, max_nodes=12))
    assert len(groups(root, "node")) == 12
    assert f"{everything - 12} of {everything} left out" in caption(root)
    assert "12" in caption(root)
    # Edges only join what is drawn.
    drawn = {g.get("data-element") for g in groups(root, "node")}
    assert all({g.get("data-source"), g.get("data-target")} <= drawn for g in groups(root, "edge"))


# -------------------------------------------------------- hostile home names

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><svg onload=alert(1)><image href="http://evil.example/x.png"/>'
LONG = "The very long name of the light over the back garden shed by the old apple tree"


def hostile_home() -> HomeGraph:
    """A home whose names try to become markup."""
    bridge = Device(id="bridge", name=BREAKOUT, brand="Acme & Sons <b>", model="Bridge\x07 <i>2</i>", role=Role.HUB,
                    transport=Transport.ETHERNET, integration_ids=["entry"])
    lamp = Device(id='lamp"1', name=SCRIPT, brand="Acme", model="L1 onerror=alert(2)", hub_id="bridge",
                  transport=Transport.ZIGBEE, integration_ids=["entry"])
    shed = Device(id="shed", name=LONG, model="L2", hub_id="bridge", transport=Transport.ZIGBEE,
                  integration_ids=["entry"])
    return HomeGraph.from_fragments([HomeFragment(
        source="test", platform="homeassistant", devices=[bridge, lamp, shed],
        capabilities=[
            Capability(id="light.lamp", kind=CapabilityKind.LIGHT, name=SCRIPT, device_id='lamp"1',
                       integration_id="entry"),
            Capability(id="light.shed", kind=CapabilityKind.LIGHT, name=LONG, device_id="shed", integration_id="entry"),
            Capability(id="binary_sensor.door", kind=CapabilityKind.CONTACT, name="</title><script>x()</script>"),
        ],
        integrations=[Integration(id="entry", platform="homeassistant", domain="hue", title="]]><!-- <x onclick=y>")],
        automations=[Automation(
            entity_id="automation.evil", alias='<a href="javascript:alert(3)">go</a>',
            triggers=[Trigger(kind="state", entity_ids=["binary_sensor.door"])],
            actions=[Action(kind="service", path="action/0", service="light.turn_on",
                            targets=["light.lamp", "light.shed"])],
        )],
    )])


def hostile_report(element: str = "light.lamp", layer: Layer = Layer.RADIO) -> TraceReport:
    at = datetime(2026, 11, 11, 23, 40, tzinfo=timezone.utc)
    return TraceReport(
        weaklink_version="test", scenario=f"{SCRIPT} chain", home="test", mode="recorded", verdict=Verdict.BROKEN,
        summary=SCRIPT,
        broken_link=BrokenLink(element=element, element_name=BREAKOUT, layer=layer, cause="radio_link_lost",
                               summary=SCRIPT, responsible=SCRIPT, evidence=[], fix=SCRIPT, step=2, step_name=SCRIPT),
        steps=[
            StepReport(index=1, name=SCRIPT, subject="binary_sensor.door", expected="on", status=StepStatus.PASSED),
            StepReport(index=2, name=BREAKOUT, subject="light.lamp", expected="on", status=StepStatus.FAILED,
                       carried_by=["automation.evil"]),
            StepReport(index=3, name="shed", subject="light.shed", expected="on", status=StepStatus.NOT_REACHED),
        ],
        incident=Incident(requested_at=at, window_start=at, window_end=at, triggered_at=at),
    )


@pytest.mark.parametrize("with_report", [True, False], ids=["chain", "whole-home"])
def test_hostile_names_are_drawn_as_text_only(with_report: bool) -> None:
    home = hostile_home()
    svg = graph_svg(home, hostile_report() if with_report else None)
    assert_inert(svg)
    root = parse(svg)
    hover = [t.text or "" for t in root.iter(f"{SVG}title")]
    visible = texts(root)
    for name in (SCRIPT, BREAKOUT, LONG):
        assert any(name in h.splitlines() for h in hover), f"the full name {name!r} is in a <title>"
        assert any(t and name.startswith(t.removesuffix("…")) for t in visible), f"{name!r} is shown as text"
    # The quote in a device id stays inside its attribute.
    assert 'lamp"1' in {g.get("data-element") for g in groups(root, "node")}
    assert not any(name.startswith("on") for e in root.iter() for name in e.attrib)


def test_hostile_chain_still_marks_its_broken_link() -> None:
    root = parse(graph_svg(hostile_home(), hostile_report()))
    assert [g.get("data-element") for g in broken(root) if "node" in classes(g)] == ['lamp"1']
    assert [(g.get("data-source"), g.get("data-target")) for g in broken(root) if "edge" in classes(g)] == [
        ('lamp"1', "bridge")]


def test_long_names_are_cut_with_an_ellipsis_and_kept_whole_in_the_hover_text() -> None:
    root = parse(graph_svg(hostile_home(), hostile_report()))
    shed = node(root, "shed")
    label = texts(shed)[1]  # after its step badge
    assert label.endswith("…") and LONG.startswith(label[:-1]) and len(label) < 24
    assert (shed.find(f"{SVG}title").text or "").splitlines()[0] == LONG  # type: ignore[union-attr]


def test_a_control_character_in_a_name_does_not_break_the_xml() -> None:
    svg = graph_svg(hostile_home())
    parse(svg)
    assert "\x07" not in svg


def test_a_broken_element_outside_the_chain_is_added_and_marked() -> None:
    # An integration named by its id, which no step's subject leads to directly.
    home = hostile_home()
    report = hostile_report(element="entry", layer=Layer.INTEGRATION)
    root = parse(graph_svg(home, report))
    assert [g.get("data-element") for g in broken(root) if "node" in classes(g)] == ["entry"]
    assert [(g.get("data-source"), g.get("data-target")) for g in broken(root) if "edge" in classes(g)] == [
        ('lamp"1', "entry")]

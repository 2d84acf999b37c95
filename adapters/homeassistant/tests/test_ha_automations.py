"""Automations and scripts read as Home Assistant reads them."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from ha_fixtures import HOME, YAML
from weaklink.errors import ExportError
from weaklink.model import Automation
from weaklink_homeassistant.automations import load_automations, slugify, template_entities
from weaklink_homeassistant.registries import EntityRegistry, Registries, load_registries

REGISTRIES = load_registries(HOME)


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return tmp_path


def _only(tmp_path: Path, automations_yaml: str, registries: Registries | None = None) -> Automation:
    config = load_automations(_folder(tmp_path, {"automations.yaml": automations_yaml}), registries)
    (automation,) = config.automations
    return automation


def _home() -> dict[str, Automation]:
    return {a.entity_id: a for a in load_automations(HOME, REGISTRIES).automations}


def _comparable(automation: Automation) -> dict[str, object]:
    def strip(items: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in item.items() if k != "raw"} for item in items]

    data = automation.model_dump(exclude={"source"})
    return {**data, "triggers": strip(data["triggers"]), "conditions": strip(data["conditions"]), "actions": strip(data["actions"])}


def _parse_fixture(tmp_path: Path, name: str) -> Automation:
    target = tmp_path / name.replace(".", "_")
    target.mkdir()
    shutil.copy(YAML / name, target / "automations.yaml")
    (automation,) = load_automations(target).automations
    return automation


def test_both_syntaxes_normalize_identically(tmp_path: Path) -> None:
    old = _parse_fixture(tmp_path, "automations-2024.4.yaml")
    new = _parse_fixture(tmp_path, "automations-2024.10.yaml")
    assert _comparable(old) == _comparable(new)
    assert old.triggers[0].raw["platform"] == "state" and new.triggers[0].raw["trigger"] == "state"


def test_normalized_automation(tmp_path: Path) -> None:
    automation = _parse_fixture(tmp_path, "automations-2024.10.yaml")
    assert (automation.entity_id, automation.config_id, automation.alias, automation.mode) == (
        "automation.evening_arrival", "1731600000001", "Evening arrival", "queued")
    state, numeric, event = automation.triggers
    assert (state.kind, state.entity_ids, state.to) == ("state", ["person.alex", "person.sam"], ["home"])
    assert (numeric.kind, numeric.entity_ids, numeric.description) == ("numeric_state", ["sensor.driveway_lux"], "sensor.driveway_lux below 20")
    assert (event.event_type, event.event_data) == ("nice_go_barrier_opened", {"barrier": "garage"})
    alarm, either, shorthand = automation.conditions
    assert (alarm.kind, alarm.entity_ids, alarm.states) == ("state", ["alarm_control_panel.simplisafe"], ["armed_away", "armed_home"])
    assert either.kind == "or"
    assert either.entity_ids == ["sensor.driveway_lux"]
    assert either.description.startswith("or(sun after sunset, {{ states('sensor.driveway_lux')")
    assert (shorthand.kind, shorthand.entity_ids) == ("template", ["input_boolean.guest_mode"])
    assert automation.triggered_by() == {"person.alex", "person.sam", "sensor.driveway_lux"}


def test_nested_actions_are_flattened_with_their_trace_paths(tmp_path: Path) -> None:
    automation = _parse_fixture(tmp_path, "automations-2024.4.yaml")
    flat = [(a.path, a.kind, a.service, a.targets, a.expected_state) for a in automation.actions]
    assert flat == [
        ("action/0", "service", "cover.open_cover", ["cover.garage_door"], "open"),
        ("action/1/then/0", "service", "light.turn_on", ["light.driveway", "light.porch"], "on"),
        ("action/1/else/0", "service", "switch.turn_off", ["switch.porch_light"], "off"),
        ("action/2/choose/0/sequence/0", "service", "alarm_control_panel.alarm_disarm", ["alarm_control_panel.simplisafe"], "disarmed"),
        ("action/2/default/0", "service", "notify.mobile_app_pixel_8", [], None),
        ("action/3/parallel/0/sequence/0", "script", "script.turn_on", ["script.welcome_home"], None),
        ("action/3/parallel/1/sequence/0", "delay", None, [], None),
        ("action/3/parallel/1/sequence/1", "service", "climate.set_hvac_mode", ["climate.hallway"], "heat"),
        ("action/4/repeat/sequence/0", "service", "lock.lock", ["lock.front_door"], "locked"),
        ("action/5", "scene", "scene.turn_on", ["scene.evening"], None),
        ("action/6", "automation", "automation.trigger", ["automation.porch_light_at_dusk"], None),
    ]
    assert automation.actions[6].delay_seconds == 600
    assert automation.acts_on() >= {"cover.garage_door", "light.driveway", "script.welcome_home"}


def test_secrets_stay_unresolved_names(tmp_path: Path) -> None:
    automation = _parse_fixture(tmp_path, "automations-2024.4.yaml")
    disarm = automation.actions[3]
    assert disarm.raw["data"] == {"code": "**REDACTED**"}  # a code is masked even as a !secret reference
    assert "alarm_code" not in automation.model_dump_json()


@pytest.mark.parametrize(
    ("written", "expected", "refused"),
    [
        ("'on'", ["on"], False),
        ('"off"', ["off"], False),
        ("on", ["on"], True),
        ("off", ["off"], True),
        ("yes", ["on"], True),
        ("true", ["on"], True),
        ("[on, 'off']", ["on", "off"], True),
        ("['on', 'off']", ["on", "off"], False),
        ("onward", ["onward"], False),
    ],
)
def test_the_yaml_on_off_trap(tmp_path: Path, written: str, expected: list[str], refused: bool) -> None:
    config = load_automations(_folder(tmp_path, {"automations.yaml": f"""
        - alias: Motion light
          trigger:
            - platform: state
              entity_id: binary_sensor.garage_motion
              to: {written}
          action:
            - service: light.turn_on
              target: {{entity_id: light.garage}}
        """}))
    (automation,) = config.automations
    assert automation.triggers[0].to == expected
    assert automation.enabled is not refused
    warnings = [w for w in config.warnings if "quote it" in w.message]
    assert bool(warnings) is refused
    if refused:
        assert warnings[0].source == "automations.yaml" and warnings[0].line == 5


def test_the_trap_in_a_state_condition_is_found_too(tmp_path: Path) -> None:
    config = load_automations(_folder(tmp_path, {"automations.yaml": """
        - alias: Door check
          trigger: {platform: time, at: "22:00:00"}
          condition:
            - condition: state
              entity_id: binary_sensor.garage_door_contact
              state: off
          action: {service: cover.close_cover, entity_id: cover.garage_door}
        """}))
    (automation,) = config.automations
    assert automation.conditions[0].states == ["off"]
    assert not automation.enabled
    assert "state condition `state: off`" in config.warnings[0].message


def test_attribute_states_may_be_booleans(tmp_path: Path) -> None:
    automation = _only(tmp_path, """
        - alias: Charging
          trigger: {platform: state, entity_id: sensor.phone, attribute: is_charging, to: true}
          action: {service: light.turn_on, entity_id: light.desk}
        """)
    assert automation.enabled and automation.triggers[0].to == ["on"]


def test_entity_id_comes_from_the_registry_unique_id(tmp_path: Path) -> None:
    registries = Registries(entities=EntityRegistry.model_validate({"entities": [
        {"entity_id": "automation.renamed_by_user", "unique_id": "42", "platform": "automation"},
        {"entity_id": "automation.wake_up", "unique_id": "someone-else", "platform": "automation"},
    ]}))
    config = load_automations(_folder(tmp_path, {"automations.yaml": """
        - id: "42"
          alias: Wake up
          trigger: {platform: time, at: "07:00:00"}
          action: {service: light.turn_on, entity_id: light.bedroom}
        - alias: Wake up
          trigger: {platform: time, at: "07:05:00"}
          action: {service: light.turn_on, entity_id: light.hall}
        - trigger: {platform: time, at: "07:10:00"}
          action: {service: light.turn_on, entity_id: light.hall}
        """}), registries)
    assert [a.entity_id for a in config.automations] == [
        "automation.renamed_by_user",  # registry entry with unique_id = id
        "automation.wake_up_2",  # slug of the alias, taken by another entity: HA appends _2
        "automation.automation_2",  # no alias: HA names it after the key and its position
    ]


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Arrive home", "arrive_home"), ("Garage -- door!!", "garage_door"), ("  Café crème  ", "cafe_creme"), ("!!!", "unknown")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_the_home_fixture() -> None:
    automations = _home()
    assert set(automations) == {
        "automation.arrive_home", "automation.leave_home", "automation.garage_light_on_motion",
        "automation.front_door_unlocked", "automation.porch_light_at_dusk", "automation.motion_lights_the_porch",
        "automation.webhook_opens_garage", "automation.automation_old_1", "script.welcome_home", "script.garage_close",
    }
    arrive = automations["automation.arrive_home"]
    assert arrive.source is not None and (arrive.source.file, arrive.source.line) == ("automations.yaml", 1)
    assert arrive.enabled
    assert [a.path for a in arrive.actions] == ["action/0", "action/1/choose/0/sequence/0", "action/2", "action/3"]
    assert (arrive.actions[3].kind, arrive.actions[3].targets) == ("script", ["script.welcome_home"])
    assert automations["automation.porch_light_at_dusk"].source.file == "automations/porch.yaml"
    assert automations["automation.webhook_opens_garage"].source.file == "configuration.yaml"


def test_disabled_automations() -> None:
    automations = _home()
    assert not automations["automation.leave_home"].enabled  # disabled in the entity registry
    assert not automations["automation.garage_light_on_motion"].enabled  # turned off: core.restore_state says off
    assert not automations["automation.motion_lights_the_porch"].enabled  # refused by HA: unquoted on
    assert automations["automation.front_door_unlocked"].enabled


def test_initial_state_off_disables(tmp_path: Path) -> None:
    automation = _only(tmp_path, """
        - alias: Holiday lights
          initial_state: off
          trigger: {platform: sun, event: sunset}
          action: {service: switch.turn_on, entity_id: switch.tree}
        """)
    assert not automation.enabled


def test_device_triggers_and_actions_resolve_registry_uuids() -> None:
    unlocked = _home()["automation.front_door_unlocked"]
    (trigger,) = unlocked.triggers
    assert (trigger.kind, trigger.entity_ids, trigger.to) == ("device", ["lock.front_door"], ["unlocked"])
    assert [a.service for a in unlocked.actions] == ["notify.mobile_app_pixel_8"]  # the disabled step is skipped


def test_scripts() -> None:
    automations = _home()
    welcome = automations["script.welcome_home"]
    assert (welcome.kind, welcome.config_id, welcome.alias) == ("script", "welcome_home", "Welcome home")
    assert [(a.path, a.kind, a.delay_seconds) for a in welcome.actions] == [("sequence/0", "service", None), ("sequence/1", "delay", 30.0)]
    close = automations["script.garage_close"]  # from a package, written in the new syntax
    assert (close.source.file, close.actions[0].service, close.actions[0].expected_state) == (
        "packages/garage.yaml", "cover.close_cover", "closed")


def test_trigger_kinds(tmp_path: Path) -> None:
    automation = _only(tmp_path, """
        - alias: Many ways in
          trigger:
            - platform: zone
              entity_id: person.alex
              zone: zone.home
              event: enter
            - platform: homeassistant
              event: start
            - platform: time
              at: input_datetime.wake_up
            - platform: template
              value_template: "{{ is_state('cover.garage_door', 'open') and states.sun.sun.state == 'below_horizon' }}"
              for: "00:10"
            - platform: mqtt
              topic: zigbee2mqtt/doorbell
            - platform: webhook
              webhook_id: CANARY-WEBHOOK-ABC
            - platform: tag
              tag_id: front-door-nfc
            - platform: state
              entity_id: person.alex
              to:
              for: {minutes: 1}
              enabled: false
        """ + """
          action: {service: light.turn_on, entity_id: light.hall}
        """)
    zone, start, time, template, mqtt, webhook, tag = automation.triggers
    assert (zone.entity_ids, zone.to) == (["person.alex"], ["home"])
    assert start.event_type == "homeassistant_start"
    assert time.entity_ids == ["input_datetime.wake_up"]
    assert (template.entity_ids, template.for_seconds) == (["cover.garage_door", "sun.sun"], 600)
    assert mqtt.event_data == {"topic": "zigbee2mqtt/doorbell"}
    assert webhook.raw["webhook_id"] == "**REDACTED**"
    assert tag.description == "tag front-door-nfc scanned"
    assert "CANARY" not in automation.model_dump_json()


def test_service_targets_from_everywhere(tmp_path: Path) -> None:
    automation = _only(tmp_path, """
        - alias: Targets
          trigger: {platform: sun, event: sunset}
          action:
            - service: light.turn_on
              entity_id: light.a, light.b
            - service: light.turn_off
              data: {entity_id: [light.c]}
            - service: homeassistant.turn_on
              target: {entity_id: "{{ lights }}", device_id: abc123, area_id: [garage]}
            - service_template: "light.{{ 'turn_on' }}"
              entity_id: light.d
            - service: climate.turn_on
              entity_id: climate.hallway
            - service: climate.turn_off
              entity_id: climate.hallway
            - service: script.turn_off
              target: {entity_id: script.welcome_home}
            - service: automation.turn_off
              target: {entity_id: automation.leave_home}
            - event: garage_opened
              event_data: {by: automation}
            - wait_for_trigger: [{platform: state, entity_id: cover.garage_door, to: closed}]
              timeout: "00:02:00"
            - stop: Done
        """)
    summary = [(a.kind, a.service, a.targets, a.target_devices, a.target_areas, a.expected_state) for a in automation.actions]
    assert summary[:8] == [
        ("service", "light.turn_on", ["light.a", "light.b"], [], [], "on"),
        ("service", "light.turn_off", ["light.c"], [], [], "off"),
        ("service", "homeassistant.turn_on", [], ["abc123"], ["garage"], "on"),
        ("service", None, ["light.d"], [], [], None),
        ("service", "climate.turn_on", ["climate.hallway"], [], [], None),
        ("service", "climate.turn_off", ["climate.hallway"], [], [], "off"),
        ("script", "script.turn_off", ["script.welcome_home"], [], [], None),
        ("automation", "automation.turn_off", ["automation.leave_home"], [], [], "off"),
    ]
    event, wait, stop = automation.actions[8:]
    assert (event.kind, event.event_type) == ("event", "garage_opened")
    assert (wait.kind, wait.delay_seconds) == ("wait", 120)
    assert stop.kind == "stop"


def test_invalid_automations_are_skipped_and_reported(tmp_path: Path) -> None:
    config = load_automations(_folder(tmp_path, {"automations.yaml": """
        - alias: No trigger
          action: {service: light.turn_on, entity_id: light.a}
        - alias: Both syntaxes
          trigger: {platform: sun, event: sunset}
          triggers: {trigger: sun, event: sunset}
          action: {service: light.turn_on, entity_id: light.a}
        - alias: No action
          trigger: {platform: sun, event: sunset}
        - just a string
        - alias: Fine
          trigger: {platform: sun, event: sunset}
          action: {service: light.turn_on, entity_id: light.a}
        """}))
    assert [a.alias for a in config.automations] == ["Fine"]
    messages = [(w.line, w.message) for w in config.warnings]
    assert [line for line, _ in messages] == [1, 3, 7, 9]
    assert "no triggers" in messages[0][1]
    assert "both the old and the new key" in messages[1][1]
    assert "no actions" in messages[2][1]
    assert all(w.level == "WARNING" and w.source == "automations.yaml" for w in config.warnings)


def test_blueprint_automations_are_kept_and_noted(tmp_path: Path) -> None:
    config = load_automations(_folder(tmp_path, {"automations.yaml": """
        - id: '99'
          alias: Motion light (blueprint)
          use_blueprint:
            path: homeassistant/motion_light.yaml
            input:
              motion_entity: binary_sensor.garage_motion
              light_target: {entity_id: light.garage}
        """}))
    (automation,) = config.automations
    assert automation.entity_id == "automation.motion_light_blueprint"
    assert "blueprint homeassistant/motion_light.yaml" in config.warnings[0].message


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    _folder(tmp_path, {"automations.yaml": """
        - alias: Broken
          trigger:
            - platform: state
              entity_id: [light.a
          action: []
        """})
    with pytest.raises(ExportError) as caught:
        load_automations(tmp_path)
    assert caught.value.source == str(tmp_path / "automations.yaml")
    assert caught.value.line == 5


def test_malformed_included_file_names_that_file(home: Path) -> None:
    (home / "automations" / "porch.yaml").write_text("- alias: x\n  trigger: [\n")
    with pytest.raises(ExportError) as caught:
        load_automations(home)
    assert caught.value.source.endswith("porch.yaml") and caught.value.line is not None


def test_secrets_yaml_is_never_opened(home: Path) -> None:
    (home / "secrets.yaml").write_text("{{{ this is not YAML at all\n")
    config = load_automations(home, REGISTRIES)
    assert len(config.automations) == 10


def test_includes_never_leave_the_config_folder_nor_read_secrets(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("- alias: Outside\n  trigger: {platform: sun, event: sunset}\n  action: {service: light.turn_on}\n")
    config_dir = tmp_path / "config"
    _folder(config_dir, {
        "configuration.yaml": """
            automation: !include ../outside.yaml
            automation secret: !include secrets.yaml
            automation split: !include_dir_list split
            automation named: !include missing.yaml
            """,
        "secrets.yaml": "- alias: From secrets\n",
        "split/one.yaml": "alias: One\ntrigger: {platform: sun, event: sunset}\naction: {service: light.turn_on}\n",
        "split/.hidden.yaml": "alias: Hidden\ntrigger: {platform: sun, event: sunset}\naction: {service: light.turn_on}\n",
    })
    config = load_automations(config_dir)
    assert [a.alias for a in config.automations] == ["One"]
    assert [a.source.file for a in config.automations] == ["split/one.yaml"]
    text = " ".join(w.message for w in config.warnings)
    assert "outside the config folder" in text and "secrets.yaml is never read" in text and "no such file" in text


def test_without_configuration_yaml_the_ui_files_are_read(tmp_path: Path) -> None:
    shutil.copy(HOME / "automations.yaml", tmp_path / "automations.yaml")
    shutil.copy(HOME / "scripts.yaml", tmp_path / "scripts.yaml")
    config = load_automations(tmp_path, REGISTRIES)
    assert {a.entity_id for a in config.automations} == {
        "automation.arrive_home", "automation.leave_home", "automation.garage_light_on_motion",
        "automation.front_door_unlocked", "script.welcome_home",
    }


def test_an_empty_included_automations_yaml_is_fine(tmp_path: Path) -> None:
    _folder(tmp_path, {"configuration.yaml": "automation: !include automations.yaml\n", "automations.yaml": ""})
    config = load_automations(tmp_path)
    assert (config.automations, config.warnings) == ([], [])


def test_automations_yaml_not_included_is_not_loaded(tmp_path: Path) -> None:
    shutil.copy(HOME / "automations.yaml", tmp_path / "automations.yaml")
    (tmp_path / "configuration.yaml").write_text("default_config:\n")
    config = load_automations(tmp_path, REGISTRIES)
    assert config.automations == []
    assert "does not include it" in config.warnings[0].message


@pytest.mark.parametrize(
    ("template", "entities"),
    [
        ("{{ is_state('light.a', 'on') }}", ["light.a"]),
        ("{{ states(\"sensor.lux\") | float < 10 }}", ["sensor.lux"]),
        ("{{ states.binary_sensor.door.state }}", ["binary_sensor.door"]),
        ("{{ 'version.1' }}", []),
    ],
)
def test_template_entities(template: str, entities: list[str]) -> None:
    assert template_entities(template) == entities


def test_a_key_written_twice_is_read_as_home_assistant_reads_it(tmp_path: Path) -> None:
    """HA logs a duplicate key and keeps the last value; refusing the file would be stricter than HA."""
    config = load_automations(_folder(tmp_path, {"automations.yaml": """
        - id: porch
          alias: Porch light (old name)
          alias: Porch light at sunset
          triggers:
            - trigger: sun
              event: sunset
          actions:
            - action: light.turn_on
              target:
                entity_id: light.porch
              target:
                entity_id: light.driveway
        """}))
    (automation,) = config.automations
    assert automation.alias == "Porch light at sunset"
    assert automation.acts_on() == {"light.driveway"}
    assert [(w.source, w.line, w.message) for w in config.warnings] == [
        ("automations.yaml", 3, "key 'alias' is written twice (lines 2 and 3); the last one counts"),
        ("automations.yaml", 11, "key 'target' is written twice (lines 9 and 11); the last one counts"),
    ]

"""Automations and scripts, read the way Home Assistant reads them.

The files they are written in (configuration.yaml, its packages and includes) are found
and read by `yamlconfig`.

Both syntaxes are read into the same model: the old one (`trigger:` items with
`platform:`, `condition:`, `action:` items calling `service:`) and the one of HA 2024.10
(`triggers:` items with `trigger:`, `conditions:`, `actions:` items calling `action:`).

An automation HA refuses outright (no trigger, no action, old and new keys at once) is
skipped and reported as a warning in the fragment's log, as HA skips it. One HA refuses
because a state is compared with an unquoted `on` (YAML 1.1, which HA reads, makes it a
boolean; HA wants text) is kept, with its states read as "on"/"off", but disabled, with a
warning saying why: HA never runs it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from weaklink.model import Action, Automation, Condition, LogEntry, SourceRef, Trigger
from weaklink.redact import redact
from weaklink.yamlio import Tagged, plain

from .registries import Registries
from .yamlconfig import Item, Reader, collect, load_configuration, node_line

_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")
_YAML11_BOOLS = {
    "yes": True, "Yes": True, "YES": True, "true": True, "True": True, "TRUE": True,
    "on": True, "On": True, "ON": True,
    "no": False, "No": False, "NO": False, "false": False, "False": False, "FALSE": False,
    "off": False, "Off": False, "OFF": False,
}
_ENTITY_DOMAINS = frozenset(
    {"alarm_control_panel", "automation", "binary_sensor", "button", "calendar", "camera", "climate",
     "counter", "cover", "date", "datetime", "device_tracker", "event", "fan", "group", "humidifier",
     "image", "input_boolean", "input_button", "input_datetime", "input_number", "input_select",
     "input_text", "lawn_mower", "light", "lock", "media_player", "notify", "number", "person", "remote",
     "scene", "schedule", "script", "select", "sensor", "siren", "sun", "switch", "text", "time", "timer",
     "todo", "update", "vacuum", "valve", "water_heater", "weather", "zone"}
)
_TEMPLATE_ENTITY = re.compile(r"""['"]([a-z_]+\.[a-z0-9_]+)['"]|\bstates\.([a-z_]+)\.([a-z0-9_]+)""")

# The state a service leaves its targets in, when the service alone says so.
_SERVICE_STATES = {
    "turn_on": "on",
    "turn_off": "off",
    "open_cover": "open",
    "close_cover": "closed",
    "lock": "locked",
    "unlock": "unlocked",
    "open_valve": "open",
    "close_valve": "closed",
    "alarm_disarm": "disarmed",
    "alarm_arm_home": "armed_home",
    "alarm_arm_away": "armed_away",
    "alarm_arm_night": "armed_night",
    "alarm_arm_vacation": "armed_vacation",
    "alarm_arm_custom_bypass": "armed_custom_bypass",
    "alarm_trigger": "triggered",
}
# turn_on there resumes a previous mode rather than reaching the state "on".
_TURN_ON_WITHOUT_STATE = frozenset({"climate", "media_player", "water_heater", "vacuum", "script"})
_DEVICE_ACTION_STATES = {
    "turn_on": "on",
    "turn_off": "off",
    "lock": "locked",
    "unlock": "unlocked",
    "open": "open",
    "close": "closed",
    "arm_away": "armed_away",
    "arm_home": "armed_home",
    "arm_night": "armed_night",
    "disarm": "disarmed",
}
_DEVICE_TRIGGER_STATES = {
    "turned_on": "on", "turned_off": "off", "locked": "locked", "unlocked": "unlocked",
    "opened": "open", "closed": "closed", "is_on": "on", "is_off": "off",
}
# HA's script action types, in the order HA itself resolves an ambiguous item.
_ACTION_KEYS = (
    "delay", "wait_template", "condition", "and", "or", "not", "event", "device_id", "scene", "repeat",
    "choose", "wait_for_trigger", "variables", "if", "action", "service", "service_template", "stop",
    "parallel", "sequence", "set_conversation_response",
)


def slugify(text: str) -> str:
    """HA's slugify: ASCII, lower case, runs of anything else become one '_', trimmed."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return slug or "unknown"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _yaml11_bool(value: Any) -> bool | None:
    """A flag as HA's YAML 1.1 reader sees it (`off` and `no` are false there), or None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _YAML11_BOOLS.get(value.strip())
    return None


def _disabled(node: Any) -> bool:
    """Whether an item says `enabled: false` (HA skips it)."""
    return isinstance(node, dict) and _yaml11_bool(node.get("enabled")) is False


def _state_text(value: Any) -> str | None:
    """A state as HA compares it: always text; YAML booleans read as on/off."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None or isinstance(value, (dict, list, Tagged)):
        return None
    return str(value)


def _seconds(value: Any) -> float | None:
    """A duration as HA accepts it (seconds, 'HH:MM[:SS]', or a mapping), or None for templates."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        units = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
        try:
            return sum(float(value.get(unit, 0) or 0) * factor for unit, factor in units.items())
        except (TypeError, ValueError):
            return None
    if isinstance(value, str) and (match := re.fullmatch(r"\s*(-?\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*", value)):
        hours, minutes, seconds = int(match[1]), int(match[2]), float(match[3] or 0)
        return hours * 3600 + minutes * 60 + seconds
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def template_entities(text: Any) -> list[str]:
    """Entity ids a template refers to (`states('light.x')`, `is_state("sun.sun", …)`, `states.light.x`)."""
    if not isinstance(text, str):
        return []
    found = []
    for match in _TEMPLATE_ENTITY.finditer(text):
        entity_id = match.group(1) or f"{match.group(2)}.{match.group(3)}"
        if entity_id.split(".", 1)[0] in _ENTITY_DOMAINS:
            found.append(entity_id)
    return list(dict.fromkeys(found))


def _raw(node: Any) -> dict[str, object]:
    """The item as written, as plain data, with secret values masked."""
    def _clean(value: Any) -> Any:
        if isinstance(value, Tagged):
            return str(value)
        if isinstance(value, dict):
            return {str(k): _clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [_clean(v) for v in value]
        return value

    value = _clean(plain(node))
    return redact(value) if isinstance(value, dict) else {"value": value}


@dataclass
class _Context:
    """What normalizing one automation needs to know and collects."""

    reader: Reader
    file: Path
    registry_ids: dict[str, str]
    refusals: list[tuple[str, int | None]] = field(default_factory=list)

    def entity(self, value: Any) -> str | None:
        """An entity id as written, or the entity a registry uuid stands for."""
        if not isinstance(value, str):
            return None
        value = value.strip()
        if value in self.registry_ids:
            return self.registry_ids[value]
        return value if _ENTITY_ID.match(value) else None

    def entities(self, value: Any) -> list[str]:
        """Entity ids from a string (comma-separated allowed), a list, or a uuid."""
        found = []
        for item in _as_list(value):
            parts = item.split(",") if isinstance(item, str) and not _is_template(item) else [item]
            for part in parts:
                entity_id = self.entity(part)
                if entity_id:
                    found.append(entity_id)
        return list(dict.fromkeys(found))

    def states(self, node: Any, key: str, what: str) -> list[str]:
        """The states under `key` as HA reads them (text; YAML 1.1 booleans as on/off).

        Without `attribute`, HA requires text there and refuses a boolean or a number: that
        refusal is recorded with the line it was written on.
        """
        if not isinstance(node, dict) or key not in node:
            return []
        value = node[key]
        if isinstance(value, CommentedSeq):
            positions = [value.lc.item(i) for i in range(len(value))]
        else:
            try:
                positions = [node.lc.value(key)] if isinstance(node, CommentedMap) else [None]
            except (KeyError, TypeError):
                positions = [None]
        lines = self.reader.lines.get(self.file.resolve(), []) if self.reader.lines else []
        states = []
        for item, position in zip(_as_list(value), positions or [None] * len(_as_list(value)), strict=False):
            word = _yaml11_bool_word(item, position, lines)
            if word is not None:
                item = _YAML11_BOOLS[word]
            text = _state_text(item)
            if text is None:
                continue
            states.append(text)
            if "attribute" not in node and (word is not None or isinstance(item, (bool, int, float))):
                shown = word or (str(item).lower() if isinstance(item, bool) else str(item))
                kind = "number" if isinstance(item, (int, float)) and not isinstance(item, bool) else "boolean"
                line = position[0] + 1 if position else node_line(node)
                self.refusals.append(
                    (
                        f"{what} `{key}: {shown}` is read by Home Assistant's YAML as a {kind}, not as text, "
                        f"so Home Assistant refuses this automation: quote it ('{shown}')",
                        line,
                    )
                )
        return states


def _yaml11_bool_word(value: Any, position: tuple[int, int] | None, lines: list[str]) -> str | None:
    """The word when an unquoted scalar is a boolean to YAML 1.1 (HA's reader) but text to us."""
    if not isinstance(value, str) or position is None or value not in _YAML11_BOOLS:
        return None
    line, column = position
    if line >= len(lines):
        return None
    source = lines[line][column:]
    if source.startswith(("'", '"')):
        return None
    return value if re.match(re.escape(value) + r"(\s|,|\]|\}|#|$)", source) else None


def _trigger(node: Any, ctx: _Context) -> list[Trigger]:
    if not isinstance(node, dict) or _disabled(node):
        return []
    if "triggers" in node and "trigger" not in node and "platform" not in node:
        return [t for nested in _as_list(node["triggers"]) for t in _trigger(nested, ctx)]
    kind = node.get("trigger", node.get("platform"))
    if not isinstance(kind, str):
        return [Trigger(kind="unknown", description="trigger without a platform", raw=_raw(node))]
    entity_ids = ctx.entities(node.get("entity_id"))
    target = node.get("target")
    if isinstance(target, dict):
        entity_ids += [e for e in ctx.entities(target.get("entity_id")) if e not in entity_ids]
    trigger = Trigger(kind=kind, entity_ids=entity_ids, raw=_raw(node))
    if kind == "state":
        trigger.to = ctx.states(node, "to", "state trigger")
        trigger.from_ = ctx.states(node, "from", "state trigger")
        ctx.states(node, "not_to", "state trigger")
        ctx.states(node, "not_from", "state trigger")
        trigger.for_seconds = _seconds(node.get("for"))
        parts = [f"{' or '.join(entity_ids) or 'an entity'}"]
        if node.get("attribute"):
            parts.append(f"attribute {node['attribute']}")
        if trigger.from_:
            parts.append(f"from {' or '.join(trigger.from_)}")
        if trigger.to:
            parts.append(f"to {' or '.join(trigger.to)}")
        elif "to" in node and node["to"] is None:
            parts.append("changes state")
        if trigger.for_seconds:
            parts.append(f"for {trigger.for_seconds:g}s")
        trigger.description = " ".join(parts)
    elif kind == "numeric_state":
        trigger.for_seconds = _seconds(node.get("for"))
        bounds = [f"{word} {node[word]}" for word in ("above", "below") if word in node]
        trigger.entity_ids += [
            e for b in ("above", "below") for e in ctx.entities(node.get(b)) if e not in trigger.entity_ids
        ]
        trigger.description = f"{' or '.join(trigger.entity_ids)} {' and '.join(bounds)}".strip()
    elif kind == "event":
        types = [str(t) for t in _as_list(node.get("event_type")) if not isinstance(t, Tagged)]
        trigger.event_type = types[0] if types else None
        data = node.get("event_data")
        trigger.event_data = _raw(data) if isinstance(data, dict) else {}
        trigger.description = f"event {' or '.join(types)}"
    elif kind == "zone":
        zone, event = node.get("zone"), node.get("event", "enter")
        if zone == "zone.home":
            (trigger.to if event == "enter" else trigger.from_).append("home")
        trigger.description = f"{' or '.join(entity_ids)} {event}s {zone}"
    elif kind == "homeassistant":
        trigger.event_type = f"homeassistant_{node.get('event')}" if node.get("event") else None
        trigger.description = f"Home Assistant {node.get('event')}"
    elif kind == "time":
        moments = _as_list(node.get("at"))
        trigger.entity_ids = [e for m in moments for e in ctx.entities(m.get("entity_id") if isinstance(m, dict) else m)]
        trigger.description = f"at {', '.join(str(m) for m in moments)}"
    elif kind == "sun":
        trigger.entity_ids = ["sun.sun"]
        offset = f" {node['offset']}" if node.get("offset") else ""
        trigger.description = f"{node.get('event')}{offset}"
    elif kind == "template":
        trigger.entity_ids = template_entities(node.get("value_template"))
        trigger.for_seconds = _seconds(node.get("for"))
        trigger.description = f"template {node.get('value_template')}".strip()
    elif kind == "mqtt":
        trigger.event_data = {k: str(node[k]) for k in ("topic", "payload") if k in node}
        trigger.description = f"MQTT message on {node.get('topic')}"
    elif kind == "device":
        trigger.event_type = str(node.get("type")) if node.get("type") else None
        if (state := _DEVICE_TRIGGER_STATES.get(str(node.get("type")))) is not None:
            trigger.to = [state]
        trigger.description = f"device {node.get('device_id')} {node.get('type')}"
    elif kind == "webhook":
        trigger.description = "webhook"  # the webhook id is a secret: it is masked in raw
    elif kind == "tag":
        trigger.description = f"tag {node.get('tag_id')} scanned"
    else:
        trigger.description = kind
    return [trigger]


def _condition(node: Any, ctx: _Context) -> Condition | None:
    if isinstance(node, str):  # shorthand template condition
        return Condition(kind="template", entity_ids=template_entities(node), description=node, raw={"value_template": node})
    if not isinstance(node, dict) or _disabled(node):
        return None
    kind = node.get("condition")
    nested_key = next((key for key in ("and", "or", "not") if key in node), None)
    if kind is None and nested_key:  # shorthand `- or: [...]`
        kind, nested = nested_key, node[nested_key]
    else:
        nested = node.get("conditions")
    if _is_template(kind):
        return Condition(kind="template", entity_ids=template_entities(kind), description=str(kind), raw=_raw(node))
    kind = str(kind) if kind is not None else "unknown"
    condition = Condition(kind=kind, entity_ids=ctx.entities(node.get("entity_id")), raw=_raw(node))
    if kind in ("and", "or", "not"):
        children = [c for c in (_condition(child, ctx) for child in _as_list(nested)) if c is not None]
        condition.entity_ids = list(dict.fromkeys(e for child in children for e in child.entity_ids))
        inner = ", ".join(child.description or child.kind for child in children)
        condition.description = f"{kind}({inner})"
    elif kind == "state":
        condition.states = ctx.states(node, "state", "state condition")
        condition.attribute = str(node["attribute"]) if node.get("attribute") else None
        subject = " and ".join(condition.entity_ids) or "an entity"
        if condition.attribute:
            subject += f" attribute {condition.attribute}"
        condition.description = f"{subject} is {' or '.join(condition.states)}"
    elif kind == "numeric_state":
        for bound in ("above", "below"):
            value = node.get(bound)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(condition, bound, float(value))
            else:
                condition.entity_ids += [e for e in ctx.entities(value) if e not in condition.entity_ids]
        condition.attribute = str(node["attribute"]) if node.get("attribute") else None
        bounds = " and ".join(f"{b} {node[b]}" for b in ("above", "below") if b in node)
        condition.description = f"{' and '.join(ctx.entities(node.get('entity_id')))} {bounds}".strip()
    elif kind == "sun":
        parts = [f"{word} {node[word]}" for word in ("after", "before") if word in node]
        condition.description = "sun " + " and ".join(parts)
    elif kind == "time":
        parts = [f"{word} {node[word]}" for word in ("after", "before") if word in node]
        condition.entity_ids = [e for w in ("after", "before") for e in ctx.entities(node.get(w))]
        if node.get("weekday"):
            parts.append(f"on {', '.join(map(str, _as_list(node['weekday'])))}")
        condition.description = "time " + " and ".join(parts)
    elif kind == "template":
        condition.entity_ids = template_entities(node.get("value_template"))
        condition.description = str(node.get("value_template", ""))
    elif kind == "zone":
        condition.description = f"{' and '.join(condition.entity_ids)} in {node.get('zone')}"
        condition.states = ["home"] if node.get("zone") == "zone.home" else []
    elif kind == "device":
        condition.description = f"device {node.get('device_id')} {node.get('type')}"
        if (state := _DEVICE_TRIGGER_STATES.get(str(node.get("type")))) is not None:
            condition.states = [state]
    elif kind == "trigger":
        condition.description = f"triggered by {node.get('id')}"
    else:
        condition.description = kind
    return condition


def _action_type(node: dict[str, Any]) -> str | None:
    return next((key for key in _ACTION_KEYS if key in node), None)


def _service_action(node: dict[str, Any], path: str, ctx: _Context) -> Action:
    service = node.get("action", node.get("service", node.get("service_template")))
    service = service.strip() if isinstance(service, str) else None
    if service is not None and (_is_template(service) or "." not in service):
        service = None
    targets: list[str] = []
    devices: list[str] = []
    areas: list[str] = []
    target = node.get("target")
    if isinstance(target, dict):
        targets += ctx.entities(target.get("entity_id"))
        devices += [str(d) for d in _as_list(target.get("device_id")) if isinstance(d, str) and not _is_template(d)]
        areas += [str(a) for a in _as_list(target.get("area_id")) if isinstance(a, str) and not _is_template(a)]
    targets += ctx.entities(node.get("entity_id"))
    for data_key in ("data", "data_template"):
        data = node.get(data_key)
        if isinstance(data, dict):
            targets += ctx.entities(data.get("entity_id"))
    targets = list(dict.fromkeys(targets))
    action = Action(
        kind="service", path=path, service=service, targets=targets, target_devices=devices, target_areas=areas,
        raw=_raw(node),
    )
    if service is None:
        return action
    domain, name = service.split(".", 1)
    data = node.get("data") if isinstance(node.get("data"), dict) else {}
    if domain == "script":
        action.kind = "script"
        if name not in ("turn_on", "turn_off", "toggle", "reload"):
            action.targets = [service]
    elif domain == "automation":
        action.kind = "automation"
        action.expected_state = _SERVICE_STATES.get(name) if name in ("turn_on", "turn_off") else None
    elif domain == "scene" and name in ("turn_on", "apply"):
        action.kind = "scene"
    elif name in ("set_hvac_mode",) and isinstance(data.get("hvac_mode"), str) and not _is_template(data["hvac_mode"]):
        action.expected_state = data["hvac_mode"]
    elif name == "select_option" and isinstance(data.get("option"), str) and not _is_template(data["option"]):
        action.expected_state = data["option"]
    elif not (name == "turn_on" and domain in _TURN_ON_WITHOUT_STATE):
        action.expected_state = _SERVICE_STATES.get(name)
    return action


def _actions(nodes: Any, prefix: str, ctx: _Context) -> list[Action]:
    """Flatten a sequence of actions, keeping the trace path of each leaf."""
    flat: list[Action] = []
    for index, node in enumerate(_as_list(nodes)):
        path = f"{prefix}/{index}"
        if not isinstance(node, dict) or _disabled(node):
            continue
        kind = _action_type(node)
        if kind in ("action", "service", "service_template"):
            flat.append(_service_action(node, path, ctx))
        elif kind == "scene":
            scene = ctx.entity(node["scene"])
            flat.append(Action(kind="scene", path=path, service="scene.turn_on", targets=[scene] if scene else [], raw=_raw(node)))
        elif kind == "event":
            flat.append(Action(kind="event", path=path, event_type=str(node["event"]), raw=_raw(node)))
        elif kind == "delay":
            flat.append(Action(kind="delay", path=path, delay_seconds=_seconds(node["delay"]), raw=_raw(node)))
        elif kind in ("wait_template", "wait_for_trigger"):
            flat.append(Action(kind="wait", path=path, delay_seconds=_seconds(node.get("timeout")), raw=_raw(node)))
        elif kind == "device_id":
            entity = ctx.entity(node.get("entity_id"))
            flat.append(
                Action(
                    kind="device", path=path, targets=[entity] if entity else [],
                    target_devices=[str(node["device_id"])] if isinstance(node["device_id"], str) else [],
                    expected_state=_DEVICE_ACTION_STATES.get(str(node.get("type"))), raw=_raw(node),
                )
            )
        elif kind in ("condition", "and", "or", "not"):
            _condition(node, ctx)  # checked for refusals; a condition step acts on nothing
            flat.append(Action(kind="condition", path=path, raw=_raw(node)))
        elif kind == "repeat":
            repeat = node["repeat"] if isinstance(node["repeat"], dict) else {}
            for cond_key in ("while", "until"):
                for cond in _as_list(repeat.get(cond_key)):
                    _condition(cond, ctx)
            flat += _actions(repeat.get("sequence"), f"{path}/repeat/sequence", ctx)
        elif kind == "choose":
            for option_no, option in enumerate(_as_list(node["choose"])):
                if isinstance(option, dict):
                    for cond in _as_list(option.get("conditions")):
                        _condition(cond, ctx)
                    flat += _actions(option.get("sequence"), f"{path}/choose/{option_no}/sequence", ctx)
            flat += _actions(node.get("default"), f"{path}/default", ctx)
        elif kind == "if":
            for cond in _as_list(node["if"]):
                _condition(cond, ctx)
            flat += _actions(node.get("then"), f"{path}/then", ctx)
            flat += _actions(node.get("else"), f"{path}/else", ctx)
        elif kind == "parallel":
            for branch_no, branch in enumerate(_as_list(node["parallel"])):
                is_sequence = isinstance(branch, dict) and _action_type(branch) == "sequence"
                steps = branch["sequence"] if is_sequence else branch  # HA wraps a bare action in a sequence
                flat += _actions(steps, f"{path}/parallel/{branch_no}/sequence", ctx)
        elif kind == "sequence":
            flat += _actions(node["sequence"], f"{path}/sequence", ctx)
        elif kind == "stop":
            flat.append(Action(kind="stop", path=path, raw=_raw(node)))
        elif kind == "variables":
            flat.append(Action(kind="variables", path=path, raw=_raw(node)))
        else:
            flat.append(Action(kind="other", path=path, raw=_raw(node)))
    return flat


def _entity_id_for(
    platform: str, config_id: str | None, fallback_object_id: str, registries: Registries, taken: set[str]
) -> str:
    if config_id is not None and (entry := registries.entity_by_unique_id(platform, config_id)) is not None:
        taken.add(entry.entity_id)
        return entry.entity_id
    preferred = f"{platform}.{fallback_object_id}"
    entity_id, tries = preferred, 1
    while entity_id in taken:
        tries += 1
        entity_id = f"{preferred}_{tries}"
    taken.add(entity_id)
    return entity_id


def _registry_disabled(entity_id: str, registries: Registries) -> bool:
    return any(e.entity_id == entity_id and e.disabled_by for e in registries.entities.entities)


def _pick(config: dict[str, Any], new: str, old: str) -> tuple[Any, bool]:
    """The value under the new or the old key, and whether both were given (HA refuses that)."""
    return config.get(new, config.get(old)), new in config and old in config


def _automation(
    item: Item, reader: Reader, registries: Registries, taken: set[str], uuids: dict[str, str]
) -> Automation | None:
    config, line = item.config, node_line(item.config) or item.line
    source = SourceRef(file=reader.rel(item.file), line=line)
    if not isinstance(config, dict):
        reader.warn("an automation must be a mapping; Home Assistant skips this one", item.file, line)
        return None
    ctx = _Context(reader, item.file, uuids)
    config_id = str(config["id"]) if config.get("id") is not None else None
    alias = str(config["alias"]) if config.get("alias") is not None else None
    name = alias or f"{item.config_key} {item.list_no}"
    automation = Automation(
        entity_id="",
        config_id=config_id,
        alias=alias,
        mode=str(config.get("mode", "single")),
        source=source,
    )
    if "use_blueprint" in config:
        blueprint = config["use_blueprint"]
        path = blueprint.get("path") if isinstance(blueprint, dict) else None
        reader.warn(f"automation {name!r} uses blueprint {path}: its triggers and actions are not expanded", item.file, line)
    else:
        triggers, both_t = _pick(config, "triggers", "trigger")
        conditions, both_c = _pick(config, "conditions", "condition")
        actions, both_a = _pick(config, "actions", "action")
        problems = []
        if both_t or both_c or both_a:
            problems.append("it gives both the old and the new key for the same section")
        if triggers is None:
            problems.append("it has no triggers")
        if actions is None:
            problems.append("it has no actions")
        if problems:
            reader.warn(f"automation {name!r} is invalid and Home Assistant skips it: {'; '.join(problems)}", item.file, line)
            return None
        automation.triggers = [t for node in _as_list(triggers) for t in _trigger(node, ctx)]
        automation.conditions = [c for c in (_condition(node, ctx) for node in _as_list(conditions)) if c is not None]
        automation.actions = _actions(actions, "action", ctx)
    automation.entity_id = _entity_id_for("automation", config_id, slugify(name), registries, taken)
    enabled = True
    initial_state = _yaml11_bool(config.get("initial_state"))
    if initial_state is False:
        enabled = False
    elif initial_state is None and registries.restored_states.get(automation.entity_id) == "off":
        enabled = False  # turned off in the UI; HA restores that at start
    if _registry_disabled(automation.entity_id, registries):
        enabled = False
    for message, refusal_line in ctx.refusals:
        reader.warn(f"automation {name!r}: {message}", item.file, refusal_line)
        enabled = False
    automation.enabled = enabled
    return automation


def _script(
    item: Item, reader: Reader, registries: Registries, taken: set[str], uuids: dict[str, str]
) -> Automation | None:
    config, key = item.config, item.script_key or "script"
    line = node_line(config)
    if not isinstance(config, dict):
        reader.warn(f"script {key!r} must be a mapping; Home Assistant skips it", item.file, line, integration="script")
        return None
    ctx = _Context(reader, item.file, uuids)
    if "use_blueprint" not in config and config.get("sequence") is None:
        reader.warn(f"script {key!r} has no sequence; Home Assistant skips it", item.file, line, integration="script")
        return None
    script = Automation(
        entity_id=_entity_id_for("script", key, key, registries, taken),
        config_id=key,
        alias=str(config["alias"]) if config.get("alias") is not None else None,
        kind="script",
        mode=str(config.get("mode", "single")),
        actions=_actions(config.get("sequence"), "sequence", ctx),
        source=SourceRef(file=reader.rel(item.file), line=line),
    )
    script.enabled = not _registry_disabled(script.entity_id, registries)
    for message, refusal_line in ctx.refusals:
        reader.warn(f"script {key!r}: {message}", item.file, refusal_line, integration="script")
        script.enabled = False
    return script


@dataclass
class AutomationConfig:
    """What the config folder says about automations and scripts."""

    automations: list[Automation]
    warnings: list[LogEntry]
    configuration: Any = None


def load_automations(root: Path, registries: Registries | None = None) -> AutomationConfig:
    """Read every automation and script of the config folder at `root`.

    Raises ExportError (file and line) when a YAML file is malformed; automations HA
    itself would skip are skipped and reported in `warnings`.
    """
    registries = registries or Registries()
    warnings: list[LogEntry] = []
    reader = Reader(root=root, warnings=warnings)
    configuration = load_configuration(root, reader)
    automation_items, script_items = collect(root, configuration, reader)
    taken = {entity.entity_id for entity in registries.entities.entities}
    uuids = registries.entity_ids_by_registry_id()
    found = []
    for item in automation_items:
        if (automation := _automation(item, reader, registries, taken, uuids)) is not None:
            found.append(automation)
    for item in script_items:
        if (script := _script(item, reader, registries, taken, uuids)) is not None:
            found.append(script)
    return AutomationConfig(automations=found, warnings=warnings, configuration=configuration)


@dataclass
class _ApiReader(Reader):
    """A reader for configuration that came over the API rather than from a file: every
    place is named by one label (the host and the command it came from)."""

    label: str = ""

    def rel(self, path: Path) -> str:
        return self.label


def automation_from_config(
    config: dict[str, Any], *, label: str, registries: Registries, taken: set[str]
) -> tuple[Automation | None, list[LogEntry]]:
    """One automation from its configuration as Home Assistant's API returns it
    (`automation/config`, or a trace's `config`), normalized exactly as one read from YAML.

    `label` names where it came from; `taken` holds the entity ids already in use. Returns the
    automation (None when HA would refuse it) and the warnings about it.
    """
    warnings: list[LogEntry] = []
    reader = _ApiReader(root=Path(label), warnings=warnings, label=label)
    item = Item(config=config, file=Path(label))
    automation = _automation(item, reader, registries, taken, registries.entity_ids_by_registry_id())
    return automation, warnings

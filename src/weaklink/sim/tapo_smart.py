"""The SMART protocol's methods as a simulated Tapo plug or power strip answers them.

Once a KLAP session decrypted a request (`weaklink.sim.tapo`), what is left is SMART JSON:
`{"method": "get_device_info", "params": {…}, "request_time_milis": …, "terminal_uuid": …}`,
answered `{"error_code": 0, "result": {…}}`. A refusal is a negative `error_code` without a
result: `-1002` for a method the device does not have, `-1008` for bad parameters, `-1003`
for a request that is no JSON.

- `multipleRequest` `{"requests": [{"method", "params"}, …]}` answers
  `{"responses": [{"method", "result", "error_code"}, …]}`, one per request, in order;
- `control_child` `{"device_id": <outlet id>, "requestData": {"method", "params"}}` runs the
  inner request (a single method, or a multipleRequest) on one of a strip's outlets and
  answers `{"responseData": {"error_code", "result"}}`;
- lists (`get_child_device_list`, `get_child_device_component_list`) come in pages of
  `PAGE` entries from `params.start_index`, with `start_index` and `sum` beside the list;
- `set_device_info {"device_on": bool}` switches the relay (an outlet's, through
  `control_child`); `{"nickname": <base64>}` renames it.

The answers have the shape of python-kasa's fixtures of the same models (field names and
their kinds; the values are the simulated device's own): the nickname and the Wi-Fi name are
base64, a MAC is written with dashes, coordinates are degrees × 10000, energy in Wh,
`get_current_power` in W and `get_energy_usage.current_power` in mW.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tapo import TapoDevice

SUCCESS = 0
UNKNOWN_METHOD = -1002
JSON_DECODE_FAIL = -1003
PARAMS_ERROR = -1008
PAGE = 10  # entries per page of a child list

Method = Callable[[dict[str, Any]], dict[str, Any]]


def b64(text: str) -> str:
    """`text` as the SMART protocol keeps names: base64 of its UTF-8."""
    return base64.b64encode(text.encode()).decode()


def components(ids: list[tuple[str, int]]) -> dict[str, Any]:
    """A `component_list` answer."""
    return {"component_list": [{"id": name, "ver_code": version} for name, version in ids]}


# What a P110's and a P300's firmware negotiate (python-kasa's fixtures of both models); an
# outlet of a strip has a list of its own.
PLUG_COMPONENTS = [
    ("device", 2), ("firmware", 2), ("quick_setup", 3), ("time", 1), ("wireless", 1), ("schedule", 1),
    ("countdown", 1), ("antitheft", 1), ("account", 1), ("synchronize", 1), ("sunrise_sunset", 1), ("led", 1),
    ("cloud_connect", 1), ("iot_cloud", 1), ("device_local_time", 1), ("default_states", 1), ("auto_off", 1),
    ("localSmart", 1),
]
METER_COMPONENTS = [("energy_monitoring", 1), ("power_protection", 1), ("current_protection", 1)]
STRIP_COMPONENTS = [
    ("device", 2), ("firmware", 1), ("quick_setup", 1), ("time", 1), ("wireless", 1), ("schedule", 1),
    ("countdown", 1), ("antitheft", 1), ("account", 1), ("synchronize", 1), ("sunrise_sunset", 1), ("led", 1),
    ("cloud_connect", 1), ("iot_cloud", 1), ("device_local_time", 1), ("default_states", 1), ("control_child", 1),
    ("child_device", 1), ("homekit", 1),
]
OUTLET_COMPONENTS = [
    ("device", 1), ("firmware", 1), ("time", 1), ("schedule", 1), ("countdown", 1), ("auto_off", 1),
    ("default_states", 1), ("overheat_protection", 1),
]


class SmartMethods:
    """Answers SMART requests for one simulated device, from its state."""

    def __init__(self, device: TapoDevice) -> None:
        self.device = device
        self.started = time.time()

    # -------------------------------------------------------------- dispatch

    def answer(self, request: Any) -> dict[str, Any]:
        """The answer to one decrypted request (already parsed JSON)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"error_code": JSON_DECODE_FAIL}
        return self.call(request["method"], request.get("params"), outlet=None)

    def call(self, method: str, params: Any, outlet: int | None) -> dict[str, Any]:
        """`{"error_code", "result"}` of one method, on the device or on one of its outlets."""
        params = params if isinstance(params, dict) else {}
        if method == "multipleRequest":
            return self._multiple(params, outlet)
        if method == "control_child" and outlet is None and self.device.is_strip:
            return self._control_child(params)
        handler = (self._outlet_methods(outlet) if outlet is not None else self._methods()).get(method)
        if handler is None:
            return {"error_code": UNKNOWN_METHOD}
        result = handler(params)
        if "error_code" in result and len(result) == 1:
            return result  # a refusal
        if method.startswith("set_"):
            self.device.calls.append((method, {"params": params, "outlet": outlet}))
        return {"error_code": SUCCESS, "result": result}

    def _multiple(self, params: dict[str, Any], outlet: int | None) -> dict[str, Any]:
        requests = params.get("requests")
        if not isinstance(requests, list):
            return {"error_code": PARAMS_ERROR}
        responses = []
        for request in requests:
            method = request.get("method") if isinstance(request, dict) else None
            if not isinstance(method, str) or method == "multipleRequest":
                responses.append({"method": str(method), "error_code": PARAMS_ERROR})
                continue
            answered = self.call(method, request.get("params"), outlet)
            responses.append({"method": method, **answered})
        return {"error_code": SUCCESS, "result": {"responses": responses}}

    def _control_child(self, params: dict[str, Any]) -> dict[str, Any]:
        outlet = self.device.outlet_of_id(params.get("device_id"))
        inner = params.get("requestData")
        if outlet is None or not isinstance(inner, dict) or not isinstance(inner.get("method"), str):
            return {"error_code": PARAMS_ERROR}
        return {"error_code": SUCCESS, "result": {"responseData": self.call(inner["method"], inner.get("params"),
                                                                            outlet)}}

    def _methods(self) -> dict[str, Method]:
        device = self.device
        methods: dict[str, Method] = {
            "component_nego": lambda _: components(device.components()),
            "get_device_info": lambda _: device.device_info(),
            "get_device_usage": lambda _: self._usage(),
            "get_device_time": lambda _: self._time(),
            "get_connect_cloud_state": lambda _: {"status": 0},
            "get_led_info": lambda _: {"led_rule": "always", "led_status": True, "night_mode": {
                "end_time": 420, "night_mode_type": "sunrise_sunset", "start_time": 1140, "sunrise_offset": 0,
                "sunset_offset": 0}},
            "get_auto_update_info": lambda _: {"enable": True, "random_range": 120, "time": 180},
            "get_fw_download_state": lambda _: {"auto_upgrade": False, "download_progress": 0, "reboot_time": 5,
                                                "status": 0, "upgrade_time": 5},
            "get_latest_fw": lambda _: {"fw_size": 0, "fw_ver": device.model.fw_ver, "hw_id": "",
                                        "need_to_upgrade": False, "oem_id": "", "release_date": "",
                                        "release_note": "", "type": 0},
            "set_device_info": lambda params: self.set_info(params, None),
        }
        if not device.is_strip:
            methods["get_auto_off_config"] = lambda _: {"delay_min": 120, "enable": False}
        if device.model.energy:
            methods |= {
                "get_energy_usage": lambda _: self._energy_usage(),
                "get_current_power": lambda _: {"current_power": round(device.relays[0].power)},
                "get_emeter_data": lambda _: self._emeter(),
                "get_emeter_vgain_igain": lambda _: {"igain": 11437, "vgain": 127146},
                "get_protection_power": lambda _: {"enabled": False, "protection_power": 0},
                "get_max_power": lambda _: {"max_power": 3904},
            }
        if device.is_strip:
            methods |= {
                "get_child_device_list": lambda params: self._page(params, "child_device_list",
                                                                   [device.outlet_info(n) for n in device.outlets]),
                "get_child_device_component_list": lambda params: self._page(params, "child_component_list", [
                    {"device_id": device.child_id(n), **components(OUTLET_COMPONENTS)} for n in device.outlets]),
                "get_homekit_info": lambda _: {"mfi_setup_code": device.setup_code, "mfi_setup_id": "SIMX",
                                               "mfi_token_token": "", "mfi_token_uuid": ""},
            }
        return methods

    def _outlet_methods(self, outlet: int) -> dict[str, Method]:
        return {
            "get_device_info": lambda _: self.device.outlet_info(outlet),
            "component_nego": lambda _: components(OUTLET_COMPONENTS),
            "get_auto_off_config": lambda _: {"delay_min": 120, "enable": False},
            "set_device_info": lambda params: self.set_info(params, outlet),
        }

    # -------------------------------------------------------------- answers

    def _page(self, params: dict[str, Any], key: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        start = params.get("start_index", 0)
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            return {"error_code": PARAMS_ERROR}
        return {key: entries[start:start + PAGE], "start_index": start, "sum": len(entries)}

    def set_info(self, params: dict[str, Any], outlet: int | None) -> dict[str, Any]:
        """`set_device_info`: switch the relay (an outlet's, through control_child), or rename it."""
        on = params.get("device_on")
        nickname = params.get("nickname")
        if (on is None and nickname is None) or (on is not None and not isinstance(on, bool)) or (
                nickname is not None and not isinstance(nickname, str)):
            return {"error_code": PARAMS_ERROR}
        if self.device.is_strip and outlet is None and on is not None:
            return {"error_code": PARAMS_ERROR}  # the strip itself has no relay: its outlets do
        if nickname is not None:
            try:
                name = base64.b64decode(nickname, validate=True).decode()
            except ValueError:
                return {"error_code": PARAMS_ERROR}
            self.device.relays[(outlet or 1) - 1].alias = name
        if on is not None:
            self.device.switch(on, outlet or 1, commanded=True)
        return {}

    def _time(self) -> dict[str, Any]:
        return {"region": self.device.spec.region, "time_diff": self.device.spec.time_diff,
                "timestamp": int(time.time())}

    def _usage(self) -> dict[str, Any]:
        minutes = int((time.time() - self.started) / 60)
        on_minutes = sum(relay.on_time() for relay in self.device.relays) // 60
        usage = {"past30": on_minutes, "past7": on_minutes, "today": on_minutes}
        watt_hours = round(sum(relay.energy() for relay in self.device.relays))
        return {"time_usage": usage, "power_usage": {"past30": watt_hours, "past7": watt_hours, "today": watt_hours},
                "saved_power": {"past30": max(0, minutes - on_minutes), "past7": max(0, minutes - on_minutes),
                                "today": max(0, minutes - on_minutes)}}

    def _energy_usage(self) -> dict[str, Any]:
        relay = self.device.relays[0]
        today = round(relay.energy())
        runtime = relay.on_time() // 60
        local = time.gmtime(time.time() + 60 * self.device.spec.time_diff)
        return {"current_power": round(relay.power * 1000), "electricity_charge": [0, 0, 0],
                "local_time": time.strftime("%Y-%m-%d %H:%M:%S", local),
                "month_energy": today, "month_runtime": runtime, "today_energy": today, "today_runtime": runtime}

    def _emeter(self) -> dict[str, Any]:
        relay, volts = self.device.relays[0], self.device.model.volts
        return {"current_ma": round(relay.power / volts * 1000), "energy_wh": round(relay.energy()),
                "power_mw": round(relay.power * 1000), "voltage_mv": round(volts * 1000)}

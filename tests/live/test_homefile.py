"""The live home file: hosts and where their credentials live, resolved up front."""

from __future__ import annotations

from pathlib import Path

import pytest

from weaklink.errors import InputError
from weaklink.live.homefile import load_live_home

HOME = """\
name: Maple Street
time_zone: America/New_York
hosts:
  - adapter: homeassistant
    name: Home Assistant
    address: 127.0.0.10
    port: 8123
    credentials:
      token: env:WEAKLINK_TEST_HA_TOKEN
  - adapter: hue
    address: 127.0.0.11
    credentials: {app_key: "file:secrets.yaml#hue"}
    options: {bridge_id: 001788fffe4d5e6f}
"""


@pytest.fixture
def home_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WEAKLINK_TEST_HA_TOKEN", "CANARY-HA-TOKEN-8123")
    (tmp_path / "secrets.yaml").write_text("hue: CANARY-HUE-KEY-443\n")
    path = tmp_path / "home.yaml"
    path.write_text(HOME)
    return path


def test_hosts_with_credentials_resolved_and_hidden(home_file: Path) -> None:
    home = load_live_home(home_file)
    assert (home.name, home.time_zone) == ("Maple Street", "America/New_York")
    ha, hue = home.hosts
    assert (ha.adapter, ha.label, ha.address, ha.port) == ("homeassistant", "Home Assistant", "127.0.0.10", 8123)
    assert ha.credentials["token"].reveal() == "CANARY-HA-TOKEN-8123"
    assert hue.credentials["app_key"].reveal() == "CANARY-HUE-KEY-443" and hue.options == {"bridge_id": "001788fffe4d5e6f"}
    assert hue.label == "hue at 127.0.0.11"
    shown = f"{home!r} {home.model_dump_json()} {[h.model_dump() for h in home.hosts]}"
    assert "CANARY" not in shown


@pytest.mark.parametrize(
    ("edit", "says"),
    [(lambda t: t.replace("    address: 127.0.0.11\n", ""), ":10 (hosts.1.address): missing required key 'address'"),
     (lambda t: t.replace("port: 8123", "port: 99999"), ":7 (hosts.0.port)"),
     (lambda t: t.replace("WEAKLINK_TEST_HA_TOKEN", "WEAKLINK_TEST_NOT_SET"),
      ":9 (hosts.0.credentials.token): environment variable WEAKLINK_TEST_NOT_SET is not set"),
     (lambda t: t.replace("#hue", "#nope"), ":12 (hosts.1.credentials.app_key)"),
     (lambda t: t.replace("options:", "optoins:"), ":13 (hosts.1.optoins)")],
)
def test_a_bad_home_file_names_the_line_and_field(home_file: Path, edit, says: str) -> None:  # type: ignore[no-untyped-def]
    home_file.write_text(edit(HOME))
    with pytest.raises(InputError) as caught:
        load_live_home(home_file)
    assert f"{home_file}{says}" in str(caught.value)

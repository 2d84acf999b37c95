"""Realistic mDNS records of the five brands, as their devices announce them, for the mDNS adapter's tests.

Each record carries, beside what the adapter reads, the fields it must never copy out
(household and location ids, setup hashes, rotating ids, what is playing): `CANARIES` plants
unique values in those, so a test can prove none of them reaches a `Discovered`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from weaklink.live.contract import Discovered
from weaklink_mdns import MdnsAdapter


@dataclass(frozen=True)
class Sample:
    """One record: service type, instance name, port and TXT keys."""

    service_type: str
    instance: str
    port: int
    txt: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The full service name (`<instance>.<type>`)."""
        return f"{self.instance}.{self.service_type}"

    def identify(self, changes: dict[str, str | None] | None = None, address: str = "192.168.1.40",
                 instance: str | None = None) -> Discovered | None:
        """What the adapter makes of this record, with `changes` to its TXT keys (None removes one)."""
        merged = {**self.txt, **(changes or {})}
        txt = {key: value for key, value in merged.items() if value is not None}
        name = f"{instance}.{self.service_type}" if instance is not None else self.name
        return MdnsAdapter().identify(self.service_type, name, address, self.port, txt)


HAP, HAP_THREAD = "_hap._tcp.local.", "_hap._udp.local."
MATTER, MATTERC = "_matter._tcp.local.", "_matterc._udp.local."
ESPHOME, CAST, SONOS = "_esphomelib._tcp.local.", "_googlecast._tcp.local.", "_sonos._tcp.local."

EVE_ENERGY = Sample(HAP, "Eve Energy 5A3F", 80, {
    "c#": "4", "ff": "1", "id": "5A:3F:1C:88:0B:9E", "md": "Eve Energy 20EBO8301", "pv": "1.1", "s#": "1",
    "sf": "0", "ci": "7", "sh": "W3lq4g=="})
UNPAIRED_BRIDGE = Sample(HAP, "Homebridge 2B4C", 51826, {
    "c#": "2", "ff": "0", "id": "0E:2B:4C:61:7A:90", "md": "homebridge", "pv": "1.1", "s#": "1", "sf": "1",
    "ci": "2", "sh": "xK0P7w=="})
THREAD_CONTACT = Sample(HAP_THREAD, "Eve Door 91C2", 5683, {
    "c#": "7", "ff": "2", "id": "C4:91:C2:0D:33:E8", "md": "Eve Door 20EBN9901", "pv": "1.2", "s#": "12",
    "sf": "0", "ci": "10", "sh": "dGhyZWFk"})
MATTER_NODE = Sample(MATTER, "2906C908D115D362-8FC7772401CD0696", 5540, {
    "SII": "5000", "SAI": "300", "SAT": "4000", "T": "0"})
MATTER_NEW = Sample(MATTERC, "B2C7A1D09E4F3365", 5540, {
    "D": "3840", "VP": "4874+77", "CM": "1", "DT": "266", "DN": "Eve Energy", "SII": "5000", "SAI": "300",
    "T": "0", "PH": "33", "PI": "", "RI": "0400AF3C6E2D"})
ESPHOME_NODE = Sample(ESPHOME, "living-room-sensor", 6053, {
    "friendly_name": "Living Room Sensor", "version": "2024.6.1", "mac": "a0b76532f1c4", "platform": "ESP32",
    "board": "esp32dev", "network": "wifi", "config_hash": "4f1e2a7b",
    "api_encryption": "Noise_NNpsk0_25519_ChaChaPoly_SHA256"})
BLUETOOTH_PROXY = Sample(ESPHOME, "esp32-bluetooth-proxy-8e1f3a", 6053, {
    "version": "2024.7.3", "mac": "e8db848e1f3a", "platform": "ESP32", "board": "esp32dev", "network": "wifi",
    "project_name": "esphome.bluetooth-proxy", "project_version": "24.7.4.1",
    "package_import_url": "github://esphome/bluetooth-proxies/esp32-generic/esp32-generic.yaml@main"})
NEST_MINI = Sample(CAST, "Google-Nest-Mini-3d5a9b1c8e7f4a2b9c0d1e2f3a4b5c6d", 8009, {
    "id": "3d5a9b1c8e7f4a2b9c0d1e2f3a4b5c6d", "cd": "8F2A61C04B7E93D15A0C6E2B8D4F7A19", "rm": "", "ve": "05",
    "md": "Google Nest Mini", "ic": "/setup/icon.png", "fn": "Kitchen speaker", "ca": "199172", "st": "0",
    "bs": "FA8FCA3B5C7D", "nf": "1", "rs": ""})
SONOS_PLAYER = Sample(SONOS, "Sonos-347E5C0A1B2C@Kitchen", 1443, {
    "info": "/api/v1/players/RINCON_347E5C0A1B2C01400/info", "vers": "3", "protovers": "1.24.1", "bootseq": "88",
    "hhid": "Sonos_hH1xT0f8qLmN4oPz7rS2uV5wX9", "mhhid": "Sonos_hH1xT0f8qLmN4oPz7rS2uV5wX9.aB3dE6gH9jK2mN5pQ8",
    "locationid": "lc_4d2f9a7c1b8e4f3a9d6c0b5e2a7f1c8d"})

SAMPLES = [EVE_ENERGY, UNPAIRED_BRIDGE, THREAD_CONTACT, MATTER_NODE, MATTER_NEW, ESPHOME_NODE, BLUETOOTH_PROXY,
           NEST_MINI, SONOS_PLAYER]

# Fields no report may carry, per service type: canary values planted in each.
CANARIES = {
    HAP: {"sh": "CANARY-HAP-SETUP-HASH"},
    HAP_THREAD: {"sh": "CANARY-THREAD-SETUP-HASH"},
    MATTER: {},
    MATTERC: {"RI": "CANARY0ROTATING0ID", "PI": "CANARY-PAIRING-INSTRUCTION"},
    ESPHOME: {"api_encryption": "CANARY-NOISE", "package_import_url": "github://canary/secret-package",
              "config_hash": "CANARYHASH"},
    CAST: {"rs": "CANARY-NOW-PLAYING", "bs": "CANARYBSSID0", "cd": "CANARY-CERT-DIGEST"},
    SONOS: {"hhid": "Sonos_CANARY_HOUSEHOLD", "mhhid": "Sonos_CANARY_HOUSEHOLD.CANARY_MANAGER",
            "locationid": "lc_CANARY_LOCATION"},
}

"""The live conformance kit, run against the Kasa adapter's Tapo side (SMART over KLAP, on HTTP):
a host with the TP-Link account's credentials in the home file is a KLAP session."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestKasaTapoLiveConformance(LiveConformance):
    adapter = "kasa"
    # a well-formed account that is not real: the kit proves neither half reaches a host that never
    # proved it knows it, nor anything the adapter reports
    credentials = {"username": "kit-canary-7Q2@example.com", "password": "kit-canary-password-9F4"}

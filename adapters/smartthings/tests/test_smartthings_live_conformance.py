"""The live conformance kit, run against the SmartThings adapter.

The kit's hosts are bare loopback addresses without a `base_url`, so the adapter reaches them
as it reaches the real API, `https://<address>:<port>/v1`: a silent host, one that resets every
connection and one that answers garbage must each be a finding, and none of them may be sent
the token (the TLS handshake, and then the request without a token, come first).
"""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestSmartThingsLiveConformance(LiveConformance):
    adapter = "smartthings"
    credentials = {"token": "4f9d2c1e-8b7a-4e6f-9d3c-2b1a0f9e8d7c"}  # a personal access token's shape, not a real one

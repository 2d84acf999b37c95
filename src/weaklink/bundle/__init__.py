"""Bundles: a customer's home as it reaches a support desk, and what the desk sends a vendor.

- `unzip`: unpacking an untrusted zip safely (`extract_zip`, `ZipLimits`);
- `customer`: a customer's bundle, zip or folder, ready to open (`unpack_customer_bundle`);
- `escalation`: the redacted bundle for whoever is responsible for a broken link
  (`responsible_party`, `build_escalation`).
"""

from .customer import CustomerBundle, unpack_customer_bundle
from .escalation import Party, build_escalation, responsible_party
from .unzip import ZipLimits, extract_zip

__all__ = ["CustomerBundle", "Party", "ZipLimits", "build_escalation", "extract_zip", "responsible_party",
           "unpack_customer_bundle"]

"""Bundles: a customer's home as it reaches a support desk, and what the desk sends a vendor.

- `unzip`: unpacking an untrusted zip safely (`extract_zip`, `ZipLimits`);
- `customer`: a customer's bundle, zip or folder, ready to open (`unpack_customer_bundle`);
- `escalation`: the redacted bundle for whoever is responsible for a broken link
  (`build_escalation`), made of:
  - `hop`: what counts as the broken hop, and who it is escalated to (`Party`, `responsible_party`);
  - `gather`: the customer's data about the hop, from each export that describes it;
  - `homeassistant_extract`: the hop's part of a Home Assistant config folder;
  - `pseudonyms`: the identifiers of devices outside the hop, replaced;
  - `scrub`: what every file passes through before it is written.
"""

from .customer import CustomerBundle, unpack_customer_bundle
from .escalation import build_escalation
from .hop import Party, responsible_party
from .unzip import ZipLimits, extract_zip

__all__ = ["CustomerBundle", "Party", "ZipLimits", "build_escalation", "extract_zip", "responsible_party",
           "unpack_customer_bundle"]

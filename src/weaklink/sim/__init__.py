"""The simulated home: devices that speak the vendors' real local protocols on loopback.

Each brand's simulator is a `SimHost` on its own 127.0.0.x address, advertised over mDNS
on 127.0.0.1, with faults that tests and `weaklink sim` can inject while it runs.
"""

from .faults import Fault, FaultKind, FaultSet
from .host import SimHost, loopback
from .mdns import Advertiser

__all__ = ["Advertiser", "Fault", "FaultKind", "FaultSet", "SimHost", "loopback"]

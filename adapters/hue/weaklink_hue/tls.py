"""Trusting a Hue bridge's certificate by pinning it, not by a certificate authority.

A bridge serves HTTPS with a certificate no public CA signed: self-signed on older firmware,
signed by Signify's private root on newer. Its common name is the bridge id. Turning
verification off would let anything on the LAN that answers on the bridge's address collect
the application key; so, as Philips documents and aiohue/Home Assistant rely on, weaklink
trusts the bridge by its id instead:

1. read the certificate the host presents, with verification off and nothing sent but the
   TLS handshake;
2. check its common name is the bridge id the home file or mDNS record expects (and the one
   `/api/config` reports: `identity.check_identity`);
3. from then on talk to the host only through a context that trusts exactly that
   certificate (hostname checks off: a bridge's certificate names its id, not its address).
   A host that later presents another certificate fails the handshake: `CertificateChanged`.

Signify's root CA is not bundled: pinning the leaf works for self-signed and CA-signed
bridges alike, which is why `VERIFY_X509_PARTIAL_CHAIN` is set.
"""

from __future__ import annotations

import asyncio
import functools
import ssl

from cryptography import x509
from cryptography.x509.oid import NameOID


@functools.cache
def _unverified_context() -> ssl.SSLContext:
    # No CA store: nothing is verified on this connection, and loading the system's CAs costs
    # ~30 ms, which discovery would pay once for every address it asks "are you a bridge?"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to read the certificate; nothing is sent on this connection
    return context


async def fetch_certificate(address: str, port: int) -> bytes:
    """The DER certificate the host at `address:port` presents (OSError when none can be read)."""
    _, writer = await asyncio.open_connection(address, port, ssl=_unverified_context())
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass  # a host that resets the connection on close has still shown its certificate
    if not der:
        raise ssl.SSLError("the host presented no certificate")
    return der


def common_name(der: bytes) -> str | None:
    """The certificate's subject common name, if it has one."""
    try:
        names = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        return None
    value = names[0].value if names else None
    return value if isinstance(value, str) else None


def pinned_context(der: bytes) -> ssl.SSLContext:
    """A client context that trusts exactly this certificate, and nothing else."""
    context = ssl.create_default_context(cadata=ssl.DER_cert_to_PEM_cert(der))
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the pinned leaf is the trust anchor
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT  # bridge certificates predate the strict profile
    return context

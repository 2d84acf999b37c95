"""KLAP v2, the client's side of the cryptography: the account hash, the two handshake proofs,
and the per-session cipher that signs and encrypts SMART requests.

Current Tapo (and newer Kasa) firmware speaks KLAP over HTTP (`/app/handshake1`,
`/app/handshake2`, `/app/request`; `klap_transport` does the talking):

- the account hash is `sha256(sha1(username) + sha1(password))` of the TP-Link account the
  device was set up with; it never leaves this process;
- handshake1: the client sends a random 16-byte local seed; the device answers its own
  16-byte remote seed and its proof `sha256(local + remote + hash)`. Only a device that
  knows the account can make it, so the client checks it before anything else;
- handshake2: the client answers with its own proof, `sha256(remote + local + hash)`;
- then every request is AES-128-CBC (PKCS#7) under a key `sha256("lsk" + local + remote +
  hash)[:16]` and an IV made of `sha256("iv" + …)[:12]` and a 4-byte big-endian signed
  sequence number, which starts at the last 4 bytes of that digest and goes up by one per
  request (the request's `?seq=`); the body is `sha256(sig_key + seq + ciphertext)`
  followed by the ciphertext, `sig_key` being `sha256("ldk" + …)[:28]`. The answer is
  encrypted and signed the same way, under the request's `seq`.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SEED_BYTES = 16
PROOF_BYTES = 32
SIGNATURE_BYTES = 32
_SEQ = struct.Struct(">i")
_SEQ_MAX = 2**31 - 1


def account_hash(username: str, password: str) -> bytes:
    """The KLAP v2 hash of a TP-Link account."""
    return hashlib.sha256(hashlib.sha1(username.encode()).digest() + hashlib.sha1(password.encode()).digest()).digest()


def device_proof(local_seed: bytes, remote_seed: bytes, account: bytes) -> bytes:
    """What a device that knows the account answers in handshake1, after its remote seed."""
    return hashlib.sha256(local_seed + remote_seed + account).digest()


def client_proof(local_seed: bytes, remote_seed: bytes, account: bytes) -> bytes:
    """What the client sends in handshake2, once the device proved it knows the account."""
    return hashlib.sha256(remote_seed + local_seed + account).digest()


def proof_matches(answer: bytes, expected: bytes) -> bool:
    """Whether a proof matches, compared in constant time."""
    return hmac.compare_digest(answer, expected)


class Undecryptable(ValueError):
    """An answer whose signature does not match, or that does not decrypt."""


@dataclass
class KlapCipher:
    """The keys one handshake derived, and the sequence number of the last request."""

    key: bytes
    iv: bytes
    signature_key: bytes
    seq: int

    @classmethod
    def derive(cls, local_seed: bytes, remote_seed: bytes, account: bytes) -> KlapCipher:
        """The keys of a session from its seeds and the account hash."""

        def digest(label: bytes) -> bytes:
            return hashlib.sha256(label + local_seed + remote_seed + account).digest()

        iv = digest(b"iv")
        return cls(key=digest(b"lsk")[:16], iv=iv[:12], signature_key=digest(b"ldk")[:28],
                   seq=_SEQ.unpack(iv[-4:])[0])

    def _cipher(self, seq: int) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.iv + _SEQ.pack(seq)))

    def _sign(self, seq: int, ciphertext: bytes) -> bytes:
        return hashlib.sha256(self.signature_key + _SEQ.pack(seq) + ciphertext).digest()

    def encrypt(self, plain: bytes) -> tuple[bytes, int]:
        """The next request's body, and its sequence number."""
        self.seq = self.seq + 1 if self.seq < _SEQ_MAX else -(2**31)
        padder = padding.PKCS7(128).padder()
        encryptor = self._cipher(self.seq).encryptor()
        ciphertext = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
        return self._sign(self.seq, ciphertext) + ciphertext, self.seq

    def decrypt(self, seq: int, body: bytes) -> bytes:
        """The plaintext of the answer to request `seq`; Undecryptable when it is not one."""
        signature, ciphertext = body[:SIGNATURE_BYTES], body[SIGNATURE_BYTES:]
        if not ciphertext or len(ciphertext) % 16:
            raise Undecryptable(f"{len(body)} bytes: not a signature and whole AES blocks")
        if not hmac.compare_digest(signature, self._sign(seq, ciphertext)):
            raise Undecryptable("its signature does not match the session's keys")
        decryptor = self._cipher(seq).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()
        except ValueError:
            raise Undecryptable("it does not decrypt to padded data") from None

"""The bank vault: IBANs at rest are encrypted (AES-256-GCM) with a key derived from settings.

The key from settings (`CUSTOMER_BANK_DATA_KEY`) is a secret of any length; HKDF derives two
independent keys from it: one that encrypts, one that fingerprints (an HMAC that finds the same
IBAN twice, e.g. in a merge, without decrypting). Each ciphertext is bound to its account id as
associated data, so a ciphertext copied onto another account does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Stored with every ciphertext, so that a new key or algorithm can live beside the old one.
VERSION = "v1"
_NONCE_BYTES = 12


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"customer-suite/bank-data", info=purpose
    ).derive(secret)


class BankVault:
    def __init__(self, secret: str) -> None:
        raw = secret.encode()
        self._cipher = AESGCM(_derive(raw, b"encrypt"))
        self._fingerprint_key = _derive(raw, b"fingerprint")

    def encrypt(self, iban: str, *, account_id: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, iban.encode(), account_id.encode())
        return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, ciphertext: str, *, account_id: str) -> str:
        version, _, payload = ciphertext.partition(":")
        if version != VERSION:
            raise ValueError(f"unknown bank data encryption {version!r}")
        raw = base64.urlsafe_b64decode(payload)
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return self._cipher.decrypt(nonce, sealed, account_id.encode()).decode()

    def fingerprint(self, iban: str) -> str:
        return hmac.new(self._fingerprint_key, iban.encode(), hashlib.sha256).hexdigest()

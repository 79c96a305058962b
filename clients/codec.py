"""Personal data never reaches Temporal in the clear (SPEC §6): every payload is sealed with AES-256-GCM.

The codec wraps the data converter once (clients.connect.data_converter), so workflow inputs, update
arguments and results, signals, queries, activity inputs and results, memos and the messages and stack
traces of failures (encoded as attributes) are all sealed on the way out and opened on the way in; no
workflow or activity knows. Operators read them in the Temporal UI through the codec server
(api/routes/codec.py), which uses this same codec.

A sealed payload says which key sealed it (`encryption-key-id`), so keys rotate without touching history:
the newest key seals, every configured key opens. A payload that was never sealed (histories written
before the codec was turned on) passes through unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from config.payload_keys import PayloadKey, load_payload_keys
from config.settings import Settings

ENCODING = "binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12  # 96 bits, fresh from the OS for every payload: GCM must never reuse one under a key


class PayloadDecryptionError(ValueError):
    """A sealed payload that cannot be opened: unknown key id, or ciphertext that fails authentication."""


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole serialized payload (its metadata included), keyed by a rotating key ring."""

    def __init__(self, keys: Sequence[PayloadKey]) -> None:
        if not keys:
            raise ValueError("the codec needs at least one key")
        self._ciphers = {key.kid: AESGCM(key.secret) for key in keys}
        self.key_id = keys[-1].kid
        self._sealing = self._ciphers[self.key_id]

    @classmethod
    def from_settings(cls, settings: Settings) -> EncryptionCodec:
        return cls(load_payload_keys(settings))

    @property
    def key_ids(self) -> list[str]:
        """Every key id that opens payloads, oldest first; the last one seals."""
        return list(self._ciphers)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.unseal(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._sealing.encrypt(nonce, payload.SerializeToString(), None)
        return Payload(metadata={"encoding": ENCODING.encode(), KEY_ID: self.key_id.encode()}, data=sealed)

    def unseal(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding", b"") != ENCODING.encode():
            return payload
        kid = payload.metadata.get(KEY_ID, b"").decode("utf-8", errors="replace")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            known = ", ".join(self._ciphers)
            raise PayloadDecryptionError(
                f"payload sealed with key id {kid!r}, which is not configured (configured: {known}); "
                "add that key to PRAXIS_PAYLOAD_KEYS"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, sealed, None))
        except (InvalidTag, ValueError):
            raise PayloadDecryptionError(
                f"payload sealed with key id {kid!r} failed authentication: it was altered or truncated"
            ) from None

"""The payload codec (SPEC §6): sealed payloads, rotating keys, refused tampering, encoded failures."""

from __future__ import annotations

import base64
import secrets
from datetime import date

import pytest
from pydantic import BaseModel, SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError

from clients.codec import ENCODING, KEY_ID, NONCE_BYTES, EncryptionCodec, PayloadDecryptionError
from clients.connect import data_converter
from config.payload_keys import PayloadKey
from config.settings import Settings

NAME = "Lin Meiqi 林美琪"
PLAIN = pydantic_data_converter.payload_converter.to_payload({"name": NAME, "email": "meiqi.lin@example.edu"})


def key(kid: str) -> PayloadKey:
    return PayloadKey(kid, secrets.token_bytes(32))


class Entry(BaseModel):
    student: str
    day: date


async def test_round_trip_seals_and_names_the_key() -> None:
    """A sealed payload carries only ciphertext and the key id; opening it gives back the very payload."""
    codec = EncryptionCodec([key("k1")])
    [sealed] = await codec.encode([PLAIN])
    assert dict(sealed.metadata) == {"encoding": ENCODING.encode(), KEY_ID: b"k1"}
    assert NAME.encode() not in sealed.SerializeToString()
    assert b"meiqi" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [PLAIN]


async def test_every_payload_gets_a_fresh_nonce() -> None:
    """GCM must never reuse a nonce under one key: the same payload sealed twice differs from the first byte."""
    codec = EncryptionCodec([key("k1")])
    first, second = await codec.encode([PLAIN, PLAIN])
    assert first.data[:NONCE_BYTES] != second.data[:NONCE_BYTES]
    assert first.data != second.data
    assert await codec.decode([first, second]) == [PLAIN, PLAIN]


async def test_rotation_old_key_opens_new_key_seals() -> None:
    """Rotation: after adding k2 (last), payloads sealed under k1 still open, new ones are sealed under k2, and
    a process that never got k2 refuses them by name."""
    k1, k2 = key("k1"), key("k2")
    before = EncryptionCodec([k1])
    after = EncryptionCodec([k1, k2])
    [old] = await before.encode([PLAIN])
    [new] = await after.encode([PLAIN])
    assert new.metadata[KEY_ID] == b"k2"
    assert after.key_ids == ["k1", "k2"]
    assert await after.decode([old, new]) == [PLAIN, PLAIN]
    with pytest.raises(PayloadDecryptionError, match="'k2', which is not configured"):
        await before.decode([new])


async def test_unknown_key_id_fails_clearly_without_key_material() -> None:
    """A payload under a key id the ring lacks fails with an error naming that id and the configured ones."""
    k1 = key("k1")
    [sealed] = await EncryptionCodec([key("retired-2025")]).encode([PLAIN])
    with pytest.raises(PayloadDecryptionError) as caught:
        await EncryptionCodec([k1]).decode([sealed])
    message = str(caught.value)
    assert "'retired-2025'" in message and "configured: k1" in message and "PRAXIS_PAYLOAD_KEYS" in message
    assert base64.b64encode(k1.secret).decode() not in message


@pytest.mark.parametrize("how", ["flipped bit", "truncated", "other key id", "no nonce"])
async def test_tampered_ciphertext_is_refused(how: str) -> None:
    """GCM authenticates: any change to the sealed bytes, or a payload relabelled to another key, is refused."""
    codec = EncryptionCodec([key("k1"), key("k2")])
    [sealed] = await codec.encode([PLAIN])
    data = bytearray(sealed.data)
    if how == "flipped bit":
        data[NONCE_BYTES + 3] ^= 0x01
    elif how == "truncated":
        del data[-1]
    elif how == "no nonce":
        data = data[:4]
    tampered = Payload(metadata=dict(sealed.metadata), data=bytes(data))
    if how == "other key id":
        tampered.metadata[KEY_ID] = b"k1"
    with pytest.raises(PayloadDecryptionError, match="failed authentication"):
        await codec.decode([tampered])


async def test_payloads_from_before_the_codec_pass_through() -> None:
    """Histories written before encryption was turned on still open (their payloads are not sealed)."""
    assert await EncryptionCodec([key("k1")]).decode([PLAIN]) == [PLAIN]


async def test_data_converter_seals_pydantic_values_and_failures(settings: Settings) -> None:
    """clients.connect.data_converter: pydantic values round-trip sealed, and a failure's message and stack
    trace travel as encoded attributes, sealed too (DefaultFailureConverterWithEncodedAttributes)."""
    converter = data_converter(settings)
    [payload] = await converter.encode([Entry(student=NAME, day=date(2026, 3, 2))])
    assert payload.metadata["encoding"] == ENCODING.encode()
    assert await converter.decode([payload], [Entry]) == [Entry(student=NAME, day=date(2026, 3, 2))]

    try:
        raise ApplicationError(f"cannot mail {NAME}", {"email": "meiqi.lin@example.edu"}, type="MailRefused")
    except ApplicationError as raised:
        error = raised
    failure = Failure()
    await converter.encode_failure(error, failure)
    wire = failure.SerializeToString()
    assert failure.message == "Encoded failure" and failure.stack_trace == ""
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING.encode()
    assert NAME.encode() not in wire and b"meiqi" not in wire and b"test_codec.py" not in wire
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError)
    assert decoded.message == f"cannot mail {NAME}" and decoded.type == "MailRefused"
    assert decoded.details == ({"email": "meiqi.lin@example.edu"},)


async def test_a_converter_without_the_right_key_cannot_read(settings: Settings) -> None:
    """The tests' fixed key is the one the converter uses: a converter built with another key refuses."""
    [payload] = await data_converter(settings).encode([NAME])
    stranger = settings.model_copy(
        update={"payload_keys": SecretStr("other:" + base64.b64encode(secrets.token_bytes(32)).decode())}
    )
    with pytest.raises(PayloadDecryptionError, match="'test-1'"):
        await data_converter(stranger).decode([payload])

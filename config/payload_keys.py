"""The payload encryption keys (SPEC §6): parsed from settings, or made once for a developer's machine.

A key ring is written `kid:base64key[,kid:base64key...]`, oldest first: the last key encrypts, every key
decrypts, so a new key can be added without losing the histories written under the old ones. Errors name
a key by its position and id, never by its material.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings

KEY_BYTES = 32  # AES-256
DEV_KEY_FILE = "payload.key"
_KID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class PayloadKeyError(ValueError):
    """The key configuration cannot be used; the message never contains key material."""


@dataclass(frozen=True)
class PayloadKey:
    kid: str
    secret: bytes = field(repr=False)


def parse_payload_keys(text: str, *, source: str = "PRAXIS_PAYLOAD_KEYS") -> tuple[PayloadKey, ...]:
    """`kid:base64key` entries separated by commas or new lines (a key file may have one per line)."""
    entries = [entry.strip() for entry in re.split(r"[,\n]", text) if entry.strip()]
    if not entries:
        raise PayloadKeyError(f"{source} holds no key; write kid:base64key[,kid:base64key...]")
    keys: list[PayloadKey] = []
    for position, entry in enumerate(entries, start=1):
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep or not _KID.match(kid):
            raise PayloadKeyError(
                f"{source} entry {position} is not kid:base64key (a key id is 1-64 letters, digits, '.', '_', '-')"
            )
        try:
            secret = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise PayloadKeyError(f"{source} key {kid!r} is not valid base64") from None
        if len(secret) != KEY_BYTES:
            raise PayloadKeyError(f"{source} key {kid!r} must be {KEY_BYTES} bytes, not {len(secret)}")
        if any(k.kid == kid for k in keys):
            raise PayloadKeyError(f"{source} names key id {kid!r} twice")
        keys.append(PayloadKey(kid, secret))
    return tuple(keys)


def read_key_file(path: Path) -> tuple[PayloadKey, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PayloadKeyError(f"PRAXIS_PAYLOAD_KEY_FILE {path} cannot be read: {error.strerror}") from None
    return parse_payload_keys(text, source=f"PRAXIS_PAYLOAD_KEY_FILE {path}")


def new_key_entry(kid: str) -> str:
    """A fresh `kid:base64key` entry, as the rotation procedure (README) adds one."""
    if not _KID.match(kid):
        raise PayloadKeyError(f"{kid!r} is not a key id (1-64 letters, digits, '.', '_', '-')")
    return f"{kid}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def dev_key_file(var_dir: Path) -> tuple[PayloadKey, ...]:
    """The developer's own key under `var_dir`, made on first use, so `praxis dev` restarts read old histories.

    `praxis dev` starts the worker and the API at once: the key is written to a private temporary file and
    linked into place, so a process that loses the race reads the winner's whole key, never half of it.
    """
    path = var_dir / DEV_KEY_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        temporary = var_dir / f".{DEV_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(new_key_entry(f"dev-{secrets.token_hex(4)}") + "\n")
        try:
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink()
    return read_key_file(path)


def load_payload_keys(settings: Settings) -> tuple[PayloadKey, ...]:
    """The configured key ring; in dev and test without one, the machine's own key (made once)."""
    if settings.payload_keys is not None:
        return parse_payload_keys(settings.payload_keys.get_secret_value())
    if settings.payload_key_file is not None:
        return read_key_file(settings.payload_key_file)
    if settings.env in ("dev", "test"):
        return dev_key_file(settings.var_dir)
    raise PayloadKeyError("PRAXIS_PAYLOAD_KEYS or PRAXIS_PAYLOAD_KEY_FILE must be set outside dev")

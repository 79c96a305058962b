"""Payload key settings (SPEC §6): the key ring's format, production's refusal without keys, the dev key."""

from __future__ import annotations

import base64
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from config.payload_keys import (
    DEV_KEY_FILE,
    PayloadKeyError,
    dev_key_file,
    load_payload_keys,
    new_key_entry,
    parse_payload_keys,
)
from config.settings import Settings

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()


def production(**keys: Any) -> Settings:
    return Settings(
        env="production",
        jwt_secret=SecretStr("j" * 40),
        action_link_secret=SecretStr("a" * 40),
        database_url="postgresql://db/praxis",
        **keys,
    )


def test_ring_is_oldest_first_and_accepts_commas_or_lines() -> None:
    """`kid:base64key[,kid:base64key...]`, the last one newest; a key file may put one per line."""
    ring = parse_payload_keys(f"2025-a:{KEY_A}, 2026-b:{KEY_B}")
    assert [k.kid for k in ring] == ["2025-a", "2026-b"]
    assert ring[1].secret == b"B" * 32
    assert parse_payload_keys(f"2025-a:{KEY_A}\n2026-b:{KEY_B}\n") == ring
    assert "secret" not in repr(ring[0]) and KEY_A not in repr(ring[0])


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "holds no key"),
        (KEY_A, "entry 1 is not kid:base64key"),
        (f"bad kid:{KEY_A}", "entry 1 is not kid:base64key"),
        (f"k1:{KEY_A},k2:not*base64", "key 'k2' is not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "key 'k1' must be 32 bytes, not 5"),
        (f"k1:{KEY_A},k1:{KEY_B}", "names key id 'k1' twice"),
    ],
)
def test_malformed_rings_are_refused_without_echoing_keys(text: str, complaint: str) -> None:
    """Settings refuses an unusable ring at start, naming the entry, never the key material (not even in
    pydantic's own error text, which would otherwise repeat the input)."""
    with pytest.raises(ValidationError) as caught:
        Settings(env="dev", payload_keys=SecretStr(text))
    message = str(caught.value)
    assert complaint in message
    for material in (KEY_A, KEY_B, "not*base64"):
        assert material not in message


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    """In production a key ring is required; PRAXIS_PAYLOAD_KEY_FILE serves as well as PRAXIS_PAYLOAD_KEYS,
    one of them, not both; an unreadable key file is refused at start."""
    with pytest.raises(ValidationError, match="PRAXIS_PAYLOAD_KEYS or PRAXIS_PAYLOAD_KEY_FILE must be set"):
        production()
    assert production(payload_keys=SecretStr(f"k1:{KEY_A}")).payload_keys is not None
    key_file = tmp_path / "keys"
    key_file.write_text(f"k1:{KEY_A}\nk2:{KEY_B}\n")
    settings = production(payload_key_file=key_file)
    assert [k.kid for k in load_payload_keys(settings)] == ["k1", "k2"]
    with pytest.raises(ValidationError, match="not both"):
        production(payload_key_file=key_file, payload_keys=SecretStr(f"k1:{KEY_A}"))
    with pytest.raises(ValidationError, match="cannot be read"):
        production(payload_key_file=tmp_path / "missing")


def test_unvalidated_production_settings_still_need_keys(tmp_path: Path) -> None:
    """Settings copied past validation into production do not fall back to a generated key."""
    copied = Settings(env="dev", var_dir=tmp_path).model_copy(update={"env": "production"})
    with pytest.raises(PayloadKeyError, match="must be set outside dev"):
        load_payload_keys(copied)
    assert not (tmp_path / DEV_KEY_FILE).exists()


def test_dev_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    """Without configured keys, dev makes one key under var_dir (mode 0600) and every later start reads it, so
    `praxis dev` restarts still open the histories they wrote."""
    settings = Settings(env="dev", var_dir=tmp_path / "var")
    first = load_payload_keys(settings)
    path = tmp_path / "var" / DEV_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_payload_keys(settings) == first
    assert len(first) == 1 and first[0].kid.startswith("dev-") and len(first[0].secret) == 32
    assert sorted(p.name for p in path.parent.iterdir()) == [DEV_KEY_FILE]  # no temporary file left behind


def test_processes_starting_together_agree_on_the_dev_key(tmp_path: Path) -> None:
    """`praxis dev` starts the worker and the API at once: whoever makes the key first, all read the same."""
    with ThreadPoolExecutor(8) as pool:
        rings = list(pool.map(lambda _: dev_key_file(tmp_path), range(8)))
    assert all(ring == rings[0] for ring in rings)


def test_new_key_entry_parses_back() -> None:
    """The entry the rotation procedure appends is a valid one-key ring with a fresh key."""
    entry = new_key_entry("2027-01")
    [key] = parse_payload_keys(entry)
    assert key.kid == "2027-01" and parse_payload_keys(new_key_entry("2027-01"))[0].secret != key.secret
    with pytest.raises(PayloadKeyError):
        new_key_entry("no spaces")

"""Choosing the blob backend from settings, and refusing an incomplete S3 setup in production."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from blobs import LocalBlobStore, S3BlobStore, from_settings
from config.settings import Settings

STRONG = SecretStr("s" * 40)
# Production needs a payload key ring (the codec); its value is beside the point here.
PAYLOAD_KEYS = "k1:" + base64.b64encode(bytes(32)).decode()


def test_local_disk_is_the_default(tmp_path: Path) -> None:
    """Without configuration, blobs are files under var/blobs (or PRAXIS_BLOB_DIR)."""
    store = from_settings(Settings(var_dir=tmp_path))
    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path / "blobs"


def test_s3_backend_from_settings() -> None:
    """PRAXIS_BLOB_BACKEND=s3 puts blobs in PRAXIS_S3_BUCKET under PRAXIS_S3_PREFIX."""
    store = from_settings(
        Settings(
            blob_backend="s3",
            s3_endpoint_url="http://127.0.0.1:9000",
            s3_bucket="evidence",
            s3_prefix="praxis/",
            s3_access_key_id="key",
            s3_secret_access_key=SecretStr("secret"),
        )
    )
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == ("evidence", "praxis")


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("PRAXIS_S3_BUCKET", "PRAXIS_S3_BUCKET"),
        ("PRAXIS_S3_ACCESS_KEY_ID", "PRAXIS_S3_ACCESS_KEY_ID"),
        ("PRAXIS_S3_SECRET_ACCESS_KEY", "PRAXIS_S3_SECRET_ACCESS_KEY"),
    ],
)
def test_production_refuses_s3_without_bucket_or_credentials(
    monkeypatch: pytest.MonkeyPatch, missing: str, named: str
) -> None:
    """Production with the s3 backend fails at start, naming the missing setting and echoing no secret."""
    environment = {
        "PRAXIS_ENV": "production",
        "PRAXIS_DATABASE_URL": "postgresql://db/praxis",
        "PRAXIS_JWT_SECRET": "j" * 40,
        "PRAXIS_ACTION_LINK_SECRET": "a" * 40,
        "PRAXIS_PAYLOAD_KEYS": PAYLOAD_KEYS,
        "PRAXIS_BLOB_BACKEND": "s3",
        "PRAXIS_S3_ACCESS_KEY_ID": "AKIAEXAMPLEKEYID",
        "PRAXIS_S3_SECRET_ACCESS_KEY": "very-secret-access-key",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert Settings(_env_file=None).blob_backend == "s3"
    monkeypatch.setenv(missing, "")
    with pytest.raises(ValidationError, match=named) as refused:
        Settings(_env_file=None)
    for secret in ("very-secret-access-key", "AKIAEXAMPLEKEYID", "j" * 40, "a" * 40):
        assert secret not in str(refused.value)


def test_production_with_local_blobs_needs_no_s3_settings() -> None:
    """A single-machine deployment may keep blobs on local disk."""
    settings = Settings(
        env="production",
        database_url="postgresql://db/praxis",
        jwt_secret=STRONG,
        action_link_secret=STRONG,
        payload_keys=SecretStr(PAYLOAD_KEYS),
    )
    assert settings.blob_backend == "local"

"""Where uploaded evidence bytes live (R16): one `BlobStore` interface, a local and an S3 backend.

A ground-floor package: it imports `config/` and libraries only, so the API, the CLI and activities can all
use it. `from_settings` picks the backend named by `PRAXIS_BLOB_BACKEND`.
"""

from __future__ import annotations

from blobs.base import Blob, BlobInfo, BlobStore, InvalidDigest, check_digest, digest_of
from blobs.local import LocalBlobStore
from blobs.s3 import S3BlobStore
from config.settings import Settings

__all__ = [
    "Blob",
    "BlobInfo",
    "BlobStore",
    "InvalidDigest",
    "LocalBlobStore",
    "S3BlobStore",
    "check_digest",
    "digest_of",
    "from_settings",
]


def from_settings(settings: Settings) -> BlobStore:
    if settings.blob_backend == "s3":
        secret = settings.s3_secret_access_key
        return S3BlobStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
            prefix=settings.s3_prefix,
        )
    return LocalBlobStore(settings.blobs_path)

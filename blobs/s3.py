"""Blobs in any S3-compatible object store (AWS S3, MinIO, Ceph RGW, …), through obstore.

Why obstore (the Python face of Apache Arrow's Rust `object_store` crate), after weighing three:
- obstore: async natively (its own Tokio runtime, no thread pool), `get_async(...).stream(min_chunk_size)`
  streams a download chunk by chunk, listings carry size and last-modified (no HEAD per object), a custom
  `endpoint` with `allow_http` reaches MinIO, Ceph or moto, typed stubs ship in the wheel (the S3 options
  are a TypedDict mypy checks), and it needs nothing but typing-extensions. Actively released.
- opendal: also Rust and async, streams through `AsyncOperator.open`, but its options are untyped
  `**kwargs: str` and it is far less used from Python.
- aioboto3 / aiobotocore: the most familiar API, but aiohttp plus botocore is ~20 packages, aioboto3's
  newest release pins a year-old aiobotocore and botocore (it lags both), and types need separate stub
  packages.

Dedupe relies on idempotent overwrite: a key is the digest of its bytes, so writing it again stores the
same bytes under the same key (one object), a concurrent writer cannot corrupt it (S3 PUTs are atomic), and
the rewrite renews LastModified, which garbage collection's grace period needs when a new upload repeats
bytes that nothing referenced any more. A versioned bucket would keep each rewrite as a noncurrent
version: leave versioning off, or expire noncurrent versions with a lifecycle rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING

import obstore
from obstore.store import S3Store

from blobs.base import CHUNK_SIZE, Blob, BlobInfo, digest_from_key, digest_of, key_of

if TYPE_CHECKING:
    from obstore import ObjectMeta
    from obstore.store import S3Config

LIST_PAGE = 1000  # S3's own maximum per ListObjectsV2 request


class S3BlobStore:
    """Blobs as objects `<prefix><2 hex>/<digest>` in one bucket."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.bucket = bucket
        self.chunk_size = chunk_size
        # The prefix is a folder: "evidence" and "evidence/" both mean keys "evidence/ab/<digest>".
        self.prefix = prefix.strip("/")
        config: S3Config = {"region": region}
        if endpoint_url:
            config["endpoint"] = endpoint_url
        # Without keys, obstore's AWS credential chain (AWS_* variables, web identity, instance metadata) applies.
        if access_key_id is not None and secret_access_key is not None:
            config["access_key_id"] = access_key_id
            config["secret_access_key"] = secret_access_key
        self.store = S3Store(
            bucket,
            prefix=self.prefix or None,
            config=config,
            client_options={
                "allow_http": bool(endpoint_url and endpoint_url.startswith("http://")),
                "connect_timeout": timedelta(seconds=5),
                # The whole request, body included: a download streams only as fast as its reader takes it.
                "timeout": timedelta(minutes=10),
            },
            # The default retries for up to three minutes: far past any client's patience with an upload.
            retry_config={"max_retries": 4, "retry_timeout": timedelta(seconds=20)},
        )

    async def put(self, data: bytes) -> str:
        digest = await asyncio.to_thread(digest_of, data)
        # No multipart: photos are bounded by max_upload_bytes, and a single PUT leaves no parts behind.
        await obstore.put_async(self.store, key_of(digest), data, use_multipart=False)
        return digest

    async def check(self) -> None:
        # One listing request under a prefix no blob has: the bucket answers (or says it is missing), nothing read.
        await obstore.list_with_delimiter_async(self.store, prefix="readyz/")

    async def exists(self, digest: str) -> bool:
        return await self.stat(digest) is not None

    async def stat(self, digest: str) -> BlobInfo | None:
        key = key_of(digest)
        try:
            meta = await obstore.head_async(self.store, key)
        except FileNotFoundError:
            return None
        return _info(digest, meta)

    async def open(self, digest: str) -> Blob | None:
        key = key_of(digest)
        try:
            result = await obstore.get_async(self.store, key)
        except FileNotFoundError:
            return None
        stream = result.stream(min_chunk_size=self.chunk_size)
        return Blob(_info(digest, result.meta), stream)

    async def delete(self, digest: str) -> None:
        await obstore.delete_async(self.store, key_of(digest))

    async def iter_digests(self) -> AsyncIterator[BlobInfo]:
        async for page in obstore.list(self.store, chunk_size=LIST_PAGE):
            for meta in page:
                digest = digest_from_key(meta["path"])
                if digest is not None:
                    yield _info(digest, meta)


def _info(digest: str, meta: ObjectMeta) -> BlobInfo:
    return BlobInfo(digest, meta["size"], meta["last_modified"])

"""The blob store contract (R16: evidence bytes live outside workflow history), on both backends."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import obstore
import pytest

from blobs import BlobInfo, BlobStore, InvalidDigest, LocalBlobStore, S3BlobStore, digest_of
from tests.blobs.conftest import CHUNK
from tests.support.s3server import S3Server


def photo(n: int, size: int = 1000) -> bytes:
    return random.Random(n).randbytes(size)


async def listed(store: BlobStore) -> dict[str, BlobInfo]:
    return {info.digest: info async for info in store.iter_digests()}


async def test_round_trip(store: BlobStore) -> None:
    """What is put comes back byte for byte under its SHA-256, with its size known before reading."""
    data = photo(1)
    digest = await store.put(data)
    assert digest == digest_of(data)
    assert await store.exists(digest)
    blob = await store.open(digest)
    assert blob is not None
    assert blob.size == len(data)
    assert await blob.read() == data
    info = await store.stat(digest)
    assert info is not None and info.size == len(data)


async def test_the_same_bytes_are_stored_once(store: BlobStore) -> None:
    """A photo uploaded twice (a retry, or the same picture as two evidence items) is one object."""
    first = await store.put(photo(1))
    second = await store.put(photo(1))
    assert first == second
    assert list(await listed(store)) == [first]


async def test_download_streams_in_chunks(store: BlobStore) -> None:
    """A download arrives as a series of chunks, never as the whole object at once."""
    data = photo(2, size=40 * CHUNK)
    blob = await store.open(await store.put(data))
    assert blob is not None
    chunks = [chunk async for chunk in blob.chunks]
    assert len(chunks) > 1
    assert b"".join(chunks) == data


async def test_missing_digest(store: BlobStore) -> None:
    """A well-formed digest of nothing stored is told apart from an error: None, False, and a no-op delete."""
    digest = digest_of(b"never stored")
    assert await store.open(digest) is None
    assert await store.stat(digest) is None
    assert not await store.exists(digest)
    await store.delete(digest)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        digest_of(b"x").upper(),
        digest_of(b"x")[:63],
        digest_of(b"x") + "0",
        digest_of(b"x") + "\n",
        "ab/" + digest_of(b"x"),
        "",
    ],
)
async def test_invalid_digest_is_refused(store: BlobStore, name: str) -> None:
    """Only 64 lowercase hex digits name a blob: anything else is refused before it reaches a path or a key."""
    for call in (store.exists, store.stat, store.open, store.delete):
        with pytest.raises(InvalidDigest):
            await call(name)


async def test_delete(store: BlobStore) -> None:
    """A deleted blob is gone from reads and from the listing; the others stay."""
    kept, gone = await store.put(photo(1)), await store.put(photo(2))
    await store.delete(gone)
    assert not await store.exists(gone)
    assert await store.open(gone) is None
    assert set(await listed(store)) == {kept}


async def test_iter_digests_lists_every_blob_with_size_and_age(store: BlobStore) -> None:
    """Garbage collection sees every blob once, with its size and a timezone-aware last-modified time."""
    before = datetime.now(UTC) - timedelta(seconds=5)  # S3 keeps whole seconds; allow for rounding
    blobs = {digest_of(photo(n, 100 + n)): 100 + n for n in range(5)}
    for n in range(5):
        await store.put(photo(n, 100 + n))
    found = await listed(store)
    assert {digest: info.size for digest, info in found.items()} == blobs
    for info in found.values():
        assert info.modified.tzinfo is not None
        assert before <= info.modified <= datetime.now(UTC) + timedelta(seconds=5)


async def test_an_empty_store_lists_nothing(store: BlobStore) -> None:
    """A fresh deployment (no folder yet, an empty prefix) lists no blobs rather than failing."""
    assert await listed(store) == {}


async def test_local_listing_skips_what_is_not_a_blob(tmp_path: Path) -> None:
    """Half-written temporary files and anything else in the folder are never listed, so never collected."""
    store = LocalBlobStore(tmp_path)
    digest = await store.put(photo(1))
    stray = digest_of(b"stray")
    (tmp_path / digest[:2] / ".tmp-abc123").write_bytes(b"half a photo")
    (tmp_path / "00").mkdir(exist_ok=True)
    (tmp_path / "00" / stray).write_bytes(b"in the wrong folder")
    (tmp_path / "README").write_text("not a blob")
    assert set(await listed(store)) == {digest}


async def test_local_put_of_stored_bytes_renews_their_age(tmp_path: Path) -> None:
    """Uploading bytes already stored renews their last-modified time, so garbage collection's grace period
    protects the new upload until its reference is recorded."""
    store = LocalBlobStore(tmp_path)
    digest = await store.put(photo(1))
    old = (datetime.now(UTC) - timedelta(days=30)).timestamp()
    os.utime(tmp_path / digest[:2] / digest, (old, old))
    await store.put(photo(1))
    info = await store.stat(digest)
    assert info is not None and info.modified > datetime.now(UTC) - timedelta(minutes=1)


async def test_s3_keys_are_content_addressed_under_the_prefix(s3_server: S3Server) -> None:
    """Objects are `<prefix><2 hex>/<digest>`; "evidence" and "evidence/" name the same folder; objects
    that are not blobs (another application's, a wrong layout) are never listed."""
    prefix = f"layout-{os.urandom(4).hex()}"
    store = s3_server.store(prefix + "/")
    digest = await store.put(photo(1))
    assert set(await listed(s3_server.store(prefix))) == {digest}
    whole_bucket = s3_server.store("")
    keys = {meta["path"] async for page in obstore.list(whole_bucket.store, prefix) for meta in page}
    assert keys == {f"{prefix}/{digest[:2]}/{digest}"}
    for stray in ("README.txt", f"{digest[:2]}/not-a-digest", f"00/{digest}"):
        await obstore.put_async(store.store, stray, b"not a blob")
    assert set(await listed(store)) == {digest}


async def test_s3_store_without_a_prefix_uses_the_bucket_root(s3_server: S3Server) -> None:
    """With no prefix (the default) blobs sit at the bucket's root: `<2 hex>/<digest>`."""
    s3_server.create_bucket("praxis-root-test")
    store = S3BlobStore(
        "praxis-root-test",
        endpoint_url=s3_server.endpoint_url,
        access_key_id=s3_server.access_key_id,
        secret_access_key=s3_server.secret_access_key,
    )
    digest = await store.put(photo(1))
    keys = {meta["path"] async for page in obstore.list(store.store) for meta in page}
    assert keys == {f"{digest[:2]}/{digest}"}
    assert set(await listed(store)) == {digest}

"""Garbage collection of evidence blobs (R16): only blobs nothing references and past the grace period go."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from blobs import BlobInfo, BlobStore
from blobs.gc import DEFAULT_GRACE, collect

# Past the grace period for every blob the test just stored.
LATER = timedelta(hours=25)


def photo(n: int) -> bytes:
    return random.Random(n).randbytes(500 + n)


async def digests(store: BlobStore) -> set[str]:
    return {info.digest async for info in store.iter_digests()}


async def test_unreferenced_old_blobs_are_deleted_and_referenced_ones_kept(store: BlobStore) -> None:
    """A blob some evidence references stays however old; one nothing references goes once past the grace
    period, and the report counts it and its bytes."""
    kept = await store.put(photo(1))
    orphan = await store.put(photo(2))
    report = await collect(store, {kept}, datetime.now(UTC) + LATER, dry_run=False)
    assert await digests(store) == {kept}
    assert [info.digest for info in report.deleted] == [orphan]
    assert report.deleted_bytes == len(photo(2))
    assert (report.scanned, report.scanned_bytes) == (2, len(photo(1)) + len(photo(2)))
    assert (report.kept_referenced, report.kept_young) == (1, 0)


async def test_young_blobs_are_kept(store: BlobStore) -> None:
    """An upload stores its blob before its reference is written: within 24 hours nothing unreferenced goes."""
    young = await store.put(photo(1))
    report = await collect(store, set(), datetime.now(UTC) + DEFAULT_GRACE - timedelta(minutes=5), dry_run=False)
    assert await digests(store) == {young}
    assert (report.kept_young, report.deleted) == (1, [])


async def test_grace_period_is_configurable(store: BlobStore) -> None:
    """`--grace-hours`: a shorter grace period lets a blob go sooner, a longer one keeps it."""
    orphan = await store.put(photo(1))
    soon = datetime.now(UTC) + timedelta(hours=2)
    assert (await collect(store, set(), soon, timedelta(hours=3), dry_run=False)).deleted == []
    assert [i.digest for i in (await collect(store, set(), soon, timedelta(hours=1), dry_run=False)).deleted] == [
        orphan
    ]
    assert await digests(store) == set()


async def test_dry_run_deletes_nothing(store: BlobStore) -> None:
    """`--dry-run` reports what would go and leaves every blob in place."""
    kept = await store.put(photo(1))
    orphan = await store.put(photo(2))
    report = await collect(store, {kept}, datetime.now(UTC) + LATER, dry_run=True)
    assert report.dry_run
    assert [info.digest for info in report.deleted] == [orphan]
    assert await digests(store) == {kept, orphan}


class ListedEarlier:
    """The real store, but its listing shows every blob as it was two days ago: as if the same bytes were
    uploaded again between the collection's listing and its deletions."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.put, self.exists, self.stat, self.open, self.delete, self.check = (
            store.put,
            store.exists,
            store.stat,
            store.open,
            store.delete,
            store.check,
        )

    async def iter_digests(self) -> AsyncIterator[BlobInfo]:
        async for info in self.store.iter_digests():
            yield dataclasses.replace(info, modified=info.modified - timedelta(days=2))


async def test_a_blob_uploaded_again_during_collection_is_kept(store: BlobStore) -> None:
    """Each candidate is looked at again just before deletion: a blob renewed since the listing is young."""
    renewed = await store.put(photo(1))
    report = await collect(ListedEarlier(store), set(), datetime.now(UTC), dry_run=False)
    assert await digests(store) == {renewed}
    assert (report.kept_young, report.deleted) == (1, [])

"""Garbage collection of blobs no evidence references (`praxis blobs gc`).

A blob is kept while the blob reference table names it, or while it is younger than the grace period: an
upload stores its blob before the workflow records the evidence, so a fresh blob without a reference may
simply be in flight. `put` renews a blob's age when the same bytes are uploaded again, and each candidate is
looked at once more just before it is deleted, so an upload that races the collection keeps its blob.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from blobs.base import BlobInfo, BlobStore

DEFAULT_GRACE = timedelta(hours=24)


@dataclass
class GcReport:
    """What one collection saw, kept and deleted (or, in a dry run, would have deleted)."""

    dry_run: bool
    scanned: int = 0
    scanned_bytes: int = 0
    kept_referenced: int = 0
    kept_young: int = 0
    deleted: list[BlobInfo] = field(default_factory=list)

    @property
    def deleted_bytes(self) -> int:
        return sum(info.size for info in self.deleted)


async def collect(
    store: BlobStore, referenced: Set[str], now: datetime, grace: timedelta = DEFAULT_GRACE, *, dry_run: bool
) -> GcReport:
    """Delete every stored blob that `referenced` does not name and that was last modified at or before
    `now - grace`; with `dry_run`, only report them. `now` must be timezone-aware."""
    cutoff = now - grace
    report = GcReport(dry_run=dry_run)
    candidates: list[BlobInfo] = []
    # Listing first and deleting after: deleting while a listing pages through the same keys could skip some.
    async for info in store.iter_digests():
        report.scanned += 1
        report.scanned_bytes += info.size
        if info.digest in referenced:
            report.kept_referenced += 1
        elif info.modified > cutoff:
            report.kept_young += 1
        else:
            candidates.append(info)
    for info in candidates:
        if not dry_run:
            current = await store.stat(info.digest)
            if current is None:  # gone already (another collection, an operator)
                continue
            if current.modified > cutoff:  # uploaded again since the listing
                report.kept_young += 1
                continue
            await store.delete(info.digest)
        report.deleted.append(info)
    return report

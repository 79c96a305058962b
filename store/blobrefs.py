"""Blob references (R16): which project's evidence uses which stored blob, for `praxis blobs gc`.

The project's workflow records a reference once the evidence is accepted; the upload itself stores the blob
first, which is why garbage collection also spares young blobs.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, col, select

from store.models import BlobRefRow
from store.upsert import insert


def add_references(s: Session, project_id: str, refs: list[tuple[str, str]]) -> None:
    """Record `(evidence_id, digest)` pairs of a project. Recording a pair again changes nothing, so a
    retried activity can send the project's whole evidence list every time."""
    if not refs:
        return
    rows = [{"project_id": project_id, "evidence_id": evidence_id, "digest": digest} for evidence_id, digest in refs]
    s.exec(insert(s, BlobRefRow).values(rows).on_conflict_do_nothing(index_elements=["project_id", "evidence_id"]))


def referenced_digests(s: Session) -> set[str]:
    """Every digest some evidence references: what garbage collection keeps."""
    return set(iter_referenced_digests(s))


def iter_referenced_digests(s: Session, batch: int = 10_000) -> Iterator[str]:
    """The same digests, streamed from the database in batches rather than fetched in one result."""
    query = select(BlobRefRow.digest).distinct().execution_options(yield_per=batch)
    yield from s.exec(query)


def references_of(s: Session, digest: str) -> list[tuple[str, str]]:
    """`(project_id, evidence_id)` of every evidence item that uses the blob `digest`, in order."""
    query = (
        select(BlobRefRow.project_id, BlobRefRow.evidence_id)
        .where(BlobRefRow.digest == digest)
        .order_by(col(BlobRefRow.project_id), col(BlobRefRow.evidence_id))
    )
    return [(project_id, evidence_id) for project_id, evidence_id in s.exec(query)]

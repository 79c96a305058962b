"""Blob references (R16): which evidence uses which blob, so `praxis blobs gc` keeps every photo in use."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine

from store import blobrefs
from store.db import session


def digest(n: int) -> str:
    return hashlib.sha256(f"photo {n}".encode()).hexdigest()


def test_references_are_recorded_and_found_by_digest(db: Engine) -> None:
    """Each project's evidence names its blob; the same photo used by two projects is referenced by both."""
    with session(db) as s:
        blobrefs.add_references(s, "P2", [("E1", digest(1))])
        blobrefs.add_references(s, "P1", [("E1", digest(1)), ("E2", digest(2))])
    with session(db) as s:
        assert blobrefs.referenced_digests(s) == {digest(1), digest(2)}
        assert blobrefs.references_of(s, digest(1)) == [("P1", "E1"), ("P2", "E1")]
        assert blobrefs.references_of(s, digest(2)) == [("P1", "E2")]
        assert blobrefs.references_of(s, digest(3)) == []


def test_recording_again_changes_nothing(db: Engine) -> None:
    """A retried activity sends the whole evidence list again: no error, no duplicate, and an evidence
    item's first recorded blob stands (its blob never changes)."""
    refs = [("E1", digest(1)), ("E2", digest(2))]
    with session(db) as s:
        blobrefs.add_references(s, "P1", refs)
    with session(db) as s:
        blobrefs.add_references(s, "P1", [*refs, ("E3", digest(3))])
        blobrefs.add_references(s, "P1", [("E1", digest(9))])
        blobrefs.add_references(s, "P1", [])
    with session(db) as s:
        assert blobrefs.referenced_digests(s) == {digest(1), digest(2), digest(3)}
        assert blobrefs.references_of(s, digest(9)) == []


def test_referenced_digests_stream_in_batches(db: Engine) -> None:
    """The streaming variant yields each referenced digest once, however many evidence items share it and
    however small the batches."""
    with session(db) as s:
        blobrefs.add_references(s, "P1", [(f"E{n}", digest(n % 7)) for n in range(50)])
    with session(db) as s:
        streamed = list(blobrefs.iter_referenced_digests(s, batch=3))
    assert sorted(streamed) == sorted({digest(n) for n in range(7)})

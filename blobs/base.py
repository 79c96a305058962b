"""What every blob store offers (R16): content-addressed bytes, streamed out, listed for garbage collection.

A blob's name is the SHA-256 of its bytes (64 lowercase hex digits), kept as `<2 hex>/<digest>` so no
folder or listing page grows past 1/256th of the store. Workflow history keeps only the digest
(`domain.work.BlobRef`); the bytes live here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

_DIGEST = re.compile(r"[0-9a-f]{64}")

# Big enough that a 10 MB photo is a few dozen writes to the socket, small enough that many concurrent
# downloads hold little memory.
CHUNK_SIZE = 256 * 1024


class InvalidDigest(ValueError):
    """A name that is not a SHA-256 hex digest: refused before it can reach a path or a key."""


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_digest(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise InvalidDigest("not a SHA-256 hex digest (64 lowercase hex digits)")
    return digest


def key_of(digest: str) -> str:
    """`<2 hex>/<digest>`: the blob's path under the store's root or prefix."""
    return f"{check_digest(digest)[:2]}/{digest}"


def digest_from_key(key: str) -> str | None:
    """The digest a key names, or None for anything else found in the store (temporary files, another
    application's objects), which listing and garbage collection must leave alone."""
    folder, _, name = key.partition("/")
    if _DIGEST.fullmatch(name) and folder == name[:2]:
        return name
    return None


@dataclass(frozen=True)
class BlobInfo:
    """A stored blob: its digest, size in bytes and last-modified time (timezone-aware, UTC)."""

    digest: str
    size: int
    modified: datetime


@dataclass(frozen=True)
class Blob:
    """An open blob: its size up front (for Content-Length), its bytes as chunks to stream.

    `chunks` can be iterated once; it opens the underlying file or response only as it is read.
    """

    info: BlobInfo
    chunks: AsyncIterator[bytes]

    @property
    def size(self) -> int:
        return self.info.size

    async def read(self) -> bytes:
        """The whole blob in memory: only for what must decode the image (a thumbnail), never a download."""
        return b"".join([chunk async for chunk in self.chunks])


class BlobStore(Protocol):
    """Content-addressed blob storage. Every method taking a digest raises `InvalidDigest` for a malformed one."""

    async def put(self, data: bytes) -> str:
        """Store `data`; return its digest. The same bytes are stored once, and storing them again renews
        their last-modified time, so garbage collection's grace period covers the upload that repeats them."""
        ...

    async def exists(self, digest: str) -> bool: ...

    async def stat(self, digest: str) -> BlobInfo | None:
        """Size and last-modified time, or None if no such blob is stored."""
        ...

    async def open(self, digest: str) -> Blob | None:
        """The blob, ready to stream, or None if no such blob is stored."""
        ...

    async def delete(self, digest: str) -> None:
        """Remove the blob; deleting one that is not there is not an error."""
        ...

    def iter_digests(self) -> AsyncIterator[BlobInfo]:
        """Every stored blob, in no particular order; objects that are not blobs are skipped."""
        ...

    async def check(self) -> None:
        """Raise if the store cannot be reached or written to now (readiness); reads and writes no blob."""
        ...

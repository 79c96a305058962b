"""Where uploaded evidence bytes live (R16): content-addressed by SHA-256, never in workflow history.

Workflow history keeps only a `BlobRef` (digest, type, size, dimensions). The local folder under
`settings.blobs_path` is the default; an S3-compatible store would implement the same two methods.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data`; return its SHA-256 hex digest. Storing the same bytes again is a no-op."""
        ...

    def get(self, digest: str) -> bytes | None:
        """The bytes stored under `digest`, or None."""
        ...


class LocalBlobStore:
    """Blobs as files `<root>/<first two hex digits>/<digest>`, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary name and rename, so a reader never sees half a blob.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes | None:
        try:
            return self._path(digest).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

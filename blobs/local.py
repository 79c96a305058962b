"""The embedded blob store: files `<root>/<2 hex>/<digest>` under `settings.blobs_path`.

File I/O runs in worker threads so the event loop keeps serving while a disk is slow.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from blobs.base import CHUNK_SIZE, Blob, BlobInfo, digest_from_key, digest_of, key_of


class LocalBlobStore:
    """Blobs as files, written atomically: a reader never sees half a blob."""

    def __init__(self, root: Path, *, chunk_size: int = CHUNK_SIZE) -> None:
        self.root = root
        self.chunk_size = chunk_size

    def _path(self, digest: str) -> Path:
        return self.root / key_of(digest)

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put, data)

    def _put(self, data: bytes) -> str:
        digest = digest_of(data)
        path = self._path(digest)
        try:
            os.utime(path)  # already stored: only renew its age for garbage collection
            return digest
        except FileNotFoundError:
            pass
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

    async def check(self) -> None:
        await asyncio.to_thread(self._check)

    def _check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"{self.root} is not writable")

    async def exists(self, digest: str) -> bool:
        return await self.stat(digest) is not None

    async def stat(self, digest: str) -> BlobInfo | None:
        path = self._path(digest)
        try:
            st = await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            return None
        return BlobInfo(digest, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))

    async def open(self, digest: str) -> Blob | None:
        info = await self.stat(digest)
        if info is None:
            return None
        return Blob(info, self._chunks(self._path(digest)))

    async def _chunks(self, path: Path) -> AsyncIterator[bytes]:
        # Opened on first read, so a Blob that is never streamed holds no file handle.
        with await asyncio.to_thread(path.open, "rb") as file:
            while chunk := await asyncio.to_thread(file.read, self.chunk_size):
                yield chunk

    async def delete(self, digest: str) -> None:
        await asyncio.to_thread(self._path(digest).unlink, missing_ok=True)

    async def iter_digests(self) -> AsyncIterator[BlobInfo]:
        # One folder at a time: memory stays at 1/256th of the store however large it grows.
        for folder in await asyncio.to_thread(self._folders):
            for info in await asyncio.to_thread(self._scan, folder):
                yield info

    def _folders(self) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self.root) if entry.is_dir(follow_symlinks=False))
        except FileNotFoundError:
            return []

    def _scan(self, folder: str) -> list[BlobInfo]:
        found = []
        try:
            entries = list(os.scandir(self.root / folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            digest = digest_from_key(f"{folder}/{entry.name}")
            if digest is None or not entry.is_file(follow_symlinks=False):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # deleted since the folder was read
                continue
            found.append(BlobInfo(digest, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC)))
        return found

"""Every blob store test runs against both backends: files on local disk, and a real S3-compatible server."""

from __future__ import annotations

from pathlib import Path

import pytest

from blobs import BlobStore, LocalBlobStore
from tests.support.s3server import S3Server

# Small chunks, so a few kilobytes already stream as several of them.
CHUNK = 4 * 1024


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> BlobStore:
    """An empty store of the backend under test."""
    if backend == "local":
        return LocalBlobStore(tmp_path / "blobs", chunk_size=CHUNK)
    server: S3Server = request.getfixturevalue("s3_server")
    return server.store(chunk_size=CHUNK)

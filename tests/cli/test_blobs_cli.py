"""`praxis blobs gc` (R16): deletes the blobs no evidence references once past the grace period, on either
backend; `--dry-run` only lists them."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from blobs import BlobStore, LocalBlobStore
from cli.main import app
from config.settings import get_settings
from store import blobrefs
from store.db import make_engine, migrate, session
from tests.support.s3server import S3Server


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The command with a database and blob folder of its own; its URL."""
    url = f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"
    monkeypatch.setenv("PRAXIS_DATABASE_URL", url)
    monkeypatch.setenv("PRAXIS_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setattr("cli.blobs.configure_logging", lambda settings: None)
    migrate(url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def praxis(*args: str) -> Result:
    return CliRunner(env={"COLUMNS": "200"}).invoke(app, list(args))


def photo(n: int) -> bytes:
    return random.Random(n).randbytes(300 + n)


def put(store: BlobStore, n: int) -> str:
    return asyncio.run(store.put(photo(n)))


def listed(store: BlobStore) -> set[str]:
    async def digests() -> set[str]:
        return {info.digest async for info in store.iter_digests()}

    return asyncio.run(digests())


def age(store: LocalBlobStore, digest: str, hours: float) -> None:
    then = (datetime.now(UTC) - timedelta(hours=hours)).timestamp()
    os.utime(store.root / digest[:2] / digest, (then, then))


def reference(url: str, project_id: str, evidence_id: str, digest: str) -> None:
    with session(make_engine(url)) as s:
        blobrefs.add_references(s, project_id, [(evidence_id, digest)])


def test_dry_run_lists_and_gc_deletes_only_old_unreferenced_blobs(database: str, tmp_path: Path) -> None:
    """Referenced blobs stay however old, young ones stay (an upload in flight), the rest go; the dry run
    names them and deletes nothing."""
    store = LocalBlobStore(tmp_path / "blobs")
    used, orphan, fresh = put(store, 1), put(store, 2), put(store, 3)
    age(store, used, 48)
    age(store, orphan, 48)
    age(store, fresh, 23)
    reference(database, "P1", "E1", used)

    dry = praxis("blobs", "gc", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would delete {orphan} ({len(photo(2))} bytes" in dry.output
    assert "kept 1 referenced and 1 younger than 24 h; would delete 1" in dry.output
    assert listed(store) == {used, orphan, fresh}

    done = praxis("blobs", "gc")
    assert done.exit_code == 0, done.output
    assert f"deleted {orphan}" in done.output
    assert f"deleted 1 ({len(photo(2))} bytes)" in done.output
    assert listed(store) == {used, fresh}

    shorter = praxis("blobs", "gc", "--grace-hours", "12")
    assert shorter.exit_code == 0, shorter.output
    assert listed(store) == {used}


def test_nothing_is_deleted_while_no_reference_is_recorded(database: str, tmp_path: Path) -> None:
    """A store whose references were never written would otherwise lose every photo: gc refuses (exit 1)
    unless --force is given."""
    store = LocalBlobStore(tmp_path / "blobs")
    old = put(store, 1)
    age(store, old, 48)
    refused = praxis("blobs", "gc")
    assert refused.exit_code == 1
    assert "No blob references are recorded" in refused.output
    assert listed(store) == {old}
    forced = praxis("blobs", "gc", "--force")
    assert forced.exit_code == 0, forced.output
    assert listed(store) == set()


def test_gc_on_the_s3_backend(database: str, monkeypatch: pytest.MonkeyPatch, s3_server: S3Server) -> None:
    """PRAXIS_BLOB_BACKEND=s3: the command collects in the bucket, under the configured prefix."""
    prefix = f"gc-{os.urandom(4).hex()}/"
    for name, value in {
        "PRAXIS_BLOB_BACKEND": "s3",
        "PRAXIS_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "PRAXIS_S3_BUCKET": s3_server.bucket,
        "PRAXIS_S3_PREFIX": prefix,
        "PRAXIS_S3_ACCESS_KEY_ID": s3_server.access_key_id,
        "PRAXIS_S3_SECRET_ACCESS_KEY": s3_server.secret_access_key,
    }.items():
        monkeypatch.setenv(name, value)
    store = s3_server.store(prefix)
    used, orphan = put(store, 1), put(store, 2)
    reference(database, "P1", "E1", used)
    # S3 cannot back-date an object: a zero grace period makes both blobs old enough.
    result = praxis("blobs", "gc", "--grace-hours", "0")
    assert result.exit_code == 0, result.output
    assert f"deleted {orphan}" in result.output
    assert listed(store) == {used}

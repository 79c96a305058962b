"""A real S3-compatible server for the session: moto's server in a subprocess on a free local port.

It starts only when a test asks for `s3_server` (about two seconds), answers real S3 HTTP requests, and is
stopped at the end of the session. Each test gets its own prefix (`S3Server.store`), so tests share the
bucket without seeing each other's blobs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from blobs import S3BlobStore
from blobs.base import CHUNK_SIZE

STARTUP_SECONDS = 60  # a loaded 2-core box imports moto slowly; a healthy start takes about two seconds
BUCKET = "praxis-evidence-test"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str = BUCKET
    region: str = "us-east-1"
    # moto accepts any credentials; giving some keeps the client from looking for real ones.
    access_key_id: str = "praxis-test"
    secret_access_key: str = "praxis-test-secret"

    def store(self, prefix: str | None = None, *, chunk_size: int = CHUNK_SIZE) -> S3BlobStore:
        """A store of its own under a fresh prefix (or the one given) in the session's bucket."""
        return S3BlobStore(
            self.bucket,
            endpoint_url=self.endpoint_url,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            prefix=f"test-{uuid.uuid4().hex[:12]}/" if prefix is None else prefix,
            chunk_size=chunk_size,
        )

    def create_bucket(self, name: str) -> None:
        # moto checks no signature, so a plain CreateBucket request (PUT /<bucket>) is enough.
        httpx.put(f"{self.endpoint_url}/{name}", timeout=10).raise_for_status()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """moto's server on a free port, once it answers. Another process may take the port between the probe
    and moto's bind; moto then exits at once and the next try picks another port."""
    for _ in range(3):
        port = _free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(url, timeout=1).raise_for_status()
                return process, url
            except httpx.HTTPError:
                time.sleep(0.05)
        _stop(process)
    raise RuntimeError(f"moto's S3 server did not start; its output:\n{log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    process, url = _start(tmp_path_factory.mktemp("moto") / "server.log")
    try:
        server = S3Server(url)
        server.create_bucket(server.bucket)
        yield server
    finally:
        _stop(process)

"""Evidence in an S3-compatible bucket (R16): the API stores uploads there and streams them back from it."""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from blobs import digest_of
from config.settings import Settings
from tests.api.portal import Portal
from tests.support.s3server import S3Server


@pytest.fixture(scope="module")
def s3_settings(settings: Settings, s3_server: S3Server) -> Settings:
    """The session's settings with blobs in the test bucket, under a prefix of their own."""
    return settings.model_copy(
        update={
            "blob_backend": "s3",
            "s3_endpoint_url": s3_server.endpoint_url,
            "s3_bucket": s3_server.bucket,
            "s3_prefix": f"api-{uuid.uuid4().hex[:8]}/",
            "s3_access_key_id": s3_server.access_key_id,
            "s3_secret_access_key": SecretStr(s3_server.secret_access_key),
        }
    )


@pytest.fixture(scope="module")
async def s3_portal(
    temporal_env: WorkflowEnvironment, s3_settings: Settings, engine: Engine, worker: None
) -> AsyncIterator[Portal]:
    app: FastAPI = create_app(s3_settings, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=30) as http:
            yield Portal(http, s3_settings)


def noisy_jpeg() -> bytes:
    """A photo of a few hundred kilobytes (noise does not compress): several chunks when streamed."""
    pixels = random.Random(7).randbytes(600 * 400 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (600, 400), pixels).save(out, format="JPEG", quality=95)
    return out.getvalue()


async def test_upload_lands_in_the_bucket_and_downloads_whole(
    s3_portal: Portal, s3_settings: Settings, s3_server: S3Server
) -> None:
    """With PRAXIS_BLOB_BACKEND=s3 an upload is stored as `<prefix><2 hex>/<digest>` in the bucket, and the
    download is served from there with its length up front and every byte intact."""
    project_id, student_id = await s3_portal.approved()
    uploaded = await s3_portal.upload(project_id, student_id, noisy_jpeg())
    assert uploaded.status_code == 201, uploaded.text
    blob = (await s3_portal.view(project_id))["evidence"][0]["blob"]
    assert await s3_server.store(s3_settings.s3_prefix).exists(blob["digest"])
    served = await s3_portal.http.get(
        f"/v1/projects/{project_id}/evidence/{uploaded.json()['created_id']}", headers=s3_portal.student(student_id)
    )
    assert served.status_code == 200
    assert served.headers["content-length"] == str(blob["size"])
    assert blob["size"] > 200_000
    assert digest_of(served.content) == blob["digest"]

"""The FastAPI app: one Temporal client and one database engine per process, routers, problem errors.

`uvicorn api.main:app` serves it (`praxis api`); tests build their own with `create_app(settings,
temporal_client=...)` to share the test server's client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import version
from typing import Any

import structlog
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from opentelemetry.sdk.trace import TracerProvider
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api import errors
from api.allow import AllowedMethods
from api.db import Store
from api.deps import Resources
from api.request_context import RequestContext, bind_path_ids
from api.routes import (
    actions,
    closure,
    codec,
    desk,
    directory,
    directory_changes,
    groups,
    health,
    invitations,
    office,
    profile,
    projects,
    proposal,
    semesters,
    steering,
    supervision,
    views,
    work,
)
from api.rows import RowWriter
from api.uploads import BodyLimit, ImageGate
from blobs import from_settings as blob_store
from clients.connect import connect
from clients.group import GroupClient
from clients.project import ProjectClient
from config.collector import tune_collector
from config.settings import Settings, get_settings
from store.db import make_engine, migrate, wait_for_database
from telemetry import tracing

log = structlog.get_logger(__name__)

DESCRIPTION = """
Praxis runs NTUST's Social Practice course (TC1010) as durable workflows. The portal drives every project
through this API: submit a proposal, get it reviewed, invite a supervisor, log hours, upload evidence,
submit the closure report and have it evaluated.

* **Auth**: `Authorization: Bearer <JWT>` (HS256) with `sub`, `role` (`student`, `faculty`, `center`,
  `osa`) and `exp`. Locally, `praxis token --role student --sub B10901001` prints one.
* **Errors**: `application/problem+json` with a stable `code`; a refusal for several reasons lists each in
  `problems`, a request that fails validation names each field in `errors`.
* **Retries**: send an `Idempotency-Key` with every change; a retry with the same key acts once and
  answers the first outcome. `503` and `429` say when to retry in `Retry-After`.
"""

# Matched in this order, one route after another: the portal's most frequent calls first (a student's hours
# and evidence, then reading projects), so they pass the fewest routes. No two routers could match one request
# (tests/api/test_routers.py), so the order changes only how soon a route is found.
ROUTERS = (
    work,
    projects,
    health,
    directory,
    directory_changes,
    proposal,
    supervision,
    invitations,
    closure,
    actions,
    steering,
    groups,
    semesters,
    desk,
    office,
    views,
    profile,
)


def create_app(
    settings: Settings | None = None,
    *,
    temporal_client: Client | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """The app; its lifespan connects to Temporal (unless given a client) and migrates the database. Traces
    go to the given provider, else to PRAXIS_OTLP_ENDPOINT if set (telemetry/tracing.py), else nowhere."""
    settings = settings or get_settings()
    settings.refuse_placeholder_secrets()
    own_provider = tracer_provider is None
    provider = tracer_provider or tracing.tracer_provider(settings, "praxis-api")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        startup_wait = timedelta(seconds=settings.startup_wait_seconds)
        client = temporal_client or await connect(settings, retry_for=startup_wait, tracer_provider=provider)
        await run_in_threadpool(wait_for_database, settings.db_url, startup_wait)
        await run_in_threadpool(migrate, settings.db_url)
        store = Store(make_engine(settings.db_url))
        rows = RowWriter(store, linger=settings.read_model_linger_seconds)
        app.state.resources = Resources(
            projects=ProjectClient(client, settings),
            groups=GroupClient(client, settings),
            store=store,
            rows=rows,
            blobs=blob_store(settings),
        )
        tune_collector()  # here, so each of uvicorn's worker processes sets it for itself
        log.info("api ready", temporal=settings.temporal_address, task_queue=settings.task_queue)
        yield
        await rows.close()  # the lists keep the last actions' rows
        if provider is not None and own_provider:
            provider.shutdown()  # sends the spans still batched

    # Swagger UI (/docs) and ReDoc (/redoc) load their scripts and styles from the installed fastapi-offline
    # package, so the docs work on a machine without internet and send no reader's address to a CDN.
    # PRAXIS_API_DOCS=false (a production choice): a plain app with no /docs, /redoc or /openapi.json.
    docs: dict[str, Any] = {} if settings.api_docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    app = (FastAPIOffline if settings.api_docs else FastAPI)(
        title="Praxis",
        summary="The Social Practice course's portal API",
        description=DESCRIPTION,
        # The schema's version is the package's: a generated client names the release it was made from.
        version=version("praxis"),
        lifespan=lifespan,
        # operationIds (and generated client method names) are the handlers' names: `log_hours`, not
        # `log_hours_v1_projects__project_id__hours_post`.
        generate_unique_id_function=_operation_id,
        **docs,
        # Once a route is matched: the project or group it names goes into every log line of the request.
        dependencies=[Depends(bind_path_ids)],
    )
    app.state.settings = settings
    app.state.image_gate = ImageGate(settings.max_concurrent_images)
    errors.install(app)
    app.add_middleware(BodyLimit, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(AllowedMethods, routes=app.router.routes)
    # Outermost: the request id covers everything below, body limits and problem answers included.
    app.add_middleware(RequestContext)
    tracing.instrument_api(app, provider)
    for module in ROUTERS:
        app.include_router(module.router)
    codec.install(app, settings)
    if settings.env in ("dev", "test"):
        # SPEC §5: the dev inbox exists on a developer's machine (and in tests), never in production. It
        # reads the dev stack's mail keeper, whose SMTP server is a dev dependency the image does not have.
        from api.routes import devmail

        app.include_router(devmail.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _operation_id(route: APIRoute) -> str:
    return route.name


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the ProblemDetails component every documented error response refers to."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    problem = errors.ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in problem.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["ProblemDetails"] = problem
    return schema


app = create_app()

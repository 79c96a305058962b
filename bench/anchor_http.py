"""Part `http`: the anchor behind a bare HTTP route, so the gap between Praxis and the raw SDK splits into the
HTTP hop's own cost and Praxis's work above it.

One FastAPI route, `POST /entities/{entity_id}/items`, reads an `AddItem`, runs the anchor's update
(bench/entity.py) with the `Idempotency-Key` header as the update's id and answers the `Added`. No auth, no
database, no middleware, no access log: the floor for "an SDK update behind HTTP". It is served the way the
Praxis API is (uvicorn on uvloop and httptools, one worker, a process of its own) and connects to Temporal the
one way every process does (`clients.connect`, the same converter and codec), so http/sdk is the hop's cost and
api/http is Praxis's own.

    BENCH_HTTP_TEMPORAL_ADDRESS=127.0.0.1:7233 python -m bench.anchor_http --port 8010
"""

from __future__ import annotations

import argparse
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated

import aiohttp
from fastapi import FastAPI, Header
from temporalio.client import Client, WorkflowHandle

from bench.anchor import WORKFLOW_ID_PREFIX
from bench.entity import Added, AddItem, EntityWorkflow
from bench.measure import Call
from bench.services import Service, free_port, python_module, start
from clients.connect import connect
from config.settings import Settings

ADDRESS_VARIABLE = "BENCH_HTTP_TEMPORAL_ADDRESS"
NAMESPACE_VARIABLE = "BENCH_HTTP_TEMPORAL_NAMESPACE"  # default "default"
HOST = "127.0.0.1"


def create_app(given: Client | None = None) -> FastAPI:
    """The app; its lifespan connects the Temporal client from ADDRESS_VARIABLE and NAMESPACE_VARIABLE, unless
    one is `given` (tests)."""
    client = given

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal client
        if client is not None:
            yield
            return
        settings = Settings(
            temporal_address=os.environ[ADDRESS_VARIABLE],
            temporal_namespace=os.environ.get(NAMESPACE_VARIABLE, "default"),
        )
        client = await connect(settings)
        yield

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/entities/{entity_id}/items")
    async def add_item(entity_id: str, item: AddItem, idempotency_key: Annotated[str, Header()]) -> Added:
        if client is None:
            raise RuntimeError("the Temporal client connects in the app's lifespan")
        handle = client.get_workflow_handle(f"{WORKFLOW_ID_PREFIX}{entity_id}")
        return await handle.execute_update(EntityWorkflow.add, item, id=idempotency_key)

    return app


app = create_app()


# --- the load generator's side ---------------------------------------------------------------------------


def entity_id(handle: WorkflowHandle[EntityWorkflow, int]) -> str:
    """The route's id of an entity the anchor started (`anchor.start_entities`)."""
    return handle.id.removeprefix(WORKFLOW_ID_PREFIX)


def _post(session: aiohttp.ClientSession, entity: str, text: str) -> Call:
    async def call() -> str | None:
        """None on success, else the status code or the transport error's name, as bench/portal.py counts."""
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        try:
            async with session.post(f"/entities/{entity}/items", json={"text": text}, headers=headers) as answer:
                await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            return type(error).__name__
        return None if 200 <= answer.status < 300 else str(answer.status)

    return call


def jobs(
    session: aiohttp.ClientSession, handles: Sequence[WorkflowHandle[EntityWorkflow, int]], actions: int
) -> list[list[Call]]:
    """Each entity's `actions` POSTs, to run in order, each with a fresh Idempotency-Key."""
    return [[_post(session, entity_id(h), f"item {m}") for m in range(actions)] for h in handles]


def caller(base_url: str) -> aiohttp.ClientSession:
    """The load generator's client of an HTTP side, the bare route's and the Praxis API's alike.

    As many connections as calls in flight. Idle connections are dropped after 4 s, before uvicorn's own 5 s
    keep-alive closes them: otherwise a call that reuses one just as the server closes it fails
    (ServerDisconnectedError), which the pause between rounds made happen now and then."""
    return aiohttp.ClientSession(
        base_url=base_url,
        timeout=aiohttp.ClientTimeout(total=300),
        connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=4),
    )


@contextlib.asynccontextmanager
async def http_anchor(settings: Settings, env: Mapping[str, str], log_dir: Path) -> AsyncIterator[tuple[str, Service]]:
    """The app as a process of its own on a free port, answering; its base URL and process; stopped after."""
    port = free_port()
    child_env = {
        **env,
        ADDRESS_VARIABLE: settings.temporal_address,
        NAMESPACE_VARIABLE: settings.temporal_namespace,
        "PYTHONUNBUFFERED": "1",
    }
    service = start("anchor-http", python_module("bench.anchor_http", "--port", str(port)), child_env, log_dir)
    try:
        url = f"http://{HOST}:{port}"
        # Any answer will do (the app has no other route): uvicorn listens once the lifespan has connected.
        await service.wait_until_answering(url, within=90)
        yield url, service
        service.ensure_running()
    finally:
        service.stop()


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="The benchmark anchor behind a bare HTTP route.")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # As the Praxis API runs (cli/main.py `api`), less its access log: uvloop, httptools, one worker process.
    uvicorn.run(
        "bench.anchor_http:app",
        host=args.host,
        port=args.port,
        workers=1,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()

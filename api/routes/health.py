"""Liveness (SPEC §4 `GET /healthz`), readiness (`GET /readyz`) and the Prometheus scrape (`GET /metrics`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from api import readiness
from api.deps import SettingsDep
from telemetry.metrics import metrics_registry

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, Literal["up", "down"]] = Field(
        description="Each dependency: `temporal` (the namespace answers), `database`, `object_store`, `smtp` "
        "(a connection, no mail)."
    )
    down: list[str] = Field(description="The dependencies that are down, by name; empty when ready.")


@router.get("/healthz", summary="Liveness")
async def healthz() -> Health:
    """The process is up; it does not wait for Temporal or the database."""
    return Health()


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Readiness,
    # Probes for load balancers and operators, not the portal's contract (deploy/README.md documents them).
    include_in_schema=False,
    responses={503: {"model": Readiness, "description": "Not ready: `down` names what is down."}},
)
async def readyz(request: Request, settings: SettingsDep) -> Readiness | JSONResponse:
    """Ready to serve the portal: Temporal, the database, the object store and SMTP all answer. 503 names every
    dependency that does not (why is in the log); load balancers take the instance out meanwhile."""
    states = await readiness.probe(readiness.checks(request.app.state.resources, settings))
    down = [name for name, up in states.items() if not up]
    body = Readiness(
        status="not_ready" if down else "ready",
        checks={name: "up" if up else "down" for name, up in states.items()},
        down=down,
    )
    if down:
        return JSONResponse(body.model_dump(mode="json"), status_code=503)
    return body


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, include_in_schema=False)
async def metrics() -> Response:
    """Requests by route template and status, their latency, update latency, problems by code (the 503s
    among them), dependency readiness, and the Python process's own figures, in Prometheus' text format."""
    return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)

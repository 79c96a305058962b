"""Liveness (SPEC §4 `GET /healthz`)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = "ok"


@router.get("/healthz", summary="Liveness")
async def healthz() -> Health:
    """The process is up; it does not wait for Temporal or the database."""
    return Health()

"""The HTTP API's entry point for uvicorn (`api.main:app`); routers are wired in here."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(title="Praxis")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness (SPEC §4): answers while the process serves requests."""
    return {"status": "ok"}

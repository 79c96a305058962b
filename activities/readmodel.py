"""Keeps the project read model and audit table current; the portal lists projects from them."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity

from activities.contracts import SaveProject
from store import projects
from store.db import session


class ReadModelActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    async def save_project(self, request: SaveProject) -> bool:
        """Idempotent, and an older revision never overwrites a newer one (store.projects.save_project)."""
        return await asyncio.to_thread(self._save, request)

    def _save(self, request: SaveProject) -> bool:
        with session(self._engine) as s:
            return projects.save_project(s, request.summary, request.audit)

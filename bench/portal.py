"""The benchmark's HTTP client of the API, the portal's way (SPEC §4): JWTs per person, one call per step.

It relies on the stable contract only (paths, request bodies, the status class and the `id` of a
submitted project), so it keeps working while response shapes evolve: any 2xx is success. Setup calls
raise on failure; timed calls answer True or False and never raise for an HTTP status.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import aiohttp
import httpx

from api.auth import issue_token
from config.settings import Settings
from domain.vocabulary import Role

CENTER_ID = "cge-bench"
PROPOSAL: dict[str, Any] = {
    "title": "Reading club at Wanhua community library",
    "plan": "Twice a week, read with primary school pupils and run a small library of donated books.",
    "category": "external",
    "tags": ["volunteer"],
    "indicators": [{"indicator": "civic_consciousness", "how": "Pupils learn to share and look after books."}],
}
SETUP_ATTEMPTS = 5
FIRST_DAY = date(2020, 1, 1)  # hours are logged on past days only (R14)


class SetupFailed(RuntimeError):
    pass


def key() -> str:
    return uuid.uuid4().hex


class Portal:
    """`http` for setup and reads; timed actions go through `caller` when given: httpx's connection pool spends
    CPU per request that grows with its open connections, and on a 2-core box the load generator's CPU is the
    system's, so a lighter client keeps the figures about Praxis (an ASGI transport needs httpx alone)."""

    def __init__(
        self, http: httpx.AsyncClient, settings: Settings, caller: aiohttp.ClientSession | None = None
    ) -> None:
        self.http = http
        self._caller = caller
        self._settings = settings
        self._tokens: dict[tuple[Role, str], dict[str, str]] = {}
        self._days: dict[str, Iterator[int]] = {}

    def auth(self, role: Role, sub: str) -> dict[str, str]:
        found = self._tokens.get((role, sub))
        if found is None:
            token = issue_token(self._settings, sub=sub, role=role, ttl=timedelta(days=2))
            found = self._tokens[role, sub] = {"Authorization": f"Bearer {token}"}
        return found

    @property
    def center(self) -> dict[str, str]:
        return self.auth(Role.CENTER, CENTER_ID)

    async def _setup_call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A setup call, retried with the same Idempotency-Key while the API says to come back later or the
        connection drops: under load an update may outlast the API's timeout, and the portal would retry it the
        same way."""
        for _ in range(SETUP_ATTEMPTS - 1):
            try:
                response = await self.http.request(method, url, **kwargs)
            except httpx.TransportError:
                # A kept-alive connection the server closed as the request went out: the same key, again.
                await asyncio.sleep(0.2)
                continue
            if response.status_code not in (429, 503):
                break
            await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 5.0))
        else:
            response = await self.http.request(method, url, **kwargs)
        if not response.is_success:
            raise SetupFailed(
                f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:500]}"
            )
        return response

    # --- setup (not timed) -----------------------------------------------------------------------------

    async def put_student(self, student_id: str) -> None:
        body = {"name": f"Student {student_id}", "email": f"{student_id.lower()}@mail.example.edu"}
        await self._setup_call("PUT", f"/v1/students/{student_id}", json=body, headers=self.center)

    async def put_faculty(self, faculty_id: str) -> str:
        """A professor (eligible, R10); returns their email."""
        email = f"{faculty_id.lower()}@staff.example.edu"
        body = {"name": f"Prof {faculty_id}", "email": email, "rank": "professor", "department": "Bench"}
        await self._setup_call("PUT", f"/v1/faculty/{faculty_id}", json=body, headers=self.center)
        return email

    async def put_semester(self, semester_id: str, starts_on: date, exam_week: date, ends_on: date) -> None:
        body = {
            "starts_on": starts_on.isoformat(),
            "final_exam_week_starts_on": exam_week.isoformat(),
            "ends_on": ends_on.isoformat(),
        }
        await self._setup_call("PUT", f"/v1/semesters/{semester_id}", json=body, headers=self.center)

    async def submit(self, student_id: str) -> str:
        headers = {**self.auth(Role.STUDENT, student_id), "Idempotency-Key": key()}
        response = await self._setup_call("POST", "/v1/projects", json=PROPOSAL, headers=headers)
        project_id = response.json()["created_id"]
        assert isinstance(project_id, str)
        return project_id

    async def invite(self, project_id: str, student_id: str, faculty_email: str) -> None:
        body = {"faculty_email": faculty_email, "reflection_format": "conversation"}
        headers = {**self.auth(Role.STUDENT, student_id), "Idempotency-Key": key()}
        await self._setup_call("POST", f"/v1/projects/{project_id}/invitation", json=body, headers=headers)

    async def accept(self, project_id: str, faculty_id: str) -> None:
        headers = {**self.auth(Role.FACULTY, faculty_id), "Idempotency-Key": key()}
        url = f"/v1/projects/{project_id}/invitation/response"
        await self._setup_call("POST", url, json={"accept": True}, headers=headers)

    async def in_progress(self, tag: str) -> tuple[str, str]:
        """A submitted, approved project with an accepted supervisor (IN_PROGRESS): (project id, student id)."""
        student_id, faculty_id = f"B{tag}", f"T{tag}"
        await self.put_student(student_id)
        email = await self.put_faculty(faculty_id)
        project_id = await self.submit(student_id)
        headers = {**self.center, "Idempotency-Key": key()}
        body = {"decision": "approve", "comment": ""}
        await self._setup_call("POST", f"/v1/projects/{project_id}/review", json=body, headers=headers)
        await self.invite(project_id, student_id, email)
        await self.accept(project_id, faculty_id)
        return project_id, student_id

    # --- timed actions ---------------------------------------------------------------------------------

    async def _timed_call(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        """None on success, else the status code or the transport error's name (a reset connection is a
        failure to count, not a reason to stop the run)."""
        if self._caller is not None:
            try:
                async with self._caller.post(url, json=body, headers=headers) as answer:
                    await answer.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                return type(error).__name__
            return None if 200 <= answer.status < 300 else str(answer.status)
        try:
            response = await self.http.post(url, json=body, headers=headers)
        except httpx.TransportError as error:
            return type(error).__name__
        return None if response.is_success else str(response.status_code)

    async def approve(self, project_id: str) -> str | None:
        """The center approves a proposal (R8)."""
        headers = {**self.center, "Idempotency-Key": key()}
        body = {"decision": "approve", "comment": ""}
        return await self._timed_call(f"/v1/projects/{project_id}/review", body, headers)

    def next_day(self, project_id: str) -> date:
        """A day this project has no hours on yet, so half hours never pass 12 a day (R14)."""
        days = self._days.setdefault(project_id, itertools.count())
        return FIRST_DAY + timedelta(days=next(days))

    async def log_hours(self, project_id: str, student_id: str) -> str | None:
        body = {
            "date": self.next_day(project_id).isoformat(),
            "hours": 0.5,
            "kind": "execution",
            "description": "Reading session",
        }
        headers = {**self.auth(Role.STUDENT, student_id), "Idempotency-Key": key()}
        return await self._timed_call(f"/v1/projects/{project_id}/hours", body, headers)

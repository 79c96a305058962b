"""Drives the API the way the university portal would: tokens per person, one helper per course step."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from PIL import Image

from api.auth import issue_token
from config.settings import Settings
from domain.vocabulary import Role

_ids = itertools.count(1)
CENTER_ID = "cge-1"
OSA_ID = "osa-1"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}{next(_ids):04d}"


def proposal(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Reading club at Wanhua community library",
        "plan": "Twice a week, read with primary school pupils and run a small library of donated books.",
        "category": "external",
        "tags": ["volunteer"],
        "indicators": [{"indicator": "civic_consciousness", "how": "Pupils learn to share and look after books."}],
    }
    body.update(changes)
    return body


def closure_report() -> dict[str, Any]:
    return {
        "narrative": "We ran a reading club for twelve weeks and learned how to keep pupils engaged. " * 2,
        "indicators": [{"indicator": "civic_consciousness", "how": "Pupils now run the book exchange themselves."}],
    }


def jpeg(size: tuple[int, int] = (64, 48), color: str = "teal", exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", exif=exif or Image.Exif())
    return out.getvalue()


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    """A translucent purple square: of another colour than the red, green and blue photos the helpers upload,
    so the rules do not take it for the same picture (R16's perceptual and colour hashes)."""
    out = io.BytesIO()
    Image.new("RGBA", size, (128, 0, 128, 128)).save(out, format="PNG")
    return out.getvalue()


PARTICIPATION_CAPTION = "Reading with pupils in the library; I am the one in the blue shirt on the left."
REFLECTION_CAPTION = "Reflection talk with my supervisor after the last session"


class Portal:
    """HTTP calls as one person or another; every helper asserts the call succeeded and returns its JSON."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http = http
        self.settings = settings

    def auth(self, role: Role | str, sub: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings, sub=sub, role=role, **claims)}"}

    def student(self, sub: str) -> dict[str, str]:
        return self.auth(Role.STUDENT, sub)

    def faculty(self, sub: str) -> dict[str, str]:
        return self.auth(Role.FACULTY, sub)

    @property
    def center(self) -> dict[str, str]:
        return self.auth(Role.CENTER, CENTER_ID)

    @property
    def osa(self) -> dict[str, str]:
        return self.auth(Role.OSA, OSA_ID)

    @staticmethod
    def ok(response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    # --- directory ----------------------------------------------------------------------------------

    async def add_faculty(self, *, rank: str = "professor", leaving_after: str | None = None) -> dict[str, Any]:
        faculty_id = unique("T")
        body = {
            "name": f"Prof {faculty_id}",
            "email": f"{faculty_id.lower()}@staff.example.edu",
            "rank": rank,
            "department": "Civil Engineering",
            "leaving_after": leaving_after,
        }
        saved = self.ok(await self.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=self.center), 201)
        assert saved["created_id"] == faculty_id
        entry: dict[str, Any] = saved["faculty"]
        return entry

    async def add_student(self) -> str:
        student_id = unique("B")
        body = {"name": f"Student {student_id}", "email": f"{student_id.lower()}@mail.example.edu"}
        saved = self.ok(await self.http.put(f"/v1/students/{student_id}", json=body, headers=self.center), 201)
        assert saved["created_id"] == student_id
        return student_id

    # --- a project's steps --------------------------------------------------------------------------

    async def submit(self, student_id: str, key: str | None = None, **changes: Any) -> dict[str, Any]:
        headers = {**self.student(student_id), "Idempotency-Key": key or unique("k")}
        result = self.ok(await self.http.post("/v1/projects", json=proposal(**changes), headers=headers), 201)
        assert isinstance(result, dict) and result["created_id"] == result["project"]["id"]
        project: dict[str, Any] = result["project"]
        return project

    async def approve(self, project_id: str) -> dict[str, Any]:
        body = {"decision": "approve", "comment": ""}
        return self._outcome(await self.http.post(f"/v1/projects/{project_id}/review", json=body, headers=self.center))

    async def invite(self, project_id: str, student_id: str, faculty: dict[str, Any]) -> dict[str, Any]:
        body = {"faculty_email": faculty["email"], "reflection_format": "conversation"}
        url = f"/v1/projects/{project_id}/invitation"
        return self._outcome(await self.http.post(url, json=body, headers=self.student(student_id)))

    async def accept(self, project_id: str, faculty_id: str) -> dict[str, Any]:
        url = f"/v1/projects/{project_id}/invitation/response"
        return self._outcome(await self.http.post(url, json={"accept": True}, headers=self.faculty(faculty_id)))

    async def log_hours(
        self, project_id: str, student_id: str, hours: float, day: date, kind: str = "execution", **extra: Any
    ) -> dict[str, Any]:
        body = {"date": day.isoformat(), "hours": hours, "kind": kind, "description": "Reading session", **extra}
        url = f"/v1/projects/{project_id}/hours"
        return self._outcome(await self.http.post(url, json=body, headers=self.student(student_id)), 201)

    async def log_required_hours(self, project_id: str, student_id: str) -> None:
        """36 execution hours, 12 a day (R14, R15)."""
        start = date(2026, 3, 2)
        for n in range(3):
            await self.log_hours(project_id, student_id, 12, start + timedelta(days=n))

    async def upload(
        self,
        project_id: str,
        student_id: str,
        data: bytes,
        *,
        kind: str = "participation",
        caption: str = PARTICIPATION_CAPTION,
        filename: str = "photo.jpg",
        content_type: str = "image/jpeg",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.http.post(
            f"/v1/projects/{project_id}/evidence",
            files={"file": (filename, data, content_type)},
            data={"kind": kind, "caption": caption},
            headers={**self.student(student_id), **(headers or {})},
        )

    async def add_evidence(self, project_id: str, student_id: str) -> None:
        """Three captioned participation photos and one reflection record (R16)."""
        for n, color in enumerate(("red", "green", "blue")):
            self.ok(await self.upload(project_id, student_id, jpeg(color=color), filename=f"p{n}.jpg"), 201)
        reflection = await self.upload(
            project_id, student_id, png(), kind="reflection", caption=REFLECTION_CAPTION, filename="talk.png"
        )
        self.ok(reflection, 201)

    async def submit_closure(self, project_id: str, student_id: str) -> dict[str, Any]:
        url = f"/v1/projects/{project_id}/closure-report"
        return self._outcome(await self.http.post(url, json=closure_report(), headers=self.student(student_id)))

    async def evaluate(self, project_id: str, faculty_id: str, result: str, feedback: str = "") -> dict[str, Any]:
        url = f"/v1/projects/{project_id}/evaluation"
        body = {"result": result, "feedback": feedback}
        return self._outcome(await self.http.post(url, json=body, headers=self.faculty(faculty_id)))

    async def view(self, project_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        view = self.ok(await self.http.get(f"/v1/projects/{project_id}", headers=headers or self.center))
        assert isinstance(view, dict)
        return view

    def _outcome(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        outcome = self.ok(response, status)
        assert isinstance(outcome, dict)
        return outcome

    # --- whole stretches ----------------------------------------------------------------------------

    async def approved(self) -> tuple[str, str]:
        """A student's project, approved and waiting for a supervisor: (project id, student id)."""
        student_id = await self.add_student()
        project = await self.submit(student_id)
        await self.approve(project["id"])
        return project["id"], student_id

    async def in_progress(self) -> tuple[str, str, str]:
        """An approved project with an accepted supervisor: (project id, student id, faculty id)."""
        project_id, student_id = await self.approved()
        faculty = await self.add_faculty()
        await self.invite(project_id, student_id, faculty)
        await self.accept(project_id, faculty["id"])
        return project_id, student_id, faculty["id"]

    async def under_evaluation(self) -> tuple[str, str, str]:
        project_id, student_id, faculty_id = await self.in_progress()
        await self.log_required_hours(project_id, student_id)
        await self.add_evidence(project_id, student_id)
        await self.submit_closure(project_id, student_id)
        return project_id, student_id, faculty_id

"""`praxis demo`: a course in full swing, seeded through the public HTTP API of a running `praxis dev`.

It enters the current semester (unless the calendar has one for today), a faculty directory with a
professor who leaves NTUST after this semester and a staff member, students, one project left in every
stage of SPEC §3 and an approved group with a member's linked project, with real (generated) photos as
evidence. Then it says where to look: list queries for the Temporal UI, the dev inbox, a project's JSON.

Running it again duplicates nothing: every call carries a fixed Idempotency-Key, each student's project
is found before one is submitted, and each step first reads the project's stage and is skipped when the
project is already past it. Directory PUTs replace entries with the same values.

The cast and the projects are `devstack.demo_course`; this module is the run, one `Demo` method per step of
SPEC §3 and the table of which steps lead to which stage, kept together (past ~300 lines) so a step and the
stage it is skipped from are read side by side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from api.auth import issue_token
from config.settings import Settings
from devstack.demo_course import (
    APPLICANT,
    CHEN,
    FACULTY,
    GROUP,
    LINKED,
    MEMBER,
    PROJECTS,
    STUDENTS,
    WANG,
    DemoProject,
    Pupil,
    photo,
)
from domain.calendar import default_semester_id, taipei_date, taipei_midnight_utc
from domain.stages import Stage
from domain.vocabulary import Role

KEY = "praxis-demo-v1"  # prefix of every Idempotency-Key: change it to seed a second, separate course
CENTER_ID = "cge-demo"


class DemoError(Exception):
    """The API refused a step or could not be reached; the message says which and why."""


# Which steps each stage needs after submission, in order (SPEC §3).
PATHS: dict[Stage, tuple[str, ...]] = {
    Stage.PROPOSAL_REVIEW: (),
    Stage.CHANGES_REQUESTED: ("request_changes",),
    Stage.REJECTED: ("reject",),
    Stage.NEEDS_SUPERVISOR: ("approve",),
    Stage.WITHDRAWN: ("approve", "withdraw"),
    Stage.SUPERVISOR_INVITED: ("approve", "invite"),
    Stage.IN_PROGRESS: ("approve", "invite", "accept", "some_work"),
    Stage.EVALUATION_PENDING: ("approve", "invite", "accept", "all_work", "closure"),
    Stage.REVISION_REQUESTED: ("approve", "invite", "accept", "all_work", "closure", "revise"),
    Stage.PASSED: ("approve", "invite", "accept", "all_work", "closure", "pass"),
    Stage.FAILED: ("approve", "invite", "accept", "all_work", "closure", "fail"),
}
# The stage a step is taken from; a project in any other stage is past it (the demo is its only actor).
FROM: dict[str, Stage] = {
    "request_changes": Stage.PROPOSAL_REVIEW,
    "reject": Stage.PROPOSAL_REVIEW,
    "approve": Stage.PROPOSAL_REVIEW,
    "withdraw": Stage.NEEDS_SUPERVISOR,
    "invite": Stage.NEEDS_SUPERVISOR,
    "accept": Stage.SUPERVISOR_INVITED,
    "some_work": Stage.IN_PROGRESS,
    "all_work": Stage.IN_PROGRESS,
    "closure": Stage.IN_PROGRESS,
    "revise": Stage.EVALUATION_PENDING,
    "pass": Stage.EVALUATION_PENDING,
    "fail": Stage.EVALUATION_PENDING,
}


@dataclass
class DemoReport:
    """What the run left behind, and what it did (an idempotent rerun does nothing but the directory PUTs)."""

    api_url: str
    semester_id: str
    projects: dict[Stage, str] = field(default_factory=dict)
    group_id: str = ""
    linked_project_id: str = ""
    done: list[str] = field(default_factory=list)  # "<project>: <step>" for each step taken this run
    skipped: int = 0


# --- the run ----------------------------------------------------------------------------------------


class Demo:
    def __init__(self, http: httpx.AsyncClient, settings: Settings, *, today: date, semester_id: str | None) -> None:
        self.http = http
        self.settings = settings
        self.today = today
        self.semester_id = semester_id
        self.report = DemoReport(api_url=str(http.base_url).rstrip("/"), semester_id=semester_id or "")

    def auth(self, role: Role, sub: str, key: str | None = None) -> dict[str, str]:
        token = issue_token(self.settings, sub=sub, role=role, ttl=timedelta(hours=1))
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = f"{KEY}:{key}"
        return headers

    @property
    def center(self) -> dict[str, str]:
        return self.auth(Role.CENTER, CENTER_ID)

    async def call(self, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError as error:
            raise DemoError(
                f"{self.report.api_url} could not be reached ({error}); is `praxis dev` running?"
            ) from error
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise DemoError(f"{method} {url} answered {response.status_code}: {detail}")
        return response.json()

    # --- the calendar and the directory --------------------------------------------------------------

    async def semester(self) -> str:
        """The calendar's semester for today; else the current term (or the one asked for), dated around today
        so that the projects submitted now belong to it."""
        semesters: list[dict[str, Any]] = await self.call("GET", "/v1/semesters", self.center)
        day = self.today.isoformat()
        today_s = [s["id"] for s in semesters if s["starts_on"] <= day <= s["ends_on"]]
        if self.semester_id is None and today_s:
            return str(today_s[0])
        semester_id = self.semester_id or default_semester_id(taipei_midnight_utc(self.today))
        if semester_id not in today_s:
            body = {
                "starts_on": (self.today - timedelta(days=80)).isoformat(),
                "final_exam_week_starts_on": (self.today + timedelta(days=40)).isoformat(),
                "ends_on": (self.today + timedelta(days=54)).isoformat(),
            }
            await self.call("PUT", f"/v1/semesters/{semester_id}", self.center, json=body)
        return semester_id

    async def directory(self, semester_id: str) -> None:
        for teacher in FACULTY:
            body = {
                "name": teacher.name,
                "email": teacher.email,
                "rank": teacher.rank,
                "department": teacher.department,
                "leaving_after": semester_id if teacher.leaving else None,
            }
            await self.call("PUT", f"/v1/faculty/{teacher.id}", self.center, json=body)
        for pupil in STUDENTS:
            entry = {"name": pupil.name, "email": pupil.email, "has_internship_credit": False}
            await self.call("PUT", f"/v1/students/{pupil.id}", self.center, json=entry)

    # --- one project ---------------------------------------------------------------------------------

    async def view(self, project_id: str) -> dict[str, Any]:
        view: dict[str, Any] = await self.call("GET", f"/v1/projects/{project_id}", self.center)
        return view

    async def existing(self, pupil: Pupil) -> str | None:
        """The student's project if the demo submitted it before (each demo student has one)."""
        page = await self.call("GET", "/v1/projects", self.auth(Role.STUDENT, pupil.id))
        items: list[dict[str, Any]] = page["items"]
        return str(items[0]["id"]) if items else None

    async def submit(self, project: DemoProject, group_id: str | None = None) -> str:
        found = await self.existing(project.student)
        if found is not None:
            self.report.skipped += 1
            return found
        headers = self.auth(Role.STUDENT, project.student.id, f"{project.slug}:submit")
        result = await self.call("POST", "/v1/projects", headers, json=project.proposal(group_id))
        self.report.done.append(f"{project.title}: submitted")
        return str(result["created_id"])

    async def advance(self, project: DemoProject) -> str:
        project_id = await self.submit(project)
        for step in PATHS[project.stage]:
            stage = Stage((await self.view(project_id))["stage"])
            if stage is not FROM[step]:
                self.report.skipped += 1
                continue
            if await STEPS[step](self, project, project_id):
                self.report.done.append(f"{project.title}: {step}")
            else:
                self.report.skipped += 1
        return project_id

    def student(self, project: DemoProject, step: str) -> dict[str, str]:
        return self.auth(Role.STUDENT, project.student.id, f"{project.slug}:{step}")

    def teacher(self, project: DemoProject, step: str) -> dict[str, str]:
        assert project.supervisor is not None
        return self.auth(Role.FACULTY, project.supervisor.id, f"{project.slug}:{step}")

    async def review(self, project: DemoProject, project_id: str, decision: str) -> None:
        headers = {**self.center, "Idempotency-Key": f"{KEY}:{project.slug}:review"}
        body = {"decision": decision, "comment": project.review_comment}
        await self.call("POST", f"/v1/projects/{project_id}/review", headers, json=body)

    async def invite(self, project: DemoProject, project_id: str) -> None:
        assert project.supervisor is not None
        body = {"faculty_email": project.supervisor.email, "reflection_format": "conversation"}
        await self.call("POST", f"/v1/projects/{project_id}/invitation", self.student(project, "invite"), json=body)

    async def accept(self, project: DemoProject, project_id: str) -> None:
        url = f"/v1/projects/{project_id}/invitation/response"
        await self.call("POST", url, self.teacher(project, "accept"), json={"accept": True})

    async def work(self, project: DemoProject, project_id: str, *, complete: bool) -> bool:
        """Hours (R14, R15) and evidence (R16): all that the closure report needs, or a first part of it.
        Only what the project lacks is added; False when it lacked nothing."""
        entries = (
            [(12, "execution", n) for n in (12, 10, 8)] + [(2, "reflection", 6)]
            if complete
            else [(4, "execution", 5), (2, "skill_learning", 4)]
        )
        view = await self.view(project_id)
        hours_missing = entries[len(view["hours"]) :]
        for n, (hours, kind, days_ago) in enumerate(hours_missing, start=len(view["hours"])):
            body = {
                "date": (self.today - timedelta(days=days_ago)).isoformat(),
                "hours": hours,
                "kind": kind,
                "description": f"{project.title}: {'session' if kind == 'execution' else kind.replace('_', ' ')}",
            }
            await self.call("POST", f"/v1/projects/{project_id}/hours", self.student(project, f"hours:{n}"), json=body)
        photos = [("participation", f"{project.title}: I am second from the left, in the blue shirt.")] * (
            3 if complete else 1
        )
        if complete:
            photos.append(("reflection", "Reflection conversation with my supervisor in the department office."))
        photos_missing = photos[len(view["evidence"]) :]
        for n, (kind, caption) in enumerate(photos_missing, start=len(view["evidence"])):
            data = photo(f"Praxis demo - {project.title} - {kind} {n + 1}", hue=40 * n + len(project.title))
            files = {"file": (f"{kind}-{n + 1}.jpg", data, "image/jpeg")}
            await self.call(
                "POST",
                f"/v1/projects/{project_id}/evidence",
                self.student(project, f"evidence:{n}"),
                files=files,
                data={"kind": kind, "caption": caption},
            )
        return bool(hours_missing or photos_missing)

    async def closure(self, project: DemoProject, project_id: str) -> None:
        body = {
            "narrative": (
                f"{project.title}. The idea came from our course; the process took three long days of "
                "service and a reflection conversation, and taught me to plan with the people we served."
            ),
            "indicators": [{"indicator": project.indicator, "how": project.how}],
        }
        await self.call(
            "POST", f"/v1/projects/{project_id}/closure-report", self.student(project, "closure"), json=body
        )

    async def evaluate(self, project: DemoProject, project_id: str, result: str) -> None:
        body = {"result": result, "feedback": project.feedback}
        await self.call("POST", f"/v1/projects/{project_id}/evaluation", self.teacher(project, "evaluate"), json=body)

    async def withdraw(self, project: DemoProject, project_id: str) -> None:
        body = {"reason": "I leave for an exchange semester abroad before the camp starts."}
        await self.call("POST", f"/v1/projects/{project_id}/withdrawal", self.student(project, "withdraw"), json=body)

    # --- the group (R9) ------------------------------------------------------------------------------

    async def group(self) -> tuple[str, str]:
        body = {**GROUP.proposal(), "members": [APPLICANT.id, MEMBER.id]}
        del body["group_id"]
        headers = self.auth(Role.STUDENT, APPLICANT.id, "group:submit")
        group = (await self.call("POST", "/v1/groups", headers, json=body))["group"]
        group_id = str(group["id"])
        if group["stage"] == "PROPOSAL_REVIEW":
            review = {**self.center, "Idempotency-Key": f"{KEY}:group:review"}
            await self.call("POST", f"/v1/groups/{group_id}/review", review, json={"decision": "approve"})
            self.report.done.append(f"{GROUP.title}: approved")
        else:
            self.report.skipped += 1
        member = await self.call("GET", f"/v1/groups/{group_id}", self.auth(Role.STUDENT, MEMBER.id))
        linked = next(m["project_id"] for m in member["members"] if m["student_id"] == MEMBER.id)
        if linked is None:
            linked = await self.submit(LINKED, group_id)
        else:
            self.report.skipped += 1
        return group_id, str(linked)

    async def run(self) -> DemoReport:
        semester_id = await self.semester()
        self.report.semester_id = semester_id
        await self.directory(semester_id)
        for project in PROJECTS:
            self.report.projects[project.stage] = await self.advance(project)
        self.report.group_id, self.report.linked_project_id = await self.group()
        return self.report


Step = Callable[[Demo, DemoProject, str], Awaitable[bool]]


def _review(decision: str) -> Step:
    async def review(demo: Demo, project: DemoProject, project_id: str) -> bool:
        await demo.review(project, project_id, decision)
        return True

    return review


def _evaluation(result: str) -> Step:
    async def evaluate(demo: Demo, project: DemoProject, project_id: str) -> bool:
        await demo.evaluate(project, project_id, result)
        return True

    return evaluate


def _work(*, complete: bool) -> Step:
    async def work(demo: Demo, project: DemoProject, project_id: str) -> bool:
        return await demo.work(project, project_id, complete=complete)

    return work


def _always(method: Callable[[Demo, DemoProject, str], Awaitable[None]]) -> Step:
    async def step(demo: Demo, project: DemoProject, project_id: str) -> bool:
        await method(demo, project, project_id)
        return True

    return step


# Each step returns whether it acted (a step within a stage may find nothing left to do).
STEPS: dict[str, Step] = {
    "request_changes": _review("request_changes"),
    "reject": _review("reject"),
    "approve": _review("approve"),
    "withdraw": _always(Demo.withdraw),
    "invite": _always(Demo.invite),
    "accept": _always(Demo.accept),
    "some_work": _work(complete=False),
    "all_work": _work(complete=True),
    "closure": _always(Demo.closure),
    "revise": _evaluation("revise"),
    "pass": _evaluation("pass"),
    "fail": _evaluation("fail"),
}


async def run_demo(
    http: httpx.AsyncClient, settings: Settings, *, today: date | None = None, semester_id: str | None = None
) -> DemoReport:
    """Seed the course through the API `http` points at (its base URL). `semester_id` forces the demo's
    semester (dated around today) instead of the calendar's semester for today."""
    demo = Demo(http, settings, today=today or taipei_date(datetime.now(UTC)), semester_id=semester_id)
    return await demo.run()


# --- which instance ----------------------------------------------------------------------------------


def demo_api_url(settings: Settings) -> str:
    """The running `praxis dev` the demo seeds: the API at PRAXIS_API_HOST:PRAXIS_API_PORT, where `praxis dev`
    serves it; when only PRAXIS_PUBLIC_URL was set (the API behind another address), that. Never a fixed port:
    a second instance on another port must not seed the first."""
    chosen = settings.model_fields_set
    if "public_url" in chosen and not {"api_host", "api_port"} & chosen:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host  # noqa: S104
    return f"http://{host}:{settings.api_port}"


# --- where to look ----------------------------------------------------------------------------------


def where_to_look(report: DemoReport, settings: Settings) -> list[str]:
    """The lines `praxis demo` prints: what was seeded, then the Temporal UI queries, the inbox and the JSON."""
    host = settings.temporal_address.rsplit(":", 1)[0]
    ui = f"http://{host}:{settings.temporal_ui_port}/namespaces/{settings.temporal_namespace}/workflows"
    token = issue_token(settings, sub=CENTER_ID, role=Role.CENTER, ttl=timedelta(hours=12))
    evaluating = report.projects.get(Stage.EVALUATION_PENDING, "")
    queries: Sequence[tuple[str, str]] = (
        ("Waiting for evaluation", 'WorkflowType="ProjectWorkflow" AND PraxisStage="EVALUATION_PENDING"'),
        (f"Supervised by the leaving professor {WANG.id}", f'PraxisSupervisorId="{WANG.id}"'),
        (
            f"Projects of {report.semester_id}",
            f'WorkflowType="ProjectWorkflow" AND PraxisSemester="{report.semester_id}"',
        ),
        (f"One student ({PROJECTS[0].student.id})", f'PraxisStudentId="{PROJECTS[0].student.id}"'),
        (
            f"The group proposal (members' projects: GET /v1/groups/{report.group_id})",
            f'PraxisGroupId="{report.group_id}"',
        ),
        ("The semester and the departures", 'WorkflowType="SemesterWorkflow" OR WorkflowType="DepartureWorkflow"'),
    )
    lines = [
        f"Praxis demo: semester {report.semester_id}, {len(report.projects)} projects (one in every stage), "
        f"group {report.group_id} with linked project {report.linked_project_id}.",
        f"This run: {len(report.done)} steps taken, {report.skipped} already done.",
        "",
        "Projects by stage:",
        *(f"  {stage.value:<20} {project_id}" for stage, project_id in report.projects.items()),
        "",
        f"Temporal UI ({ui}), list queries:",
    ]
    for label, query in queries:
        lines += [f"  {label}:", f"    {query}", f"    {ui}?query={quote(query)}"]
    lines += [
        "",
        f"Mails sent so far: {report.api_url}/dev/mail/ui",
        f"The course office's desk: {report.api_url}/office?semester={report.semester_id} "
        f"(sign in with the token below)",
        f"API docs: {report.api_url}/docs",
        "",
        f"A project's JSON (EVALUATION_PENDING, its supervisor {WANG.id} leaves after {report.semester_id}):",
        f'  curl -H "Authorization: Bearer {token}" {report.api_url}/v1/projects/{evaluating}',
        f"Passing list of {CHEN.id} (PDF, R23):",
        f'  curl -OJ -H "Authorization: Bearer {token}" '
        f"{report.api_url}/v1/semesters/{report.semester_id}/passing-lists/{CHEN.id}.pdf",
        "Operators: docs/operators.md (signals such as reassign_supervisor, with example payloads).",
    ]
    return lines

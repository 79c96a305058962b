"""Drives projects through ProjectWorkflow the way the portal would, for workflow-level tests."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from clients.group import GroupClient
from clients.project import ProjectClient, new_project_id
from domain.actors import Actor
from domain.commands import Evaluate, InvitationResponse, Invite, Review
from domain.groups import LinkMember, linked_proposal
from domain.people import Faculty, Student
from domain.proposal import IndicatorClaim, Proposal
from domain.vocabulary import (
    Category,
    Channel,
    EvaluationResult,
    EvidenceKind,
    HourKind,
    Indicator,
    PriorityTag,
    Rank,
    ReflectionFormat,
    ReviewDecision,
    Role,
)
from domain.work import BlobRef, ClosureReport, EvidenceInput, HoursInput
from store import directory
from store.db import session
from store.standing import standing_of
from workflows.group import GroupWorkflow
from workflows.messages import Outcome
from workflows.project import ProjectWorkflow

CENTER = Actor(id="cge-1", role=Role.CENTER)
OSA = Actor(id="osa-1", role=Role.OSA)
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids):05d}"


def proposal(title: str = "Reading club at Wanhua community library", **changes: object) -> Proposal:
    base: dict[str, object] = {
        "title": title,
        "plan": "Twice a week, read with primary school pupils and run a small library of donated books.",
        "category": Category.EXTERNAL,
        "tags": [PriorityTag.VOLUNTEER],
        "indicators": [
            IndicatorClaim(indicator=Indicator.CIVIC_CONSCIOUSNESS, how="Pupils learn to share and look after books."),
        ],
    }
    base.update(changes)
    return Proposal.model_validate(base)


def student_actor(student_id: str) -> Actor:
    return Actor(id=student_id, role=Role.STUDENT)


def faculty_actor(faculty_id: str, channel: Channel = Channel.PORTAL) -> Actor:
    return Actor(id=faculty_id, role=Role.FACULTY, channel=channel)


def photo(n: int) -> BlobRef:
    return BlobRef(
        digest=hashlib.sha256(f"photo-{n}".encode()).hexdigest(),
        content_type="image/jpeg",
        size=1000 + n,
        width=640,
        height=480,
    )


class Course:
    """The course office's directory plus a student's and supervisor's moves, over the real workflow."""

    def __init__(self, projects: ProjectClient, engine: Engine) -> None:
        self.projects = projects
        self.engine = engine
        self._next_day: dict[str, date] = {}

    def add_student(self, *, internship_credit: bool = False) -> str:
        student_id = unique("B1090")
        with session(self.engine) as s:
            directory.upsert_student(
                s,
                Student(
                    id=student_id,
                    name=f"Student {student_id}",
                    email=f"{student_id.lower()}@mail.example.edu",
                    has_internship_credit=internship_credit,
                ),
            )
        return student_id

    def add_faculty(self, rank: Rank = Rank.PROFESSOR, leaving_after: str | None = None) -> Faculty:
        faculty_id = unique("T")
        faculty = Faculty(
            id=faculty_id,
            name=f"Prof {faculty_id}",
            email=f"{faculty_id.lower()}@staff.example.edu",
            rank=rank,
            department="Civil Engineering",
            leaving_after=leaving_after,
        )
        with session(self.engine) as s:
            directory.upsert_faculty(s, faculty)
        return faculty

    async def submit(self, student_id: str, prop: Proposal | None = None, key: str | None = None) -> str:
        project_id = new_project_id(student_id, key or unique("key"))
        with session(self.engine) as s:
            standing = standing_of(s, student_id, project_id)
        await self.projects.start(
            project_id=project_id,
            student_id=student_id,
            semester_id="2026-fall",
            proposal=prop or proposal(),
            actor=student_actor(student_id),
            standing=standing,
        )
        return project_id

    async def approve(self, project_id: str) -> Outcome:
        return await self.projects.act(
            project_id, ProjectWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE)
        )

    async def invite(self, project_id: str, student_id: str, faculty: Faculty) -> Outcome:
        cmd = Invite(faculty=faculty, reflection_format=ReflectionFormat.CONVERSATION)
        return await self.projects.act(project_id, ProjectWorkflow.invite, student_actor(student_id), cmd)

    async def accept(self, project_id: str, faculty: Faculty) -> Outcome:
        cmd = InvitationResponse(accept=True)
        return await self.projects.act(project_id, ProjectWorkflow.respond_invitation, faculty_actor(faculty.id), cmd)

    async def log_hours(self, project_id: str, student_id: str, total: int = 36) -> None:
        day = self._next_day.get(project_id, date(2026, 9, 1))
        remaining = Decimal(total)
        while remaining > 0:
            chunk = min(remaining, Decimal(8))
            cmd = HoursInput(date=day, hours=chunk, kind=HourKind.EXECUTION, description="Reading session")
            await self.projects.act(project_id, ProjectWorkflow.log_hours, student_actor(student_id), cmd)
            remaining -= chunk
            day += timedelta(days=1)
        self._next_day[project_id] = day

    async def add_evidence(self, project_id: str, student_id: str, photos: int = 3, reflection: bool = True) -> None:
        for n in range(photos):
            cmd = EvidenceInput(
                kind=EvidenceKind.PARTICIPATION,
                caption=f"Reading with pupils, session {n + 1}; I am the one in the blue shirt on the left.",
                blob=photo(n),
            )
            await self.projects.act(project_id, ProjectWorkflow.add_evidence, student_actor(student_id), cmd)
        if reflection:
            cmd = EvidenceInput(
                kind=EvidenceKind.REFLECTION, caption="Reflection talk with my supervisor", blob=photo(99)
            )
            await self.projects.act(project_id, ProjectWorkflow.add_evidence, student_actor(student_id), cmd)

    def report(self) -> ClosureReport:
        return ClosureReport(
            narrative="We ran a reading club for twelve weeks. " * 3,
            indicators={Indicator.CIVIC_CONSCIOUSNESS: "Pupils now run the book exchange themselves."},
        )

    async def submit_closure(self, project_id: str, student_id: str) -> Outcome:
        return await self.projects.act(
            project_id, ProjectWorkflow.submit_closure, student_actor(student_id), self.report()
        )

    async def evaluate(
        self, project_id: str, faculty: Faculty, result: EvaluationResult, feedback: str = ""
    ) -> Outcome:
        cmd = Evaluate(result=result, feedback=feedback)
        return await self.projects.act(project_id, ProjectWorkflow.evaluate, faculty_actor(faculty.id), cmd)

    async def to_in_progress(self, faculty: Faculty | None = None) -> tuple[str, str, Faculty]:
        student_id = self.add_student()
        faculty = faculty or self.add_faculty()
        project_id = await self.submit(student_id)
        await self.approve(project_id)
        await self.invite(project_id, student_id, faculty)
        await self.accept(project_id, faculty)
        return project_id, student_id, faculty

    async def to_evaluation(self, faculty: Faculty | None = None) -> tuple[str, str, Faculty]:
        project_id, student_id, faculty = await self.to_in_progress(faculty)
        await self.log_hours(project_id, student_id)
        await self.add_evidence(project_id, student_id)
        await self.submit_closure(project_id, student_id)
        return project_id, student_id, faculty


async def link(
    groups: GroupClient,
    engine: Engine,
    group_id: str,
    student_id: str,
    key: str,
    own: Proposal | None = None,
) -> str:
    """R9: a member's individual proposal linked to the group, as `POST /v1/projects` with `group_id` sends it
    (the group's approved proposal unless the member wrote their own); returns the project id."""
    project_id = new_project_id(student_id, key)
    with session(engine) as s:
        standing = standing_of(s, student_id, project_id)
    chosen = own or linked_proposal(group_id, (await groups.view(group_id)).proposal)
    command = LinkMember(
        project_id=project_id,
        proposal=chosen.model_copy(update={"group_id": group_id}),
        semester_id="2026-fall",
        standing=standing,
    )
    outcome = await groups.act(group_id, GroupWorkflow.link_member, student_actor(student_id), command, key=key)
    assert outcome.created_id is not None
    return outcome.created_id

"""The project as the portal shows it: the state plus what follows from it (SPEC §4 GET /v1/projects/{id})."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import leaving
from domain.deadlines import invitation_expires_at, reminder_request_interval
from domain.milestones import milestones
from domain.nudges import next_nudge
from domain.project import ProjectState, ProjectSummary, ProjectView, evaluation_started_at, last_hours_at
from domain.stages import Stage


def deadlines(state: ProjectState, now: datetime | None = None) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    if state.stage is Stage.SUPERVISOR_INVITED and state.invitation is not None:
        found["invitation_expires_at"] = invitation_expires_at(state.invitation.invited_at, state.profile.schedule)
    if state.stage is Stage.EVALUATION_PENDING and state.last_reminder_request_at is not None:
        allowed = state.last_reminder_request_at + reminder_request_interval(state.profile.schedule)
        found["reminder_request_allowed_from"] = allowed
    if state.deadline is not None and not state.stage.is_final:
        found["semester_deadline"] = state.deadline
    departure = leaving.active_departure(state)
    if departure is not None and state.stage in leaving.NO_REPORT_STAGES:
        found["submit_by"] = leaving.submit_by(departure, now or departure.armed_at)  # R22
    return found


def build_view(state: ProjectState, now: datetime) -> ProjectView:
    upcoming = next_nudge(state, now)
    return ProjectView(
        id=state.id,
        student_id=state.student_id,
        semester_id=state.semester_id,
        stage=state.stage,
        created_at=state.created_at,
        proposal=state.proposal,
        priority=state.proposal.priority.value,
        exempt=bool(state.standing and state.standing.exempt),
        reviews=state.reviews,
        invitation=state.invitation,
        supervisor=state.supervisor,
        former_supervisors=state.former_supervisors,
        departure=leaving.active_departure(state),
        needs_reassignment=leaving.needs_reassignment(state),
        hours=state.hours,
        counted_hours=state.counted_hours,
        required_hours=state.profile.hours.required,
        profile=state.profile.ref,
        counted_kinds=state.profile.hours.counted_kinds,
        evidence=state.evidence,
        submission=state.submission,
        evaluations=state.evaluations,
        credit=state.credit,
        rules=state.rules,
        missing=[] if state.stage.is_final else state.missing_for_closure(),
        deadlines=deadlines(state, now),
        next_nudge={"kind": upcoming.kind.value, "at": upcoming.at.isoformat()} if upcoming else None,
        audit=state.audit,
        revision=state.revision,
        submitted_fingerprint=state.submitted_fingerprint,
    )


def summary_of_view(view: ProjectView) -> ProjectSummary:
    """The list row a view stands for (what `summarize` gives for the state behind it)."""
    since = view.created_at
    for entry in reversed(view.audit):
        if entry.stage is not view.stage:
            break
        since = entry.at
    return ProjectSummary(
        id=view.id,
        student_id=view.student_id,
        semester_id=view.semester_id,
        stage=view.stage,
        title=view.proposal.title,
        category=view.proposal.category.value,
        priority=view.priority,
        group_id=view.proposal.group_id,
        supervisor_id=view.supervisor.faculty.id if view.supervisor else None,
        invited_faculty_id=view.invitation.faculty.id if view.invitation else None,
        counted_hours=view.counted_hours,
        created_at=view.created_at,
        stage_since=since,
        updated_at=view.audit[-1].at if view.audit else view.created_at,
        revision=view.revision,
        credit_granted=view.credit.granted if view.credit else None,
        tags=[tag.value for tag in view.proposal.tags],
        indicators_planned=[str(claim.indicator) for claim in view.proposal.indicators],
        indicators_reported=[str(i) for i in view.submission.report.indicators] if view.submission else [],
        department=view.supervisor.faculty.department or None if view.supervisor else None,
        exempt=view.exempt,
        credit_semester_id=view.credit.semester_id if view.credit and view.credit.granted else None,
        **milestones(view.audit, view.stage).model_dump(),
        last_hours_at=last_hours_at(view.hours),
        evaluation_started_at=evaluation_started_at(view.stage, view.submission, view.supervisor),
        deadline=view.deadlines.get("semester_deadline"),
        needs_reassignment=view.needs_reassignment,
    )


def summarize(state: ProjectState) -> ProjectSummary:
    return ProjectSummary(
        id=state.id,
        student_id=state.student_id,
        semester_id=state.semester_id,
        stage=state.stage,
        title=state.proposal.title,
        category=state.proposal.category.value,
        priority=state.proposal.priority.value,
        group_id=state.proposal.group_id,
        supervisor_id=state.supervisor.faculty.id if state.supervisor else None,
        invited_faculty_id=state.invitation.faculty.id if state.invitation else None,
        counted_hours=state.counted_hours,
        created_at=state.created_at,
        stage_since=state.stage_since or state.created_at,
        updated_at=state.audit[-1].at if state.audit else state.created_at,
        revision=state.revision,
        credit_granted=state.credit.granted if state.credit else None,
        **desk_fields(state),
    )


def desk_fields(state: ProjectState) -> dict[str, Any]:
    """The summary's desk and impact fields (see `ProjectSummary`) of a running project's state."""
    dates = milestones(state.audit, state.stage)
    return {
        "tags": [tag.value for tag in state.proposal.tags],
        "indicators_planned": [str(claim.indicator) for claim in state.proposal.indicators],
        "indicators_reported": [str(i) for i in state.submission.report.indicators] if state.submission else [],
        "department": state.supervisor.faculty.department or None if state.supervisor else None,
        "exempt": bool(state.standing and state.standing.exempt),
        "credit_semester_id": state.credit.semester_id if state.credit and state.credit.granted else None,
        **dates.model_dump(),
        "last_hours_at": last_hours_at(state.hours),
        "evaluation_started_at": state.evaluation_started_at,
        "deadline": None if state.stage.is_final else state.deadline,
        "needs_reassignment": leaving.needs_reassignment(state),
    }

"""The center's queues on the desk (R8, R9, R22): the review queue of proposals and group proposals longest
waiting first, whose decisions go through the review routes, and the projects awaiting reassignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from domain.project import ProjectSummary
from domain.stages import Stage
from store import projects as read_model
from store.db import session
from tests.api.portal import Portal, unique
from tests.api.test_groups import submit_group


async def _queue(portal: Portal) -> list[dict[str, Any]]:
    queue = portal.ok(await portal.http.get("/v1/desk/reviews", headers=portal.center))
    assert queue["overdue_after_days"] == 3
    items = queue["items"]
    assert isinstance(items, list)
    return items


async def test_review_queue_holds_proposals_and_group_proposals_longest_waiting_first(portal: Portal) -> None:
    """R8/R9: a proposal and a group proposal in review are both queued, oldest first, each with the route its
    decision goes to; a fresh one is not overdue. Approving through that route takes it off the queue."""
    project = await portal.submit(await portal.add_student())
    members = [await portal.add_student() for _ in range(2)]
    group = await submit_group(portal, members)

    items = await _queue(portal)
    mine = [item for item in items if item["project_id"] in (project["id"], group["id"])]
    assert [(i["project_id"], i["kind"]) for i in mine] == [(project["id"], "proposal"), (group["id"], "group")]
    assert mine[0]["review_path"] == f"/v1/projects/{project['id']}/review"
    assert mine[1]["review_path"] == f"/v1/groups/{group['id']}/review" and mine[1]["members"] == 2
    assert not mine[0]["overdue"] and mine[0]["days_waiting"] == 0
    waited = [datetime.fromisoformat(i["waiting_since"]) for i in items]
    assert waited == sorted(waited)

    decision = {"decision": "approve", "comment": ""}
    for item in mine:
        portal.ok(await portal.http.post(item["review_path"], json=decision, headers=portal.center))
    left = {item["project_id"] for item in await _queue(portal)}
    assert project["id"] not in left and group["id"] not in left


def _handed_over(project_id: str, department: str, deadline: datetime) -> ProjectSummary:
    """A read-model row as a project handed to the center writes it (R22): its deadline passed."""
    return ProjectSummary(
        id=project_id,
        student_id=unique("B"),
        semester_id="2026-fall",
        stage=Stage.IN_PROGRESS,
        title="Reading with the children of Gongguan",
        category="public_service",
        priority="normal",
        group_id=None,
        supervisor_id=unique("T"),
        invited_faculty_id=None,
        counted_hours=Decimal(12),
        created_at=deadline - timedelta(days=90),
        stage_since=deadline - timedelta(days=80),
        updated_at=deadline,
        revision=9,
        credit_granted=None,
        department=department,
        deadline=deadline,
        needs_reassignment=True,
    )


async def test_reassignment_queue_lists_handed_over_projects_from_the_read_model(
    portal: Portal, engine: Engine
) -> None:
    """R22: GET /v1/desk/reassignments lists the projects the read model marks handed over, longest waiting
    (earliest passed deadline) first, with the supervisor concerned and the deadline; a supervised project that
    was not handed over is not listed. The desk's filters apply; only the center may read it."""
    department = f"Dept {unique('D')}"
    now = datetime.now(UTC).replace(microsecond=0)
    later, earlier = unique("p"), unique("p")
    with session(engine) as s:
        read_model.save_project(s, _handed_over(later, department, now - timedelta(days=2)), [])
        read_model.save_project(s, _handed_over(earlier, department, now - timedelta(days=9)), [])
        staying = _handed_over(unique("p"), department, now).model_copy(update={"needs_reassignment": False})
        read_model.save_project(s, staying, [])

    params = {"department": department}
    found = portal.ok(await portal.http.get("/v1/desk/reassignments", params=params, headers=portal.center))
    assert [(i["project_id"], i["reason"], i["age_days"]) for i in found["items"]] == [
        (earlier, "awaiting_reassignment", 9),
        (later, "awaiting_reassignment", 2),
    ]
    assert found["items"][0]["faculty_id"] is not None and found["items"][0]["due"] is not None
    other = {"department": department, "semester": "2025-fall"}
    assert (
        portal.ok(await portal.http.get("/v1/desk/reassignments", params=other, headers=portal.center))["items"] == []
    )
    refused = await portal.http.get("/v1/desk/reassignments", headers=portal.faculty("T1"))
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"

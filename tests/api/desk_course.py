"""A small course for the office's desk, driven through the portal: its own department, so the desk's
department filter sees only these projects in the suite's shared store."""

from __future__ import annotations

from dataclasses import dataclass

from tests.api.portal import Portal, unique


@dataclass(frozen=True)
class DeskCourse:
    department: str
    semester: str
    teacher: str  # stays
    leaving: str  # leaves after `semester` (R13, R22)
    in_progress: str
    passed: str
    with_leaving: str  # IN_PROGRESS with the leaving teacher


async def _teacher(portal: Portal, department: str, leaving_after: str | None = None) -> dict[str, object]:
    faculty_id = unique("T")
    body = {
        "name": f"Prof {faculty_id}",
        "email": f"{faculty_id.lower()}@staff.example.edu",
        "rank": "professor",
        "department": department,
        "leaving_after": leaving_after,
    }
    saved = portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center), 201)
    entry = saved["faculty"]
    assert isinstance(entry, dict)
    return entry


async def _supervised(portal: Portal, teacher: dict[str, object]) -> tuple[str, str]:
    project_id, student_id = await portal.approved()
    await portal.invite(project_id, student_id, teacher)
    await portal.accept(project_id, str(teacher["id"]))
    return project_id, student_id


async def seed_desk_course(portal: Portal) -> DeskCourse:
    department = f"Dept {unique('D')}"
    teacher = await _teacher(portal, department)
    in_progress, _ = await _supervised(portal, teacher)
    semester = (await portal.view(in_progress))["semester_id"]
    passed, student_id = await _supervised(portal, teacher)
    await portal.log_required_hours(passed, student_id)
    await portal.add_evidence(passed, student_id)
    await portal.submit_closure(passed, student_id)
    await portal.evaluate(passed, str(teacher["id"]), "pass")
    leaving = await _teacher(portal, department, leaving_after=semester)
    with_leaving, _ = await _supervised(portal, leaving)
    return DeskCourse(
        department=department,
        semester=semester,
        teacher=str(teacher["id"]),
        leaving=str(leaving["id"]),
        in_progress=in_progress,
        passed=passed,
        with_leaving=with_leaving,
    )

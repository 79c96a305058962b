"""R24 for the directory: faculty, students and semesters have an audit trail of their own, with who and when."""

from __future__ import annotations

from typing import Any

from tests.api.portal import CENTER_ID, Portal, unique


async def changes(portal: Portal, **params: Any) -> dict[str, Any]:
    trail = portal.ok(await portal.http.get("/v1/directory/changes", params=params, headers=portal.center))
    assert isinstance(trail, dict)
    return trail


async def test_r24_directory_changes_are_kept_with_who_and_when(portal: Portal) -> None:
    """R24: creating and changing a faculty entry each leave an entry naming the center user, the channel and
    each changed field before and after; writing the same entry again leaves none."""
    teacher = await portal.add_faculty()
    body = {key: teacher[key] for key in ("name", "email", "rank", "department", "leaving_after")}
    url = f"/v1/faculty/{teacher['id']}"
    portal.ok(await portal.http.put(url, json=body, headers=portal.center))  # unchanged: no trace
    moved = {**body, "leaving_after": "2026-fall", "department": "Architecture"}
    portal.ok(await portal.http.put(url, json=moved, headers=portal.center))
    trail = await changes(portal, kind="faculty", entry_id=teacher["id"])
    assert trail["total"] == 2
    updated, created = trail["items"]
    assert (created["action"], created["actor_id"], created["role"], created["channel"]) == (
        "created",
        CENTER_ID,
        "center",
        "portal",
    )
    assert created["changes"]["email"] == [None, teacher["email"]]
    assert updated["action"] == "updated" and updated["seq"] > created["seq"]
    assert updated["changes"] == {
        "leaving_after": [None, "2026-fall"],
        "department": ["Civil Engineering", "Architecture"],
    }
    assert updated["at"] >= created["at"]


async def test_r24_student_and_semester_changes_are_kept_too(portal: Portal) -> None:
    """R24: students and semesters are in the same trail, filterable by kind."""
    student_id = await portal.add_student()
    semester_id = f"{2100 + int(unique('')[-4:]) % 90}-spring"
    dates = {"starts_on": "2031-02-17", "final_exam_week_starts_on": "2031-06-16", "ends_on": "2031-07-31"}
    portal.ok(await portal.http.put(f"/v1/semesters/{semester_id}", json=dates, headers=portal.center), 201)
    later = {**dates, "ends_on": "2031-08-01"}
    portal.ok(await portal.http.put(f"/v1/semesters/{semester_id}", json=later, headers=portal.center))
    [student] = (await changes(portal, kind="student", entry_id=student_id))["items"]
    assert student["action"] == "created" and student["changes"]["name"] == [None, f"Student {student_id}"]
    semester = (await changes(portal, kind="semester", entry_id=semester_id))["items"]
    assert [c["action"] for c in semester] == ["updated", "created"]
    assert semester[0]["changes"] == {"ends_on": ["2031-07-31", "2031-08-01"]}


async def test_r24_only_the_center_reads_the_directory_trail(portal: Portal) -> None:
    """R24: the trail names people and who changed them: students and faculty are 403."""
    for headers in (portal.student(unique("B")), portal.faculty(unique("T"))):
        response = await portal.http.get("/v1/directory/changes", headers=headers)
        assert response.status_code == 403

"""The center reassigns a supervisor over HTTP (R22): POST /v1/projects/{id}/supervisor, the directory
lookup of R10, and the new teacher's evaluation."""

from __future__ import annotations

from tests.api.portal import Portal, unique


async def test_reassigned_supervisor_evaluates_and_the_former_one_is_out(portal: Portal) -> None:
    """R22: the center names the new teacher by email; the project keeps its stage, the former supervisor is
    kept on record and loses access, and the new one passes the pending closure report. A retry with the same
    Idempotency-Key answers the first outcome and reassigns once."""
    project_id, _student_id, former = await portal.under_evaluation()
    successor = await portal.add_faculty(rank="assistant_professor")
    body = {"faculty_email": successor["email"].upper(), "reason": "Prof left NTUST without evaluating"}
    headers = {**portal.center, "Idempotency-Key": unique("reassign")}
    url = f"/v1/projects/{project_id}/supervisor"

    outcome = portal.ok(await portal.http.post(url, json=body, headers=headers))
    view = await portal.view(project_id)
    assert view["stage"] == "EVALUATION_PENDING"
    assert view["supervisor"]["faculty"]["id"] == successor["id"]
    assert [s["faculty"]["id"] for s in view["former_supervisors"]] == [former]
    assert portal.ok(await portal.http.post(url, json=body, headers=headers)) == outcome
    reassigned = [e for e in (await portal.view(project_id))["audit"] if e["action"] == "supervisor_reassigned"]
    assert len(reassigned) == 1 and body["reason"] in reassigned[0]["detail"]

    gone = await portal.http.get(f"/v1/projects/{project_id}", headers=portal.faculty(former))
    assert gone.status_code == 404
    late = await portal.http.post(
        f"/v1/projects/{project_id}/evaluation", json={"result": "pass"}, headers=portal.faculty(former)
    )
    assert late.status_code == 404
    passed = await portal.evaluate(project_id, successor["id"], "pass")
    assert passed["project"]["stage"] == "PASSED" and passed["project"]["credit_granted"]


async def test_reassignment_by_id_and_every_refusal(portal: Portal) -> None:
    """R10/R22: the new teacher may be named by id; unknown teachers are SUPERVISOR_NOT_FOUND, staff
    SUPERVISOR_NOT_ELIGIBLE, naming both or neither a VALIDATION_ERROR, the current supervisor again a
    VALIDATION_ERROR; only the center may reassign (403), only a supervised project (409 INVALID_STAGE), and
    an unknown project is 404. No refusal changes the project."""
    project_id, student_id, current = await portal.in_progress()
    url = f"/v1/projects/{project_id}/supervisor"
    staff = await portal.add_faculty(rank="staff")
    successor = await portal.add_faculty()

    async def refused(body: dict[str, str], headers: dict[str, str] | None = None, path: str = url) -> tuple[int, str]:
        response = await portal.http.post(path, json=body, headers=headers or portal.center)
        assert response.headers["content-type"] == "application/problem+json"
        return response.status_code, response.json()["code"]

    assert await refused({"faculty_email": "nobody@example.edu"}) == (422, "SUPERVISOR_NOT_FOUND")
    assert await refused({"faculty_id": unique("T")}) == (422, "SUPERVISOR_NOT_FOUND")
    assert await refused({"faculty_id": staff["id"]}) == (422, "SUPERVISOR_NOT_ELIGIBLE")
    assert await refused({"faculty_id": successor["id"], "faculty_email": successor["email"]}) == (
        422,
        "VALIDATION_ERROR",
    )
    assert await refused({"reason": "no teacher named"}) == (422, "VALIDATION_ERROR")
    assert await refused({"faculty_id": current}) == (422, "VALIDATION_ERROR")
    for headers in (portal.student(student_id), portal.faculty(current), portal.osa):
        assert await refused({"faculty_id": successor["id"]}, headers) == (403, "FORBIDDEN")
    unsupervised, _ = await portal.approved()
    assert await refused({"faculty_id": successor["id"]}, path=f"/v1/projects/{unsupervised}/supervisor") == (
        409,
        "INVALID_STAGE",
    )
    assert await refused({"faculty_id": successor["id"]}, path="/v1/projects/nosuchproject/supervisor") == (
        404,
        "NOT_FOUND",
    )
    assert (await portal.view(project_id))["supervisor"]["faculty"]["id"] == current

    outcome = portal.ok(await portal.http.post(url, json={"faculty_id": successor["id"]}, headers=portal.center))
    assert outcome["project"]["supervisor_id"] == successor["id"]
    assert outcome["project"]["stage"] == "IN_PROGRESS"

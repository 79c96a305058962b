"""Group projects over HTTP (R9): a group proposal under the center's review, then each member's individual
proposal linked to it, which starts approved without a second review."""

from __future__ import annotations

from typing import Any

from tests.api.portal import Portal, proposal, unique
from tests.api.support import eventually


def group_proposal(members: list[str], **changes: Any) -> dict[str, Any]:
    return {**proposal(title="Beach clean-up at Fulong", **changes), "members": members}


async def submit_group(portal: Portal, members: list[str], key: str | None = None) -> dict[str, Any]:
    headers = {**portal.student(members[0]), "Idempotency-Key": key or unique("g")}
    result = portal.ok(await portal.http.post("/v1/groups", json=group_proposal(members), headers=headers), 201)
    assert isinstance(result, dict) and result["created_id"] == result["group"]["id"]
    group: dict[str, Any] = result["group"]
    return group


async def test_approved_group_members_link_proposals_that_start_approved(portal: Portal) -> None:
    """R9: the applicant submits the group (a retry with the same key answers the same group); the center
    approves it; a member's POST /v1/projects with `group_id` lands in NEEDS_SUPERVISOR without a review, once
    per key; GET /v1/groups/{id} shows each member's project stage. A student outside the group can neither
    link a proposal (403) nor see the group (404); nor can a teacher."""
    applicant, member, outsider = [await portal.add_student() for _ in range(3)]
    key = unique("g")
    group = await submit_group(portal, [applicant, member], key)
    assert group["stage"] == "PROPOSAL_REVIEW" and group["applicant_id"] == applicant
    assert [m["student_id"] for m in group["members"]] == [applicant, member]
    assert (await submit_group(portal, [applicant, member], key))["id"] == group["id"]
    group_url = f"/v1/groups/{group['id']}"

    approved = portal.ok(
        await portal.http.post(f"{group_url}/review", json={"decision": "approve"}, headers=portal.center)
    )
    assert approved["group"]["stage"] == "APPROVED"

    linked = {**portal.student(member), "Idempotency-Key": unique("p")}
    body = proposal(title="Beach clean-up at Fulong", group_id=group["id"])  # the group's plan: no review
    created = portal.ok(await portal.http.post("/v1/projects", json=body, headers=linked), 201)
    project = await portal.view(created["created_id"])
    assert project["stage"] == "NEEDS_SUPERVISOR" and project["proposal"]["group_id"] == group["id"]
    assert project["reviews"] == []
    retried = portal.ok(await portal.http.post("/v1/projects", json=body, headers=linked), 201)
    assert retried["project"]["id"] == project["id"]

    async def detail() -> dict[str, Any]:
        found = portal.ok(await portal.http.get(group_url, headers=portal.student(applicant)))
        assert isinstance(found, dict)
        return found

    seen = await eventually(detail, lambda g: [p["stage"] for p in g["projects"]] == ["NEEDS_SUPERVISOR"])
    assert seen["projects"][0] | {"stage_since": None} == {
        "student_id": member,
        "project_id": project["id"],
        "stage": "NEEDS_SUPERVISOR",
        "stage_since": None,
    }
    assert seen["members"][1]["project_id"] == project["id"]

    intruder = {**portal.student(outsider), "Idempotency-Key": unique("p")}
    refused = await portal.http.post("/v1/projects", json=body, headers=intruder)
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
    for headers in (portal.student(outsider), portal.faculty(unique("T"))):
        hidden = await portal.http.get(group_url, headers=headers)
        assert (hidden.status_code, hidden.json()["code"]) == (404, "NOT_FOUND")
    assert portal.ok(await portal.http.get(group_url, headers=portal.center))["stage"] == "APPROVED"


async def test_group_review_revision_and_refusals(portal: Portal) -> None:
    """R8/R9: only the center reviews (403 otherwise); after `request_changes` only the applicant revises
    (PUT /v1/groups/{id}/proposal), which goes back to review; linking before approval is 409 INVALID_STAGE;
    members must be in the student directory and include the applicant (422); an unknown group is 404."""
    applicant, member, newcomer = [await portal.add_student() for _ in range(3)]
    group = await submit_group(portal, [applicant, member])
    group_url = f"/v1/groups/{group['id']}"

    for headers in (portal.student(applicant), portal.faculty(unique("T"))):
        review = await portal.http.post(f"{group_url}/review", json={"decision": "approve"}, headers=headers)
        assert (review.status_code, review.json()["code"]) == (403, "FORBIDDEN")
    early = await portal.http.post("/v1/projects", json=proposal(group_id=group["id"]), headers=portal.student(member))
    assert (early.status_code, early.json()["code"]) == (409, "INVALID_STAGE")

    changes = {"decision": "request_changes", "comment": "Name the beach section each member cleans."}
    asked = portal.ok(await portal.http.post(f"{group_url}/review", json=changes, headers=portal.center))
    assert asked["group"]["stage"] == "CHANGES_REQUESTED"
    revised = group_proposal([applicant, member, newcomer], plan="Each member cleans one 200 m section of Fulong.")
    by_member = await portal.http.put(f"{group_url}/proposal", json=revised, headers=portal.student(member))
    assert (by_member.status_code, by_member.json()["code"]) == (403, "FORBIDDEN")
    again = portal.ok(await portal.http.put(f"{group_url}/proposal", json=revised, headers=portal.student(applicant)))[
        "group"
    ]
    assert again["stage"] == "PROPOSAL_REVIEW" and again["proposal_version"] == 2
    assert [m["student_id"] for m in again["members"]] == [applicant, member, newcomer]

    unknown_member = await portal.http.post(
        "/v1/groups", json=group_proposal([applicant, unique("B")]), headers=portal.student(applicant)
    )
    assert (unknown_member.status_code, unknown_member.json()["code"]) == (422, "VALIDATION_ERROR")
    without_applicant = await portal.http.post(
        "/v1/groups", json=group_proposal([member, newcomer]), headers=portal.student(applicant)
    )
    assert (without_applicant.status_code, without_applicant.json()["code"]) == (422, "VALIDATION_ERROR")
    by_center = await portal.http.post("/v1/groups", json=group_proposal([applicant, member]), headers=portal.center)
    assert by_center.status_code == 403
    missing = await portal.http.get("/v1/groups/nosuchgroup", headers=portal.center)
    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
    linked_to_nothing = await portal.http.post(
        "/v1/projects", json=proposal(group_id="nosuchgroup"), headers=portal.student(member)
    )
    assert (linked_to_nothing.status_code, linked_to_nothing.json()["code"]) == (404, "NOT_FOUND")

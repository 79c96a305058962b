"""R9 without loopholes over HTTP: linked proposals that change the group's plan go to review, group lists
for members and the center, and withdrawal by the applicant before approval."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client

from clients.group import GroupClient, new_group_id
from domain.actors import Actor
from domain.groups import GroupProposal
from domain.vocabulary import Role
from tests.api.portal import Portal, proposal, unique
from tests.api.test_groups import group_proposal, submit_group


async def approve_group(portal: Portal, group_id: str) -> None:
    url = f"/v1/groups/{group_id}/review"
    portal.ok(await portal.http.post(url, json={"decision": "approve"}, headers=portal.center))


async def link(portal: Portal, student_id: str, group_id: str, **changes: Any) -> dict[str, Any]:
    headers = {**portal.student(student_id), "Idempotency-Key": unique("p")}
    body = proposal(title="Beach clean-up at Fulong", group_id=group_id, **changes)
    created = portal.ok(await portal.http.post("/v1/projects", json=body, headers=headers), 201)
    return await portal.view(created["created_id"])


async def test_r9_a_linked_proposal_with_another_plan_goes_to_review(portal: Portal) -> None:
    """R9: a member's linked proposal keeping the group's title, category and plan starts approved; one with
    a plan of its own starts in PROPOSAL_REVIEW and the center reviews it like any proposal."""
    applicant, member = [await portal.add_student() for _ in range(2)]
    group = await submit_group(portal, [applicant, member])
    await approve_group(portal, group["id"])
    same = await link(portal, applicant, group["id"])
    assert same["stage"] == "NEEDS_SUPERVISOR" and same["reviews"] == []
    own = await link(portal, member, group["id"], plan="I will run a coding club for the village children instead.")
    assert own["stage"] == "PROPOSAL_REVIEW" and own["proposal"]["group_id"] == group["id"]
    reviewed = await portal.approve(own["id"])
    assert reviewed["project"]["stage"] == "NEEDS_SUPERVISOR"
    detail = portal.ok(await portal.http.get(f"/v1/groups/{group['id']}", headers=portal.center))
    assert "goes to review (R9)" in detail["audit"][-1]["detail"]


async def test_r9_groups_are_listed_for_their_members_and_the_center(portal: Portal) -> None:
    """R9: GET /v1/groups lists the groups a student applied for or is named in (with members and linked
    projects), all of them for the center (filterable by stage), and none of anyone else's."""
    applicant, member, outsider = [await portal.add_student() for _ in range(3)]
    group = await submit_group(portal, [applicant, member])
    for student in (applicant, member):
        page = portal.ok(await portal.http.get("/v1/groups", headers=portal.student(student)))
        assert [g["id"] for g in page["items"]] == [group["id"]] and page["total"] == 1
        [item] = page["items"]
        assert item["stage"] == "PROPOSAL_REVIEW" and item["title"] == "Beach clean-up at Fulong"
        assert sorted(m["student_id"] for m in item["members"]) == sorted([applicant, member])
    assert portal.ok(await portal.http.get("/v1/groups", headers=portal.student(outsider)))["items"] == []
    await approve_group(portal, group["id"])
    linked = await link(portal, member, group["id"])
    center = portal.ok(
        await portal.http.get("/v1/groups", params={"stage": "APPROVED", "limit": 200}, headers=portal.center)
    )
    [seen] = [g for g in center["items"] if g["id"] == group["id"]]
    assert {m["student_id"]: m["project_id"] for m in seen["members"]} == {applicant: None, member: linked["id"]}
    in_review = portal.ok(
        await portal.http.get("/v1/groups", params={"stage": "PROPOSAL_REVIEW", "limit": 200}, headers=portal.center)
    )
    assert group["id"] not in [g["id"] for g in in_review["items"]]


async def test_r9_the_applicant_withdraws_a_group_before_approval(portal: Portal) -> None:
    """R9/R24: only the applicant withdraws (another member is 403), and only before approval (409
    INVALID_STAGE after); the reason is in the group's audit trail and the list shows WITHDRAWN."""
    applicant, member = [await portal.add_student() for _ in range(2)]
    group = await submit_group(portal, [applicant, member])
    url = f"/v1/groups/{group['id']}/withdrawal"
    other = await portal.http.post(url, json={"reason": "not mine"}, headers=portal.student(member))
    assert (other.status_code, other.json()["code"]) == (403, "FORBIDDEN")
    done = portal.ok(await portal.http.post(url, json={"reason": "we split up"}, headers=portal.student(applicant)))
    assert done["group"]["stage"] == "WITHDRAWN"
    assert done["group"]["audit"][-1]["action"] == "group_withdrawn"
    assert done["group"]["audit"][-1]["detail"] == "we split up"
    page = portal.ok(await portal.http.get("/v1/groups", headers=portal.student(member)))
    assert [g["stage"] for g in page["items"]] == ["WITHDRAWN"]

    approved = await submit_group(portal, [applicant, member])
    await approve_group(portal, approved["id"])
    late = await portal.http.post(f"/v1/groups/{approved['id']}/withdrawal", headers=portal.student(applicant))
    assert (late.status_code, late.json()["code"]) == (409, "INVALID_STAGE")


async def test_r9_a_group_started_before_the_lists_is_listed_once_opened(portal: Portal, client: Client) -> None:
    """R9 across an upgrade: a group whose workflow runs but was never written to the group lists (submitted
    before they existed) is listed from the first time a member or the center opens it."""
    applicant, member = [await portal.add_student() for _ in range(2)]
    body = GroupProposal.model_validate(group_proposal([applicant, member]))
    group_id = new_group_id(applicant, unique("old"))
    await GroupClient(client, portal.settings).start(
        group_id=group_id, applicant=Actor(id=applicant, role=Role.STUDENT), proposal=body
    )
    mine = portal.ok(await portal.http.get("/v1/groups", headers=portal.student(member)))
    assert mine["items"] == []
    portal.ok(await portal.http.get(f"/v1/groups/{group_id}", headers=portal.student(member)))
    mine = portal.ok(await portal.http.get("/v1/groups", headers=portal.student(member)))
    assert [g["id"] for g in mine["items"]] == [group_id]

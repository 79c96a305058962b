"""GroupWorkflow end to end under the time-skipping test server (R9): review, the members' mails, linked
proposals approved without a second review, and every refusal."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from activities.mail.links import group_url
from clients.group import GroupClient, new_group_id
from clients.project import ProjectClient, new_project_id
from config.settings import Settings
from domain.commands import Review, Withdraw
from domain.errors import Code, RuleViolation
from domain.groups import GroupProposal, GroupStage, LinkMember, ReviseGroup
from domain.stages import Stage
from domain.vocabulary import Category, ReviewDecision
from tests.support.course import CENTER, Course, link, proposal, student_actor, unique
from tests.support.mailsink import MailSink
from workflows.attributes import GROUP as GROUP_ID
from workflows.attributes import STAGE
from workflows.group import GroupWorkflow, workflow_id
from workflows.project import workflow_id as project_workflow_id

SEMESTER = "2026-fall"


@pytest.fixture
def groups(client: Client, settings: Settings, worker: None) -> GroupClient:
    return GroupClient(client, settings)


def group_proposal(members: list[str], **changes: object) -> GroupProposal:
    fields = {**proposal("Beach clean-up at Fulong").model_dump(exclude={"group_id"}), "members": members}
    fields.update(changes)
    return GroupProposal.model_validate(fields)


async def submit_group(groups: GroupClient, members: list[str]) -> str:
    group_id = new_group_id(members[0], unique("gkey"))
    await groups.start(group_id=group_id, applicant=student_actor(members[0]), proposal=group_proposal(members))
    return group_id


async def refused(coro: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        await coro  # type: ignore[misc]
    return caught.value


async def mail_to(sink: MailSink, student_id: str, subject: str) -> EmailMessage:
    """The first mail to the student whose subject contains `subject`, once it arrives."""
    address = f"{student_id.lower()}@mail.example.edu"
    async with asyncio.timeout(10):
        while not (found := [m for m in sink.to(address) if subject in str(m["Subject"])]):
            await asyncio.sleep(0.02)
    return found[0]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


async def test_approved_group_members_link_proposals_approved_without_review(
    course: Course,
    groups: GroupClient,
    projects: ProjectClient,
    client: Client,
    mail_sink: MailSink,
    settings: Settings,
) -> None:
    """R9: the center approves a group; every member is mailed; each member's linked proposal keeping the
    group's plan starts in NEEDS_SUPERVISOR without a second review, one of their own goes to review; a
    non-member and a second link by the same member are refused;
    once every member linked, the group closes."""
    members = [course.add_student() for _ in range(3)]
    outsider = course.add_student()
    group_id = await submit_group(groups, members)

    approve = Review(decision=ReviewDecision.APPROVE, comment="Go.")
    view = (await groups.act(group_id, GroupWorkflow.review, CENTER, approve)).view
    assert view.stage is GroupStage.APPROVED
    for member in members:
        mail = await mail_to(mail_sink, member, "Group proposal approved")
        text = text_of(mail)
        assert f"submit your individual proposal linked to group {group_id}" in text
        assert group_url(settings, group_id) in text
        assert "Credit, hours and evidence stay individual" in text

    first, second, third = members
    project_id = await link(groups, course.engine, group_id, first, "k1")
    assert project_id == new_project_id(first, "k1")
    project = await projects.view(project_id)
    assert project.stage is Stage.NEEDS_SUPERVISOR
    assert project.reviews == []
    assert project.proposal.group_id == group_id
    assert "approved without review (R9)" in project.audit[0].detail

    retried = await link(groups, course.engine, group_id, first, "k1")
    assert retried == project_id  # the same key answers the same project

    twice = await refused(link(groups, course.engine, group_id, first, "k2"))
    assert twice.code is Code.CONFLICT and project_id in twice.detail
    direct = await refused(
        groups.act(
            group_id,
            GroupWorkflow.link_member,
            student_actor(first),
            LinkMember(project_id="other", proposal=project.proposal),
        )
    )
    assert direct.code is Code.CONFLICT  # the workflow's validator refuses it too

    stranger = await refused(link(groups, course.engine, group_id, outsider, "k1"))
    assert stranger.code is Code.FORBIDDEN
    with pytest.raises(RuleViolation, match="No such project"):
        await projects.view(new_project_id(outsider, "k1"))

    own = proposal("My part: sorting and weighing what we collect", group_id="ignored")
    other_ids = [await link(groups, course.engine, group_id, m, "k1", own) for m in (second, third)]
    for member, other_id in zip((second, third), other_ids, strict=True):
        other = await projects.view(other_id)
        # R9: a proposal of their own (another title) is reviewed like any other, still linked to the group.
        assert other.student_id == member and other.stage is Stage.PROPOSAL_REVIEW
        assert other.proposal.group_id == group_id and other.proposal.title.startswith("My part")

    final = await groups.view(group_id)
    assert [(m.student_id, m.project_id) for m in final.members] == list(
        zip(members, [project_id, *other_ids], strict=True)
    )
    handle = client.get_workflow_handle(workflow_id(group_id))
    await handle.result()
    description = await handle.describe()
    assert description.status is WorkflowExecutionStatus.COMPLETED
    assert description.typed_search_attributes.get(STAGE) == "APPROVED"
    assert description.typed_search_attributes.get(GROUP_ID) == group_id
    late = await refused(groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE)))
    assert late.code is Code.INVALID_STAGE


async def test_credit_and_hours_stay_individual(
    course: Course, groups: GroupClient, projects: ProjectClient, client: Client
) -> None:
    """R9: each member's linked project is its own workflow; hours logged by one member are not another's,
    and a member cannot act on another member's project."""
    members = [course.add_student() for _ in range(2)]
    group_id = await submit_group(groups, members)
    await groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))
    a, b = [await link(groups, course.engine, group_id, m, "k") for m in members]
    assert a != b
    await course.log_hours(a, members[0], total=8)

    assert (await projects.view(a)).counted_hours == 8
    assert (await projects.view(b)).counted_hours == 0
    other = await refused(course.log_hours(b, members[0], total=1))
    assert other.code is Code.NOT_FOUND  # another member's project is not theirs to see (SPEC §4)
    assert (await client.get_workflow_handle(project_workflow_id(a)).describe()).status is (
        WorkflowExecutionStatus.RUNNING
    )


async def test_changes_requested_then_revised_then_approved(
    course: Course, groups: GroupClient, projects: ProjectClient, mail_sink: MailSink
) -> None:
    """R8/R9: request_changes sends the group proposal back to the applicant; the revision (which may change
    the members) returns to review and, approved, mails the new member list; links wait for approval."""
    members = [course.add_student() for _ in range(3)]
    applicant = members[0]
    group_id = await submit_group(groups, members)

    early = await refused(link(groups, course.engine, group_id, members[1], "k"))
    assert early.code is Code.INVALID_STAGE

    review = Review(decision=ReviewDecision.REQUEST_CHANGES, comment="Say which beach and how often.")
    view = (await groups.act(group_id, GroupWorkflow.review, CENTER, review)).view
    assert view.stage is GroupStage.CHANGES_REQUESTED
    mail = await mail_to(mail_sink, applicant, "Changes requested to your group proposal")
    assert "Say which beach and how often." in text_of(mail)

    newcomer = course.add_student()
    revised = ReviseGroup(
        proposal=group_proposal([applicant, members[1], newcomer], plan="Fulong beach, first Saturday of each month.")
    )
    view = (await groups.act(group_id, GroupWorkflow.revise, student_actor(applicant), revised, key="rev-1")).view
    assert view.stage is GroupStage.PROPOSAL_REVIEW and view.proposal_version == 2
    again = (await groups.act(group_id, GroupWorkflow.revise, student_actor(applicant), revised, key="rev-1")).view
    assert again.proposal_version == 2  # a retried revision with the same key acts once

    view = (await groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))).view
    assert view.stage is GroupStage.APPROVED
    assert [r.proposal_version for r in view.reviews] == [1, 2]
    await mail_to(mail_sink, newcomer, "Group proposal approved")
    dropped = await refused(link(groups, course.engine, group_id, members[2], "k"))
    assert dropped.code is Code.FORBIDDEN  # no longer a member after the revision


async def test_refusals_before_start_and_without_history(course: Course, groups: GroupClient, client: Client) -> None:
    """R9: a group not naming its applicant never starts; a refused action leaves no trace in the group's
    history."""
    members = [course.add_student() for _ in range(2)]
    not_in = await refused(
        groups.start(
            group_id=new_group_id(members[0], "y"),
            applicant=student_actor(course.add_student()),
            proposal=group_proposal(members),
        )
    )
    assert not_in.code is Code.VALIDATION_ERROR
    missing = await refused(groups.view(new_group_id(members[0], "y")))
    assert missing.code is Code.NOT_FOUND

    group_id = await submit_group(groups, members)
    forbidden = await refused(
        groups.act(group_id, GroupWorkflow.review, student_actor(members[0]), Review(decision=ReviewDecision.APPROVE))
    )
    assert forbidden.code is Code.FORBIDDEN
    await groups.act(group_id, GroupWorkflow.withdraw, student_actor(members[0]), Withdraw(reason="We split up."))
    history = await client.get_workflow_handle(workflow_id(group_id)).fetch_history()
    accepted = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    assert len(accepted) == 1, "only the withdrawal may appear in history"
    view = await groups.view(group_id)  # a closed group still answers
    assert view.stage is GroupStage.WITHDRAWN


async def test_link_starts_the_project_in_the_same_update(
    course: Course, groups: GroupClient, projects: ProjectClient, client: Client
) -> None:
    """R9, crash safety: the link and the project it names are one update of the group (it starts the
    member's project as a child that outlives the group), so no crash can leave one without the other."""
    members = [course.add_student() for _ in range(2)]
    group_id = await submit_group(groups, members)
    await groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))
    project_id = await link(groups, course.engine, group_id, members[0], "k1")
    project = await projects.view(project_id)
    assert project.stage is Stage.NEEDS_SUPERVISOR and project.proposal.group_id == group_id
    history = await client.get_workflow_handle(workflow_id(group_id)).fetch_history()
    kinds = [e.event_type for e in history.events]
    accepted = kinds.index(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) + 1,
    )
    started = kinds.index(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
    completed = kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, started)
    assert accepted < started < completed
    described = await client.get_workflow_handle(project_workflow_id(project_id)).describe()
    assert described.typed_search_attributes.get(GROUP_ID) == group_id


async def test_linked_proposal_keeps_the_group_category(
    course: Course, groups: GroupClient, projects: ProjectClient
) -> None:
    """R9/R5: a member's linked proposal is the kind of activity the center approved for the group."""
    members = [course.add_student() for _ in range(2)]
    group_id = await submit_group(groups, members)
    await groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))

    other_kind = await refused(link(groups, course.engine, group_id, members[1], "k", proposal(category=Category.CLUB)))
    assert other_kind.code is Code.VALIDATION_ERROR and "category" in other_kind.detail

"""R9 group projects as pure rules: the group proposal, its review, revision, withdrawal and members' links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from domain.actors import Actor
from domain.commands import Review, Withdraw
from domain.errors import Code, RuleViolation
from domain.group_transitions import (
    apply_member_linked,
    apply_review,
    apply_revise,
    apply_withdraw,
    check_link_member,
    check_member_may_link,
    check_members_known,
    check_review,
    check_submit,
    new_group,
)
from domain.groups import (
    MAX_MEMBERS,
    GroupProposal,
    GroupStage,
    GroupState,
    LinkMember,
    ReviseGroup,
    build_group_view,
    linked_proposal,
)
from domain.proposal import Proposal
from domain.vocabulary import Category, Priority, PriorityTag, ReviewDecision, Role
from tests.domain.factories import CENTER, OTHER_STUDENT, OTHER_STUDENT_ID, STUDENT, STUDENT_ID, T0, at

GROUP_ID = "g-0001"
THIRD_ID = "B11200003"
THIRD = Actor(id=THIRD_ID, role=Role.STUDENT)
OUTSIDER = Actor(id="B11299999", role=Role.STUDENT)
MEMBERS = [STUDENT_ID, OTHER_STUDENT_ID, THIRD_ID]


def group_proposal(**changes: Any) -> GroupProposal:
    """A valid group proposal by STUDENT naming three members; keyword arguments replace fields."""
    fields: dict[str, Any] = {
        "title": "Beach clean-up at Fulong with the Gongliao fishing village",
        "plan": "Three of us organise a monthly clean-up with the village association and sort what we collect.",
        "category": Category.EXTERNAL,
        "tags": [PriorityTag.VOLUNTEER],
        "indicators": [{"indicator": "civic_consciousness", "how": "Villagers and students keep the beach together."}],
        "members": MEMBERS,
    }
    fields.update(changes)
    return GroupProposal.model_validate(fields)


def submitted(**changes: Any) -> GroupState:
    return new_group(GROUP_ID, STUDENT, group_proposal(**changes), T0)


def approved() -> GroupState:
    state = submitted()
    apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE, comment="Good plan."), at(days=1))
    state.notices.clear()
    return state


def link(project_id: str = "p-1", **changes: Any) -> LinkMember:
    proposal = linked_proposal(GROUP_ID, group_proposal()).model_copy(update=changes)
    return LinkMember(project_id=project_id, proposal=proposal)


def refused(action: Callable[[], object]) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        action()
    return caught.value


# --- the group proposal -----------------------------------------------------------------------------


def test_group_proposal_is_judged_like_a_proposal() -> None:
    """R9/R4/R6: a group proposal carries what any proposal does (title, plan, category, indicators, priority)."""
    proposal = group_proposal()

    assert proposal.priority is Priority.HIGH
    with pytest.raises(ValidationError, match="justification"):
        group_proposal(tags=[PriorityTag.RECEPTION_WORK])
    with pytest.raises(ValidationError, match="indicators"):
        group_proposal(indicators=[])


@pytest.mark.parametrize("members", [[STUDENT_ID], [], [f"B{n:08d}" for n in range(MAX_MEMBERS + 1)]])
def test_group_has_two_to_max_members(members: list[str]) -> None:
    """R9: a group names at least two students (and at most MAX_MEMBERS)."""
    with pytest.raises(ValidationError, match="members"):
        group_proposal(members=members)


def test_member_named_twice_refused() -> None:
    """R9: each member is named once; ids are compared after trimming spaces."""
    with pytest.raises(ValidationError, match=f"repeated: {OTHER_STUDENT_ID}"):
        group_proposal(members=[STUDENT_ID, OTHER_STUDENT_ID, f" {OTHER_STUDENT_ID} "])


def test_applicant_must_be_a_member() -> None:
    """R9: the applicant is one of the members."""
    violation = refused(lambda: check_submit(STUDENT, group_proposal(members=[OTHER_STUDENT_ID, THIRD_ID])))

    assert violation.code is Code.VALIDATION_ERROR
    assert "your own student id" in violation.detail


def test_only_a_student_submits_a_group() -> None:
    """R9: a group proposal is a student's submission."""
    assert refused(lambda: check_submit(CENTER, group_proposal())).code is Code.FORBIDDEN


def test_unknown_members_are_named() -> None:
    """R9: members must be in the student directory; the refusal names each unknown id."""
    violation = refused(lambda: check_members_known(group_proposal(), {STUDENT_ID}))

    assert violation.code is Code.VALIDATION_ERROR
    assert OTHER_STUDENT_ID in violation.detail and THIRD_ID in violation.detail
    check_members_known(group_proposal(), set(MEMBERS))


def test_submission_goes_to_review_and_tells_the_center() -> None:
    """R8/R9: a submitted group waits for the center's review; the center is mailed; nobody is linked yet."""
    state = submitted()

    assert state.stage is GroupStage.PROPOSAL_REVIEW
    assert [m.student_id for m in state.members] == MEMBERS
    assert all(m.project_id is None for m in state.members)
    assert [(n.template, n.to_role) for n in state.notices] == [("group/submitted", Role.CENTER)]
    assert [e.action for e in state.audit] == ["group_submitted"]


# --- review, revision, withdrawal -------------------------------------------------------------------


def test_approval_mails_every_member() -> None:
    """R9: once the center approves, each member is told to submit an individual linked proposal."""
    state = submitted()
    state.notices.clear()
    apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE, comment="Good plan."), at(days=1))

    assert state.stage is GroupStage.APPROVED
    assert [(n.template, n.to_id) for n in state.notices] == [("group/approved", m) for m in MEMBERS]
    assert len({n.key for n in state.notices}) == len(MEMBERS)
    assert state.notices[0].context == {"comment": "Good plan."}
    assert state.reviews[0].decision is ReviewDecision.APPROVE


@pytest.mark.parametrize(
    ("decision", "stage", "template"),
    [
        (ReviewDecision.REQUEST_CHANGES, GroupStage.CHANGES_REQUESTED, "group/changes_requested"),
        (ReviewDecision.REJECT, GroupStage.REJECTED, "group/rejected"),
    ],
)
def test_changes_or_rejection_tell_the_applicant(decision: ReviewDecision, stage: GroupStage, template: str) -> None:
    """R8 for groups: request_changes or reject, with the reason, told to the applicant."""
    state = submitted()
    state.notices.clear()
    apply_review(state, CENTER, Review(decision=decision, comment="Say which beach."), at(days=1))

    assert state.stage is stage
    assert [(n.template, n.to_id, n.context) for n in state.notices] == [
        (template, STUDENT_ID, {"comment": "Say which beach."})
    ]


def test_only_the_center_reviews_and_only_in_review() -> None:
    """R8: the center reviews, once per submitted version."""
    state = submitted()
    assert refused(lambda: check_review(state, STUDENT, Review(decision=ReviewDecision.APPROVE))).code is Code.FORBIDDEN
    apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE), at(days=1))
    again = refused(lambda: check_review(state, CENTER, Review(decision=ReviewDecision.APPROVE)))
    assert again.code is Code.INVALID_STAGE


def test_revision_returns_to_review_with_new_members() -> None:
    """R8/R9: after request_changes the applicant revises (members too); it returns to review, the center is told."""
    state = submitted()
    apply_review(state, CENTER, Review(decision=ReviewDecision.REQUEST_CHANGES, comment="Fewer people."), at(days=1))
    state.notices.clear()
    apply_revise(state, STUDENT, ReviseGroup(proposal=group_proposal(members=MEMBERS[:2])), at(days=2))

    assert state.stage is GroupStage.PROPOSAL_REVIEW
    assert state.proposal_version == 2
    assert [m.student_id for m in state.members] == MEMBERS[:2]
    assert [(n.template, n.context) for n in state.notices] == [("group/submitted", {"resubmitted": "yes"})]


def test_revision_refusals() -> None:
    """R8/R9: only the applicant revises, only after request_changes, and stays a member."""
    state = submitted()
    revise = ReviseGroup(proposal=group_proposal())
    assert refused(lambda: apply_revise(state, STUDENT, revise, at(days=1))).code is Code.INVALID_STAGE
    apply_review(state, CENTER, Review(decision=ReviewDecision.REQUEST_CHANGES, comment="Fewer people."), at(days=1))
    assert refused(lambda: apply_revise(state, OTHER_STUDENT, revise, at(days=2))).code is Code.FORBIDDEN
    dropped_self = ReviseGroup(proposal=group_proposal(members=[OTHER_STUDENT_ID, THIRD_ID]))
    assert refused(lambda: apply_revise(state, STUDENT, dropped_self, at(days=2))).code is Code.VALIDATION_ERROR


def test_withdrawal_before_approval_only() -> None:
    """R24 for groups: the applicant may withdraw until approval; afterwards each member's project is their own."""
    state = submitted()
    assert refused(lambda: apply_withdraw(state, OTHER_STUDENT, Withdraw(), at(days=1))).code is Code.FORBIDDEN
    apply_withdraw(state, STUDENT, Withdraw(reason="We split up."), at(days=1))
    assert state.stage is GroupStage.WITHDRAWN and state.done

    later = approved()
    assert refused(lambda: apply_withdraw(later, STUDENT, Withdraw(), at(days=2))).code is Code.INVALID_STAGE


# --- members' links ---------------------------------------------------------------------------------


def test_member_of_approved_group_may_link_once() -> None:
    """R9: a member of an approved group links one individual proposal; the group records the project."""
    state = approved()
    check_member_may_link(state, OTHER_STUDENT_ID)

    assert apply_member_linked(state, OTHER_STUDENT, link("p-2"), at(days=2)) is True
    member = state.member(OTHER_STUDENT_ID)
    assert member is not None and member.project_id == "p-2" and member.linked_at == at(days=2)
    assert member.proposal is not None and member.proposal.group_id == GROUP_ID
    view = build_group_view(state)
    assert [(m.student_id, m.project_id) for m in view.members] == [
        (STUDENT_ID, None),
        (OTHER_STUDENT_ID, "p-2"),
        (THIRD_ID, None),
    ]
    assert state.audit[-1].action == "member_linked"


def test_second_link_by_the_same_member_refused() -> None:
    """R9: each member links one individual proposal; a second one is a conflict naming the first project."""
    state = approved()
    apply_member_linked(state, OTHER_STUDENT, link("p-2"), at(days=2))

    violation = refused(lambda: check_link_member(state, OTHER_STUDENT, link("p-3")))
    assert violation.code is Code.CONFLICT and "p-2" in violation.detail
    assert refused(lambda: check_member_may_link(state, OTHER_STUDENT_ID)).code is Code.CONFLICT


def test_same_link_again_is_a_replay() -> None:
    """R9: the same member linking the same project again (a retried request) changes nothing."""
    state = approved()
    apply_member_linked(state, OTHER_STUDENT, link("p-2"), at(days=2))
    revision = state.revision

    assert apply_member_linked(state, OTHER_STUDENT, link("p-2"), at(days=3)) is False
    assert state.revision == revision


def test_non_member_link_refused() -> None:
    """R9: only the group's members may link a proposal to it."""
    violation = refused(lambda: check_link_member(approved(), OUTSIDER, link()))

    assert violation.code is Code.FORBIDDEN and OUTSIDER.id in violation.detail


@pytest.mark.parametrize("decision", [None, ReviewDecision.REQUEST_CHANGES, ReviewDecision.REJECT])
def test_link_needs_an_approved_group(decision: ReviewDecision | None) -> None:
    """R9: individual proposals link only once the center approved the group."""
    state = submitted()
    if decision is not None:
        apply_review(state, CENTER, Review(decision=decision, comment="Not yet."), at(days=1))

    assert refused(lambda: check_link_member(state, OTHER_STUDENT, link())).code is Code.INVALID_STAGE


def test_linked_proposal_names_the_group_and_keeps_its_category() -> None:
    """R9/R5: a linked proposal names this group and the kind of activity the center approved."""
    state = approved()
    other_group = link(group_id="g-9999")
    other_kind = link(category=Category.CLUB)

    assert refused(lambda: check_link_member(state, OTHER_STUDENT, other_group)).code is Code.VALIDATION_ERROR
    assert "category" in refused(lambda: check_link_member(state, OTHER_STUDENT, other_kind)).detail


def test_only_a_student_links_for_themself() -> None:
    """R9: a link is the member's own act; the center cannot link on their behalf."""
    assert refused(lambda: check_link_member(approved(), CENTER, link())).code is Code.FORBIDDEN


def test_group_is_done_once_every_member_linked() -> None:
    """R9: the group's work ends when every member has linked a project; credit stays with each project."""
    state = approved()
    for n, member in enumerate((STUDENT, OTHER_STUDENT, THIRD)):
        assert not state.done
        apply_member_linked(state, member, link(f"p-{n}"), at(days=2 + n))

    assert state.done and state.all_linked
    assert len({m.project_id for m in state.members}) == len(MEMBERS)  # one project each


def test_linked_proposal_is_prefilled_from_the_group() -> None:
    """R9: a member's individual proposal can start from the group's approved one, without its member list."""
    proposal = linked_proposal(GROUP_ID, group_proposal())

    assert isinstance(proposal, Proposal)
    assert proposal.group_id == GROUP_ID
    assert proposal.title == group_proposal().title
    assert "members" not in proposal.model_dump()

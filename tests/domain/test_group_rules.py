"""R9 without loopholes: a member's linked proposal skips review only when it keeps the group's title,
category and plan; group proposals join the R8 digest."""

from __future__ import annotations

from datetime import timedelta

from domain.digest import DigestItem, WaitingGroup, with_group_proposals
from domain.group_transitions import apply_member_linked
from domain.groups import keeps_group_plan, linked_proposal
from domain.vocabulary import Category
from tests.domain.factories import STUDENT, T0, at
from tests.domain.test_groups import GROUP_ID, approved, group_proposal, link


def test_r9_a_linked_proposal_keeping_the_groups_plan_skips_review() -> None:
    """R9: the group's title, category and plan, as prefilled (whitespace aside), need no second review."""
    group = group_proposal()
    same = linked_proposal(GROUP_ID, group)
    assert keeps_group_plan(group, same)
    assert keeps_group_plan(group, same.model_copy(update={"plan": f"  {group.plan}\n"}))


def test_r9_a_different_plan_title_or_category_goes_to_review() -> None:
    """R9: a member who changes the plan (or the title, or the category) submits their own proposal, which
    the center reviews; the group's audit trail says so."""
    group = group_proposal()
    same = linked_proposal(GROUP_ID, group)
    for changed in (
        {"plan": "I will instead run a coding club for the village children every weekend."},
        {"title": "My own clean-up"},
        {"category": Category.PUBLIC_SERVICE},
    ):
        assert not keeps_group_plan(group, same.model_copy(update=changed)), changed
    state = approved()
    apply_member_linked(
        state, STUDENT, link(plan="Something else entirely, with a plan of my own."), at(2), to_review=True
    )
    assert state.audit[-1].action == "member_linked"
    assert "goes to review (R9)" in state.audit[-1].detail


def test_r8_r9_group_proposals_waiting_three_days_join_the_digest() -> None:
    """R8/R9: a group proposal in review for 3 days or more is in the digest beside the proposals, longest
    waiting first, marked as a group with its member count; a newer one is not."""
    now = T0 + timedelta(days=10)
    proposal = DigestItem(
        project_id="p-1", title="Tutoring", priority="normal", waiting_since=now - timedelta(days=4), days_waiting=4
    )
    groups = [
        WaitingGroup(id="g-old", title="Beach", priority="high", stage_since=now - timedelta(days=6), members=3),
        WaitingGroup(id="g-new", title="Park", priority="normal", stage_since=now - timedelta(days=1), members=2),
    ]
    items = with_group_proposals([proposal], groups, now)
    assert [(i.project_id, i.kind, i.members, i.days_waiting) for i in items] == [
        ("g-old", "group", 3, 6),
        ("p-1", "proposal", 0, 4),
    ]

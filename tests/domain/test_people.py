"""Directory rules: R10 who may supervise, R13 the leaving warning."""

from __future__ import annotations

import pytest

from domain.commands import Invite
from domain.errors import Code, RuleViolation
from domain.people import check_can_supervise
from domain.transitions import leaving_warning
from domain.vocabulary import ELIGIBLE_RANKS, Rank, ReflectionFormat
from tests.domain.factories import faculty


def test_unknown_teacher_refused() -> None:
    """R10: a teacher who is not in the faculty directory cannot be invited (SUPERVISOR_NOT_FOUND)."""
    with pytest.raises(RuleViolation) as refused:
        check_can_supervise(None, "nobody@mail.ntust.edu.tw")

    assert refused.value.code is Code.SUPERVISOR_NOT_FOUND
    assert "nobody@mail.ntust.edu.tw" in refused.value.detail


def test_staff_can_never_supervise() -> None:
    """R10: staff can never supervise, and the refusal says so."""
    with pytest.raises(RuleViolation) as refused:
        check_can_supervise(faculty(Rank.STAFF), "t0001@mail.ntust.edu.tw")

    assert refused.value.code is Code.SUPERVISOR_NOT_ELIGIBLE
    assert refused.value.detail.startswith("Staff members cannot supervise")


@pytest.mark.parametrize("rank", [Rank.LECTURER, Rank.ADJUNCT_LECTURER, Rank.RESEARCHER])
def test_ineligible_ranks_refused_with_reason(rank: Rank) -> None:
    """R10: lecturers and other ineligible ranks are refused with a reason naming their rank."""
    with pytest.raises(RuleViolation) as refused:
        check_can_supervise(faculty(rank), "t0001@mail.ntust.edu.tw")

    assert refused.value.code is Code.SUPERVISOR_NOT_ELIGIBLE
    assert rank.value in refused.value.detail
    assert "invite a professor" in refused.value.detail


@pytest.mark.parametrize("rank", sorted(ELIGIBLE_RANKS))
def test_every_eligible_rank_accepted(rank: Rank) -> None:
    """R10: professors, associate/assistant professors and adjunct (associate/assistant) professors may supervise."""
    teacher = faculty(rank)

    assert check_can_supervise(teacher, str(teacher.email)) is teacher


def test_eligible_ranks_are_exactly_the_professorial_ones() -> None:
    """R10: exactly the six professorial ranks are eligible; staff is not among them."""
    assert {rank.value for rank in ELIGIBLE_RANKS} == {
        "professor",
        "associate_professor",
        "assistant_professor",
        "adjunct_professor",
        "adjunct_associate_professor",
        "adjunct_assistant_professor",
    }
    assert Rank.STAFF not in ELIGIBLE_RANKS


def test_leaving_teacher_warns_student() -> None:
    """R13: inviting a teacher who leaves NTUST after a semester warns the student, naming that semester."""
    invite = Invite(faculty=faculty(leaving_after="2026-fall"), reflection_format=ReflectionFormat.CONVERSATION)

    warning = leaving_warning(invite)

    assert warning is not None
    assert "Teacher T0001" in warning
    assert "2026-fall" in warning


def test_staying_teacher_no_warning() -> None:
    """R13: a teacher the directory does not mark as leaving gives no warning."""
    invite = Invite(faculty=faculty(), reflection_format=ReflectionFormat.CONVERSATION)

    assert leaving_warning(invite) is None

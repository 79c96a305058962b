"""The course's rules without loopholes (issue 12): R13, R15, R16, R17 as pure checks and effects.

Every project started by today's code follows `CURRENT_RULES`; a project whose history predates them keeps
the first rules (`FIRST_RULES`), which the last test here pins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.commands import Invite, VerifyHours, WithdrawItem
from domain.errors import Code, RuleViolation
from domain.people import check_not_departed
from domain.project import CURRENT_RULES, FIRST_RULES, ProjectState
from domain.stages import Stage
from domain.transitions import (
    apply_add_evidence,
    apply_log_hours,
    apply_verify_hours,
    apply_withdraw_item,
    check_add_evidence,
    check_invite,
    check_submit_closure,
    check_withdraw_item,
)
from domain.vocabulary import Category, EvidenceKind, HourSource, ReflectionFormat
from domain.work import BlobRef, EvidenceInput, same_image
from tests.domain.factories import (
    OSA,
    OTHER_STUDENT,
    STUDENT,
    WORKED_AT,
    at,
    blob,
    closure_report,
    complete_work,
    faculty,
    hours_input,
    participation_photo,
    project_at,
    reflection_record,
)


def refused(check: Callable[..., object], *args: object) -> RuleViolation:
    """The violation `check(*args)` raises (it must raise one)."""
    with pytest.raises(RuleViolation) as refusal:
        check(*args)
    return refusal.value


def current(stage: Stage = Stage.IN_PROGRESS, **proposal_changes: object) -> ProjectState:
    """A project under today's rules, walked to `stage`, with the proposal changed as asked."""
    state = project_at(stage)
    state.rules = CURRENT_RULES
    if proposal_changes:
        state.proposal = state.proposal.model_copy(update=proposal_changes)
    return state


def image(digest: int, phash: str, colorhash: str = "07000000000", content_type: str = "image/jpeg") -> BlobRef:
    return blob(digest).model_copy(update={"phash": phash, "colorhash": colorhash, "content_type": content_type})


def pdf(n: int = 500) -> BlobRef:
    return BlobRef(digest=f"{n:064x}", content_type="application/pdf", size=4096, width=595, height=842, pages=2)


# --- R15 ---------------------------------------------------------------------------------------------


def test_r15_club_project_self_reported_hours_do_not_count() -> None:
    """R15: a `club` project's hours cannot bypass OSA by choosing `self_reported`: they do not count, and the
    checklist says what would make them count."""
    state = current(category=Category.CLUB)
    complete_work(state)  # 36 self-reported execution hours
    assert state.counted_hours == 0
    refusal = refused(check_submit_closure, state, STUDENT, closure_report())
    assert refusal.code is Code.HOURS_BELOW_MINIMUM
    assert "Office of Student Affairs" in refusal.detail and "certificate" in refusal.detail


def test_r15_club_project_hours_count_with_osa_verification() -> None:
    """R15: a club project's `campus_club` hours count once OSA verified them."""
    state = current(category=Category.CLUB)
    entry = apply_log_hours(state, STUDENT, hours_input(at(8).date(), source=HourSource.CAMPUS_CLUB), WORKED_AT, "h1")
    assert state.counted_hours == 0
    apply_verify_hours(state, OSA, VerifyHours(entry_id=entry.id, verified=True), WORKED_AT)
    assert state.counted_hours == Decimal(12)


def test_r15_club_project_certificate_hours_count_only_with_the_certificate_attached() -> None:
    """R15: `volunteer_certificate` hours of a club project count with an official certificate attached as
    their proof, and not without it."""
    state = current(category=Category.CLUB)
    apply_log_hours(state, STUDENT, hours_input(at(7).date(), source=HourSource.VOLUNTEER_CERTIFICATE), WORKED_AT, "h1")
    assert state.counted_hours == 0
    certificate = apply_add_evidence(state, STUDENT, participation_photo(7), WORKED_AT, "e1")
    proven = hours_input(at(8).date(), source=HourSource.VOLUNTEER_CERTIFICATE).model_copy(
        update={"proof_evidence_id": certificate.id}
    )
    apply_log_hours(state, STUDENT, proven, WORKED_AT, "h2")
    assert state.counted_hours == Decimal(12)


def test_r15_other_categories_count_self_reported_hours_as_before() -> None:
    """R15 concerns club activities: a public-service project's self-reported execution hours still count."""
    state = current()
    complete_work(state)
    assert state.counted_hours == Decimal(36)


# --- R16 ---------------------------------------------------------------------------------------------


def test_r16_the_same_file_counts_once() -> None:
    """R16: a second upload of the same content (same SHA-256 of the stored bytes) is refused."""
    state = current()
    apply_add_evidence(state, STUDENT, participation_photo(1), WORKED_AT, "e1")
    refusal = refused(check_add_evidence, state, STUDENT, participation_photo(1))
    assert refusal.code is Code.DUPLICATE_EVIDENCE
    assert "e1" in refusal.detail


def test_r16_a_near_identical_photo_counts_once() -> None:
    """R16: a re-encoded or resized copy (other bytes, perceptual hash a few bits apart, same colour hash) is
    the same picture; a different picture (many bits apart) or another colour is not."""
    original = image(1, "f0e1d2c3b4a59687")
    resaved = image(2, "f0e1d2c3b4a59685")  # one bit apart
    other = image(3, "0f1e2d3c4b5a6978")
    recoloured = image(4, "f0e1d2c3b4a59687", colorhash="00700000000")
    assert same_image(original, resaved)
    assert not same_image(original, other)
    assert not same_image(original, recoloured)
    state = current()
    photo = participation_photo(1).model_copy(update={"blob": original})
    apply_add_evidence(state, STUDENT, photo, WORKED_AT, "e1")
    copy = photo.model_copy(update={"blob": resaved})
    assert refused(check_add_evidence, state, STUDENT, copy).code is Code.DUPLICATE_EVIDENCE
    check_add_evidence(state, STUDENT, photo.model_copy(update={"blob": other}))


def test_r16_the_reflection_record_may_be_a_pdf_but_a_participation_photo_may_not() -> None:
    """R16: the reflection record may be a document (PDF) or a photo; a participation photo is a photo."""
    state = project_at(Stage.NEEDS_SUPERVISOR)
    state.rules = CURRENT_RULES
    record = EvidenceInput(kind=EvidenceKind.REFLECTION, caption="Notes of our reflection talk", blob=pdf())
    check_add_evidence(state, STUDENT, record)
    as_photo = EvidenceInput(kind=EvidenceKind.PARTICIPATION, caption=participation_photo().caption, blob=pdf())
    refusal = refused(check_add_evidence, state, STUDENT, as_photo)
    assert refusal.code is Code.UPLOAD_INVALID


def test_r16_hours_withdrawn_before_the_report_stay_on_record_uncounted() -> None:
    """R16/R24: hours entered by mistake are withdrawn, not deleted: the entry stays, marked, no longer
    counted nor holding its day's 12 hours; the audit trail names it."""
    state = current()
    complete_work(state)
    entry = state.hours[0]
    apply_withdraw_item(state, STUDENT, WithdrawItem(item="hours", item_id=entry.id, reason="wrong day"), at(9.5))
    assert len(state.hours) == 3 and state.hours[0].withdrawal is not None
    assert state.hours[0].withdrawal.reason == "wrong day"
    assert state.counted_hours == Decimal(24)
    assert (state.audit[-1].action, state.audit[-1].detail) == ("hours_withdrawn", f"{entry.id}: wrong day")
    apply_log_hours(state, STUDENT, hours_input(entry.date), at(9.5), "h9")  # the day's 12 hours are free again
    assert state.counted_hours == Decimal(36)


def test_r16_withdrawn_evidence_no_longer_counts_and_frees_the_picture() -> None:
    """R16: a withdrawn photo is kept but counts for nothing: the checklist misses it again, and the same
    picture may be uploaded once more."""
    state = current()
    complete_work(state)
    photo = next(e for e in state.evidence if e.kind is EvidenceKind.PARTICIPATION)
    apply_withdraw_item(state, STUDENT, WithdrawItem(item="evidence", item_id=photo.id), at(9.5))
    assert [p.code for p in state.missing_for_closure()] == [Code.PHOTOS_MISSING]
    check_add_evidence(state, STUDENT, EvidenceInput(kind=photo.kind, caption=photo.caption, blob=photo.blob))


def test_r16_withdrawal_is_the_students_before_the_report_once_and_proof_last() -> None:
    """R16: only the student withdraws, only before the report is under evaluation, only once, and evidence
    proving hours on record only after those hours."""
    state = current()
    proof = apply_add_evidence(state, STUDENT, participation_photo(5), WORKED_AT, "e1")
    proven = hours_input(at(8).date(), source=HourSource.VOLUNTEER_CERTIFICATE).model_copy(
        update={"proof_evidence_id": proof.id}
    )
    apply_log_hours(state, STUDENT, proven, WORKED_AT, "h1")
    cmd = WithdrawItem(item="evidence", item_id=proof.id)
    assert refused(check_withdraw_item, state, STUDENT, cmd).code is Code.CONFLICT
    assert refused(check_withdraw_item, state, OTHER_STUDENT, cmd).code is Code.NOT_FOUND
    apply_withdraw_item(state, STUDENT, WithdrawItem(item="hours", item_id="h1"), WORKED_AT)
    again = WithdrawItem(item="hours", item_id="h1")
    assert refused(check_withdraw_item, state, STUDENT, again).code is Code.CONFLICT
    apply_withdraw_item(state, STUDENT, cmd, WORKED_AT)
    missing = WithdrawItem(item="hours", item_id="nope")
    assert refused(check_withdraw_item, state, STUDENT, missing).code is Code.NOT_FOUND
    pending = project_at(Stage.EVALUATION_PENDING)
    late = WithdrawItem(item="hours", item_id=pending.hours[0].id)
    assert refused(check_withdraw_item, pending, STUDENT, late).code is Code.INVALID_STAGE


# --- R17 ---------------------------------------------------------------------------------------------


def test_r17_a_written_report_needs_a_document_record() -> None:
    """R17: with `written_report` agreed, a photo is refused as the reflection record and a PDF accepted."""
    state = current()
    assert state.supervisor is not None
    state.supervisor.reflection_format = ReflectionFormat.WRITTEN_REPORT
    refusal = refused(check_add_evidence, state, STUDENT, reflection_record())
    assert refusal.code is Code.REFLECTION_FORMAT_MISMATCH
    assert "written_report" in refusal.detail and "PDF" in refusal.detail
    check_add_evidence(
        state, STUDENT, EvidenceInput(kind=EvidenceKind.REFLECTION, caption="My written reflection report", blob=pdf())
    )


def test_r17_a_conversation_needs_a_photo_and_the_checklist_checks_earlier_uploads() -> None:
    """R17: with `conversation` agreed the record is a photo; a PDF uploaded before the format was agreed
    leaves the reflection record missing in the checklist, named by the format."""
    state = current(Stage.NEEDS_SUPERVISOR)
    record = EvidenceInput(kind=EvidenceKind.REFLECTION, caption="Notes of our reflection talk", blob=pdf())
    apply_add_evidence(state, STUDENT, record, WORKED_AT, "e1")
    walked = project_at(Stage.IN_PROGRESS)  # conversation agreed
    state.supervisor, state.stage = walked.supervisor, Stage.IN_PROGRESS
    complete_work(state, reflection=False)
    [problem] = state.missing_for_closure()
    assert problem.code is Code.REFLECTION_RECORD_MISSING and "conversation" in problem.detail
    another = record.model_copy(update={"blob": pdf(501)})
    refusal = refused(check_add_evidence, state, STUDENT, another)
    assert refusal.code is Code.REFLECTION_FORMAT_MISMATCH


# --- R13 ---------------------------------------------------------------------------------------------


def test_r13_a_teacher_whose_leaving_semester_ended_cannot_be_invited() -> None:
    """R13: a teacher whose `leaving_after` semester has already ended is refused with the reason; one who
    leaves after the current semester can still be invited (with the warning)."""
    state = project_at(Stage.NEEDS_SUPERVISOR)
    ended = at(-1)
    departed = Invite(
        faculty=faculty(leaving_after="2026-spring"), reflection_format=ReflectionFormat.CONVERSATION, departs_at=ended
    )
    refusal = refused(check_invite, state, STUDENT, departed, at(2))
    assert refusal.code is Code.SUPERVISOR_NOT_ELIGIBLE
    assert "left NTUST" in refusal.detail and "2026-spring" in refusal.detail
    leaving = departed.model_copy(update={"departs_at": at(120)})
    check_invite(state, STUDENT, leaving, at(2))
    check_not_departed(faculty(), None, at(2))  # staying teachers are never refused by R13
    check_not_departed(faculty(leaving_after="2026-fall"), at(2) + timedelta(seconds=1), at(2))


# --- projects that started under the first rules -----------------------------------------------------


def test_projects_started_under_the_first_rules_keep_them() -> None:
    """A project keeps the rules it started with: under FIRST_RULES a club project's self-reported hours
    count and a repeated photo is accepted, so a running project replays exactly as it ran."""
    state = project_at(Stage.IN_PROGRESS)
    assert state.rules == FIRST_RULES
    state.proposal = state.proposal.model_copy(update={"category": Category.CLUB})
    complete_work(state)
    assert state.counted_hours == Decimal(36)
    check_add_evidence(state, STUDENT, participation_photo(0))

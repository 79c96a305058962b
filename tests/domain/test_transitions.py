"""Every action on a project: its check, its effect, its audit entry and the notices it owes (R2-R24)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.actors import SYSTEM, Actor
from domain.commands import (
    Evaluate,
    InvitationResponse,
    Invite,
    Review,
    ReviseProposal,
    VerifyHours,
    Withdraw,
)
from domain.deadlines import REMINDER_REQUEST_INTERVAL, evaluation_moments
from domain.errors import Code, RuleViolation
from domain.project import Credit, ProjectState
from domain.stages import FINAL_STAGES, Stage
from domain.transitions import (
    apply_add_evidence,
    apply_cancel_invitation,
    apply_credit,
    apply_evaluation,
    apply_invitation_expired,
    apply_invite,
    apply_log_hours,
    apply_request_reminder,
    apply_respond,
    apply_review,
    apply_revise,
    apply_submit_closure,
    apply_submitted,
    apply_verify_hours,
    apply_withdraw,
    check_submit_closure,
    check_verify_hours,
)
from domain.vocabulary import (
    Channel,
    EvaluationResult,
    EvidenceKind,
    HourKind,
    HourSource,
    Indicator,
    Rank,
    ReflectionFormat,
    ReviewDecision,
    Role,
)
from domain.work import EvidenceInput
from tests.domain.factories import (
    CENTER,
    OSA,
    OTHER_FACULTY,
    OTHER_STUDENT,
    STUDENT,
    STUDENT_ID,
    SUPERVISOR,
    at,
    blob,
    claim,
    closure_report,
    complete_work,
    faculty,
    hours_input,
    new_project,
    participation_photo,
    project_at,
    proposal,
    teacher_of,
)

NOW = at(days=12)  # after every step of the factory timeline
TODAY = date(2026, 9, 19)  # NOW's date, in UTC and in Taipei

Start = Callable[[], ProjectState]
Act = Callable[[ProjectState, Actor, datetime], object]


def refused(action: Callable[[], object]) -> RuleViolation:
    """Run an action that must be refused and return the refusal."""
    with pytest.raises(RuleViolation) as caught:
        action()
    return caught.value


def invite(rank: Rank = Rank.PROFESSOR, *, id: str = "T0001", leaving_after: str | None = None) -> Invite:
    return Invite(
        faculty=faculty(rank, id=id, leaving_after=leaving_after), reflection_format=ReflectionFormat.WRITTEN_REPORT
    )


def with_club_hours() -> ProjectState:
    state = project_at(Stage.IN_PROGRESS)
    apply_log_hours(state, STUDENT, hours_input(TODAY, "6", source=HourSource.CAMPUS_CLUB), NOW, "club1")
    return state


def ready_to_submit() -> ProjectState:
    state = project_at(Stage.IN_PROGRESS)
    complete_work(state)
    return state


def passed() -> ProjectState:
    return project_at(Stage.PASSED)


def notice_templates(state: ProjectState, role: Role) -> list[str]:
    return [n.template for n in state.notices if n.to_role is role]


# --- R1/R9: submission --------------------------------------------------------------------------------


def test_submitted_proposal_enters_review() -> None:
    """R1: a submitted proposal simply enters review, no course selection needed, and the center is not
    notified per proposal (R8 sends a digest instead)."""
    state = new_project()

    apply_submitted(state, STUDENT, NOW, group_approved=False)

    assert state.stage is Stage.PROPOSAL_REVIEW
    assert state.notices == []
    assert state.audit[-1].action == "proposal_submitted"


def test_group_linked_proposal_skips_review() -> None:
    """R9: an individual proposal linked to an approved group goes straight to NEEDS_SUPERVISOR, and the
    student is told it is approved."""
    state = new_project(group_id="G-1")

    apply_submitted(state, STUDENT, NOW, group_approved=True)

    assert state.stage is Stage.NEEDS_SUPERVISOR
    assert state.reviews == []
    assert notice_templates(state, Role.STUDENT) == ["proposal_approved"]
    assert "R9" in state.audit[-1].detail


# --- R8: review ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "stage", "template"),
    [
        (ReviewDecision.APPROVE, Stage.NEEDS_SUPERVISOR, "proposal_approved"),
        (ReviewDecision.REQUEST_CHANGES, Stage.CHANGES_REQUESTED, "proposal_changes_requested"),
        (ReviewDecision.REJECT, Stage.REJECTED, "proposal_rejected"),
    ],
)
def test_review_decisions(decision: ReviewDecision, stage: Stage, template: str) -> None:
    """R8: approve, request changes or reject moves the project on and tells the student, with the comment."""
    state = project_at(Stage.PROPOSAL_REVIEW)

    apply_review(state, CENTER, Review(decision=decision, comment="Name the school."), NOW)

    assert state.stage is stage
    assert state.reviews[-1].decision is decision
    assert state.reviews[-1].by == CENTER.id
    assert state.reviews[-1].proposal_version == 1
    assert state.notices[-1].template == template
    assert state.notices[-1].to_id == STUDENT_ID
    assert state.notices[-1].context == {"comment": "Name the school."}


@pytest.mark.parametrize("decision", [ReviewDecision.REQUEST_CHANGES, ReviewDecision.REJECT])
def test_review_comment_required_to_reject_or_request_changes(decision: ReviewDecision) -> None:
    """R8: rejecting or requesting changes needs a comment giving the reason."""
    with pytest.raises(ValidationError, match="comment is required"):
        Review(decision=decision, comment="   ")


def test_approval_needs_no_comment() -> None:
    """R8: an approval may come without a comment."""
    assert Review(decision=ReviewDecision.APPROVE).comment == ""


@pytest.mark.parametrize(
    ("actor", "code"), [(STUDENT, Code.FORBIDDEN), (SUPERVISOR, Code.NOT_FOUND), (OSA, Code.NOT_FOUND)]
)
def test_only_center_reviews(actor: Actor, code: Code) -> None:
    """R8: the center reviews proposals; anyone else who sees the project is FORBIDDEN, and a teacher not yet
    attached to it does not learn it exists (NOT_FOUND, SPEC §4), nor does OSA of a project without club hours."""
    state = project_at(Stage.PROPOSAL_REVIEW)

    refusal = refused(lambda: apply_review(state, actor, Review(decision=ReviewDecision.APPROVE), NOW))

    assert refusal.code is code
    assert state.stage is Stage.PROPOSAL_REVIEW


def test_review_only_while_in_review() -> None:
    """R8: an approved proposal cannot be reviewed again (INVALID_STAGE)."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    refusal = refused(lambda: apply_review(state, CENTER, Review(decision=ReviewDecision.REJECT, comment="no"), NOW))

    assert refusal.code is Code.INVALID_STAGE


def test_revised_proposal_returns_to_review() -> None:
    """R8: after request_changes the student revises and resubmits; the next review sees version 2."""
    state = project_at(Stage.CHANGES_REQUESTED)

    apply_revise(state, STUDENT, ReviseProposal(proposal=proposal(title="Reading hour, Saturdays 9-12")), NOW)
    apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE), NOW + timedelta(hours=1))

    assert state.proposal.title == "Reading hour, Saturdays 9-12"
    assert state.proposal_version == 2
    assert [r.proposal_version for r in state.reviews] == [1, 2]
    assert state.stage is Stage.NEEDS_SUPERVISOR


def test_revision_cannot_change_group() -> None:
    """R9: a revision cannot move a proposal into or out of a group."""
    state = project_at(Stage.CHANGES_REQUESTED)

    refusal = refused(lambda: apply_revise(state, STUDENT, ReviseProposal(proposal=proposal(group_id="G-9")), NOW))

    assert refusal.code is Code.VALIDATION_ERROR


def test_revision_only_after_changes_requested() -> None:
    """R8: a proposal under review cannot be revised (INVALID_STAGE)."""
    state = project_at(Stage.PROPOSAL_REVIEW)

    refusal = refused(lambda: apply_revise(state, STUDENT, ReviseProposal(proposal=proposal()), NOW))

    assert refusal.code is Code.INVALID_STAGE


# --- R10-R13: supervision -----------------------------------------------------------------------------


def test_invite_sends_invitation_to_teacher() -> None:
    """R11: inviting records the proposed reflection format and emails the teacher."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    apply_invite(state, STUDENT, invite(), NOW)

    assert state.stage is Stage.SUPERVISOR_INVITED
    assert state.invitation is not None
    assert state.invitation.seq == 1
    assert state.invitation.reflection_format is ReflectionFormat.WRITTEN_REPORT
    assert state.invitation.invited_at == NOW
    assert state.notices[-1].template == "invitation"
    assert (state.notices[-1].to_role, state.notices[-1].to_id) == (Role.FACULTY, "T0001")


@pytest.mark.parametrize("rank", [Rank.STAFF, Rank.LECTURER])
def test_ineligible_teacher_cannot_be_invited(rank: Rank) -> None:
    """R10: inviting staff or a lecturer is refused (SUPERVISOR_NOT_ELIGIBLE) and changes nothing."""
    state = project_at(Stage.NEEDS_SUPERVISOR)
    before = state.model_copy(deep=True)

    refusal = refused(lambda: apply_invite(state, STUDENT, invite(rank), NOW))

    assert refusal.code is Code.SUPERVISOR_NOT_ELIGIBLE
    assert state == before


def test_inviting_leaving_teacher_records_warning() -> None:
    """R13: inviting a teacher who leaves after this semester is allowed, and the warning is kept."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    apply_invite(state, STUDENT, invite(leaving_after="2026-fall"), NOW)

    assert state.stage is Stage.SUPERVISOR_INVITED
    assert "warning" in state.audit[-1].detail
    assert "2026-fall" in state.audit[-1].detail


def test_one_pending_invitation_at_a_time() -> None:
    """R12: while an invitation is pending, inviting again is refused (INVALID_STAGE) and says to cancel."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    refusal = refused(lambda: apply_invite(state, STUDENT, invite(id="T0002"), NOW))

    assert refusal.code is Code.INVALID_STAGE
    assert "cancel" in refusal.detail
    assert state.invitation is not None
    assert state.invitation.faculty.id == "T0001"


def test_no_invitation_before_approval() -> None:
    """R10: a proposal still in review cannot invite a supervisor (INVALID_STAGE)."""
    state = project_at(Stage.PROPOSAL_REVIEW)

    assert refused(lambda: apply_invite(state, STUDENT, invite(), NOW)).code is Code.INVALID_STAGE


def test_cancel_frees_the_slot() -> None:
    """R12: the student may cancel the pending invitation; the teacher is told and a new one may follow."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    apply_cancel_invitation(state, STUDENT, NOW)

    assert state.stage is Stage.NEEDS_SUPERVISOR
    assert state.invitation is None
    assert (state.notices[-1].template, state.notices[-1].to_id) == ("invitation_cancelled", "T0001")
    apply_invite(state, STUDENT, invite(id="T0002"), NOW + timedelta(hours=1))
    assert state.invitation is not None
    assert state.invitation.seq == 2


def test_cancel_without_pending_invitation_refused() -> None:
    """R12: there is nothing to cancel without a pending invitation (INVALID_STAGE)."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    assert refused(lambda: apply_cancel_invitation(state, STUDENT, NOW)).code is Code.INVALID_STAGE


def test_accept_with_another_format() -> None:
    """R11: accepting agrees on a format; the teacher may pick another than the student proposed."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    apply_respond(
        state, SUPERVISOR, InvitationResponse(accept=True, reflection_format=ReflectionFormat.ORAL_PRESENTATION), NOW
    )

    assert state.stage is Stage.IN_PROGRESS
    assert state.invitation is None
    assert state.supervisor is not None
    assert state.supervisor.faculty.id == SUPERVISOR.id
    assert state.supervisor.reflection_format is ReflectionFormat.ORAL_PRESENTATION
    assert state.supervisor.confirmed_at == NOW
    assert state.notices[-1].template == "invitation_accepted"
    assert state.notices[-1].context == {"reflection_format": "oral_presentation"}


def test_accept_keeps_proposed_format() -> None:
    """R11: accepting without choosing a format agrees on the one the student proposed."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    apply_respond(state, SUPERVISOR, InvitationResponse(accept=True), NOW)

    assert state.supervisor is not None
    assert state.supervisor.reflection_format is ReflectionFormat.CONVERSATION


def test_decline_with_reason() -> None:
    """R11: declining takes an optional reason, which the student is told; the student may invite again."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    apply_respond(state, SUPERVISOR, InvitationResponse(accept=False, reason="On sabbatical."), NOW)

    assert state.stage is Stage.NEEDS_SUPERVISOR
    assert state.invitation is None
    assert state.supervisor is None
    assert state.audit[-1].detail == "On sabbatical."
    assert state.notices[-1].template == "invitation_declined"
    assert state.notices[-1].context == {"reason": "On sabbatical."}


@pytest.mark.parametrize(
    ("actor", "code"), [(OTHER_FACULTY, Code.NOT_FOUND), (STUDENT, Code.FORBIDDEN), (CENTER, Code.FORBIDDEN)]
)
def test_only_invited_teacher_may_answer(actor: Actor, code: Code) -> None:
    """R11: only the invited teacher may accept or decline (FORBIDDEN for those who see the project; another
    teacher is not told it exists, SPEC §4)."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    refusal = refused(lambda: apply_respond(state, actor, InvitationResponse(accept=True), NOW))

    assert refusal.code is code
    assert state.stage is Stage.SUPERVISOR_INVITED


def test_answer_after_cancel_refused() -> None:
    """R12: a teacher answering a cancelled invitation is refused; no longer attached to the project, they
    are not told it exists (NOT_FOUND, SPEC §4; the link page explains the cancellation). Nothing breaks."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    apply_cancel_invitation(state, STUDENT, NOW)

    refusal = refused(lambda: apply_respond(state, SUPERVISOR, InvitationResponse(accept=True), NOW))

    assert refusal.code is Code.NOT_FOUND
    assert state.stage is Stage.NEEDS_SUPERVISOR


def test_expired_invitation_tells_student() -> None:
    """R12: an expired invitation frees the slot and the student is told to invite someone else."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    apply_invitation_expired(state, SYSTEM, NOW)

    assert state.stage is Stage.NEEDS_SUPERVISOR
    assert state.invitation is None
    assert state.notices[-1].template == "invitation_expired"
    assert state.notices[-1].to_id == STUDENT_ID


# --- R14/R15: hours -----------------------------------------------------------------------------------


def test_hours_may_be_logged_before_a_supervisor() -> None:
    """R14/§3: hours may be added from NEEDS_SUPERVISOR on."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    logged = apply_log_hours(state, STUDENT, hours_input(TODAY, "2.5"), NOW, "h1")

    assert state.hours == [logged]
    assert logged.logged_at == NOW
    assert state.counted_hours == Decimal("2.5")


@pytest.mark.parametrize("stage", [Stage.PROPOSAL_REVIEW, Stage.CHANGES_REQUESTED, Stage.EVALUATION_PENDING])
def test_hours_refused_outside_work_stages(stage: Stage) -> None:
    """R14/§3: hours cannot be logged before approval or while the report is under evaluation."""
    state = project_at(stage)

    assert refused(lambda: apply_log_hours(state, STUDENT, hours_input(TODAY), NOW, "h9")).code is Code.INVALID_STAGE


def test_twelve_hours_a_day_across_entries() -> None:
    """R14: at most 12 hours a day, summed over every entry of that date and every kind."""
    state = project_at(Stage.IN_PROGRESS)
    apply_log_hours(state, STUDENT, hours_input(TODAY, "8"), NOW, "h10")
    apply_log_hours(state, STUDENT, hours_input(TODAY, "4", kind=HourKind.REFLECTION), NOW, "h11")

    refusal = refused(lambda: apply_log_hours(state, STUDENT, hours_input(TODAY, "0.5"), NOW, "h12"))

    assert refusal.code is Code.VALIDATION_ERROR
    assert "12 already logged" in refusal.detail
    assert apply_log_hours(state, STUDENT, hours_input(TODAY - timedelta(days=1), "0.5"), NOW, "h13")


def test_future_date_refused() -> None:
    """R14: hours cannot be logged for a date that has not come yet in Taipei."""
    state = project_at(Stage.IN_PROGRESS)
    morning_in_taipei = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # 10:00 on 1 October in Taipei

    refusal = refused(lambda: apply_log_hours(state, STUDENT, hours_input(date(2026, 10, 2)), morning_in_taipei, "h"))

    assert refusal.code is Code.VALIDATION_ERROR
    assert "future" in refusal.detail


def test_taipei_today_accepted_while_utc_is_yesterday() -> None:
    """R14/R25: at 01:00 in Taipei the student may log that Taipei day, though UTC is still on the day before."""
    state = project_at(Stage.IN_PROGRESS)
    after_taipei_midnight = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)

    apply_log_hours(state, STUDENT, hours_input(date(2026, 10, 1)), after_taipei_midnight, "h1")

    assert state.hours[-1].date == date(2026, 10, 1)


def test_proof_must_be_evidence_of_this_project() -> None:
    """R14: the optional proof names evidence already uploaded to this project."""
    state = project_at(Stage.IN_PROGRESS)
    cmd = hours_input(TODAY).model_copy(update={"proof_evidence_id": "e404"})

    assert refused(lambda: apply_log_hours(state, STUDENT, cmd, NOW, "h1")).code is Code.VALIDATION_ERROR


def test_club_hours_sent_to_osa() -> None:
    """R15: logging on-campus club hours asks the Office of Student Affairs to verify them."""
    state = with_club_hours()

    assert state.notices[-1].template == "club_hours_to_verify"
    assert state.notices[-1].to_role is Role.OSA
    assert state.notices[-1].context == {"entry_id": "club1"}
    assert state.counted_hours == 0


@pytest.mark.parametrize(
    ("verified", "counted", "action"), [(True, 6, "club_hours_verified"), (False, 0, "club_hours_refused")]
)
def test_osa_verification_decides_club_hours(verified: bool, counted: int, action: str) -> None:
    """R15: club hours count once OSA verifies them; hours OSA refuses never count."""
    state = with_club_hours()

    apply_verify_hours(state, OSA, VerifyHours(entry_id="club1", verified=verified, note="club roster"), NOW)

    assert state.counted_hours == counted
    assert state.hours[-1].verification is not None
    assert state.hours[-1].verification.by == OSA.id
    assert state.audit[-1].action == action


@pytest.mark.parametrize("actor", [STUDENT, CENTER, SUPERVISOR])
def test_only_osa_verifies(actor: Actor) -> None:
    """R15: only the Office of Student Affairs verifies club hours (FORBIDDEN otherwise)."""
    state = with_club_hours()

    refusal = refused(lambda: apply_verify_hours(state, actor, VerifyHours(entry_id="club1", verified=True), NOW))

    assert refusal.code is Code.FORBIDDEN


def test_verify_unknown_or_unclubbed_entry() -> None:
    """R15: verifying needs an existing club entry (NOT_FOUND, VALIDATION_ERROR otherwise)."""
    state = with_club_hours()
    apply_log_hours(state, STUDENT, hours_input(TODAY - timedelta(days=1), "1"), NOW, "own1")

    missing = refused(lambda: apply_verify_hours(state, OSA, VerifyHours(entry_id="nope", verified=True), NOW))
    own = refused(lambda: apply_verify_hours(state, OSA, VerifyHours(entry_id="own1", verified=True), NOW))

    assert missing.code is Code.NOT_FOUND
    assert own.code is Code.VALIDATION_ERROR


# --- R16: evidence ------------------------------------------------------------------------------------


def test_short_participation_caption_refused() -> None:
    """R16: a participation photo with a caption under 20 characters is refused (VALIDATION_ERROR)."""
    state = project_at(Stage.IN_PROGRESS)
    photo = EvidenceInput(kind=EvidenceKind.PARTICIPATION, caption="At the library", blob=blob())

    refusal = refused(lambda: apply_add_evidence(state, STUDENT, photo, NOW, "e1"))

    assert refusal.code is Code.VALIDATION_ERROR
    assert state.evidence == []


def test_evidence_kept_with_caption() -> None:
    """R16: a captioned participation photo is kept on the project."""
    state = project_at(Stage.IN_PROGRESS)

    kept = apply_add_evidence(state, STUDENT, participation_photo(), NOW, "e1")

    assert state.evidence == [kept]
    assert kept.added_at == NOW


# --- R18: closure -------------------------------------------------------------------------------------


def test_closure_refusal_names_all_four_missing_items() -> None:
    """R18: submitting with nothing done is refused with every missing item named, in one refusal."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    refusal = refused(lambda: check_submit_closure(state, STUDENT, closure_report()))

    assert refusal.code is Code.SUPERVISOR_NOT_CONFIRMED
    assert [p.code for p in refusal.problems] == [
        Code.SUPERVISOR_NOT_CONFIRMED,
        Code.HOURS_BELOW_MINIMUM,
        Code.PHOTOS_MISSING,
        Code.REFLECTION_RECORD_MISSING,
    ]
    assert all(p.detail in refusal.detail for p in refusal.problems)


def test_closure_refusal_without_supervisor_alone() -> None:
    """R18: with all work done but no supervisor, only the supervisor is named."""
    state = project_at(Stage.NEEDS_SUPERVISOR)
    complete_work(state)

    refusal = refused(lambda: check_submit_closure(state, STUDENT, closure_report()))

    assert [p.code for p in refusal.problems] == [Code.SUPERVISOR_NOT_CONFIRMED]


@pytest.mark.parametrize(
    ("skip", "code"),
    [
        ("hours", Code.HOURS_BELOW_MINIMUM),
        ("photos", Code.PHOTOS_MISSING),
        ("reflection", Code.REFLECTION_RECORD_MISSING),
    ],
)
def test_closure_refusal_names_single_missing_item(skip: str, code: Code) -> None:
    """R18: with one item missing, the refusal carries exactly that item's code."""
    state = project_at(Stage.IN_PROGRESS)
    complete_work(state, hours=skip != "hours", photos=skip != "photos", reflection=skip != "reflection")

    refusal = refused(lambda: apply_submit_closure(state, STUDENT, closure_report(), NOW))

    assert refusal.code is code
    assert [p.code for p in refusal.problems] == [code]
    assert state.stage is Stage.IN_PROGRESS


def test_closure_needs_a_note_per_chosen_indicator() -> None:
    """R18: the report carries a note for every indicator the proposal chose; the refusal names the absent."""
    state = new_project(indicators=[claim(Indicator.USR), claim(Indicator.PROBLEM_SOLVING)])
    apply_submitted(state, STUDENT, at(), group_approved=False)
    apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE), at(days=1))
    apply_invite(state, STUDENT, invite(), at(days=2))
    apply_respond(state, SUPERVISOR, InvitationResponse(accept=True), at(days=3))
    complete_work(state)

    refusal = refused(lambda: check_submit_closure(state, STUDENT, closure_report([Indicator.USR])))

    assert refusal.code is Code.VALIDATION_ERROR
    assert "problem_solving" in refusal.detail
    assert "usr," not in refusal.detail


def test_closure_submitted_asks_supervisor_to_evaluate() -> None:
    """R19: on submission the supervisor is emailed to evaluate that submission."""
    state = ready_to_submit()

    apply_submit_closure(state, STUDENT, closure_report(), NOW)

    assert state.stage is Stage.EVALUATION_PENDING
    assert state.submission is not None
    assert (state.submission.seq, state.submission.submitted_at) == (1, NOW)
    assert state.notices[-1].template == "evaluation_requested"
    assert (state.notices[-1].to_role, state.notices[-1].to_id) == (Role.FACULTY, SUPERVISOR.id)
    assert state.notices[-1].context == {"submission_seq": "1", **evaluation_moments(NOW, NOW)}


def test_closure_refused_while_in_review() -> None:
    """R18: a proposal still in review cannot be closed (INVALID_STAGE)."""
    state = project_at(Stage.PROPOSAL_REVIEW)

    assert refused(lambda: check_submit_closure(state, STUDENT, closure_report())).code is Code.INVALID_STAGE


# --- R19: evaluation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "stage"),
    [
        (EvaluationResult.PASS, Stage.PASSED),
        (EvaluationResult.FAIL, Stage.FAILED),
        (EvaluationResult.REVISE, Stage.REVISION_REQUESTED),
    ],
)
def test_evaluation_results(result: EvaluationResult, stage: Stage) -> None:
    """R19: pass, fail or revise moves the project to PASSED, FAILED or REVISION_REQUESTED."""
    state = project_at(Stage.EVALUATION_PENDING)

    apply_evaluation(state, SUPERVISOR, Evaluate(result=result, feedback="Good reflection."), NOW)

    assert state.stage is stage
    assert state.evaluations[-1].result is result
    assert state.evaluations[-1].submission_seq == 1
    assert state.credit is None  # R21: the credit ledger answers separately (apply_credit)


@pytest.mark.parametrize("result", [EvaluationResult.FAIL, EvaluationResult.REVISE])
def test_feedback_required_to_fail_or_revise(result: EvaluationResult) -> None:
    """R19: failing or returning a report needs feedback."""
    with pytest.raises(ValidationError, match="feedback is required"):
        Evaluate(result=result, feedback=" \n ")


def test_pass_needs_no_feedback() -> None:
    """R19: a pass may come without feedback."""
    assert Evaluate(result=EvaluationResult.PASS).feedback == ""


@pytest.mark.parametrize(
    ("actor", "code"), [(OTHER_FACULTY, Code.NOT_FOUND), (STUDENT, Code.FORBIDDEN), (CENTER, Code.FORBIDDEN)]
)
def test_only_the_supervisor_evaluates(actor: Actor, code: Code) -> None:
    """R19: only the project's supervisor evaluates (FORBIDDEN for those who see the project; another teacher
    is not told it exists, SPEC §4)."""
    state = project_at(Stage.EVALUATION_PENDING)

    refusal = refused(lambda: apply_evaluation(state, actor, Evaluate(result=EvaluationResult.PASS), NOW))

    assert refusal.code is code


def test_evaluation_only_when_pending() -> None:
    """R19: a project without a submitted report cannot be evaluated (INVALID_STAGE)."""
    state = project_at(Stage.IN_PROGRESS)

    refusal = refused(lambda: apply_evaluation(state, SUPERVISOR, Evaluate(result=EvaluationResult.PASS), NOW))

    assert refusal.code is Code.INVALID_STAGE


def test_revise_then_resubmit() -> None:
    """R19: a returned report is resubmitted by the student and evaluated as a new submission."""
    state = project_at(Stage.REVISION_REQUESTED)

    apply_submit_closure(state, STUDENT, closure_report(), NOW)

    assert state.stage is Stage.EVALUATION_PENDING
    assert state.submission is not None
    assert state.submission.seq == 2
    apply_evaluation(state, SUPERVISOR, Evaluate(result=EvaluationResult.PASS), NOW + timedelta(days=1))
    assert [e.submission_seq for e in state.evaluations] == [1, 2]


# --- R2/R21: credit -----------------------------------------------------------------------------------


def test_credit_granted() -> None:
    """R21: on pass the credit is recorded in the semester of the pass and the student is told."""
    state = passed()

    apply_credit(state, Credit(granted=True, semester_id="2026-fall", at=NOW))

    assert state.credit is not None
    assert state.credit.granted
    assert state.audit[-1].action == "credit_recorded"
    assert state.audit[-1].actor_id == SYSTEM.id
    assert state.notices[-1].template == "evaluation_pass"
    assert state.notices[-1].context == {"credit": "TC1010 credit recorded in 2026-fall"}


def test_credit_not_granted_says_why() -> None:
    """R2: a student who already holds the credit still passes, with credit_granted false and the reason."""
    state = passed()
    reason = "B11200001 already holds TC1010 (2025-spring)."

    apply_credit(state, Credit(granted=False, semester_id="2026-fall", reason=reason, at=NOW))

    assert state.stage is Stage.PASSED
    assert state.credit is not None
    assert not state.credit.granted
    assert state.credit.reason == reason
    assert state.audit[-1].action == "credit_not_granted"
    assert reason in state.audit[-1].detail
    assert reason in state.notices[-1].context["credit"]


# --- R20: the student asks for a reminder -------------------------------------------------------------


def test_reminder_request_reaches_supervisor() -> None:
    """R20: the student may ask Praxis to remind the supervisor."""
    state = project_at(Stage.EVALUATION_PENDING)

    apply_request_reminder(state, STUDENT, NOW)

    assert state.last_reminder_request_at == NOW
    assert state.notices[-1].template == "evaluation_reminder"
    assert state.notices[-1].to_id == SUPERVISOR.id
    assert state.notices[-1].context["requested_by"] == "student"
    assert "submitted_at" in state.notices[-1].context  # R20: the mail says since when it waits


def test_reminder_rate_limited_for_three_days() -> None:
    """R20: a second request within 3 days is RATE_LIMITED, with retry_after exactly 3 days after the first."""
    state = project_at(Stage.EVALUATION_PENDING)
    apply_request_reminder(state, STUDENT, NOW)

    refusal = refused(lambda: apply_request_reminder(state, STUDENT, NOW + timedelta(days=3, microseconds=-1)))

    assert refusal.code is Code.RATE_LIMITED
    assert refusal.retry_after == NOW + timedelta(days=3)
    assert timedelta(days=3) == REMINDER_REQUEST_INTERVAL


def test_reminder_allowed_again_at_three_days() -> None:
    """R20: exactly 3 days after the last request the student may ask again."""
    state = project_at(Stage.EVALUATION_PENDING)
    apply_request_reminder(state, STUDENT, NOW)

    apply_request_reminder(state, STUDENT, NOW + timedelta(days=3))

    assert state.last_reminder_request_at == NOW + timedelta(days=3)


def test_reminder_only_while_evaluation_pending() -> None:
    """R20: there is nobody to remind before a report is submitted (INVALID_STAGE)."""
    state = project_at(Stage.IN_PROGRESS)

    assert refused(lambda: apply_request_reminder(state, STUDENT, NOW)).code is Code.INVALID_STAGE


# --- R24: withdrawal ----------------------------------------------------------------------------------

NON_FINAL = [stage for stage in Stage if stage not in FINAL_STAGES]


@pytest.mark.parametrize("stage", NON_FINAL)
def test_withdraw_from_any_non_final_stage(stage: Stage) -> None:
    """R24: the student may withdraw from every stage that is not final."""
    state = project_at(stage)

    apply_withdraw(state, STUDENT, Withdraw(reason="moving abroad"), NOW)

    assert state.stage is Stage.WITHDRAWN
    assert state.invitation is None
    assert state.audit[-1].action == "withdrawn"
    assert state.audit[-1].detail == "moving abroad"


@pytest.mark.parametrize("stage", sorted(FINAL_STAGES))
def test_withdraw_refused_from_final_stages(stage: Stage) -> None:
    """R24: a project that is REJECTED, PASSED, FAILED or WITHDRAWN cannot be withdrawn (INVALID_STAGE)."""
    state = project_at(stage)

    refusal = refused(lambda: apply_withdraw(state, STUDENT, Withdraw(), NOW))

    assert refusal.code is Code.INVALID_STAGE
    assert state.stage is stage


def test_withdraw_tells_invited_teacher() -> None:
    """R24/R12: withdrawing with an invitation pending tells the invited teacher it is cancelled."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    apply_withdraw(state, STUDENT, Withdraw(), NOW)

    assert (state.notices[-1].template, state.notices[-1].to_id) == ("invitation_cancelled", "T0001")


def test_withdraw_tells_supervisor() -> None:
    """R24: withdrawing a supervised project tells the supervisor."""
    state = project_at(Stage.IN_PROGRESS)

    apply_withdraw(state, STUDENT, Withdraw(), NOW)

    assert (state.notices[-1].template, state.notices[-1].to_id) == ("project_withdrawn", SUPERVISOR.id)


def test_center_may_withdraw_a_project() -> None:
    """R24: the center may withdraw a project on the student's behalf, and the audit names the center."""
    state = project_at(Stage.NEEDS_SUPERVISOR)

    apply_withdraw(state, CENTER, Withdraw(reason="student left the university"), NOW)

    assert state.stage is Stage.WITHDRAWN
    assert state.audit[-1].role is Role.CENTER


# --- the actions, as table rows for the tests below ---------------------------------------------------


def in_stage(stage: Stage) -> Start:
    return lambda: project_at(stage)


def submit(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_submitted(state, actor, now, group_approved=False)


def review(decision: ReviewDecision, comment: str = "") -> Act:
    return lambda state, actor, now: apply_review(state, actor, Review(decision=decision, comment=comment), now)


def revise(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_revise(state, actor, ReviseProposal(proposal=proposal()), now)


def invite_teacher(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_invite(state, actor, invite(), now)


def respond(accept: bool) -> Act:
    return lambda state, actor, now: apply_respond(state, actor, InvitationResponse(accept=accept), now)


def log_hours(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_log_hours(state, actor, hours_input(TODAY), now, "h")


def verify_club(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_verify_hours(state, actor, VerifyHours(entry_id="club1", verified=True), now)


def add_photo(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_add_evidence(state, actor, participation_photo(), now, "e")


def submit_closure(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_submit_closure(state, actor, closure_report(), now)


def evaluate(result: EvaluationResult, feedback: str = "") -> Act:
    return lambda state, actor, now: apply_evaluation(state, actor, Evaluate(result=result, feedback=feedback), now)


def credit(granted: bool) -> Act:
    reason = None if granted else "already holds TC1010"
    return lambda state, _, now: apply_credit(
        state, Credit(granted=granted, semester_id="2026-fall", reason=reason, at=now)
    )


def withdraw(state: ProjectState, actor: Actor, now: datetime) -> None:
    apply_withdraw(state, actor, Withdraw(), now)


# --- students act only on their own projects ----------------------------------------------------------

OWNER_ACTIONS = [
    pytest.param(Stage.CHANGES_REQUESTED, revise, id="revise"),
    pytest.param(Stage.NEEDS_SUPERVISOR, invite_teacher, id="invite"),
    pytest.param(Stage.SUPERVISOR_INVITED, apply_cancel_invitation, id="cancel"),
    pytest.param(Stage.IN_PROGRESS, log_hours, id="log_hours"),
    pytest.param(Stage.IN_PROGRESS, add_photo, id="evidence"),
    pytest.param(Stage.IN_PROGRESS, submit_closure, id="closure"),
    pytest.param(Stage.EVALUATION_PENDING, apply_request_reminder, id="reminder"),
    pytest.param(Stage.IN_PROGRESS, withdraw, id="withdraw"),
]


@pytest.mark.parametrize(("stage", "act"), OWNER_ACTIONS)
def test_students_cannot_act_on_others_projects(stage: Stage, act: Act) -> None:
    """R24, SPEC §4: a student acting on another student's project is not told it exists (NOT_FOUND, the
    validator's first check) and nothing changes."""
    state = project_at(stage)
    before = state.model_copy(deep=True)

    refusal = refused(lambda: act(state, OTHER_STUDENT, NOW))

    assert refusal.code is Code.NOT_FOUND
    assert state == before


# --- R24: the audit trail, revision and stage_since ---------------------------------------------------

AUDITED = [
    pytest.param(new_project, STUDENT, submit, id="submitted"),
    pytest.param(in_stage(Stage.PROPOSAL_REVIEW), CENTER, review(ReviewDecision.APPROVE), id="review"),
    pytest.param(in_stage(Stage.CHANGES_REQUESTED), STUDENT, revise, id="revise"),
    pytest.param(in_stage(Stage.NEEDS_SUPERVISOR), STUDENT, invite_teacher, id="invite"),
    pytest.param(in_stage(Stage.SUPERVISOR_INVITED), STUDENT, apply_cancel_invitation, id="cancel"),
    pytest.param(in_stage(Stage.SUPERVISOR_INVITED), SUPERVISOR, respond(accept=True), id="accept"),
    pytest.param(in_stage(Stage.SUPERVISOR_INVITED), SUPERVISOR, respond(accept=False), id="decline"),
    pytest.param(in_stage(Stage.SUPERVISOR_INVITED), SYSTEM, apply_invitation_expired, id="expired"),
    pytest.param(in_stage(Stage.IN_PROGRESS), STUDENT, log_hours, id="log_hours"),
    pytest.param(with_club_hours, OSA, verify_club, id="verify"),
    pytest.param(in_stage(Stage.IN_PROGRESS), STUDENT, add_photo, id="evidence"),
    pytest.param(ready_to_submit, STUDENT, submit_closure, id="closure"),
    pytest.param(in_stage(Stage.EVALUATION_PENDING), SUPERVISOR, evaluate(EvaluationResult.PASS), id="evaluation"),
    pytest.param(passed, SYSTEM, credit(granted=True), id="credit"),
    pytest.param(in_stage(Stage.EVALUATION_PENDING), STUDENT, apply_request_reminder, id="reminder"),
    pytest.param(in_stage(Stage.IN_PROGRESS), STUDENT, withdraw, id="withdraw"),
]


@pytest.mark.parametrize(("start", "actor", "act"), AUDITED)
def test_every_change_is_audited(start: Start, actor: Actor, act: Act) -> None:
    """R24: every apply_* appends one audit entry (who, when, what, which channel) and bumps the revision."""
    state = start()
    audit_before, revision_before = len(state.audit), state.revision

    act(state, actor, NOW)

    assert len(state.audit) == audit_before + 1
    assert state.revision == revision_before + 1
    entry = state.audit[-1]
    assert (entry.seq, entry.at, entry.stage) == (audit_before + 1, NOW, state.stage)
    assert (entry.actor_id, entry.role, entry.channel) == (actor.id, actor.role, actor.channel)
    assert entry.action


@pytest.mark.parametrize(("start", "actor", "act"), AUDITED)
def test_stage_since_follows_stage_changes(start: Start, actor: Actor, act: Act) -> None:
    """R24: stage_since is the time of the change that entered the current stage (the submission for the
    first one), untouched by changes within a stage."""
    state = start()
    stage_before, since_before = state.stage, state.stage_since

    act(state, actor, NOW)

    entered = since_before is None or state.stage is not stage_before
    assert state.stage_since == (NOW if entered else since_before)


def test_audit_trail_of_a_whole_project() -> None:
    """R24: the trail of a project walked to PASSED records each step in order, with the channel used."""
    state = project_at(Stage.PASSED)

    actions = [entry.action for entry in state.audit]

    assert actions[:4] == ["proposal_submitted", "proposal_approve", "supervisor_invited", "supervision_accepted"]
    assert actions[-2:] == ["closure_submitted", "evaluation_pass"]
    assert [e.seq for e in state.audit] == list(range(1, len(state.audit) + 1))
    assert state.revision == len(state.audit)
    assert state.audit[3].channel is teacher_of(state).channel
    assert state.stage_since == state.audit[-1].at


# --- notices owed to the student for every decision about their project ------------------------------

PENDING = in_stage(Stage.EVALUATION_PENDING)
STUDENT_NOTICES = [
    pytest.param("proposal_approved", in_stage(Stage.PROPOSAL_REVIEW), CENTER, review(ReviewDecision.APPROVE)),
    pytest.param(
        "proposal_changes_requested",
        in_stage(Stage.PROPOSAL_REVIEW),
        CENTER,
        review(ReviewDecision.REQUEST_CHANGES, "Say where."),
    ),
    pytest.param("proposal_rejected", in_stage(Stage.PROPOSAL_REVIEW), CENTER, review(ReviewDecision.REJECT, "Paid.")),
    pytest.param("invitation_accepted", in_stage(Stage.SUPERVISOR_INVITED), SUPERVISOR, respond(accept=True)),
    pytest.param("invitation_declined", in_stage(Stage.SUPERVISOR_INVITED), SUPERVISOR, respond(accept=False)),
    pytest.param("invitation_expired", in_stage(Stage.SUPERVISOR_INVITED), SYSTEM, apply_invitation_expired),
    pytest.param("evaluation_fail", PENDING, SUPERVISOR, evaluate(EvaluationResult.FAIL, "No hours shown.")),
    pytest.param("evaluation_revise", PENDING, SUPERVISOR, evaluate(EvaluationResult.REVISE, "Add photos.")),
    pytest.param("evaluation_pass", passed, SYSTEM, credit(granted=True), id="credit_granted"),
    pytest.param("evaluation_pass", passed, SYSTEM, credit(granted=False), id="credit_not_granted"),
]


@pytest.mark.parametrize(("template", "start", "actor", "act"), STUDENT_NOTICES)
def test_student_told_of_each_decision(template: str, start: Start, actor: Actor, act: Act) -> None:
    """R24/R8/R11/R12/R19/R21: each decision about a project leaves one notice to its student, keyed uniquely."""
    state = start()
    before = len(state.notices)

    act(state, actor, NOW)

    new = state.notices[before:]
    assert [(n.template, n.to_role, n.to_id) for n in new] == [(template, Role.STUDENT, STUDENT_ID)]
    assert len({n.key for n in state.notices}) == len(state.notices)


def test_r15_link_cannot_overwrite_an_osa_decision_but_the_portal_can() -> None:
    """R15: a verification link answers the first request only; OSA may still correct it in the portal."""
    state = project_at(Stage.IN_PROGRESS)
    club = hours_input(date(2026, 9, 2), "4", source=HourSource.CAMPUS_CLUB)
    entry = apply_log_hours(state, STUDENT, club, NOW, "club-1")
    link = Actor(id="osa", role=Role.OSA, channel=Channel.EMAIL)
    apply_verify_hours(state, OSA, VerifyHours(entry_id=entry.id, verified=True), NOW)
    with pytest.raises(RuleViolation) as refused:
        check_verify_hours(state, link, VerifyHours(entry_id=entry.id, verified=False))
    assert refused.value.code is Code.CONFLICT
    apply_verify_hours(state, OSA, VerifyHours(entry_id=entry.id, verified=False, note="Roster mismatch"), NOW)
    assert state.counted_hours == 0

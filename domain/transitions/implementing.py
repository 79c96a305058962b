"""Step 3, implementation and reflection: hours (R14, R15), OSA's verification, evidence (R16)."""

from __future__ import annotations

from datetime import datetime

from domain.access import require_owner, require_visible
from domain.actors import Actor
from domain.calendar import taipei_date
from domain.commands import VerifyHours, WithdrawItem
from domain.errors import Code, RuleViolation
from domain.guards import require_open, require_role, require_stage
from domain.project import ProjectState
from domain.stages import WORK_STAGES
from domain.vocabulary import Channel, EvidenceKind, HourSource, Role
from domain.work import (
    MAX_HOURS_PER_DAY,
    Evidence,
    EvidenceInput,
    HoursEntry,
    HoursInput,
    Verification,
    Withdrawal,
    caption_problem,
    hours_on,
    live,
    record_fits_format,
    record_kind_wanted,
    same_image,
)


def check_log_hours(state: ProjectState, actor: Actor, cmd: HoursInput, now: datetime) -> None:
    """R14: half hours, more than 0 and at most 12 a day, not in the future."""
    require_owner(state, actor, "log hours")
    require_stage(state.stage, WORK_STAGES, "log hours")
    if cmd.date > taipei_date(now):  # R25: the course's calendar days are Taipei's
        raise RuleViolation(Code.VALIDATION_ERROR, "Hours cannot be logged for a future date.")
    if hours_on(state.hours, cmd.date) + cmd.hours > MAX_HOURS_PER_DAY:
        already = hours_on(state.hours, cmd.date)
        raise RuleViolation(
            Code.VALIDATION_ERROR,
            f"At most {MAX_HOURS_PER_DAY} hours a day: {already} already logged on {cmd.date.isoformat()}.",
        )
    if cmd.proof_evidence_id is not None and all(e.id != cmd.proof_evidence_id for e in live(state.evidence)):
        raise RuleViolation(Code.VALIDATION_ERROR, f"No evidence {cmd.proof_evidence_id} on this project.")


def apply_log_hours(state: ProjectState, actor: Actor, cmd: HoursInput, now: datetime, entry_id: str) -> HoursEntry:
    check_log_hours(state, actor, cmd, now)
    entry = HoursEntry(id=entry_id, logged_at=now, **cmd.model_dump())
    state.hours.append(entry)
    state.record(actor, now, "hours_logged", f"{entry.id}: {entry.hours} h {entry.kind.value} on {entry.date}")
    if entry.source is HourSource.CAMPUS_CLUB:
        state.notify("club_hours_to_verify", Role.OSA, "osa", entry_id=entry.id)
    return entry


def check_verify_hours(state: ProjectState, actor: Actor, cmd: VerifyHours) -> None:
    require_visible(state, actor)
    require_role(actor, {Role.OSA}, "verify club hours")
    require_open(state.stage, state.stage.is_final)
    entry = next((e for e in state.hours if e.id == cmd.entry_id), None)
    if entry is None:
        raise RuleViolation(Code.NOT_FOUND, f"No hours entry {cmd.entry_id} on this project.")
    if entry.source is not HourSource.CAMPUS_CLUB:
        raise RuleViolation(Code.VALIDATION_ERROR, "Only hours done through an on-campus club need verification.")
    if entry.verification is not None and actor.channel is Channel.EMAIL:
        # An emailed link answers the first request only; OSA corrects an earlier decision in the portal.
        done = entry.verification
        raise RuleViolation(
            Code.CONFLICT,
            f"These hours were already {'verified' if done.verified else 'refused'} by {done.by} on "
            f"{done.at.date().isoformat()}; change that decision in the portal.",
        )


def apply_verify_hours(state: ProjectState, actor: Actor, cmd: VerifyHours, now: datetime) -> None:
    check_verify_hours(state, actor, cmd)
    entry = next(e for e in state.hours if e.id == cmd.entry_id)
    entry.verification = Verification(verified=cmd.verified, note=cmd.note, by=actor.id, at=now)
    state.record(actor, now, "club_hours_verified" if cmd.verified else "club_hours_refused", f"{entry.id} {cmd.note}")


def check_add_evidence(state: ProjectState, actor: Actor, cmd: EvidenceInput) -> None:
    """R16: a captioned photo, or a reflection record (a photo or a PDF document); under the current rules
    the same picture counts once (R16) and the record fits the agreed reflection format (R17)."""
    require_owner(state, actor, "add evidence")
    require_stage(state.stage, WORK_STAGES, "add evidence")
    problem = caption_problem(cmd)
    if problem:
        raise RuleViolation(Code.VALIDATION_ERROR, problem)
    if cmd.kind is EvidenceKind.PARTICIPATION and cmd.blob.is_document:
        raise RuleViolation(Code.UPLOAD_INVALID, "A participation photo is a photo (JPEG, PNG or WebP), not a PDF.")
    if not state.closed_loopholes:
        return
    check_not_duplicate(state, cmd)
    agreed = state.supervisor.reflection_format if state.supervisor else None
    if cmd.kind is EvidenceKind.REFLECTION and agreed is not None and not record_fits_format(cmd.blob, agreed):
        raise RuleViolation(
            Code.REFLECTION_FORMAT_MISMATCH,
            f"The reflection format agreed with your supervisor is {agreed.value}: its record is "
            f"{record_kind_wanted(agreed)} (R17).",
        )


def check_not_duplicate(state: ProjectState, cmd: EvidenceInput) -> None:
    """R16: the same image (same content, or near-identical by its perceptual hash) counts once."""
    twin = next((e for e in live(state.evidence) if same_image(e.blob, cmd.blob)), None)
    if twin is not None:
        raise RuleViolation(
            Code.DUPLICATE_EVIDENCE,
            f"This file is the same as evidence {twin.id} ({twin.kind.value}, added "
            f"{taipei_date(twin.added_at).isoformat()}): each photo or record counts once; upload another one.",
        )


def apply_add_evidence(
    state: ProjectState, actor: Actor, cmd: EvidenceInput, now: datetime, evidence_id: str
) -> Evidence:
    check_add_evidence(state, actor, cmd)
    evidence = Evidence(id=evidence_id, added_at=now, **cmd.model_dump())
    state.evidence.append(evidence)
    state.record(actor, now, "evidence_added", f"{evidence.id}: {evidence.kind.value}")
    return evidence


def _open_item(state: ProjectState, cmd: WithdrawItem) -> HoursEntry | Evidence:
    items: list[HoursEntry] | list[Evidence] = state.hours if cmd.item == "hours" else state.evidence
    item = next((i for i in items if i.id == cmd.item_id), None)
    noun = "hours entry" if cmd.item == "hours" else "evidence"
    if item is None:
        raise RuleViolation(Code.NOT_FOUND, f"No {noun} {cmd.item_id} on this project.")
    if item.withdrawal is not None:
        raise RuleViolation(
            Code.CONFLICT, f"The {noun} {cmd.item_id} was already withdrawn on {item.withdrawal.at.date().isoformat()}."
        )
    return item


def check_withdraw_item(state: ProjectState, actor: Actor, cmd: WithdrawItem) -> None:
    """R16: the student may withdraw hours or evidence entered by mistake until the closure report is under
    evaluation; evidence still named as the proof of hours on record is withdrawn after those hours."""
    require_owner(state, actor, f"withdraw {'hours' if cmd.item == 'hours' else 'evidence'}")
    require_stage(state.stage, WORK_STAGES, "withdraw hours or evidence")
    _open_item(state, cmd)
    if cmd.item == "evidence":
        proving = [h.id for h in state.hours if h.proof_evidence_id == cmd.item_id and h.withdrawal is None]
        if proving:
            raise RuleViolation(
                Code.CONFLICT,
                f"Evidence {cmd.item_id} is the proof of hours {', '.join(proving)}: withdraw those hours first.",
            )


def apply_withdraw_item(state: ProjectState, actor: Actor, cmd: WithdrawItem, now: datetime) -> None:
    """R16/R24: the item stays on record, marked withdrawn and no longer counted; the audit trail says so."""
    check_withdraw_item(state, actor, cmd)
    item = _open_item(state, cmd)
    item.withdrawal = Withdrawal(by=actor.id, at=now, reason=cmd.reason)
    action = "hours_withdrawn" if cmd.item == "hours" else "evidence_withdrawn"
    state.record(actor, now, action, f"{cmd.item_id}" + (f": {cmd.reason}" if cmd.reason else ""))

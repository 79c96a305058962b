"""Is the link still for what the project waits for? (SPEC §4): the project's standing read from its view or
from the read model, checked the same way on both. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.links.refusals import Refused, stage_zh
from domain.errors import Code
from domain.labels import Label
from domain.links import LinkAction, LinkClaims, check_link_for
from domain.project import AuditEntry, ProjectSummary, ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult
from rendering.words import taipei, zh_date

# --- is the link still for what the project waits for? ------------------------------------------------

# How an invitation or a submission stopped waiting on its link, by the audit trail's action (R24).
_INVITATION_ENDED = {
    "supervision_accepted": Label(
        "You accepted this invitation on {at}; you supervise this project.",
        "您已於 {at} 接受此邀請，擔任本計畫的指導老師。",
    ),
    "supervision_declined": Label("You declined this invitation on {at}.", "您已於 {at} 婉拒此邀請。"),
    "invitation_cancelled": Label("The student cancelled this invitation on {at}.", "學生已於 {at} 取消此邀請。"),
    "invitation_expired": Label(
        "This invitation lapsed on {at}: it was not answered within 14 days.",
        "此邀請已於 {at} 失效：未於 14 天內回覆。",
    ),
}
_RESULT_ZH = {EvaluationResult.PASS: "通過", EvaluationResult.FAIL: "不通過", EvaluationResult.REVISE: "退回修改"}
_EVALUATED = {f"evaluation_{result.value}": result for result in EvaluationResult}


def _on(words: Label, at: datetime) -> Label:
    """A sentence naming when, in each language's way of writing a Taipei time."""
    return Label(words.en.format(at=taipei(at)), words.zh.format(at=zh_date(at)))


def _closed(stage: Stage) -> Refused:
    return Refused(
        Code.INVALID_STAGE,
        Label(
            f"The project is {stage.value}; it accepts no more changes.",
            f"計畫已是「{stage_zh(stage.value)}」，不再接受任何變更。",
        ),
    )


# The audit action that starts each invitation or submission: the n-th one is the link's `ref` n.
_STARTED = {LinkAction.RESPOND_INVITATION: "supervisor_invited", LinkAction.EVALUATE: "closure_submitted"}


@dataclass(frozen=True)
class Standing:
    """What a link is checked against: the workflow's view, or the read model when no worker answers."""

    project_id: str
    stage: Stage
    audit: list[AuditEntry]
    invited_id: str | None
    supervisor_id: str | None

    @classmethod
    def of_view(cls, view: ProjectView) -> Standing:
        return cls(
            project_id=view.id,
            stage=view.stage,
            audit=view.audit,
            invited_id=view.invitation.faculty.id if view.invitation else None,
            supervisor_id=view.supervisor.faculty.id if view.supervisor else None,
        )

    @classmethod
    def of_summary(cls, summary: ProjectSummary, audit: list[AuditEntry]) -> Standing:
        return cls(summary.id, summary.stage, audit, summary.invited_faculty_id, summary.supervisor_id)


def check_current(claims: LinkClaims, standing: Standing) -> None:
    """Refuse a link whose invitation or submission was replaced (TOKEN_INVALID) or has ended (INVALID_STAGE).

    An invitation's or submission's number is its place among the audit trail's starts of that kind, so the
    same check runs on the workflow's view and on the read model.
    """
    check_link_for(claims, standing.project_id, claims.action)
    if claims.action is LinkAction.VERIFY_HOURS:
        if standing.stage.is_final:
            raise _closed(standing.stage)
        return
    starts = [n for n, entry in enumerate(standing.audit) if entry.action == _STARTED[claims.action]]
    if str(len(starts)) != claims.ref:
        # A later invitation or submission replaced the link's: refused like a link that never was.
        check_link_for(claims, standing.project_id, claims.action, ref=str(len(starts)))
    pending = Stage.SUPERVISOR_INVITED if claims.action is LinkAction.RESPOND_INVITATION else Stage.EVALUATION_PENDING
    holder = standing.invited_id if claims.action is LinkAction.RESPOND_INVITATION else standing.supervisor_id
    if standing.stage is pending:
        if holder != claims.subject_id:
            raise Refused(
                Code.FORBIDDEN,
                Label(
                    "The project has a new supervisor, so this link no longer applies.",
                    "本計畫已更換指導老師，此連結不再適用。",
                ),
            )
        return
    for entry in standing.audit[starts[-1] + 1 :] if starts else []:
        if claims.action is LinkAction.RESPOND_INVITATION and entry.action in _INVITATION_ENDED:
            raise Refused(Code.INVALID_STAGE, _on(_INVITATION_ENDED[entry.action], entry.at))
        if claims.action is LinkAction.EVALUATE and entry.action in _EVALUATED:
            result = _EVALUATED[entry.action]
            evaluated = Label(
                f"This closure report was already evaluated on {{at}}: {result.value}.",
                f"此成果報告已於 {{at}} 評核：{_RESULT_ZH[result]}。",
            )
            raise Refused(Code.INVALID_STAGE, _on(evaluated, entry.at))
    waiting = (
        Label("an answer", "您的回覆")
        if claims.action is LinkAction.RESPOND_INVITATION
        else Label("an evaluation", "您的評核")
    )
    raise Refused(
        Code.INVALID_STAGE,
        Label(
            f"The project is no longer waiting for {waiting.en}; it is now {standing.stage.value}.",
            f"本計畫已不再等待{waiting.zh}，目前為「{stage_zh(standing.stage.value)}」。",
        ),
    )


def check_entry(claims: LinkClaims, view: ProjectView) -> None:
    """A club-hours link: its entry is still there and not yet verified (R15)."""
    entry = next((e for e in view.hours if e.id == claims.ref), None)
    if entry is None:
        raise Refused(
            Code.NOT_FOUND,
            Label(
                "The hours entry this link is for is no longer on the project.", "此連結所指的時數紀錄已不在計畫中。"
            ),
        )
    if entry.verification is not None:
        word = Label("verified", "認證") if entry.verification.verified else Label("refused", "不予認證")
        decided = Label(f"These hours were already {word.en} on {{at}}.", f"這些時數已於 {{at}} {word.zh}。")
        raise Refused(Code.INVALID_STAGE, _on(decided, entry.verification.at))

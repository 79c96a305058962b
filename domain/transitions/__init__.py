"""Every action on a project, by the course's steps: a pure check (raises RuleViolation, changes nothing)
and its effect (checks again, then changes the state, writes the audit trail (R24) and owes the mails).

The workflow's update validators call `check_*` (every check starts with who may see the project, so a
stranger is told NOT_FOUND and no read precedes an action); its handlers call `apply_*`.

- `proposing`: step 1, the proposal and its review (R1, R8, R9)
- `supervising`: step 2, inviting and answering (R10-R13)
- `implementing`: step 3, hours, their verification and evidence (R14-R16)
- `closing`: steps 4-5, closure report, evaluation, reminders, credit, withdrawal (R2, R18-R21, R24)
"""

from domain.transitions.closing import (
    apply_credit,
    apply_evaluation,
    apply_request_reminder,
    apply_submit_closure,
    apply_withdraw,
    check_evaluate,
    check_request_reminder,
    check_submit_closure,
    check_withdraw,
)
from domain.transitions.implementing import (
    apply_add_evidence,
    apply_log_hours,
    apply_verify_hours,
    apply_withdraw_item,
    check_add_evidence,
    check_log_hours,
    check_verify_hours,
    check_withdraw_item,
)
from domain.transitions.proposing import apply_review, apply_revise, apply_submitted, check_review, check_revise
from domain.transitions.supervising import (
    apply_cancel_invitation,
    apply_invitation_expired,
    apply_invite,
    apply_respond,
    check_cancel_invitation,
    check_invite,
    check_respond,
    leaving_warning,
)

__all__ = [
    "apply_add_evidence",
    "apply_cancel_invitation",
    "apply_credit",
    "apply_evaluation",
    "apply_invitation_expired",
    "apply_invite",
    "apply_log_hours",
    "apply_request_reminder",
    "apply_respond",
    "apply_review",
    "apply_revise",
    "apply_submit_closure",
    "apply_submitted",
    "apply_verify_hours",
    "apply_withdraw",
    "apply_withdraw_item",
    "check_add_evidence",
    "check_cancel_invitation",
    "check_evaluate",
    "check_invite",
    "check_log_hours",
    "check_request_reminder",
    "check_respond",
    "check_review",
    "check_revise",
    "check_submit_closure",
    "check_verify_hours",
    "check_withdraw",
    "check_withdraw_item",
    "leaving_warning",
]

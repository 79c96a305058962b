"""The course's codes as people read them, in English and Traditional Chinese: one table for every page,
mail, report and export.

Pure data keyed by enum member. Each vocabulary has a table of its own because several share a code
(`club` is a category and a partner type, `reflection` an hour kind and an evidence kind), and a StrEnum
member equals its plain string, so one mixed dictionary would let them collide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.desk import StuckReason
from domain.funnel import FunnelStage, FunnelStep
from domain.groups import GroupStage
from domain.impact import PartnerType
from domain.stages import Stage
from domain.vocabulary import (
    Category,
    EvaluationResult,
    EvidenceKind,
    HourKind,
    HourSource,
    Indicator,
    Priority,
    PriorityTag,
    Rank,
    ReflectionFormat,
    ReviewDecision,
)


@dataclass(frozen=True)
class Label:
    en: str
    zh: str

    def both(self, separator: str = " / ") -> str:
        return f"{self.en}{separator}{self.zh}"


CATEGORIES: Mapping[Category, Label] = {  # R5
    Category.INTERNAL: Label("Offered by the school or a teacher", "學校或教師提供之計畫"),
    Category.EXTERNAL: Label("External project", "校外計畫"),
    Category.CLUB: Label("Social club activity", "社團活動"),
    Category.PUBLIC_SERVICE: Label("Public service", "公共服務"),
    Category.SKILL_BUILDING: Label("Skill building (off campus)", "校外技能培養"),
}

TAGS: Mapping[PriorityTag, Label] = {  # R6
    PriorityTag.VOLUNTEER: Label("Volunteer service", "志願服務"),
    PriorityTag.REMOTE_AREA_SERVICE: Label("Remote area service", "偏鄉服務"),
    PriorityTag.EDUCATION_PRIORITY_AREAS: Label("MoE education priority areas (K-12)", "教育部教育優先區計畫"),
    PriorityTag.USR_PROGRAM: Label("MoE USR programme", "教育部大學社會責任實踐計畫"),
    PriorityTag.OTHER_CORE_VALUES: Label("Other core-value projects", "其他符合核心價值之計畫"),
    PriorityTag.CAMPUS_OFFICE_SERVICE: Label("Service at a campus office", "校內單位服務"),
    PriorityTag.TEACHING_ASSISTANT: Label("Teaching assistant or companion reader", "教學助理及伴讀"),
    PriorityTag.COURSE_OR_LAB_ASSISTANT: Label("Course or lab assistant", "課程或實驗室助理"),
    PriorityTag.REUSED_INTERNSHIP_PROPOSAL: Label("Reused internship proposal", "沿用校外實習計畫書"),
    PriorityTag.RECEPTION_WORK: Label("Reception work", "接待工作"),
    PriorityTag.OTHER_NON_CORE: Label("Other non-core projects", "其他非核心價值之計畫"),
}

PRIORITIES: Mapping[Priority, Label] = {  # R6
    Priority.HIGH: Label("High priority", "優先"),
    Priority.NORMAL: Label("Normal", "一般"),
    Priority.LOW: Label("Low priority", "次要"),
}

INDICATORS: Mapping[Indicator, Label] = {  # R7
    Indicator.KNOWLEDGE_INTO_PRACTICE: Label("Knowledge into practice", "知識轉化為社會實踐"),
    Indicator.CIVIC_CONSCIOUSNESS: Label("Civic consciousness", "公民意識"),
    Indicator.USR: Label("University social responsibility", "大學社會責任"),
    Indicator.PROBLEM_SOLVING: Label("Problem solving", "問題解決"),
    Indicator.CROSS_DISCIPLINARY: Label("Cross-disciplinary collaboration", "跨領域創新合作"),
}

STAGES: Mapping[Stage, Label] = {  # SPEC §3
    Stage.PROPOSAL_REVIEW: Label("Proposal under review", "計畫書審查中"),
    Stage.CHANGES_REQUESTED: Label("Changes requested", "計畫書待修改"),
    Stage.REJECTED: Label("Rejected", "計畫書未通過"),
    Stage.NEEDS_SUPERVISOR: Label("Needs a supervisor", "待邀請指導老師"),
    Stage.SUPERVISOR_INVITED: Label("Supervisor invited", "已邀請指導老師"),
    Stage.IN_PROGRESS: Label("In progress", "執行中"),
    Stage.EVALUATION_PENDING: Label("Evaluation pending", "成果報告評核中"),
    Stage.REVISION_REQUESTED: Label("Revision requested", "成果報告待修改"),
    Stage.PASSED: Label("Passed", "通過"),
    Stage.FAILED: Label("Failed", "未通過"),
    Stage.WITHDRAWN: Label("Withdrawn", "已撤回"),
}

PARTNER_TYPES: Mapping[PartnerType, Label] = {
    PartnerType.ON_CAMPUS: Label("On-campus unit", "校內單位"),
    PartnerType.EXTERNAL_ORGANISATION: Label("External organisation", "校外機構"),
    PartnerType.CLUB: Label("Social club", "社團"),
    PartnerType.COMMUNITY: Label("Community and the public", "社區與公眾"),
}

FORMATS: Mapping[ReflectionFormat, Label] = {  # R11
    ReflectionFormat.CONVERSATION: Label("Conversation", "對談"),
    ReflectionFormat.AUDIO_VISUAL_RECORD: Label("Audio-visual record", "影音紀錄"),
    ReflectionFormat.PROOF_OF_HOURS: Label("Proof of hours", "時數證明"),
    ReflectionFormat.ORAL_PRESENTATION: Label("Oral presentation", "口頭報告"),
    ReflectionFormat.WRITTEN_REPORT: Label("Written report", "書面報告"),
    ReflectionFormat.OTHER: Label("Another agreed format", "雙方約定的其他方式"),
}

HOUR_KINDS: Mapping[HourKind, Label] = {  # R14
    HourKind.EXECUTION: Label("Execution", "執行"),
    HourKind.SKILL_LEARNING: Label("Skill learning", "技能學習"),
    HourKind.REFLECTION: Label("Reflection", "反思"),
}

HOUR_SOURCES: Mapping[HourSource, Label] = {  # R15
    HourSource.SELF_REPORTED: Label("Self-reported", "自行登錄"),
    HourSource.VOLUNTEER_CERTIFICATE: Label("Volunteer-hour certificate", "志工服務時數證明"),
    HourSource.CAMPUS_CLUB: Label("On-campus club (verified by OSA)", "校內社團（經學務處認證）"),  # noqa: RUF001
}

EVIDENCE_KINDS: Mapping[EvidenceKind, Label] = {  # R16
    EvidenceKind.PARTICIPATION: Label("Participation photo", "參與照片"),
    EvidenceKind.REFLECTION: Label("Reflection record", "回饋反思紀錄"),
}

FUNNEL_STEPS: Mapping[FunnelStep, Label] = {
    FunnelStep.SUBMITTED: Label("Proposal submitted", "提交計畫書"),
    FunnelStep.APPROVED: Label("Proposal approved", "計畫書核准"),
    FunnelStep.SUPERVISED: Label("Supervisor confirmed", "指導老師確認"),
    FunnelStep.CLOSURE_REPORTED: Label("Closure report submitted", "提交成果報告"),
    FunnelStep.PASSED: Label("Passed", "通過"),
}

FUNNEL_STAGES: Mapping[FunnelStage, Label] = {
    FunnelStage.REVIEW: Label("Proposal review", "計畫書審查"),
    FunnelStage.SUPERVISOR_SEARCH: Label("Finding a supervisor", "尋找指導老師"),
    FunnelStage.IMPLEMENTATION: Label("Implementation", "計畫執行"),
    FunnelStage.EVALUATION: Label("Evaluation", "成果評核"),
}

STUCK_REASONS: Mapping[StuckReason, Label] = {  # domain.desk
    StuckReason.UNREVIEWED_PROPOSAL: Label("Proposal unreviewed", "計畫書待審"),
    StuckReason.UNANSWERED_INVITATION: Label("Invitation unanswered", "邀請未回覆"),
    StuckReason.NO_HOURS: Label("No hours logged", "未登錄時數"),
    StuckReason.EVALUATION_OVERDUE: Label("Evaluation overdue", "評核逾期"),
    StuckReason.AWAITING_REASSIGNMENT: Label("Awaiting reassignment", "待重新指派"),
    StuckReason.LEAVING_SUPERVISOR: Label("Supervisor leaving", "指導老師即將離職"),
}

GROUP_STAGES: Mapping[GroupStage, Label] = {  # R9
    GroupStage.PROPOSAL_REVIEW: Label("Proposal under review", "計畫書審查中"),
    GroupStage.CHANGES_REQUESTED: Label("Changes requested", "計畫書待修改"),
    GroupStage.APPROVED: Label("Approved: members link their proposals", "已核准，成員可連結個人計畫書"),  # noqa: RUF001
    GroupStage.REJECTED: Label("Rejected", "計畫書未通過"),
    GroupStage.WITHDRAWN: Label("Withdrawn", "已撤回"),
}

RANKS: Mapping[Rank, Label] = {  # R10: as the personnel office writes them
    Rank.PROFESSOR: Label("Professor", "教授"),
    Rank.ASSOCIATE_PROFESSOR: Label("Associate professor", "副教授"),
    Rank.ASSISTANT_PROFESSOR: Label("Assistant professor", "助理教授"),
    Rank.ADJUNCT_PROFESSOR: Label("Adjunct professor", "兼任教授"),
    Rank.ADJUNCT_ASSOCIATE_PROFESSOR: Label("Adjunct associate professor", "兼任副教授"),
    Rank.ADJUNCT_ASSISTANT_PROFESSOR: Label("Adjunct assistant professor", "兼任助理教授"),
    Rank.LECTURER: Label("Lecturer", "講師"),
    Rank.ADJUNCT_LECTURER: Label("Adjunct lecturer", "兼任講師"),
    Rank.RESEARCHER: Label("Researcher", "研究人員"),
    Rank.STAFF: Label("Staff", "職員"),
}

REVIEW_DECISIONS: Mapping[ReviewDecision, Label] = {  # R8
    ReviewDecision.APPROVE: Label("Approved", "核准"),
    ReviewDecision.REQUEST_CHANGES: Label("Changes requested", "要求修改"),
    ReviewDecision.REJECT: Label("Rejected", "駁回"),
}

EVALUATION_RESULTS: Mapping[EvaluationResult, Label] = {  # R19
    EvaluationResult.PASS: Label("Passed", "通過"),
    EvaluationResult.FAIL: Label("Not passed", "不通過"),
    EvaluationResult.REVISE: Label("Returned for revision", "退回修改"),
}

# The dates a project's view names (`deadlines`), as the pages say them.
DEADLINES: Mapping[str, Label] = {
    "invitation_expires_at": Label("Invitation lapses", "邀請失效"),
    "reminder_request_allowed_from": Label("Next reminder request from", "可再次提醒日期"),
    "semester_deadline": Label("Deadline (leaving supervisor)", "截止日期（指導老師離校）"),  # noqa: RUF001
    "submit_by": Label("Submit the closure report by", "成果報告繳交期限"),
}

# Keyed by the enum class; a table's own key type is checked where it is written above.
TABLES: Mapping[type[StrEnum], Mapping[Any, Label]] = {
    Category: CATEGORIES,
    PriorityTag: TAGS,
    Priority: PRIORITIES,
    Indicator: INDICATORS,
    Stage: STAGES,
    PartnerType: PARTNER_TYPES,
    ReflectionFormat: FORMATS,
    HourKind: HOUR_KINDS,
    HourSource: HOUR_SOURCES,
    EvidenceKind: EVIDENCE_KINDS,
    FunnelStep: FUNNEL_STEPS,
    FunnelStage: FUNNEL_STAGES,
    StuckReason: STUCK_REASONS,
    ReviewDecision: REVIEW_DECISIONS,
    GroupStage: GROUP_STAGES,
    Rank: RANKS,
    EvaluationResult: EVALUATION_RESULTS,
}


# The title of a frame's "planned and reported" figures, by the course profile's frame kind (SPEC §7).
FRAME_FIGURES: Mapping[str, Label] = {
    "indicators": Label("Indicators planned and reported", "社會參與指標 計畫與成果"),
    "competencies": Label("Competencies planned and reported", "核心能力 計畫與成果"),
}
FRAME_ITEM: Mapping[str, Label] = {
    "indicators": Label("Indicator", "指標"),
    "competencies": Label("Competency", "核心能力"),
}


def label(value: StrEnum) -> Label:
    """The bilingual label of any coded value above; a KeyError names a code nobody translated."""
    return TABLES[type(value)][value]

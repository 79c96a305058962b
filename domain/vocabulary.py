"""The course's fixed vocabularies: roles, mail languages, categories, priority tags, indicators, formats, ranks."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    FACULTY = "faculty"
    CENTER = "center"
    OSA = "osa"
    OPERATOR = "operator"
    SYSTEM = "system"


class MailLanguage(StrEnum):
    """Issue 4: what a mail is written in: English then Traditional Chinese, or one of the two."""

    BILINGUAL = "bilingual"
    EN = "en"
    ZH = "zh"


class Channel(StrEnum):
    """How an action reached the project (R24 audit trail)."""

    PORTAL = "portal"
    EMAIL = "email"
    CLI = "cli"
    TEMPORAL_UI = "temporal_ui"
    SYSTEM = "system"


class Category(StrEnum):
    """R5: the five accepted kinds of activity."""

    INTERNAL = "internal"
    EXTERNAL = "external"
    CLUB = "club"
    PUBLIC_SERVICE = "public_service"
    SKILL_BUILDING = "skill_building"


class PriorityTag(StrEnum):
    """R6 priority tags."""

    VOLUNTEER = "volunteer"
    REMOTE_AREA_SERVICE = "remote_area_service"
    EDUCATION_PRIORITY_AREAS = "education_priority_areas"
    USR_PROGRAM = "usr_program"
    OTHER_CORE_VALUES = "other_core_values"
    CAMPUS_OFFICE_SERVICE = "campus_office_service"
    TEACHING_ASSISTANT = "teaching_assistant"
    COURSE_OR_LAB_ASSISTANT = "course_or_lab_assistant"
    REUSED_INTERNSHIP_PROPOSAL = "reused_internship_proposal"
    RECEPTION_WORK = "reception_work"
    OTHER_NON_CORE = "other_non_core"


HIGH_PRIORITY_TAGS = frozenset(
    {
        PriorityTag.VOLUNTEER,
        PriorityTag.REMOTE_AREA_SERVICE,
        PriorityTag.EDUCATION_PRIORITY_AREAS,
        PriorityTag.USR_PROGRAM,
        PriorityTag.OTHER_CORE_VALUES,
    }
)
LOW_PRIORITY_TAGS = frozenset(set(PriorityTag) - HIGH_PRIORITY_TAGS)


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Indicator(StrEnum):
    """R7: the five indicators of social engagement."""

    KNOWLEDGE_INTO_PRACTICE = "knowledge_into_practice"
    CIVIC_CONSCIOUSNESS = "civic_consciousness"
    USR = "usr"
    PROBLEM_SOLVING = "problem_solving"
    CROSS_DISCIPLINARY = "cross_disciplinary"


class ReflectionFormat(StrEnum):
    """R11: how the student reflects with the supervisor."""

    CONVERSATION = "conversation"
    AUDIO_VISUAL_RECORD = "audio_visual_record"
    PROOF_OF_HOURS = "proof_of_hours"
    ORAL_PRESENTATION = "oral_presentation"
    WRITTEN_REPORT = "written_report"
    OTHER = "other"


class Rank(StrEnum):
    """Faculty directory ranks; R10 decides which may supervise."""

    PROFESSOR = "professor"
    ASSOCIATE_PROFESSOR = "associate_professor"
    ASSISTANT_PROFESSOR = "assistant_professor"
    ADJUNCT_PROFESSOR = "adjunct_professor"
    ADJUNCT_ASSOCIATE_PROFESSOR = "adjunct_associate_professor"
    ADJUNCT_ASSISTANT_PROFESSOR = "adjunct_assistant_professor"
    LECTURER = "lecturer"
    ADJUNCT_LECTURER = "adjunct_lecturer"
    RESEARCHER = "researcher"
    STAFF = "staff"


ELIGIBLE_RANKS = frozenset(
    {
        Rank.PROFESSOR,
        Rank.ASSOCIATE_PROFESSOR,
        Rank.ASSISTANT_PROFESSOR,
        Rank.ADJUNCT_PROFESSOR,
        Rank.ADJUNCT_ASSOCIATE_PROFESSOR,
        Rank.ADJUNCT_ASSISTANT_PROFESSOR,
    }
)


class HourKind(StrEnum):
    """R14: kinds of logged hours; only execution counts toward the minimum."""

    EXECUTION = "execution"
    SKILL_LEARNING = "skill_learning"
    REFLECTION = "reflection"


class HourSource(StrEnum):
    """R15: how logged hours are backed."""

    SELF_REPORTED = "self_reported"
    VOLUNTEER_CERTIFICATE = "volunteer_certificate"
    CAMPUS_CLUB = "campus_club"


class EvidenceKind(StrEnum):
    PARTICIPATION = "participation"
    REFLECTION = "reflection"


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"


class EvaluationResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REVISE = "revise"

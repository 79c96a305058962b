"""Stable problem codes (SPEC §4) and the exception a broken rule raises."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class Code(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_STAGE = "INVALID_STAGE"
    CONFLICT = "CONFLICT"
    SUPERVISOR_NOT_FOUND = "SUPERVISOR_NOT_FOUND"
    SUPERVISOR_NOT_ELIGIBLE = "SUPERVISOR_NOT_ELIGIBLE"
    HOURS_BELOW_MINIMUM = "HOURS_BELOW_MINIMUM"
    PHOTOS_MISSING = "PHOTOS_MISSING"
    REFLECTION_RECORD_MISSING = "REFLECTION_RECORD_MISSING"
    SUPERVISOR_NOT_CONFIRMED = "SUPERVISOR_NOT_CONFIRMED"
    UPLOAD_INVALID = "UPLOAD_INVALID"
    DUPLICATE_EVIDENCE = "DUPLICATE_EVIDENCE"
    REFLECTION_FORMAT_MISMATCH = "REFLECTION_FORMAT_MISMATCH"
    RATE_LIMITED = "RATE_LIMITED"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_USED = "TOKEN_USED"
    UNAVAILABLE = "UNAVAILABLE"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


class Problem(BaseModel):
    """One reason an action was refused."""

    code: Code
    detail: str


class RuleViolation(Exception):
    """An action breaks a rule. Carries every reason (R18 lists each missing item)."""

    def __init__(
        self,
        code: Code,
        detail: str,
        *,
        problems: list[Problem] | None = None,
        retry_after: datetime | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.problems = problems or [Problem(code=code, detail=detail)]
        self.retry_after = retry_after

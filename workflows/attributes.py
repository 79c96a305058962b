"""The custom search attributes operators filter on in the Temporal UI; ids only, never personal data."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

STAGE = SearchAttributeKey.for_keyword("PraxisStage")
SEMESTER = SearchAttributeKey.for_keyword("PraxisSemester")
STUDENT = SearchAttributeKey.for_keyword("PraxisStudentId")
SUPERVISOR = SearchAttributeKey.for_keyword("PraxisSupervisorId")
GROUP = SearchAttributeKey.for_keyword("PraxisGroupId")

ALL = [STAGE, SEMESTER, STUDENT, SUPERVISOR, GROUP]

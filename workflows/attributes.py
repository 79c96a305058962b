"""The custom search attributes operators filter on in the Temporal UI; ids only, never personal data."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

STAGE = SearchAttributeKey.for_keyword("PraxisStage")
SEMESTER = SearchAttributeKey.for_keyword("PraxisSemester")
STUDENT = SearchAttributeKey.for_keyword("PraxisStudentId")
SUPERVISOR = SearchAttributeKey.for_keyword("PraxisSupervisorId")
GROUP = SearchAttributeKey.for_keyword("PraxisGroupId")

ALL = [STAGE, SEMESTER, STUDENT, SUPERVISOR, GROUP]


# What a workflow is, as the Temporal UI's list shows it beside its id: codes and ids only, never a name or a
# title (the summary is stored unencrypted with the workflow's metadata).


def project_summary(project_id: str, semester_id: str, category: str) -> str:
    """The static summary a project's workflow starts with."""
    return f"Social Practice project {project_id} · {semester_id} · {category}"


def group_summary(group_id: str, category: str) -> str:
    """The static summary a group proposal's workflow starts with."""
    return f"Social Practice group proposal {group_id} · {category}"


def classification(category: str, semester_id: str | None = None) -> str:
    """The line of a workflow's current details that says what it is, under its stage."""
    return f"Semester {semester_id} · category {category}" if semester_id else f"Category {category}"

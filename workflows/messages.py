"""Payloads of the ProjectWorkflow's start, updates and results, and how refusals travel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from domain.errors import Problem, RuleViolation
from domain.project import Actor, ProjectState, ProjectView
from domain.proposal import Proposal

C = TypeVar("C", bound=BaseModel)


class ProjectStart(BaseModel):
    """Start a project (R1: no course selection, a proposal is enough); `state` carries it across continue-as-new."""

    project_id: str
    student_id: str
    semester_id: str
    proposal: Proposal
    submitted_by: Actor
    group_approved: bool = False
    state: ProjectState | None = None
    # Continue as new past this many events even if the server has not suggested it yet (tests set it low).
    history_limit: int = 10_000


class Act(BaseModel, Generic[C]):
    """An action: who asks (R24) and what."""

    actor: Actor
    command: C


class Outcome(BaseModel):
    """An accepted action's result: the project as it now stands, plus what it created or warned about."""

    view: ProjectView
    created_id: str | None = None
    warning: str | None = None


class Refusal(BaseModel):
    """The details of a refused action, carried in ApplicationError.details."""

    problems: list[Problem]
    retry_after: datetime | None = None


@contextmanager
def refusing() -> Iterator[None]:
    """Turn a broken rule into an ApplicationError whose type is the stable problem code.

    Raised from an update validator, it rejects the update without writing anything to history.
    """
    try:
        yield
    except RuleViolation as violation:
        raise ApplicationError(
            violation.detail,
            Refusal(problems=violation.problems, retry_after=violation.retry_after),
            type=violation.code.value,
            non_retryable=True,
        ) from None

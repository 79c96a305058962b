"""DepartureWorkflow: tell every open project of one teacher that they leave NTUST, or stay (R13, R22).

A workflow rather than a plain function, because a teacher may supervise hundreds of projects and a
fan-out that dies half-way (an API process restarted mid-request) must go on, not stop or start over:

- one per teacher, id `departure-<faculty_id>`, started or signalled (`directory_changed`) each time their
  `leaving_after` changes (the API and the import through `clients.departure`; a semester whose end moved
  through `start_or_nudge` here), so changes to one teacher reach the projects in order;
- each pass reads the directory as it is when the pass runs, so a quick leave-then-stay ends with "stay"
  everywhere, and a change during a pass starts a fresh pass;
- the pass reads the projects a page at a time and signals them from the workflow itself; the last project
  id told is in history, so after a worker crash the pass resumes at the next page. Projects ignore news
  they already have, so a page told twice is harmless, and a project closed meanwhile is skipped.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.departures import DepartureActivities, DepartureNews, DepartureRequest, ProjectsPage
    from domain.leaving import SupervisorLeaving, SupervisorStaying
    from workflows.project import ProjectWorkflow
    from workflows.project import workflow_id as project_workflow_id

TIMEOUT = timedelta(minutes=2)
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


def workflow_id(faculty_id: str) -> str:
    return f"departure-{faculty_id}"


class DepartureStart(BaseModel):
    faculty_id: str
    batch_size: int = 50
    # Carried across continue-as-new: the pass under way and how many projects were told so far.
    news: DepartureNews | None = None
    after: str | None = None
    told: int = 0


class DepartureReport(BaseModel):
    faculty_id: str
    told: int


@workflow.defn
class DepartureWorkflow:
    @workflow.init
    def __init__(self, start: DepartureStart) -> None:
        self._changed = start.news is None  # a fresh start is itself a change to tell

    @workflow.run
    async def run(self, start: DepartureStart) -> DepartureReport:
        news, after, told = start.news, start.after, start.told
        while True:
            if self._changed or news is None:
                self._changed = False
                news = await workflow.execute_activity_method(
                    DepartureActivities.departure_news,
                    DepartureRequest(faculty_id=start.faculty_id, at=workflow.now()),
                    start_to_close_timeout=TIMEOUT,
                    retry_policy=RETRY,
                )
                after = None
            what = f"leaves after {news.semester_id}" if news.leaving else "stays"
            workflow.set_current_details(f"Telling the open projects of {start.faculty_id} that they {what}: {told}")
            page = await workflow.execute_activity_method(
                DepartureActivities.open_projects,
                ProjectsPage(faculty_id=start.faculty_id, after=after, limit=start.batch_size),
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
                summary=f"after {after}" if after else "first page",
            )
            results = await asyncio.gather(*(_tell(project_id, news) for project_id in page))
            told += sum(results)
            after = page[-1] if len(page) == start.batch_size else None
            if after is None and not self._changed:
                await workflow.wait_condition(workflow.all_handlers_finished)
                if not self._changed:
                    return DepartureReport(faculty_id=start.faculty_id, told=told)
            if workflow.info().is_continue_as_new_suggested():
                resume = None if self._changed else news
                workflow.continue_as_new(start.model_copy(update={"news": resume, "after": after, "told": told}))

    @workflow.signal
    def directory_changed(self) -> None:
        """The teacher's leaving_after changed again: tell their projects the directory's latest word."""
        self._changed = True


async def _tell(project_id: str, news: DepartureNews) -> bool:
    """Signal one project; False when it closed since the read model listed it."""
    handle = workflow.get_external_workflow_handle(project_workflow_id(project_id))
    try:
        if news.leaving:
            assert news.semester_id is not None and news.deadline is not None
            leaving = SupervisorLeaving(
                faculty_id=news.faculty_id, semester_id=news.semester_id, deadline=news.deadline
            )
            await handle.signal(ProjectWorkflow.supervisor_leaving, leaving)
        else:
            await handle.signal(ProjectWorkflow.supervisor_staying, SupervisorStaying(faculty_id=news.faculty_id))
    except ApplicationError:
        # The server answers a signal to a finished (or never started) workflow with a failure: nothing to tell.
        return False
    return True


async def start_or_nudge(faculty_id: str) -> None:
    """From another workflow (a semester whose end moved): start the teacher's fan-out as an abandoned child,
    or, when one runs already, tell it the directory changed, so changes to one teacher stay in order."""
    while True:
        try:
            await workflow.start_child_workflow(
                DepartureWorkflow.run,
                DepartureStart(faculty_id=faculty_id),
                id=workflow_id(faculty_id),
                parent_close_policy=ParentClosePolicy.ABANDON,
                static_summary="Leaving supervisor: telling their open projects (R22)",
            )
            return
        except WorkflowAlreadyStartedError:
            pass
        try:
            await workflow.get_external_workflow_handle(workflow_id(faculty_id)).signal(
                DepartureWorkflow.directory_changed
            )
            return
        except ApplicationError:
            continue  # it finished between the two calls: start a new one

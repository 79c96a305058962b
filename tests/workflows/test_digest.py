"""R8: DailyReviewDigestWorkflow, one day's digest per run, under the time-skipping test server, checked on the
real digest mails. (The schedule that starts a run every morning is tested on a dev server:
tests/clients/test_digest_schedule.py.)

The digest lists every proposal waiting in the read model, so this test runs its own worker with its own
database, task queue and center address: only its own proposals can appear, and its digests reach only it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.mail.links import project_url
from clients.project import ProjectClient
from config.settings import Settings
from domain.calendar import taipei_date
from domain.digest import next_digest_at
from store.db import make_engine, migrate
from tests.activities.support import text_of
from tests.support.course import Course, proposal
from tests.support.mailbox import SETTLE, Mailbox, advance_to
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows.digest import DailyReviewDigestWorkflow, DigestRun, DigestSent
from workflows.project import workflow_id

JUST_AFTER = timedelta(minutes=1)


@dataclass
class Office:
    """A course office of its own: settings, store and a course driven through its own worker."""

    settings: Settings
    engine: Engine
    course: Course


@pytest.fixture
async def office(client: Client, settings: Settings, tmp_path: Path) -> AsyncIterator[Office]:
    tag = uuid.uuid4().hex[:8]
    own = settings.model_copy(
        update={
            "task_queue": f"digest-{tag}",
            "database_url": f"sqlite:///{(tmp_path / 'digest.db').as_posix()}",
            "center_email": f"cge-{tag}@example.edu",
        }
    )
    migrate(own.db_url)
    engine = make_engine(own.db_url)
    async with build_worker(client, own, engine):
        yield Office(own, engine, Course(ProjectClient(client, own), engine))
    engine.dispose()


async def digest_run(env: WorkflowEnvironment, office: Office) -> DigestSent:
    """One run, as the schedule starts it (outside a schedule it is due when it starts). Its result is awaited
    with the clock held, so the projects' timers do not fire meanwhile."""
    with env.auto_time_skipping_disabled():
        return await env.client.execute_workflow(
            DailyReviewDigestWorkflow.run,
            DigestRun(),
            id=f"review-digest-run-{uuid.uuid4().hex[:8]}",
            task_queue=office.settings.task_queue,
        )


async def test_each_run_mails_the_proposals_unreviewed_for_three_days_once_a_day(
    office: Office, client: Client, temporal_env: WorkflowEnvironment, mail_sink: MailSink
) -> None:
    """R8: a run on a morning mails the center one digest listing the proposals unreviewed for 3 days or more,
    not newer ones; a second run the same day mails nothing more (one digest per Taipei day); the next day's
    lists them again while they wait; once they are reviewed and nothing else has waited that long, a run
    sends none."""
    course = office.course
    older = await course.submit(course.add_student(), proposal(f"Harbour clean-up {uuid.uuid4().hex[:6]}"))
    older_since = (await course.projects.view(older)).created_at
    await advance_to(temporal_env, older_since + timedelta(days=4))
    newer = await course.submit(course.add_student(), proposal(f"Night market survey {uuid.uuid4().hex[:6]}"))
    newer_since = (await course.projects.view(newer)).created_at
    older_title = (await course.projects.view(older)).proposal.title
    newer_title = (await course.projects.view(newer)).proposal.title
    center = Mailbox(mail_sink, office.settings.center_email)
    try:
        first = next_digest_at(await temporal_env.get_current_time())
        await advance_to(temporal_env, first + JUST_AFTER)
        sent = await digest_run(temporal_env, office)
        assert sent == DigestSent(day=taipei_date(first), project_ids=[older])
        digest = text_of(await center.next("review_digest"))
        assert older_title in digest and newer_title not in digest
        assert f"waiting {(first + JUST_AFTER - older_since).days} days" in digest
        assert project_url(office.settings, older) in digest

        assert (await digest_run(temporal_env, office)).project_ids == [older]  # listed, but that day's is sent
        await asyncio.sleep(SETTLE)
        assert center.unread() == []

        await advance_to(temporal_env, first + timedelta(days=1) + JUST_AFTER)
        await digest_run(temporal_env, office)
        digest = text_of(await center.next("review_digest"))
        assert older_title in digest and newer_title not in digest  # still under 3 days

        await course.approve(older)
        await advance_to(temporal_env, first + timedelta(days=2) + JUST_AFTER)
        assert (await digest_run(temporal_env, office)).project_ids == []
        await asyncio.sleep(SETTLE)
        assert center.unread() == []

        assert first + timedelta(days=3) - newer_since >= timedelta(days=3)
        await advance_to(temporal_env, first + timedelta(days=3) + JUST_AFTER)
        assert (await digest_run(temporal_env, office)).project_ids == [newer]
        digest = text_of(await center.next("review_digest"))
        assert newer_title in digest and older_title not in digest
    finally:
        for project_id in (older, newer):
            await client.get_workflow_handle(workflow_id(project_id)).terminate("test over")

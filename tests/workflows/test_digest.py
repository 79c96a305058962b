"""R8: ReviewDigestWorkflow under the time-skipping test server, checked on the real digest mails.

The digest lists every proposal waiting in the read model, so this test runs its own worker with its own
database, task queue and center address: only its own proposals can appear, and its digests reach only it.
"""

from __future__ import annotations

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
from domain.digest import next_digest_at
from store.db import make_engine, migrate
from tests.activities.support import text_of
from tests.support.course import Course, proposal
from tests.support.mailbox import Mailbox, advance_to, no_new_mail
from tests.support.mailsink import MailSink
from workers.main import build_worker, start_review_digest
from workflows.digest import DigestStart
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


async def test_daily_digest_lists_proposals_unreviewed_for_three_days(
    office: Office, client: Client, temporal_env: WorkflowEnvironment, mail_sink: MailSink
) -> None:
    """R8: at 09:00 Taipei time the center gets one digest listing the proposals unreviewed for 3 days or
    more, and not newer ones; again the next day while they wait; none once they are reviewed and nothing
    else has waited that long. The worker's start of the digest workflow is idempotent, and the workflow
    carries on across continue-as-new."""
    course = office.course
    older = await course.submit(course.add_student(), proposal(f"Harbour clean-up {uuid.uuid4().hex[:6]}"))
    older_since = (await course.projects.view(older)).created_at
    await advance_to(temporal_env, older_since + timedelta(days=4))
    newer = await course.submit(course.add_student(), proposal(f"Night market survey {uuid.uuid4().hex[:6]}"))
    newer_since = (await course.projects.view(newer)).created_at
    older_title = (await course.projects.view(older)).proposal.title
    newer_title = (await course.projects.view(newer)).proposal.title

    handle = await start_review_digest(client, office.settings, DigestStart(days_per_run=2))
    again = await start_review_digest(client, office.settings)
    assert again.result_run_id == handle.result_run_id  # a second worker joins the running digest
    center = Mailbox(mail_sink, office.settings.center_email)
    try:
        first = next_digest_at(await temporal_env.get_current_time())
        await no_new_mail(temporal_env, [center], first - JUST_AFTER)

        await advance_to(temporal_env, first + JUST_AFTER)
        digest = text_of(await center.next("review_digest"))
        assert older_title in digest and newer_title not in digest
        assert f"waiting {(first - older_since).days} days" in digest
        assert project_url(office.settings, older) in digest

        await advance_to(temporal_env, first + timedelta(days=1) + JUST_AFTER)
        digest = text_of(await center.next("review_digest"))
        assert older_title in digest and newer_title not in digest  # still under 3 days

        await course.approve(older)
        await no_new_mail(temporal_env, [center], first + timedelta(days=2) + JUST_AFTER)

        assert first + timedelta(days=3) - newer_since >= timedelta(days=3)
        await advance_to(temporal_env, first + timedelta(days=3) + JUST_AFTER)
        digest = text_of(await center.next("review_digest"))
        assert newer_title in digest and older_title not in digest
        assert (await handle.describe()).run_id != handle.result_run_id  # continued as new, still sending
    finally:
        await handle.terminate("test over")  # its timer must not fire on a queue no worker polls
        for project_id in (older, newer):
            await client.get_workflow_handle(workflow_id(project_id)).terminate("test over")

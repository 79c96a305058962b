"""R8 on a Temporal Schedule: the `review-digest` schedule a worker puts in place at start-up fires at 09:00
Taipei, skips overlaps, sends one digest per day however often it is triggered, and keeps an operator's pause
across start-ups; the long-lived workflow it replaced is ended.

The time-skipping test server has no schedules, so this runs on a Temporal dev server of its own (the
schedule's id is the deployment's), with its own worker, task queue, database and center address, so only
its own proposals can appear in its digests, and only it reads them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
    WorkflowExecutionStatus,
)
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.mail.links import project_url
from clients.connect import data_converter
from clients.digest import CATCHUP_WINDOW, RUN_TIMEOUT, SCHEDULE_ID, schedule_review_digest
from config.settings import Settings
from domain.calendar import TAIPEI, taipei_date
from domain.stages import Stage
from store.db import make_engine, migrate, session
from store.projects import save_project
from tests.activities.support import summary, text_of
from tests.conftest import _binary
from tests.support.mailbox import SETTLE, Mailbox
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows.digest import SCHEDULED_START, DigestSent, DigestStart, ReviewDigestWorkflow
from workflows.digest import WORKFLOW_ID as RETIRED_WORKFLOW_ID

RUN_WAIT = 30.0  # real seconds for a triggered run to be started and finished, on a loaded two-core box


@dataclass
class Office:
    settings: Settings
    engine: Engine
    client: Client


@pytest.fixture(scope="module")
async def dev(settings: Settings) -> AsyncIterator[Client]:
    env = await WorkflowEnvironment.start_local(
        data_converter=data_converter(settings), dev_server_existing_path=_binary("temporal"), ui=False
    )
    try:
        yield env.client
    finally:
        await env.shutdown()


@pytest.fixture
async def office(dev: Client, settings: Settings, tmp_path: Path) -> AsyncIterator[Office]:
    """A worker polling the office's queue; the schedule is gone afterwards, so no run is ever started on a
    queue nobody polls."""
    tag = uuid.uuid4().hex[:8]
    own = settings.model_copy(
        update={
            "task_queue": f"digest-schedule-{tag}",
            "database_url": f"sqlite:///{(tmp_path / 'digest.db').as_posix()}",
            "center_email": f"cge-{tag}@example.edu",
        }
    )
    migrate(own.db_url)
    engine = make_engine(own.db_url)
    try:
        async with build_worker(dev, own, engine):
            yield Office(own, engine, dev)
    finally:
        with contextlib.suppress(RPCError):  # RPCError: the test never created it
            await dev.get_schedule_handle(SCHEDULE_ID).delete()
        engine.dispose()


def waiting_proposal(office: Office, days: int) -> str:
    """A proposal in review for `days` days, as the read model has it."""
    project_id = uuid.uuid4().hex[:16]
    since = datetime.now(UTC) - timedelta(days=days)
    with session(office.engine) as s:
        save_project(
            s,
            summary(Stage.PROPOSAL_REVIEW, since=since, id=project_id, title=f"Harbour clean-up {project_id}"),
            [],
        )
    return project_id


async def triggered_run(handle: ScheduleHandle, client: Client) -> DigestSent:
    """Trigger the schedule as an operator does and wait for the run it started to finish."""
    before = len((await handle.describe()).info.recent_actions)
    await handle.trigger()
    async with asyncio.timeout(RUN_WAIT):
        while len(actions := (await handle.describe()).info.recent_actions) <= before:
            await asyncio.sleep(0.2)
        started = actions[-1].action
        assert isinstance(started, ScheduleActionExecutionStartWorkflow)
        run = client.get_workflow_handle(started.workflow_id, result_type=DigestSent)
        sent: DigestSent = await run.result()
    # The time the run was due, which the run keys its day by (workflows.digest.due_at).
    assert (await run.describe()).typed_search_attributes.get(SCHEDULED_START) is not None
    return sent


async def not_near_taipei_midnight() -> None:
    """Two runs meant for the same day must not straddle midnight in Taipei."""
    now = datetime.now(TAIPEI)
    if now.time() >= time(23, 59):
        await asyncio.sleep(61 - now.second)


async def test_schedule_fires_at_nine_in_taipei_and_skips_overlaps(office: Office) -> None:
    """R8: the schedule a worker creates starts a DailyReviewDigestWorkflow on the worker's queue at 09:00 on
    Taipei's clock (01:00 UTC) every day, skips a run while one is still going, catches up a missed one for 6
    hours, and starts unpaused; a second start-up changes nothing."""
    handle = await schedule_review_digest(office.client, office.settings)
    again = await schedule_review_digest(office.client, office.settings)
    assert again.id == handle.id == SCHEDULE_ID
    described = await handle.describe()
    schedule = described.schedule
    assert schedule.spec.time_zone_name == "Asia/Taipei"
    assert schedule.policy.overlap is ScheduleOverlapPolicy.SKIP
    assert schedule.policy.catchup_window == CATCHUP_WINDOW
    assert not schedule.state.paused
    assert described.info.last_updated_at is None  # the second start-up found it as it should be: no write
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == "DailyReviewDigestWorkflow"
    assert action.task_queue == office.settings.task_queue
    assert action.execution_timeout == RUN_TIMEOUT
    upcoming = described.info.next_action_times
    assert len(upcoming) >= 3
    assert all(at.astimezone(TAIPEI).time() == time(9) for at in upcoming)
    assert all(at.astimezone(UTC).time() == time(1) for at in upcoming)
    assert [b - a for a, b in itertools.pairwise(upcoming)] == [timedelta(days=1)] * (len(upcoming) - 1)


async def test_a_trigger_sends_the_day_digest_and_a_second_one_sends_nothing_more(
    office: Office, mail_sink: MailSink
) -> None:
    """R8: triggering the schedule mails the center today's digest (a proposal waiting 4 days, not one waiting
    1 day); triggering it again the same day lists the same but mails nothing (one digest per Taipei day)."""
    old = waiting_proposal(office, days=4)
    waiting_proposal(office, days=1)
    handle = await schedule_review_digest(office.client, office.settings)
    center = Mailbox(mail_sink, office.settings.center_email)
    await not_near_taipei_midnight()

    first = await triggered_run(handle, office.client)
    assert first == DigestSent(day=taipei_date(datetime.now(UTC)), project_ids=[old])
    digest = text_of(await center.next("review_digest"))
    assert project_url(office.settings, old) in digest

    assert await triggered_run(handle, office.client) == first
    await asyncio.sleep(SETTLE)
    assert center.unread() == []


async def test_start_up_keeps_an_operator_pause_and_restores_the_spec(office: Office) -> None:
    """A paused schedule stays paused, with the operator's note, when a worker starts again; what the code
    decides (the 09:00 Taipei spec) is put back if it was changed."""
    handle = await schedule_review_digest(office.client, office.settings)
    await handle.pause(note="Office closed over the new year")

    def at_eight_utc(current: ScheduleUpdateInput) -> ScheduleUpdate:  # as an older release might have left it
        return ScheduleUpdate(
            dataclasses.replace(current.description.schedule, spec=ScheduleSpec(cron_expressions=["0 8 * * *"]))
        )

    await handle.update(at_eight_utc)
    await schedule_review_digest(office.client, office.settings)
    schedule = (await handle.describe()).schedule
    assert schedule.state.paused
    assert schedule.state.note == "Office closed over the new year"
    assert schedule.spec.time_zone_name == "Asia/Taipei"
    assert not schedule.spec.cron_expressions
    assert [(c.hour[0].start, c.minute[0].start) for c in schedule.spec.calendars] == [(9, 0)]


async def test_start_up_ends_the_long_lived_digest_workflow(office: Office) -> None:
    """Upgrade: a worker starting beside the old sleeping `review-digest` workflow terminates it once the
    schedule is in place, so only the schedule sends the digest; with none running, start-up just goes on."""
    old = await office.client.start_workflow(
        ReviewDigestWorkflow.run, DigestStart(), id=RETIRED_WORKFLOW_ID, task_queue=office.settings.task_queue
    )
    await schedule_review_digest(office.client, office.settings)
    assert (await old.describe()).status is WorkflowExecutionStatus.TERMINATED
    await schedule_review_digest(office.client, office.settings)
    assert (await office.client.get_schedule_handle(SCHEDULE_ID).describe()).schedule.state.paused is False

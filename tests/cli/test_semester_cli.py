"""`praxis semester set|list|show` (issue 5, R25): the calendar from the command line, its workflow on schedule."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from cli.main import app
from config.settings import Settings, get_settings
from domain.calendar import Semester
from domain.semesters import SemesterProgress
from tests.api.support import eventually
from workflows.semester import SemesterWorkflow

# Far ahead, so no test's time skipping reaches its final exam week.
SEMESTER = "2096-fall"


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, temporal_env: WorkflowEnvironment, settings: Settings, worker: None
) -> Iterator[None]:
    """The CLI with a database of its own, talking to the test's Temporal server and task queue (the session's
    worker runs the workflows it starts)."""
    monkeypatch.setenv("PRAXIS_DATABASE_URL", f"sqlite:///{(tmp_path / 'cli.db').as_posix()}")
    monkeypatch.setenv("PRAXIS_TEMPORAL_ADDRESS", temporal_env.client.service_client.config.target_host)
    monkeypatch.setenv("PRAXIS_TASK_QUEUE", settings.task_queue)
    assert settings.payload_keys is not None
    monkeypatch.setenv("PRAXIS_PAYLOAD_KEYS", settings.payload_keys.get_secret_value())  # the worker's keys
    monkeypatch.setattr("cli.main.configure_logging", lambda settings: None)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def praxis(*args: str) -> Result:
    """Run the command in a thread: it runs its own event loop, while the worker goes on in the test's."""

    def invoke() -> Result:
        # Wide enough that error boxes do not wrap the messages asserted on.
        return CliRunner(env={"COLUMNS": "200"}).invoke(app, list(args))

    return await asyncio.to_thread(invoke)


async def test_semester_set_list_and_show(cli_env: None, client: Client) -> None:
    """R25: `set` saves the semester and starts `semester-<id>`; `list` shows the calendar; `show` gives the
    dates in Taipei and in UTC (the end is the midnight after the last day) and the workflow's status and
    what it waits for; `set` with moved dates re-arms the running workflow."""
    dates = ["--starts-on", "2096-09-03", "--final-exam-week", "2097-01-07", "--ends-on", "2097-01-20"]
    saved = await praxis("semester", "set", SEMESTER, *dates)
    assert saved.exit_code == 0, saved.output
    assert "semester-2096-fall is on schedule" in saved.output

    listed = await praxis("semester", "list")
    assert listed.exit_code == 0, listed.output
    assert "2096-fall    2096-09-03  2097-01-07       2097-01-20  upcoming" in listed.output

    handle = client.get_workflow_handle("semester-2096-fall", result_type=SemesterProgress)
    await eventually(lambda: handle.query(SemesterWorkflow.semester), lambda s: s.ends_on.isoformat() == "2097-01-20")
    shown = await praxis("semester", "show", SEMESTER)
    assert shown.exit_code == 0, shown.output
    assert "2096-09-03 00:00 Taipei   2096-09-02 16:00 UTC" in shown.output
    assert "2097-01-21 00:00 Taipei   2097-01-20 16:00 UTC" in shown.output  # the end: after the last day
    assert "Workflow semester-2096-fall: RUNNING" in shown.output
    assert "Waiting for final exam week (R23) at 2097-01-06T16:00:00+00:00" in shown.output

    moved = await praxis("semester", "set", SEMESTER, *dates[:-1], "2097-01-27")
    assert moved.exit_code == 0, moved.output
    known = await eventually(
        lambda: handle.query(SemesterWorkflow.semester), lambda s: s.ends_on.isoformat() == "2097-01-27"
    )
    assert known == Semester.model_validate(
        {"id": SEMESTER, "starts_on": "2096-09-03", "final_exam_week_starts_on": "2097-01-07", "ends_on": "2097-01-27"}
    )


async def test_semester_set_refuses_bad_input_and_show_an_unknown_semester(cli_env: None) -> None:
    """Dates out of order or a malformed id are refused before anything is written; `show` of a semester not
    in the calendar exits 1."""
    backwards = await praxis(
        "semester",
        "set",
        SEMESTER,
        "--starts-on",
        "2096-09-03",
        "--final-exam-week",
        "2096-08-01",
        "--ends-on",
        "2097-01-20",
    )
    assert backwards.exit_code == 2
    assert "starts_on <= final_exam_week_starts_on <= ends_on" in backwards.output
    bad_id = await praxis(
        "semester",
        "set",
        "autumn",
        "--starts-on",
        "2096-09-03",
        "--final-exam-week",
        "2097-01-07",
        "--ends-on",
        "2097-01-20",
    )
    assert bad_id.exit_code == 2 and "not a semester id" in bad_id.output
    listed = await praxis("semester", "list")
    assert "No semesters in the calendar yet" in listed.output
    unknown = await praxis("semester", "show", "2095-spring")
    assert unknown.exit_code == 1 and "No semester 2095-spring" in unknown.output

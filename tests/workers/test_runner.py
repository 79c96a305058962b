"""Where workflow code runs: production outside the SDK's sandbox, the test suite inside it."""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner

from config.settings import Settings
from workers.main import SANDBOX, workflow_runner


def test_production_runs_workflows_outside_the_sandbox() -> None:
    assert Settings.model_fields["worker_sandbox"].default is False
    assert isinstance(workflow_runner(Settings(worker_sandbox=False)), UnsandboxedWorkflowRunner)


def test_the_suite_runs_every_workflow_inside_the_sandbox(settings: Settings) -> None:
    """The session's settings, which every test's worker is built from: a workflow that reads the clock or
    does I/O fails the test that runs it."""
    assert settings.worker_sandbox
    assert workflow_runner(settings) is SANDBOX

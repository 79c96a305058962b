"""The one logging setup (config/log.py): JSON lines in production with the request's and the workflow's ids,
whichever logger wrote them (issue 11 item 4)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from config.log import _temporal_ids, configure_logging, redact, workflow_ids
from config.settings import Settings


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """configure_logging as production runs it, its handler writing here; undone afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, structlog.get_config())
    configure_logging(Settings(env="test", log_format="json"))
    out = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    yield out
    root.handlers[:], level, config = saved
    root.setLevel(level)
    structlog.configure(**config)


def _lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_stdlib_and_structlog_lines_carry_the_bound_request_ids(json_logs: io.StringIO) -> None:
    """A stdlib logger (uvicorn, temporalio, SQLAlchemy) and structlog both write one JSON object per line with
    the request id and project id bound for the request."""
    with structlog.contextvars.bound_contextvars(request_id="r-1", project_id="p1"):
        logging.getLogger("uvicorn.error").warning("from the standard library")
        structlog.get_logger("api.test").warning("from structlog")
    lines = _lines(json_logs.getvalue())
    assert [line["event"] for line in lines] == ["from the standard library", "from structlog"]
    assert all(line["request_id"] == "r-1" and line["project_id"] == "p1" for line in lines)
    assert {line["logger"] for line in lines} == {"uvicorn.error", "api.test"}


def test_temporal_loggers_extra_becomes_workflow_and_run_id(json_logs: io.StringIO) -> None:
    """temporalio's workflow and activity loggers put their context in one nested dict; the line carries
    `workflow_id`, `run_id` and the project id the workflow id names instead."""
    details = {"workflow_id": "project-abc", "run_id": "run-1", "namespace": "default", "attempt": 1}
    logging.getLogger("temporalio.workflow").warning("nudge sent", extra={"temporal_workflow": details})
    (line,) = _lines(json_logs.getvalue())
    assert (line["workflow_id"], line["run_id"], line["project_id"]) == ("project-abc", "run-1", "abc")
    assert "temporal_workflow" not in line


def test_activity_details_name_the_activity_and_its_workflow_run() -> None:
    """An activity's details name its workflow's run as `workflow_run_id`; a group's workflow names its group."""
    event = _temporal_ids(
        None,
        "info",
        {
            "event": "x",
            "temporal_activity": {
                "workflow_id": "group-g7",
                "workflow_run_id": "run-9",
                "activity_type": "deliver_group_notices",
            },
        },
    )
    assert event == {
        "event": "x",
        "workflow_id": "group-g7",
        "run_id": "run-9",
        "group_id": "g7",
        "activity": "deliver_group_notices",
    }
    assert workflow_ids("semester-2026-fall", None) == {"workflow_id": "semester-2026-fall"}


def test_a_logger_in_use_follows_logging_when_it_is_configured_again(json_logs: io.StringIO) -> None:
    """A module's logger that has written once keeps following the configuration: set again (every CLI command
    sets it) and then captured, its next line is captured, not written through the first configuration."""
    logger = structlog.get_logger("config.test")
    logger.warning("before")
    configure_logging(Settings(env="test", log_format="json"))
    with structlog.testing.capture_logs() as captured:
        logger.warning("after")
    assert [entry["event"] for entry in captured] == ["after"]


@pytest.mark.parametrize(
    ("line", "kept_out"),
    [
        ('{"headers": "Authorization: Bearer s3cr3t-opaque.value"}', "s3cr3t-opaque.value"),
        ('{"headers": "authorization: BEARER s3cr3t-opaque.value"}', "s3cr3t-opaque.value"),
        ('{"token": "eyJhbGciOi.eyJzdWIiOiJCMSJ9.c2lnbmF0dXJl"}', "eyJzdWIiOiJCMSJ9"),
        ("1 validation error: input_value={'email': 'b1@x.edu'}, input_type=dict", "b1@x.edu"),
    ],
)
def test_a_log_line_never_carries_a_bearer_token_or_quoted_input(line: str, kept_out: str) -> None:
    """Whatever logged it, in whatever case the header was written: the secret and the input are replaced."""
    redacted = redact(None, "info", line)
    assert kept_out not in redacted
    assert "redacted" in redacted


def test_a_line_with_nothing_to_redact_passes_unchanged() -> None:
    line = '{"event": "request", "route": "/v1/projects/{project_id}/hours", "status": 201}'
    assert redact(None, "info", line) is line

"""The one logging setup: structlog and stdlib (temporalio, uvicorn, SQLAlchemy) in one shape.

Every line a request causes carries its `request_id` (and `project_id` or `group_id`), bound by the API
(`api.request_context`); every line a workflow or activity writes carries `workflow_id` and `run_id` (and the
`project_id` a project's workflow id names), whether it came through `workflow.logger`, `activity.logger` or
structlog inside an activity (`workers.context`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from config.settings import Settings

# What a log line must never carry, whatever logged it: a bearer token (a JWT, or the header's value) and
# the input a validation error quotes (a request body). SQL parameters are hidden by the engine itself.
_SECRETS = (
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "[token redacted]"),
    (re.compile(r"input_value=.*?(, input_type=)"), r"input_value=[redacted]\1"),
)


def _suspect(line: str) -> bool:
    """Whether a line may need the patterns above (nearly none does): what each starts with, as substrings of the
    lowered line, about a tenth of the cost of one case-insensitive regular expression over it."""
    lowered = line.lower()
    return "bearer" in lowered or "eyj" in lowered or "input_value=" in lowered


def redact(_logger: Any, _name: str, rendered: Any) -> Any:
    """The last step of every log line, after the renderer: its text without tokens or quoted input."""
    if not isinstance(rendered, str) or not _suspect(rendered):
        return rendered
    for pattern, replacement in _SECRETS:
        rendered = pattern.sub(replacement, rendered)
    return rendered


# Workflow ids carry no personal data (`project-<id>`, `group-<id>`), so the id they name may be logged.
ID_PREFIXES = {"project-": "project_id", "group-": "group_id"}


def workflow_ids(workflow_id: str, run_id: str | None) -> dict[str, str]:
    """The fields a workflow's or an activity's log line carries: ids only, never payloads."""
    fields = {"workflow_id": workflow_id}
    if run_id:
        fields["run_id"] = run_id
    for prefix, name in ID_PREFIXES.items():
        if workflow_id.startswith(prefix):
            fields[name] = workflow_id.removeprefix(prefix)
    return fields


def _temporal_ids(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """temporalio's loggers put their context in one nested `extra` dict: lift the ids to top-level fields."""
    details = event.pop("temporal_workflow", None) or event.pop("temporal_activity", None)
    if isinstance(details, dict) and isinstance(details.get("workflow_id"), str):
        run_id = details.get("run_id") or details.get("workflow_run_id")
        for key, value in workflow_ids(details["workflow_id"], run_id).items():
            event.setdefault(key, value)
        if details.get("activity_type"):
            event.setdefault("activity", details["activity_type"])
        if details.get("update_name"):
            event.setdefault("update", details["update_name"])
    return event


def configure_logging(settings: Settings) -> None:
    # Imported here: `praxis health api` logs too and need not load the Temporal SDK.
    from temporalio import activity, workflow

    # The ids travel as fields (_temporal_ids), so the message need not repeat them as a dict's repr.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _temporal_ids,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: structlog.types.Processor
    if settings.resolved_log_format == "json":
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        # Plain tracebacks: the pretty ones print every frame's locals, request headers and bodies among them.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a module's logger keeps following the configuration, when it is set again (each CLI command
        # sets it) or captured (structlog.testing). A lookup per line costs microseconds beside the line itself.
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer, redact],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for noisy in ("sqlalchemy.engine", "mail.log", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # The API writes one access line per request itself (`api.access`, with its request id, route template and
    # duration); uvicorn's own would repeat it without them. Should uvicorn log one (another server setup), it
    # still comes out through the handler above, in the same shape.
    logging.getLogger("uvicorn.access").setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True

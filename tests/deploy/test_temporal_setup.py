"""deploy/temporal/setup.sh (deploy item 3): the one-shot job that gives Praxis its namespace, retention and
search attributes, run with the real `temporal` CLI against a real Temporal frontend (the dev server)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.testing import WorkflowEnvironment

from tests.deploy.conftest import DEPLOY, run, tool
from workflows import attributes

SETUP = DEPLOY / "temporal" / "setup.sh"


def _setup(address: str, namespace: str, retention_days: str) -> tuple[int, str]:
    temporal = tool("temporal")
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(temporal)}:{os.environ['PATH']}",
        "TEMPORAL_ADDRESS": address,
        "PRAXIS_TEMPORAL_NAMESPACE": namespace,
        "PRAXIS_TEMPORAL_RETENTION_DAYS": retention_days,
        "SETUP_PAUSE_SECONDS": "0.5",
    }
    done = run("sh", str(SETUP), env=env, timeout=180)
    return done.returncode, done.stdout + done.stderr


def test_the_script_registers_the_workflows_search_attributes() -> None:
    """Its list is workflows/attributes.py's, in order, and every one of those is a Keyword."""
    listed = re.search(r'^SEARCH_ATTRIBUTES="([^"]+)"$', SETUP.read_text(), re.MULTILINE)
    assert listed is not None
    assert listed[1].split() == [key.name for key in attributes.ALL]
    assert {key.indexed_value_type for key in attributes.ALL} == {SearchAttributeIndexedValueType.KEYWORD}


def test_a_retention_that_is_not_a_number_of_days_is_refused() -> None:
    """A typo in PRAXIS_TEMPORAL_RETENTION_DAYS stops the job before it touches the cluster."""
    code, output = _setup("127.0.0.1:1", "praxis", "30d")
    assert code == 2
    assert "PRAXIS_TEMPORAL_RETENTION_DAYS must be a whole number of days" in output


@pytest.mark.slow
async def test_setup_creates_then_updates_the_namespace_idempotently(dev_temporal: WorkflowEnvironment) -> None:
    """First run: the namespace with 30 days' retention and the five Keyword attributes. Second run with 45
    days (an operator's change): the retention follows, the attributes stay, and the job still succeeds."""
    address = dev_temporal.client.service_client.config.target_host
    namespace = f"praxis-{uuid.uuid4().hex[:8]}"
    service = dev_temporal.client.workflow_service

    code, output = _setup(address, namespace, "30")
    assert code == 0, output
    described = await service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    assert described.config.workflow_execution_retention_ttl.ToTimedelta() == timedelta(days=30)
    listed = await dev_temporal.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    for key in attributes.ALL:
        assert listed.custom_attributes[key.name] == IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

    code, output = _setup(address, namespace, "45")
    assert code == 0, output
    described = await service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    assert described.config.workflow_execution_retention_ttl.ToTimedelta() == timedelta(days=45)
    assert "praxis-setup: done" in output

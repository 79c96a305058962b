"""The one way every process (API, worker, CLI, tests) connects to Temporal, with the one data converter."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from opentelemetry.sdk.trace import TracerProvider
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import Runtime

from clients.codec import EncryptionCodec
from config.settings import Settings
from config.startup import wait_async
from telemetry.tracing import temporal_interceptors


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic payloads sealed by the codec; failure messages and stack traces travel sealed too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec.from_settings(settings),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(
    settings: Settings,
    *,
    retry_for: timedelta | None = None,
    runtime: Runtime | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Client:
    """With `retry_for`, a cluster that is still starting is retried with backoff for that long (the
    worker and the API at start); without, the first refusal raises (the CLI answers at once). A `runtime`
    carries the worker's metrics endpoint (workers/metrics.py); a `tracer_provider` turns tracing on for the
    client and every worker built from it (telemetry/tracing.py)."""
    if retry_for is not None:
        what = f"Temporal at {settings.temporal_address} (namespace {settings.temporal_namespace})"

        async def attempt() -> Client:
            return await connect(settings, runtime=runtime, tracer_provider=tracer_provider)

        # temporalio raises RuntimeError for a refused or failed connection.
        return await wait_async(attempt, what, retry_for, (RuntimeError,))
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
        interceptors=temporal_interceptors(tracer_provider),
    )
